//! `tiktok` source: TikTok's "Download your data" in JSON (`user_data.json`, newer
//! `user_data_tiktok.json`, alone or in the zip or folder), recognised by [`sniff`] and read by
//! [`read`]. The TXT variant of the same download (a zip or folder of `.txt` files) is the same
//! input format, recognised and read by `tiktok_txt.rs`, which builds its posts and messages
//! with this file's `video`, `comment` and `sent_message`, so both give one timeline.
//!
//! One JSON document holds the whole account. Read from it: the posts, `Video > Videos >
//! VideoList` (newer `Post > Posts > VideoList`) items `{Date, Link, Likes, Title?}`; the
//! comments the account wrote, `Comment > Comments > CommentsList` items `{date, comment}` (older:
//! `Date`, `Comment`); the direct messages, `Direct Messages > ChatHistory > {"Chat History with
//! <name>:": [{Date, From, Content}]}`, of which those the account sent are kept; and the
//! username, `Profile > Profile Information (Profile Info) > ProfileMap > userName`. The key names
//! are the ones independent parsers, tested on real downloads, agree on; no real download could be
//! checked here. Everything else (watch history, likes, searches: most of the file) is skipped
//! by serde as it streams past, never kept.
//!
//! Dates are `2023-01-15 12:34:56` without a zone (read as UTC and noted). A post's id is the
//! number in its `Link`; comments have none (derived from time and text) and do not say what they
//! answer. There is no client.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry};
use super::export_csv::parse_utc;
use super::gaps::{self, Gap};
use super::meta::{derived_id, place_in_download};
use super::tiktok_txt;
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::{DirectMessage, Platform, Post, PostKind, Skipped, Timeline};

/// The account of a download without its profile section.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

const NAMES: [&str; 2] = ["user_data.json", "user_data_tiktok.json"];

pub(super) fn is_user_data(entry: &Entry, kind: ArchiveKind) -> bool {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &[]);
    folder.is_empty() && NAMES.contains(&file)
}

/// Recognises TikTok's download in either variant: the JSON one here, the TXT one by
/// [`tiktok_txt::sniff`].
pub fn sniff(input: &Sniff) -> Verdict {
    match sniff_json(input) {
        Verdict::Mine => Verdict::Mine,
        json => match tiktok_txt::sniff(input) {
            Verdict::Mine => Verdict::Mine,
            Verdict::NameFits => Verdict::NameFits,
            Verdict::NearMiss(_) | Verdict::No => json,
        },
    }
}

/// Recognises the JSON download: a zip with `user_data.json` (or `user_data_tiktok.json`) at its
/// top, or a JSON object whose first 64 KiB name one of its
/// lists (`VideoList`, `CommentsList`, `ProfileMap`, `ChatHistory`). A file with one of those
/// names is taken when its content says nothing clearer.
fn sniff_json(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let head = text.lossy();
            let mine = head.trim_start().starts_with('{')
                && [
                    "\"VideoList\"",
                    "\"CommentsList\"",
                    "\"ProfileMap\"",
                    "\"ChatHistory\"",
                ]
                .iter()
                .any(|k| head.contains(k));
            let verdict = if mine { Verdict::Mine } else { Verdict::No };
            verdict.or_name(NAMES.contains(&input.name.as_str()))
        }
        // A folder is not claimed: the walk of a folder finds `user_data.json` itself, so a
        // folder holding it beside other platforms' downloads is read as each of them.
        Content::Archive(archive) => match archive.kind() {
            ArchiveKind::Zip
                if archive
                    .entries()
                    .iter()
                    .any(|e| is_user_data(e, archive.kind())) =>
            {
                Verdict::Mine
            }
            ArchiveKind::Zip => Verdict::NearMiss(
                "no user_data.json or Videos/Videos.txt, Comments/Comments.txt (TikTok download)"
                    .into(),
            ),
            ArchiveKind::Folder => Verdict::No,
        },
    }
}

// The parts of the document that are read; serde skips the rest unread.

#[derive(Deserialize, Default)]
struct UserData {
    #[serde(rename = "Video", alias = "Post", default)]
    video: Option<VideoRoot>,
    #[serde(rename = "Comment", default)]
    comment: Option<CommentRoot>,
    #[serde(rename = "Direct Messages", alias = "Direct Message", default)]
    messages: Option<MessageRoot>,
    #[serde(rename = "Profile", default)]
    profile: Option<ProfileRoot>,
}

#[derive(Deserialize)]
struct VideoRoot {
    #[serde(rename = "Videos", alias = "Posts", default)]
    videos: Option<VideoList>,
}

