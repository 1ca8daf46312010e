//! The Facebook download source (`sources::facebook`) on the hand-made downloads in
//! `fixtures/facebook/` (newer folder layout, older lone posts file) and on zipped, damaged and
//! hostile copies made in a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/facebook")
        .join(rel)
}

#[test]
fn the_newer_layout_gives_posts_shares_and_comments_with_repaired_text() {
    let path = fixture("new-layout");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Facebook);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Facebook);
    let t = &batch.timelines[0];
    assert_eq!(t.platform, Platform::Facebook);
    // The profile's name, mojibake repaired.
    assert_eq!(t.account, "Lumen Lämps");
    // 4 good posts (one damaged, skipped and named) and 2 comments.
    assert_eq!(t.posts.len(), 6);
    assert_eq!(batch.skipped.count, 1, "{:?}", batch.skipped);
    let problem = &batch.skipped.examples[0];
    assert!(
        problem
            .record
            .ends_with("your_posts__check_ins__photos_and_videos_1.json element 4"),
        "{problem:?}"
    );
    assert!(problem.reason.contains("timestamp"), "{problem:?}");

    let first = &t.posts[0];
    assert_eq!(first.text, "Café evenings – our new desk lamp is here 💡");
    assert_eq!(first.created_at.timestamp(), 1_717_225_200);
    assert_eq!(first.links, ["https://shop.lumen.example/desk-lamp"]);
    assert_eq!(first.kind, PostKind::Original);
    assert!(first.id.starts_with("fb-1717225200-"), "{}", first.id);

    let kinds: Vec<PostKind> = t.posts.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PostKind::Original,
            PostKind::Reply,
            PostKind::Reply,
            PostKind::Repost,
            PostKind::Original,
            PostKind::Quote
        ]
    );
    let comment = &t.posts[1];
    assert_eq!(comment.text, "Danke schön! Schreib uns eine DM 🙏");
    assert_eq!(comment.reply_to_id, None);
    assert!(t.posts.iter().any(|p| p.text.contains("København")));

    // What the download lacks is named with the detectors it starves.
    let notes = batch.notes.join("\n");
    assert!(notes.contains("automation_client"), "{notes}");
    assert!(notes.contains("no post ids"), "{notes}");
    assert!(notes.contains("auto_reply"), "{notes}");
}

#[test]
fn derived_ids_are_the_same_in_a_second_download() {
    let read = || {
        sources::read(&fixture("new-layout"), None, &Limits::default())
            .unwrap()
            .1
    };
    let ids = |b: sources::Batch| -> Vec<String> {
        b.timelines[0].posts.iter().map(|p| p.id.clone()).collect()
    };
    let a = ids(read());
    assert_eq!(a, ids(read()));
    let mut unique = a.clone();
    unique.dedup();
    assert_eq!(unique.len(), a.len());
}

#[test]
fn a_lone_older_posts_file_reads_with_an_unknown_account() {
    let path = fixture("your_posts_1.json");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Facebook);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    let t = &batch.timelines[0];
    assert_eq!(t.account, sources::facebook::UNKNOWN_ACCOUNT);
    assert_eq!(t.posts.len(), 2);
    assert_eq!(t.posts[0].text, "Happy new year from the whole team 🎉");
    assert_eq!(t.posts[1].text, "Opening hours: 10–18");
}

fn zip_of(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join("facebook-lumen.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (name, bytes) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
    path
}

#[test]
fn a_zipped_older_download_is_read_and_media_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let posts = std::fs::read(fixture("your_posts_1.json")).unwrap();
    let path = zip_of(
        dir.path(),
        &[
            ("facebook-lumen/posts/your_posts_1.json", &posts),
            ("facebook-lumen/posts/media/a.jpg", b"\xff\xd8 not read"),
        ],
    );
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Facebook);
    assert_eq!(batch.timelines[0].posts.len(), 2);
}

#[test]
fn a_truncated_file_keeps_the_posts_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(fixture(
        "new-layout/your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
    ))
    .unwrap();
    let text = String::from_utf8(full).unwrap();
    // Cut inside the third post.
    let cut = text.find("Showroom").unwrap();
    let path = dir.path().join("your_posts_1.json");
    std::fs::write(&path, &text[..cut]).unwrap();
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(batch.timelines[0].posts.len(), 2);
    assert_eq!(batch.skipped.count, 1);
    assert!(
        batch.skipped.examples[0]
            .reason
            .contains("damaged JSON after element 2"),
        "{:?}",
        batch.skipped
    );
}

#[test]
fn a_file_in_another_encoding_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("your_posts_1.json")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let path = dir.path().join("your_posts_1.json");
    std::fs::write(&path, &utf16).unwrap();
    let err = sources::read(&path, Some(InputFormat::Facebook), &Limits::default()).unwrap_err();
    // Nothing readable: the error names the file.
    assert!(err.to_string().contains("your_posts_1.json"), "{err}");
}

#[test]
fn a_huge_entry_is_refused_by_its_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("facebook-lumen");
    let posts = root.join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    // 1 GiB of holes: no disk written.
    let f = std::fs::File::create(posts.join("your_posts_1.json")).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let limits = Limits {
        max_entry_bytes: 64 << 20,
        ..Limits::default()
    };
    let err = sources::read(&root, Some(InputFormat::Facebook), &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("posts/your_posts_1.json"), "{err}");
}
