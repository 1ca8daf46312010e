//! The Twitter/X archive source: the `.zip` from "Download an archive of your data", its
//! extracted folder (with or without the `data/` level), or a single `tweets.js`-style file,
//! recognised by [`sniff`] and read by [`read`].
//!
//! Archive files are JavaScript, `window.YTD.tweets.part0 = [ … ]`. They can be hundreds of
//! megabytes, so they are never loaded whole: after the `=`, a small byte-level splitter walks
//! the array (tracking strings and brackets only) and hands one element at a time to
//! `serde_json`, each capped at [`Limits::max_record_bytes`]. An element that is too big or
//! damaged is skipped and counted, and the walk goes on; only a broken array (truncated file,
//! unbalanced brackets) stops the file. Entries are opened through [`Archive`], which stops each
//! at [`Limits::max_entry_bytes`] whatever the zip header claims, so a zip bomb ends in
//! [`SourceError::TooLarge`]. Media entries are never opened.
//!
//! The account is `userInfo.userName` in `manifest.js`, else `username` in `account.js` (for a
//! lone data file, the ones beside it), else, for direct messages alone, the one participant of
//! every conversation; past that, an archive is named for its zip or folder, and a lone file,
//! whose name says nothing, is [`UNKNOWN_ACCOUNT`].
//!
//! What the archive format says and how it maps to a [`Post`] (see `formats.md`):
//! * every number is a string; `created_at` is `Fri Mar 06 13:02:05 +0000 2026`;
//! * a reply has `in_reply_to_status_id(_str)`; a user id or screen name without a status id
//!   only means the text starts with an @mention, so that is not a reply;
//! * a repost is only visible as text starting `RT @user:`; a quote only as a link to
//!   `https://(twitter|x).com/<user>/status/<id>`;
//! * long posts are truncated in `tweets.js`; their full text is in `note-tweet.js`, which has
//!   no tweet id. A note replaces a tweet's text when it was created within
//!   [`NOTE_MATCH_SECS`] seconds of the tweet and its text starts with the tweet's text (both
//!   compared without leading @mentions, t.co links, the final `…` and whitespace differences,
//!   on the first [`NOTE_PREFIX_CHARS`] characters). A tweet whose text is nothing but
//!   mentions and links takes a note only when exactly one note is that close in time;
//! * an edited post appears once per version; versions share `edit_info` ids and collapse to
//!   one post with the initial id and time and the latest text.
//!
//! Skipped records are named by file and element, counting from 0 as `jq '.[17]'` does:
//! "data/tweets.js element 17 (id …)".
//!
//! Direct messages (`direct-messages.js`, one element per conversation, which can be long) are
//! streamed message by message with a `serde_json` visitor; only messages sent by the account
//! are kept.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::archive::{self, Archive, ArchiveKind, EntryError};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::Skipped;
use crate::model::{created_at_from_id, DirectMessage, Platform, Post, PostKind, Timeline};
use crate::text::shorten;

/// The account of a lone data file (`tweets.js` without `manifest.js` or `account.js` beside
/// it): the file says nothing about whose it is, and its name is not a handle. A space makes
/// sure no real handle is ever this.
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

/// How far apart (seconds) a note and its tweet may have been created.
pub const NOTE_MATCH_SECS: i64 = 5;
/// How many characters of a tweet's text must begin its note.
pub const NOTE_PREFIX_CHARS: usize = 40;

/// Deeper JSON than this is not tracked bracket by bracket (serde_json refuses it anyway).
const MAX_DEPTH: usize = 128;
/// The `window.YTD.<name>.partN =` preamble is short; a file without `=` this early is not one.
const MAX_PREAMBLE: usize = 256;
/// `manifest.js` and `account.js` are small; anything bigger is not the real thing.
const MAX_SMALL_FILE: u64 = 16 << 20;

/// `created_at` of tweets: "Fri Mar 06 13:02:05 +0000 2026".
const CREATED_AT_FORMAT: &str = "%a %b %d %H:%M:%S %z %Y";

static RETWEET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^RT @[A-Za-z0-9_]+:").unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});
static STATUS_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]+/status(?:es)?/\d+")
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});
static LEADING_MENTIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s*@[A-Za-z0-9_]+)+\s*")
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

// ---------------------------------------------------------------------------------------------
// Recognising.

/// Recognises a Twitter/X archive: a zip with a tweets file (`tweets.js`, `tweet.js`,
/// `tweets-partN.js`) or `direct-messages.js` in a `data/` folder (under any top folder) or at
/// the top; a folder that holds one, in it, in its `data/` folder, or in a subfolder or its
/// `data/` folder; a file that starts `window.YTD.` (after an optional UTF-8 BOM and
/// whitespace). A file named like an archive file (`tweets.js`, `manifest.js`, ...) is taken
/// when its content says nothing clearer.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let start = text
                .head
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(text.head.len());
            let verdict = if text.head[start..].starts_with(b"window.YTD.") {
                Verdict::Mine
            } else {
                Verdict::No
            };
            verdict.or_name(is_archive_file_name(&input.name))
        }
        Content::Archive(archive) => {
            let found = match archive.kind() {
                ArchiveKind::Zip => archive.entries().iter().any(|e| {
                    matches!(
                        role_of_entry(e),
                        Some((Role::Tweets | Role::DirectMessages, _))
                    )
                }),
                ArchiveKind::Folder => archive_folder(archive).is_some(),
            };
            if found {
                Verdict::Mine
            } else {
                Verdict::NearMiss(
                    "no tweets.js or direct-messages.js in it or a data/ folder (Twitter/X archive)"
                        .into(),
                )
            }
        }
    }
}

