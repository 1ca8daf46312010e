//! The Mastodon REST API, public part: `GET /api/v1/accounts/lookup` and
//! `GET /api/v1/accounts/:id/statuses`, parsed from bytes (fetching is in `live.rs`).
//!
//! Unlike the per-account RSS feed, the API shows replies, boosts, the posting application and
//! the language, which the auto-reply and automation-client detectors need. Field shapes follow
//! the Mastodon documentation: ids are strings (compared as integers), most fields are nullable,
//! a boost is a wrapper Status whose `reblog` holds the boosted one (the wrapper's own `content`
//! is "" and its `application` null), and `application` is only present for statuses posted on
//! the server that answers. Paging is by the `Link` header: `rel="next"` carries `max_id` (older),
//! `rel="prev"` carries `min_id` (newer).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::html;
use super::live::ParseError;
use crate::model::Skipped;
use crate::model::{created_at_from_id, Platform, Post, PostKind};

/// The part of an Account the scanner uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    /// The server-local account id used in `accounts/:id/statuses`.
    pub id: String,
    pub username: String,
    /// `user` for local accounts, `user@domain` for remote ones.
    pub acct: String,
    /// The account's self-declared automation flag.
    #[serde(default)]
    pub bot: Option<bool>,
}

/// One page of statuses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusPage {
    pub posts: Vec<Post>,
    pub skipped: Skipped,
    /// Ids of every status on the page (also skipped ones), for paging.
    pub ids: Vec<String>,
}

