//! Writes a generated timeline as a Twitter/X archive (folder or zip) shaped like the real 2026
//! sample in `shared/fixtures-real/twitter-archive/`: `data/manifest.js`, `data/tweets.js` and
//! `data/direct-messages.js`, every number a string, t.co links, newest first. Test and benchmark
//! data only (the demo archive in `fixtures/demo/` is one).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::SecondsFormat;
use echoscope::model::{DirectMessage, Post, PostKind, Timeline};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::archetypes::links_in;
use crate::text::capitalise;
use crate::{default_end, user_id};

/// Errors of [`write()`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The zip archive could not be written.
    #[error("{path}: writing zip: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
}

/// The `source` anchor a Twitter archive shows for a client.
fn source_anchor(client: &str) -> String {
    let href = match client {
        "Twitter for iPhone" => "http://twitter.com/download/iphone",
        "Twitter for Android" => "http://twitter.com/download/android",
        "Twitter for iPad" => "http://twitter.com/#!/download/ipad",
        "Twitter Web App" => "https://mobile.twitter.com",
        "Buffer" => "https://buffer.com",
        "Hootsuite Inc." => "https://www.hootsuite.com",
        "dlvr.it" => "https://dlvrit.com/",
        "IFTTT" => "https://ifttt.com",
        "SocialFlow" => "http://www.socialflow.com",
        "WordPress.com" => "https://wordpress.com",
        "Sprout Social" => "https://sproutsocial.com",
        "Zendesk" => "https://www.zendesk.com",
        "Freshdesk" => "https://freshdesk.com",
        _ => "https://example.com",
    };
    format!("<a href=\"{href}\" rel=\"nofollow\">{client}</a>")
}

/// A t.co-style short link, stable for a URL.
fn short_link(url: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h = xxhash_rust::xxh3::xxh3_64(url.as_bytes());
    let mut s = String::from("https://t.co/");
    for _ in 0..10 {
        s.push(ALPHABET[(h % 62) as usize] as char);
        h /= 62;
    }
    s
}

fn display_url(url: &str) -> String {
    let bare = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    if bare.chars().count() > 26 {
        let mut s: String = bare.chars().take(25).collect();
        s.push('…');
        s
    } else {
        bare.to_string()
    }
}