/// `tweets.js`, `tweet.js`, `tweets-part1.js`, `manifest.js`: the names that make a lone file
/// a Twitter archive file.
fn is_archive_file_name(name: &str) -> bool {
    name == "tweets.js"
        || name == "tweet.js"
        || name == "manifest.js"
        || (name.starts_with("tweets-part") && name.ends_with(".js"))
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Reads a Twitter/X archive (zip, folder or single data file) into one timeline.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let mut input = Input::from_path(path)?;
    let mut run = Run {
        path: path.to_path_buf(),
        limits: limits.clone(),
        skipped: Skipped::default(),
        records: 0,
        stopped: false,
    };

    let identity = read_identity(&mut input, &mut run);
    let primary: Vec<&Entry> = input
        .entries
        .iter()
        .filter(|e| matches!(e.role, Role::Tweets | Role::DirectMessages))
        .collect();
    if primary.is_empty() {
        return Err(SourceError::Empty {
            path: path.to_path_buf(),
            reason: "no tweets.js, tweet.js, tweets-partN.js or direct-messages.js in it".into(),
        });
    }
    let has_tweets = input.entries.iter().any(|e| e.role == Role::Tweets);

    let mut notes = Vec::new();
    for entry in input.entries_of(Role::NoteTweets) {
        let before = notes.len();
        if let Err(e) =
            read_array_file(
                &mut input,
                &entry,
                &mut run,
                |run, record, v| match note_from_value(v) {
                    Ok(note) => notes.push(note),
                    Err(reason) => run.skipped.note(record, reason),
                },
            )
        {
            // The notes only lengthen texts: without them the tweets are still worth reading.
            notes.truncate(before);
            run.skipped
                .note(entry.label().to_string(), format!("left out: {e}"));
        }
    }
    notes.sort_by_key(|n| n.created_at);

    let mut tweets = Vec::new();
    let mut tweet_files = Vec::new();
    for entry in input.entries_of(Role::Tweets) {
        read_array_file(
            &mut input,
            &entry,
            &mut run,
            |run, record, v| match tweet_from_value(v) {
                Ok(t) => tweets.push(t),
                Err(TweetError { id, reason }) => {
                    let record = match id {
                        Some(id) => format!("{record} (id {id})"),
                        None => record,
                    };
                    run.skipped.note(record, reason);
                }
            },
        )
        .map_err(|e| e.into_source(&run, &entry))?;
        tweet_files.push(entry.label().to_string());
    }
    for t in &mut tweets {
        apply_note(&mut t.post, &notes);
    }
    let posts = collapse_edits(tweets);

    let mut dms = Vec::new();
    let mut conversations = Vec::new();
    for entry in input.entries_of(Role::DirectMessages) {
        let result = read_dm_file(
            &mut input,
            &entry,
            &mut run,
            identity.account_id.as_deref(),
            &mut dms,
            &mut conversations,
        );
        if let Err(e) = result {
            if has_tweets {
                run.skipped
                    .note(entry.label().to_string(), format!("left out: {e}"));
            } else {
                return Err(e.into_source(&run, &entry));
            }
        }
    }
    let sender = identity
        .account_id
        .clone()
        .or_else(|| account_in_every_conversation(&conversations));
    match &sender {
        Some(id) => dms.retain(|m: &DirectMessage| &m.sender == id),
        None if !dms.is_empty() => {
            run.skipped.note(
                "direct messages",
                "left out: no account id in manifest.js or account.js, and the conversations do \
                 not tell which participant is the account",
            );
            dms.clear();
        }
        None => {}
    }

    if posts.is_empty() && dms.is_empty() {
        let files = if tweet_files.is_empty() {
            "direct-messages.js".to_string()
        } else {
            tweet_files.join(", ")
        };
        let reason = match run.skipped.examples.first() {
            Some(p) => format!(
                "{} damaged records skipped in {files}, e.g. {}: {}",
                run.skipped.count, p.record, p.reason
            ),
            None => format!("{files} holds no tweets"),
        };
        return Err(SourceError::Empty {
            path: path.to_path_buf(),
            reason,
        });
    }

    let account = identity
        .user_name
        .or_else(|| if has_tweets { None } else { sender.clone() })
        .or(input.stem)
        .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string());
    let mut timeline = Timeline::new(account, Platform::Twitter);
    timeline.posts = posts;
    timeline.direct_messages = dms;
    timeline.finish();
    Ok(Batch {
        timelines: vec![timeline],
        skipped: run.skipped,
        notes: Vec::new(),
    })
}

/// State shared by every file of one input.
struct Run {
    path: PathBuf,
    limits: Limits,
    skipped: Skipped,
    /// Records seen so far (tweets, notes, messages), against [`Limits::max_records`].
    records: u64,
    stopped: bool,
}

impl Run {
    /// Counts one record; false once the limit is reached (noted once).
    fn admit(&mut self, label: &str) -> bool {
        if self.stopped {
            return false;
        }
        if self.records >= self.limits.max_records {
            self.stopped = true;
            self.skipped.note(
                label.to_string(),
                format!(
                    "stopped after {} records (the record limit); the rest is not read",
                    self.limits.max_records
                ),
            );
            return false;
        }
        self.records += 1;
        true
    }
}

// ---------------------------------------------------------------------------------------------
// The input: which files there are and how to open them.

/// What an archive file holds, as far as this source cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Manifest,
    Account,
    NoteTweets,
    Tweets,
    DirectMessages,
}

#[derive(Debug, Clone)]
struct Entry {
    role: Role,
    part: u32,
    /// The file; its name (the zip entry name, or the path below the input) names it in
    /// messages.
    item: archive::Entry,
}

impl Entry {
    fn label(&self) -> &str {
        &self.item.name
    }
}

struct Input {
    archive: Archive,
    entries: Vec<Entry>,
    /// The account name of last resort: the archive or folder name; `None` for a lone file,
    /// whose name (`tweets.js`) says nothing about the account.
    stem: Option<String>,
}

impl Input {
    fn from_path(path: &Path) -> Result<Input, SourceError> {
        let Some(archive) = Archive::open(path)? else {
            return Input::single(path);
        };
        match archive.kind() {
            ArchiveKind::Zip => Ok(Input::zip(path, archive)),
            ArchiveKind::Folder => Input::folder(path, archive),
        }
    }

    fn zip(path: &Path, archive: Archive) -> Input {
        let entries = archive
            .entries()
            .iter()
            .filter_map(|item| {
                let (role, part) = role_of_entry(item)?;
                Some(Entry {
                    role,
                    part,
                    item: item.clone(),
                })
            })
            .collect();
        Input {
            archive,
            entries: sorted(entries),
            stem: Some(file_stem(path)),
        }
    }

    fn folder(path: &Path, archive: Archive) -> Result<Input, SourceError> {
        let folder = archive_folder(&archive).ok_or_else(|| SourceError::Empty {
            path: path.to_path_buf(),
            reason: "no tweets.js, tweet.js, tweets-partN.js or direct-messages.js in it, \
                     its data/ folder or the data/ folder of a subfolder"
                .into(),
        })?;
        let entries = archive
            .entries()
            .iter()
            .filter(|item| item.folder() == folder)
            .filter_map(|item| {
                let (role, part) = role_of_name(item.file_name())?;
                Some(Entry {
                    role,
                    part,
                    item: item.clone(),
                })
            })
            .collect();
        // An extracted `data/` folder is named for nothing: the folder above names the archive.
        let named = if dir_name(path) == "data" {
            path.parent().unwrap_or(path)
        } else {
            path
        };
        Ok(Input {
            archive,
            entries: sorted(entries),
            stem: Some(dir_name(named)),
        })
    }

