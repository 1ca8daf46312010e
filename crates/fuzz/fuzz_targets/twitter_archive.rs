//! The Twitter/X archive reader (`sources::twitter_archive::read`): an archive's files (`data/tweets.js`, `manifest.js`, `direct-messages.js`, ...) as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::twitter_archive;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree("data/tweets.js", data);
    let limits = limits();
    let folder = twitter_archive::read(&tree.folder, &limits);
    let zip = twitter_archive::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = twitter_archive::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
