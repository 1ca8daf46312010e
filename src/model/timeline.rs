//! The timeline model every stage shares: sources produce [`Timeline`]s, detectors read them,
//! reports and the store render or keep them.
//!
//! A timeline is one account's public posts on one platform, oldest first, plus the direct
//! messages it sent where an archive has them. Fields follow the echoscope JSONL format
//! (`src/schema/post.v1.json`): what one format lacks stays `None`, never a guess.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Where a timeline came from. A closed set: adding a platform means adding a variant here and
/// a source file in `sources/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Twitter,
    Mastodon,
    Bluesky,
    Facebook,
    Instagram,
    Threads,
    Linkedin,
    Youtube,
    Reddit,
    Tiktok,
    /// A generic RSS/Atom/JSON feed with no platform of its own.
    Feed,
    /// Anything else a JSONL/CSV file names; kept so that such input is not refused.
    Other,
}

impl Platform {
    /// The snake_case name used in JSON, metrics labels and the JSONL `platform` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Twitter => "twitter",
            Platform::Mastodon => "mastodon",
            Platform::Bluesky => "bluesky",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Threads => "threads",
            Platform::Linkedin => "linkedin",
            Platform::Youtube => "youtube",
            Platform::Reddit => "reddit",
            Platform::Tiktok => "tiktok",
            Platform::Feed => "feed",
            Platform::Other => "other",
        }
    }

    /// Parses a platform name; `x` is accepted for Twitter. Unknown names map to `Other`.
    pub fn parse(name: &str) -> Platform {
        match name.trim().to_ascii_lowercase().as_str() {
            "twitter" | "x" => Platform::Twitter,
            "mastodon" => Platform::Mastodon,
            "bluesky" | "bsky" => Platform::Bluesky,
            "facebook" => Platform::Facebook,
            "instagram" => Platform::Instagram,
            "threads" => Platform::Threads,
            "linkedin" => Platform::Linkedin,
            "youtube" => Platform::Youtube,
            "reddit" => Platform::Reddit,
            "tiktok" => Platform::Tiktok,
            "feed" | "rss" | "atom" => Platform::Feed,
            _ => Platform::Other,
        }
    }
}

impl Platform {
    /// The public web address of one of an account's posts, where the platform has one and the
    /// id says enough to build it: Twitter/X status links, Mastodon status URIs (their ids are
    /// URLs in exports and feeds), Bluesky `at://` URIs as bsky.app links, TikTok videos by
    /// their number, and feed items whose
    /// id is their link. `None` where no address can be built without guessing.
    pub fn post_url(self, account: &str, id: &str) -> Option<String> {
        let is_web = id.starts_with("https://") || id.starts_with("http://");
        match self {
            // A handle is letters, digits and `_`; anything else (a file name standing in for
            // an unknown account) would make a wrong link.
            Platform::Twitter => (!account.is_empty()
                && account
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("https://x.com/{account}/status/{id}")),
            Platform::Bluesky => {
                // A repository export's posts are named by their record key (a TID) alone;
                // the account is the repository's DID or handle.
                if decode_tid(id).is_some() {
                    return (!account.is_empty()
                        && account
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b".:-_".contains(&b)))
                    .then(|| format!("https://bsky.app/profile/{account}/post/{id}"));
                }
                let rest = id.strip_prefix("at://")?;
                let mut parts = rest.split('/');
                let (did, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
                (collection == "app.bsky.feed.post")
                    .then(|| format!("https://bsky.app/profile/{did}/post/{rkey}"))
            }
            // A video's id is the number in its link, `tiktok.com/@name/video/<id>`.
            Platform::Tiktok => (!account.is_empty()
                && account
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("https://www.tiktok.com/@{account}/video/{id}")),
            Platform::Mastodon
            | Platform::Feed
            | Platform::Facebook
            | Platform::Instagram
            | Platform::Threads
            | Platform::Linkedin
            | Platform::Youtube
            | Platform::Reddit
            | Platform::Other => is_web.then(|| id.to_string()),
        }
    }
}

