//! The TikTok TXT download reader (`sources::tiktok_txt::read`): `Videos.txt`, `Comments.txt`, `Direct Messages.txt`, `Profile Info.txt` as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::tiktok_txt;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree("Videos/Videos.txt", data);
    let limits = limits();
    let folder = tiktok_txt::read(&tree.folder, &limits);
    let zip = tiktok_txt::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = tiktok_txt::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
