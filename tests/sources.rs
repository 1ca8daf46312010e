//! Sources end to end: the fixtures in `fixtures/{mastodon,jsonl,csv}` read through
//! `echoscope::sources::read`, format detection, folder expansion, and the JSONL schema.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use echoscope::model::InputFormat;
use echoscope::model::{Platform, PostKind, Timeline};
use echoscope::sources::{self, detect, expand, jsonl, Batch, Limits, SourceError};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn read(rel: &str) -> (InputFormat, Batch) {
    sources::read(&fixture(rel), None, &Limits::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn only(batch: &Batch) -> &Timeline {
    assert_eq!(batch.timelines.len(), 1, "{:?}", batch.timelines);
    &batch.timelines[0]
}

fn count(t: &Timeline, kind: PostKind) -> usize {
    t.posts.iter().filter(|p| p.kind == kind).count()
}

// ---------------------------------------------------------------------------------------------
// Mastodon

#[test]
fn mastodon_zip_gives_posts_boosts_replies_and_direct_messages() {
    let (format, batch) = read("mastodon/export.zip");
    assert_eq!(format, InputFormat::MastodonOutbox);
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped);
    let t = only(&batch);
    assert_eq!(t.platform, Platform::Mastodon);
    assert_eq!(t.account, "corvid@mastodon.example");
    assert_eq!(t.declared_bot, Some(false));
    // 26 items: 3 are direct messages, the 23 others are posts (followers-only included).
    assert_eq!(t.posts.len(), 23);
    assert_eq!(t.direct_messages.len(), 3);
    assert_eq!(count(t, PostKind::Repost), 4);
    assert_eq!(count(t, PostKind::Reply), 7);
    assert!(t
        .posts
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));

    for p in t.posts.iter().filter(|p| p.kind == PostKind::Repost) {
        assert!(p.text.is_empty());
        assert_eq!(p.links.len(), 1);
        assert!(p.links[0].starts_with("https://other.example/users/bob/statuses/"));
    }
    let promo: Vec<_> = t
        .posts
        .iter()
        .filter(|p| p.text.starts_with("Spring sale"))
        .collect();
    assert_eq!(promo.len(), 8);
    assert!(!promo[0].text.contains('<'), "{}", promo[0].text);
    assert_eq!(
        promo[0].links,
        ["https://shop.example/notebooks?utm_source=mastodon"]
    );
    assert_eq!(promo[0].lang.as_deref(), Some("en"));
    assert_eq!(promo[0].client, None);

    // Replies to others: account from both URI forms, parent time from the parent's id.
    let replies: Vec<_> = t
        .posts
        .iter()
        .filter(|p| p.kind == PostKind::Reply && p.text.contains("Thanks for reaching out"))
        .collect();
    assert_eq!(replies.len(), 6);
    let accounts: Vec<_> = replies
        .iter()
        .filter_map(|p| p.reply_to_account.as_deref())
        .collect();
    assert!(accounts.contains(&"bob@other.example"), "{accounts:?}");
    assert!(accounts.contains(&"kim@social.example"), "{accounts:?}");
    assert_eq!(accounts.len(), 6);
    for p in &replies {
        let latency = p.reply_latency_secs().expect("parent time decoded");
        assert!((4.0..10.0).contains(&latency), "{latency}");
    }
    let thread = t
        .posts
        .iter()
        .find(|p| p.text.starts_with("1. Fold"))
        .unwrap();
    assert_eq!(
        thread.text,
        "1. Fold the signatures & press them overnight."
    );
    assert_eq!(
        thread.reply_to_account.as_deref(),
        Some("corvid@mastodon.example")
    );

    // The poll, the followers-only and the unlisted post.
    let poll = t
        .posts
        .iter()
        .find(|p| p.lang.as_deref() == Some("de"))
        .unwrap();
    // Its content warning ("summary") leads the text, as the Mastodon API reader has it.
    assert_eq!(poll.text, "Umfrage\nWelche Farbe als Nächstes?");
    assert!(t.posts.iter().any(|p| p.text.contains("EARLYBIRD")));
    let unlisted = t
        .posts
        .iter()
        .find(|p| p.text == "Workshop photos are up.")
        .unwrap();
    assert!(
        unlisted.links.is_empty(),
        "relative media urls are no links"
    );

    // Direct messages: sender is the account, the conversation is the recipient list.
    let dm = &t.direct_messages[0];
    assert_eq!(dm.sender, "corvid@mastodon.example");
    assert_eq!(dm.recipient.as_deref(), Some("bob@other.example"));
    assert_eq!(dm.conversation_id, "https://other.example/users/bob");
    assert!(dm.text.contains("WELCOME10"));
    assert!(!t.posts.iter().any(|p| p.text.contains("WELCOME10")));
}

