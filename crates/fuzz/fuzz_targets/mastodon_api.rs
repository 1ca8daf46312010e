//! The Mastodon API answers (`sources::mastodon_api`): `accounts/lookup`, a page of
//! `accounts/:id/statuses`, the `Link` header, and status id ordering.
//! Property: never a panic, a hang or unbounded memory; `compare_ids` is a total order on the
//! ids a page holds (antisymmetric).
#![no_main]

use std::cmp::Ordering;

use echoscope::sources::mastodon_api;
use libfuzzer_sys::fuzz_target;

const URL: &str = "https://mastodon.example/api/v1/accounts/1/statuses";

fuzz_target!(|data: &[u8]| {
    let _ = mastodon_api::parse_account(data, URL);
    let _ = mastodon_api::parse_statuses(data, URL, "1", "someone");
    let text = String::from_utf8_lossy(data);
    let _ = mastodon_api::parse_link(&text);
    let mut words = text.split_whitespace();
    if let (Some(a), Some(b)) = (words.next(), words.next()) {
        let (ab, ba) = (
            mastodon_api::compare_ids(a, b),
            mastodon_api::compare_ids(b, a),
        );
        assert_eq!(ab, ba.reverse(), "compare_ids({a:?}, {b:?})");
        assert_eq!(mastodon_api::compare_ids(a, a), Ordering::Equal);
    }
});
