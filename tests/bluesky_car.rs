//! The Bluesky repository source (`sources::bluesky_car`) on the two real repositories in
//! `fixtures/real/bluesky-car/` (a current v3 one and a legacy v2 one), and on damaged and
//! hostile copies of them made in a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits, SourceError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real/bluesky-car")
        .join(name)
}

const CURRENT: &str = "bnewbold.robocracy.org.20250310005405.car";
const LEGACY: &str = "paul_staging.repo.car";

#[test]
fn the_current_repository_gives_its_posts_and_repost_with_their_record_keys() {
    let path = fixture(CURRENT);
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::BlueskyCar);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::BlueskyCar);
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped);
    assert_eq!(batch.timelines.len(), 1);
    let t = &batch.timelines[0];
    assert_eq!(t.platform, Platform::Bluesky);
    assert_eq!(t.account, "did:plc:nhxcyu4ewwhl5pqil4dotqjo");
    // 23 posts and 1 repost; the likes, follows, profile and custom records are not posts.
    assert_eq!(t.posts.len(), 24);
    let kind = |k| t.posts.iter().filter(|p| p.kind == k).count();
    assert_eq!(kind(PostKind::Repost), 1);
    assert_eq!(kind(PostKind::Reply), 2);
    assert_eq!(kind(PostKind::Quote), 1);

    // Paths come from the tree: the post id is its record key.
    let first = t.posts.iter().find(|p| p.id == "3kly5whjwmc2v").unwrap();
    assert_eq!(first.text, "does it work?");
    assert_eq!(
        first.created_at.to_rfc3339(),
        "2024-02-22T04:35:10.072+00:00"
    );
    assert_eq!(first.lang.as_deref(), Some("en"));
    assert_eq!(first.client, None);

    // Six-digit createdAt (a Python SDK) keeps its microseconds; no langs stays None.
    let sdk = t.posts.iter().find(|p| p.id == "3kz4lf3n2es2j").unwrap();
    assert_eq!(
        sdk.created_at.to_rfc3339(),
        "2024-08-07T09:14:24.452762+00:00"
    );
    assert_eq!(sdk.lang, None);

    // A #link facet gives the full URL behind the shortened display text.
    let linked = t.posts.iter().find(|p| p.id == "3l5xaggisv223").unwrap();
    assert!(linked.text.contains("linkat.blue/board/bnewbo..."));
    assert_eq!(
        linked.links,
        ["https://linkat.blue/board/bnewbold.robocracy.org"]
    );

    let quote = t.posts.iter().find(|p| p.id == "3ktbn5b7zkc26").unwrap();
    assert_eq!(quote.kind, PostKind::Quote);

    // Replies name the parent's record key and its time, decoded from that key (a TID).
    for reply in t.posts.iter().filter(|p| p.kind == PostKind::Reply) {
        let parent = reply.reply_to_id.as_deref().unwrap();
        assert_eq!(parent.len(), 13, "{parent}");
        let parent_at = reply.reply_to_created_at.unwrap();
        assert!(parent_at <= reply.created_at, "{reply:?}");
        assert!(reply
            .reply_to_account
            .as_deref()
            .unwrap()
            .starts_with("did:"));
    }

    let repost = t.posts.iter().find(|p| p.kind == PostKind::Repost).unwrap();
    assert_eq!(
        repost.id,
        "at://did:plc:xgs3qrwos3dwxmixoflcxrhu/app.bsky.feed.post/3kly6ksx2kk27#repost"
    );
    assert_eq!(repost.text, "");

    // The repository has no client: the report says which detector could not use it.
    assert!(
        batch.notes.iter().any(|n| n.contains("automation_client")),
        "{:?}",
        batch.notes
    );
    // Every createdAt here is plausible: no time came from a record key.
    assert!(!batch.notes.iter().any(|n| n.contains("TID")));
}