#[test]
fn mastodon_folder_and_bare_outbox_read_like_the_zip() {
    let (_, zip) = read("mastodon/export.zip");
    let (format, folder) = read("mastodon/export");
    assert_eq!(format, InputFormat::MastodonOutbox);
    assert_eq!(folder, zip);
    // A bare outbox.json finds its actor.json beside it.
    let (_, bare) = read("mastodon/export/outbox.json");
    assert_eq!(bare, zip);
    // Alone, the account comes from the items' actor URL.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("outbox.json");
    std::fs::copy(fixture("mastodon/export/outbox.json"), &alone).unwrap();
    let (_, batch) = sources::read(&alone, None, &Limits::default()).unwrap();
    assert_eq!(only(&batch).account, "corvid@mastodon.example");
    assert_eq!(only(&batch).declared_bot, None);
    assert_eq!(only(&batch).posts, only(&zip).posts);
}

#[test]
fn mastodon_damaged_items_are_skipped_and_named() {
    let (_, batch) = read("mastodon/outbox-damaged.json");
    assert_eq!(batch.skipped.count, 4, "{:?}", batch.skipped);
    let records: Vec<_> = batch
        .skipped
        .examples
        .iter()
        .map(|p| p.record.as_str())
        .collect();
    assert_eq!(
        records,
        [
            "outbox-damaged.json orderedItems[1]",
            "outbox-damaged.json orderedItems[3]",
            "outbox-damaged.json orderedItems[5]",
            "outbox-damaged.json orderedItems[6]",
        ]
    );
    assert!(batch.skipped.examples[3].reason.contains("Like"));
    let t = only(&batch);
    assert_eq!(t.posts.len() + t.direct_messages.len(), 6);
}

#[test]
fn mastodon_truncated_outbox_keeps_the_complete_items() {
    let (_, batch) = read("mastodon/outbox-truncated.json");
    let t = only(&batch);
    assert_eq!(t.posts.len() + t.direct_messages.len(), 6);
    assert_eq!(batch.skipped.count, 1);
    assert_eq!(
        batch.skipped.examples[0].record,
        "outbox-truncated.json orderedItems[6]"
    );
}

