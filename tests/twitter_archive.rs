//! The Twitter/X archive source on the real 2026 archive (`fixtures/real/twitter-archive/`), on
//! hand-made archives shaped like it (`fixtures/twitter/`), and on zips built here: zipped,
//! truncated, bombs, empty, wrong type.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{created_at_from_id, InputFormat, Platform, PostKind, Timeline};
use echoscope::sources::{self, twitter_archive, Batch, Limits, Sniff, SourceError, Verdict};
use zip::write::SimpleFileOptions;

const FIXTURE_ACCOUNT_ID: &str = "1500000000000000001";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn only(batch: &Batch) -> &Timeline {
    assert_eq!(batch.timelines.len(), 1, "one account per archive");
    &batch.timelines[0]
}

/// A zip of every file in `dir`, each stored under `prefix` + its name, plus `extra` entries.
fn zip_folder(dir: &Path, prefix: &str, extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_str().unwrap();
        w.start_file(format!("{prefix}{name}"), options).unwrap();
        w.write_all(&std::fs::read(&path).unwrap()).unwrap();
    }
    for (name, bytes) in extra {
        w.start_file(name.to_string(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(name.to_string(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn real_archive_reads_every_tweet_with_its_kind() {
    let batch =
        twitter_archive::read(&fixture("real/twitter-archive"), &Limits::default()).unwrap();
    let tl = only(&batch);
    assert_eq!(tl.account, "milahu104");
    assert_eq!(tl.platform, Platform::Twitter);
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped.examples);
    // 2,045 tweets in the file, no edit chains among them (checked with jq/python).
    assert_eq!(tl.posts.len(), 2045);
    let mut kinds: HashMap<PostKind, usize> = HashMap::new();
    for p in &tl.posts {
        *kinds.entry(p.kind).or_default() += 1;
    }
    assert_eq!(kinds.get(&PostKind::Reply), Some(&1780));
    assert_eq!(kinds.get(&PostKind::Repost), Some(&239));
    assert_eq!(kinds.get(&PostKind::Quote), Some(&1));
    assert_eq!(kinds.get(&PostKind::Original), Some(&25));
    assert!(tl
        .posts
        .iter()
        .all(|p| p.client.as_deref() == Some("Twitter Web App")));
    // Oldest first, whatever the file order.
    assert!(tl
        .posts
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    assert_eq!(
        tl.posts[0].created_at.date_naive().to_string().get(..7),
        Some("2025-09")
    );
}

#[test]
fn real_archive_text_is_decoded() {
    let batch =
        twitter_archive::read(&fixture("real/twitter-archive"), &Limits::default()).unwrap();
    let tl = only(&batch);
    assert!(tl.posts.iter().all(|p| !p.text.contains("&amp;")
        && !p.text.contains("&gt;")
        && !p.text.contains("&lt;")));
    let rt = tl
        .posts
        .iter()
        .find(|p| p.text.starts_with("RT @infobeautiful:"))
        .unwrap();
    assert!(rt.text.contains("trips & tranqs"), "{}", rt.text);
    assert!(tl.posts.iter().any(|p| p.lang.as_deref() == Some("de")));
    let first = tl
        .posts
        .iter()
        .find(|p| p.id == "2029905358261502168")
        .unwrap();
    assert_eq!(
        first.links,
        ["https://x.com/milahu104/status/2027739112069878026"]
    );
    assert_eq!(first.reply_to_account.as_deref(), Some("milahu104"));
}

#[test]
fn real_archive_reply_times_match_the_parents_in_the_archive() {
    let batch =
        twitter_archive::read(&fixture("real/twitter-archive"), &Limits::default()).unwrap();
    let tl = only(&batch);
    let by_id: HashMap<&str, _> = tl
        .posts
        .iter()
        .map(|p| (p.id.as_str(), p.created_at))
        .collect();
    let mut checked = 0;
    for p in tl.posts.iter().filter(|p| p.kind == PostKind::Reply) {
        let decoded = p.reply_to_created_at.expect("snowflake parent ids decode");
        assert!(decoded <= p.created_at, "reply {} before its parent", p.id);
        // Self-threads: the parent is in the archive with its own created_at (whole seconds).
        if let Some(parent_time) = p.reply_to_id.as_deref().and_then(|id| by_id.get(id)) {
            assert_eq!(
                decoded.timestamp(),
                parent_time.timestamp(),
                "reply {}",
                p.id
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} self-replies checked");
}

#[test]
fn real_tweets_js_alone_takes_the_account_from_the_manifest_beside_it() {
    let batch = twitter_archive::read(
        &fixture("real/twitter-archive/data/tweets.js"),
        &Limits::default(),
    )
    .unwrap();
    let tl = only(&batch);
    assert_eq!(tl.account, "milahu104");
    assert_eq!(tl.posts.len(), 2045);
}

#[test]
fn multipart_folder_has_kinds_notes_edits_and_dms() {
    let batch = twitter_archive::read(&fixture("twitter/multipart"), &Limits::default()).unwrap();
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped.examples);
    let tl = only(&batch);
    assert_eq!(tl.account, "echo_fixture");
    // 10 tweets over two parts; the two versions of the edited one are one post.
    assert_eq!(tl.posts.len(), 9);
    let post = |start: &str| {
        tl.posts
            .iter()
            .find(|p| p.text.starts_with(start))
            .unwrap_or_else(|| panic!("no post starting {start:?}"))
    };

    let reply = post("@alice");
    assert_eq!(reply.kind, PostKind::Reply);
    assert_eq!(reply.text, "@alice Thanks & welcome! <3");
    assert_eq!(reply.reply_to_account.as_deref(), Some("alice"));
    let parent = reply.reply_to_id.as_deref().unwrap();
    assert_eq!(
        reply.reply_to_created_at,
        created_at_from_id(Platform::Twitter, parent)
    );
    assert_eq!(reply.reply_latency_secs().map(|s| s.round()), Some(31.0));

    assert_eq!(post("@bob").kind, PostKind::Original);
    assert_eq!(post("@bob").reply_to_id, None);
    assert_eq!(post("RT @carol:").kind, PostKind::Repost);
    assert_eq!(post("This is exactly right").kind, PostKind::Quote);
    assert_eq!(post("Hello & good morning").kind, PostKind::Original);

    let long = post("Scheduling tip");
    assert!(long.text.ends_with("third, the replies are the point."));
    assert!(!long.text.contains('…'));

    let sale = post("Sale ends");
    assert_eq!(sale.text, "Sale ends Friday! https://t.co/0AbCdEf");
    assert_eq!(sale.id, "2018248020587446273");
    assert_eq!(sale.created_at.to_rfc3339(), "2026-02-02T09:00:00+00:00");
    assert!(tl.posts.iter().all(|p| p.id != "2018248691676086274"));

    let blog = post("New post on the blog");
    assert_eq!(blog.client.as_deref(), Some("Buffer"));
    assert_eq!(blog.links, ["https://blog.example/p/1"]);

    assert_eq!(tl.direct_messages.len(), 2);
    assert!(tl
        .direct_messages
        .iter()
        .all(|m| m.sender == FIXTURE_ACCOUNT_ID && m.text.starts_with("Thanks for following!")));
    let conversations: Vec<_> = tl
        .direct_messages
        .iter()
        .map(|m| m.conversation_id.as_str())
        .collect();
    assert_eq!(
        conversations,
        ["1500000000000000001-42", "7-1500000000000000001"]
    );
    assert_eq!(tl.direct_messages[0].recipient.as_deref(), Some("42"));
}

#[test]
fn zipped_archive_reads_like_the_folder_and_never_opens_media() {
    let folder = twitter_archive::read(&fixture("twitter/multipart"), &Limits::default()).unwrap();
    // A media entry far over the entry limit: reading it would fail the whole input.
    let media = vec![0u8; 4 << 20];
    let bytes = zip_folder(
        &fixture("twitter/multipart/data"),
        "twitter-2026-03-06-abc/data/",
        &[("twitter-2026-03-06-abc/data/tweets_media/1-a.jpg", media)],
    );
    let dir = tempfile::tempdir().unwrap();
    let zip = write(dir.path(), "twitter-2026-03-06-abc.zip", &bytes);
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let zipped = twitter_archive::read(&zip, &limits).unwrap();
    assert_eq!(zipped.timelines, folder.timelines);
    assert_eq!(zipped.skipped, folder.skipped);

    // The zip, extracted folders (with and without the top folder), a lone data file.
    let sniff = |p: &Path| twitter_archive::sniff(&Sniff::gather(p).unwrap());
    for path in [
        zip,
        fixture("twitter/multipart"),
        fixture("real/twitter-archive"),
        fixture("twitter/damaged/data/tweets.js"),
    ] {
        assert_eq!(sniff(&path), Verdict::Mine, "{}", path.display());
    }
    let nothing = dir.path().join("nothing");
    std::fs::create_dir(&nothing).unwrap();
    assert!(matches!(sniff(&nothing), Verdict::NearMiss(_)));
}

#[test]
fn the_data_folder_itself_is_an_input_too() {
    let data =
        twitter_archive::read(&fixture("twitter/multipart/data"), &Limits::default()).unwrap();
    let root = twitter_archive::read(&fixture("twitter/multipart"), &Limits::default()).unwrap();
    assert_eq!(data.timelines, root.timelines);
}

#[test]
fn truncated_zip_is_an_error_naming_the_file() {
    let bytes = zip_folder(&fixture("twitter/multipart/data"), "data/", &[]);
    let dir = tempfile::tempdir().unwrap();
    let zip = write(dir.path(), "cut.zip", &bytes[..bytes.len() / 2]);
    let err = twitter_archive::read(&zip, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Zip { .. }), "{err}");
    assert!(err.to_string().contains("cut.zip"), "{err}");
}

/// A tweets.js that inflates to `size` bytes of blanks inside the array.
fn blank_tweets_js(size: usize) -> Vec<u8> {
    let mut js = b"window.YTD.tweets.part0 = [".to_vec();
    js.resize(size, b' ');
    js.push(b']');
    js
}

#[test]
fn zip_bomb_stops_at_the_entry_limit() {
    let bytes = zip_entries(&[("data/tweets.js", &blank_tweets_js(8 << 20))]);
    assert!(bytes.len() < 200_000, "the bomb is small: {}", bytes.len());
    let dir = tempfile::tempdir().unwrap();
    let zip = write(dir.path(), "bomb.zip", &bytes);
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = twitter_archive::read(&zip, &limits).unwrap_err();
    assert!(
        matches!(&err, SourceError::TooLarge { what, limit, .. }
            if what.contains("data/tweets.js") && *limit == 1 << 20),
        "{err}"
    );
}

#[test]
fn plain_file_over_the_entry_limit_stops() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tweets.js", &blank_tweets_js(3 << 20));
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = twitter_archive::read(&path, &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err}");
}

/// Overwrites the uncompressed size of the one entry in both zip headers, as a hostile zip
/// would, so that only the counted reading can stop it.
fn lie_about_size(bytes: &mut [u8], size: u32) {
    let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
    bytes[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn zip_bomb_with_a_lying_header_still_stops() {
    let mut bytes = zip_entries(&[("data/tweets.js", &blank_tweets_js(8 << 20))]);
    lie_about_size(&mut bytes, 1000);
    let dir = tempfile::tempdir().unwrap();
    let zip = write(dir.path(), "liar.zip", &bytes);
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = twitter_archive::read(&zip, &limits).unwrap_err();
    // zip itself notices the lie ("larger than its declared uncompressed size").
    assert!(
        matches!(
            err,
            SourceError::TooLarge { .. } | SourceError::Invalid { .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("data/tweets.js"), "{err}");
}

#[test]
fn empty_archives_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.zip", &zip_entries(&[]));
    let err = twitter_archive::read(&empty, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("empty.zip"));

    let no_tweets = write(
        dir.path(),
        "no-tweets.zip",
        &zip_entries(&[("data/tweets.js", b"window.YTD.tweets.part0 = [ ]")]),
    );
    let err = twitter_archive::read(&no_tweets, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("holds no tweets"), "{err}");
}

#[test]
fn other_files_are_refused_with_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "photo.zip", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let err = twitter_archive::read(&png, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::UnknownFormat { .. }), "{err}");
    assert!(err.to_string().contains("photo.zip"));

    let mastodon = write(
        dir.path(),
        "mastodon.zip",
        &zip_entries(&[("outbox.json", b"{\"orderedItems\": []}")]),
    );
    let err = twitter_archive::read(&mastodon, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("mastodon.zip"), "{err}");

    let likes = write(dir.path(), "like.js", b"window.YTD.like.part0 = [ ]");
    let err = twitter_archive::read(&likes, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::UnknownFormat { .. }), "{err}");
    assert!(err.to_string().contains("like"), "{err}");

    let object = write(dir.path(), "tweets.js", b"{\"not\": \"an array\"}");
    let err = twitter_archive::read(&object, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err}");

    let missing = dir.path().join("nope.zip");
    let err = twitter_archive::read(&missing, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Io { .. }), "{err}");
}

#[test]
fn damaged_tweets_are_skipped_and_counted() {
    let batch = twitter_archive::read(&fixture("twitter/damaged"), &Limits::default()).unwrap();
    let tl = only(&batch);
    let texts: Vec<_> = tl.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["first good one", "second good one"]);
    assert_eq!(batch.skipped.count, 4);
    let problems: Vec<_> = batch
        .skipped
        .examples
        .iter()
        .map(|p| (p.record.as_str(), p.reason.as_str()))
        .collect();
    assert_eq!(problems[0], ("data/tweets.js element 1", "no id_str"));
    assert!(problems[1].0.starts_with("data/tweets.js element 2 (id "));
    assert!(problems[1].1.starts_with("unreadable created_at"));
    assert!(problems[2].1.contains("full_text is not a string"));
    assert_eq!(
        problems[3],
        ("data/tweets.js element 4", "not a JSON object")
    );
    // The account falls back to the folder name.
    assert_eq!(tl.account, "damaged");
}

#[test]
fn truncated_tweets_file_is_an_error_naming_the_element() {
    let js = std::fs::read(fixture("twitter/multipart/data/tweets.js")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = write(dir.path(), "tweets.js", &js[..js.len() - 500]);
    let err = twitter_archive::read(&cut, &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, SourceError::Invalid { record, .. } if record == "tweets.js element 5"),
        "{err}"
    );
}

#[test]
fn utf8_bom_and_bad_bytes_are_read() {
    let js = std::fs::read(fixture("twitter/multipart/data/tweets.js")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&js);
    let bom = write(dir.path(), "bom/tweets.js", &with_bom);
    let batch = twitter_archive::read(&bom, &Limits::default()).unwrap();
    // tweets.js alone: six tweets (the edit lives in part 1).
    assert_eq!(only(&batch).posts.len(), 6);

    let text = String::from_utf8(js).unwrap();
    let mut broken = text
        .replacen("good morning", "good \u{1}morning", 1)
        .into_bytes();
    let at = broken.iter().position(|&b| b == 1).unwrap();
    broken[at] = 0xFF;
    let bad = write(dir.path(), "bad/tweets.js", &broken);
    let batch = twitter_archive::read(&bad, &Limits::default()).unwrap();
    let post = only(&batch)
        .posts
        .iter()
        .find(|p| p.text.starts_with("Hello"))
        .unwrap();
    assert!(post.text.contains("good \u{FFFD}morning"), "{}", post.text);
}

/// Regression: a lone `tweets.js` / `tweet.js` was reported as the account "tweets" / "tweet",
/// its file name. The account comes from `account.js` or `manifest.js` beside it, else it is
/// plainly unknown.
#[test]
fn lone_tweets_file_is_not_named_for_its_file_name() {
    let js = std::fs::read(fixture("twitter/multipart/data/tweets.js")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["tweets.js", "tweet.js", "tweets-part1.js", "saved.txt"] {
        let lone = write(dir.path(), &format!("{name}-alone/data/{name}"), &js);
        let (format, batch) = sources::read(&lone, None, &Limits::default()).unwrap();
        assert_eq!(format, InputFormat::TwitterArchive, "{name}");
        let tl = only(&batch);
        assert_eq!(tl.account, twitter_archive::UNKNOWN_ACCOUNT, "{name}");
        assert_eq!(tl.posts.len(), 6, "{name}");
    }
    // account.js beside it, in the data/ folder of an extracted archive, names the account.
    let lone = write(dir.path(), "named/data/tweet.js", &js);
    write(
        dir.path(),
        "named/data/account.js",
        br#"window.YTD.account.part0 = [ { "account" : { "username" : "beside_it", "accountId" : "77" } } ]"#,
    );
    let batch = twitter_archive::read(&lone, &Limits::default()).unwrap();
    assert_eq!(only(&batch).account, "beside_it");
}

#[test]
fn direct_messages_alone_infer_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let dms = write(
        dir.path(),
        "direct-messages.js",
        &std::fs::read(fixture("twitter/multipart/data/direct-messages.js")).unwrap(),
    );
    let batch = twitter_archive::read(&dms, &Limits::default()).unwrap();
    let tl = only(&batch);
    assert!(tl.posts.is_empty());
    assert_eq!(tl.account, FIXTURE_ACCOUNT_ID);
    assert_eq!(tl.direct_messages.len(), 2);
    assert!(tl
        .direct_messages
        .iter()
        .all(|m| m.sender == FIXTURE_ACCOUNT_ID));
}

#[test]
fn account_js_names_the_account_without_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let js = std::fs::read(fixture("twitter/damaged/data/tweets.js")).unwrap();
    write(dir.path(), "export/data/tweets.js", &js);
    write(
        dir.path(),
        "export/data/account.js",
        br#"window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "someone@example.com",
      "createdVia" : "web",
      "username" : "from_account_js",
      "accountId" : "77",
      "createdAt" : "2020-01-01T00:00:00.000Z",
      "accountDisplayName" : "Someone"
    }
  }
]"#,
    );
    let batch = twitter_archive::read(dir.path(), &Limits::default()).unwrap();
    assert_eq!(only(&batch).account, "from_account_js");
}

