//! The LinkedIn export source (`sources::linkedin`) on the hand-made export in
//! `fixtures/linkedin/` and on lone, re-encoded and oversized files made from it.

use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/linkedin")
        .join(rel)
}

#[test]
fn the_export_gives_shares_reshares_and_comments() {
    let path = fixture("export");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Linkedin);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Linkedin);
    let t = &batch.timelines[0];
    assert_eq!(
        (t.platform, t.account.as_str()),
        (Platform::Linkedin, "Lumen Lamps")
    );
    // 3 shares (a fourth with a damaged date is skipped and named) and 2 comments.
    assert_eq!(t.posts.len(), 5);
    assert_eq!(batch.skipped.count, 1, "{:?}", batch.skipped);
    assert_eq!(batch.skipped.examples[0].record, "Shares.csv row 5");

    let first = &t.posts[0];
    assert_eq!(first.id, "urn:li:share:7345678901234567890");
    assert_eq!(first.text, "𝗪𝗛𝗔𝗧 a week!\n\nOur new desk lamp is out.");
    assert_eq!(first.created_at.to_rfc3339(), "2025-07-01T14:33:22+00:00");
    assert_eq!(first.links, ["https://shop.lumen.example/desk-lamp"]);
    // Mathematical bold letters are plain for every detector that compares texts.
    assert!(echoscope::text::normalize(&first.text).starts_with("what a week"));

    let comment = &t.posts[1];
    assert_eq!(comment.kind, PostKind::Reply);
    assert_eq!(
        comment.text,
        "Anna Berg Thanks, Anna! \"Light\" is our middle name."
    );
    assert_eq!(
        comment.reply_to_id.as_deref(),
        Some("urn:li:activity:7345111111111111111")
    );
    let reshare = t
        .posts
        .iter()
        .find(|p| p.id == "urn:li:ugcPost:7346000000000000000");
    assert_eq!(reshare.unwrap().kind, PostKind::Repost);
    let proud = t
        .posts
        .iter()
        .find(|p| p.text.starts_with("Proud"))
        .unwrap();
    assert_eq!(proud.kind, PostKind::Original);
    assert!(
        proud.links.is_empty(),
        "media is no link: {:?}",
        proud.links
    );

    let notes = batch.notes.join("\n");
    assert!(notes.contains("read as UTC"), "{notes}");
    assert!(notes.contains("automation_client"), "{notes}");
}

#[test]
fn a_lone_comments_file_is_taken_by_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export-comments.csv");
    std::fs::copy(fixture("export/Comments.csv"), &path).unwrap();
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Linkedin);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    let t = &batch.timelines[0];
    assert_eq!(t.account, sources::linkedin::UNKNOWN_ACCOUNT);
    assert_eq!(t.posts.len(), 2);
    assert!(t.posts.iter().all(|p| p.kind == PostKind::Reply));
}

#[test]
fn a_row_in_another_encoding_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Comments.csv");
    let mut bytes = std::fs::read(fixture("export/Comments.csv")).unwrap();
    bytes.extend_from_slice(b"2025-07-05 08:00:00,urn:li:activity:1,\"Caf\xe9 visit\"\n");
    std::fs::write(&path, bytes).unwrap();
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(batch.timelines[0].posts.len(), 2);
    assert_eq!(batch.skipped.count, 1);
    assert_eq!(batch.skipped.examples[0].record, "Comments.csv row 4");
}

/// What an export lacks reaches the reader of every report format, not only the JSON.
#[test]
fn the_reports_say_what_the_export_lacks() {
    for format in ["text", "markdown", "html"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_echoscope"))
            .args(["scan", "--format", format, "--now", "2026-01-01T00:00:00Z"])
            .arg(fixture("export"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("note: linkedin"), "{format}: {text}");
        assert!(text.contains("no posting client"), "{format}: {text}");
    }
}
