//! Bluesky's public AppView: `app.bsky.feed.getAuthorFeed` pages, parsed from bytes (fetching
//! is in `live.rs`).
//!
//! A page is `{feed: [FeedViewPost], cursor?}`; the last page has no cursor and the cursor is
//! opaque (its form changed between 2023 and 2025). Each item maps to one post:
//!
//! * the post's own id is its record key (a TID, the last segment of its AT-URI);
//! * a repost (`reason.$type == app.bsky.feed.defs#reasonRepost`) is timed by `reason.indexedAt`
//!   (the repost record itself is not in the view) and gets the id `<original AT-URI>#repost`:
//!   stable across polls and AppView versions, and distinct from any record key;
//! * a reply (`post.record.reply`) names its parent by record key; the parent's time is decoded
//!   from its TID, the parent's author is the hydrated `reply.parent.author.handle` or the DID of
//!   the parent's AT-URI;
//! * a quote is a post whose record embeds `app.bsky.embed.record` or `recordWithMedia`;
//! * links come from `#link` facets and an embedded external card; the language is `langs[0]`;
//!   the time is the record's `createdAt` (the client's clock, as the user's app set it);
//! * pinned items (`#reasonPin`) are left out: the same post also appears in its own place.
//!
//! An author who carries the self-label `!no-unauthenticated` asks not to be shown to logged-out
//! readers; the page reports it ([`FeedPage::author_opted_out`]) and the fetcher refuses the
//! account rather than store its posts.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::live::ParseError;
use crate::model::Skipped;
use crate::model::{created_at_from_id, Platform, Post, PostKind};

const REASON_REPOST: &str = "app.bsky.feed.defs#reasonRepost";
const REASON_PIN: &str = "app.bsky.feed.defs#reasonPin";

/// One `getAuthorFeed` page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedPage {
    pub posts: Vec<Post>,
    pub skipped: Skipped,
    /// Where the next (older) page starts; `None` on the last page.
    pub cursor: Option<String>,
    /// The AppView's sort time (earlier of createdAt and indexedAt; the repost time for
    /// reposts) of the oldest and newest non-pinned items, for incremental polling.
    pub oldest_sort_at: Option<DateTime<Utc>>,
    pub newest_sort_at: Option<DateTime<Utc>>,
    /// Number of feed items on the page, pinned ones included.
    pub items: usize,
    /// An author of the account's own posts on this page carries `!no-unauthenticated`.
    pub author_opted_out: bool,
}

/// Parses one `getAuthorFeed` answer fetched from `url`.
pub fn parse_author_feed(bytes: &[u8], url: &str) -> Result<FeedPage, ParseError> {
    let root: Value = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::new(url, "document", format!("not JSON: {e}")))?;
    let feed = root.get("feed").and_then(Value::as_array).ok_or_else(|| {
        let what = root
            .get("error")
            .and_then(Value::as_str)
            .map(|e| format!("the AppView answered error {e:?}"))
            .unwrap_or_else(|| "no \"feed\" array".to_string());
        ParseError::new(url, "document", what)
    })?;
    let mut page = FeedPage {
        cursor: root
            .get("cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        items: feed.len(),
        ..FeedPage::default()
    };
    for (i, item) in feed.iter().enumerate() {
        let uri = item
            .pointer("/post/uri")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let record = if uri.is_empty() {
            format!("feed item {}", i + 1)
        } else {
            format!("feed item {} ({uri})", i + 1)
        };
        let reason = item
            .pointer("/reason/$type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if reason != REASON_REPOST && opted_out(item) {
            page.author_opted_out = true;
        }
        if reason == REASON_PIN {
            continue;
        }
        match post(item, reason == REASON_REPOST) {
            Ok((p, sort_at)) => {
                page.oldest_sort_at = Some(page.oldest_sort_at.map_or(sort_at, |o| o.min(sort_at)));
                page.newest_sort_at = Some(page.newest_sort_at.map_or(sort_at, |n| n.max(sort_at)));
                page.posts.push(p);
            }
            Err(reason) => page.skipped.note(record, reason),
        }
    }
    Ok(page)
}

