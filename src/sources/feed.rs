//! Public feeds: RSS 2.0, Atom and JSON Feed documents, parsed with feed-rs.
//!
//! One parser serves every feed-shaped source; the platform and account are inferred from the
//! feed's URL (and, for YouTube, its id) because a feed document rarely says which platform wrote
//! it, and the post ids must follow each platform's own form for the rest of the pipeline to
//! work: a Mastodon post id is the status id (its creation time is encoded in it), a Bluesky post
//! id is the record key (a TID). Feeds carry only an account's latest original posts (no replies,
//! no boosts, no client), so what they cannot say stays empty.
//!
//! Entries without an id or a date are skipped and counted: feed-rs would invent an id from the
//! link and title, which is not stable across polls, so its generator is replaced by one that
//! leaves the id empty.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed};
use regex::Regex;
use reqwest::Url;

use super::html;
use super::live::{ParseError, Parsed};
use super::SourceError;
use crate::model::Skipped;
use crate::model::{Platform, Post, PostKind, Timeline};

/// What the feed's URL (and content) says about where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    platform: Platform,
    account: String,
}

/// Parses one feed document fetched from `url` into the timeline of the account it belongs to.
///
/// The document may be RSS 0.9x/1.0/2.0, Atom or JSON Feed; its declared XML encoding is honoured,
/// so pass the raw bytes. Errors name the URL.
pub fn parse(bytes: &[u8], url: &str) -> Result<Parsed, ParseError> {
    let feed = parse_document(bytes, Some(url), url)?;
    let origin = origin(
        url,
        &feed.id,
        feed.title.as_ref().map(|t| t.content.as_str()),
    );
    Ok(entries(&feed, &origin))
}

/// Parses a feed document saved to a file (`scan feed.xml`, a watched `file:` source). With
/// no URL to go by, the feed's own link to itself or to the account's page says whose it is.
pub fn parse_saved(bytes: &[u8], label: &str) -> Result<Parsed, ParseError> {
    let feed = parse_document(bytes, None, label)?;
    let title = feed.title.as_ref().map(|t| t.content.as_str());
    let links = feed
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("self"))
        .chain(
            feed.links
                .iter()
                .filter(|l| l.rel.as_deref() != Some("self")),
        )
        .map(|l| l.href.as_str());
    let mut found = None;
    for link in links {
        // A Bluesky feed links to the profile page; its feed URL is that page plus /rss.
        let candidates = [
            link.to_string(),
            format!("{}/rss", link.trim_end_matches('/')),
        ];
        if let Some(o) = candidates
            .iter()
            .map(|u| origin(u, &feed.id, title))
            .find(|o| o.platform != Platform::Feed)
        {
            found = Some(o);
            break;
        }
        found.get_or_insert_with(|| origin(link, &feed.id, title));
    }
    let origin = found.unwrap_or_else(|| Origin {
        platform: if feed.id.starts_with("yt:channel:") {
            Platform::Youtube
        } else {
            Platform::Feed
        },
        account: title
            .map(str::to_string)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| label.to_string()),
    });
    Ok(entries(&feed, &origin))
}

fn parse_document(bytes: &[u8], base: Option<&str>, label: &str) -> Result<Feed, ParseError> {
    let unreadable = |reason: String| {
        ParseError::new(label, "document", format!("not a readable feed: {reason}"))
    };
    let decoded = utf8_document(bytes).map_err(unreadable)?;
    if let Some(text) = &decoded {
        if let Some(at) = late_xml_declaration(text.as_bytes()) {
            let at = text[..at].chars().count();
            return Err(unreadable(format!(
                "an XML declaration at character {at}, after the start"
            )));
        }
    }
    let bytes = decoded.as_ref().map_or(bytes, String::as_bytes);
    feed_rs::parser::Builder::new()
        .base_uri(base)
        // An empty id marks an entry the feed gave no id: it is skipped, not given a made-up one.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(parse_timestamp)
        .sanitize_content(false)
        .build()
        .parse(bytes)
        .map_err(|e| ParseError::new(label, "document", format!("not a readable feed: {e}")))
}