#[derive(Deserialize)]
struct VideoList {
    #[serde(rename = "VideoList", default)]
    list: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct CommentRoot {
    #[serde(rename = "Comments", default)]
    comments: Option<CommentList>,
    #[serde(rename = "CommentsList", default)]
    list: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct CommentList {
    #[serde(rename = "CommentsList", default)]
    list: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct MessageRoot {
    #[serde(rename = "Direct Messages", alias = "Chat History", default)]
    history: Option<ChatHistory>,
}

#[derive(Deserialize)]
struct ChatHistory {
    #[serde(rename = "ChatHistory", default)]
    chats: Option<BTreeMap<String, Option<Vec<Value>>>>,
}

#[derive(Deserialize)]
struct ProfileRoot {
    #[serde(rename = "Profile Information", alias = "Profile Info", default)]
    info: Option<ProfileInfo>,
}

#[derive(Deserialize)]
struct ProfileInfo {
    #[serde(rename = "ProfileMap", default)]
    map: Option<Value>,
}

/// Reads TikTok's download: a zip, a folder, or `user_data.json` itself; the TXT variant (a zip
/// or folder without `user_data.json` but with the TXT files, or one `.txt` file) is read by
/// [`tiktok_txt::read`].
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    if tiktok_txt::claims(path)? {
        return tiktok_txt::read(path, limits);
    }
    let (mut archive, entry) = Archive::open_with(
        path,
        &[],
        |a| a.entries().iter().find(|e| is_user_data(e, a.kind())),
        "user_data.json (TikTok download)",
    )?;
    let reader = archive
        .open_entry(&entry, limits.max_entry_bytes)
        .map_err(|e| e.into_source(path, &entry, limits.max_entry_bytes))?;
    let data = parse(reader, path, &entry, limits)?;

    let account = data
        .profile
        .and_then(|p| p.info)
        .and_then(|i| i.map)
        .and_then(|m| {
            m.get("userName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .filter(|u| !u.trim().is_empty());
    let mut skipped = Skipped::default();
    let mut timeline = new_timeline(account.as_deref());
    let videos = data
        .video
        .and_then(|v| v.videos)
        .and_then(|v| v.list)
        .unwrap_or_default();
    for (i, item) in videos.iter().enumerate() {
        match video_of(item) {
            Ok(post) => timeline.posts.push(post),
            Err(reason) => skipped.note(format!("{} VideoList item {}", entry.name, i + 1), reason),
        }
    }
    let comments = data
        .comment
        .map(|c| {
            c.comments
                .and_then(|c| c.list)
                .or(c.list)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for (i, item) in comments.iter().enumerate() {
        match comment_of(item) {
            Ok(post) => timeline.posts.push(post),
            Err(reason) => skipped.note(
                format!("{} CommentsList item {}", entry.name, i + 1),
                reason,
            ),
        }
    }
    let chats = data
        .messages
        .and_then(|m| m.history)
        .and_then(|h| h.chats)
        .unwrap_or_default();
    if let Some(me) = &account {
        for (title, messages) in &chats {
            let with = chat_partner(title);
            for (i, m) in messages.iter().flatten().enumerate() {
                let from = m.get("From").and_then(Value::as_str).unwrap_or_default();
                if from != me {
                    continue;
                }
                let text = m.get("Content").and_then(Value::as_str).unwrap_or_default();
                let date = m.get("Date").and_then(Value::as_str);
                match sent_message(me, &with, date, text) {
                    Ok(dm) => timeline.direct_messages.push(dm),
                    Err(reason) => {
                        skipped.note(format!("{} {title} message {}", entry.name, i + 1), reason)
                    }
                }
            }
        }
    }
    finish(path, timeline, skipped, !comments.is_empty())
}

/// The batch of one TikTok download, either variant: an error when nothing at all was read,
/// else the timeline with the notes on what the download lacks (`comments_seen`: comments have
/// derived ids and no parent).
pub(super) fn finish(
    path: &Path,
    mut timeline: Timeline,
    skipped: Skipped,
    comments_seen: bool,
) -> Result<Batch, SourceError> {
    if timeline.posts.is_empty() && timeline.direct_messages.is_empty() {
        return Err(super::meta::nothing_read(
            path,
            &skipped,
            "posts, comments or sent messages in the TikTok download",
        ));
    }
    timeline.finish();
    let mut missing = vec![Gap::Client, Gap::Zone];
    if comments_seen {
        missing.extend([Gap::ReplyTarget, Gap::PostIds]);
    }
    Ok(Batch {
        timelines: vec![timeline],
        skipped,
        notes: gaps::notes("tiktok", &missing),
    })
}

/// Parses the parts of the document that are read; a document that does not parse is an error
/// naming the entry and where it broke (it is one record: nothing before the damage is usable).
fn parse(
    reader: impl Read,
    path: &Path,
    entry: &Entry,
    limits: &Limits,
) -> Result<UserData, SourceError> {
    serde_json::from_reader(BufReader::new(reader)).map_err(|e| {
        if e.is_io() {
            super::archive::EntryError::from(std::io::Error::from(e)).into_source(
                path,
                entry,
                limits.max_entry_bytes,
            )
        } else {
            SourceError::Invalid {
                path: path.to_path_buf(),
                record: entry.name.clone(),
                reason: format!("not a TikTok user_data document: {e}"),
            }
        }
    })
}

fn parse_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    parse_utc(s.trim(), "%Y-%m-%d %H:%M:%S")
}

/// A date field, named `key` in messages: zone-less, read as UTC.
fn date_of(date: Option<&str>, key: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let date = date.ok_or_else(|| format!("no {key}"))?;
    parse_date(date).ok_or_else(|| format!("unreadable {key} {date:?}"))
}

/// The empty timeline of the account the profile names (or [`UNKNOWN_ACCOUNT`]).
pub(super) fn new_timeline(account: Option<&str>) -> Timeline {
    Timeline::new(
        account.unwrap_or(UNKNOWN_ACCOUNT).to_string(),
        Platform::Tiktok,
    )
}

/// The other side of a chat from its title (`Chat History with anna.berg:`; the TXT variant
/// writes `>>> Chat History with anna.berg::`).
pub(super) fn chat_partner(title: &str) -> String {
    title
        .trim()
        .trim_start_matches(">>>")
        .trim_start()
        .trim_start_matches("Chat History with ")
        .trim_end_matches(':')
        .to_string()
}

/// The number in a video link (`…/video/7123456789012345678/`).
fn video_id(link: &str) -> Option<String> {
    link.trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// A string field by either of its spellings.
fn field<'v>(item: &'v Value, names: &[&str]) -> Option<&'v str> {
    names
        .iter()
        .find_map(|n| item.get(*n).and_then(Value::as_str))
}

/// One of the account's videos from its `Date`, title and `Link`: the id is the number in the
/// link (derived from time, title and link when there is none).
pub(super) fn video(date: Option<&str>, title: &str, link: &str) -> Result<Post, String> {
    let at = date_of(date, "Date")?;
    let link = link.trim();
    let id = video_id(link).unwrap_or_else(|| derived_id("tt", at.timestamp(), &[title, link]));
    Ok(Post::new(id, at, title.to_string()))
}

/// One of the account's comments from its date (the field named `key`) and text: a reply
/// whose id is derived from both.
pub(super) fn comment(date: Option<&str>, key: &str, text: &str) -> Result<Post, String> {
    let at = date_of(date, key)?;
    let mut post = Post::new(
        derived_id("tt-comment", at.timestamp(), &[text]),
        at,
        text.to_string(),
    );
    post.kind = PostKind::Reply;
    Ok(post)
}

/// A direct message the account (`me`) sent to `with`, its id derived from time, text and chat.
pub(super) fn sent_message(
    me: &str,
    with: &str,
    date: Option<&str>,
    text: &str,
) -> Result<DirectMessage, String> {
    let at = date_of(date, "Date").map_err(|_| "no readable Date".to_string())?;
    Ok(DirectMessage {
        conversation_id: with.to_string(),
        id: derived_id("tt-dm", at.timestamp(), &[text, with]),
        sender: me.to_string(),
        recipient: Some(with.to_string()),
        created_at: at,
        text: text.to_string(),
    })
}

fn video_of(item: &Value) -> Result<Post, String> {
    video(
        field(item, &["Date", "date"]),
        field(item, &["Title", "Description"]).unwrap_or_default(),
        field(item, &["Link", "link", "VideoLink"]).unwrap_or_default(),
    )
}

fn comment_of(item: &Value) -> Result<Post, String> {
    comment(
        field(item, &["date", "Date"]),
        "date",
        field(item, &["comment", "Comment"]).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_ids_come_from_links() {
        assert_eq!(
            video_id("https://www.tiktokv.com/share/video/7123456789012345678/").as_deref(),
            Some("7123456789012345678")
        );
        assert_eq!(video_id("https://example.com/x"), None);
    }
}
