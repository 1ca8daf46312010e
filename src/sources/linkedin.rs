//! `linkedin` source: LinkedIn's data export (the zip, its folder, or `Shares.csv` /
//! `Comments.csv`), recognised by [`sniff`] and read by [`read`].
//!
//! `Shares.csv` (`Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility`) holds the
//! member's posts: the id is the `urn:li:share:<n>` / `urn:li:ugcPost:<n>` in `ShareLink`; a
//! `SharedUrl` to a LinkedIn post makes a reshare (a repost, or a quote with commentary), any
//! other one is the post's link. `Comments.csv` (`Date,Link,Message`) holds the comments the
//! member wrote: replies to the post in `Link`, without an id of their own (derived from time
//! and content). `Profile.csv` gives the name. Columns are found by name (`export_csv.rs`).
//!
//! Quirks of the real files: `Comments.csv` escapes quotes as `\"`, which breaks strict CSV
//! readers (undone while streaming); a multi-line `ShareCommentary` comes out with every line
//! wrapped in its own pair of quotes (stripped when every line has them); dates have no zone
//! (`2025-07-01 14:33:22`, read as UTC and noted in the report); text often uses Unicode
//! mathematical bold and italic letters (𝗪𝗛𝗔𝗧), which `text::normalize` (NFKC) makes plain
//! before any detector compares texts. There is no client and no parent time.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::archive::{Archive, ArchiveKind, Entry};
use super::export_csv::{cell, header_names, open_table, parse_utc, read_rows, Table};
use super::gaps::{self, Gap};
use super::meta::{derived_id, download_files, nothing_read, place_in_download};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::{Platform, Post, PostKind, Skipped, Timeline};

/// The account of an export without `Profile.csv`.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

/// What one file of the export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `Shares.csv` or `Comments.csv`: which one, the header says.
    Table,
    Profile,
}

fn role_of(entry: &Entry, kind: ArchiveKind) -> Option<Role> {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &[]);
    if !folder.is_empty() {
        return None;
    }
    match file {
        "shares.csv" | "comments.csv" => Some(Role::Table),
        "profile.csv" => Some(Role::Profile),
        _ => None,
    }
}

/// A LinkedIn export among archives: `Shares.csv`, or `Comments.csv` beside `Profile.csv` or
/// `Connections.csv` (other downloads have a `comments.csv` too).
fn is_export(archive: &Archive) -> bool {
    let mut names = archive.entries().iter().filter_map(|e| {
        let path = e.name.to_ascii_lowercase();
        let (folder, file) = place_in_download(&path, archive.kind(), &[]);
        folder.is_empty().then(|| file.to_string())
    });
    let names: Vec<String> = names.by_ref().collect();
    let has = |n: &str| names.iter().any(|f| f == n);
    has("shares.csv") || (has("comments.csv") && (has("profile.csv") || has("connections.csv")))
}

/// Which table a header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shares,
    Comments,
}

fn kind_of(header: &[String]) -> Option<Kind> {
    let has = |n: &str| header.iter().any(|h| h == n);
    if has("date") && (has("sharelink") || has("sharecommentary")) {
        Some(Kind::Shares)
    } else if has("date") && has("link") && has("message") {
        Some(Kind::Comments)
    } else {
        None
    }
}

/// Recognises a LinkedIn export: a zip or folder with `Shares.csv` (or `Comments.csv` beside the
/// export's other files) at its top, or a CSV file whose header is that of `Shares.csv`
/// (`Date`, `ShareLink`, `ShareCommentary`) or `Comments.csv` (`Date`, `Link`, `Message`).
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let Some(first) = text.first_line() else {
                return Verdict::No;
            };
            match kind_of(&header_names(first)) {
                Some(Kind::Shares | Kind::Comments) => Verdict::Mine,
                None => Verdict::No,
            }
        }
        Content::Archive(archive) if is_export(archive) => Verdict::Mine,
        Content::Archive(_) => {
            Verdict::NearMiss("no Shares.csv or Comments.csv (LinkedIn export)".into())
        }
    }
}

/// Reads one LinkedIn export: a zip, an extracted folder, or one `Shares.csv` / `Comments.csv`.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| {
            a.entries()
                .iter()
                .find(|e| role_of(e, a.kind()) == Some(Role::Table))
        },
        "Shares.csv or Comments.csv (LinkedIn export)",
    )?;
    let files = download_files(&archive, path, first, |_| Role::Table, role_of);
    let mut posts = Vec::new();
    let mut skipped = Skipped::default();
    let mut account = None;
    let mut comments = 0u64;
    for (entry, role) in &files {
        let opened = open_table(&mut archive, entry, path, limits, true, &mut skipped)?;
        let Some(mut table) = opened else {
            continue;
        };
        if *role == Role::Profile {
            let (first_name, last_name) =
                (table.column(&["first name"]), table.column(&["last name"]));
            if let Ok(Some(row)) = table.next_row(&entry.name, &mut Skipped::default()) {
                let name = [cell(&row, first_name), cell(&row, last_name)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                account = account.or((!name.is_empty()).then_some(name));
            }
            continue;
        }
        let Some(kind) = kind_of(table.header()) else {
            skipped.note(
                entry.name.clone(),
                "not a LinkedIn Shares.csv or Comments.csv header; the file was not read",
            );
            continue;
        };
        let columns = Columns::of(&table);
        let mut convert = |row: &[String]| match kind {
            Kind::Shares => share_of(row, &columns),
            Kind::Comments => {
                comments += 1;
                comment_of(row, &columns)
            }
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
            "shares or comments in the LinkedIn export",
        ));
    }
    let mut timeline = Timeline::new(
        account.unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string()),
        Platform::Linkedin,
    );
    timeline.posts = posts;
    timeline.finish();
    let mut missing = vec![Gap::Client, Gap::Zone];
    if comments > 0 {
        missing.extend([Gap::ReplyTarget, Gap::PostIds]);
    }
    Ok(Batch {
        timelines: vec![timeline],
        skipped,
        notes: gaps::notes("linkedin", &missing),
    })
}

