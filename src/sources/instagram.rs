//! `instagram` source: Instagram's "Download your information" in JSON (the zip, its extracted
//! folder, or one of its files), with the Threads posts it holds, recognised by [`sniff`] and
//! read by [`read`]. One download gives up to two timelines: the Instagram account's and its
//! Threads account's (`threads.rs`).
//!
//! Files read: posts, `your_instagram_activity/content/posts_N.json` (older downloads
//! `content/posts_N.json`), an array of `{media: [{uri, creation_timestamp, title}], title?,
//! creation_timestamp?}` (a single photo keeps caption and time on the media, a carousel at the
//! top); the comments the account wrote, `comments/post_comments_N.json`, items
//! `{string_map_data: {Comment: {value}, "Media Owner": {value}, Time: {timestamp}}}` (the keys are
//! in the account's language; the English ones are read, else the value with a timestamp and the
//! first other value); Threads' `threads/threads_and_replies.json`; and the username,
//! `personal_information/personal_information.json`. Media is never opened.
//!
//! The same quirks as Facebook's, handled in `meta.rs`: mojibake, big arrays, no ids. There is
//! no client (`cross_post_source.source_app` says only that a post was shared from Facebook, not
//! which program wrote it) and no link field (captions carry no links); a comment names the
//! owner of the post it answers but not the post or its time.

use std::path::Path;

use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry};
use super::gaps::{self, Gap};
use super::meta::{derived_id, download_files, media_post, nothing_read, place_in_download};
use super::meta::{small_entry, str_at, unix_time, Collect};
use super::{threads, Batch, Content, Limits, Sniff, SourceError, Text, Verdict};
use crate::model::{Platform, Post, PostKind, Timeline};

/// The account of a download without its personal information file.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

/// The folders an Instagram download's files sit in, from its top.
const TOPS: [&str; 5] = [
    "your_instagram_activity/",
    "content/",
    "comments/",
    "threads/",
    "personal_information/",
];

/// What one file of the download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Posts,
    Comments,
    Threads,
    Profile,
}

fn role_of(entry: &Entry, kind: ArchiveKind) -> Option<Role> {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &TOPS);
    let json = file.ends_with(".json");
    if threads::is_threads_file(folder, file) {
        return Some(Role::Threads);
    }
    match folder {
        "content" | "your_instagram_activity/content" if json && file.starts_with("posts_") => {
            Some(Role::Posts)
        }
        "comments" | "your_instagram_activity/comments"
            if json && file.starts_with("post_comments") =>
        {
            Some(Role::Comments)
        }
        "personal_information" | "personal_information/personal_information"
            if file == "personal_information.json" =>
        {
            Some(Role::Profile)
        }
        _ => None,
    }
}

/// Recognises an Instagram download: a zip or folder with a posts, comments or Threads file in
/// its place; a JSON array of objects with `media` and `creation_timestamp` (posts), an object
/// with `text_post_app_text_posts` (Threads), or comments with `string_map_data` and a media
/// owner. A file named `posts_1.json` or `threads_and_replies.json` is taken when its content
/// says nothing clearer.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => sniff_text(text).or_name(
            (input.name.starts_with("posts_") && input.name.ends_with(".json"))
                || input.name == "threads_and_replies.json",
        ),
        Content::Archive(archive) => {
            let found = archive.entries().iter().any(|e| {
                matches!(
                    role_of(e, archive.kind()),
                    Some(Role::Posts | Role::Comments | Role::Threads)
                )
            });
            if found {
                Verdict::Mine
            } else {
                Verdict::NearMiss(
                    "no content/posts_1.json or threads/threads_and_replies.json (Instagram download)"
                        .into(),
                )
            }
        }
    }
}

fn sniff_text(text: &Text) -> Verdict {
    let head = text.lossy();
    let body = head.trim_start();
    let mine = (body.starts_with('{') && head.contains(&format!("\"{}\"", threads::KEY)))
        || (body.starts_with('[')
            && head.contains("\"media\"")
            && head.contains("\"creation_timestamp\"")
            && !head.contains("\"timestamp\""))
        || (head.contains("\"string_map_data\"")
            && (head.contains("\"Media Owner\"") || head.contains("\"comments_media_comments\"")));
    if mine {
        Verdict::Mine
    } else {
        Verdict::No
    }
}

/// The role of a lone file, from its content's keys and its name.
fn lone_role(name: &str, head: &str) -> Role {
    if name == "threads_and_replies.json" || head.contains(threads::KEY) {
        Role::Threads
    } else if name.starts_with("post_comments") || head.contains("\"string_map_data\"") {
        Role::Comments
    } else {
        Role::Posts
    }
}