    /// A single data file. Its kind comes from its `window.YTD.<name>` preamble (the file name
    /// only when the preamble is missing); `manifest.js` and `account.js` beside it (the
    /// `data/` folder of an extracted archive) are read for the account name.
    fn single(path: &Path) -> Result<Input, SourceError> {
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let unknown = |reason: String| SourceError::UnknownFormat {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = BufReader::new(file.take(MAX_PREAMBLE as u64 + 8));
        let role = match read_preamble(&mut reader) {
            Ok(Some(global)) => match global.split('.').collect::<Vec<_>>().as_slice() {
                [_, "tweets" | "tweet", ..] => Role::Tweets,
                [_, "direct_messages", ..] => Role::DirectMessages,
                [_, name, ..] => {
                    return Err(unknown(format!(
                        "window.{global} is the archive's `{name}` file, which holds no tweets; \
                         give tweets.js, direct-messages.js or the whole archive"
                    )))
                }
                _ => {
                    return Err(unknown(format!(
                        "window.{global} is no file of a Twitter archive (those start with \
                         `window.YTD.<name> = `)"
                    )))
                }
            },
            Ok(None) => match role_of_name(&label) {
                Some((role @ (Role::Tweets | Role::DirectMessages), _)) => role,
                _ => {
                    return Err(unknown(
                        "a JSON file that is not named like an archive's tweets.js".into(),
                    ))
                }
            },
            Err(ScanError::Entry(EntryError::Io(source))) => {
                return Err(SourceError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
            // Said positively: the reason (`e`) names what the file lacks.
            Err(e) => {
                return Err(unknown(format!(
                    "not a zip archive, and not a Twitter archive data file: {e}"
                )))
            }
        };
        let folder = path.parent().unwrap_or(Path::new(""));
        let archive = Archive::loose(folder, &[&label, "manifest.js", "account.js"]);
        let entries = archive
            .entries()
            .iter()
            .map(|item| Entry {
                role: match item.name.as_str() {
                    name if name == label => role,
                    "manifest.js" => Role::Manifest,
                    _ => Role::Account,
                },
                part: 0,
                item: item.clone(),
            })
            .collect();
        Ok(Input {
            archive,
            entries: sorted(entries),
            stem: None,
        })
    }

    fn entries_of(&self, role: Role) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| e.role == role)
            .cloned()
            .collect()
    }

    /// Opens one entry, bounded at `limit` bytes.
    fn open(&mut self, entry: &Entry, limit: u64) -> Result<Box<dyn Read + '_>, ScanError> {
        Ok(self.archive.open_entry(&entry.item, limit)?)
    }
}

fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| (a.role, a.part, a.label()).cmp(&(b.role, b.part, b.label())));
    entries
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "twitter".into())
}

fn dir_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .or_else(|| path.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "twitter".into())
}

/// The folder of an extracted archive that holds its data files, by its name below the
/// folder given: the folder itself (`""`), `data`, or `<sub>/data` (else `<sub>`) for its
/// subfolders in name order, the first that has a tweets or DM file.
fn archive_folder(archive: &Archive) -> Option<String> {
    let has_data = |folder: &str| {
        archive.entries().iter().any(|e| {
            e.folder() == folder
                && matches!(
                    role_of_name(e.file_name()),
                    Some((Role::Tweets | Role::DirectMessages, _))
                )
        })
    };
    let subs: std::collections::BTreeSet<&str> = archive
        .entries()
        .iter()
        .filter_map(|e| e.name.split_once('/').map(|(sub, _)| sub))
        .collect();
    ["".to_string(), "data".to_string()]
        .into_iter()
        .chain(
            subs.into_iter()
                .flat_map(|s| [format!("{s}/data"), s.to_string()]),
        )
        .find(|folder| has_data(folder))
}

/// The role of a zip entry: a known file name inside a `data/` folder or at the top.
fn role_of_entry(entry: &archive::Entry) -> Option<(Role, u32)> {
    let folder = entry.folder();
    if folder.is_empty() || folder == "data" || folder.ends_with("/data") {
        role_of_name(entry.file_name())
    } else {
        None
    }
}

/// The role of a file name: `tweets.js`, `tweets-part2.js`, `note-tweet.js`, ...
fn role_of_name(name: &str) -> Option<(Role, u32)> {
    let stem = name.strip_suffix(".js")?;
    let (base, part) = match stem.rsplit_once("-part") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (base, n.parse().unwrap_or(u32::MAX))
        }
        _ => (stem, 0),
    };
    let role = match base {
        "tweets" | "tweet" => Role::Tweets,
        "note-tweet" => Role::NoteTweets,
        "direct-messages" => Role::DirectMessages,
        "manifest" if part == 0 => Role::Manifest,
        "account" if part == 0 => Role::Account,
        _ => return None,
    };
    Some((role, part))
}

/// Why one file could not be read.
#[derive(Debug)]
enum ScanError {
    /// The file could not be opened or read, or is larger than [`Limits::max_entry_bytes`].
    Entry(EntryError),
    /// The array itself is broken at this element: nothing after it can be trusted.
    Malformed { element: u64, reason: String },
    /// Not a `window.YTD.<name> = ` file at all.
    NotYtd(String),
}

impl From<EntryError> for ScanError {
    fn from(e: EntryError) -> Self {
        ScanError::Entry(e)
    }
}

impl From<io::Error> for ScanError {
    fn from(e: io::Error) -> Self {
        ScanError::Entry(EntryError::from(e))
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Entry(e) => write!(f, "{e}"),
            ScanError::Malformed { element, reason } => write!(f, "element {element}: {reason}"),
            ScanError::NotYtd(reason) => f.write_str(reason),
        }
    }
}

impl ScanError {
    fn into_source(self, run: &Run, entry: &Entry) -> SourceError {
        let path = run.path.clone();
        let label = entry.label();
        match self {
            ScanError::Entry(e) => e.into_source(&path, &entry.item, run.limits.max_entry_bytes),
            ScanError::Malformed { element, reason } => SourceError::Invalid {
                path,
                record: format!("{label} element {element}"),
                reason,
            },
            ScanError::NotYtd(reason) => SourceError::Invalid {
                path,
                record: label.to_string(),
                reason,
            },
        }
    }
}

fn peek<R: BufRead>(r: &mut R) -> io::Result<Option<u8>> {
    Ok(r.fill_buf()?.first().copied())
}

fn next_byte<R: BufRead>(r: &mut R) -> io::Result<Option<u8>> {
    let b = peek(r)?;
    if b.is_some() {
        r.consume(1);
    }
    Ok(b)
}

fn skip_whitespace<R: BufRead>(r: &mut R) -> io::Result<()> {
    while let Some(b) = peek(r)? {
        if !b.is_ascii_whitespace() {
            break;
        }
        r.consume(1);
    }
    Ok(())
}

/// Consumes an optional UTF-8 BOM, whitespace and `window.<global> =`, leaving the reader at
/// the JSON value. Returns the global's name (`YTD.tweets.part0`), or `None` when the file
/// starts with the JSON value itself (a preamble already stripped by some tool).
fn read_preamble<R: BufRead>(r: &mut R) -> Result<Option<String>, ScanError> {
    match peek(r)? {
        Some(0xEF) => {
            r.consume(1);
            if next_byte(r)? != Some(0xBB) || next_byte(r)? != Some(0xBF) {
                return Err(ScanError::NotYtd("not UTF-8 text".into()));
            }
        }
        Some(0xFE | 0xFF) => {
            return Err(ScanError::NotYtd(
                "UTF-16 text, which archives never are; save it as UTF-8".into(),
            ))
        }
        _ => {}
    }
    skip_whitespace(r)?;
    match peek(r)? {
        None => return Err(ScanError::NotYtd("an empty file".into())),
        Some(b'[' | b'{') => return Ok(None),
        Some(_) => {}
    }
    let mut head = Vec::new();
    loop {
        match next_byte(r)? {
            Some(b'=') => break,
            Some(b) if head.len() < MAX_PREAMBLE => head.push(b),
            _ => {
                return Err(ScanError::NotYtd(
                    "it does not start with `window.YTD.<name> = `".into(),
                ))
            }
        }
    }
    let head = String::from_utf8_lossy(&head);
    let global = head
        .trim()
        .strip_prefix("window.")
        .filter(|g| {
            !g.is_empty()
                && g.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        })
        .ok_or_else(|| ScanError::NotYtd("it does not start with `window.YTD.<name> = `".into()))?;
    let global = global.to_string();
    skip_whitespace(r)?;
    Ok(Some(global))
}

