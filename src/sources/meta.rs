//! What the Meta downloads ("Download your information": Facebook, Instagram and the Threads
//! data inside Instagram's) share, used by `facebook.rs` and `instagram.rs`: the mojibake repair,
//! streaming of their big JSON arrays, ids derived from content, and Unix-second times.
//!
//! **Mojibake.** The files are valid JSON, but every non-ASCII string holds its UTF-8 bytes, each
//! written as its own `\u00XX` escape ("ø" is `\u00c3\u00b8`, an emoji four escapes). After JSON
//! decoding such a string is all characters below U+0100; [`repair`] maps them back to bytes and
//! decodes those as UTF-8, and keeps the string when that fails (real Latin-1 text such as a lone
//! "é" is not valid UTF-8 as bytes, so it survives). Object keys are repaired too: Instagram's
//! `string_map_data` keys are localised.
//!
//! **Streaming.** A page's `your_posts_1.json` can hold years of posts; [`stream_items`] hands
//! the elements of the top-level array (or of the arrays under the named keys of a top-level
//! object, such as `comments_v2`) one at a time, so memory holds one element, not the file.
//!
//! **No ids.** None of these files has post ids: [`derived_id`] makes a stable one from the time
//! and the content, and the report says so ([`super::gaps::Gap::PostIds`]).

use std::borrow::Cow;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry, EntryError};
use super::{Limits, SourceError};
use crate::model::{Post, Skipped};

/// A string with its UTF-8 bytes escaped one by one, decoded; any other string as it is.
pub fn repair(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || s.chars().any(|c| u32::from(c) > 0xFF) {
        return Cow::Borrowed(s);
    }
    let bytes: Vec<u8> = s.chars().map(|c| u32::from(c) as u8).collect();
    match String::from_utf8(bytes) {
        Ok(fixed) => Cow::Owned(fixed),
        Err(_) => Cow::Borrowed(s),
    }
}