/// The `next`/`prev` targets of a `Link` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Links {
    /// Older statuses (`max_id=`).
    pub next: Option<String>,
    /// Newer statuses (`min_id=`).
    pub prev: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Status {
    id: String,
    created_at: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    in_reply_to_id: Option<String>,
    #[serde(default)]
    in_reply_to_account_id: Option<String>,
    #[serde(default)]
    reblog: Option<Box<Status>>,
    #[serde(default)]
    application: Option<Application>,
    #[serde(default)]
    mentions: Vec<Mention>,
    #[serde(default)]
    card: Option<Card>,
    #[serde(default)]
    account: Option<StatusAccount>,
    /// Mastodon 4.4+: `{state, quoted_status}` (or `quoted_status_id` in the shallow form).
    #[serde(default)]
    quote: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Application {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Mention {
    id: String,
    acct: String,
}

#[derive(Debug, Deserialize)]
struct Card {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StatusAccount {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    acct: Option<String>,
}

/// Parses an `accounts/lookup` (or `accounts/:id`) answer.
pub fn parse_account(bytes: &[u8], url: &str) -> Result<Account, ParseError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ParseError::new(url, "account", format!("not a Mastodon account: {e}")))
}

/// Parses an `accounts/:id/statuses` page. `owner_id` and `owner_acct` are the account's own id
/// and handle, used to name the target of self-replies (which carry no mention).
pub fn parse_statuses(
    bytes: &[u8],
    url: &str,
    owner_id: &str,
    owner_acct: &str,
) -> Result<StatusPage, ParseError> {
    let values: Vec<serde_json::Value> = serde_json::from_slice(bytes).map_err(|e| {
        ParseError::new(
            url,
            "statuses",
            format!("not a JSON array of statuses: {e}"),
        )
    })?;
    let mut page = StatusPage::default();
    for (i, value) in values.into_iter().enumerate() {
        let hint = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
        let record = match &hint {
            Some(id) => format!("status {} (id {id})", i + 1),
            None => format!("status {}", i + 1),
        };
        if let Some(id) = hint {
            page.ids.push(id);
        }
        let status: Status = match serde_json::from_value(value) {
            Ok(s) => s,
            Err(e) => {
                page.skipped.note(record, format!("unreadable status: {e}"));
                continue;
            }
        };
        match post(status, owner_id, owner_acct) {
            Ok(p) => page.posts.push(p),
            Err(reason) => page.skipped.note(record, reason),
        }
    }
    Ok(page)
}

fn post(s: Status, owner_id: &str, owner_acct: &str) -> Result<Post, String> {
    let created_at = parse_time(&s.created_at)
        .ok_or_else(|| format!("unreadable created_at {:?}", s.created_at))?;
    if let Some(inner) = s.reblog {
        // A boost: its time is the boost's, its text and links the boosted status's.
        let html = inner.content.as_deref().unwrap_or_default();
        let mut p = Post::new(s.id, created_at, html::to_text(html));
        p.kind = PostKind::Repost;
        p.links = links(html, inner.card.as_ref());
        p.lang = inner.language;
        return Ok(p);
    }
    let html = s.content.as_deref().unwrap_or_default();
    let text = html::with_content_warning(html::to_text(html), s.spoiler_text.as_deref());
    let mut p = Post::new(s.id, created_at, text);
    p.links = links(html, s.card.as_ref());
    p.lang = s.language.filter(|l| !l.is_empty());
    p.client = s
        .application
        .and_then(|a| a.name)
        .filter(|n| !n.trim().is_empty());
    if let Some(parent) = s.in_reply_to_id.filter(|x| !x.is_empty()) {
        p.kind = PostKind::Reply;
        p.reply_to_created_at = created_at_from_id(Platform::Mastodon, &parent);
        p.reply_to_id = Some(parent);
        let own_id = s
            .account
            .as_ref()
            .and_then(|a| a.id.as_deref())
            .unwrap_or(owner_id);
        p.reply_to_account = match s.in_reply_to_account_id {
            Some(target) if target == own_id || target == owner_id => Some(
                s.account
                    .and_then(|a| a.acct)
                    .unwrap_or_else(|| owner_acct.to_string()),
            ),
            Some(target) => s
                .mentions
                .into_iter()
                .find(|m| m.id == target)
                .map(|m| m.acct),
            None => None,
        };
    } else if is_quote(s.quote.as_ref()) {
        p.kind = PostKind::Quote;
    }
    Ok(p)
}

/// Whether a `quote` field names a quoted status (full or shallow form); a revoked or pending
/// quote without a status is not counted.
fn is_quote(q: Option<&serde_json::Value>) -> bool {
    let Some(q) = q.filter(|q| q.is_object()) else {
        return false;
    };
    q.get("quoted_status").is_some_and(|v| !v.is_null())
        || q.get("quoted_status_id").is_some_and(|v| !v.is_null())
}

/// Links in the HTML, then the preview card's URL, without repeats. Media attachments are the
/// server's own files, not something the post shares, so they are left out.
fn links(html: &str, card: Option<&Card>) -> Vec<String> {
    let mut out = html::links(html);
    if let Some(u) = card.and_then(|c| c.url.as_deref()) {
        if (u.starts_with("https://") || u.starts_with("http://")) && !out.iter().any(|l| l == u) {
            out.push(u.to_string());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|l| seen.insert(l.clone()));
    out
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses a `Link` header (RFC 8288): `<url>; rel="next", <url>; rel="prev"`.
pub fn parse_link(header: &str) -> Links {
    let mut links = Links::default();
    for part in header.split(',') {
        let part = part.trim();
        let Some(rest) = part.strip_prefix('<') else {
            continue;
        };
        let Some((target, params)) = rest.split_once('>') else {
            continue;
        };
        for param in params.split(';') {
            let Some((k, v)) = param.trim().split_once('=') else {
                continue;
            };
            if !k.trim().eq_ignore_ascii_case("rel") {
                continue;
            }
            for rel in v.trim().trim_matches('"').split_whitespace() {
                match rel.to_ascii_lowercase().as_str() {
                    "next" => links.next = Some(target.to_string()),
                    "prev" | "previous" => links.prev = Some(target.to_string()),
                    _ => {}
                }
            }
        }
    }
    links
}

/// Orders Mastodon ids, which are decimal strings of varying length: longer is newer.
pub fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/feeds/mastodon");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
    }

    #[test]
    fn lookup_gives_id_and_bot_flag() {
        let a = parse_account(&read("lookup_bot.json"), "http://x/lookup").unwrap();
        assert_eq!(a.id, "109302936113116240");
        assert_eq!(a.acct, "shopbot");
        assert_eq!(a.bot, Some(true));
        let err =
            parse_account(b"{\"error\":\"Record not found\"}", "http://x/lookup").unwrap_err();
        assert!(
            err.to_string().starts_with("http://x/lookup: account:"),
            "{err}"
        );
    }

    #[test]
    fn statuses_page_maps_replies_boosts_quotes_and_clients() {
        let page = parse_statuses(
            &read("statuses_page1.json"),
            "http://x/statuses",
            "109302936113116240",
            "shopbot@shop.example",
        )
        .unwrap();
        assert_eq!(page.skipped.count, 1, "{:?}", page.skipped);
        assert_eq!(page.ids.len(), 6);
        let by_id = |id: &str| page.posts.iter().find(|p| p.id == id).unwrap();

        let reply = by_id("112279756309266433");
        assert_eq!(reply.kind, PostKind::Reply);
        assert_eq!(reply.reply_to_id.as_deref(), Some("112279755816960007"));
        assert_eq!(
            reply.reply_to_account.as_deref(),
            Some("alice@other.example")
        );
        assert_eq!(reply.client.as_deref(), Some("AutoResponder"));
        assert_eq!(reply.lang.as_deref(), Some("en"));
        assert_eq!(
            reply.text,
            "@alice Thanks for reaching out! Our team will reply within 24h."
        );
        let parent_time = reply.reply_to_created_at.unwrap();
        assert!(reply.created_at > parent_time);
        assert!(reply.reply_latency_secs().unwrap() < 600.0);

        let boost = by_id("112279368499200001");
        assert_eq!(boost.kind, PostKind::Repost);
        assert_eq!(boost.text, "Original boosted text");
        assert_eq!(boost.client, None);
        assert_eq!(boost.created_at.to_rfc3339(), "2024-04-16T06:00:00+00:00");

        let promo = by_id("112275121766400000");
        assert_eq!(promo.kind, PostKind::Original);
        assert_eq!(
            promo.text,
            "SALE!\nBig sale today: https://shop.example/sale"
        );
        assert_eq!(
            promo.links,
            [
                "https://shop.example/sale?utm=1",
                "https://shop.example/card"
            ]
        );
        assert_eq!(promo.lang, None);

        let self_reply = by_id("112269459456000000");
        assert_eq!(self_reply.reply_to_account.as_deref(), Some("shopbot"));

        let quote = by_id("112263797145600000");
        assert_eq!(quote.kind, PostKind::Quote);
    }

    #[test]
    fn a_non_array_body_is_an_error_naming_the_url() {
        let err = parse_statuses(b"{\"error\":\"x\"}", "http://h/api", "1", "a").unwrap_err();
        assert_eq!(err.url, "http://h/api");
        assert!(err.to_string().contains("not a JSON array"));
    }

    #[test]
    fn link_header_next_and_prev() {
        let l = parse_link(
            r#"<https://mastodon.example/api/v1/accounts/1/statuses?limit=40&max_id=112>; rel="next", <https://mastodon.example/api/v1/accounts/1/statuses?limit=40&min_id=115>; rel="prev""#,
        );
        assert_eq!(
            l.next.as_deref(),
            Some("https://mastodon.example/api/v1/accounts/1/statuses?limit=40&max_id=112")
        );
        assert!(l.prev.unwrap().ends_with("min_id=115"));
        assert_eq!(parse_link("garbage, <x>"), Links::default());
    }

    #[test]
    fn ids_compare_as_integers() {
        use std::cmp::Ordering;
        assert_eq!(compare_ids("99", "100"), Ordering::Less);
        assert_eq!(compare_ids("112", "111"), Ordering::Greater);
    }
}
