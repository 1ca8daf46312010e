//! `mastodon_outbox` source: the Mastodon account export (the `.zip`, its extracted folder, or a
//! bare `outbox.json`), recognised by [`sniff`] and read by [`read`].
//!
//! The zip or folder is opened through [`Archive`], which bounds every entry at
//! [`Limits::max_entry_bytes`]; only `outbox.json` and `actor.json` are ever opened.
//!
//! The outbox is an ActivityStreams `OrderedCollection` whose `orderedItems` are `Create`
//! activities (a `Note`, or a `Question` for polls) and `Announce` activities (boosts, whose
//! `object` is only the boosted status URI). Real exports carry the `orderedItems` key twice and
//! the last one holds the data, so a derived struct cannot read them, and a big account's outbox
//! is too large to become one `serde_json::Value`: the file is streamed with a serde visitor
//! that turns one item at a time into a post and keeps only the last occurrence's items.
//! `actor.json` (small) gives the account name and its bot flag.
//!
//! Visibility comes from the addressing: the Public collection in `to` (public) or `cc`
//! (unlisted), or the author's followers (followers-only) make a post; an item addressed only to
//! mentioned accounts is a direct message and goes to [`Timeline::direct_messages`], never into
//! the public analysis.

use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::archive::{Archive, ArchiveKind, Entry, EntryError};
use super::{Batch, Content, Limits, Sniff, SourceError, Text, Verdict};
use crate::model::Skipped;
use crate::model::{created_at_from_id, DirectMessage, Platform, Post, PostKind, Timeline};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Recognises a Mastodon export: a zip with `outbox.json` at its top or one folder down, a
/// folder with `outbox.json`, or the outbox itself, a JSON `OrderedCollection` (on one line, or
/// named with its `orderedItems` in the first 64 KiB). A file named `outbox.json` is taken
/// when its content says nothing clearer.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Archive(archive) => match outbox_entry(archive) {
            Some(_) => Verdict::Mine,
            None => Verdict::NearMiss("no outbox.json (Mastodon export)".into()),
        },
        Content::Text(text) => sniff_outbox(text).or_name(input.name == "outbox.json"),
    }
}

fn sniff_outbox(text: &Text) -> Verdict {
    let Some(first) = text.first_line().filter(|l| l.starts_with(b"{")) else {
        return Verdict::No;
    };
    let found = match serde_json::from_slice(first) {
        Ok(Value::Object(map)) => is_outbox_object(&map),
        // A multi-line document (or a first line longer than the window): the outbox names
        // its type and items near the top.
        _ => {
            let window = text.lossy();
            window.contains("\"OrderedCollection\"") || window.contains("\"orderedItems\"")
        }
    };
    if found {
        Verdict::Mine
    } else if text.truncated {
        Verdict::NearMiss("not a Mastodon outbox (no OrderedCollection in the first 64 KiB)".into())
    } else {
        Verdict::NearMiss("not a Mastodon outbox (no OrderedCollection)".into())
    }
}

/// A JSON object shaped like an ActivityStreams outbox.
fn is_outbox_object(map: &serde_json::Map<String, Value>) -> bool {
    map.contains_key("orderedItems")
        || map
            .get("type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t == "OrderedCollection" || t == "OrderedCollectionPage")
}

/// The export's `outbox.json`: at the top of a folder; in a zip, the shallowest one at the top
/// or one folder down (exports have it at the top, re-zipped folders one level down).
fn outbox_entry(archive: &Archive) -> Option<&Entry> {
    match archive.kind() {
        ArchiveKind::Folder => archive.entry("outbox.json"),
        ArchiveKind::Zip => archive
            .entries()
            .iter()
            .filter(|e| {
                !e.folder().contains('/') && e.file_name().eq_ignore_ascii_case("outbox.json")
            })
            .min_by_key(|e| e.name.len()),
    }
}

/// Reads one Mastodon export: a zip, an extracted folder or an outbox file (with `actor.json`
/// beside it when there is one).
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, outbox) =
        Archive::open_with(path, &["actor.json"], outbox_entry, "outbox.json")?;
    // `actor.json` beside the outbox; a missing or broken one only costs the account name,
    // which the items also give.
    let actor_name = match outbox.folder() {
        "" => "actor.json".to_string(),
        folder => format!("{folder}/actor.json"),
    };
    let actor = archive.entry(&actor_name).cloned().and_then(|entry| {
        let reader = archive.open_entry(&entry, limits.max_entry_bytes).ok()?;
        read_actor(reader, limits)
    });
    let reader = archive
        .open_entry(&outbox, limits.max_entry_bytes)
        .map_err(|e| e.into_source(path, &outbox, limits.max_entry_bytes))?;
    read_outbox(reader, path, &outbox.name, actor, limits)
}

