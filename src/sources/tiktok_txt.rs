//! The TXT variant of TikTok's "Download your data" (part of the `tiktok` input format, which
//! hands it here): a zip or folder of `.txt` files, one per section, recognised by [`sniff`]
//! and read by [`read`] into the same timeline as the JSON variant (`tiktok.rs` builds the
//! posts and messages for both).
//!
//! The layout rests on what data-donation extractors run on real TXT downloads (d3i's `port`
//! TikTok script): each file is a list of entries, an entry being `Key: value` lines
//! (`Date: 2023-01-15 12:34:56` then `Link: …`) and entries parted by blank lines; files are
//! found by their name (`Browsing History.txt`, `Comments.txt`, `Direct Messages.txt`,
//! `Profile Info.txt`), whichever section folder holds them. Read here: `Videos.txt` (the
//! account's posts: `Date`, `Link`, `Likes`), `Comments.txt` (`Date`, `Comment`), `Direct
//! Messages.txt` (chats under `>>> Chat History with <name>::` headers, a message being `Date`,
//! `From`, `Content`, on one line or on three) and `Profile Info.txt` (`Username`). Every other
//! file (watch history, likes, logins, searches) is skipped unopened.
//!
//! Quirks: dates have no zone (read as UTC, as the JSON reader does); a comment's text can run
//! over several lines, so only a key the file is known to use starts a field, and any other
//! line continues the field before it; a key seen again in an entry starts the next entry even
//! without a blank line; a byte order mark and CRLF line ends are allowed. An entry without a
//! readable date is skipped and named (`Comments/Comments.txt entry 2`).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::archive::{Archive, ArchiveKind, Entry, EntryError};
use super::meta::{download_files, place_in_download};
use super::tiktok;
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::Skipped;

/// The section folders of the download, for [`place_in_download`] (a zip wrapping them in one
/// more folder has it dropped).
const TOPS: [&str; 8] = [
    "videos/",
    "video/",
    "comments/",
    "comment/",
    "direct messages/",
    "direct message/",
    "profile/",
    "activity/",
];

/// The files of the TXT download that are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `Videos.txt`: the account's own posts.
    Videos,
    /// `Comments.txt`: the comments the account wrote.
    Comments,
    /// `Direct Messages.txt`: every chat.
    Messages,
    /// `Profile Info.txt`: the username.
    Profile,
}

impl Role {
    /// The role of a file by its lower-cased name.
    fn of_file(file: &str) -> Option<Role> {
        match file {
            "videos.txt" => Some(Role::Videos),
            "comments.txt" => Some(Role::Comments),
            "direct messages.txt" => Some(Role::Messages),
            "profile info.txt" => Some(Role::Profile),
            _ => None,
        }
    }

    /// The keys that start a field in this file; any other line continues the field before.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Role::Videos => &["Date", "Link", "Likes", "Title"],
            Role::Comments => &["Date", "Comment"],
            Role::Messages => &["Date", "From", "Content"],
            Role::Profile => &["Username", "User Name", "Bio Description", "Birthdate"],
        }
    }
}

/// The role of an entry of a zip or folder: a known file name at the download's top or one
/// section folder down.
fn role_of(entry: &Entry, kind: ArchiveKind) -> Option<Role> {
    let path = entry.name.to_ascii_lowercase();
    let (folder, file) = place_in_download(&path, kind, &TOPS);
    if folder.contains('/') {
        return None;
    }
    Role::of_file(file)
}

/// Whether a zip or folder holds one of the files that make a timeline (a profile alone does
/// not).
fn has_content(archive: &Archive) -> bool {
    archive.entries().iter().any(|e| {
        matches!(
            role_of(e, archive.kind()),
            Some(Role::Videos | Role::Comments | Role::Messages)
        )
    })
}