impl Platform {
    /// The first day a post on the platform can be dated: its launch (Twitter 2006, Mastodon
    /// 2016, ...), with a margin for beta years; for feeds and other sources, the first RSS
    /// feeds (1999). An earlier date is a damaged record, not history.
    pub fn launched(self) -> DateTime<Utc> {
        let year = match self {
            Platform::Linkedin => 2003,
            Platform::Facebook => 2004,
            Platform::Youtube | Platform::Reddit => 2005,
            Platform::Twitter => 2006,
            Platform::Instagram => 2010,
            // TikTok exports carry the musical.ly videos it absorbed (2014 on).
            Platform::Tiktok => 2014,
            Platform::Mastodon => 2016,
            // Bluesky's developers posted through 2022, before the public beta.
            Platform::Bluesky => 2022,
            Platform::Threads => 2023,
            Platform::Feed | Platform::Other => 1999,
        };
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }
}

/// How far past the time of the analysis a post may be dated and still be read: clocks and
/// zones written wrongly shift by hours, never by more than a few days.
pub const FUTURE_SLACK_DAYS: i64 = 3;

/// Why a post dated `at` on `platform` cannot be right at the time of the analysis `now`
/// (before the platform existed, or more than [`FUTURE_SLACK_DAYS`] after `now`); `None` when it
/// can. The one rule for every source, applied by [`Timeline::vet`].
pub fn implausible_date(
    platform: Platform,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    let launched = platform.launched();
    if at < launched {
        return Some(format!(
            "dated {}, before {} existed ({})",
            at.format("%Y-%m-%d"),
            if platform == Platform::Other || platform == Platform::Feed {
                "the first web feeds".to_string()
            } else {
                platform.as_str().to_string()
            },
            launched.format("%Y")
        ));
    }
    if at > now + chrono::Duration::days(FUTURE_SLACK_DAYS) {
        return Some(format!(
            "dated {}, more than {FUTURE_SLACK_DAYS} days after the analysis ({})",
            at.format("%Y-%m-%d"),
            now.format("%Y-%m-%d")
        ));
    }
    None
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a post is in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// Written by the account, not in reply to anyone.
    #[default]
    Original,
    /// An answer to another post.
    Reply,
    /// A re-share of someone else's post (retweet, boost, Bluesky repost).
    Repost,
    /// A re-share with the account's own comment.
    Quote,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Original => "original",
            PostKind::Reply => "reply",
            PostKind::Repost => "repost",
            PostKind::Quote => "quote",
        }
    }
}

/// One public post, normalised across platforms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// The platform's own id (tweet id, status id, record key, ...), unique within the account.
    pub id: String,
    /// When it was posted, UTC.
    #[serde(serialize_with = "super::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// Plain text: HTML stripped, entities decoded, full text of long posts.
    pub text: String,
    pub kind: PostKind,
    /// The post this one answers, when it is a reply.
    pub reply_to_id: Option<String>,
    /// The account this one answers (screen name or handle, without `@`).
    pub reply_to_account: Option<String>,
    /// When the parent was posted: given by the format, or decoded from the parent's id
    /// (see [`created_at_from_id`]). Needed for reply latency.
    #[serde(serialize_with = "super::timestamp::serialize_option")]
    pub reply_to_created_at: Option<DateTime<Utc>>,
    /// The posting application ("Twitter Web App", "Buffer", ...), where the platform says.
    pub client: Option<String>,
    /// Expanded link targets found in the post.
    pub links: Vec<String>,
    /// Language tag, where the platform gives one.
    pub lang: Option<String>,
}

impl Post {
    /// A post with only the required fields set; the rest empty.
    pub fn new(id: impl Into<String>, created_at: DateTime<Utc>, text: impl Into<String>) -> Post {
        Post {
            id: id.into(),
            created_at,
            text: text.into(),
            kind: PostKind::Original,
            reply_to_id: None,
            reply_to_account: None,
            reply_to_created_at: None,
            client: None,
            links: Vec::new(),
            lang: None,
        }
    }

