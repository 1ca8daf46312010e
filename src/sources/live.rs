//! Live sources: one account's public timeline fetched over HTTP, for `echoscope scan <spec>` and
//! for the daemon's polls.
//!
//! A [`LiveSpec`] names what to fetch: a feed URL (`https://host/@user.rss`, any RSS/Atom/JSON
//! feed), `mastodon:@user@host` (the REST API: replies, boosts and client names included) or
//! `bsky:handle` (the public AppView); the daemon's `config::Source` wraps it, so `scan` and
//! `serve` read a spec the same way. [`fetch`] takes the state left by the previous poll
//! ([`FetchState`]) and returns the posts plus the state for the next one: the first run pages
//! back up to a depth (Mastodon `max_id` via `Link: rel="next"`, Bluesky `cursor`), later runs
//! only ask for what is new (Mastodon `min_id` forward paging, Bluesky stops at posts it has
//! seen, feeds use conditional GET). Posts seen twice are harmless: the store ignores known ids.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::http::{Client, FetchError, Validators};
use super::{bluesky_appview, feed, mastodon_api};
use crate::model::Skipped;
use crate::model::{Platform, SourceKind, Timeline};

/// The public AppView that serves Bluesky reads without login.
pub const BLUESKY_APPVIEW: &str = "https://public.api.bsky.app";

/// Mastodon's largest `limit` for account statuses.
const MASTODON_PAGE: usize = 40;
/// The AppView's largest `limit` for getAuthorFeed.
const BLUESKY_PAGE: usize = 100;

/// Where a source left off, kept between polls: conditional-GET validators and paging cursors.
/// It belongs to the source, which alone knows what its cursor means; the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FetchState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Newest post id seen (Mastodon `since_id`), or the source's own cursor.
    pub cursor: Option<String>,
    /// Whether the first-run backfill has been done.
    pub backfilled: bool,
    /// Last successful fetch.
    pub last_success: Option<DateTime<Utc>>,
}

/// A fetched document that could not be understood. Names the URL and the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url}: {record}: {reason}")]
pub struct ParseError {
    pub url: String,
    /// Which part: "document", "entry 3 (guid)", "status 2 (id 1234)".
    pub record: String,
    pub reason: String,
}

impl ParseError {
    pub fn new(url: &str, record: impl Into<String>, reason: impl Into<String>) -> ParseError {
        ParseError {
            // Errors are logged and shown by the API: never with the URL's credentials.
            url: crate::redact::url(url).into_owned(),
            record: record.into(),
            reason: reason.into(),
        }
    }
}

/// What a parser made of one document: the account's timeline (finished) and what it skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub timeline: Timeline,
    pub skipped: Skipped,
}

/// A spec string that names no live source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{spec:?}: {reason} (expected an https:// feed URL, mastodon:@user@host or bsky:handle)")]
pub struct SpecError {
    pub spec: String,
    pub reason: String,
}

/// What to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSpec {
    /// An RSS/Atom/JSON feed; the platform is inferred from the URL (see `feed.rs`).
    Feed { url: String },
    /// The Mastodon REST API of `host`, for the local account `user`.
    Mastodon {
        user: String,
        host: String,
        /// `https://host` unless overridden (tests, a proxy).
        base_url: String,
    },
    /// The Bluesky AppView, for a handle or DID.
    Bluesky { actor: String, base_url: String },
}

impl LiveSpec {
    /// The kind of source, as reports and metrics name it.
    pub fn kind(&self) -> SourceKind {
        match self {
            LiveSpec::Feed { .. } => SourceKind::Feed,
            LiveSpec::Mastodon { .. } => SourceKind::MastodonApi,
            LiveSpec::Bluesky { .. } => SourceKind::BlueskyAppview,
        }
    }