/// Where the columns of either table are.
struct Columns {
    date: Option<usize>,
    share_link: Option<usize>,
    commentary: Option<usize>,
    shared_url: Option<usize>,
    link: Option<usize>,
    message: Option<usize>,
}

impl Columns {
    fn of<R: std::io::Read>(t: &Table<R>) -> Columns {
        Columns {
            date: t.column(&["date"]),
            share_link: t.column(&["sharelink"]),
            commentary: t.column(&["sharecommentary"]),
            shared_url: t.column(&["sharedurl"]),
            link: t.column(&["link"]),
            message: t.column(&["message"]),
        }
    }
}

/// A LinkedIn date: `2025-07-01 14:33:22` (no zone: UTC), or RFC 3339.
fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    parse_utc(s, "%Y-%m-%d %H:%M:%S")
}

/// The `urn:li:…` in a LinkedIn URL (plain or percent-encoded), or the cell itself when it is
/// one.
fn urn_of(link: &str) -> Option<String> {
    let decoded = link
        .replace("%3A", ":")
        .replace("%3a", ":")
        .replace("%2F", "/")
        .replace("%2f", "/");
    let start = decoded.find("urn:li:")?;
    let urn: String = decoded[start..]
        .chars()
        .take_while(|c| !matches!(c, '/' | '?' | '#' | ' ' | ','))
        .collect();
    (urn.len() > "urn:li:".len()).then_some(urn)
}

/// Strips the quotes LinkedIn wraps around every line of a commentary, when every non-empty
/// line has them.
fn unwrap_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let wrapped = |l: &&str| {
        let l = l.trim();
        l.is_empty() || (l.len() >= 2 && l.starts_with('"') && l.ends_with('"'))
    };
    if lines.is_empty() || !lines.iter().all(wrapped) {
        return text.to_string();
    }
    lines
        .iter()
        .map(|l| {
            let l = l.trim();
            l.strip_prefix('"')
                .and_then(|l| l.strip_suffix('"'))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn share_of(row: &[String], c: &Columns) -> Result<Post, String> {
    let date = cell(row, c.date).ok_or("no Date")?;
    let at = parse_date(date).ok_or_else(|| format!("unreadable Date {date:?}"))?;
    let text = cell(row, c.commentary)
        .map(unwrap_lines)
        .unwrap_or_default();
    let shared = cell(row, c.shared_url).filter(|u| u.starts_with("http"));
    let id = match cell(row, c.share_link).and_then(urn_of) {
        Some(urn) => urn,
        None => derived_id("li", at.timestamp(), &[&text, shared.unwrap_or("")]),
    };
    let mut post = Post::new(id, at, text);
    if let Some(url) = shared {
        if url.contains("linkedin.com/feed/update/") || url.contains("linkedin.com/posts/") {
            post.kind = if post.text.trim().is_empty() {
                PostKind::Repost
            } else {
                PostKind::Quote
            };
        }
        post.links.push(url.to_string());
    }
    Ok(post)
}

fn comment_of(row: &[String], c: &Columns) -> Result<Post, String> {
    let date = cell(row, c.date).ok_or("no Date")?;
    let at = parse_date(date).ok_or_else(|| format!("unreadable Date {date:?}"))?;
    let text = cell(row, c.message).unwrap_or_default().to_string();
    let parent = cell(row, c.link).and_then(urn_of);
    let id = derived_id(
        "li-comment",
        at.timestamp(),
        &[&text, parent.as_deref().unwrap_or("")],
    );
    let mut post = Post::new(id, at, text);
    post.kind = PostKind::Reply;
    post.reply_to_id = parent;
    Ok(post)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_come_out_of_plain_and_encoded_links() {
        assert_eq!(
            urn_of("https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7075%2F").as_deref(),
            Some("urn:li:share:7075")
        );
        assert_eq!(
            urn_of("https://www.linkedin.com/feed/update/urn:li:ugcPost:7080/").as_deref(),
            Some("urn:li:ugcPost:7080")
        );
        assert_eq!(urn_of("https://example.com/x"), None);
    }

    #[test]
    fn wrapped_lines_are_unwrapped_only_when_all_are() {
        assert_eq!(unwrap_lines("\"One\"\n\"\"\n\"Two\""), "One\n\nTwo");
        assert_eq!(
            unwrap_lines("\"Quoted\" start\nplain"),
            "\"Quoted\" start\nplain"
        );
        // A one-line commentary comes wrapped too.
        assert_eq!(unwrap_lines("\"single\""), "single");
    }

    #[test]
    fn dates_without_a_zone_are_utc() {
        let t = parse_date("2025-07-01 14:33:22").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-07-01T14:33:22+00:00");
        assert!(parse_date("01/07/2025").is_none());
    }
}