/// The feed's entries as the origin's timeline; entries that cannot be posts are counted.
fn entries(feed: &Feed, origin: &Origin) -> Parsed {
    let mut timeline = Timeline::new(origin.account.clone(), origin.platform);
    let mut skipped = Skipped::default();
    for (i, entry) in feed.entries.iter().enumerate() {
        let record = if entry.id.is_empty() {
            format!("entry {}", i + 1)
        } else {
            format!("entry {} ({})", i + 1, entry.id)
        };
        match post(origin, feed, entry) {
            Ok(p) => timeline.posts.push(p),
            Err(reason) => skipped.note(record, reason),
        }
    }
    timeline.finish();
    Parsed { timeline, skipped }
}

/// Largest saved feed read into memory: a feed is one document parsed whole, and real ones are
/// kilobytes to a few megabytes.
const MAX_SAVED_FEED_BYTES: u64 = 64 << 20;

/// Recognises a saved feed: XML whose root element (after any declaration, comments or
/// stylesheet instructions) is `<rss`, `<feed` or `<rdf:RDF`, or a JSON Feed, which names its
/// version URL near the top. Feeds are named anything, so the name never decides.
pub fn sniff(input: &super::Sniff) -> super::Verdict {
    use super::{Content, Verdict};
    let Content::Text(text) = &input.content else {
        return Verdict::No;
    };
    let Some(first) = text.first_line() else {
        return Verdict::No;
    };
    if first.starts_with(b"<") {
        let window = text.lossy();
        if ["<rss", "<feed", "<rdf:RDF"]
            .iter()
            .any(|t| window.contains(t))
        {
            return Verdict::Mine;
        }
        return Verdict::NearMiss("XML that is not an RSS, Atom or RDF feed".into());
    }
    if first.starts_with(b"{") && text.lossy().contains("jsonfeed.org/version/") {
        return Verdict::Mine;
    }
    Verdict::No
}

/// Reads a saved feed file as an input of `scan` ([`super::InputFormat::Feed`]).
pub fn read(path: &std::path::Path, limits: &super::Limits) -> Result<super::Batch, SourceError> {
    use std::io::Read as _;
    let limit = limits.max_entry_bytes.min(MAX_SAVED_FEED_BYTES);
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            path: path.to_path_buf(),
            what: "the feed document".into(),
            limit,
        });
    }
    let parsed =
        parse_saved(&bytes, &path.display().to_string()).map_err(|e| SourceError::Invalid {
            path: path.to_path_buf(),
            record: e.record,
            reason: e.reason,
        })?;
    if parsed.timeline.posts.is_empty() {
        return Err(SourceError::Empty {
            path: path.to_path_buf(),
            reason: format!(
                "a feed without usable entries ({} skipped)",
                parsed.skipped.count
            ),
        });
    }
    Ok(super::Batch {
        timelines: vec![parsed.timeline],
        skipped: parsed.skipped,
        notes: Vec::new(),
    })
}

/// Dates as feeds write them: RFC 3339 (Atom, JSON Feed, some RSS), RFC 2822 with or without
/// weekday and seconds and with 2-digit years or zone names (RSS; Bluesky's "14 Jan 2026 16:33
/// +0000"), and a bare ISO date-time taken as UTC.
fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// The platform and account a feed URL stands for, before fetching it (what [`parse`] will
/// report, except that a YouTube feed is only recognised by its host here).
pub fn origin_of_url(url: &str) -> (Platform, String) {
    let o = origin(url, "", None);
    (o.platform, o.account)
}

