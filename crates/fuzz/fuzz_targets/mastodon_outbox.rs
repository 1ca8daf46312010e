//! The Mastodon export reader (`sources::mastodon_outbox::read`): `outbox.json` and `actor.json` as a folder, a zip and a lone file.
//! Property: never a panic, a hang or unbounded memory, and the folder and the zip of the same
//! files give the same posts.
#![no_main]

use echoscope::sources::mastodon_outbox;
use echoscope_fuzz::{limits, same_posts, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = Scratch::fresh().tree("outbox.json", data);
    let limits = limits();
    let folder = mastodon_outbox::read(&tree.folder, &limits);
    let zip = mastodon_outbox::read(&tree.zip, &limits);
    same_posts(&folder, &zip);
    if let [one] = tree.files.as_slice() {
        let _ = mastodon_outbox::read(one, &limits);
    }
    let _ = echoscope::sources::detect(&tree.folder);
    let _ = echoscope::sources::detect(&tree.zip);
});
