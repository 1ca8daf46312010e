//! `reddit` source: Reddit's data request export (the zip, its folder, or `posts.csv` /
//! `comments.csv`), recognised by [`sniff`] and read by [`read`].
//!
//! `posts.csv`: `id,permalink,date,ip,subreddit,gildings,title,url,body` (newer exports add
//! `media`); `comments.csv`: `id,permalink,date,ip,subreddit,gildings,link,parent,body,media`.
//! Dates are `2014-08-27 00:59:46 UTC`; ids are base36 without their `t1_`/`t3_` prefix;
//! `parent` is the parent comment's id, empty for a top-level comment (which then answers the
//! post in `link`). Column names vary in letter case among tools' copies, so columns are found
//! by name, case-insensitively (`export_csv.rs`).
//!
//! No real export could be checked here: the columns are the ones several independent parsers
//! agree on. The export names no account (the zip's own name may carry it, but that is not
//! relied on), no client, and no parent time (base36 ids carry none).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::archive::{Archive, ArchiveKind, Entry};
use super::export_csv::{cell, header_names, open_table, parse_utc, read_rows, Table};
use super::gaps::{self, Gap};
use super::meta::{download_files, nothing_read, place_in_download};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::{Platform, Post, PostKind, Skipped, Timeline};

/// The account of every Reddit export: the files do not name it.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

/// The files beside `posts.csv` / `comments.csv` that make a folder or zip a Reddit export.
const COMPANIONS: [&str; 5] = [
    "post_votes.csv",
    "comment_votes.csv",
    "subscribed_subreddits.csv",
    "statistics.csv",
    "saved_posts.csv",
];

/// The top-level file name of an entry (a zip may wrap the export in one folder).
fn top_file(entry: &Entry, kind: ArchiveKind) -> Option<String> {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &[]);
    folder.is_empty().then(|| file.to_string())
}

fn is_table(entry: &Entry, kind: ArchiveKind) -> bool {
    top_file(entry, kind).is_some_and(|f| f == "posts.csv" || f == "comments.csv")
}

fn is_export(archive: &Archive) -> bool {
    let files: Vec<String> = archive
        .entries()
        .iter()
        .filter_map(|e| top_file(e, archive.kind()))
        .collect();
    let has = |n: &str| files.iter().any(|f| f == n);
    (has("posts.csv") || has("comments.csv")) && COMPANIONS.iter().any(|c| has(c))
}

/// Which table a header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Posts,
    Comments,
}

fn kind_of(header: &[String]) -> Option<Kind> {
    let has = |n: &str| header.iter().any(|h| h == n);
    if !(has("id") && has("permalink") && has("date") && has("subreddit")) {
        None
    } else if has("parent") || has("link") {
        Some(Kind::Comments)
    } else if has("title") || has("body") {
        Some(Kind::Posts)
    } else {
        None
    }
}

/// Recognises a Reddit export: a zip or folder with `posts.csv` or `comments.csv` at its top
/// beside the export's other files (`post_votes.csv`, `statistics.csv`, ...), or a CSV file whose
/// header has `id`, `permalink`, `date` and `subreddit`.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let Some(first) = text.first_line() else {
                return Verdict::No;
            };
            match kind_of(&header_names(first)) {
                Some(Kind::Posts | Kind::Comments) => Verdict::Mine,
                None => Verdict::No,
            }
        }
        Content::Archive(archive) if is_export(archive) => Verdict::Mine,
        Content::Archive(_) => Verdict::NearMiss(
            "no posts.csv or comments.csv beside post_votes.csv or statistics.csv (Reddit export)"
                .into(),
        ),
    }
}

