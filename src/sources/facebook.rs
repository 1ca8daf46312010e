//! `facebook` source: Facebook's "Download your information" in JSON (the zip, its extracted
//! folder, or one of its files), recognised by [`sniff`] and read by [`read`].
//!
//! Files read: posts, `posts/your_posts_N.json` (older downloads) or
//! `your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_N.json` (newer); the
//! comments the account wrote, `comments_and_reactions/comments.json` (`{comments_v2: [...]}`);
//! and the profile's name, `profile_information.json`. Nothing else is opened (a download with
//! media is several GB). A post is `{timestamp (Unix s), data: [{post}], attachments: [{data:
//! [{external_context: {url}} | {media} | ...]}], title}`: the title is a sentence in the
//! account's language ("X shared a link."), so it is not read for meaning.
//!
//! Quirks handled in `meta.rs`: every string's UTF-8 is escaped byte by byte (mojibake,
//! repaired), files are streamed element by element, and there are no post ids, so ids are
//! derived from time and content. There is also no client and no reply target (a comment says
//! on whose post only in its localised title): the report's notes say which detectors that
//! leaves without input. A share is told by its attachment: a link to a Facebook post is a
//! repost (a quote when the account wrote something with it); a link elsewhere is the post's
//! link.

use std::path::Path;

use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry};
use super::gaps::{self, Gap};
use super::meta::{derived_id, download_files, nothing_read, place_in_download, small_entry};
use super::meta::{str_at, unix_time, Collect};
use super::{Batch, Content, Limits, Sniff, SourceError, Text, Verdict};
use crate::model::{Platform, Post, PostKind, Timeline};

/// The account of a download without its profile file (a lone posts file): no real name has
/// the space-separated words in brackets.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

/// What one file of the download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Posts,
    Comments,
    Profile,
}

/// The role of an entry, from its place in the download. In a folder the path must start at
/// the download's top (so a folder holding several platforms' downloads is not taken for one);
/// a zip may wrap it in one folder.
fn role_of(entry: &Entry, kind: ArchiveKind) -> Option<Role> {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &TOPS);
    let is_json = file.ends_with(".json");
    match folder {
        "posts" | "your_facebook_activity/posts" if is_json && file.starts_with("your_posts") => {
            Some(Role::Posts)
        }
        "comments_and_reactions"
        | "comments"
        | "your_facebook_activity/comments_and_reactions"
        | "your_facebook_activity/comments"
            if file == "comments.json" =>
        {
            Some(Role::Comments)
        }
        "profile_information"
        | "personal_information/profile_information"
        | "about_you/profile_information"
            if file == "profile_information.json" =>
        {
            Some(Role::Profile)
        }
        _ => None,
    }
}

/// The folders a Facebook download's files sit in, from its top.
const TOPS: [&str; 6] = [
    "posts/",
    "your_facebook_activity/",
    "comments_and_reactions/",
    "comments/",
    "personal_information/",
    "profile_information/",
];

/// Recognises a Facebook download: a zip or folder with a posts or comments file in its place;
/// a JSON array of objects with a `timestamp` key (posts), or an object with `comments_v2`. A
/// file named `your_posts_1.json` is taken when its content says nothing clearer.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => sniff_text(text)
            .or_name(input.name.starts_with("your_posts") && input.name.ends_with(".json")),
        Content::Archive(archive) => {
            let found = archive.entries().iter().any(|e| {
                matches!(
                    role_of(e, archive.kind()),
                    Some(Role::Posts | Role::Comments)
                )
            });
            if found {
                Verdict::Mine
            } else {
                Verdict::NearMiss(
                    "no posts/your_posts_1.json or comments.json (Facebook download)".into(),
                )
            }
        }
    }
}

fn sniff_text(text: &Text) -> Verdict {
    let head = text.lossy();
    let body = head.trim_start();
    if body.starts_with('{') && head.contains("\"comments_v2\"") {
        return Verdict::Mine;
    }
    if body.starts_with('[')
        && head.contains("\"timestamp\"")
        && !head.contains("\"string_map_data\"")
        && (head.contains("\"data\"") || head.contains("\"attachments\""))
    {
        return Verdict::Mine;
    }
    Verdict::No
}

/// Reads one Facebook download: a zip, an extracted folder, or one posts or comments file.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| {
            a.entries()
                .iter()
                .find(|e| matches!(role_of(e, a.kind()), Some(Role::Posts | Role::Comments)))
        },
        "posts/your_posts_1.json or comments.json (Facebook download)",
    )?;
    let lone = |e: &Entry| {
        if e.name.to_ascii_lowercase().starts_with("comments") {
            Role::Comments
        } else {
            Role::Posts
        }
    };
    let files = download_files(&archive, path, first, lone, role_of);

    let mut collect = Collect::default();
    let mut account = None;
    let mut comment_author = None;
    let mut comments = 0u64;
    for (entry, role) in &files {
        match role {
            Role::Profile => {
                let profile = small_entry(&mut archive, entry, path, limits)?;
                account = account.or_else(|| profile.as_ref().and_then(profile_name));
            }
            Role::Posts => collect.entry(&mut archive, entry, path, &[], limits, &mut post_of)?,
            Role::Comments => {
                let mut convert = |item: &Value| {
                    let (post, author) = comment_of(item)?;
                    comments += 1;
                    if comment_author.is_none() {
                        comment_author = author;
                    }
                    Ok(post)
                };
                let keys = ["comments_v2", "comments"];
                collect.entry(&mut archive, entry, path, &keys, limits, &mut convert)?;
            }
        }
    }
    if collect.posts.is_empty() {
        let what = "posts or comments in the Facebook download";
        return Err(nothing_read(path, &collect.skipped, what));
    }
    let account = account
        .or(comment_author)
        .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string());
    let mut timeline = Timeline::new(account, Platform::Facebook);
    timeline.posts = collect.posts;
    timeline.finish();
    let mut missing = vec![Gap::Client, Gap::PostIds];
    if comments > 0 {
        missing.push(Gap::ReplyTarget);
    }
    Ok(Batch {
        timelines: vec![timeline],
        skipped: collect.skipped,
        notes: gaps::notes("facebook", &missing),
    })
}