#[test]
fn mastodon_zip_with_an_oversized_outbox_is_refused() {
    let limits = Limits {
        max_entry_bytes: 1000,
        ..Limits::default()
    };
    let err = sources::read(&fixture("mastodon/export.zip"), None, &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("outbox.json"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// JSONL and CSV

#[test]
fn jsonl_groups_accounts_and_decodes_parent_times() {
    let (format, batch) = read("jsonl/posts.jsonl");
    assert_eq!(format, InputFormat::Jsonl);
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped);
    assert_eq!(batch.timelines.len(), 2);
    let tw = &batch.timelines[0];
    assert_eq!(
        (tw.platform, tw.account.as_str()),
        (Platform::Twitter, "lumen_lamps")
    );
    assert_eq!(tw.posts.len(), 18);
    assert_eq!(count(tw, PostKind::Reply), 6);
    assert_eq!(count(tw, PostKind::Repost), 1);
    assert_eq!(count(tw, PostKind::Quote), 1);
    for p in tw.posts.iter().filter(|p| p.kind == PostKind::Reply) {
        assert_eq!(p.client.as_deref(), Some("ReplyBot Pro"));
        let latency = p.reply_latency_secs().expect("decoded from the snowflake");
        assert!((6.0..12.0).contains(&latency), "{latency}");
    }
    let bs = &batch.timelines[1];
    assert_eq!(bs.platform, Platform::Bluesky);
    assert_eq!(bs.posts.len(), 8);
    // One reply has no kind (inferred) and no parent time (decoded from the TID).
    assert_eq!(count(bs, PostKind::Reply), 2);
    for p in bs.posts.iter().filter(|p| p.kind == PostKind::Reply) {
        let latency = p.reply_latency_secs().unwrap();
        assert!((2400.0..2401.0).contains(&latency), "{latency}");
    }
    assert!(bs.posts.iter().any(|p| p.text.contains('\n')));
}

#[test]
fn jsonl_damaged_lines_are_skipped_and_counted_by_line() {
    let (_, batch) = read("jsonl/damaged.jsonl");
    let t = only(&batch);
    assert_eq!(t.posts.len(), 2);
    assert_eq!(batch.skipped.count, 10, "{:?}", batch.skipped);
    let by_line = |n: u32| {
        batch
            .skipped
            .examples
            .iter()
            .find(|p| p.record == format!("line {n}"))
            .map(|p| p.reason.clone())
            .unwrap_or_else(|| panic!("line {n} not reported: {:?}", batch.skipped))
    };
    assert!(by_line(2).contains("unknown field `favourites`"));
    assert!(by_line(3).contains("missing field `id`"));
    assert!(by_line(4).contains("RFC 3339"));
    assert!(by_line(5).contains("retweet"));
    assert!(by_line(6).contains("UTF-8"));
    let r7 = by_line(7);
    assert!(r7.contains("expected") && r7.contains("column"), "{r7}");
    assert!(
        by_line(8).contains("expected struct Record"),
        "{}",
        by_line(8)
    );
    assert!(by_line(12).contains("expected a string"), "{}", by_line(12));
    assert!(by_line(13).contains("empty account"));
    assert!(by_line(14).contains("EOF"), "{}", by_line(14));
    // Lines 9 (blank) and 10 (comment) are not problems.
    assert!(!batch
        .skipped
        .examples
        .iter()
        .any(|p| p.record == "line 9" || p.record == "line 10"));
}

#[test]
fn jsonl_a_huge_line_is_skipped_in_bounded_memory() {
    // 64 MiB without a newline between two good lines, read with a 1 KiB record limit.
    let good = |id: u32| {
        format!(
            "{{\"account\":\"a\",\"platform\":\"x\",\"id\":\"{id}\",\"created_at\":\"2024-01-01T00:00:00Z\",\"text\":\"t\"}}\n"
        )
    };
    let head = good(1).into_bytes();
    let tail = format!("\n{}", good(2)).into_bytes();
    let input = head
        .as_slice()
        .chain(std::io::repeat(b'x').take(64 << 20))
        .chain(tail.as_slice());
    let limits = Limits {
        max_record_bytes: 1024,
        ..Limits::default()
    };
    let batch = jsonl::read_from(input, Path::new("huge.jsonl"), &limits).unwrap();
    let ids: Vec<_> = only(&batch).posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(batch.skipped.count, 1);
    assert_eq!(batch.skipped.examples[0].record, "line 2");
}

#[test]
fn jsonl_all_bad_is_an_error_and_empty_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"account\":\"a\"}\n").unwrap();
    let err = sources::read(&bad, Some(InputFormat::Jsonl), &Limits::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.jsonl") && msg.contains("line 1"), "{msg}");
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n# nothing yet\n").unwrap();
    let (_, batch) = sources::read(&empty, None, &Limits::default()).unwrap();
    assert!(batch.timelines.is_empty());
}

#[test]
fn write_record_round_trips_every_source() {
    let mut out = Vec::new();
    for rel in ["jsonl/posts.jsonl", "mastodon/export.zip"] {
        let (_, batch) = read(rel);
        for t in &batch.timelines {
            for p in &t.posts {
                jsonl::write_record(
                    &mut out,
                    &jsonl::Record::from_post(&t.account, t.platform, p),
                )
                .unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.jsonl");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&out)
        .unwrap();
    let (_, back) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(back.skipped.count, 0);
    let (_, jsonl_batch) = read("jsonl/posts.jsonl");
    let (_, masto) = read("mastodon/export.zip");
    let mut expected = jsonl_batch.timelines.clone();
    expected.extend(masto.timelines.into_iter().map(|mut t| {
        t.direct_messages.clear();
        t.declared_bot = None;
        t
    }));
    expected.sort_by(|a, b| (a.platform, &a.account).cmp(&(b.platform, &b.account)));
    assert_eq!(back.timelines, expected);
}

#[test]
fn csv_reads_the_same_timelines_as_jsonl() {
    let (format, csv) = read("csv/posts.csv");
    assert_eq!(format, InputFormat::Csv);
    assert_eq!(csv.skipped.count, 0, "{:?}", csv.skipped);
    let (_, jsonl) = read("jsonl/posts.jsonl");
    assert_eq!(csv.timelines, jsonl.timelines);
}

#[test]
fn csv_damaged_rows_are_skipped_and_counted_by_row() {
    let (_, batch) = read("csv/damaged.csv");
    let t = only(&batch);
    let ids: Vec<_> = t.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["100", "104"]);
    assert_eq!(t.posts[1].text, "multi-line\ntext, with \"quotes\"");
    let got: Vec<_> = batch
        .skipped
        .examples
        .iter()
        .map(|p| p.record.as_str())
        .collect();
    assert_eq!(got, ["row 3", "row 4", "row 5", "row 6"]);
    assert!(batch.skipped.examples[0]
        .reason
        .contains("5 fields, the header has 6"));
    assert!(batch.skipped.examples[3].reason.contains("empty id"));
}

#[test]
fn csv_a_huge_row_is_skipped_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "account,platform,id,created_at,text").unwrap();
    writeln!(f, "a,x,1,2024-01-01T00:00:00Z,one").unwrap();
    // A quoted field of 4 MiB with line breaks inside: one record, far over the 1 KiB cap.
    let chunk = "la la,\n".repeat(1 << 19);
    writeln!(f, "a,x,2,2024-01-01T00:00:00Z,\"{chunk}\"").unwrap();
    writeln!(f, "a,x,3,2024-01-01T00:00:00Z,three").unwrap();
    drop(f);
    let limits = Limits {
        max_record_bytes: 1024,
        ..Limits::default()
    };
    let (_, batch) = sources::read(&path, None, &limits).unwrap();
    let ids: Vec<_> = only(&batch).posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["1", "3"]);
    assert_eq!(batch.skipped.examples[0].record, "row 3");
}