/// One array element as the splitter hands it over.
enum Element<'a> {
    Json(&'a [u8]),
    /// Longer than the record limit: its bytes were not kept.
    TooBig,
}

enum Step {
    More,
    Element,
    ElementAndEnd,
    End,
    Broken(&'static str),
}

/// Splits a JSON array into its elements' bytes without parsing them: it follows strings (and
/// their escapes) and brackets, which is all it takes to know where an element ends.
struct Splitter {
    buf: Vec<u8>,
    max_record: usize,
    too_big: bool,
    stack: Vec<u8>,
    /// Brackets opened beyond [`MAX_DEPTH`], counted but not checked.
    overflow: u64,
    in_element: bool,
    in_string: bool,
    escaped: bool,
}

impl Splitter {
    fn new(max_record: usize) -> Self {
        Splitter {
            buf: Vec::new(),
            max_record,
            too_big: false,
            stack: Vec::new(),
            overflow: 0,
            in_element: false,
            in_string: false,
            escaped: false,
        }
    }

    fn keep(&mut self, b: u8) {
        if self.buf.len() < self.max_record {
            self.buf.push(b);
        } else {
            self.too_big = true;
        }
    }

    fn element(&self) -> Element<'_> {
        if self.too_big {
            Element::TooBig
        } else {
            Element::Json(&self.buf)
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.too_big = false;
        self.in_element = false;
    }

    fn feed(&mut self, b: u8) -> Step {
        if !self.in_element {
            match b {
                // Commas between elements are skipped, so a trailing comma (valid JS) is fine.
                b' ' | b'\t' | b'\n' | b'\r' | b',' => return Step::More,
                b']' => return Step::End,
                _ => self.in_element = true,
            }
        }
        if self.in_string {
            self.keep(b);
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Step::More;
        }
        match b {
            b'"' => {
                self.in_string = true;
                self.keep(b);
                Step::More
            }
            b'{' | b'[' => {
                if self.stack.len() < MAX_DEPTH {
                    self.stack.push(b);
                } else {
                    self.overflow += 1;
                }
                self.keep(b);
                Step::More
            }
            b'}' | b']' => {
                if self.overflow > 0 {
                    self.overflow -= 1;
                    self.keep(b);
                    return Step::More;
                }
                match self.stack.pop() {
                    // A scalar element ended by the array's own `]`.
                    None if b == b']' => Step::ElementAndEnd,
                    None => Step::Broken("a '}' that closes nothing"),
                    Some(open) if (open == b'{') != (b == b'}') => {
                        Step::Broken("brackets that do not match")
                    }
                    Some(_) => {
                        self.keep(b);
                        if self.stack.is_empty() {
                            Step::Element
                        } else {
                            Step::More
                        }
                    }
                }
            }
            b',' if self.stack.is_empty() && self.overflow == 0 => Step::Element,
            _ => {
                self.keep(b);
                Step::More
            }
        }
    }
}

/// Walks the JSON array at the reader, calling `on` with each element's index and bytes.
/// Returns the number of elements seen.
fn split_array<R: BufRead>(
    r: &mut R,
    max_record: usize,
    mut on: impl FnMut(u64, Element<'_>) -> ControlFlow<()>,
) -> Result<u64, ScanError> {
    match next_byte(r)? {
        Some(b'[') => {}
        _ => {
            return Err(ScanError::Malformed {
                element: 0,
                reason: "expected a JSON array after `=`".into(),
            })
        }
    }
    let mut st = Splitter::new(max_record);
    let mut index = 0u64;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Err(ScanError::Malformed {
                element: index,
                reason: "the file ends inside the array (truncated?)".into(),
            });
        }
        let mut used = 0;
        let mut done = false;
        for &b in chunk {
            used += 1;
            match st.feed(b) {
                Step::More => {}
                Step::Element => {
                    let flow = on(index, st.element());
                    index += 1;
                    st.reset();
                    if flow.is_break() {
                        done = true;
                        break;
                    }
                }
                Step::ElementAndEnd => {
                    let _ = on(index, st.element());
                    index += 1;
                    done = true;
                    break;
                }
                Step::End => {
                    done = true;
                    break;
                }
                Step::Broken(reason) => {
                    return Err(ScanError::Malformed {
                        element: index,
                        reason: format!("not a valid JSON array: {reason}"),
                    })
                }
            }
        }
        r.consume(used);
        if done {
            return Ok(index);
        }
    }
}

/// Parses one element's bytes; bytes that are not UTF-8 are replaced, not refused.
fn parse_element(bytes: &[u8]) -> Result<Value, String> {
    let parsed = match std::str::from_utf8(bytes) {
        Ok(s) => serde_json::from_str(s),
        Err(_) => serde_json::from_str(&String::from_utf8_lossy(bytes)),
    };
    parsed.map_err(|e| format!("not valid JSON: {e}"))
}

/// Reads one `window.YTD.x = [ … ]` file, element by element. `on` gets the record label
/// ("data/tweets.js element 17") and the parsed element; damaged elements are counted here.
fn read_array_file(
    input: &mut Input,
    entry: &Entry,
    run: &mut Run,
    mut on: impl FnMut(&mut Run, String, &Value),
) -> Result<u64, ScanError> {
    if run.stopped {
        return Ok(0);
    }
    let reader = input.open(entry, run.limits.max_entry_bytes)?;
    let mut reader = BufReader::with_capacity(64 << 10, reader);
    read_preamble(&mut reader)?;
    let max_record = run.limits.max_record_bytes;
    let label = entry.label();
    split_array(&mut reader, max_record, |index, element| {
        if !run.admit(label) {
            return ControlFlow::Break(());
        }
        let record = format!("{label} element {index}");
        match element {
            Element::TooBig => run
                .skipped
                .note(record, format!("larger than {max_record} bytes")),
            Element::Json(bytes) => match parse_element(bytes) {
                Ok(v) => on(run, record, &v),
                Err(reason) => run.skipped.note(record, reason),
            },
        }
        ControlFlow::Continue(())
    })
}

