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

use chrono::{DateTime, TimeZone, Utc};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

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