#[test]
fn oversized_elements_are_skipped_and_the_rest_read() {
    let huge = format!(
        r#"{{"tweet": {{"id_str": "2029905358261502168", "created_at": "Fri Mar 06 13:02:05 +0000 2026", "full_text": "{}"}}}}"#,
        "x".repeat(200_000)
    );
    let small = r#"{"tweet": {"id_str": "2029905358261502169", "created_at": "Fri Mar 06 13:02:06 +0000 2026", "full_text": "small"}}"#;
    let js = format!("window.YTD.tweets.part0 = [{huge},{small}]");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tweets.js", js.as_bytes());
    let limits = Limits {
        max_record_bytes: 10_000,
        ..Limits::default()
    };
    let batch = twitter_archive::read(&path, &limits).unwrap();
    assert_eq!(only(&batch).posts.len(), 1);
    assert_eq!(only(&batch).posts[0].text, "small");
    assert_eq!(batch.skipped.count, 1);
    assert_eq!(batch.skipped.examples[0].record, "tweets.js element 0");
    assert!(batch.skipped.examples[0]
        .reason
        .contains("larger than 10000 bytes"));
}

#[test]
fn record_limit_stops_reading_and_says_so() {
    let limits = Limits {
        max_records: 3,
        ..Limits::default()
    };
    let batch = twitter_archive::read(&fixture("twitter/multipart"), &limits).unwrap();
    // note-tweet.js is read first: its one note is a record too.
    assert_eq!(only(&batch).posts.len(), 2);
    assert!(batch
        .skipped
        .examples
        .iter()
        .any(|p| p.reason.contains("record limit")));
}

#[test]
fn a_damaged_dm_file_does_not_lose_the_tweets() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tweets.js", "manifest.js"] {
        let bytes = std::fs::read(fixture("twitter/multipart/data").join(name)).unwrap();
        write(dir.path(), &format!("data/{name}"), &bytes);
    }
    write(
        dir.path(),
        "data/direct-messages.js",
        b"window.YTD.direct_messages.part0 = [ { \"dmConversation\" : { \"messages\" : [ ",
    );
    let batch = twitter_archive::read(dir.path(), &Limits::default()).unwrap();
    assert_eq!(only(&batch).posts.len(), 6);
    assert!(only(&batch).direct_messages.is_empty());
    assert!(batch
        .skipped
        .examples
        .iter()
        .any(|p| p.record == "data/direct-messages.js"));
}