// ---------------------------------------------------------------------------------------------
// Schema

fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../src/schema/post.v1.json")).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn every_fixture_record_matches_the_schema() {
    let v = schema_validator();
    let text = std::fs::read_to_string(fixture("jsonl/posts.jsonl")).unwrap();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "line {}: {errors:?}", n + 1);
        checked += 1;
    }
    assert_eq!(checked, 26);
}

#[test]
fn schema_and_reader_agree_on_valid_and_invalid_records() {
    let v = schema_validator();
    let base = serde_json::json!({
        "account": "a", "platform": "mastodon", "id": "1",
        "created_at": "2024-01-01T00:00:00Z", "text": "hi"
    });
    let with = |k: &str, val: serde_json::Value| {
        let mut r = base.clone();
        r[k] = val;
        r
    };
    let without = |k: &str| {
        let mut r = base.clone();
        r.as_object_mut().unwrap().remove(k);
        r
    };
    let valid = [
        base.clone(),
        with("kind", "quote".into()),
        with("kind", serde_json::Value::Null),
        with("reply_to_created_at", "2023-12-31T23:59:59.5+01:00".into()),
        with("links", serde_json::json!(["https://a.example"])),
        with("lang", serde_json::Value::Null),
        with("text", "".into()),
        with("account", "@al".into()),
    ];
    let invalid = [
        without("id"),
        without("text"),
        without("created_at"),
        with("favourites", 3.into()),
        with("id", 1.into()),
        with("id", " ".into()),
        with("account", "@".into()),
        with("kind", "retweet".into()),
        with("created_at", "2024-01-01 00:00:00Z".into()),
        with("created_at", "2024-01-01T00:00:00".into()),
        with("created_at", "2024-13-01T00:00:00Z".into()),
        with("reply_to_created_at", "yesterday".into()),
        with("links", serde_json::Value::Null),
        with("links", "https://a.example".into()),
        with("text", serde_json::Value::Null),
        serde_json::json!(["a"]),
    ];
    let reader_accepts = |r: &serde_json::Value| {
        serde_json::from_value::<jsonl::Record>(r.clone())
            .map_err(|e| e.to_string())
            .and_then(jsonl::Record::into_post)
            .is_ok()
    };
    for r in &valid {
        assert!(v.is_valid(r), "schema refuses {r}");
        assert!(reader_accepts(r), "reader refuses {r}");
    }
    for r in &invalid {
        assert!(!v.is_valid(r), "schema accepts {r}");
        assert!(!reader_accepts(r), "reader accepts {r}");
    }
}

// ---------------------------------------------------------------------------------------------
// Detection and expansion