/// What `actor.json` says about the account.
#[derive(Debug, Clone, Default)]
struct Actor {
    /// `user@host` (or only `user` when the actor has no id).
    account: Option<String>,
    /// `Service` actors are Mastodon's self-declared bots.
    bot: Option<bool>,
}

/// Parses `actor.json`, up to `limits.max_record_bytes`; a missing or broken one only costs the
/// account name, which the items also give.
fn read_actor<R: Read>(reader: R, limits: &Limits) -> Option<Actor> {
    let mut bytes = Vec::new();
    reader
        .take(limits.max_record_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() > limits.max_record_bytes {
        return None;
    }
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let user = v.get("preferredUsername").and_then(Value::as_str);
    let host = v
        .get("id")
        .and_then(Value::as_str)
        .and_then(account_from_uri)
        .and_then(|a| a.split_once('@').map(|(_, h)| h.to_string()));
    let account = match (user, host) {
        (Some(u), Some(h)) => Some(format!("{u}@{h}")),
        (Some(u), None) => Some(u.to_string()),
        (None, _) => v
            .get("id")
            .and_then(Value::as_str)
            .and_then(account_from_uri),
    };
    let bot = match v.get("type").and_then(Value::as_str) {
        Some("Service") => Some(true),
        Some("Person") => Some(false),
        _ => None,
    };
    Some(Actor { account, bot })
}

/// Streams an outbox into a batch; `name` is how records are named ("outbox.json"). The reader
/// bounds the whole file (see [`Archive::open_entry`]); one item is bounded here.
fn read_outbox<R: Read>(
    reader: R,
    path: &Path,
    name: &str,
    actor: Option<Actor>,
    limits: &Limits,
) -> Result<Batch, SourceError> {
    let guard = Rc::new(SizeGuard {
        position: Cell::new(0),
        mark: Cell::new(None),
        tripped: Cell::new(false),
        // serde_json reads through an 8 KiB buffer, which may run ahead of the item.
        cap: limits.max_record_bytes as u64 + (64 << 10),
    });
    let counted = Counted {
        inner: reader,
        guard: Rc::clone(&guard),
    };
    let mut state = State {
        name: name.to_string(),
        guard: Rc::clone(&guard),
        max_records: limits.max_records,
        ..State::default()
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(8 << 10, counted));
    let parsed = serde::Deserializer::deserialize_map(&mut de, OutboxVisitor(&mut state))
        .and_then(|()| de.end());
    if let Err(e) = parsed {
        let where_ = state.where_();
        let reason = if guard.tripped.get() {
            format!(
                "larger than the limit of {} bytes; the rest of the file was not read",
                limits.max_record_bytes
            )
        } else if e.is_io() {
            match EntryError::from(std::io::Error::from(e)) {
                EntryError::TooLarge => format!(
                    "larger than the entry size limit of {} bytes; the rest of the file was not \
                     read",
                    limits.max_entry_bytes
                ),
                EntryError::Io(e) => format!("{e}; the rest of the file was not read"),
            }
        } else {
            format!("{e}; the rest of the file was not read")
        };
        if state.posts.is_empty() && state.dms.is_empty() {
            return Err(SourceError::Invalid {
                path: path.to_path_buf(),
                record: where_,
                reason,
            });
        }
        state.skipped.note(where_, reason);
    }
    if !state.seen_items {
        return Err(SourceError::Invalid {
            path: path.to_path_buf(),
            record: name.to_string(),
            reason: "no orderedItems array (not an account export outbox)".into(),
        });
    }
    if state.not_read > 0 {
        state.skipped.note(
            format!("{name} orderedItems[{}..]", limits.max_records),
            format!(
                "the limit of {} records was reached; {} items were not read",
                limits.max_records, state.not_read
            ),
        );
    }
    let actor = actor.unwrap_or_default();
    let account = actor
        .account
        .or_else(|| state.actor_url.as_deref().and_then(account_from_uri))
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "unknown".into())
        });
    let mut timeline = Timeline::new(account.clone(), Platform::Mastodon);
    timeline.declared_bot = actor.bot;
    timeline.posts = state.posts;
    timeline.direct_messages = state
        .dms
        .into_iter()
        .map(|mut dm| {
            dm.sender = account.clone();
            dm
        })
        .collect();
    timeline.finish();
    Ok(Batch {
        timelines: vec![timeline],
        skipped: state.skipped,
        notes: Vec::new(),
    })
}