/// Reads one Reddit export: a zip, an extracted folder, or one `posts.csv` / `comments.csv`.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| a.entries().iter().find(|e| is_table(e, a.kind())),
        "posts.csv or comments.csv (Reddit export)",
    )?;
    let files = download_files(
        &archive,
        path,
        first,
        |_| (),
        |e, kind| is_table(e, kind).then_some(()),
    );
    let mut posts = Vec::new();
    let mut skipped = Skipped::default();
    for (entry, ()) in &files {
        let opened = open_table(&mut archive, entry, path, limits, false, &mut skipped)?;
        let Some(mut table) = opened else {
            continue;
        };
        let Some(kind) = kind_of(table.header()) else {
            skipped.note(
                entry.name.clone(),
                "not a Reddit posts.csv or comments.csv header; the file was not read",
            );
            continue;
        };
        let columns = Columns::of(&table);
        let mut convert = |row: &[String]| match kind {
            Kind::Posts => post_of(row, &columns),
            Kind::Comments => comment_of(row, &columns),
        };
        let (p, s) = (&mut posts, &mut skipped);
        read_rows(&mut table, entry, path, limits, p, s, &mut convert)?;
    }
    if posts.is_empty() {
        let what = "posts or comments in the Reddit export";
        return Err(nothing_read(path, &skipped, what));
    }
    let mut timeline = Timeline::new(UNKNOWN_ACCOUNT, Platform::Reddit);
    timeline.posts = posts;
    timeline.finish();
    let mut notes = gaps::notes("reddit", &[Gap::Client, Gap::ReplyTarget]);
    notes.push(
        "reddit: the export does not name its account; it is reported as \"unknown account\""
            .into(),
    );
    Ok(Batch {
        timelines: vec![timeline],
        skipped,
        notes,
    })
}

/// Where the columns of either table are.
struct Columns {
    id: Option<usize>,
    permalink: Option<usize>,
    date: Option<usize>,
    subreddit: Option<usize>,
    title: Option<usize>,
    url: Option<usize>,
    body: Option<usize>,
    link: Option<usize>,
    parent: Option<usize>,
}

impl Columns {
    fn of<R: std::io::Read>(t: &Table<R>) -> Columns {
        Columns {
            id: t.column(&["id"]),
            permalink: t.column(&["permalink"]),
            date: t.column(&["date"]),
            subreddit: t.column(&["subreddit"]),
            title: t.column(&["title"]),
            url: t.column(&["url"]),
            body: t.column(&["body"]),
            link: t.column(&["link"]),
            parent: t.column(&["parent"]),
        }
    }
}

/// `2014-08-27 00:59:46 UTC`, or RFC 3339.
fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    parse_utc(s, "%Y-%m-%d %H:%M:%S UTC")
}

/// The base36 id after `/comments/` in a Reddit post URL.
fn post_id_of(url: &str) -> Option<String> {
    let rest = &url[url.find("/comments/")? + "/comments/".len()..];
    let id: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!id.is_empty()).then_some(id)
}

fn time_and_id(row: &[String], c: &Columns) -> Result<(DateTime<Utc>, String), String> {
    let id = cell(row, c.id).ok_or("no id")?;
    let date = cell(row, c.date).ok_or("no date")?;
    let at = parse_date(date).ok_or_else(|| format!("unreadable date {date:?}"))?;
    let id = id
        .trim_start_matches("t1_")
        .trim_start_matches("t3_")
        .to_string();
    Ok((at, id))
}

fn post_of(row: &[String], c: &Columns) -> Result<Post, String> {
    let (at, id) = time_and_id(row, c)?;
    let text = [cell(row, c.title), cell(row, c.body)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    let mut post = Post::new(id, at, text);
    let permalink = cell(row, c.permalink).unwrap_or_default();
    // A link post's url points away; a text post's url is its own permalink.
    if let Some(url) = cell(row, c.url).filter(|u| u.starts_with("http")) {
        let own = !permalink.is_empty() && (url.ends_with(permalink) || permalink.ends_with(url));
        if !own && post_id_of(url).is_none_or(|pid| pid != post.id) {
            post.links.push(url.to_string());
        }
    }
    if cell(row, c.subreddit).is_none() {
        return Err("no subreddit".into());
    }
    Ok(post)
}

fn comment_of(row: &[String], c: &Columns) -> Result<Post, String> {
    let (at, id) = time_and_id(row, c)?;
    let text = cell(row, c.body).unwrap_or_default().to_string();
    let mut post = Post::new(id, at, text);
    post.kind = PostKind::Reply;
    post.reply_to_id = cell(row, c.parent)
        .map(|p| {
            p.trim_start_matches("t1_")
                .trim_start_matches("t3_")
                .to_string()
        })
        .or_else(|| cell(row, c.link).and_then(post_id_of));
    Ok(post)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_post_ids_read() {
        let t = parse_date("2014-08-27 00:59:46 UTC").unwrap();
        assert_eq!(t.to_rfc3339(), "2014-08-27T00:59:46+00:00");
        assert_eq!(
            post_id_of("https://www.reddit.com/r/lamps/comments/2eoq3c/nice_lamp/").as_deref(),
            Some("2eoq3c")
        );
        assert_eq!(post_id_of("https://example.com/x"), None);
    }
}
