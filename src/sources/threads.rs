//! Threads posts, which come only inside the Instagram download (`instagram.rs` reads them):
//! `your_instagram_activity/threads/threads_and_replies.json`, an object whose
//! `text_post_app_text_posts` array holds items shaped like Instagram posts (`{media: [{uri,
//! creation_timestamp, title}], title?, creation_timestamp?}`; the title is the post's text).
//!
//! The schema is the one several independent parsers agree on; no real export could be checked
//! here. Replies sit in the same array as posts, and no field seen in those parsers tells them
//! apart or names the parent (a `text_app_post` object was seen only in a synthetic sample), so
//! every item is read as a post and the report says so.

use serde_json::Value;

use super::meta::{derived_id, media_post};
use crate::model::Post;

/// The key of the posts array in `threads_and_replies.json`.
pub const KEY: &str = "text_post_app_text_posts";

/// The note for a Threads timeline: replies are not told from posts.
pub const NOTE: &str = "threads: threads_and_replies.json does not tell replies from posts or \
     name their parents; every item is read as a post, so auto_reply and feed_broadcast's \
     conversation share could not use replies";

/// Whether an entry (lower-cased path, from the download's top) is the Threads file.
pub fn is_threads_file(folder: &str, file: &str) -> bool {
    matches!(folder, "threads" | "your_instagram_activity/threads")
        && file == "threads_and_replies.json"
}

/// One item of `text_post_app_text_posts` as a post.
pub fn post_of(item: &Value) -> Result<Post, String> {
    let (at, text) = media_post(item)?;
    let id = derived_id("th", at.timestamp(), &[&text]);
    Ok(Post::new(id, at, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carousel_keeps_its_text_and_time_at_the_top() {
        let item: Value = serde_json::from_str(
            r#"{"media":[{"uri":"a.jpg","creation_timestamp":1},{"uri":"b.jpg","creation_timestamp":2}],"title":"two photos","creation_timestamp":1720000000}"#,
        )
        .unwrap();
        let p = post_of(&item).unwrap();
        assert_eq!(
            (p.text.as_str(), p.created_at.timestamp()),
            ("two photos", 1_720_000_000)
        );
        let single: Value = serde_json::from_str(
            r#"{"media":[{"uri":"","creation_timestamp":1720000100,"title":"just text"}]}"#,
        )
        .unwrap();
        assert_eq!(post_of(&single).unwrap().text, "just text");
        assert!(post_of(&serde_json::json!({"media": []})).is_err());
    }
}