/// Infers the platform and account. URL shapes are matched on the path, not the host, because
/// Mastodon runs on any host (and tests serve the real documents from 127.0.0.1).
fn origin(url: &str, feed_id: &str, feed_title: Option<&str>) -> Origin {
    let parsed = Url::parse(url).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let segments: Vec<String> = parsed
        .as_ref()
        .and_then(|u| u.path_segments())
        .map(|s| s.filter(|x| !x.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();

    // Mastodon: /@user.rss (also /@user/tagged/TAG.rss, same account).
    if let Some(first) = seg.first() {
        if let Some(user) = first.strip_prefix('@') {
            let user = user.strip_suffix(".rss").unwrap_or(user);
            if !user.is_empty()
                && (seg.len() == 1 || seg.last().is_some_and(|s| s.ends_with(".rss")))
            {
                return Origin {
                    platform: Platform::Mastodon,
                    account: format!("{user}@{host}"),
                };
            }
        }
    }
    // Bluesky: /profile/<handle|did>/rss.
    if let ["profile", handle, "rss"] = seg.as_slice() {
        return Origin {
            platform: Platform::Bluesky,
            account: handle.trim_start_matches('@').to_ascii_lowercase(),
        };
    }
    // YouTube: /feeds/videos.xml?channel_id=… or a feed whose id is yt:channel:….
    if host.ends_with("youtube.com") || feed_id.starts_with("yt:channel:") {
        let channel = parsed
            .as_ref()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "channel_id" || k == "playlist_id")
                    .map(|(_, v)| v.into_owned())
            })
            .or_else(|| feed_id.strip_prefix("yt:channel:").map(str::to_string))
            .or_else(|| feed_title.map(str::to_string))
            .unwrap_or_else(|| url.to_string());
        return Origin {
            platform: Platform::Youtube,
            account: channel,
        };
    }
    // Reddit: /user/<name>/… or /u/<name>/… (Atom despite the .rss name); other Reddit feeds
    // (a subreddit, a search) keep their path as the account.
    if host == "reddit.com" || host.ends_with(".reddit.com") {
        let account = match seg.as_slice() {
            ["user" | "u", name, ..] => name.to_string(),
            _ => seg.join("/"),
        };
        return Origin {
            platform: Platform::Reddit,
            account,
        };
    }
    Origin {
        platform: Platform::Feed,
        account: url.to_string(),
    }
}