/// Recognises the TXT download: a zip or folder with `Videos.txt`, `Comments.txt` or `Direct
/// Messages.txt` (at the top or in a section folder) and no `user_data.json`; or one of those
/// files alone when it starts like one (`Date:` or `>>> Chat History with`). The folder is
/// claimed, unlike the JSON variant's, since its files only make one account together.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let head = text.lossy();
            let body = head.trim_start();
            let shaped = body.starts_with("Date:") || body.starts_with(">>> Chat History with");
            let named = matches!(
                Role::of_file(&input.name),
                Some(Role::Videos | Role::Comments | Role::Messages)
            );
            if shaped && named {
                Verdict::Mine
            } else {
                Verdict::No
            }
        }
        Content::Archive(archive) => {
            let json = archive
                .entries()
                .iter()
                .any(|e| tiktok::is_user_data(e, archive.kind()));
            if !json && has_content(archive) {
                Verdict::Mine
            } else {
                Verdict::No
            }
        }
    }
}

/// Whether `tiktok::read` should hand `path` here: a zip or folder that [`sniff`] takes, or a
/// single `.txt` file.
pub fn claims(path: &Path) -> Result<bool, SourceError> {
    match Archive::open(path)? {
        Some(archive) => Ok(sniff(&Sniff {
            name: String::new(),
            content: Content::Archive(archive),
        }) == Verdict::Mine),
        None => Ok(path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))),
    }
}

/// Reads the TXT download: a zip, a folder, or one of its files alone (a lone file has no
/// profile, so its account is [`tiktok::UNKNOWN_ACCOUNT`] and its sent messages are not told
/// apart).
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, first) = Archive::open_with(
        path,
        &[],
        |a| a.entries().iter().find(|e| role_of(e, a.kind()).is_some()),
        "Videos.txt, Comments.txt or Direct Messages.txt (TikTok TXT download)",
    )?;
    let lone_role = Role::of_file(&first.file_name().to_ascii_lowercase());
    let mut files = download_files(
        &archive,
        path,
        first,
        |_| lone_role,
        |e, k| role_of(e, k).map(Some),
    );
    // The profile first: the account decides which messages are the account's.
    files.sort_by_key(|(_, role)| *role != Some(Role::Profile));

    let mut skipped = Skipped::default();
    let mut account: Option<String> = None;
    let mut timeline = tiktok::new_timeline(None);
    let mut comments_seen = false;
    let mut records = 0u64;
    for (entry, role) in files {
        let Some(role) = role else {
            return Err(SourceError::UnknownFormat {
                path: path.to_path_buf(),
                reason: "not a file of TikTok's TXT download (Videos.txt, Comments.txt, \
                         Direct Messages.txt)"
                    .into(),
            });
        };
        let reader = archive
            .open_entry(&entry, limits.max_entry_bytes)
            .map_err(|e| e.into_source(path, &entry, limits.max_entry_bytes))?;
        let mut chat: Option<String> = None;
        let mut each = |number: u64, item: Item| {
            let record = format!("{} entry {number}", entry.name);
            let block = match item {
                Item::Chat(title) => {
                    chat = Some(tiktok::chat_partner(&title));
                    return Ok(());
                }
                Item::Damaged(reason) => {
                    skipped.note(record, reason);
                    return Ok(());
                }
                Item::Block(block) => block,
            };
            records += 1;
            if records > limits.max_records {
                skipped.note(
                    record,
                    format!(
                        "more than {} records; the rest was not read",
                        limits.max_records
                    ),
                );
                return Err(());
            }
            let got = match role {
                Role::Videos => tiktok::video(
                    block.get("Date"),
                    block.get("Title").unwrap_or_default(),
                    block.get("Link").unwrap_or_default(),
                )
                .map(|p| timeline.posts.push(p)),
                Role::Comments => {
                    comments_seen = true;
                    tiktok::comment(
                        block.get("Date"),
                        "Date",
                        block.get("Comment").unwrap_or_default(),
                    )
                    .map(|p| timeline.posts.push(p))
                }
                Role::Messages => match (&account, &chat) {
                    (Some(me), Some(with)) if block.get("From") == Some(me.as_str()) => {
                        tiktok::sent_message(
                            me,
                            with,
                            block.get("Date"),
                            block.get("Content").unwrap_or_default(),
                        )
                        .map(|dm| timeline.direct_messages.push(dm))
                    }
                    _ => Ok(()),
                },
                Role::Profile => {
                    let name = block
                        .get("Username")
                        .or_else(|| block.get("User Name"))
                        .map(str::trim)
                        .filter(|u| !u.is_empty());
                    if account.is_none() {
                        account = name.map(str::to_string);
                    }
                    Ok(())
                }
            };
            if let Err(reason) = got {
                skipped.note(record, reason);
            }
            Ok(())
        };
        if let Err(e) = entries(reader, role, limits.max_record_bytes, &mut each) {
            match EntryError::from(e) {
                EntryError::TooLarge => {
                    return Err(EntryError::TooLarge.into_source(
                        path,
                        &entry,
                        limits.max_entry_bytes,
                    ))
                }
                EntryError::Io(e) => skipped.note(
                    entry.name.clone(),
                    format!("damaged text ({e}); the rest was not read"),
                ),
            }
        }
    }
    if let Some(me) = account {
        timeline.account = me;
    }
    tiktok::finish(path, timeline, skipped, comments_seen)
}

