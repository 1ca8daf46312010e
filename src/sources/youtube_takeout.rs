//! `youtube_takeout` source: the YouTube part of a Google Takeout (the zip, the extracted
//! `YouTube and YouTube Music` folder, or one of its CSV files), recognised by [`sniff`] and read
//! by [`read`].
//!
//! Files read: `comments/comments.csv` (split ones too: `comments(1).csv`) with `Comment ID,
//! Channel ID, Comment Create Timestamp, Price, Parent Comment ID, Video ID, Comment Text`, and
//! `live chats/live chats.csv` with `Live Chat ID, Channel ID, Live Chat Create Timestamp, Price,
//! Video ID, Live Chat Text`. Newer Takeouts add columns (`Post ID`), so columns are found by
//! name; a Takeout in another language names them otherwise, so when a name is missing the time
//! column is found as the one holding an RFC 3339 time and the text column as the one holding
//! `{"takeoutSegments": …}`.
//!
//! The text column is JSON, `{"takeoutSegments":[{"text": …}, …]}`, and Takeout sometimes writes
//! it without escaping inner quotes (the real `live chats.csv` row in `fixtures/real/` does), which
//! makes it invalid: then the segments are cut out between their `{"text":"` and `"}` markers,
//! and the report notes how many were read that way. Every comment is a reply: to the video
//! (`Video ID`) or, for a reply, to its parent comment (`Parent Comment ID`; a reply's id is
//! `<parent>.<suffix>`). The account is the commenter's own `Channel ID`. There is no client and
//! no parent time.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry};
use super::export_csv::{cell, open_table, read_rows, Table};
use super::gaps::{self, Gap};
use super::meta::{derived_id, download_files, nothing_read};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::{Platform, Post, PostKind, Skipped, Timeline};

/// The account when no row names a channel.
pub const UNKNOWN_ACCOUNT: &str = "unknown channel";

/// Whether an entry is a comments or live chats file of the YouTube part of a Takeout. In a
/// zip it may sit anywhere under a folder named for YouTube; in a folder it must be in the
/// folder's own `comments/` or `live chats/` (the folder given is the YouTube one), so a folder
/// holding several platforms' downloads is not taken for one.
fn is_takeout_csv(entry: &Entry, kind: ArchiveKind) -> bool {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", &path));
    let csv_named =
        file.ends_with(".csv") && (file.starts_with("comments") || file.starts_with("live chats"));
    let last = folder.rsplit('/').next().unwrap_or(folder);
    let in_place = matches!(last, "comments" | "live chats");
    match kind {
        ArchiveKind::Folder => csv_named && in_place && !folder.contains('/'),
        ArchiveKind::Zip => csv_named && in_place && folder.contains("youtube"),
    }
}

/// Recognises YouTube's Takeout comments: a zip or folder holding them in place, or a CSV file
/// whose header names a comment or live chat id and timestamp, or whose rows carry
/// `takeoutSegments` (a Takeout in another language).
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let head = text.lossy();
            let first = head.lines().next().unwrap_or_default().to_ascii_lowercase();
            let named = (first.contains("comment id")
                && first.contains("comment create timestamp"))
                || (first.contains("live chat id") && first.contains("live chat create timestamp"));
            if named || head.contains("{\"\"takeoutSegments\"\"") {
                Verdict::Mine
            } else {
                Verdict::No
            }
        }
        Content::Archive(archive) => {
            if archive
                .entries()
                .iter()
                .any(|e| is_takeout_csv(e, archive.kind()))
            {
                Verdict::Mine
            } else {
                Verdict::NearMiss(
                    "no comments/comments.csv or live chats/live chats.csv (YouTube Takeout)"
                        .into(),
                )
            }
        }
    }
}

/// Reads the YouTube part of a Takeout: a zip, a folder, or one comments or live chats file.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| a.entries().iter().find(|e| is_takeout_csv(e, a.kind())),
        "comments/comments.csv or live chats/live chats.csv (YouTube Takeout)",
    )?;
    let files = download_files(
        &archive,
        path,
        first,
        |_| (),
        |e, kind| is_takeout_csv(e, kind).then_some(()),
    );
    let mut posts = Vec::new();
    let mut skipped = Skipped::default();
    let mut account: Option<String> = None;
    let mut repaired = 0u64;
    for (entry, ()) in &files {
        let opened = open_table(&mut archive, entry, path, limits, false, &mut skipped)?;
        let Some(mut table) = opened else {
            continue;
        };
        let mut columns = Columns::of(&table);
        let mut convert = |row: &[String]| {
            columns.guess_from(row);
            let (post, was_repaired) = comment_of(row, &columns)?;
            repaired += u64::from(was_repaired);
            if account.is_none() {
                account = cell(row, columns.channel).map(str::to_string);
            }
            Ok(post)
        };
        read_rows(
            &mut table,
            entry,
            path,
            limits,
            &mut posts,
            &mut skipped,
            &mut convert,
        )?;
    }
    if posts.is_empty() {
        return Err(nothing_read(
            path,
            &skipped,
            "comments or live chat messages",
        ));
    }
    let mut timeline = Timeline::new(
        account.unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string()),
        Platform::Youtube,
    );
    timeline.posts = posts;
    timeline.finish();
    let mut notes = gaps::notes("youtube_takeout", &[Gap::Client, Gap::ReplyTarget]);
    if repaired > 0 {
        notes.push(format!(
            "youtube_takeout: {repaired} comment text{} invalid JSON (a Takeout bug: inner \
             quotes not escaped) and {} read from its segment markers",
            if repaired == 1 { " was" } else { "s were" },
            if repaired == 1 { "was" } else { "were" },
        ));
    }
    Ok(Batch {
        timelines: vec![timeline],
        skipped,
        notes,
    })
}

