//! The YouTube Takeout source (`sources::youtube_takeout`) on the real Takeout rows in
//! `fixtures/real/youtube-takeout/`, and on zipped, re-headed and damaged copies of them.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real/youtube-takeout")
        .join(rel)
}

const FOLDER: &str = "YouTube and YouTube Music";

#[test]
fn the_real_takeout_rows_give_comments_a_reply_and_a_live_chat_message() {
    let path = fixture(FOLDER);
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::YoutubeTakeout);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped);
    let t = &batch.timelines[0];
    assert_eq!(t.platform, Platform::Youtube);
    assert_eq!(t.account, "UCA6DtnbZ2KJckyTYfXOwQNA");
    assert_eq!(t.posts.len(), 3);
    assert!(t.posts.iter().all(|p| p.kind == PostKind::Reply));

    // Oldest first: the 2018 live chat message, read past its invalid JSON.
    let chat = &t.posts[0];
    assert_eq!(chat.id, "UgwsSD8yrDW7_h6F5vZ4AaABDqgB5OC1kgI");
    assert_eq!(chat.text, "\"think the right thing\" jeez");
    assert_eq!(chat.reply_to_id.as_deref(), Some("0vGCh85obuI"));
    assert_eq!(
        chat.created_at.to_rfc3339(),
        "2018-09-02T05:16:35.510381+00:00"
    );

    // A reply names its parent comment; a top-level comment its video.
    let reply = &t.posts[1];
    assert!(reply.id.starts_with("UgwDN8UeMxW4NDFbvY54AaABAg."));
    assert_eq!(
        reply.reply_to_id.as_deref(),
        Some("UgwDN8UeMxW4NDFbvY54AaABAg")
    );
    let top = &t.posts[2];
    assert_eq!(top.text, "coalowl the legend");
    assert_eq!(top.reply_to_id.as_deref(), Some("WtOskFeLmr4"));

    let notes = batch.notes.join("\n");
    assert!(notes.contains("1 comment text was invalid JSON"), "{notes}");
    assert!(notes.contains("auto_reply"), "{notes}");
}

#[test]
fn a_takeout_zip_and_a_folder_above_the_youtube_one_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("takeout-20250101.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    let comments = std::fs::read(fixture(&format!("{FOLDER}/comments/comments.csv"))).unwrap();
    z.start_file(format!("Takeout/{FOLDER}/comments/comments.csv"), opts)
        .unwrap();
    z.write_all(&comments).unwrap();
    z.start_file(format!("Takeout/{FOLDER}/videos/big.mp4"), opts)
        .unwrap();
    z.write_all(b"not a video: never opened").unwrap();
    z.finish().unwrap();
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::YoutubeTakeout);
    assert_eq!(batch.timelines[0].posts.len(), 2);

    // The folder holding the YouTube folder is walked and the YouTube folder found.
    let expanded = sources::expand(&fixture(""), &Limits::default()).unwrap();
    assert_eq!(expanded.inputs, [fixture(FOLDER)]);
}

#[test]
fn columns_named_in_another_language_are_found_by_their_content() {
    let dir = tempfile::tempdir().unwrap();
    // Header names invented for the test (no real localised Takeout was at hand): the time
    // and text columns are found by what they hold.
    let path = dir.path().join("kommentare.csv");
    let real =
        std::fs::read_to_string(fixture(&format!("{FOLDER}/comments/comments.csv"))).unwrap();
    let body = real.split_once('\n').unwrap().1;
    std::fs::write(&path, format!("A,B,C,D,E,F,G\n{body}")).unwrap();
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::YoutubeTakeout);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    let t = &batch.timelines[0];
    assert_eq!(t.posts.len(), 2);
    assert!(t.posts.iter().any(|p| p.text == "coalowl the legend"));
    assert_eq!(t.account, sources::youtube_takeout::UNKNOWN_ACCOUNT);
}

#[test]
fn a_truncated_zip_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("takeout.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    z.start_file(
        format!("Takeout/{FOLDER}/comments/comments.csv"),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(&std::fs::read(fixture(&format!("{FOLDER}/comments/comments.csv"))).unwrap())
        .unwrap();
    z.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err =
        sources::read(&path, Some(InputFormat::YoutubeTakeout), &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Zip { .. }), "{err:?}");
    assert!(err.to_string().contains("takeout.zip"), "{err}");
}
