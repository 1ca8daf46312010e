//! The Instagram download source (`sources::instagram`, with `sources::threads`) on the
//! hand-made download in `fixtures/instagram/` and on lone, zipped and damaged files made from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/instagram")
        .join(rel)
}

#[test]
fn one_download_gives_the_instagram_and_the_threads_account() {
    let path = fixture("download");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Instagram);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Instagram);
    assert_eq!(batch.timelines.len(), 2);
    let ig = &batch.timelines[0];
    let th = &batch.timelines[1];
    assert_eq!(
        (ig.platform, ig.account.as_str()),
        (Platform::Instagram, "lumen.lamps")
    );
    assert_eq!(
        (th.platform, th.account.as_str()),
        (Platform::Threads, "lumen.lamps")
    );

    // 2 posts (the third has no time: skipped and named) and 2 comments.
    assert_eq!(ig.posts.len(), 4);
    assert_eq!(batch.skipped.count, 1, "{:?}", batch.skipped);
    assert!(
        batch.skipped.examples[0]
            .record
            .ends_with("content/posts_1.json element 3"),
        "{:?}",
        batch.skipped
    );
    let photo = &ig.posts[0];
    assert_eq!(photo.text, "Café lights – new in store ✨");
    assert_eq!(photo.created_at.timestamp(), 1_717_250_000);
    assert!(photo.id.starts_with("ig-1717250000-"));
    let carousel = ig
        .posts
        .iter()
        .find(|p| p.text == "Two lamps, one desk")
        .unwrap();
    assert_eq!(carousel.created_at.timestamp(), 1_717_336_400);
    let replies: Vec<_> = ig
        .posts
        .iter()
        .filter(|p| p.kind == PostKind::Reply)
        .collect();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].text, "Danke schön 🙏");
    assert_eq!(replies[0].reply_to_account.as_deref(), Some("anna.berg"));

    assert_eq!(th.posts.len(), 2);
    assert_eq!(th.posts[0].text, "Lamps are just tiny suns you can buy ☀️");
    assert_eq!(th.posts[1].text, "Showroom København, Monday");

    let notes = batch.notes.join("\n");
    assert!(
        notes.contains("instagram: the export has no posting client"),
        "{notes}"
    );
    assert!(
        notes.contains("threads: threads_and_replies.json does not tell replies"),
        "{notes}"
    );
}

#[test]
fn a_lone_threads_file_is_a_threads_timeline() {
    let path = fixture("download/your_instagram_activity/threads/threads_and_replies.json");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Instagram);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(batch.timelines.len(), 1);
    assert_eq!(batch.timelines[0].platform, Platform::Threads);
    assert_eq!(
        batch.timelines[0].account,
        sources::instagram::UNKNOWN_ACCOUNT
    );
}

#[test]
fn wrapped_comments_and_a_zipped_download_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let wrapped = br#"{"comments_media_comments":[{"string_map_data":{"Comment":{"value":"hi"},"Media Owner":{"value":"c"},"Time":{"timestamp":1717000000}}}]}"#;
    let posts = std::fs::read(fixture(
        "download/your_instagram_activity/content/posts_1.json",
    ))
    .unwrap();
    let path = dir.path().join("instagram-lumen.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("instagram-lumen/content/posts_1.json", opts)
        .unwrap();
    z.write_all(&posts).unwrap();
    z.start_file("instagram-lumen/comments/post_comments_1.json", opts)
        .unwrap();
    z.write_all(wrapped).unwrap();
    z.start_file("instagram-lumen/media/posts/x.jpg", opts)
        .unwrap();
    z.write_all(b"\xff\xd8").unwrap();
    z.finish().unwrap();
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Instagram);
    let t = &batch.timelines[0];
    assert_eq!(t.posts.len(), 3);
    assert!(t
        .posts
        .iter()
        .any(|p| p.kind == PostKind::Reply && p.text == "hi"));
}

#[test]
fn a_file_with_nothing_readable_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts_1.json");
    // Latin-1 bytes where UTF-8 is required: not JSON text at all.
    std::fs::write(
        &path,
        b"[{\"media\":[{\"title\":\"caf\xe9\",\"creation_timestamp\":1}]}]",
    )
    .unwrap();
    let err = sources::read(&path, Some(InputFormat::Instagram), &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("posts_1.json"), "{err}");
}