fn char_index(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

fn idx(a: usize, b: usize) -> Value {
    json!([a.to_string(), b.to_string()])
}

/// The `{"tweet": {...}}` element of `data/tweets.js` for one post: every number a string,
/// links as t.co with `entities.urls`, HTML entities escaped, reply fields as the archive has
/// them (ids only; the parent's time is in its id).
pub fn tweet_object(account: &str, post: &Post) -> Value {
    // The text as the archive shows it: t.co links in place of the targets.
    let mut text = post.text.clone();
    let mut urls = Vec::new();
    for link in &post.links {
        let short = short_link(link);
        if let Some(at) = text.find(link.as_str()) {
            text.replace_range(at..at + link.len(), &short);
            let start = char_index(&text, at);
            urls.push(json!({
                "url": short,
                "expanded_url": link,
                "display_url": display_url(link),
                "indices": idx(start, start + short.chars().count()),
            }));
        }
    }
    let mut mentions = Vec::new();
    let mut hashtags = Vec::new();
    for (at, _) in text.match_indices(['@', '#']) {
        let word: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Twitter does not link all-digit hashtags ("order #123").
        if word.is_empty()
            || (text[at..].starts_with('#') && word.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let start = char_index(&text, at);
        let end = start + 1 + word.chars().count();
        if text[at..].starts_with('@') {
            let id = user_id(&word).to_string();
            mentions.push(json!({
                "name": capitalise(&word),
                "screen_name": word,
                "indices": idx(start, end),
                "id_str": id,
                "id": id,
            }));
        } else {
            hashtags.push(json!({ "text": word, "indices": idx(start, end) }));
        }
    }
    let total = text.chars().count();
    // Replies hide their leading mentions from the displayed range.
    let shown_from = if post.kind == PostKind::Reply {
        let mut from = 0;
        for w in text.split(' ') {
            if w.starts_with('@') {
                from += w.chars().count() + 1;
            } else {
                break;
            }
        }
        from.min(total)
    } else {
        0
    };
    let editable_until =
        (post.created_at + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut t = Map::new();
    t.insert(
        "edit_info".into(),
        json!({ "initial": {
            "editTweetIds": [post.id],
            "editableUntil": editable_until,
            "editsRemaining": "5",
            "isEditEligible": false,
        }}),
    );
    t.insert("retweeted".into(), json!(false));
    t.insert(
        "source".into(),
        json!(source_anchor(
            post.client.as_deref().unwrap_or("Twitter Web App")
        )),
    );
    t.insert(
        "entities".into(),
        json!({
            "hashtags": hashtags,
            "symbols": [],
            "user_mentions": mentions,
            "urls": urls,
        }),
    );
    t.insert("display_text_range".into(), idx(shown_from, total));
    t.insert("favorite_count".into(), json!("0"));
    t.insert("id_str".into(), json!(post.id));
    t.insert("truncated".into(), json!(false));
    t.insert("retweet_count".into(), json!("0"));
    t.insert("id".into(), json!(post.id));
    if let (Some(parent), PostKind::Reply) = (&post.reply_to_id, post.kind) {
        t.insert("in_reply_to_status_id_str".into(), json!(parent));
        t.insert("in_reply_to_status_id".into(), json!(parent));
    }
    if let Some(to) = &post.reply_to_account {
        let uid = user_id(to).to_string();
        t.insert("in_reply_to_user_id".into(), json!(uid));
        t.insert("in_reply_to_user_id_str".into(), json!(uid));
        t.insert("in_reply_to_screen_name".into(), json!(to));
    }
    t.insert("possibly_sensitive".into(), json!(false));
    t.insert(
        "created_at".into(),
        json!(post
            .created_at
            .format("%a %b %d %H:%M:%S +0000 %Y")
            .to_string()),
    );
    t.insert("favorited".into(), json!(false));
    t.insert(
        "full_text".into(),
        json!(html_escape::encode_text(&text).into_owned()),
    );
    t.insert("lang".into(), json!(post.lang.as_deref().unwrap_or("en")));
    let _ = account;
    json!({ "tweet": Value::Object(t) })
}

/// Pretty JSON with the archive's `" : "` key separator.
struct ArchiveFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for ArchiveFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b" : ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `window.YTD.<name>.part0 = [ ... ]` (or any `prefix = value`), as archive files are:
/// no trailing semicolon, no trailing newline.
fn js_assignment(prefix: &str, value: &Value) -> String {
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(prefix.as_bytes());
    buf.extend_from_slice(b" = ");
    let fmt = ArchiveFormatter(serde_json::ser::PrettyFormatter::with_indent(b"  "));
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Serialising a Value into memory cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

/// `data/tweets.js` of a timeline. Archives are not in time order: newest first here.
pub fn tweets_js(timeline: &Timeline) -> String {
    let items: Vec<Value> = timeline
        .posts
        .iter()
        .rev()
        .map(|p| tweet_object(&timeline.account, p))
        .collect();
    js_assignment("window.YTD.tweets.part0", &Value::Array(items))
}

/// `data/direct-messages.js`: one `dmConversation` per conversation, messages newest first.
pub fn direct_messages_js(timeline: &Timeline) -> String {
    let mut by: BTreeMap<&str, Vec<&DirectMessage>> = BTreeMap::new();
    for dm in &timeline.direct_messages {
        by.entry(dm.conversation_id.as_str()).or_default().push(dm);
    }
    let items: Vec<Value> = by
        .into_iter()
        .map(|(id, mut msgs)| {
            msgs.sort_by_key(|m| std::cmp::Reverse(m.created_at));
            let messages: Vec<Value> = msgs
                .iter()
                .map(|m| {
                    // As in tweets, the text carries t.co links and `urls` the targets.
                    let mut text = m.text.clone();
                    let urls: Vec<Value> = links_in(&m.text)
                        .iter()
                        .map(|u| {
                            text = text.replace(u.as_str(), &short_link(u));
                            json!({"url": short_link(u), "expanded": u, "display": display_url(u)})
                        })
                        .collect();
                    json!({ "messageCreate": {
                        "recipientId": m.recipient.clone().unwrap_or_default(),
                        "reactions": [],
                        "urls": urls,
                        "text": text,
                        "mediaUrls": [],
                        "senderId": m.sender,
                        "id": m.id,
                        "createdAt": m.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                    }})
                })
                .collect();
            json!({ "dmConversation": { "conversationId": id, "messages": messages } })
        })
        .collect();
    js_assignment("window.YTD.direct_messages.part0", &Value::Array(items))
}

/// `data/manifest.js`: the archive's own index, with `userInfo` naming the account.
pub fn manifest_js(timeline: &Timeline) -> String {
    let generated = timeline
        .posts
        .last()
        .map(|p| p.created_at + chrono::Duration::days(1))
        .unwrap_or_else(default_end);
    let conversations: std::collections::BTreeSet<&str> = timeline
        .direct_messages
        .iter()
        .map(|d| d.conversation_id.as_str())
        .collect();
    let value = json!({
        "userInfo": {
            "accountId": user_id(&timeline.account).to_string(),
            "userName": timeline.account,
            "displayName": display_name(&timeline.account),
        },
        "archiveInfo": {
            "sizeBytes": "0",
            "generationDate": generated.to_rfc3339_opts(SecondsFormat::Millis, true),
            "isPartialArchive": false,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {
            "fileName": "data/README.txt",
            "directory": "data/",
            "name": "README.txt",
        },
        "dataTypes": {
            "directMessages": {
                "mediaDirectory": "data/direct_messages_media",
                "files": [{
                    "fileName": "data/direct-messages.js",
                    "globalName": "YTD.direct_messages.part0",
                    "count": conversations.len().to_string(),
                }],
            },
            "tweets": {
                "mediaDirectory": "data/tweets_media",
                "files": [{
                    "fileName": "data/tweets.js",
                    "globalName": "YTD.tweets.part0",
                    "count": timeline.posts.len().to_string(),
                }],
            },
        },
    });
    js_assignment("window.__THAR_CONFIG", &value)
}

fn display_name(handle: &str) -> String {
    let base = handle.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    base.split('_')
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The files of a Twitter archive for a timeline, as (path inside the archive, content).
pub fn files(timeline: &Timeline) -> Vec<(&'static str, String)> {
    vec![
        ("data/manifest.js", manifest_js(timeline)),
        ("data/tweets.js", tweets_js(timeline)),
        ("data/direct-messages.js", direct_messages_js(timeline)),
    ]
}

/// Writes a Twitter archive: a zip when `path` ends in `.zip`, else a folder with `data/`.
pub fn write(path: &Path, timeline: &Timeline) -> Result<(), Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let files = files(timeline);
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        std::fs::create_dir_all(path.join("data")).map_err(io_err)?;
        for (name, content) in files {
            let p = path.join(name);
            std::fs::write(&p, content).map_err(|source| Error::Io { path: p, source })?;
        }
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err)?;
    }
    let file = File::create(path).map_err(io_err)?;
    let zip_err = |source| Error::Zip {
        path: path.to_path_buf(),
        source,
    };
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    // A fixed date keeps the archive byte-for-byte reproducible.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in files {
        zip.start_file(name, options).map_err(zip_err)?;
        zip.write_all(content.as_bytes()).map_err(io_err)?;
    }
    let mut inner = zip.finish().map_err(zip_err)?;
    inner.flush().map_err(io_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{account, Archetype};
    use echoscope::model::{created_at_from_id, Platform};

    #[test]
    fn tweets_js_is_shaped_like_the_real_archive() {
        let (t, _) = account(5, Archetype::Brand, 0, 60, default_end());
        let js = tweets_js(&t);
        assert!(js.starts_with("window.YTD.tweets.part0 = [\n  {\n    \"tweet\" : {"));
        assert!(js.ends_with(']'));
        let (_, json_text) = js.split_once('=').unwrap();
        let v: Value = serde_json::from_str(json_text.trim()).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(items.len(), 60);
        let mut replies = 0;
        for item in items {
            let tw = &item["tweet"];
            for key in ["id", "id_str", "favorite_count", "retweet_count"] {
                assert!(tw[key].is_string(), "{key} must be a string");
            }
            for r in tw["display_text_range"].as_array().unwrap() {
                assert!(r.is_string());
            }
            let created = chrono::DateTime::parse_from_str(
                tw["created_at"].as_str().unwrap(),
                "%a %b %d %H:%M:%S %z %Y",
            )
            .unwrap();
            let id = tw["id_str"].as_str().unwrap();
            assert_eq!(
                created_at_from_id(Platform::Twitter, id)
                    .unwrap()
                    .timestamp(),
                created.timestamp()
            );
            assert!(tw["source"].as_str().unwrap().starts_with("<a href=\""));
            if let Some(parent) = tw.get("in_reply_to_status_id_str") {
                replies += 1;
                assert!(parent.is_string());
                assert!(tw["in_reply_to_screen_name"].is_string());
            }
            for u in tw["entities"]["urls"].as_array().unwrap() {
                let short = u["url"].as_str().unwrap();
                assert!(short.starts_with("https://t.co/"));
                assert!(tw["full_text"].as_str().unwrap().contains(short));
            }
        }
        assert!(replies > 10);
        let dms = direct_messages_js(&t);
        assert!(dms.starts_with("window.YTD.direct_messages.part0 = ["));
        assert!(dms.contains("\"messageCreate\" : {"));
        let manifest = manifest_js(&t);
        assert!(manifest.contains(&format!("\"userName\" : \"{}\"", t.account)));
    }

    #[test]
    fn zip_archive_round_trips_and_is_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let (t, _) = account(9, Archetype::Brand, 3, 80, default_end());
        let a = dir.path().join("a.zip");
        let b = dir.path().join("b.zip");
        write(&a, &t).unwrap();
        write(&b, &t).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let mut zip = zip::ZipArchive::new(File::open(&a).unwrap()).unwrap();
        let mut s = String::new();
        io::Read::read_to_string(&mut zip.by_name("data/tweets.js").unwrap(), &mut s).unwrap();
        assert_eq!(s, tweets_js(&t));
        let folder = dir.path().join("folder");
        write(&folder, &t).unwrap();
        assert!(folder.join("data/direct-messages.js").is_file());
    }
}