/// The text parts of a post (`data[].post`), joined by newlines.
fn text_of(item: &Value, pointer: &str) -> String {
    item.get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| str_at(d, pointer))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The web links of a post's or comment's attachments.
fn links_of(item: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let attachments = item.get("attachments").and_then(Value::as_array);
    for a in attachments.into_iter().flatten() {
        for d in a
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(url) = str_at(d, "/external_context/url") {
                if (url.starts_with("http://") || url.starts_with("https://"))
                    && !out.iter().any(|l| l == url)
                {
                    out.push(url.to_string());
                }
            }
        }
    }
    out
}

/// A link to a post on Facebook itself: sharing it re-shares someone's post.
fn is_facebook_post(url: &str) -> bool {
    let rest = url
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = rest.split('/').next().unwrap_or_default();
    (host == "facebook.com" || host.ends_with(".facebook.com") || host == "fb.watch")
        && rest.contains('/')
        && rest.split_once('/').is_some_and(|(_, p)| !p.is_empty())
}

fn post_of(item: &Value) -> Result<Post, String> {
    if !item.is_object() {
        return Err("not a JSON object".into());
    }
    let at = unix_time(item.get("timestamp")).ok_or("no readable timestamp")?;
    let text = text_of(item, "/post");
    let links = links_of(item);
    let link_key = links.join(" ");
    let mut post = Post::new(
        derived_id("fb", at.timestamp(), &[&text, &link_key]),
        at,
        text,
    );
    if links.iter().any(|l| is_facebook_post(l)) {
        post.kind = if post.text.trim().is_empty() {
            PostKind::Repost
        } else {
            PostKind::Quote
        };
    }
    post.links = links;
    Ok(post)
}

/// A comment as a reply (to an unknown post), and its author's name.
fn comment_of(item: &Value) -> Result<(Post, Option<String>), String> {
    if !item.is_object() {
        return Err("not a JSON object".into());
    }
    let comment = item
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|d| d.get("comment"));
    let at = comment
        .and_then(|c| unix_time(c.get("timestamp")))
        .or_else(|| unix_time(item.get("timestamp")))
        .ok_or("no readable timestamp")?;
    let text = comment
        .and_then(|c| str_at(c, "/comment"))
        .unwrap_or_default()
        .to_string();
    let author = comment
        .and_then(|c| str_at(c, "/author"))
        .map(str::to_string);
    let links = links_of(item);
    let mut post = Post::new(
        derived_id("fbc", at.timestamp(), &[&text, &links.join(" ")]),
        at,
        text,
    );
    post.kind = PostKind::Reply;
    post.links = links;
    Ok((post, author))
}

/// The account's name from `profile_information.json` (`profile_v2.name.full_name`, older
/// `profile.name.full_name`).
fn profile_name(v: &Value) -> Option<String> {
    ["/profile_v2/name/full_name", "/profile/name/full_name"]
        .iter()
        .find_map(|p| str_at(v, p))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_told_by_a_link_to_a_facebook_post() {
        assert!(is_facebook_post("https://www.facebook.com/acme/posts/123"));
        assert!(is_facebook_post("https://m.facebook.com/story.php?id=1"));
        assert!(!is_facebook_post("https://www.facebook.com/"));
        assert!(!is_facebook_post("https://notfacebook.com/x"));
        let item: Value = serde_json::from_str(
            r#"{"timestamp":1700000000,"attachments":[{"data":[{"external_context":{"url":"https://www.facebook.com/acme/posts/1"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(post_of(&item).unwrap().kind, PostKind::Repost);
        let item: Value = serde_json::from_str(
            r#"{"timestamp":1700000000,"data":[{"post":"look"}],"attachments":[{"data":[{"external_context":{"url":"https://www.facebook.com/acme/posts/1"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(post_of(&item).unwrap().kind, PostKind::Quote);
        let item: Value = serde_json::from_str(
            r#"{"timestamp":1700000000,"data":[{"post":"deal"}],"attachments":[{"data":[{"external_context":{"url":"https://shop.example/x"}}]}]}"#,
        )
        .unwrap();
        let p = post_of(&item).unwrap();
        assert_eq!((p.kind, p.links.len()), (PostKind::Original, 1));
    }

    #[test]
    fn roles_come_from_the_place_in_the_download() {
        let entry = |name: &str| Entry::for_test(name);
        let posts =
            entry("your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json");
        assert_eq!(role_of(&posts, ArchiveKind::Folder), Some(Role::Posts));
        assert_eq!(
            role_of(
                &entry("facebook-acme/posts/your_posts_1.json"),
                ArchiveKind::Zip
            ),
            Some(Role::Posts)
        );
        // In a folder, a download one level down is its own input (the walk finds it).
        assert_eq!(
            role_of(
                &entry("facebook-acme/posts/your_posts_1.json"),
                ArchiveKind::Folder
            ),
            None
        );
        assert_eq!(
            role_of(
                &entry("your_facebook_activity/posts/media/x.json"),
                ArchiveKind::Folder
            ),
            None
        );
    }
}