/// Reads a small whole-value file (`manifest.js`, `account.js`).
fn read_small_file(input: &mut Input, entry: &Entry, limits: &Limits) -> Result<Value, String> {
    let limit = limits.max_entry_bytes.min(MAX_SMALL_FILE);
    let reader = input.open(entry, limit).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(reader);
    read_preamble(&mut reader).map_err(|e| e.to_string())?;
    let mut de = serde_json::Deserializer::from_reader(reader);
    <Value as serde::Deserialize>::deserialize(&mut de).map_err(|e| {
        if e.is_io() {
            ScanError::from(io::Error::from(e)).to_string()
        } else {
            format!("not valid JSON: {e}")
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The account.

#[derive(Debug, Default)]
struct Identity {
    user_name: Option<String>,
    account_id: Option<String>,
}

/// The account from `manifest.js` (`userInfo`), else `account.js`.
fn read_identity(input: &mut Input, run: &mut Run) -> Identity {
    let mut identity = Identity::default();
    for role in [Role::Manifest, Role::Account] {
        for entry in input.entries_of(role) {
            let value = match read_small_file(input, &entry, &run.limits) {
                Ok(v) => v,
                Err(reason) => {
                    run.skipped.note(entry.label().to_string(), reason);
                    continue;
                }
            };
            let (name, id) = match role {
                Role::Manifest => {
                    let info = value.get("userInfo");
                    (
                        info.and_then(|i| i.get("userName")),
                        info.and_then(|i| i.get("accountId")),
                    )
                }
                Role::Account => {
                    let account = value
                        .as_array()
                        .and_then(|a| a.first())
                        .and_then(|e| e.get("account"));
                    (
                        account.and_then(|a| a.get("username")),
                        account.and_then(|a| a.get("accountId")),
                    )
                }
                // Only the two files above name the account.
                Role::NoteTweets | Role::Tweets | Role::DirectMessages => continue,
            };
            if identity.user_name.is_none() {
                identity.user_name = name
                    .and_then(Value::as_str)
                    .map(|n| n.trim().trim_start_matches('@').to_string())
                    .filter(|n| !n.is_empty());
            }
            if identity.account_id.is_none() {
                identity.account_id = id.and_then(id_value);
            }
        }
    }
    identity
}

/// The one user id that appears in every `conversationId` ("<uid>-<uid>"), if there is one.
fn account_in_every_conversation(conversations: &[String]) -> Option<String> {
    let mut iter = conversations.iter();
    let mut common: HashSet<&str> = iter.next()?.split('-').collect();
    for c in iter {
        let ids: HashSet<&str> = c.split('-').collect();
        common.retain(|id| ids.contains(id));
    }
    if common.len() == 1 {
        common.into_iter().next().map(str::to_string)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Tweets.

/// A post plus what edit collapsing needs.
#[derive(Debug)]
struct Tweet {
    post: Post,
    /// The initial id of the edit chain this tweet belongs to, when it has edits.
    edit_of: Option<String>,
}

#[derive(Debug)]
struct TweetError {
    id: Option<String>,
    reason: String,
}

/// An id: a string of digits or (in files made by other tools) a JSON integer.
fn id_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
        }
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// An optional id field: absent, null and "" are `None`; anything else must be an id.
fn optional_id(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => id_value(v)
            .map(Some)
            .ok_or_else(|| format!("{key} is not an id")),
    }
}

/// An optional string field: absent and null are `None`; other types are damage.
fn optional_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} is not a string")),
    }
}

fn tweet_from_value(element: &Value) -> Result<Tweet, TweetError> {
    let damaged = |id: Option<&str>, reason: String| TweetError {
        id: id.map(str::to_string),
        reason,
    };
    // Archives wrap each tweet in {"tweet": …}; the oldest (2019) ones did not.
    let obj = match element.get("tweet") {
        Some(Value::Object(t)) => t,
        Some(_) => return Err(damaged(None, "tweet is not an object".into())),
        None => element
            .as_object()
            .ok_or_else(|| damaged(None, "not a JSON object".into()))?,
    };
    let id = optional_id(obj, "id_str")
        .and_then(|id| match id {
            Some(id) => Ok(Some(id)),
            None => optional_id(obj, "id"),
        })
        .map_err(|r| damaged(None, r))?
        .ok_or_else(|| damaged(None, "no id_str".into()))?;
    let at = |r: String| damaged(Some(&id), r);

    let created = optional_str(obj, "created_at")
        .map_err(at)?
        .ok_or_else(|| at("no created_at".into()))?;
    let created_at = DateTime::parse_from_str(created.trim(), CREATED_AT_FORMAT)
        .map_err(|_| at(format!("unreadable created_at {:?}", shorten(created, 40))))?
        .with_timezone(&Utc);

    let raw_text = match optional_str(obj, "full_text").map_err(at)? {
        Some(t) => t,
        None => optional_str(obj, "text")
            .map_err(at)?
            .ok_or_else(|| at("no full_text".into()))?,
    };
    let text = html_escape::decode_html_entities(raw_text).into_owned();

    let mut post = Post::new(id.clone(), created_at, text);

    let urls = obj
        .get("entities")
        .and_then(|e| e.get("urls"))
        .and_then(Value::as_array);
    if let Some(urls) = urls {
        for u in urls {
            let link = u
                .get("expanded_url")
                .and_then(Value::as_str)
                .or_else(|| u.get("url").and_then(Value::as_str));
            if let Some(link) = link.map(str::trim).filter(|l| !l.is_empty()) {
                post.links.push(link.to_string());
            }
        }
    }

    let parent = match optional_id(obj, "in_reply_to_status_id_str").map_err(at)? {
        Some(p) => Some(p),
        None => optional_id(obj, "in_reply_to_status_id").map_err(at)?,
    };
    post.kind = if let Some(parent) = parent {
        post.reply_to_created_at = created_at_from_id(Platform::Twitter, &parent);
        post.reply_to_account = optional_str(obj, "in_reply_to_screen_name")
            .map_err(at)?
            .map(|s| s.trim_start_matches('@').to_string())
            .filter(|s| !s.is_empty());
        post.reply_to_id = Some(parent);
        PostKind::Reply
    } else if RETWEET.is_match(&post.text) {
        PostKind::Repost
    } else if post.links.iter().any(|l| STATUS_URL.is_match(l)) {
        PostKind::Quote
    } else {
        PostKind::Original
    };

    post.client = optional_str(obj, "source")
        .map_err(at)?
        .and_then(client_name);
    post.lang = optional_str(obj, "lang")
        .map_err(at)?
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string);

    let edit_of = edit_chain(obj, &id);
    Ok(Tweet { post, edit_of })
}

/// The posting app from `source`: the anchor text of `<a href=…>Twitter Web App</a>`.
fn client_name(source: &str) -> Option<String> {
    let s = source.trim();
    let text = match s.strip_prefix('<') {
        Some(_) => {
            let after = &s[s.find('>').map_or(s.len(), |i| i + 1)..];
            &after[..after.find('<').unwrap_or(after.len())]
        }
        None => s,
    };
    let name = html_escape::decode_html_entities(text).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The initial id of a tweet's edit chain, when the tweet is part of one: an edit names it in
/// `edit_info.edit.initialTweetId`; an initial tweet that was edited lists more than one id in
/// `edit_info.initial.editTweetIds`.
fn edit_chain(obj: &Map<String, Value>, own_id: &str) -> Option<String> {
    let info = obj.get("edit_info")?;
    if let Some(edit) = info.get("edit") {
        let initial = edit.get("initialTweetId").and_then(id_value).or_else(|| {
            edit.get("editControlInitial")
                .and_then(|c| c.get("editTweetIds"))
                .and_then(Value::as_array)
                .and_then(|ids| ids.first())
                .and_then(id_value)
        });
        if let Some(initial) = initial {
            return Some(initial);
        }
    }
    let ids = info
        .get("initial")
        .and_then(|i| i.get("editTweetIds"))
        .and_then(Value::as_array)?;
    (ids.len() > 1).then(|| own_id.to_string())
}

/// Orders numeric ids as numbers (longer is larger) without parsing them.
fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// One post per edit chain: the initial id and time, the latest version's text and fields.
fn collapse_edits(tweets: Vec<Tweet>) -> Vec<Post> {
    let mut posts = Vec::with_capacity(tweets.len());
    let mut chains: HashMap<String, Vec<Post>> = HashMap::new();
    // An initial tweet whose own `editTweetIds` lists only itself still heads the chain its
    // edits name.
    let named: HashSet<String> = tweets.iter().filter_map(|t| t.edit_of.clone()).collect();
    for t in tweets {
        let chain = t
            .edit_of
            .or_else(|| named.contains(&t.post.id).then(|| t.post.id.clone()));
        match chain {
            Some(initial) => chains.entry(initial).or_default().push(t.post),
            None => posts.push(t.post),
        }
    }
    for (initial, versions) in chains {
        let first_time = versions
            .iter()
            .find(|p| p.id == initial)
            .map(|p| p.created_at)
            .or_else(|| created_at_from_id(Platform::Twitter, &initial))
            .or_else(|| versions.iter().map(|p| p.created_at).min());
        let latest = versions.into_iter().max_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| id_order(&a.id, &b.id))
        });
        if let (Some(mut post), Some(time)) = (latest, first_time) {
            post.id = initial;
            post.created_at = time;
            posts.push(post);
        }
    }
    posts
}