/// One feed item as a post plus its sort time, or why it cannot be one.
fn post(item: &Value, is_repost: bool) -> Result<(Post, DateTime<Utc>), String> {
    let view = item.get("post").ok_or("item has no post")?;
    let uri = view
        .get("uri")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("at://"))
        .ok_or("post has no AT-URI")?;
    let rkey = last_segment(uri).ok_or_else(|| format!("no record key in {uri:?}"))?;
    let rec = view.get("record").ok_or("post has no record")?;
    let text = rec
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let created = rec
        .get("createdAt")
        .and_then(Value::as_str)
        .ok_or("post record has no createdAt")?;
    let created = parse_time(created).ok_or_else(|| format!("unreadable createdAt {created:?}"))?;
    let indexed = view
        .get("indexedAt")
        .and_then(Value::as_str)
        .and_then(parse_time);

    let (mut p, sort_at) = if is_repost {
        let at = item
            .pointer("/reason/indexedAt")
            .and_then(Value::as_str)
            .ok_or("repost has no reason.indexedAt")?;
        let at = parse_time(at).ok_or_else(|| format!("unreadable repost time {at:?}"))?;
        let mut p = Post::new(format!("{uri}#repost"), at, text);
        p.kind = PostKind::Repost;
        (p, at)
    } else {
        let sort_at = indexed.map_or(created, |i| i.min(created));
        (Post::new(rkey, created, text), sort_at)
    };
    p.links = links(rec);
    p.lang = rec
        .pointer("/langs/0")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .map(str::to_string);
    if is_repost {
        return Ok((p, sort_at));
    }
    if let Some(parent) = rec.pointer("/reply/parent/uri").and_then(Value::as_str) {
        p.kind = PostKind::Reply;
        p.reply_to_id = last_segment(parent);
        p.reply_to_created_at = created_at_from_id(Platform::Bluesky, parent).or_else(|| {
            item.pointer("/reply/parent/record/createdAt")
                .and_then(Value::as_str)
                .and_then(parse_time)
        });
        p.reply_to_account = item
            .pointer("/reply/parent/author/handle")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| did_of(parent));
    } else if quoted_uri(rec).is_some() {
        p.kind = PostKind::Quote;
    }
    Ok((p, sort_at))
}

/// Whether the post's author carries the `!no-unauthenticated` self-label.
fn opted_out(item: &Value) -> bool {
    item.pointer("/post/author/labels")
        .and_then(Value::as_array)
        .is_some_and(|labels| {
            labels
                .iter()
                .any(|l| l.get("val").and_then(Value::as_str) == Some("!no-unauthenticated"))
        })
}

/// The AT-URI of a quoted post, from the record's own (un-hydrated) embed.
fn quoted_uri(rec: &Value) -> Option<&str> {
    let embed = rec.get("embed")?;
    let uri = match embed.get("$type").and_then(Value::as_str)? {
        "app.bsky.embed.record" => embed.pointer("/record/uri"),
        "app.bsky.embed.recordWithMedia" => embed.pointer("/record/record/uri"),
        _ => None,
    }?
    .as_str()?;
    // Record embeds also carry lists and feed generators; only posts are quotes.
    uri.contains("/app.bsky.feed.post/").then_some(uri)
}

/// `#link` facet targets, then an embedded external card's URL, without repeats.
fn links(rec: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |u: &str| {
        if (u.starts_with("https://") || u.starts_with("http://")) && !out.iter().any(|l| l == u) {
            out.push(u.to_string());
        }
    };
    for facet in rec
        .get("facets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for feature in facet
            .get("features")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if feature.get("$type").and_then(Value::as_str) == Some("app.bsky.richtext.facet#link")
            {
                if let Some(u) = feature.get("uri").and_then(Value::as_str) {
                    push(u);
                }
            }
        }
    }
    for pointer in ["/embed/external/uri", "/embed/media/external/uri"] {
        if let Some(u) = rec.pointer(pointer).and_then(Value::as_str) {
            push(u);
        }
    }
    out
}

fn last_segment(uri: &str) -> Option<String> {
    uri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && !s.contains(':'))
        .map(str::to_string)
}