    /// Seconds between the parent's creation and this reply, when both are known and the order
    /// is plausible (clock skew can make a reply look older than its parent: such pairs are
    /// left out rather than counted as instant).
    pub fn reply_latency_secs(&self) -> Option<f64> {
        let parent = self.reply_to_created_at?;
        let ms = (self.created_at - parent).num_milliseconds();
        (ms >= 0).then(|| ms as f64 / 1000.0)
    }
}

/// One direct message the account sent, from archives that include them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectMessage {
    pub conversation_id: String,
    pub id: String,
    pub sender: String,
    pub recipient: Option<String>,
    pub created_at: DateTime<Utc>,
    pub text: String,
}

/// One account's timeline on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The account's handle or name as the source knows it (no leading `@`).
    pub account: String,
    pub platform: Platform,
    /// Public posts, sorted oldest first by [`Timeline::finish`].
    pub posts: Vec<Post>,
    /// Direct messages sent by the account (never part of the public analysis).
    pub direct_messages: Vec<DirectMessage>,
    /// The platform's own self-declared automation flag (Mastodon `bot`), where known.
    pub declared_bot: Option<bool>,
    /// Records [`Timeline::finish`] and [`Timeline::vet`] left out (a repeated post id, a date
    /// that cannot be right), each named: `sources::read` moves them into its batch's skipped
    /// records, so that nothing vanishes unsaid. Never stored or serialised.
    #[serde(skip)]
    pub dropped: super::Skipped,
}

impl Timeline {
    pub fn new(account: impl Into<String>, platform: Platform) -> Timeline {
        Timeline {
            account: account.into(),
            platform,
            posts: Vec::new(),
            direct_messages: Vec::new(),
            declared_bot: None,
            dropped: super::Skipped::default(),
        }
    }

    /// Sorts posts oldest first (ties by id, so the order never depends on the input's order)
    /// and drops repeated post ids, keeping the first seen and noting each repeat in
    /// [`Timeline::dropped`]. Sources call this once at the end.
    pub fn finish(&mut self) {
        let mut seen = <foldhash::HashMap<&str, usize> as foldhash::HashMapExt>::with_capacity(
            self.posts.len(),
        );
        let mut keep = Vec::with_capacity(self.posts.len());
        for (i, p) in self.posts.iter().enumerate() {
            match seen
                .get(p.id.as_str())
                .and_then(|&first| self.posts.get(first))
            {
                Some(first) => {
                    keep.push(false);
                    let reason = if first == p {
                        "an exact repeat of an earlier record (one kept)"
                    } else {
                        "the post id of an earlier record with other content (the first kept)"
                    };
                    self.dropped.note(format!("post {}", p.id), reason);
                }
                None => {
                    keep.push(true);
                    seen.insert(p.id.as_str(), i);
                }
            }
        }
        drop(seen);
        let mut keep = keep.into_iter();
        self.posts.retain(|_| keep.next().unwrap_or(true));
        self.posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        self.direct_messages.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
    }

    /// Leaves out posts whose date cannot be right at the time of the analysis `now`
    /// ([`implausible_date`]: year 1, 9999, before the platform, days in the future), noting
    /// each in [`Timeline::dropped`] as a damaged record. `sources::read` applies it to every
    /// timeline every file source reads.
    pub fn vet(&mut self, now: DateTime<Utc>) {
        let platform = self.platform;
        let dropped = &mut self.dropped;
        self.posts
            .retain(|p| match implausible_date(platform, p.created_at, now) {
                Some(reason) => {
                    dropped.note(format!("post {}", p.id), reason);
                    false
                }
                None => true,
            });
        self.direct_messages
            .retain(|m| match implausible_date(platform, m.created_at, now) {
                Some(reason) => {
                    dropped.note(format!("direct message {}", m.id), reason);
                    false
                }
                None => true,
            });
    }