/// Shared between the reader and the visitor: how far the reader got, and where the current
/// item started, so that one item larger than the cap stops the read instead of filling memory.
struct SizeGuard {
    position: Cell<u64>,
    mark: Cell<Option<u64>>,
    tripped: Cell<bool>,
    cap: u64,
}

struct Counted<R> {
    inner: R,
    guard: Rc<SizeGuard>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let g = &self.guard;
        if let Some(mark) = g.mark.get() {
            if g.position.get().saturating_sub(mark) > g.cap {
                g.tripped.set(true);
                return Err(std::io::Error::other("item larger than the limit"));
            }
        }
        let n = self.inner.read(buf)?;
        g.position.set(g.position.get() + n as u64);
        Ok(n)
    }
}

#[derive(Default)]
struct State {
    name: String,
    guard: Rc<SizeGuard>,
    posts: Vec<Post>,
    dms: Vec<DirectMessage>,
    skipped: Skipped,
    /// The `actor` of the first item that has one.
    actor_url: Option<String>,
    /// The index of the item being read in the current `orderedItems`.
    index: usize,
    seen_items: bool,
    max_records: u64,
    records: u64,
    not_read: u64,
}

impl Default for SizeGuard {
    fn default() -> Self {
        SizeGuard {
            position: Cell::new(0),
            mark: Cell::new(None),
            tripped: Cell::new(false),
            cap: u64::MAX,
        }
    }
}

impl State {
    fn where_(&self) -> String {
        if self.guard.mark.get().is_some() {
            format!("{} orderedItems[{}]", self.name, self.index)
        } else {
            self.name.clone()
        }
    }

    /// A new `orderedItems`: only the last one counts, so what came before is dropped.
    fn begin_items(&mut self) {
        self.seen_items = true;
        self.posts.clear();
        self.dms.clear();
        self.skipped = Skipped::default();
        self.index = 0;
        self.records = 0;
        self.not_read = 0;
    }

    fn take(&mut self, item: Value) {
        self.records += 1;
        let record = || format!("{} orderedItems[{}]", self.name, self.index);
        match convert(&item, &mut self.actor_url) {
            Ok(Converted::Post(p)) => self.posts.push(p),
            Ok(Converted::Direct(dm)) => self.dms.push(dm),
            Err(reason) => {
                let record = record();
                self.skipped.note(record, reason);
            }
        }
    }
}

struct OutboxVisitor<'a>(&'a mut State);

impl<'de> Visitor<'de> for OutboxVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an ActivityStreams OrderedCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "orderedItems" {
                self.0.begin_items();
                map.next_value_seed(ItemsSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct ItemsSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an orderedItems array")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let st = self.0;
        loop {
            if st.records >= st.max_records {
                // Past the limit the rest is skimmed without building values, so that a later
                // `orderedItems` is still found.
                st.guard.mark.set(None);
                match seq.next_element::<IgnoredAny>()? {
                    Some(_) => st.not_read += 1,
                    None => break,
                }
                continue;
            }
            st.guard.mark.set(Some(st.guard.position.get()));
            match seq.next_element::<Value>()? {
                Some(item) => st.take(item),
                None => break,
            }
            st.index += 1;
        }
        st.guard.mark.set(None);
        Ok(())
    }
}

enum Converted {
    Post(Post),
    /// Sender filled in once the account is known.
    Direct(DirectMessage),
}

/// One outbox item: a post, a direct message, or why it was skipped.
fn convert(item: &Value, actor_url: &mut Option<String>) -> Result<Converted, String> {
    let Value::Object(item) = item else {
        return Err("not a JSON object".into());
    };
    let kind = item
        .get("type")
        .and_then(Value::as_str)
        .ok_or("no activity type")?;
    if actor_url.is_none() {
        *actor_url = item.get("actor").and_then(uri_of).map(str::to_string);
    }
    match kind {
        "Create" => convert_create(item),
        "Announce" => {
            let activity_id = item
                .get("id")
                .and_then(Value::as_str)
                .ok_or("Announce without id")?;
            let id = status_id(activity_id).ok_or("Announce id without a status id")?;
            let created_at =
                time_of(item.get("published")).ok_or("Announce without a valid published time")?;
            let mut post = Post::new(id, created_at, "");
            post.kind = PostKind::Repost;
            // The boosted status is only a URI: keep it, it is what the boost shares.
            if let Some(uri) = item.get("object").and_then(uri_of) {
                post.links.push(uri.to_string());
            }
            Ok(Converted::Post(post))
        }
        other => Err(format!("unsupported activity type {other:?}")),
    }
}