/// The DID (authority) of an AT-URI: `at://did:plc:x/app.bsky.feed.post/rkey` → `did:plc:x`.
fn did_of(uri: &str) -> Option<String> {
    uri.strip_prefix("at://")?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real/bluesky-appview");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{REAL}/{name}")).unwrap()
    }

    #[test]
    fn real_2025_page() {
        let page =
            parse_author_feed(&read("getAuthorFeed_chriskenny_2025-05-19.json"), "u").unwrap();
        assert_eq!(page.items, 50);
        assert_eq!(page.posts.len(), 50);
        assert_eq!(page.skipped.count, 0);
        assert_eq!(page.cursor.as_deref(), Some("2024-03-21T23:36:16.378Z"));
        assert!(!page.author_opted_out);
        let count = |k: PostKind| page.posts.iter().filter(|p| p.kind == k).count();
        // Counted independently with a script over the JSON: 7 reposts, 24 replies
        // (record.reply present, not reposts), 7 quotes of posts (record/recordWithMedia
        // embeds, not replies).
        assert_eq!(count(PostKind::Repost), 7);
        assert_eq!(count(PostKind::Reply), 24);
        assert_eq!(count(PostKind::Quote), 7);

        let first = &page.posts[0];
        assert_eq!(first.id, "3lof7sovfok2h");
        assert_eq!(first.kind, PostKind::Reply);
        assert_eq!(
            first.created_at.to_rfc3339(),
            "2025-05-05T01:30:17.912+00:00"
        );
        assert_eq!(first.lang.as_deref(), Some("en"));
        let latency = first.reply_latency_secs().unwrap();
        assert!(latency >= 0.0, "{latency}");

        let repost = page
            .posts
            .iter()
            .find(|p| p.kind == PostKind::Repost)
            .unwrap();
        assert!(repost.id.starts_with("at://") && repost.id.ends_with("#repost"));

        // 3lo7irc7njk2p has mention facets, one link facet and an external embed.
        let ext = page.posts.iter().find(|p| p.id == "3lo7irc7njk2p").unwrap();
        assert!(!ext.links.is_empty());
        assert!(ext.links.iter().all(|l| l.starts_with("http")));

        assert_eq!(
            page.newest_sort_at.unwrap().to_rfc3339(),
            "2025-05-05T01:30:17.912+00:00"
        );
        assert!(page.oldest_sort_at.unwrap() < page.newest_sort_at.unwrap());
    }

    #[test]
    fn real_2023_page_with_old_cursor_and_repost() {
        let page =
            parse_author_feed(&read("getAuthorFeed_2023-10_old_cursor_format.json"), "u").unwrap();
        assert_eq!(page.posts.len(), 3);
        assert!(page
            .cursor
            .as_deref()
            .unwrap()
            .starts_with("1696301352905::"));
        let repost = &page.posts[0];
        assert_eq!(repost.kind, PostKind::Repost);
        assert_eq!(
            repost.id,
            "at://did:plc:eijqdygh72wuei7faamrclpc/app.bsky.feed.post/3kau6tviybe2w#repost"
        );
        assert_eq!(
            repost.created_at.to_rfc3339(),
            "2023-10-03T17:17:08.578+00:00"
        );
        assert_eq!(
            repost.links,
            ["https://www.npr.org/2023/10/03/1202678747/2020-census-national-academies-panel"]
        );
        let reply = &page.posts[1];
        assert_eq!(reply.id, "3kasvzedyyu2r");
        assert_eq!(reply.reply_to_id.as_deref(), Some("3kasvrt6b372y"));
        assert_eq!(
            reply.reply_to_account.as_deref(),
            Some("chriskenny.bsky.social")
        );
        // The parent's TID decodes to about its createdAt (2023-10-03T02:49:12.98Z).
        let parent = reply.reply_to_created_at.unwrap();
        assert_eq!(
            parent.format("%Y-%m-%dT%H:%M").to_string(),
            "2023-10-03T02:49"
        );
        let latency = reply.reply_latency_secs().unwrap();
        assert!((250.0..260.0).contains(&latency), "{latency}");
    }

    #[test]
    fn pinned_items_are_not_counted_and_broken_items_are_skipped() {
        let json = r#"{"feed":[
 {"post":{"uri":"at://did:plc:a/app.bsky.feed.post/3kasvrt6b372y","record":{"text":"pinned","createdAt":"2023-10-03T02:49:12.980Z"},"indexedAt":"2023-10-03T02:49:12.980Z"},"reason":{"$type":"app.bsky.feed.defs#reasonPin"}},
 {"post":{"uri":"at://did:plc:a/app.bsky.feed.post/3kasvzedyyu2r","record":{"text":"q","createdAt":"2023-10-03T02:53:25.697Z","embed":{"$type":"app.bsky.embed.record","record":{"uri":"at://did:plc:b/app.bsky.feed.post/3kasvrt6b372y","cid":"x"}}},"indexedAt":"2023-10-03T02:53:25.000Z"}},
 {"post":{"uri":"at://did:plc:a/app.bsky.feed.post/3kasvzedyyu2s","record":{"text":"no date"}}},
 {"nopost":true}
]}"#;
        let page = parse_author_feed(json.as_bytes(), "http://h/x").unwrap();
        assert_eq!(page.posts.len(), 1);
        assert_eq!(page.posts[0].kind, PostKind::Quote);
        assert_eq!(page.cursor, None);
        assert_eq!(page.skipped.count, 2);
        assert!(page.skipped.examples[0].record.contains("3kasvzedyyu2s"));
        // indexedAt earlier than createdAt: the sort time is the earlier one.
        assert_eq!(
            page.oldest_sort_at.unwrap().to_rfc3339(),
            "2023-10-03T02:53:25+00:00"
        );
    }

    #[test]
    fn the_no_unauthenticated_self_label_is_reported() {
        let json = r#"{"feed":[{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/3kasvrt6b372y","author":{"did":"did:plc:a","handle":"a.test","labels":[{"src":"did:plc:a","uri":"at://did:plc:a/app.bsky.actor.profile/self","val":"!no-unauthenticated","cts":"2024-01-01T00:00:00Z"}]},"record":{"text":"x","createdAt":"2023-10-03T02:49:12.980Z"}}}]}"#;
        assert!(
            parse_author_feed(json.as_bytes(), "u")
                .unwrap()
                .author_opted_out
        );
    }

    #[test]
    fn errors_name_the_url() {
        let e = parse_author_feed(
            b"{\"error\":\"BlockedActor\",\"message\":\"x\"}",
            "http://h/f",
        )
        .unwrap_err();
        assert!(e.to_string().contains("http://h/f") && e.to_string().contains("BlockedActor"));
        let e = parse_author_feed(b"{\"feed\":[", "http://h/f").unwrap_err();
        assert!(
            e.to_string().starts_with("http://h/f: document: not JSON"),
            "{e}"
        );
    }
}