/// Reads one Instagram download: a zip, an extracted folder, or one posts, comments or Threads
/// file.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| {
            a.entries().iter().find(|e| {
                matches!(
                    role_of(e, a.kind()),
                    Some(Role::Posts | Role::Comments | Role::Threads)
                )
            })
        },
        "content/posts_1.json or threads/threads_and_replies.json (Instagram download)",
    )?;
    let lone = |e: &Entry| {
        let head = Sniff::gather(path)
            .ok()
            .and_then(|s| match s.content {
                Content::Text(t) => Some(t.lossy().into_owned()),
                Content::Archive(_) => None,
            })
            .unwrap_or_default();
        lone_role(&e.name.to_ascii_lowercase(), &head)
    };
    let files = download_files(&archive, path, first, lone, role_of);

    let mut instagram = Collect::default();
    let mut threads_posts = Collect::default();
    let mut account = None;
    let mut comments = 0u64;
    for (entry, role) in &files {
        match role {
            Role::Profile => {
                let profile = small_entry(&mut archive, entry, path, limits)?;
                account = account.or_else(|| profile.as_ref().and_then(username));
            }
            Role::Posts => {
                instagram.entry(&mut archive, entry, path, &[], limits, &mut post_of)?;
            }
            Role::Comments => {
                let mut convert = |item: &Value| {
                    comments += 1;
                    comment_of(item)
                };
                let keys = ["comments_media_comments"];
                instagram.entry(&mut archive, entry, path, &keys, limits, &mut convert)?;
            }
            Role::Threads => {
                let keys = [threads::KEY];
                let convert = &mut threads::post_of;
                threads_posts.entry(&mut archive, entry, path, &keys, limits, convert)?;
            }
        }
    }
    let mut skipped = std::mem::take(&mut instagram.skipped);
    skipped.absorb(std::mem::take(&mut threads_posts.skipped));
    if instagram.posts.is_empty() && threads_posts.posts.is_empty() {
        let what = "posts, comments or Threads posts in the Instagram download";
        return Err(nothing_read(path, &skipped, what));
    }
    let account = account.unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string());
    let mut batch = Batch {
        timelines: Vec::new(),
        skipped,
        notes: Vec::new(),
    };
    if !instagram.posts.is_empty() {
        let mut t = Timeline::new(account.clone(), Platform::Instagram);
        t.posts = instagram.posts;
        t.finish();
        batch.timelines.push(t);
        let mut missing = vec![Gap::Client, Gap::PostIds];
        if comments > 0 {
            missing.push(Gap::ReplyTarget);
        }
        batch.notes.extend(gaps::notes("instagram", &missing));
    }
    if !threads_posts.posts.is_empty() {
        let mut t = Timeline::new(account, Platform::Threads);
        t.posts = threads_posts.posts;
        t.finish();
        batch.timelines.push(t);
        batch
            .notes
            .extend(gaps::notes("threads", &[Gap::Client, Gap::PostIds]));
        batch.notes.push(threads::NOTE.to_string());
    }
    Ok(batch)
}

fn post_of(item: &Value) -> Result<Post, String> {
    let (at, text) = media_post(item)?;
    let uri = str_at(item, "/media/0/uri").unwrap_or_default();
    Ok(Post::new(
        derived_id("ig", at.timestamp(), &[&text, uri]),
        at,
        text,
    ))
}

/// A comment as a reply to the owner of the post it answers.
fn comment_of(item: &Value) -> Result<Post, String> {
    let map = item
        .get("string_map_data")
        .and_then(Value::as_object)
        .ok_or("no string_map_data")?;
    // English keys first; a localised download has others, so fall back on the shapes: the
    // time is the value with a timestamp, the comment the first other value.
    let at = unix_time(item.pointer("/string_map_data/Time/timestamp"))
        .or_else(|| map.values().find_map(|v| unix_time(v.get("timestamp"))))
        .ok_or("no readable time")?;
    let owner = str_at(item, "/string_map_data/Media Owner/value").map(str::to_string);
    let text = str_at(item, "/string_map_data/Comment/value")
        .or_else(|| {
            map.iter()
                .filter(|(k, v)| *k != "Media Owner" && v.get("timestamp").is_none())
                .find_map(|(_, v)| v.get("value").and_then(Value::as_str))
        })
        .unwrap_or_default()
        .to_string();
    let mut post = Post::new(
        derived_id(
            "igc",
            at.timestamp(),
            &[&text, owner.as_deref().unwrap_or("")],
        ),
        at,
        text,
    );
    post.kind = PostKind::Reply;
    post.reply_to_account = owner;
    Ok(post)
}

/// The username from `personal_information.json`:
/// `profile_user[0].string_map_data.Username.value`.
fn username(v: &Value) -> Option<String> {
    str_at(v, "/profile_user/0/string_map_data/Username/value").map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_read_with_english_or_localised_keys() {
        let en: Value = serde_json::from_str(
            r#"{"string_map_data":{"Comment":{"value":"Love it"},"Media Owner":{"value":"anna"},"Time":{"timestamp":1720000000}}}"#,
        )
        .unwrap();
        let p = comment_of(&en).unwrap();
        assert_eq!((p.text.as_str(), p.kind), ("Love it", PostKind::Reply));
        assert_eq!(p.reply_to_account.as_deref(), Some("anna"));
        let fr: Value = serde_json::from_str(
            r#"{"string_map_data":{"Commentaire":{"value":"Trop bien"},"Heure":{"timestamp":1720000000}}}"#,
        )
        .unwrap();
        assert_eq!(comment_of(&fr).unwrap().text, "Trop bien");
        assert!(comment_of(&serde_json::json!({"string_map_data": {}})).is_err());
    }

    #[test]
    fn roles_come_from_the_place_in_the_download() {
        let role = |name: &str, kind| role_of(&Entry::for_test(name), kind);
        assert_eq!(
            role(
                "your_instagram_activity/content/posts_1.json",
                ArchiveKind::Folder
            ),
            Some(Role::Posts)
        );
        assert_eq!(
            role("instagram-acme/content/posts_1.json", ArchiveKind::Zip),
            Some(Role::Posts)
        );
        assert_eq!(
            role(
                "your_instagram_activity/threads/threads_and_replies.json",
                ArchiveKind::Folder
            ),
            Some(Role::Threads)
        );
        assert_eq!(
            role("instagram-acme/content/posts_1.json", ArchiveKind::Folder),
            None
        );
    }
}
