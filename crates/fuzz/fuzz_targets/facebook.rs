//! The Facebook download reader (`sources::facebook::read`): posts, comments and profile files as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::facebook;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree(
        "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
        data,
    );
    let limits = limits();
    let folder = facebook::read(&tree.folder, &limits);
    let zip = facebook::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = facebook::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