fn write(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn zip_with(path: &Path, entries: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn detect_reads_content_first() {
    for (rel, want) in [
        ("mastodon/export.zip", InputFormat::MastodonOutbox),
        ("mastodon/export", InputFormat::MastodonOutbox),
        ("mastodon/outbox-damaged.json", InputFormat::MastodonOutbox),
        ("jsonl/posts.jsonl", InputFormat::Jsonl),
        ("jsonl/damaged.jsonl", InputFormat::Jsonl),
        ("csv/posts.csv", InputFormat::Csv),
        ("csv/damaged.csv", InputFormat::Csv),
    ] {
        assert_eq!(detect(&fixture(rel)).unwrap(), want, "{rel}");
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Content wins over names.
    let misnamed = d.join("posts.csv");
    std::fs::copy(fixture("jsonl/posts.jsonl"), &misnamed).unwrap();
    assert_eq!(detect(&misnamed).unwrap(), InputFormat::Jsonl);
    let outbox_txt = d.join("backup.txt");
    std::fs::copy(fixture("mastodon/export/outbox.json"), &outbox_txt).unwrap();
    assert_eq!(detect(&outbox_txt).unwrap(), InputFormat::MastodonOutbox);
    // Twitter: a zip with a top folder, extracted folders with and without data/, a bare file.
    let tz = d.join("twitter.zip");
    zip_with(
        &tz,
        &[
            (
                "twitter-2024-01-01/data/manifest.js",
                b"window.__THAR_CONFIG = {}",
            ),
            (
                "twitter-2024-01-01/data/tweets-part1.js",
                b"window.YTD.tweets.part1 = []",
            ),
        ],
    );
    assert_eq!(detect(&tz).unwrap(), InputFormat::TwitterArchive);
    write(
        &d.join("tw1/data/tweets.js"),
        b"window.YTD.tweets.part0 = []",
    );
    assert_eq!(detect(&d.join("tw1")).unwrap(), InputFormat::TwitterArchive);
    write(&d.join("tw2/tweet.js"), b"window.YTD.tweet.part0 = []");
    assert_eq!(detect(&d.join("tw2")).unwrap(), InputFormat::TwitterArchive);
    let js = d.join("whatever.txt");
    write(&js, b"\xEF\xBB\xBF \n window.YTD.deleted_tweets.part0 = [");
    assert_eq!(detect(&js).unwrap(), InputFormat::TwitterArchive);
    // Names break ties only where content says nothing.
    let empty = d.join("new.jsonl");
    write(&empty, b"");
    assert_eq!(detect(&empty).unwrap(), InputFormat::Jsonl);
}

#[test]
fn detect_explains_what_it_does_not_know() {
    let reason = |p: &Path| match detect(p) {
        Err(SourceError::UnknownFormat { reason, .. }) => reason,
        other => panic!("{}: {other:?}", p.display()),
    };
    // A LinkedIn Shares.csv is read by its own source now; any other foreign CSV is a near miss
    // that names what it has and what echoscope CSV needs.
    assert_eq!(
        detect(&fixture("csv/linkedin-shares.csv")).unwrap(),
        InputFormat::Linkedin
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let foreign = d.join("orders.csv");
    write(&foreign, b"OrderId,ShippedAt,Total\n1,2025-07-01,9.50\n");
    let r = reason(&foreign);
    assert!(r.contains("ShippedAt") && r.contains("created_at"), "{r}");
    let z = d.join("photos.zip");
    zip_with(&z, &[("a.jpg", b"x")]);
    assert!(reason(&z).contains("zip"), "{}", reason(&z));
    let other_json = d.join("x.json");
    write(&other_json, b"{\"hello\": 1}\n");
    assert!(reason(&other_json).contains("JSON"));
    let empty = d.join("empty.txt");
    write(&empty, b"");
    assert!(reason(&empty).contains("empty"));
    let bin = d.join("blob.bin");
    write(&bin, &[0xff, 0xfe, 0x00, 0x01, b'\n']);
    assert!(!reason(&bin).is_empty());
    assert!(reason(d).contains("folder"));
    let broken_zip = d.join("broken.zip");
    write(&broken_zip, b"PK\x03\x04 not really");
    assert!(matches!(detect(&broken_zip), Err(SourceError::Zip { .. })));
}

#[test]
fn expand_walks_folders_and_keeps_archives_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("jsonl/posts.jsonl"), d.join("b.jsonl")).unwrap();
    write(&d.join("a-notes.txt"), b"just notes\n");
    write(&d.join(".git/config"), b"[core]\n");
    std::fs::create_dir_all(d.join("sub/deep/deeper")).unwrap();
    std::fs::copy(fixture("csv/posts.csv"), d.join("sub/posts.csv")).unwrap();
    std::fs::copy(fixture("csv/posts.csv"), d.join("sub/deep/deeper/far.csv")).unwrap();
    // An extracted Mastodon export: one input, its media not walked.
    let masto = d.join("sub/mastodon-export");
    write(
        &masto.join("outbox.json"),
        &std::fs::read(fixture("mastodon/export/outbox.json")).unwrap(),
    );
    write(&masto.join("media_attachments/x.jpg"), b"\xff\xd8");
    // A link back up must not loop.
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();

    let limits = Limits {
        max_dir_depth: 2,
        ..Limits::default()
    };
    let got = expand(d, &limits).unwrap();
    assert_eq!(
        got.inputs,
        [
            d.join("b.jsonl"),
            d.join("sub/mastodon-export"),
            d.join("sub/posts.csv")
        ]
    );
    let unsupported: Vec<_> = got.unsupported.iter().map(|u| u.path.clone()).collect();
    let mut expected = vec![d.join("a-notes.txt"), d.join("sub/deep/deeper")];
    #[cfg(unix)]
    expected.insert(1, d.join("sub/loop"));
    expected.sort();
    let mut unsupported_sorted = unsupported.clone();
    unsupported_sorted.sort();
    assert_eq!(unsupported_sorted, expected, "{:?}", got.unsupported);

    // A file is itself, an archive folder is itself.
    let file = expand(&d.join("a-notes.txt"), &limits).unwrap();
    assert_eq!(file.inputs, [d.join("a-notes.txt")]);
    assert_eq!(expand(&masto, &limits).unwrap().inputs, [masto]);
    assert!(matches!(
        expand(&d.join("missing"), &limits),
        Err(SourceError::Io { .. })
    ));
}

#[test]
fn saved_feeds_are_detected_and_say_whose_they_are() {
    // Real captures: the feed's own links name the account and platform.
    let (format, batch) = read("real/mastodon-rss/mastodon_social_pdxjohnny.rss");
    assert_eq!(format, InputFormat::Feed);
    let t = only(&batch);
    assert_eq!(
        (t.platform, t.account.as_str()),
        (Platform::Mastodon, "pdxjohnny@mastodon.social")
    );
    assert_eq!(t.posts.len(), 2);
    // Mastodon ids stay status ids, so their creation time can be decoded.
    assert!(t
        .posts
        .iter()
        .all(|p| p.id.bytes().all(|b| b.is_ascii_digit())));

    let (_, batch) = read("real/bluesky-rss/kaedotcom.bsky.social.rss");
    let t = only(&batch);
    assert_eq!(
        (t.platform, t.account.as_str()),
        (Platform::Bluesky, "kaedotcom.bsky.social")
    );

    for rel in ["real/atom/atom_spec_1.xml", "real/rss2/rss_2.0_bbc.xml"] {
        assert_eq!(detect(&fixture(rel)).unwrap(), InputFormat::Feed, "{rel}");
    }

    let dir = tempfile::tempdir().unwrap();
    // JSON Feed 1.1, as a blog would serve it.
    let json_feed = dir.path().join("feed.json");
    std::fs::write(
        &json_feed,
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Lumen Lamps blog",
            "home_page_url": "https://lumen.example/",
            "items": [
              {"id": "1", "content_text": "New shades are in", "date_published": "2026-01-05T09:00:00Z"},
              {"id": "2", "content_text": "Workshop photos", "date_published": "2026-01-09T17:12:00Z"}
            ]}"#,
    )
    .unwrap();
    let (format, batch) = sources::read(&json_feed, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Feed);
    assert_eq!(only(&batch).posts.len(), 2);

    // Broken XML: an error naming the file, not a panic.
    let broken = dir.path().join("broken.rss");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<rss><channel><item><title>cut",
    )
    .unwrap();
    let err = sources::read(&broken, None, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("broken.rss"), "{err}");

    // Other XML is not taken for a feed.
    let svg = dir.path().join("logo.svg");
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").unwrap();
    assert!(matches!(
        detect(&svg),
        Err(SourceError::UnknownFormat { .. })
    ));

    // A feed larger than the limit is refused before it is parsed.
    let limits = Limits {
        max_entry_bytes: 100,
        ..Limits::default()
    };
    let err = sources::read(&json_feed, Some(InputFormat::Feed), &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err}");
}