// ---------------------------------------------------------------------------------------------
// Long posts.

#[derive(Debug, Clone)]
struct Note {
    created_at: DateTime<Utc>,
    text: String,
    /// The text as compared with tweet prefixes (see [`comparable`]).
    key: String,
}

fn note_from_value(element: &Value) -> Result<Note, String> {
    let note = element
        .get("noteTweet")
        .ok_or_else(|| "no noteTweet".to_string())?;
    let created = note
        .get("createdAt")
        .and_then(Value::as_str)
        .ok_or_else(|| "no createdAt".to_string())?;
    let created_at = DateTime::parse_from_rfc3339(created.trim())
        .map_err(|_| format!("unreadable createdAt {:?}", shorten(created, 40)))?
        .with_timezone(&Utc);
    let raw = note
        .get("core")
        .and_then(|c| c.get("text"))
        .and_then(Value::as_str)
        .ok_or_else(|| "no core.text".to_string())?;
    let text = html_escape::decode_html_entities(raw).into_owned();
    let key = comparable(&text);
    Ok(Note {
        created_at,
        text,
        key,
    })
}

/// Text reduced to what a tweet and its note share: no leading @mentions (the tweet has them,
/// the note may not), nothing from the first t.co link on (the note has the real URL), no
/// final `…`, whitespace runs as one space.
fn comparable(text: &str) -> String {
    let text = LEADING_MENTIONS.replace(text, "");
    let text = match text.find("https://t.co/") {
        Some(i) => &text[..i],
        None => &text,
    };
    let text = text.trim_end().trim_end_matches('…');
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces a truncated tweet text by its note's full text (rule in the module docs).
fn apply_note(post: &mut Post, notes: &[Note]) {
    if notes.is_empty() {
        return;
    }
    let window = Duration::seconds(NOTE_MATCH_SECS);
    let from = notes.partition_point(|n| n.created_at < post.created_at - window);
    let to = notes.partition_point(|n| n.created_at <= post.created_at + window);
    let Some(near) = notes.get(from..to).filter(|n| !n.is_empty()) else {
        return;
    };
    let key = comparable(&post.text);
    let prefix: String = key.chars().take(NOTE_PREFIX_CHARS).collect();
    let found = if prefix.is_empty() {
        match near {
            [only] => Some(only),
            _ => None,
        }
    } else {
        near.iter()
            .filter(|n| n.key.starts_with(&prefix))
            .min_by_key(|n| (n.created_at - post.created_at).abs())
    };
    if let Some(note) = found {
        post.text = note.text.clone();
    }
}

// ---------------------------------------------------------------------------------------------
// Direct messages.

/// Where the DM visitors put what they find.
struct DmSink<'r> {
    run: &'r mut Run,
    label: String,
    /// Bytes read since the current message started, against the record limit.
    record_bytes: &'r Cell<usize>,
    account_id: Option<&'r str>,
    out: &'r mut Vec<DirectMessage>,
    conversations: &'r mut Vec<String>,
    conversation: u64,
}

/// Counts bytes for [`DmSink::record_bytes`] and fails once one message is too long.
struct RecordBudget<'c, R> {
    inner: R,
    used: &'c Cell<usize>,
    max: usize,
}

/// Raised (inside an `io::Error`) when one message is longer than the record limit.
#[derive(Debug)]
struct RecordTooLarge;

impl fmt::Display for RecordTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("message larger than the record limit")
    }
}

impl std::error::Error for RecordTooLarge {}

impl<R: Read> Read for RecordBudget<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.used.get() >= self.max {
            return Err(io::Error::other(RecordTooLarge));
        }
        let want = buf.len().min(self.max - self.used.get());
        let n = self.inner.read(&mut buf[..want])?;
        self.used.set(self.used.get() + n);
        Ok(n)
    }
}

fn read_dm_file(
    input: &mut Input,
    entry: &Entry,
    run: &mut Run,
    account_id: Option<&str>,
    out: &mut Vec<DirectMessage>,
    conversations: &mut Vec<String>,
) -> Result<(), ScanError> {
    if run.stopped {
        return Ok(());
    }
    let max_record = run.limits.max_record_bytes;
    let reader = input.open(entry, run.limits.max_entry_bytes)?;
    let mut reader = BufReader::with_capacity(64 << 10, reader);
    read_preamble(&mut reader)?;
    let record_bytes = Cell::new(0);
    let budget = RecordBudget {
        inner: reader,
        used: &record_bytes,
        max: max_record,
    };
    let mut de = serde_json::Deserializer::from_reader(budget);
    let mut sink = DmSink {
        run,
        label: entry.label().to_string(),
        record_bytes: &record_bytes,
        account_id,
        out,
        conversations,
        conversation: 0,
    };
    let result = Conversations(&mut sink).deserialize(&mut de);
    let element = sink.conversation;
    result.map_err(|e| {
        if !e.is_io() {
            return ScanError::Malformed {
                element,
                reason: format!("not valid JSON: {e}"),
            };
        }
        // serde_json hands the reader's own error back.
        let io = io::Error::from(e);
        if io.get_ref().is_some_and(|i| i.is::<RecordTooLarge>()) {
            ScanError::Malformed {
                element,
                reason: format!("a message larger than {max_record} bytes"),
            }
        } else {
            ScanError::from(io)
        }
    })
}

/// The top-level array of conversations.
struct Conversations<'s, 'r>(&'s mut DmSink<'r>);

impl<'de> DeserializeSeed<'de> for Conversations<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Conversations<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of conversations")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.0.record_bytes.set(0);
            if seq.next_element_seed(Conversation(&mut *self.0))?.is_none() {
                return Ok(());
            }
            self.0.conversation += 1;
        }
    }
}

/// One `{"dmConversation": {…}}` element.
struct Conversation<'s, 'r>(&'s mut DmSink<'r>);

impl Conversation<'_, '_> {
    fn damaged(self) {
        let record = format!("{} element {}", self.0.label, self.0.conversation);
        self.0.run.skipped.note(record, "not a conversation object");
    }
}