    /// Adds another timeline of the same account (several files of one export).
    pub fn merge(&mut self, other: Timeline) {
        self.posts.extend(other.posts);
        self.direct_messages.extend(other.direct_messages);
        self.dropped.absorb(other.dropped);
        if self.declared_bot.is_none() {
            self.declared_bot = other.declared_bot;
        }
    }
}

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;
/// Snowflake ids start above this; smaller ids are sequential and carry no time.
const TWITTER_FIRST_SNOWFLAKE: u64 = 29_700_859_247;
/// Mastodon switched to time-based ids in 2017; earlier ids are small sequential numbers.
const MASTODON_FIRST_SNOWFLAKE: u64 = 1 << 40;

/// The creation time a platform encodes in a post id, without fetching the post:
/// Twitter snowflakes (`id >> 22` ms after the Twitter epoch), Mastodon ids (`id >> 16` Unix
/// ms) and Bluesky TIDs (13 base32-sortable characters, microseconds since 1970).
/// `None` for ids that carry no time (old sequential ids, other platforms, garbage).
pub fn created_at_from_id(platform: Platform, id: &str) -> Option<DateTime<Utc>> {
    match platform {
        Platform::Twitter => {
            let n: u64 = id.trim().parse().ok()?;
            if n < TWITTER_FIRST_SNOWFLAKE {
                return None;
            }
            let ms = (n >> 22) as i64 + TWITTER_EPOCH_MS;
            Utc.timestamp_millis_opt(ms).single()
        }
        Platform::Mastodon => {
            // A status URL or URI ends in the id.
            let last = id.trim().rsplit('/').next()?;
            let n: u64 = last.parse().ok()?;
            if n < MASTODON_FIRST_SNOWFLAKE {
                return None;
            }
            Utc.timestamp_millis_opt((n >> 16) as i64).single()
        }
        Platform::Bluesky => {
            // An AT-URI or record key: the TID is the last path segment.
            let tid = id.trim().rsplit('/').next()?;
            decode_tid(tid)
        }
        // These ids carry no time (or echoscope does not know how they would).
        Platform::Facebook
        | Platform::Instagram
        | Platform::Threads
        | Platform::Linkedin
        | Platform::Youtube
        | Platform::Reddit
        | Platform::Tiktok
        | Platform::Feed
        | Platform::Other => None,
    }
}