/// One entry of a TXT file: its fields, in order.
#[derive(Debug, Default, PartialEq)]
struct Block {
    fields: Vec<(&'static str, String)>,
    bytes: usize,
}

impl Block {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| *k == key)
    }
}

/// What [`entries`] hands on, in file order.
#[derive(Debug, PartialEq)]
enum Item {
    /// A `>>> Chat History with <name>::` header: the entries after it belong to that chat.
    Chat(String),
    /// An entry.
    Block(Block),
    /// An entry that could not be kept (longer than the record limit), with why.
    Damaged(String),
}

/// The fields a line starts, when it starts with one of `keys` and a colon: one field, or for
/// a chat message on one line (`Date: … From: … Content: …`) all three.
fn fields_of(line: &str, keys: &[&'static str]) -> Option<Vec<(&'static str, String)>> {
    let key = keys.iter().find(|k| {
        line.strip_prefix(**k)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    let mut rest = line[key.len() + 1..].trim_start();
    let mut out = Vec::new();
    let mut current = *key;
    // Later keys of the same line, in the order the file uses them (only chat lines have any).
    for next in keys.iter().skip_while(|k| *k != key).skip(1) {
        let marker = format!(" {next}: ");
        if let Some(at) = rest.find(&marker) {
            out.push((current, rest[..at].trim().to_string()));
            rest = &rest[at + marker.len()..];
            current = next;
        }
    }
    out.push((current, rest.trim_end().to_string()));
    Some(out)
}

/// Hands on the entry read so far, if any: as damaged when it grew past `max_record_bytes`.
fn flush(
    block: &mut Block,
    number: &mut u64,
    max_record_bytes: usize,
    each: &mut dyn FnMut(u64, Item) -> Result<(), ()>,
) -> Result<(), ()> {
    if block.fields.is_empty() {
        return Ok(());
    }
    *number += 1;
    let taken = std::mem::take(block);
    if taken.bytes > max_record_bytes {
        return each(
            *number,
            Item::Damaged(format!("longer than {max_record_bytes} bytes")),
        );
    }
    each(*number, Item::Block(taken))
}

/// Streams the entries of one TXT file through `each` (numbered from 1; chat headers are not
/// counted), stopping when `each` says so. A line longer than `max_record_bytes` is cut there.
/// I/O errors (and reading past the entry limit) are returned.
fn entries(
    reader: impl Read,
    role: Role,
    max_record_bytes: usize,
    each: &mut dyn FnMut(u64, Item) -> Result<(), ()>,
) -> std::io::Result<()> {
    let keys = role.keys();
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut block = Block::default();
    let mut number = 0u64;
    let mut first = true;
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(max_record_bytes as u64 + 2)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') && n as u64 > max_record_bytes as u64 {
            // The rest of an overlong line is skipped unkept.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let more = reader
                    .by_ref()
                    .take(64 * 1024)
                    .read_until(b'\n', &mut sink)?;
                if more == 0 || sink.last() == Some(&b'\n') {
                    break;
                }
            }
            block.bytes = block.bytes.saturating_add(n);
        }
        let text = String::from_utf8_lossy(&buf);
        let mut line = text.trim_end_matches(['\n', '\r']);
        if first {
            line = line.trim_start_matches('\u{feff}');
            first = false;
        }
        if line.trim().is_empty() {
            if flush(&mut block, &mut number, max_record_bytes, each).is_err() {
                return Ok(());
            }
            continue;
        }
        let header = match role {
            Role::Messages => line.trim_start().strip_prefix(">>>"),
            Role::Videos | Role::Comments | Role::Profile => None,
        };
        if let Some(title) = header {
            if flush(&mut block, &mut number, max_record_bytes, each).is_err() {
                return Ok(());
            }
            if each(number, Item::Chat(title.trim().to_string())).is_err() {
                return Ok(());
            }
            continue;
        }
        match fields_of(line, keys) {
            Some(fields) => {
                if fields.iter().any(|(k, _)| block.has(k))
                    && flush(&mut block, &mut number, max_record_bytes, each).is_err()
                {
                    return Ok(());
                }
                block.bytes += line.len();
                block.fields.extend(fields);
            }
            None => {
                block.bytes += line.len();
                match block.fields.last_mut() {
                    Some((_, value)) => {
                        value.push('\n');
                        value.push_str(line);
                    }
                    // Text before any field (a title line) belongs to no entry.
                    None => continue,
                }
            }
        }
    }
    let _ = flush(&mut block, &mut number, max_record_bytes, each);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str, role: Role) -> Vec<Item> {
        let mut out = Vec::new();
        entries(text.as_bytes(), role, 1000, &mut |_, item| {
            out.push(item);
            Ok(())
        })
        .unwrap();
        out
    }

    fn block(fields: &[(&'static str, &str)]) -> Item {
        let fields: Vec<_> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let bytes = 0;
        Item::Block(Block { fields, bytes })
    }

    fn strip_bytes(items: Vec<Item>) -> Vec<Item> {
        items
            .into_iter()
            .map(|i| match i {
                Item::Block(b) => Item::Block(Block {
                    fields: b.fields,
                    bytes: 0,
                }),
                other => other,
            })
            .collect()
    }

    #[test]
    fn a_comment_runs_over_lines_and_a_repeated_key_starts_an_entry() {
        let text = "\u{feff}Date: 2023-01-01 12:00:00\r\nComment: two\r\nlines: here\r\nDate: 2023-01-02 12:00:00\nComment: next\n";
        assert_eq!(
            strip_bytes(items(text, Role::Comments)),
            vec![
                block(&[
                    ("Date", "2023-01-01 12:00:00"),
                    ("Comment", "two\nlines: here")
                ]),
                block(&[("Date", "2023-01-02 12:00:00"), ("Comment", "next")]),
            ]
        );
    }

    #[test]
    fn chat_messages_read_on_one_line_or_three() {
        let text = ">>> Chat History with anna::\nDate: 2023-01-01 12:00:00 From: me Content: hi From: x\n\nDate: 2023-01-01 12:01:00\nFrom: anna\nContent: yo\n";
        assert_eq!(
            strip_bytes(items(text, Role::Messages)),
            vec![
                Item::Chat("Chat History with anna::".into()),
                block(&[
                    ("Date", "2023-01-01 12:00:00"),
                    ("From", "me"),
                    ("Content", "hi From: x")
                ]),
                block(&[
                    ("Date", "2023-01-01 12:01:00"),
                    ("From", "anna"),
                    ("Content", "yo")
                ]),
            ]
        );
        assert_eq!(tiktok::chat_partner("Chat History with anna::"), "anna");
    }

    #[test]
    fn an_overlong_entry_is_damaged_not_kept() {
        let long = "x".repeat(5000);
        let text = format!("Date: 2023-01-01 12:00:00\nComment: {long}\n\nDate: 2023-01-02 12:00:00\nComment: ok\n");
        let got = strip_bytes(items(&text, Role::Comments));
        assert!(matches!(&got[0], Item::Damaged(_)), "{got:?}");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn files_are_known_by_name_in_their_section_folder() {
        let role = |name: &str, kind| role_of(&Entry::for_test(name), kind);
        assert_eq!(
            role("Comments/Comments.txt", ArchiveKind::Folder),
            Some(Role::Comments)
        );
        assert_eq!(
            role("TikTok_Data/Videos/Videos.txt", ArchiveKind::Zip),
            Some(Role::Videos)
        );
        assert_eq!(
            role("Activity/Video Browsing History.txt", ArchiveKind::Folder),
            None
        );
        assert_eq!(role("a/b/Comments.txt", ArchiveKind::Folder), None);
    }
}
