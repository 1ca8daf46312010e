//! Threads posts (`sources::threads::post_of`, read by the Instagram reader from
//! `your_instagram_activity/threads/threads_and_replies.json`): each item of the file's
//! `text_post_app_text_posts`, then the whole file through `sources::instagram::read`.
//! Property: never a panic, a hang or unbounded memory.
#![no_main]

use echoscope::sources::{instagram, threads};
use echoscope_fuzz::{limits, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let items = value.get(threads::KEY).and_then(|v| v.as_array());
        for item in items.into_iter().flatten() {
            let _ = threads::post_of(item);
        }
    }
    let tree = Scratch::fresh().tree(
        "your_instagram_activity/threads/threads_and_replies.json",
        data,
    );
    let _ = instagram::read(&tree.folder, &limits());
});
