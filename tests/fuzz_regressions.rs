//! Regression tests for what the fuzz targets (`crates/fuzz/`, README "Reliability") found: each
//! feeds the minimised input, kept in `fixtures/fuzz/`, through the reader's public API.

use std::path::{Path, PathBuf};

use echoscope::sources::{self, feed, Limits};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(name)
}

/// quick-xml (under feed-rs) panicked on an XML declaration that names another encoding after
/// the start of a feed; the feed is now refused with an error that says why.
#[test]
fn feed_with_a_second_xml_declaration_is_refused_not_a_panic() {
    let path = fixture("feed-second-xml-declaration.xml");
    let bytes = std::fs::read(&path).expect("fixture");
    for result in [
        feed::parse(&bytes, "https://example.org/feed.xml"),
        feed::parse_saved(&bytes, "feed.xml"),
    ] {
        let err = result.expect_err("a feed with two XML declarations is refused");
        assert!(err.reason.contains("XML declaration"), "{}", err.reason);
    }
    assert!(feed::read(&path, &Limits::default()).is_err());
    assert!(sources::read(&path, None, &Limits::default()).is_err());
}

/// quick-xml panicked (the same `set_encoding` assertion) on a declaration naming another
/// encoding that ends past the first 64 bytes: here one that runs on over the `<rss>` start tag.
/// XML feeds are now decoded before quick-xml sees them; this one is refused as unreadable.
#[test]
fn feed_with_a_long_xml_declaration_naming_another_encoding_is_not_a_panic() {
    let path = fixture("feed-long-xml-declaration.xml");
    let bytes = std::fs::read(&path).expect("fixture");
    for result in [
        feed::parse(&bytes, "https://example.org/feed.xml"),
        feed::parse_saved(&bytes, "feed.xml"),
    ] {
        let err = result.expect_err("the rss element is inside the declaration");
        assert!(err.reason.contains("not a readable feed"), "{}", err.reason);
    }
    assert!(sources::read(&path, None, &Limits::default()).is_err());
}

/// The well-formed case of the crash above: a Latin-1 feed whose declaration is long
/// (`standalone` and spacing) is read, its text decoded from the declared encoding.
#[test]
fn latin1_feed_with_a_long_xml_declaration_is_read_in_its_encoding() {
    let mut bytes = br#"<?xml version="1.0"   encoding="ISO-8859-1"   standalone="yes"   ?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><guid>1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate><description>caf"#
        .to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"</description></item></channel></rss>");
    let parsed = feed::parse_saved(&bytes, "feed.xml").expect("a valid feed");
    assert_eq!(parsed.timeline.posts[0].text, "caf\u{e9}");
}

/// Whitespace and NUL bytes before a feed whose second declaration names another encoding (the
/// CI fuzz pass mutated the second-declaration input so): the document was taken for "not XML"
/// because its first byte past the whitespace was no `<`, went to feed-rs undecoded, and
/// quick-xml panicked on the late declaration. feed-rs itself skips to the first `<`; the check
/// now does too, and the document is refused.
#[test]
fn feed_with_junk_before_two_xml_declarations_is_refused_not_a_panic() {
    let bytes = std::fs::read(fixture("feed-junk-before-two-declarations.xml")).unwrap();
    assert!(bytes.starts_with(b"\t\n\0\0\0\0\0\0<?xml"));
    for result in [
        feed::parse(&bytes, "https://example.org/feed.xml"),
        feed::parse_saved(&bytes, "feed.xml"),
    ] {
        let err = result.expect_err("two declarations are refused");
        assert!(err.reason.contains("XML declaration"), "{}", err.reason);
    }
}

/// feed-rs 3.0.0 took the name beside an e-mail address in an author field by dropping one byte
/// next to the address, and panicked inside a multibyte character there: a no-break space
/// (`editor@example.org&#160;(Jane Doe)`), or U+FFFD from a stray byte, which is what the fuzzer
/// found. Fixed in the patched copy, `crates/feed-rs` (its `PATCHED.md`).
#[test]
fn feed_with_a_multibyte_character_next_to_an_author_address_is_not_a_panic() {
    let path = fixture("feed-author-address-next-to-multibyte.xml");
    let bytes = std::fs::read(&path).unwrap();
    let parsed = feed::parse_saved(&bytes, "feed.xml").expect("a readable feed");
    let texts: Vec<&str> = parsed
        .timeline
        .posts
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(texts, ["Autumn sale starts today.", "New opening hours."]);
    let batch = feed::read(&path, &Limits::default()).expect("a readable feed");
    assert_eq!(batch.timelines[0].posts.len(), 2);
}