fn convert_create(item: &serde_json::Map<String, Value>) -> Result<Converted, String> {
    let object = match item.get("object") {
        Some(Value::Object(o)) => o,
        Some(Value::String(_)) => return Err("Create whose object is only a URI".into()),
        _ => return Err("Create without object".into()),
    };
    let object_type = object.get("type").and_then(Value::as_str).unwrap_or("");
    if object_type != "Note" && object_type != "Question" {
        return Err(format!("unsupported object type {object_type:?}"));
    }
    let object_id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or("object without id")?;
    let id = status_id(object_id).ok_or("object id without a status id")?;
    let created_at = time_of(object.get("published"))
        .or_else(|| time_of(item.get("published")))
        .ok_or("no valid published time")?;
    let content_map = object.get("contentMap").and_then(Value::as_object);
    let content = object
        .get("content")
        .and_then(Value::as_str)
        .or_else(|| content_map.and_then(|m| m.values().find_map(Value::as_str)))
        .unwrap_or("");
    let text = super::html::with_content_warning(
        super::html::to_text(content),
        object.get("summary").and_then(Value::as_str),
    );
    let mut post = Post::new(id, created_at, text);
    post.links = super::html::links(content);
    post.lang = content_map
        .and_then(|m| m.keys().next())
        .filter(|k| !k.is_empty())
        .cloned();
    if let Some(parent) = object.get("inReplyTo").and_then(uri_of) {
        post.kind = PostKind::Reply;
        post.reply_to_id = status_id(parent).or_else(|| Some(parent.to_string()));
        post.reply_to_account = account_from_uri(parent);
        post.reply_to_created_at = created_at_from_id(Platform::Mastodon, parent);
    }
    // Quote posts: newer Mastodon (`quote`), Fedibird/Misskey (`quoteUri`, `_misskey_quote`).
    let quote = ["quote", "quoteUri", "quoteUrl", "_misskey_quote"]
        .iter()
        .find_map(|k| object.get(*k).and_then(uri_of));
    if let Some(q) = quote {
        if post.kind == PostKind::Original {
            post.kind = PostKind::Quote;
        }
        if !post.links.iter().any(|l| l == q) {
            post.links.push(q.to_string());
        }
    }
    let to = addresses(object.get("to").or_else(|| item.get("to")));
    let cc = addresses(object.get("cc").or_else(|| item.get("cc")));
    let is_public = |a: &&str| *a == PUBLIC || *a == "as:Public" || *a == "Public";
    let visible = to.iter().any(is_public)
        || cc.iter().any(is_public)
        || to.iter().chain(&cc).any(|a| a.ends_with("/followers"));
    if visible {
        return Ok(Converted::Post(post));
    }
    let mut recipients: Vec<&str> = to.iter().chain(&cc).copied().collect();
    recipients.sort_unstable();
    recipients.dedup();
    let recipient = match recipients.as_slice() {
        [one] => Some(account_from_uri(one).unwrap_or_else(|| one.to_string())),
        _ => None,
    };
    Ok(Converted::Direct(DirectMessage {
        conversation_id: recipients.join(" "),
        id: post.id,
        sender: String::new(),
        recipient,
        created_at: post.created_at,
        text: post.text,
    }))
}