impl<'de> DeserializeSeed<'de> for Conversation<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Conversation<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a conversation object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "dmConversation" {
                map.next_value_seed(ConversationBody(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.damaged();
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.damaged();
        Ok(())
    }
}

/// The `{conversationId, messages}` object.
struct ConversationBody<'s, 'r>(&'s mut DmSink<'r>);

impl<'de> DeserializeSeed<'de> for ConversationBody<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ConversationBody<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a dmConversation object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut conversation_id = None;
        let mut messages = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "conversationId" => {
                    conversation_id = map.next_value::<Value>()?.as_str().map(str::to_string);
                }
                "messages" => {
                    messages = map.next_value_seed(Messages(&mut *self.0))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let conversation_id = conversation_id.unwrap_or_default();
        if !conversation_id.is_empty() {
            self.0.conversations.push(conversation_id.clone());
        }
        for mut m in messages {
            m.conversation_id.clone_from(&conversation_id);
            self.0.out.push(m);
        }
        Ok(())
    }
}

/// The `messages` array, read one message at a time.
struct Messages<'s, 'r>(&'s mut DmSink<'r>);

impl<'de> DeserializeSeed<'de> for Messages<'_, '_> {
    type Value = Vec<DirectMessage>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Messages<'_, '_> {
    type Value = Vec<DirectMessage>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let sink = self.0;
        let mut kept = Vec::new();
        let mut index = 0u64;
        loop {
            sink.record_bytes.set(0);
            let Some(message) = seq.next_element::<Value>()? else {
                return Ok(kept);
            };
            let record = format!(
                "{} element {} message {index}",
                sink.label, sink.conversation
            );
            index += 1;
            // Reactions and join/leave events are not messages.
            let Some(create) = message.get("messageCreate") else {
                continue;
            };
            if !sink.run.admit(&sink.label) {
                continue;
            }
            match dm_from_value(create) {
                Ok(dm) => {
                    if sink.account_id.is_none_or(|id| id == dm.sender) {
                        kept.push(dm);
                    }
                }
                Err(reason) => sink.run.skipped.note(record, reason),
            }
        }
    }
}