/// The same through a JSON Feed, whose `author.name` goes to the same feed-rs function.
#[test]
fn json_feed_with_a_multibyte_character_next_to_an_author_address_is_not_a_panic() {
    let doc = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Example shop news",
        "home_page_url": "https://shop.example.org/",
        "authors": [{"name": "Jane Doe\u2014jane@example.org"}],
        "items": [{"id": "1", "date_published": "2021-09-06T16:45:00Z",
                   "author": {"name": "jane@example.org\u00a0(Jane Doe)"},
                   "content_text": "Autumn sale starts today."}]}"#;
    let parsed = feed::parse_saved(doc.as_bytes(), "feed.json").expect("a readable feed");
    assert_eq!(parsed.timeline.posts.len(), 1);
    assert_eq!(parsed.timeline.posts[0].text, "Autumn sale starts today.");
}

/// The check behind the fix above leaves alone a declaration quoted in a CDATA section or a
/// comment, which is text, not markup.
#[test]
fn feed_quoting_an_xml_declaration_in_cdata_is_still_read() {
    let bytes = br#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<!-- <?xml version="1.0" encoding="ISO-8859-1"?> -->
<item><guid>1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate>
<description><![CDATA[start a file with <?xml version="1.0" encoding="ISO-8859-1"?>]]></description></item>
</channel></rss>"#;
    let parsed = feed::parse_saved(bytes, "feed.xml").expect("a valid feed");
    assert_eq!(parsed.timeline.posts.len(), 1);
    assert!(parsed.timeline.posts[0].text.contains("<?xml"));
}

/// The same panic through a UTF-16 feed: the byte scan for a late declaration saw no `<?xml` in
/// text whose every other byte is NUL. Both byte orders, with and without a byte-order mark.
#[test]
fn utf16_feed_with_a_second_xml_declaration_is_refused_not_a_panic() {
    let text = r#"<?xml version="1.0" encoding="UTF-16"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><guid>1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate><description>a</description></item>
<?xml version="1.0" encoding="ISO-8859-1"?>
<item><guid>2</guid><pubDate>Mon, 06 Sep 2021 16:46:00 GMT</pubDate><description>b</description></item>
</channel></rss>"#;
    for (bom, little) in [(true, true), (true, false), (false, true), (false, false)] {
        let mut bytes = Vec::new();
        if bom {
            bytes.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        for result in [
            feed::parse(&bytes, "https://example.org/feed.xml"),
            feed::parse_saved(&bytes, "feed.xml"),
        ] {
            let err = result.expect_err("a feed with two XML declarations is refused");
            assert!(err.reason.contains("XML declaration"), "{}", err.reason);
        }
    }
}

/// The check above decodes UTF-16 to look for a second declaration; a UTF-16 feed with one
/// declaration is not refused by it.
#[test]
fn utf16_feed_with_one_xml_declaration_is_not_refused_as_a_late_declaration() {
    let text = r#"<?xml version="1.0" encoding="UTF-16"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><guid>1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate><description>a</description></item>
</channel></rss>"#;
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    if let Err(err) = feed::parse_saved(&bytes, "feed.xml") {
        assert!(!err.reason.contains("XML declaration"), "{}", err.reason);
    }
}

/// A second declaration that the late-declaration scan cannot see, because a `<!--` inside an
/// attribute value looks to a byte scan like a comment that hides it. The scan is not an XML
/// parser; feed-rs (patched, `crates/feed-rs/PATCHED.md`) now honours an encoding only from the
/// document's first event, so whatever the scan misses is read past, not a panic.
#[test]
fn feed_with_a_declaration_hidden_from_the_scan_is_not_a_panic() {
    let doc = std::fs::read(fixture("feed-declaration-hidden-from-the-scan.xml")).unwrap();
    // Read past, in the first declaration's encoding.
    let parsed = feed::parse_saved(&doc, "feed.xml").expect("the hidden declaration is read past");
    assert_eq!(parsed.timeline.posts[0].text, "caf\u{e9}");
}