    /// Parses `https://…` / `http://…`, `mastodon:@user@host` (the leading `@` is optional) and
    /// `bsky:handle` (or `bluesky:`, a DID works too).
    pub fn parse(spec: &str) -> Result<LiveSpec, SpecError> {
        let s = spec.trim();
        let err = |reason: &str| SpecError {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        if s.starts_with("https://") || s.starts_with("http://") {
            let url = Url::parse(s).map_err(|e| err(&format!("not a valid URL: {e}")))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err(err("the URL has no host"));
            }
            return Ok(LiveSpec::Feed { url: s.to_string() });
        }
        if let Some(rest) = s.strip_prefix("mastodon:") {
            let rest = rest.trim_start_matches('@');
            let (user, host) = rest
                .split_once('@')
                .ok_or_else(|| err("a Mastodon account is written @user@host"))?;
            let host = host.to_ascii_lowercase();
            if user.is_empty()
                || !user
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
            {
                return Err(err(
                    "the user name is empty or has characters Mastodon does not allow",
                ));
            }
            if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
            {
                return Err(err("the host is empty or not a host name"));
            }
            return Ok(LiveSpec::Mastodon {
                user: user.to_string(),
                base_url: format!("https://{host}"),
                host,
            });
        }
        if let Some(rest) = s
            .strip_prefix("bsky:")
            .or_else(|| s.strip_prefix("bluesky:"))
        {
            let actor = rest.trim_start_matches('@').to_ascii_lowercase();
            if actor.is_empty()
                || !actor
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
            {
                return Err(err("a Bluesky handle (name.bsky.social) or DID is needed"));
            }
            return Ok(LiveSpec::Bluesky {
                actor,
                base_url: BLUESKY_APPVIEW.to_string(),
            });
        }
        Err(err("unknown kind of source"))
    }

    /// Points an API spec at another server (tests, a mirror); a feed URL is left as it is.
    pub fn with_base_url(self, base: impl Into<String>) -> LiveSpec {
        let base = base.into().trim_end_matches('/').to_string();
        match self {
            LiveSpec::Feed { url } => LiveSpec::Feed { url },
            LiveSpec::Mastodon { user, host, .. } => LiveSpec::Mastodon {
                user,
                host,
                base_url: base,
            },
            LiveSpec::Bluesky { actor, .. } => LiveSpec::Bluesky {
                actor,
                base_url: base,
            },
        }
    }

    /// The platform the timeline will have.
    pub fn platform(&self) -> Platform {
        match self {
            LiveSpec::Feed { url } => feed::origin_of_url(url).0,
            LiveSpec::Mastodon { .. } => Platform::Mastodon,
            LiveSpec::Bluesky { .. } => Platform::Bluesky,
        }
    }

    /// The account name the timeline will have (`user@host`, the handle, or what the feed URL
    /// says).
    pub fn account(&self) -> String {
        match self {
            // A feed's account is often its URL: it is stored and exported, so masked.
            LiveSpec::Feed { url } => crate::redact::url(&feed::origin_of_url(url).1).into_owned(),
            LiveSpec::Mastodon { user, host, .. } => format!("{user}@{host}"),
            LiveSpec::Bluesky { actor, .. } => actor.clone(),
        }
    }
}

impl FromStr for LiveSpec {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LiveSpec::parse(s)
    }
}

impl fmt::Display for LiveSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveSpec::Feed { url } => f.write_str(&crate::redact::url(url)),
            LiveSpec::Mastodon { user, host, .. } => write!(f, "mastodon:@{user}@{host}"),
            LiveSpec::Bluesky { actor, .. } => write!(f, "bsky:{actor}"),
        }
    }
}

/// The result of one poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The posts fetched this time (finished: oldest first, no repeated ids); empty when
    /// `not_modified`.
    pub timeline: Timeline,
    pub skipped: Skipped,
    /// The state to store for the next poll.
    pub new_state: FetchState,
    /// The feed answered 304: nothing changed since the last poll.
    pub not_modified: bool,
    /// HTTP requests made (pages, lookups), for logs and metrics.
    pub requests: u32,
}

/// Fetches the account's timeline. The first run (`!state.backfilled`) pages back until about
/// `backfill_posts` posts; later runs fetch only what is new, still bounded by `backfill_posts`.
pub async fn fetch(
    client: &Client,
    spec: &LiveSpec,
    state: &FetchState,
    backfill_posts: usize,
) -> Result<Fetched, FetchError> {
    let depth = backfill_posts.max(1);
    let mut fetched = match spec {
        LiveSpec::Feed { url } => fetch_feed(client, url, state).await?,
        LiveSpec::Mastodon {
            user,
            host,
            base_url,
        } => fetch_mastodon(client, user, host, base_url, state, depth).await?,
        LiveSpec::Bluesky { actor, base_url } => {
            fetch_bluesky(client, actor, base_url, state, depth).await?
        }
    };
    // The same date rule as files: a post dated year 1, 9999 or days ahead is a damaged
    // record, left out and counted, never stored (nor kept from retention by a future date).
    let now = Utc::now();
    fetched.timeline.vet(now);
    fetched.timeline.finish();
    fetched.new_state.last_success = Some(now);
    Ok(fetched)
}