fn dm_from_value(create: &Value) -> Result<DirectMessage, String> {
    let obj = create
        .as_object()
        .ok_or_else(|| "messageCreate is not an object".to_string())?;
    let id = optional_id(obj, "id")?.ok_or_else(|| "no id".to_string())?;
    let sender = optional_id(obj, "senderId")?.ok_or_else(|| "no senderId".to_string())?;
    let recipient = optional_id(obj, "recipientId")?;
    let created = optional_str(obj, "createdAt")?.ok_or_else(|| "no createdAt".to_string())?;
    let created_at = DateTime::parse_from_rfc3339(created.trim())
        .map_err(|_| format!("unreadable createdAt {:?}", shorten(created, 40)))?
        .with_timezone(&Utc);
    let text = optional_str(obj, "text")?.unwrap_or_default();
    Ok(DirectMessage {
        conversation_id: String::new(),
        id,
        sender,
        recipient,
        created_at,
        text: html_escape::decode_html_entities(text).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &str, max_record: usize) -> Result<Vec<Option<String>>, ScanError> {
        let mut out = Vec::new();
        let mut r = io::Cursor::new(input.as_bytes());
        split_array(&mut r, max_record, |_, el| {
            out.push(match el {
                Element::Json(b) => Some(String::from_utf8_lossy(b).into_owned()),
                Element::TooBig => None,
            });
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    #[test]
    fn splitter_follows_strings_and_brackets() {
        let got = split(r#"[ {"a":"x]}\"{"} , [1,[2]], 3 ,"s,]" ]"#, 1000).unwrap();
        assert_eq!(
            got,
            [
                Some(r#"{"a":"x]}\"{"}"#.to_string()),
                Some("[1,[2]]".to_string()),
                Some("3 ".to_string()),
                Some(r#""s,]" "#.to_string()),
            ]
        );
        assert_eq!(split("[ ]", 10).unwrap(), Vec::<Option<String>>::new());
        assert_eq!(split("[1,2]", 10).unwrap().len(), 2);
    }

    #[test]
    fn splitter_skips_big_elements_and_goes_on() {
        let big = format!(r#"[{{"t":"{}"}},{{"t":"ok"}}]"#, "x".repeat(100));
        let got = split(&big, 50).unwrap();
        assert_eq!(got, [None, Some(r#"{"t":"ok"}"#.to_string())]);
    }

    #[test]
    fn splitter_refuses_truncated_and_unbalanced_arrays() {
        assert!(matches!(
            split(r#"[{"a":1},{"b":"#, 100),
            Err(ScanError::Malformed { element: 1, .. })
        ));
        assert!(matches!(
            split(r#"[{"a":1]]"#, 100),
            Err(ScanError::Malformed { element: 0, .. })
        ));
        assert!(matches!(split("{}", 100), Err(ScanError::Malformed { .. })));
    }

    #[test]
    fn deep_nesting_is_bounded_and_the_element_is_damaged() {
        let deep = format!("[{}{}, {{}}]", "[".repeat(10_000), "]".repeat(10_000));
        let got = split(&deep, 1 << 20).unwrap();
        assert_eq!(got.len(), 2);
        let first = got[0].as_deref().unwrap();
        assert!(parse_element(first.as_bytes()).is_err());
    }

    #[test]
    fn preamble_handles_bom_plain_json_and_refuses_other_files() {
        let mut r = io::Cursor::new(b"\xEF\xBB\xBF window.YTD.tweets.part0 = [".to_vec());
        assert_eq!(
            read_preamble(&mut r).unwrap().as_deref(),
            Some("YTD.tweets.part0")
        );
        assert_eq!(next_byte(&mut r).unwrap(), Some(b'['));
        let mut r = io::Cursor::new(b"  [1]".to_vec());
        assert_eq!(read_preamble(&mut r).unwrap(), None);
        for bad in [
            &b"\xFF\xFEw\0i\0"[..],
            b"\x89PNG\r\n\x1a\n\0\0",
            b"",
            b"hello = [",
        ] {
            let mut r = io::Cursor::new(bad.to_vec());
            assert!(
                matches!(read_preamble(&mut r), Err(ScanError::NotYtd(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn client_is_the_anchor_text() {
        assert_eq!(
            client_name(
                r#"<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>"#
            )
            .as_deref(),
            Some("Twitter Web App")
        );
        assert_eq!(
            client_name(r#"<a href="x">A &amp; B</a>"#).as_deref(),
            Some("A & B")
        );
        assert_eq!(client_name("web").as_deref(), Some("web"));
        assert_eq!(client_name(r#"<a href="x"></a>"#), None);
        assert_eq!(client_name("<a href=\"x\""), None);
    }

    fn tweet(fields: Value) -> Value {
        let mut t = serde_json::json!({
            "id_str": "2029905358261502168",
            "created_at": "Fri Mar 06 13:02:05 +0000 2026",
            "full_text": "hello",
        });
        if let (Some(t), Some(extra)) = (t.as_object_mut(), fields.as_object()) {
            for (k, v) in extra {
                t.insert(k.clone(), v.clone());
            }
        }
        serde_json::json!({ "tweet": t })
    }

    #[test]
    fn kinds_follow_the_archive_quirks() {
        let reply = tweet(serde_json::json!({
            "in_reply_to_status_id_str": "2029903943413772741",
            "in_reply_to_screen_name": "milahu104",
        }));
        let p = tweet_from_value(&reply).unwrap().post;
        assert_eq!(p.kind, PostKind::Reply);
        assert_eq!(p.reply_to_account.as_deref(), Some("milahu104"));
        assert_eq!(
            p.reply_to_created_at,
            created_at_from_id(Platform::Twitter, "2029903943413772741")
        );

        // Only a user id: the text starts with a mention, it answers nothing.
        let mention = tweet(serde_json::json!({
            "in_reply_to_user_id_str": "1", "in_reply_to_screen_name": "a",
        }));
        let p = tweet_from_value(&mention).unwrap().post;
        assert_eq!(p.kind, PostKind::Original);
        assert_eq!(p.reply_to_account, None);

        let rt = tweet(serde_json::json!({"full_text": "RT @someone: hi &amp; bye"}));
        let p = tweet_from_value(&rt).unwrap().post;
        assert_eq!(p.kind, PostKind::Repost);
        assert_eq!(p.text, "RT @someone: hi & bye");

        let quote = tweet(serde_json::json!({"entities": {"urls": [
            {"url": "https://t.co/a", "expanded_url": "https://x.com/who/status/123"}
        ]}}));
        assert_eq!(tweet_from_value(&quote).unwrap().post.kind, PostKind::Quote);
        let web = tweet(serde_json::json!({"entities": {"urls": [
            {"expanded_url": "https://twitter.com/i/web/status/123"}
        ]}}));
        assert_eq!(
            tweet_from_value(&web).unwrap().post.kind,
            PostKind::Original
        );
    }

    #[test]
    fn damaged_tweets_say_why() {
        let cases = [
            (
                serde_json::json!({"tweet": {"created_at": "x"}}),
                "no id_str",
            ),
            (
                tweet(serde_json::json!({"created_at": "Mon Feb 30 10:00:00 +0000 2026"})),
                "unreadable created_at",
            ),
            (
                tweet(serde_json::json!({"full_text": 5})),
                "full_text is not a string",
            ),
            (
                tweet(serde_json::json!({"id_str": "12a"})),
                "id_str is not an id",
            ),
            (serde_json::json!([1]), "not a JSON object"),
        ];
        for (value, want) in cases {
            let err = tweet_from_value(&value).unwrap_err();
            assert!(err.reason.contains(want), "{} vs {want}", err.reason);
        }
    }

    #[test]
    fn edits_collapse_to_the_initial_id_and_time_with_the_latest_text() {
        let first = tweet(serde_json::json!({
            "id_str": "100000000000000001",
            "created_at": "Fri Mar 06 13:00:00 +0000 2026",
            "full_text": "tpyo",
            "edit_info": {"initial": {"editTweetIds": ["100000000000000001", "100000000000000002"]}},
        }));
        let second = tweet(serde_json::json!({
            "id_str": "100000000000000002",
            "created_at": "Fri Mar 06 13:03:00 +0000 2026",
            "full_text": "typo",
            "edit_info": {"edit": {"initialTweetId": "100000000000000001"}},
        }));
        let other = tweet(serde_json::json!({"id_str": "100000000000000003"}));
        let collapse = |values: &[&Value]| {
            let tweets = values
                .iter()
                .map(|v| tweet_from_value(v).unwrap())
                .collect();
            let mut posts = collapse_edits(tweets);
            posts.sort_by(|a, b| a.id.cmp(&b.id));
            posts
        };
        let posts = collapse(&[&second, &other, &first]);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].id, "100000000000000001");
        assert_eq!(posts[0].text, "typo");
        assert_eq!(
            posts[0].created_at.to_rfc3339(),
            "2026-03-06T13:00:00+00:00"
        );

        // The initial version does not list its edit: the edit still joins it.
        let mut lone_first = first.clone();
        lone_first["tweet"]["edit_info"]["initial"]["editTweetIds"] =
            serde_json::json!(["100000000000000001"]);
        let posts = collapse(&[&lone_first, &second]);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].id, "100000000000000001");
        assert_eq!(posts[0].text, "typo");
    }

    #[test]
    fn notes_replace_truncated_text_by_time_and_prefix() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let note = |t: &str, text: &str| Note {
            created_at: at(t),
            text: text.into(),
            key: comparable(text),
        };
        let long = format!(
            "{} the end",
            "A long thought about many things, ".repeat(10)
        );
        let notes = vec![
            note(
                "2026-03-06T13:00:01Z",
                "Something else entirely, also long enough",
            ),
            note("2026-03-06T13:00:02Z", &long),
        ];
        let truncated = format!(
            "@friend {}… https://t.co/abc",
            &long[..long.char_indices().nth(270).unwrap().0]
        );
        let mut p = Post::new("1", at("2026-03-06T13:00:00Z"), truncated);
        apply_note(&mut p, &notes);
        assert_eq!(p.text, long);

        // Same text, too far apart in time: left alone.
        let mut far = Post::new("2", at("2026-03-06T13:01:00Z"), long[..100].to_string());
        apply_note(&mut far, &notes);
        assert_eq!(far.text, long[..100]);

        // Close in time, different text: left alone.
        let mut other = Post::new("3", at("2026-03-06T13:00:02Z"), "Unrelated words here");
        apply_note(&mut other, &notes);
        assert_eq!(other.text, "Unrelated words here");
    }

    #[test]
    fn sniff_recognises_archives_and_nothing_else() {
        let text = |head: &[u8]| Sniff {
            name: "x.txt".into(),
            content: Content::Text(crate::sources::Text {
                head: head.to_vec(),
                truncated: false,
            }),
        };
        assert_eq!(
            sniff(&text(b"\n window.YTD.direct_messages.part0 = [")),
            Verdict::Mine
        );
        assert_eq!(sniff(&text(b"window.__THAR_CONFIG = {")), Verdict::No);
        assert_eq!(sniff(&text(b"{\"orderedItems\": []}")), Verdict::No);

        let dir = tempfile::tempdir().unwrap();
        let zip_of = |names: &[&str]| {
            let path = dir.path().join("a.zip");
            let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
            for name in names {
                z.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            z.finish().unwrap();
            sniff(&Sniff::gather(&path).unwrap())
        };
        let mine = [
            &[
                "twitter-2026/data/manifest.js",
                "twitter-2026/data/tweets-part1.js",
            ][..],
            &["data/direct-messages.js"],
            &["tweet.js"],
        ];
        for names in mine {
            assert_eq!(zip_of(names), Verdict::Mine, "{names:?}");
        }
        for names in [
            &["src/tweet.js", "data/note-tweet.js"][..],
            &["outbox.json"],
        ] {
            assert!(matches!(zip_of(names), Verdict::NearMiss(_)), "{names:?}");
        }
    }

    #[test]
    fn account_id_is_the_one_in_every_conversation() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            account_in_every_conversation(&c(&["1-2", "3-1", "1-4"])).as_deref(),
            Some("1")
        );
        assert_eq!(account_in_every_conversation(&c(&["1-2"])), None);
        assert_eq!(account_in_every_conversation(&c(&[])), None);
    }
}
