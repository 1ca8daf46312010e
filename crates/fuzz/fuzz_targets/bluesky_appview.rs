//! The Bluesky AppView answer, `app.bsky.feed.getAuthorFeed`
//! (`sources::bluesky_appview::parse_author_feed`).
//! Property: never a panic, a hang or unbounded memory.
#![no_main]

use echoscope::sources::bluesky_appview;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bluesky_appview::parse_author_feed(
        data,
        "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=someone.bsky.social",
    );
});