/// [`repair`] on every string and object key of a JSON value, in place.
pub fn repair_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Cow::Owned(fixed) = repair(s) {
                *s = fixed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(repair_value),
        Value::Object(map) => {
            let needs_keys = map.keys().any(|k| matches!(repair(k), Cow::Owned(_)));
            if needs_keys {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    repair_value(&mut v);
                    map.insert(repair(&k).into_owned(), v);
                }
            } else {
                map.values_mut().for_each(repair_value);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A stable id for a post that has none: `<prefix>-<unix seconds>-<hash of the content>`.
/// The same post in two downloads gets the same id, so merging them does not count it twice.
pub fn derived_id(prefix: &str, secs: i64, content: &[&str]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in content {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    format!("{prefix}-{secs}-{:016x}", h.digest())
}

/// Unix seconds (a JSON number, or a string of digits) as a time.
pub fn unix_time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let secs = match v? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    // 0 is "no time" in these files.
    (secs > 0).then(|| Utc.timestamp_opt(secs, 0).single())?
}

/// Hands `each` the elements of a JSON document's top-level array, or of the arrays under
/// `keys` in a top-level object (other keys are skipped unread), one element at a time, with
/// its mojibake repaired. An error (a truncated or damaged file) comes back after the elements
/// before it were handed over.
pub fn stream_items<R: Read>(
    reader: R,
    keys: &[&str],
    each: &mut dyn FnMut(Value),
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
    Items { keys, each }.deserialize(&mut de)
}

struct Items<'a, 'f> {
    keys: &'a [&'a str],
    each: &'f mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array, or an object with {:?}", self.keys)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(mut item) = seq.next_element::<Value>()? {
            repair_value(&mut item);
            (self.each)(item);
        }
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if self.keys.contains(&key.as_str()) {
                map.next_value_seed(Items {
                    keys: &[],
                    each: &mut *self.each,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Where an entry (its lower-cased path) sits in a download, as (folder, file name) from the
/// download's top. In a folder the path must start at the top (a folder holding several
/// platforms' downloads is not taken for one); a zip may wrap everything in one folder, which is
/// dropped unless the path already starts with one of the download's own `tops` (`posts/`).
pub fn place_in_download<'p>(
    path: &'p str,
    kind: ArchiveKind,
    tops: &[&str],
) -> (&'p str, &'p str) {
    let inner = match kind {
        ArchiveKind::Folder => path,
        ArchiveKind::Zip if tops.iter().any(|t| path.starts_with(t)) => path,
        ArchiveKind::Zip => path.split_once('/').map_or(path, |(_, rest)| rest),
    };
    inner.rsplit_once('/').unwrap_or(("", inner))
}

/// The posts read from a download's files so far, and the records skipped.
#[derive(Default)]
pub struct Collect {
    pub posts: Vec<Post>,
    pub skipped: Skipped,
    records: u64,
}

impl Collect {
    /// Streams the items of one entry (see [`stream_items`]) through `convert`: a damaged item
    /// is skipped and named (`<entry> element 4: …`), a damaged or truncated file keeps the
    /// items before the damage and notes it, and reading past the entry limit is an error.
    /// Past [`Limits::max_records`] in all, items are no longer converted.
    pub fn entry(
        &mut self,
        archive: &mut Archive,
        entry: &Entry,
        path: &Path,
        keys: &[&str],
        limits: &Limits,
        convert: &mut dyn FnMut(&Value) -> Result<Post, String>,
    ) -> Result<(), SourceError> {
        let reader = archive
            .open_entry(entry, limits.max_entry_bytes)
            .map_err(|e| e.into_source(path, entry, limits.max_entry_bytes))?;
        let mut index = 0u64;
        let mut each = |item: Value| {
            index += 1;
            self.records += 1;
            if self.records > limits.max_records {
                if self.records == limits.max_records + 1 {
                    self.skipped.note(
                        format!("{} element {index}", entry.name),
                        format!(
                            "more than {} records; the rest was not read",
                            limits.max_records
                        ),
                    );
                }
                return;
            }
            match convert(&item) {
                Ok(post) => self.posts.push(post),
                Err(reason) => self
                    .skipped
                    .note(format!("{} element {index}", entry.name), reason),
            }
        };
        let Err(e) = stream_items(reader, keys, &mut each) else {
            return Ok(());
        };
        match EntryError::from(std::io::Error::from(e)) {
            EntryError::TooLarge => {
                Err(EntryError::TooLarge.into_source(path, entry, limits.max_entry_bytes))
            }
            EntryError::Io(e) => {
                self.skipped.note(
                    entry.name.clone(),
                    format!("damaged JSON after element {index} ({e}); the rest was not read"),
                );
                Ok(())
            }
        }
    }
}

/// The error of a download of which nothing at all was read: its first problem, which is then
/// the file's, or `no <what>` when there was none.
pub fn nothing_read(path: &Path, skipped: &Skipped, what: &str) -> SourceError {
    match skipped.examples.first() {
        Some(problem) => SourceError::Invalid {
            path: path.to_path_buf(),
            record: problem.record.clone(),
            reason: problem.reason.clone(),
        },
        None => SourceError::Empty {
            path: path.to_path_buf(),
            reason: format!("no {what}"),
        },
    }
}

/// The files of a download to read, each with its role: a lone file (the input itself) gets
/// the role `lone` gives it, a zip's or folder's entries the role `role_of` finds by their place.
pub fn download_files<R>(
    archive: &Archive,
    path: &Path,
    first: Entry,
    lone: impl FnOnce(&Entry) -> R,
    role_of: impl Fn(&Entry, ArchiveKind) -> Option<R>,
) -> Vec<(Entry, R)> {
    let is_lone =
        archive.kind() == ArchiveKind::Folder && std::fs::metadata(path).is_ok_and(|m| m.is_file());
    if is_lone {
        let role = lone(&first);
        return vec![(first, role)];
    }
    archive
        .entries()
        .iter()
        .filter_map(|e| role_of(e, archive.kind()).map(|r| (e.clone(), r)))
        .collect()
}

/// A small JSON entry (a profile), see [`small_json`]; `None` when it does not read.
pub fn small_entry(
    archive: &mut Archive,
    entry: &Entry,
    path: &Path,
    limits: &Limits,
) -> Result<Option<Value>, SourceError> {
    let reader = archive
        .open_entry(entry, limits.max_entry_bytes)
        .map_err(|e| e.into_source(path, entry, limits.max_entry_bytes))?;
    Ok(small_json(reader, limits.max_record_bytes))
}

/// A small JSON file (a profile), read up to `max_bytes`, mojibake repaired; `None` when it is
/// larger, unreadable or not JSON: such files only name the account.
pub fn small_json(reader: impl Read, max_bytes: usize) -> Option<Value> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() > max_bytes {
        return None;
    }
    let mut v: Value = serde_json::from_slice(&bytes).ok()?;
    repair_value(&mut v);
    Some(v)
}

/// The time and text of an Instagram post or a Threads post, which share a shape:
/// `{media: [{uri, creation_timestamp, title}], title?, creation_timestamp?}`. A single photo
/// keeps its caption and time on the media; a carousel puts them at the top.
pub fn media_post(item: &Value) -> Result<(DateTime<Utc>, String), String> {
    if !item.is_object() {
        return Err("not a JSON object".into());
    }
    let first = item.pointer("/media/0");
    let at = unix_time(item.get("creation_timestamp"))
        .or_else(|| first.and_then(|m| unix_time(m.get("creation_timestamp"))))
        .ok_or("no readable creation_timestamp")?;
    let text = str_at(item, "/title")
        .or_else(|| first.and_then(|m| str_at(m, "/title")))
        .unwrap_or_default()
        .to_string();
    Ok((at, text))
}

/// The string at a JSON pointer, when there is a non-empty one.
pub fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_real_latin1_is_kept() {
        // "ø" and an en dash as Facebook writes them.
        assert_eq!(
            repair("K\u{c3}\u{b8}benhavn \u{e2}\u{80}\u{93} ok"),
            "København – ok"
        );
        // An emoji: four escapes.
        assert_eq!(repair("\u{f0}\u{9f}\u{98}\u{80}"), "😀");
        // A real "é" alone is no UTF-8 sequence: kept.
        assert_eq!(repair("caf\u{e9}"), "café");
        // Already-correct text beyond Latin-1 is left alone.
        assert_eq!(repair("København 😀"), "København 😀");
        let mut v: Value = serde_json::from_str(
            r#"{"Comm\u00c3\u00a9ntaire":{"value":"tr\u00c3\u00a8s bien"},"n":1}"#,
        )
        .unwrap();
        repair_value(&mut v);
        assert_eq!(v["Comméntaire"]["value"], "très bien");
    }

    #[test]
    fn items_stream_from_an_array_or_named_keys_and_errors_come_after_them() {
        let mut seen = Vec::new();
        stream_items(&b"[1,2,3]"[..], &[], &mut |v| seen.push(v)).unwrap();
        assert_eq!(seen.len(), 3);
        seen.clear();
        let doc = br#"{"skip":[9,9],"comments_v2":[{"a":1},{"a":2}]}"#;
        stream_items(&doc[..], &["comments_v2"], &mut |v| seen.push(v)).unwrap();
        assert_eq!(seen.len(), 2);
        seen.clear();
        let err = stream_items(&b"[1,2,{\"x\":"[..], &[], &mut |v| seen.push(v)).unwrap_err();
        assert!(err.is_eof());
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn derived_ids_are_stable_and_tell_content_apart() {
        let a = derived_id("fb", 1_700_000_000, &["hello", ""]);
        assert_eq!(a, derived_id("fb", 1_700_000_000, &["hello", ""]));
        assert_ne!(a, derived_id("fb", 1_700_000_000, &["hello!", ""]));
        assert!(a.starts_with("fb-1700000000-"));
    }
}
