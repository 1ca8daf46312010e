//! The feed reader: RSS, Atom and JSON Feed fetched from a URL (`sources::feed::parse`) or saved
//! to a file (`sources::feed::parse_saved`, and `sources::feed::read` on the file).
//! Property: never a panic, a hang or unbounded memory.
#![no_main]

use echoscope::sources::feed;
use echoscope_fuzz::{limits, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = feed::parse(data, "https://mastodon.social/@someone.rss");
    let _ = feed::parse(data, "https://example.org/feed.xml");
    let _ = feed::parse_saved(data, "feed.xml");
    let path = Scratch::fresh().file("feed.xml", data);
    let _ = feed::read(&path, &limits());
});