async fn fetch_feed(client: &Client, url: &str, state: &FetchState) -> Result<Fetched, FetchError> {
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    let response = client.get(url, &validators).await?;
    let mut new_state = state.clone();
    new_state.backfilled = true;
    if response.not_modified {
        let (platform, account) = feed::origin_of_url(url);
        let account = crate::redact::url(&account).into_owned();
        new_state.etag = response.etag;
        new_state.last_modified = response.last_modified;
        return Ok(Fetched {
            timeline: Timeline::new(account, platform),
            skipped: Skipped::default(),
            new_state,
            not_modified: true,
            requests: 1,
        });
    }
    let mut parsed = feed::parse(&response.body, url)?;
    // A feed without a usable title or id is named by its URL: mask its credentials.
    if let Cow::Owned(masked) = crate::redact::url(&parsed.timeline.account) {
        parsed.timeline.account = masked;
    }
    new_state.etag = response.etag;
    new_state.last_modified = response.last_modified;
    Ok(Fetched {
        timeline: parsed.timeline,
        skipped: parsed.skipped,
        new_state,
        not_modified: false,
        requests: 1,
    })
}

/// Builds `base + path` with query pairs, escaping the values.
fn api_url(base: &str, path: &str, query: &[(&str, &str)]) -> Result<String, FetchError> {
    let joined = format!("{}{path}", base.trim_end_matches('/'));
    let mut url = Url::parse(&joined).map_err(|e| FetchError::InvalidUrl {
        url: joined.clone(),
        reason: e.to_string(),
    })?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url.to_string())
}

