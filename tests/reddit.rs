//! The Reddit export source (`sources::reddit`) on the hand-made export in `fixtures/reddit/`
//! and on lone and oversized files made from it.

use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform, PostKind};
use echoscope::sources::{self, Limits};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/reddit")
        .join(rel)
}

#[test]
fn the_export_gives_posts_and_comments_with_their_parents() {
    let path = fixture("export");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Reddit);
    let (format, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(format, InputFormat::Reddit);
    let t = &batch.timelines[0];
    assert_eq!(
        (t.platform, t.account.as_str()),
        (Platform::Reddit, "unknown account")
    );
    // 2 posts (a third with a damaged date is skipped and named) and 2 comments.
    assert_eq!(t.posts.len(), 4);
    assert_eq!(batch.skipped.count, 1, "{:?}", batch.skipped);
    assert_eq!(batch.skipped.examples[0].record, "posts.csv row 4");

    let link_post = &t.posts[0];
    assert_eq!(link_post.id, "2eoq3c");
    assert_eq!(link_post.text, "Our new desk lamp");
    assert_eq!(link_post.links, ["https://shop.lumen.example/desk-lamp"]);
    assert_eq!(
        link_post.created_at.to_rfc3339(),
        "2014-08-27T00:59:46+00:00"
    );
    let text_post = &t.posts[1];
    assert_eq!(text_post.text, "Ask us anything\nWe make lamps.\nAsk away!");
    assert!(text_post.links.is_empty(), "{:?}", text_post.links);

    let top = t.posts.iter().find(|p| p.id == "ikf3ab1").unwrap();
    assert_eq!(top.kind, PostKind::Reply);
    assert_eq!(top.reply_to_id.as_deref(), Some("x9k2ab"));
    let reply = t.posts.iter().find(|p| p.id == "ikf3ab2").unwrap();
    assert_eq!(reply.reply_to_id.as_deref(), Some("ikf2zz9"));
    assert_eq!(reply.text, "Great question, \"Ben\": yes!");

    let notes = batch.notes.join("\n");
    assert!(notes.contains("does not name its account"), "{notes}");
}

#[test]
fn a_lone_comments_file_is_taken_by_its_header_and_others_are_not() {
    let path = fixture("export/comments.csv");
    assert_eq!(sources::detect(&path).unwrap(), InputFormat::Reddit);
    // The votes file is no posts file.
    assert!(sources::detect(&fixture("export/post_votes.csv")).is_err());
}
