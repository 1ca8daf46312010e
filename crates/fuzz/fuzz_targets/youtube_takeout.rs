//! The YouTube Takeout reader (`sources::youtube_takeout::read`): `comments.csv` and `live chats.csv` as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::youtube_takeout;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree("YouTube and YouTube Music/comments/comments.csv", data);
    let limits = limits();
    let folder = youtube_takeout::read(&tree.folder, &limits);
    let zip = youtube_takeout::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = youtube_takeout::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