/// Decodes an atproto TID: 13 characters of base32-sortable (`234567abcdefghijklmnopqrstuvwxyz`),
/// the top bit zero, then 53 bits of microseconds since the Unix epoch and 10 bits of clock id.
fn decode_tid(tid: &str) -> Option<DateTime<Utc>> {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    if tid.len() != 13 {
        return None;
    }
    let mut n: u64 = 0;
    for b in tid.bytes() {
        let v = ALPHABET.iter().position(|&a| a == b)? as u64;
        n = (n << 5) | v;
    }
    // 13 * 5 = 65 bits: the first character may only use its low 4 bits, and the top bit of
    // the 64-bit value must be zero.
    if tid.as_bytes()[0] > b'j' || n >> 63 != 0 {
        return None;
    }
    let micros = (n >> 10) as i64;
    Utc.timestamp_micros(micros).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twitter_snowflake_decodes_to_the_archive_created_at() {
        // From the real archive in fixtures: id 2029905358261502168 is
        // "Fri Mar 06 13:02:05 +0000 2026".
        let t = created_at_from_id(Platform::Twitter, "2029905358261502168").unwrap();
        assert_eq!(
            t.format("%Y-%m-%d %H:%M:%S").to_string(),
            "2026-03-06 13:02:05"
        );
        assert_eq!(created_at_from_id(Platform::Twitter, "12345"), None);
        assert_eq!(created_at_from_id(Platform::Twitter, "abc"), None);
    }

    #[test]
    fn mastodon_id_decodes_from_a_status_uri() {
        // Mastodon ids are Unix milliseconds shifted left 16 bits plus a sequence number:
        // 2022-11-08T03:07:14Z = 1667876834000 ms.
        let id = (1_667_876_834_000u64 << 16) | 1234;
        let uri = format!("https://mastodon.social/users/a/statuses/{id}");
        let t = created_at_from_id(Platform::Mastodon, &uri).unwrap();
        assert_eq!(t.to_rfc3339(), "2022-11-08T03:07:14+00:00");
        assert_eq!(created_at_from_id(Platform::Mastodon, "12"), None);
    }

    #[test]
    fn bluesky_tid_decodes() {
        // 3jzfcijpj2z2a is the example TID of the atproto spec (2023).
        let t = created_at_from_id(
            Platform::Bluesky,
            "at://did:plc:x/app.bsky.feed.post/3jzfcijpj2z2a",
        )
        .unwrap();
        assert_eq!(t.format("%Y").to_string(), "2023");
        assert_eq!(created_at_from_id(Platform::Bluesky, "short"), None);
        assert_eq!(created_at_from_id(Platform::Bluesky, "zzzzzzzzzzzzz"), None);
    }

    #[test]
    fn post_urls_only_where_the_address_is_known() {
        assert_eq!(
            Platform::Twitter.post_url("lumen_lamps", "1787391850705850368"),
            Some("https://x.com/lumen_lamps/status/1787391850705850368".into())
        );
        assert_eq!(Platform::Twitter.post_url("data/x.zip", "1"), None);
        assert_eq!(
            Platform::Bluesky.post_url("a", "at://did:plc:x/app.bsky.feed.post/3jzfcijpj2z2a"),
            Some("https://bsky.app/profile/did:plc:x/post/3jzfcijpj2z2a".into())
        );
        assert_eq!(
            Platform::Mastodon.post_url("a@h", "https://h.example/users/a/statuses/1"),
            Some("https://h.example/users/a/statuses/1".into())
        );
        assert_eq!(Platform::Mastodon.post_url("a@h", "1"), None);
        assert_eq!(
            Platform::Bluesky.post_url("did:plc:nhxcyu4ewwhl5pqil4dotqjo", "3kly5whjwmc2v"),
            Some(
                "https://bsky.app/profile/did:plc:nhxcyu4ewwhl5pqil4dotqjo/post/3kly5whjwmc2v"
                    .into()
            )
        );
        assert_eq!(Platform::Bluesky.post_url("a b", "3kly5whjwmc2v"), None);
        assert_eq!(
            Platform::Tiktok.post_url("brand.shop", "7123456789012345678"),
            Some("https://www.tiktok.com/@brand.shop/video/7123456789012345678".into())
        );
        assert_eq!(Platform::Tiktok.post_url("brand", "tt-1f2e"), None);
    }

    #[test]
    fn finish_sorts_and_dedupes() {
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let mut tl = Timeline::new("a", Platform::Other);
        tl.posts
            .push(Post::new("2", t0 + chrono::Duration::seconds(5), "b"));
        tl.posts.push(Post::new("1", t0, "a"));
        tl.posts.push(Post::new("2", t0, "dup"));
        tl.finish();
        let ids: Vec<_> = tl.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(tl.posts[1].text, "b");
        assert_eq!(tl.dropped.count, 1, "the repeat is counted");
        assert_eq!(tl.dropped.examples[0].record, "post 2");
    }

    #[test]
    fn vet_refuses_dates_before_the_platform_and_days_ahead() {
        let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let mut tl = Timeline::new("a", Platform::Mastodon);
        for (id, at) in [
            (
                "before_mastodon",
                Utc.with_ymd_and_hms(2015, 12, 31, 0, 0, 0).unwrap(),
            ),
            ("ok", Utc.with_ymd_and_hms(2025, 5, 1, 0, 0, 0).unwrap()),
            ("skew", now + chrono::Duration::days(2)),
            ("future", now + chrono::Duration::days(4)),
        ] {
            tl.posts.push(Post::new(id, at, "x"));
        }
        tl.vet(now);
        let ids: Vec<_> = tl.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["ok", "skew"]);
        assert_eq!(tl.dropped.count, 2);
        assert!(tl.dropped.examples[0]
            .reason
            .contains("before mastodon existed"));
    }
}