#[test]
fn the_legacy_v2_repository_reads_through_the_same_tree() {
    let (format, batch) = sources::read(&fixture(LEGACY), None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::BlueskyCar);
    let t = &batch.timelines[0];
    assert!(t.account.starts_with("did:plc:"), "{}", t.account);
    // 101 posts (plus its reposts, if any): the votes are not posts.
    let posts = t
        .posts
        .iter()
        .filter(|p| p.kind != PostKind::Repost)
        .count();
    assert_eq!(posts, 101, "skipped {:?}", batch.skipped);
    assert_eq!(batch.skipped.count, 0, "{:?}", batch.skipped);
    // recordWithMedia quotes are quotes.
    assert!(t.posts.iter().any(|p| p.kind == PostKind::Quote));
    // Oldest first, all from the staging network's months.
    assert!(t
        .posts
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    let first = t.posts.first().unwrap().created_at;
    assert!(first.timestamp() >= 1_640_995_200, "{first}"); // 2022-01-01
}

fn copy_with(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(fixture(CURRENT)).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The length of the CAR header block (its varint prefix and body): where the first block
/// starts.
fn header_len(bytes: &[u8]) -> usize {
    // The header of this file is well under 128 bytes: a one-byte varint.
    assert!(bytes[0] < 0x80);
    1 + bytes[0] as usize
}

#[test]
fn a_truncated_repository_keeps_what_it_read_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(fixture(CURRENT)).unwrap();
    let path = copy_with(dir.path(), "repo.car", |b| b.truncate(full.len() * 2 / 3));
    // The cut falls inside block 38 of 56; the root commit is block 0.
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    // The cut is counted first, then every tree node or record it took away.
    assert!(batch.skipped.count >= 2, "{:?}", batch.skipped);
    let first = &batch.skipped.examples[0];
    assert!(first.record.contains("repo.car block 39"), "{first:?}");
    assert!(first.reason.contains("ends inside a block"), "{first:?}");
    assert!(
        batch.skipped.examples[1..]
            .iter()
            .all(|p| p.reason.contains("not in the file") || p.reason.contains("missing")),
        "{:?}",
        batch.skipped
    );
    let n = batch.timelines[0].posts.len();
    assert!(n < 24, "{n}");
}

#[test]
fn an_absurd_block_length_is_refused_with_the_file_and_block_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_with(dir.path(), "repo.car", |b| {
        let start = header_len(b);
        // A varint of 2^40 bytes where the first block's length should be.
        b.truncate(start);
        b.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
        b.extend_from_slice(&[0u8; 64]);
    });
    let err = sources::read(&path, None, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Invalid { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("repo.car block 1"), "{msg}");
    assert!(msg.contains("larger than the limit"), "{msg}");
}

#[test]
fn a_huge_sparse_file_is_bounded_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // A real header, then 1 GiB of holes: no disk is written for the holes.
    let path = dir.path().join("big.car");
    let full = std::fs::read(fixture(CURRENT)).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&full[..header_len(&full)]).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    // Over the entry limit: refused before reading.
    let small = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = sources::read(&path, Some(InputFormat::BlueskyCar), &small).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("big.car"), "{err}");
    // Within the limit: the zeros are no block, and the read stops at the first of them
    // instead of walking a gigabyte.
    let started = std::time::Instant::now();
    let err = sources::read(&path, Some(InputFormat::BlueskyCar), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("big.car"), "{err}");
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn a_file_that_is_no_car_is_not_taken_for_one() {
    let dir = tempfile::tempdir().unwrap();
    // Wrong encoding: the file's bytes as UTF-16 are no CAR header.
    let path = dir.path().join("repo.car");
    let mut utf16 = vec![0xFF, 0xFE];
    for b in b"{\"roots\":[],\"version\":1}" {
        utf16.extend_from_slice(&[*b, 0]);
    }
    std::fs::write(&path, &utf16).unwrap();
    // The name still points at the format, and reading says why it is not one.
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::BlueskyCar);
    let err = sources::read(&path, None, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("not a CARv1 repository"), "{err}");
    // Without the name, nothing claims it.
    let other = dir.path().join("data.bin");
    std::fs::write(&other, &utf16).unwrap();
    assert!(sources::detect(&other).is_err());
}

#[test]
fn a_zipped_repository_is_read_from_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bluesky.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    z.start_file("repo.car", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(&std::fs::read(fixture(CURRENT)).unwrap())
        .unwrap();
    z.finish().unwrap();
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::BlueskyCar);
    assert_eq!(batch.timelines[0].posts.len(), 24);
}
