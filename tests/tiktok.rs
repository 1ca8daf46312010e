//! The TikTok download source (`sources::tiktok`) on the hand-made `fixtures/tiktok/user_data.json`
//! and on zipped, damaged and oversized copies of it; its TXT variant (`sources::tiktok_txt`) on
//! `fixtures/tiktok/txt/`, the same account as `fixtures/tiktok/twin/user_data.json`.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture() -> PathBuf {
    fixtures().join("user_data.json")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiktok")
}

/// Zips the files of a folder under `top/`.
fn zip_folder(folder: &Path, top: &str, out: &Path) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for entry in walk(folder) {
        let name = entry
            .strip_prefix(folder)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        z.start_file(
            format!("{top}/{name}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&std::fs::read(&entry).unwrap()).unwrap();
    }
    z.finish().unwrap();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            out.extend(walk(&e));
        } else {
            out.push(e);
        }
    }
    out
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

#[test]
fn a_txt_download_gives_the_same_timeline_as_its_json_twin() {
    let txt = fixtures().join("txt");
    assert_eq!(sources::detect(&txt).unwrap(), InputFormat::Tiktok);
    let (format, from_txt) = sources::read(&txt, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Tiktok);
    let (_, from_json) = sources::read(
        &fixtures().join("twin/user_data.json"),
        None,
        &Limits::default(),
    )
    .unwrap();
    let (t, j) = (&from_txt.timelines[0], &from_json.timelines[0]);
    // Not trivially equal: videos, a comment and a sent message, named by the profile.
    assert_eq!(t.account, "lumen.lamps");
    assert_eq!((t.posts.len(), t.direct_messages.len()), (3, 1));
    assert_eq!(t.posts[0].id, "7375000000000000001");
    assert_eq!(t.posts[1].text, "Thanks! Link in bio 💡");
    assert_eq!(
        t.direct_messages[0].text,
        "Hi! Here is your 10% code: LUMEN10"
    );
    assert_eq!(t, j);
    assert_eq!(from_txt.notes, from_json.notes);
    assert_eq!(from_txt.skipped.count, from_json.skipped.count);
    assert_eq!(from_txt.skipped.count, 1, "{:?}", from_txt.skipped);
    let damaged = &from_txt.skipped.examples[0];
    assert_eq!(damaged.record, "Comments/Comments.txt entry 2");
    assert!(damaged.reason.contains("sometime"), "{}", damaged.reason);
}

#[test]
fn a_zipped_txt_download_is_one_input_and_its_other_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("TikTok_Data.zip");
    zip_folder(&fixtures().join("txt"), "TikTok_Data_1717000000", &path);
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Tiktok);
    let (_, zipped) = sources::read(&path, None, &Limits::default()).unwrap();
    let (_, folder) = sources::read(&fixtures().join("txt"), None, &Limits::default()).unwrap();
    assert_eq!(zipped.timelines, folder.timelines);
    // Watched and liked videos (Activity/) are not the account's posts.
    assert_eq!(zipped.timelines[0].posts.len(), 3);
    // The extracted folder, walked from above, stays one input.
    let expanded = sources::expand(&fixtures(), &Limits::default()).unwrap();
    assert!(
        expanded.inputs.contains(&fixtures().join("txt")),
        "{expanded:?}"
    );
    assert!(
        !expanded
            .inputs
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "txt")),
        "{expanded:?}"
    );
}

#[test]
fn a_lone_txt_file_reads_without_a_profile_and_a_damaged_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Comments.txt");
    std::fs::copy(fixtures().join("txt/Comments/Comments.txt"), &path).unwrap();
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Tiktok);
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    let t = &batch.timelines[0];
    assert_eq!(t.account, echoscope::sources::tiktok::UNKNOWN_ACCOUNT);
    assert_eq!(t.posts.len(), 1);
    assert_eq!(t.posts[0].kind, PostKind::Reply);
    assert_eq!(batch.skipped.examples[0].record, "Comments.txt entry 2");

    // Nothing readable at all: the error names the file and the entry.
    let broken = dir.path().join("Videos.txt");
    std::fs::write(
        &broken,
        "Date: yesterday\nLink: https://www.tiktokv.com/share/video/1/\n",
    )
    .unwrap();
    let err = sources::read(&broken, None, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("Videos.txt entry 1"), "{err}");
}
