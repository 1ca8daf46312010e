//! The TikTok JSON download reader (`sources::tiktok::read`): `user_data.json` as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::tiktok;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree("user_data.json", data);
    let limits = limits();
    let folder = tiktok::read(&tree.folder, &limits);
    let zip = tiktok::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = tiktok::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