/// One entry as a post, or why it cannot be one.
fn post(origin: &Origin, feed: &Feed, entry: &Entry) -> Result<Post, String> {
    if entry.id.trim().is_empty() {
        return Err("entry has no id (guid)".into());
    }
    let created_at = entry
        .published
        .or(entry.updated)
        .ok_or_else(|| "entry has no readable date".to_string())?;
    let permalink = entry.links.first().map(|l| l.href.as_str());
    let id = match origin.platform {
        // The guid is the status URL (or the AT-URI): the id is its last path segment, so that
        // reply-time decoding and the REST API agree on it.
        Platform::Mastodon | Platform::Bluesky => last_segment(&entry.id)
            .or_else(|| permalink.and_then(last_segment))
            .ok_or_else(|| format!("cannot find a post id in {:?}", entry.id))?,
        Platform::Youtube => entry
            .id
            .strip_prefix("yt:video:")
            .unwrap_or(&entry.id)
            .to_string(),
        _ => entry.id.trim().to_string(),
    };

    let (body, mut body_is_html) = body(entry);
    // Bluesky's RSS description is plain text although RSS descriptions are nominally HTML.
    if origin.platform == Platform::Bluesky {
        body_is_html = false;
    }
    let mut links = Vec::new();
    let mut text = if body_is_html {
        links = html::links(&body);
        html::to_text(&body)
    } else {
        links.extend(plain_links(&body));
        body.trim().to_string()
    };
    if origin.platform == Platform::Reddit {
        // Reddit wraps every entry in "submitted by /u/… to r/… [link] [comments]"; that
        // boilerplate is the same in every post and would make all posts look alike.
        if let Some(cut) = text.rfind("submitted by") {
            text.truncate(cut);
            text = text.trim_end().to_string();
        }
        links.retain(|l| {
            Url::parse(l)
                .ok()
                .and_then(|u| u.host_str().map(|h| !h.ends_with("reddit.com")))
                .unwrap_or(false)
        });
    }
    // Mastodon and Bluesky items have no title (an old Bluesky server wrote "@handle post");
    // elsewhere the title is part of what the post says.
    if !matches!(origin.platform, Platform::Mastodon | Platform::Bluesky) {
        if let Some(title) = entry.title.as_ref().map(|t| t.content.trim()) {
            if !title.is_empty() && !text.starts_with(title) {
                text = if text.is_empty() {
                    title.to_string()
                } else {
                    format!("{title}\n{text}")
                };
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    links.retain(|l| seen.insert(l.clone()));

    let mut p = Post::new(id, created_at, text);
    p.links = links;
    p.lang = entry.language.clone().or_else(|| feed.language.clone());
    // A Reddit comment (fullname t1_) answers a post or comment the feed does not name.
    if origin.platform == Platform::Reddit && entry.id.starts_with("t1_") {
        p.kind = PostKind::Reply;
    }
    Ok(p)
}

/// The entry's body and whether it is HTML: content, else summary/description, else (YouTube)
/// the media description.
fn body(entry: &Entry) -> (String, bool) {
    if let Some(c) = &entry.content {
        if let Some(b) = &c.body {
            return (b.clone(), is_html(c.content_type.as_ref()));
        }
    }
    if let Some(s) = &entry.summary {
        return (s.content.clone(), is_html(s.content_type.as_ref()));
    }
    if let Some(d) = entry.media.iter().find_map(|m| m.description.as_ref()) {
        return (d.content.clone(), is_html(d.content_type.as_ref()));
    }
    (String::new(), false)
}

fn is_html(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.contains("html") || ct.contains("xml")
}

/// The last non-empty path segment of a URL or AT-URI.
fn last_segment(s: &str) -> Option<String> {
    s.trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|x| !x.is_empty() && !x.contains(':'))
        .map(str::to_string)
}

/// http(s) URLs written as plain text (Bluesky RSS descriptions, text/plain Atom content).
pub(crate) fn plain_links(text: &str) -> Vec<String> {
    static URL: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = URL
        .get_or_init(|| Regex::new(r#"https?://[^\s<>"'\)\]]+"#).ok())
        .as_ref()
    else {
        return Vec::new();
    };
    re.find_iter(text)
        .map(|m| {
            m.as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?'])
                .to_string()
        })
        .collect()
}

/// An XML document decoded to UTF-8 here, with its declaration rewritten to say so; `None` for
/// a document that is not XML (a JSON Feed), which feed-rs reads as it is.
///
/// quick-xml, under feed-rs, switches its decoder when the declaration names another encoding,
/// and panics (`set_encoding() called after prefix buffer was drained`) when the declaration
/// ends past the first 64 bytes it sniffed: a long declaration, whitespace before it, or a
/// UTF-16 declaration, which is 78 bytes. Decoding first, by the rules XML gives (a byte-order
/// mark, then the UTF-16 shape of `<` or whitespace, then the declared encoding, else UTF-8),
/// leaves it
/// nothing to switch: the declaration it sees is a short one naming UTF-8. Bytes that are not
/// valid in the encoding become U+FFFD, as quick-xml's own decoding does.
fn utf8_document(bytes: &[u8]) -> Result<Option<String>, String> {
    use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
    let (encoding, start) = match (Encoding::for_bom(bytes), bytes) {
        (Some((encoding, bom)), _) => (encoding, bom),
        // XML's own sniff is `<?` as UTF-16; whitespace before it is read too.
        (None, [first, 0, ..]) if *first == b'<' || first.is_ascii_whitespace() => (UTF_16LE, 0),
        (None, [0, first, ..]) if *first == b'<' || first.is_ascii_whitespace() => (UTF_16BE, 0),
        (None, _) => (UTF_8, 0),
    };
    let body = &bytes[start..];
    let encoding = if encoding == UTF_8 {
        // feed-rs reads a document as JSON when its first `<` or `{` is a `{`, as XML when it
        // is a `<`, whatever comes before (NUL bytes, junk), and refuses one with neither. The
        // same test here: an XML document with junk before its `<` once went to feed-rs
        // undecoded, and its late declaration to quick-xml's encoding switch.
        if body.iter().find(|&&b| b == b'<' || b == b'{') != Some(&b'<') {
            return Ok(None);
        }
        match declared_encoding(body) {
            // A byte-order mark outranks the declaration; a UTF-16 label on bytes that are not
            // UTF-16 is a mistake XML parsers read past.
            Some(declared) if start == 0 && declared != UTF_16LE && declared != UTF_16BE => {
                declared
            }
            _ => UTF_8,
        }
    } else {
        encoding
    };
    if encoding == encoding_rs::REPLACEMENT {
        return Err(format!(
            "its declared encoding ({}) is one that cannot be decoded safely",
            String::from_utf8_lossy(declared_label(body).unwrap_or_default())
        ));
    }
    let (text, _) = encoding.decode_without_bom_handling(body);
    let text = text.trim_start();
    let rest = match text.strip_prefix("<?xml") {
        Some(after) if after.starts_with(|c: char| c.is_ascii_whitespace() || c == '?') => {
            match after.find("?>") {
                Some(end) => &after[end + 2..],
                // An unclosed declaration: the parser says so.
                None => text,
            }
        }
        _ => text,
    };
    let mut out = String::with_capacity(rest.len() + 40);
    if rest.len() != text.len() || !text.starts_with("<?xml") {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// The encoding an ASCII-compatible document's declaration names, when it names one encoding_rs
/// knows (quick-xml ignores the others too).
fn declared_encoding(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    encoding_rs::Encoding::for_label(declared_label(body)?)
}

/// The `encoding="…"` value of the declaration that opens `body` (after whitespace).
fn declared_label(body: &[u8]) -> Option<&[u8]> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = body[start..].strip_prefix(b"<?xml")?;
    let decl = &decl[..find(decl, b"?>")?];
    let after = &decl[find(decl, b"encoding")? + b"encoding".len()..];
    let after = after
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (&quote, value) = after.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    Some(&value[..value.iter().position(|&b| b == quote)?])
}

/// Where an XML declaration (`<?xml …?>`) stands after the start of a UTF-8 document, outside
/// comments and CDATA sections. XML allows one, first; quick-xml (under feed-rs) panics when a
/// later one names another encoding, so such a document is refused before it is parsed.
fn late_xml_declaration(bytes: &[u8]) -> Option<usize> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let first = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let mut i = first;
    while let Some(lt) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
    {
        let at = i + lt;
        let rest = &bytes[at..];
        let skip_to = |end: &[u8]| find(rest, end).map_or(bytes.len(), |e| at + e + end.len());
        if rest.starts_with(b"<!--") {
            i = skip_to(b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(b"]]>");
        } else if at != first
            && rest.starts_with(b"<?xml")
            && rest
                .get(5)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'?')
        {
            return Some(at);
        } else {
            i = at + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way the declaration can end past quick-xml's first 64 bytes (a long one, whitespace
    /// before it), in every encoding shape (none, a UTF-8 or UTF-16 byte-order mark, UTF-16
    /// without one) and naming every kind of encoding: read or refused, never a panic, and the
    /// item's text comes through in the encodings that can carry it.
    #[test]
    fn declarations_of_any_length_and_encoding_are_decoded_not_a_panic() {
        let labels = [
            "UTF-8",
            "ISO-8859-1",
            "windows-1252",
            "UTF-16",
            "UTF-16BE",
            "UTF-16LE",
            "Shift_JIS",
            "iso-2022-kr",
            "no-such-encoding",
        ];
        for label in labels {
            for pad in [0, 1, 10, 30, 50, 64, 100] {
                for lead in [0, 20, 70] {
                    let text = format!(
                        "{}<?xml version=\"1.0\" encoding=\"{label}\"{}?>\n<rss version=\"2.0\"><channel><title>t</title><link>https://example.org/</link>\
                         <item><guid>1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate><description>caf\u{e9}</description></item></channel></rss>",
                        " ".repeat(lead),
                        " ".repeat(pad)
                    );
                    let utf16 = |little: bool, bom: bool| {
                        let mut out = Vec::new();
                        if bom {
                            out.extend_from_slice(if little {
                                &[0xFF, 0xFE]
                            } else {
                                &[0xFE, 0xFF]
                            });
                        }
                        for unit in text.encode_utf16() {
                            out.extend(if little {
                                unit.to_le_bytes()
                            } else {
                                unit.to_be_bytes()
                            });
                        }
                        out
                    };
                    let latin1: Vec<u8> = text.chars().map(|c| c as u8).collect();
                    let shapes = [
                        ("latin-1 bytes", latin1),
                        ("UTF-8", text.clone().into_bytes()),
                        (
                            "UTF-8 with a BOM",
                            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                        ),
                        ("UTF-16LE with a BOM", utf16(true, true)),
                        ("UTF-16BE with a BOM", utf16(false, true)),
                        ("UTF-16LE", utf16(true, false)),
                        ("UTF-16BE", utf16(false, false)),
                    ];
                    for (shape, bytes) in shapes {
                        let what = format!(
                            "{shape}, encoding {label}, {lead} spaces before, {pad} inside"
                        );
                        let Ok(feed) = parse_saved(&bytes, "feed.xml") else {
                            assert_eq!(label, "iso-2022-kr", "{what}: refused");
                            continue;
                        };
                        let post = &feed.timeline.posts[0].text;
                        let readable = match shape {
                            "latin-1 bytes" => ["ISO-8859-1", "windows-1252"].contains(&label),
                            "UTF-8" => [
                                "UTF-8",
                                "UTF-16",
                                "UTF-16BE",
                                "UTF-16LE",
                                "no-such-encoding",
                            ]
                            .contains(&label),
                            _ => true,
                        };
                        if readable {
                            assert_eq!(post, "caf\u{e9}", "{what}");
                        }
                    }
                }
            }
        }
    }

    const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real");

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(format!("{REAL}/{path}")).unwrap()
    }

    #[test]
    fn mastodon_rss_gives_status_ids_and_links() {
        let parsed = parse(
            &read("mastodon-rss/mastodon_social_pdxjohnny.rss"),
            "https://mastodon.social/@pdxjohnny.rss",
        )
        .unwrap();
        let tl = parsed.timeline;
        assert_eq!(tl.platform, Platform::Mastodon);
        assert_eq!(tl.account, "pdxjohnny@mastodon.social");
        assert_eq!(parsed.skipped.count, 0);
        let ids: Vec<_> = tl.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["109320563491316354", "109348722777644811"]);
        let newest = &tl.posts[1];
        assert_eq!(newest.created_at.to_rfc3339(), "2022-11-15T16:18:15+00:00");
        // The status id encodes the same time the feed states.
        let decoded = crate::model::created_at_from_id(Platform::Mastodon, &newest.id).unwrap();
        assert!((decoded - newest.created_at).num_seconds().abs() <= 1);
        assert!(newest.text.starts_with("RSS VEX feeds?\n"));
        assert_eq!(
            newest.links[0],
            "https://twit.social/@jr/109345573865828477"
        );
        assert_eq!(newest.kind, PostKind::Original);
    }

    #[test]
    fn bluesky_rss_gives_record_keys_and_plain_text() {
        let parsed = parse(
            &read("bluesky-rss/kaedotcom.bsky.social.rss"),
            "https://bsky.app/profile/kaedotcom.bsky.social/rss",
        )
        .unwrap();
        let tl = parsed.timeline;
        assert_eq!(tl.platform, Platform::Bluesky);
        assert_eq!(tl.account, "kaedotcom.bsky.social");
        assert_eq!(tl.posts.len(), 1);
        let p = &tl.posts[0];
        assert_eq!(p.id, "3mcfiov2e7k2r");
        assert_eq!(p.created_at.to_rfc3339(), "2026-01-14T16:33:00+00:00");
        assert_eq!(
            p.text,
            "But the Starlink hardware must be somehow acquired …\n\n[contains quote post or other embedded content]"
        );
    }

    #[test]
    fn bluesky_rss_old_server_form_with_iso_date_and_title() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>@a.bsky.social</title><link>https://bsky.app/profile/a.bsky.social</link><description>x</description>
<item><title>@a.bsky.social post</title><link>https://bsky.app/profile/a.bsky.social/post/3kau6tviybe2w</link><description>see https://shop.example/x.</description><pubDate>2023-10-03T15:04:05.821Z</pubDate><guid isPermaLink="false">at://did:plc:x/app.bsky.feed.post/3kau6tviybe2w</guid></item>
</channel></rss>"#;
        let parsed = parse(xml.as_bytes(), "https://bsky.app/profile/a.bsky.social/rss").unwrap();
        let p = &parsed.timeline.posts[0];
        assert_eq!(p.id, "3kau6tviybe2w");
        assert_eq!(p.text, "see https://shop.example/x.");
        assert_eq!(p.links, ["https://shop.example/x"]);
        assert_eq!(p.created_at.to_rfc3339(), "2023-10-03T15:04:05.821+00:00");
    }

    #[test]
    fn youtube_channel_feed() {
        let parsed = parse(
            &read("youtube-atom/youtube_channel_feed_pbs.xml"),
            "https://www.youtube.com/feeds/videos.xml?channel_id=UC7_gcs09iThXybpVgjHZ_7g",
        )
        .unwrap();
        let tl = parsed.timeline;
        assert_eq!(tl.platform, Platform::Youtube);
        assert_eq!(tl.account, "UC7_gcs09iThXybpVgjHZ_7g");
        let p = &tl.posts[0];
        assert_eq!(p.id, "0A1ouV7iD8o");
        assert_eq!(p.created_at.to_rfc3339(), "2020-12-22T19:15:01+00:00");
        assert!(p
            .text
            .starts_with("Navigating with Quantum Entanglement\nCheck Out"));
        assert_eq!(
            p.links,
            ["https://www.youtube.com/watch?v=znSN7ZFIaOg&ab_channel=PBSTerra"]
        );
    }

    #[test]
    fn reddit_atom_strips_boilerplate_and_keeps_shared_links() {
        let parsed = parse(
            &read("reddit-feeds/reddit_search_rss_is_atom.xml"),
            "https://www.reddit.com/user/kevincox_ca/submitted/.rss",
        )
        .unwrap();
        let tl = parsed.timeline;
        assert_eq!(tl.platform, Platform::Reddit);
        assert_eq!(tl.account, "kevincox_ca");
        let p = &tl.posts[0];
        assert_eq!(p.id, "t3_qksbf1");
        assert_eq!(p.text, "Announcing FeedMail");
        assert_eq!(
            p.links,
            ["https://kevincox.ca/2021/11/01/announcing-feedmail/"]
        );
    }

    #[test]
    fn reddit_entries_without_published_use_updated() {
        let parsed = parse(
            &read("reddit-feeds/reddit_subreddit_rss.xml"),
            "https://www.reddit.com/r/rust/.rss",
        )
        .unwrap();
        assert_eq!(parsed.timeline.account, "r/rust/.rss");
        assert!(!parsed.timeline.posts.is_empty());
        assert_eq!(parsed.skipped.count, 0);
    }

    #[test]
    fn generic_rss_and_latin1_encoding() {
        let parsed = parse(
            &read("rss2/rss_2.0_encoding_1.xml"),
            "https://www.inovacaotecnologica.com.br/boletim/rss.xml",
        )
        .unwrap();
        let tl = parsed.timeline;
        assert_eq!(tl.platform, Platform::Feed);
        assert!(tl.posts.iter().any(|p| p.text.contains("Revolução")));
        assert!(tl.posts.iter().all(|p| p.lang.as_deref() == Some("pt-br")));
    }

    #[test]
    fn atom_spec_example() {
        let parsed = parse(
            &read("atom/atom_spec_1.xml"),
            "http://example.org/feed.atom",
        )
        .unwrap();
        let p = &parsed.timeline.posts[0];
        assert_eq!(p.id, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
        assert_eq!(p.text, "Atom-Powered Robots Run Amok\nSome text.");
        assert_eq!(p.created_at.to_rfc3339(), "2003-12-13T18:30:02+00:00");
    }

    #[test]
    fn entries_without_id_or_date_are_skipped_and_counted() {
        let xml = r#"<rss version="2.0"><channel><title>t</title>
<item><description>no guid</description><pubDate>Tue, 15 Nov 2022 16:18:15 +0000</pubDate></item>
<item><guid>b</guid><description>no date</description></item>
<item><guid>c</guid><description>ok</description><pubDate>Tue, 15 Nov 22 16:18 GMT</pubDate></item>
</channel></rss>"#;
        let parsed = parse(xml.as_bytes(), "https://blog.example/feed").unwrap();
        assert_eq!(parsed.timeline.posts.len(), 1);
        assert_eq!(parsed.timeline.posts[0].id, "c");
        assert_eq!(parsed.skipped.count, 2);
        assert!(parsed.skipped.examples[1].record.contains("(b)"));
    }

    #[test]
    fn json_feed_is_read() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","content_html":"<p>hi <a href=\"https://x.example/\">x</a></p>","date_published":"2024-01-02T03:04:05Z"}]}"#;
        let parsed = parse(json.as_bytes(), "https://j.example/feed.json").unwrap();
        let p = &parsed.timeline.posts[0];
        assert_eq!((p.id.as_str(), p.text.as_str()), ("1", "hi x"));
        assert_eq!(p.links, ["https://x.example/"]);
    }

    #[test]
    fn malformed_documents_name_the_url() {
        let err = parse(
            b"<rss version=\"2.0\"><channel><item>",
            "https://a.example/x.rss",
        );
        // feed-rs may accept a truncated document as an empty feed; garbage must be an error.
        if let Ok(p) = err {
            assert!(p.timeline.posts.is_empty());
        }
        let err = parse(b"this is not a feed", "https://a.example/x.rss").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("https://a.example/x.rss: document:"),
            "{err}"
        );
    }
}
