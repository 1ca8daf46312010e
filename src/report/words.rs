//! The words the HTML and Markdown reports share: times in the reader's zone, handles, and the
//! verdict told in plain words for a person who is not an engineer.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::{AccountReport, BasisLevel, Finding, Severity};

/// Whether a character would act on a terminal or a text's layout rather than show: a
/// control character (C0, DEL, C1: `ESC` starts colour and title-setting sequences) or a
/// bidirectional override or isolate (U+202E turns the rest of a line around).
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every hidden control ([`is_hidden_control`]) written out as `\u{..}`, and line
/// breaks and tabs as spaces: what a text from the input may show, never do.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_hidden_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hidden_control(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `s` with every hidden control ([`is_hidden_control`]) but line breaks and tabs written out
/// as `\u{..}`: for the HTML report, where markup escaping stops a text from making elements
/// but not a U+202E from turning the rest of its line around.
pub fn escape_layout_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| is_hidden_control(c) && !matches!(c, '\n' | '\r' | '\t');
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A copy of `value` with every string in it (post text, account names, paths, skipped
/// records' names, map keys) passed through `escape`; `None` when it needs no change. Done on
/// the data through its JSON form, so that a field added later cannot be forgotten; an error
/// only if the value does not round-trip through JSON (not expected).
pub fn escaped_copy<T>(
    value: &T,
    escape: fn(&str) -> std::borrow::Cow<'_, str>,
) -> Result<Option<T>, serde_json::Error>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    fn clean(v: &mut serde_json::Value, escape: fn(&str) -> std::borrow::Cow<'_, str>) -> bool {
        match v {
            serde_json::Value::String(s) => match escape(s) {
                std::borrow::Cow::Owned(safe) => {
                    *s = safe;
                    true
                }
                std::borrow::Cow::Borrowed(_) => false,
            },
            serde_json::Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, item| clean(item, escape) | changed),
            serde_json::Value::Object(map) => {
                let mut changed = false;
                for (key, mut value) in std::mem::take(map) {
                    changed |= clean(&mut value, escape);
                    let safe = escape(&key);
                    changed |= matches!(safe, std::borrow::Cow::Owned(_));
                    map.insert(safe.into_owned(), value);
                }
                changed
            }
            serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                false
            }
        }
    }
    let mut json = serde_json::to_value(value)?;
    if !clean(&mut json, escape) {
        return Ok(None);
    }
    serde_json::from_value(json).map(Some)
}

/// A time in the report's zone, with the zone's abbreviation: "2025-09-15 11:00 CEST".
pub fn time(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// An account as people write it: `@name`, or a description (with spaces) as it is.
pub fn handle(account: &str) -> String {
    if account.contains(char::is_whitespace) {
        account.to_string()
    } else {
        format!("@{account}")
    }
}

/// The score in words for a person who is not an engineer.
pub fn verdict_paragraph(a: &AccountReport) -> String {
    if !a.scored() {
        return format!(
            "{} has {}, so it has no score: nothing was analysed, and nothing is known \
             either way.",
            handle(&a.account),
            a.verdict
        );
    }
    let mut out = format!(
        "{} scores {} out of 100: {}. A score starts at 100, as a person talking with people \
         reads, and each sign of a program takes points off.",
        handle(&a.account),
        a.score,
        a.verdict
    );
    let serious: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Low)
        .collect();
    if serious.is_empty() {
        out.push_str(" Nothing in its posts points at a program.");
    } else {
        out.push_str(&format!(
            " {} sign{} of a program {} found; the strongest: {}.",
            serious.len(),
            if serious.len() == 1 { "" } else { "s" },
            if serious.len() == 1 { "was" } else { "were" },
            serious
                .iter()
                .take(2)
                .map(|f| f.summary.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if let Some(b) = &a.basis {
        out.push_str(&format!(
            " The score rests on {} posts over {:.0} days ({} evidence{}).",
            b.posts,
            b.span_days,
            b.level.as_str(),
            match b.level {
                BasisLevel::Thin => ": too little to be sure either way",
                BasisLevel::Limited => ": enough to see habits, not to rule them out",
                BasisLevel::Ample => "",
            }
        ));
    }
    out
}