/// Where the columns are, by name, or (time and text) by what the first row holds.
struct Columns {
    id: Option<usize>,
    channel: Option<usize>,
    time: Option<usize>,
    parent: Option<usize>,
    video: Option<usize>,
    text: Option<usize>,
}

impl Columns {
    fn of<R: std::io::Read>(t: &Table<R>) -> Columns {
        Columns {
            id: t.column(&["comment id", "live chat id"]),
            channel: t.column(&["channel id"]),
            time: t.column(&["comment create timestamp", "live chat create timestamp"]),
            parent: t.column(&["parent comment id"]),
            video: t.column(&["video id"]),
            text: t.column(&["comment text", "live chat text"]),
        }
    }

    /// Fills the time and text columns from a row's shapes when the names did not give them.
    fn guess_from(&mut self, row: &[String]) {
        if self.time.is_none() {
            self.time = row.iter().position(|c| parse_time(c.trim()).is_some());
        }
        if self.text.is_none() {
            self.text = row
                .iter()
                .position(|c| c.trim_start().starts_with("{\"takeoutSegments\""));
        }
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A row as a reply, and whether its text column had to be read past invalid JSON.
fn comment_of(row: &[String], c: &Columns) -> Result<(Post, bool), String> {
    let time = cell(row, c.time).ok_or("no create timestamp")?;
    let at = parse_time(time).ok_or_else(|| format!("unreadable timestamp {time:?}"))?;
    let raw = cell(row, c.text).unwrap_or_default();
    let (text, links, repaired) = segments(raw);
    let parent = cell(row, c.parent).map(str::to_string);
    let video = cell(row, c.video).map(str::to_string);
    let id = match cell(row, c.id) {
        Some(id) => id.to_string(),
        None => derived_id(
            "yt",
            at.timestamp(),
            &[&text, video.as_deref().unwrap_or("")],
        ),
    };
    let mut post = Post::new(id, at, text);
    post.kind = PostKind::Reply;
    post.reply_to_id = parent.or(video);
    post.links = links;
    Ok((post, repaired))
}

/// The text and links of a `takeoutSegments` cell; true when the JSON was invalid and the
/// segments were cut out between their markers. A cell that is no segment JSON at all is text.
fn segments(raw: &str) -> (String, Vec<String>, bool) {
    if !raw.trim_start().starts_with('{') {
        return (raw.to_string(), Vec::new(), false);
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(v) => {
            let mut text = String::new();
            let mut links = Vec::new();
            let segs = v.get("takeoutSegments").and_then(Value::as_array);
            for seg in segs.into_iter().flatten() {
                if let Some(t) = seg.get("text").and_then(Value::as_str) {
                    text.push_str(t);
                }
                let link = match seg.get("link") {
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(Value::Object(m)) => m.values().find_map(Value::as_str),
                    _ => None,
                };
                if let Some(l) = link.filter(|l| l.starts_with("http")) {
                    links.push(l.to_string());
                }
            }
            (text, links, false)
        }
        Err(_) => {
            // `{"text":"` opens a segment; `"}` followed by `,{` or `]}` (or the end) closes it.
            let mut text = String::new();
            let mut rest = raw;
            while let Some(start) = rest.find("{\"text\":\"") {
                let body = &rest[start + "{\"text\":\"".len()..];
                let end = ["\"},{", "\"}]}", "\"}]"]
                    .iter()
                    .filter_map(|m| body.find(m))
                    .min()
                    .unwrap_or(body.len());
                text.push_str(&body[..end]);
                rest = &body[end..];
            }
            (text, Vec::new(), true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_read_valid_and_invalid_json() {
        let (t, _, bad) = segments(r#"{"takeoutSegments":[{"text":"hello "},{"text":"world"}]}"#);
        assert_eq!((t.as_str(), bad), ("hello world", false));
        // The real Takeout bug: inner quotes not escaped.
        let (t, _, bad) =
            segments(r#"{"takeoutSegments":[{"text":""think the right thing" jeez"}]}"#);
        assert_eq!((t.as_str(), bad), ("\"think the right thing\" jeez", true));
        let (t, links, _) = segments(
            r#"{"takeoutSegments":[{"text":"see "},{"text":"here","link":"https://a.example/x"}]}"#,
        );
        assert_eq!((t.as_str(), links.len()), ("see here", 1));
        assert_eq!(segments("plain").0, "plain");
    }
}
