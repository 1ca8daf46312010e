//! The TikTok download source (`sources::tiktok`) on the hand-made `fixtures/tiktok/user_data.json`
//! and on zipped, damaged and oversized copies of it.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiktok/user_data.json")
}

#[test]
fn the_download_gives_videos_comments_and_sent_messages_only() {
    let path = fixture();
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Tiktok);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Tiktok);
    let t = &batch.timelines[0];
    assert_eq!(
        (t.platform, t.account.as_str()),
        (Platform::Tiktok, "lumen.lamps")
    );
    // 2 videos and 1 comment (the other has a damaged date); watched and liked videos are not
    // the account's posts.
    assert_eq!(t.posts.len(), 3);
    assert_eq!(batch.skipped.count, 1, "{:?}", batch.skipped);
    assert_eq!(
        batch.skipped.examples[0].record,
        "user_data.json CommentsList item 2"
    );
    assert_eq!(t.posts[0].id, "7375000000000000001");
    assert_eq!(
        t.posts[0].created_at.to_rfc3339(),
        "2024-06-01T18:30:00+00:00"
    );
    assert_eq!(t.posts[1].kind, PostKind::Reply);
    assert_eq!(t.posts[1].text, "Thanks! Link in bio 💡");
    assert_eq!(t.posts[2].text, "Desk lamp unboxing");
    // Only the message the account sent.
    assert_eq!(t.direct_messages.len(), 1);
    let dm = &t.direct_messages[0];
    assert_eq!(
        (dm.sender.as_str(), dm.recipient.as_deref()),
        ("lumen.lamps", Some("anna.berg"))
    );
    let notes = batch.notes.join("\n");
    assert!(notes.contains("read as UTC"), "{notes}");
}

#[test]
fn a_zipped_download_is_read_and_a_damaged_one_named() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture()).unwrap();
    let path = dir.path().join("tiktok.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    z.start_file(
        "TikTok_Data/user_data_tiktok.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(&bytes).unwrap();
    z.finish().unwrap();
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Tiktok);
    assert_eq!(batch.timelines[0].posts.len(), 3);

    // Cut short: one document, so nothing is usable, and the error says where.
    let cut = dir.path().join("user_data.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = sources::read(&cut, None, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("user_data.json"), "{err}");
}