/// A URI given as a string or as an object with an `id`.
fn uri_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// `to`/`cc`: an array of URIs, or a single one.
fn addresses(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(uri_of).collect(),
        Some(v) => uri_of(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn time_of(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let s = v?.as_str()?;
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The status id in a status or activity URI: the last path segment, skipping a trailing
/// `/activity` (`…/statuses/109/activity` → `109`).
fn status_id(uri: &str) -> Option<String> {
    let path = uri
        .split(['?', '#'])
        .next()
        .unwrap_or(uri)
        .trim_end_matches('/');
    let path = path.strip_suffix("/activity").unwrap_or(path);
    let last = path.rsplit('/').next()?;
    (!last.is_empty() && last != path).then(|| last.to_string())
}

/// `user@host` from `https://host/users/user[/statuses/id]` or `https://host/@user[/id]`.
fn account_from_uri(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let mut parts = rest.split('/');
    let host = parts.next().filter(|h| !h.is_empty())?;
    let first = parts.next()?;
    let user = if first == "users" {
        parts.next()?
    } else {
        first.strip_prefix('@')?
    };
    (!user.is_empty()).then(|| format!("{user}@{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_give_ids_and_accounts() {
        assert_eq!(
            status_id("https://m.example/users/al/statuses/109/activity").as_deref(),
            Some("109")
        );
        assert_eq!(status_id("https://m.example/@al/42").as_deref(), Some("42"));
        assert_eq!(status_id("nothing"), None);
        assert_eq!(
            account_from_uri("https://m.example/users/al/statuses/1").as_deref(),
            Some("al@m.example")
        );
        assert_eq!(
            account_from_uri("https://m.example/@bo/1").as_deref(),
            Some("bo@m.example")
        );
        assert_eq!(account_from_uri("https://m.example/objects/x"), None);
        assert_eq!(account_from_uri("urn:x"), None);
    }

    fn outbox(items: &str) -> String {
        format!(
            r#"{{"type":"OrderedCollection","totalItems":99,"orderedItems":[],"orderedItems":[{items}]}}"#
        )
    }

    fn read_str(s: &str, limits: &Limits) -> Result<Batch, SourceError> {
        read_outbox(
            s.as_bytes(),
            Path::new("outbox.json"),
            "outbox.json",
            None,
            limits,
        )
    }

    const NOTE: &str = r#"{"type":"Create","actor":"https://m.example/users/al","object":{"type":"Note","id":"https://m.example/users/al/statuses/1","published":"2024-01-01T00:00:00Z","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>hi</p>"}}"#;

    #[test]
    fn a_content_warning_leads_the_text() {
        let cw = NOTE.replace(r#""content""#, r#""summary":"Sale inside","content""#);
        let s = format!(r#"{{"orderedItems":[{cw}]}}"#);
        let batch = read_str(&s, &Limits::default()).unwrap();
        assert_eq!(batch.timelines[0].posts[0].text, "Sale inside\nhi");
    }

    #[test]
    fn the_last_ordered_items_wins_and_damage_is_counted() {
        let s = format!(
            r#"{{"orderedItems":[{NOTE}],"orderedItems":[{NOTE},42,{}]}}"#,
            NOTE.replace("statuses/1", "statuses/2")
        );
        let batch = read_str(&s, &Limits::default()).unwrap();
        let t = &batch.timelines[0];
        assert_eq!(t.account, "al@m.example");
        let ids: Vec<_> = t.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(batch.skipped.count, 1);
        assert_eq!(
            batch.skipped.examples[0].record,
            "outbox.json orderedItems[1]"
        );
    }

    #[test]
    fn an_oversized_item_stops_the_read_in_bounded_memory() {
        let big = NOTE.replace("hi", &"x".repeat(300_000));
        let s = outbox(&format!("{NOTE},{big},{NOTE}"));
        let limits = Limits {
            max_record_bytes: 1000,
            ..Limits::default()
        };
        let batch = read_str(&s, &limits).unwrap();
        assert_eq!(batch.timelines[0].posts.len(), 1);
        assert_eq!(
            batch.skipped.examples[0].record,
            "outbox.json orderedItems[1]"
        );
        assert!(batch.skipped.examples[0].reason.contains("limit"));
    }

    #[test]
    fn max_records_skims_the_rest() {
        let s = outbox(&format!("{NOTE},{NOTE},{NOTE}"));
        let limits = Limits {
            max_records: 1,
            ..Limits::default()
        };
        let batch = read_str(&s, &limits).unwrap();
        assert_eq!(batch.timelines[0].posts.len(), 1);
        assert!(batch.skipped.examples[0]
            .reason
            .contains("2 items were not read"));
    }

    #[test]
    fn truncated_outbox_keeps_what_was_read() {
        let s = outbox(&format!("{NOTE},{NOTE}"));
        let cut = &s[..s.len() - 30];
        let batch = read_str(cut, &Limits::default()).unwrap();
        assert_eq!(batch.timelines[0].posts.len(), 1);
        assert!(batch.skipped.examples[0].reason.contains("not read"));
        assert!(read_str("[1,2]", &Limits::default()).is_err());
        assert!(read_str("{\"type\":\"Person\"}", &Limits::default()).is_err());
    }
}