/// Whether a server-given paging URL stays on the server we asked (a `Link` header must not
/// send us elsewhere).
fn same_origin(base: &str, target: &str) -> bool {
    match (Url::parse(base), Url::parse(target)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

async fn fetch_mastodon(
    client: &Client,
    user: &str,
    host: &str,
    base: &str,
    state: &FetchState,
    depth: usize,
) -> Result<Fetched, FetchError> {
    let account_name = format!("{user}@{host}");
    let mut requests = 0u32;
    // The lookup runs on every poll: it gives the id the statuses call needs and the `bot` flag,
    // which the account may change at any time.
    let lookup_url = api_url(base, "/api/v1/accounts/lookup", &[("acct", user)])?;
    let response = client.get(&lookup_url, &Validators::default()).await?;
    requests += 1;
    let account = mastodon_api::parse_account(&response.body, &lookup_url)?;
    let statuses_path = format!("/api/v1/accounts/{}/statuses", account.id);
    let limit = MASTODON_PAGE.to_string();

    let incremental = state.backfilled && state.cursor.is_some();
    let mut url = match (&state.cursor, incremental) {
        (Some(cursor), true) => api_url(
            base,
            &statuses_path,
            &[("limit", limit.as_str()), ("min_id", cursor.as_str())],
        )?,
        _ => api_url(base, &statuses_path, &[("limit", limit.as_str())])?,
    };
    let max_pages = depth.div_ceil(MASTODON_PAGE) + 1;
    let mut timeline = Timeline::new(account_name, Platform::Mastodon);
    timeline.declared_bot = account.bot;
    let mut skipped = Skipped::default();
    let mut newest = state.cursor.clone();
    let mut seen_urls = std::collections::HashSet::new();
    for _ in 0..max_pages {
        if !seen_urls.insert(url.clone()) {
            break;
        }
        let response = client.get(&url, &Validators::default()).await?;
        requests += 1;
        let page = mastodon_api::parse_statuses(&response.body, &url, &account.id, &account.acct)?;
        let page_len = page.ids.len();
        for id in &page.ids {
            if newest
                .as_deref()
                .is_none_or(|n| mastodon_api::compare_ids(id, n).is_gt())
            {
                newest = Some(id.clone());
            }
        }
        timeline.posts.extend(page.posts);
        skipped.absorb(page.skipped);
        if page_len == 0 || timeline.posts.len() >= depth {
            break;
        }
        let links = response
            .link
            .as_deref()
            .map(mastodon_api::parse_link)
            .unwrap_or_default();
        let next = if incremental {
            // Forward paging: fewer than a full page means we reached the newest status.
            if page_len < MASTODON_PAGE {
                break;
            }
            links.prev.or_else(|| {
                let newest_on_page = page
                    .ids
                    .iter()
                    .max_by(|a, b| mastodon_api::compare_ids(a, b))?;
                api_url(
                    base,
                    &statuses_path,
                    &[
                        ("limit", limit.as_str()),
                        ("min_id", newest_on_page.as_str()),
                    ],
                )
                .ok()
            })
        } else {
            links.next
        };
        match next {
            Some(n) if same_origin(base, &n) => url = n,
            _ => break,
        }
    }
    Ok(Fetched {
        timeline,
        skipped,
        new_state: FetchState {
            cursor: newest,
            backfilled: true,
            ..state.clone()
        },
        not_modified: false,
        requests,
    })
}

async fn fetch_bluesky(
    client: &Client,
    actor: &str,
    base: &str,
    state: &FetchState,
    depth: usize,
) -> Result<Fetched, FetchError> {
    // The watermark is the newest sort time seen; an unreadable one means "start over".
    let watermark: Option<DateTime<Utc>> = state
        .backfilled
        .then_some(state.cursor.as_deref())
        .flatten()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map(|t| t.with_timezone(&Utc));
    let limit = depth.min(BLUESKY_PAGE).to_string();
    let max_pages = depth.div_ceil(BLUESKY_PAGE) + 1;
    let mut timeline = Timeline::new(actor, Platform::Bluesky);
    let mut skipped = Skipped::default();
    let mut newest = watermark;
    let mut cursor: Option<String> = None;
    let mut requests = 0u32;
    for _ in 0..max_pages {
        let mut query = vec![
            ("actor", actor),
            ("limit", limit.as_str()),
            ("filter", "posts_with_replies"),
            ("includePins", "false"),
        ];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let url = api_url(base, "/xrpc/app.bsky.feed.getAuthorFeed", &query)?;
        let response = client.get(&url, &Validators::default()).await?;
        requests += 1;
        let page = bluesky_appview::parse_author_feed(&response.body, &url)?;
        if page.author_opted_out {
            return Err(FetchError::OptedOut { url });
        }
        if let Some(n) = page.newest_sort_at {
            newest = Some(newest.map_or(n, |m| m.max(n)));
        }
        let reached_seen = matches!(
            (watermark, page.oldest_sort_at),
            (Some(w), Some(oldest)) if oldest <= w
        );
        timeline.posts.extend(page.posts);
        skipped.absorb(page.skipped);
        if page.items == 0 || reached_seen || timeline.posts.len() >= depth {
            break;
        }
        match page.cursor {
            // A server that hands back the same cursor would loop us forever.
            Some(c) if cursor.as_deref() != Some(c.as_str()) => cursor = Some(c),
            _ => break,
        }
    }
    Ok(Fetched {
        timeline,
        skipped,
        new_state: FetchState {
            cursor: newest
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
                .or_else(|| state.cursor.clone()),
            backfilled: true,
            ..state.clone()
        },
        not_modified: false,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print() {
        let s = LiveSpec::parse("mastodon:@Someone@Mastodon.Social").unwrap();
        assert_eq!(
            s,
            LiveSpec::Mastodon {
                user: "Someone".into(),
                host: "mastodon.social".into(),
                base_url: "https://mastodon.social".into()
            }
        );
        assert_eq!(s.account(), "Someone@mastodon.social");
        assert_eq!(s.to_string(), "mastodon:@Someone@mastodon.social");
        assert_eq!(
            LiveSpec::parse("mastodon:a@b.example").unwrap().account(),
            "a@b.example"
        );

        let b = LiveSpec::parse("bsky:@Someone.bsky.social").unwrap();
        assert_eq!(b.account(), "someone.bsky.social");
        assert_eq!(b.platform(), Platform::Bluesky);
        let b = b.with_base_url("http://127.0.0.1:9/");
        assert!(
            matches!(&b, LiveSpec::Bluesky { base_url, .. } if base_url == "http://127.0.0.1:9")
        );

        let f = LiveSpec::parse("https://mastodon.social/@someone.rss").unwrap();
        assert_eq!(f.platform(), Platform::Mastodon);
        assert_eq!(f.account(), "someone@mastodon.social");
        let f = LiveSpec::parse("https://bsky.app/profile/a.bsky.social/rss").unwrap();
        assert_eq!(
            (f.platform(), f.account()),
            (Platform::Bluesky, "a.bsky.social".into())
        );
    }

    #[test]
    fn bad_specs_say_what_is_expected() {
        for bad in [
            "mastodon:@nohost",
            "bsky:",
            "bsky:a/b",
            "ftp://x",
            "someone",
            "https://",
        ] {
            let e = LiveSpec::parse(bad).unwrap_err();
            assert!(
                e.to_string().contains("expected an https:// feed URL"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn api_urls_escape_values_and_links_stay_on_the_server() {
        let u = api_url("http://h:1/", "/x", &[("actor", "a b&c")]).unwrap();
        assert_eq!(u, "http://h:1/x?actor=a+b%26c");
        assert!(same_origin("http://h:1", "http://h:1/api?max_id=1"));
        assert!(!same_origin("http://h:1", "http://evil.example/api"));
    }
}
