//! `automation_client`: posts published through known scheduling, automation, feed-posting and
//! crossposting apps.
//!
//! Platforms that name the posting app (Twitter/X `source`, Bluesky and Mastodon API
//! `application`) tell us when a program published a post. Where the input names no app
//! (Mastodon exports, RSS and Atom feeds, many datasets), the app's own short links tell it:
//! Buffer publishes its links as `buff.ly/…`, Hootsuite as `ow.ly/…`, IFTTT as `ift.tt/…`,
//! dlvr.it as `dlvr.it/…`, SocialFlow as `trib.al/…`; nobody types those by hand.
//!
//! Scheduling is legitimate, so a scheduler or a crossposter of the person's own posts is
//! reported as `info`: it explains other findings ("via a scheduler") rather than accusing
//! anyone. A service that writes or publishes posts with no person at the moment of posting
//! (IFTTT, Zapier, a bot, an RSS-to-social feed poster such as dlvr.it or twitterfeed) gets
//! `low` once it has published `part_time_min_posts` posts, even when the person writes the
//! rest by hand: the finding lists those posts and leaves the others alone. The list of apps
//! and their domains is data, in `automation_clients.txt` beside this file, so adding one
//! needs no code.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::evidence::spread_of;
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, Post, PostRef, Severity, MAX_EVIDENCE};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "automation_client";

/// The most points this detector can take off the score. A scheduling client is evidence, not a verdict: people use Buffer too.
pub const MAX_PENALTY: u32 = 5;

/// `[detectors.automation_client]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest posts through one listed app for it to be reported at all.
    pub min_posts: usize,
    /// Fewest posts through one automation or feed-posting service for `low`, whatever share
    /// of the timeline they are (part-time automation).
    pub part_time_min_posts: usize,
    /// Share of all posts through one automation-category app above which the finding is
    /// `low` instead of `info`.
    pub automated_share: f64,
    /// Fewest posts in the timeline before `automated_share` can raise the severity.
    pub automated_min_posts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_posts: 1,
            part_time_min_posts: 10,
            automated_share: 0.9,
            automated_min_posts: 50,
        }
    }
}

/// What kind of app a listed client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A person writes the post and picks the time; the app publishes it later.
    Scheduler,
    /// A rule or program publishes with no person at the moment of posting.
    Automation,
    /// Publishes every new item of a feed or blog as a post, when it polls.
    Feed,
    /// Copies a person's own posts from another platform.
    Crossposter,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Scheduler => "scheduler",
            Category::Automation => "automation",
            Category::Feed => "feed",
            Category::Crossposter => "crossposter",
        }
    }

    /// The category in words, with its article: "a scheduler".
    pub fn described(self) -> &'static str {
        match self {
            Category::Scheduler => "a scheduler",
            Category::Automation => "an automation service",
            Category::Feed => "a feed poster",
            Category::Crossposter => "a crossposter",
        }
    }

    fn parse(s: &str) -> Option<Category> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scheduler" => Some(Category::Scheduler),
            "automation" => Some(Category::Automation),
            "feed" => Some(Category::Feed),
            "crossposter" => Some(Category::Crossposter),
            _ => None,
        }
    }

    /// Whether a service of this kind publishes with no person at the moment of posting.
    fn publishes_alone(self) -> bool {
        match self {
            Category::Automation | Category::Feed => true,
            Category::Scheduler | Category::Crossposter => false,
        }
    }
}

/// One line of `automation_clients.txt`.
#[derive(Debug)]
struct Entry {
    /// The name, lowercased, punctuation as single spaces.
    name: String,
    /// `word:` entries match a whole word anywhere instead of a prefix.
    whole_word: bool,
    category: Category,
    /// The name as written in the list, for reports.
    shown: String,
    /// Short-link domains only this app's posts carry, lowercase.
    domains: Vec<String>,
}

const LIST: &str = include_str!("automation_clients.txt");

/// The parsed list. Lines that do not parse are left out (a unit test checks there are none).
static ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    LIST.lines()
        .filter_map(|line| parse_line(line).ok().flatten())
        .collect()
});

/// Parses one list line: `Ok(None)` for blanks and comments, `Err` for a malformed line.
fn parse_line(line: &str) -> Result<Option<Entry>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (cat, rest) = line
        .split_once('|')
        .ok_or_else(|| format!("no `|` in {line:?}"))?;
    let category = Category::parse(cat).ok_or_else(|| format!("bad category in {line:?}"))?;
    let (name, domains) = rest.split_once('|').unwrap_or((rest, ""));
    let name = name.trim();
    let domains: Vec<String> = domains
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if domains.iter().any(|d| !d.contains('.') || d.contains('/')) {
        return Err(format!("a domain is not a host name in {line:?}"));
    }
    let (whole_word, name) = match name.strip_prefix("word:") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let shown = name.to_string();
    let name = fold(name);
    if name.is_empty() {
        return Err(format!("empty name in {line:?}"));
    }
    Ok(Some(Entry {
        name,
        whole_word,
        category,
        shown,
        domains,
    }))
}

/// Lowercases and turns every run of non-alphanumeric characters into one space, so that
/// "dlvr.it", "Buffer App" and "buffer-app" compare by their words.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The listed entry a client matches, preferring the longest name ("WordPress.com" over
/// "WordPress").
fn lookup(client: &str) -> Option<&'static Entry> {
    let c = fold(client);
    if c.is_empty() {
        return None;
    }
    ENTRIES
        .iter()
        .filter(|e| {
            if e.whole_word {
                c.split(' ').any(|w| w == e.name)
            } else {
                c == e.name
                    || c.strip_prefix(e.name.as_str())
                        .is_some_and(|rest| rest.starts_with(' '))
            }
        })
        .max_by_key(|e| (!e.whole_word, e.name.len()))
}

/// The category of a posting client, when it is a known scheduling, automation or
/// crossposting app (case-insensitive; "Buffer App" is Buffer). `None` for apps people type
/// in (Twitter Web App, TweetDeck, mobile apps) and for unknown ones.
pub fn category(client: &str) -> Option<Category> {
    lookup(client).map(|e| e.category)
}

/// Every listed short-link domain and its app, for lookups by host.
static DOMAINS: LazyLock<HashMap<&'static str, &'static Entry>> = LazyLock::new(|| {
    ENTRIES
        .iter()
        .flat_map(|e| e.domains.iter().map(move |d| (d.as_str(), e)))
        .collect()
});

/// The listed app whose own short-link domain one of the post's links is on, with that domain.
fn lookup_links(post: &Post) -> Option<(&'static Entry, &'static str)> {
    let text_links = post
        .text
        .split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"));
    post.links
        .iter()
        .map(String::as_str)
        .chain(text_links)
        .filter_map(host)
        .find_map(|h| {
            // The host, then each parent domain: `x.ow.ly`, `ow.ly`, `ly`.
            let mut at = Some(h.as_ref());
            while let Some(name) = at {
                if let Some((domain, entry)) = DOMAINS.get_key_value(name) {
                    return Some((*entry, *domain));
                }
                at = name.split_once('.').map(|(_, parent)| parent);
            }
            None
        })
}

/// The lowercase host of an http(s) URL.
fn host(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest.get(..end)?.trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    // Hosts are nearly always lowercase already: copy only when one is not.
    Some(if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    })
}

pub struct AutomationClient;

impl Detector for AutomationClient {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.automation_client.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// One post through a listed app is already evidence.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config.automation_client.min_posts.max(1)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.automation_client;
        let posts = &ctx.timeline.posts;
        let mut out = Outcome::default();

        // Posts per listed app, keyed by the client string as the platform spelled it (first
        // spelling seen), so that a report names what the person will see in their archive.
        let mut by_client: BTreeMap<String, (Category, Vec<usize>)> = BTreeMap::new();
        // A timeline uses a handful of clients: look each up once.
        let mut known: HashMap<&str, Option<&Entry>> = HashMap::new();
        let mut with_client = 0usize;
        // Posts that name no app but carry an app's own short links.
        let mut by_link: BTreeMap<String, (Category, Vec<usize>)> = BTreeMap::new();
        for (i, p) in posts.iter().enumerate() {
            let Some(client) = p.client.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
                if let Some((e, domain)) = lookup_links(p) {
                    by_link
                        .entry(format!("{} ({domain} links)", e.shown))
                        .or_insert_with(|| (e.category, Vec::new()))
                        .1
                        .push(i);
                }
                continue;
            };
            with_client += 1;
            if let Some(e) = *known.entry(client).or_insert_with(|| lookup(client)) {
                by_client
                    .entry(client.to_string())
                    .or_insert_with(|| (e.category, Vec::new()))
                    .1
                    .push(i);
            }
        }
        if with_client == 0 && by_link.is_empty() {
            return out;
        }
        // Among the posts whose app is known: named by the platform, or, once links name apps
        // where the input names none, every post.
        let listed: usize = by_client
            .values()
            .chain(by_link.values())
            .map(|(_, v)| v.len())
            .sum();
        let known_app = if by_link.is_empty() {
            with_client
        } else {
            posts.len()
        };
        out.stats.insert(
            "automation_client_share".into(),
            listed as f64 / known_app.max(1) as f64,
        );

        let mut groups: Vec<(String, Category, Vec<usize>)> = by_client
            .into_iter()
            .chain(by_link)
            .map(|(k, (c, v))| (k, c, v))
            .collect();
        // Most used first; ties by name so that the order never depends on hashing.
        groups.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then_with(|| a.0.cmp(&b.0)));

        let total = posts.len();
        for (client, cat, idx) in groups {
            if idx.len() < cfg.min_posts.max(1) {
                continue;
            }
            let share = idx.len() as f64 / total as f64;
            let part_time = cat.publishes_alone() && idx.len() >= cfg.part_time_min_posts.max(1);
            let nearly_all = cat == Category::Automation
                && total >= cfg.automated_min_posts
                && share > cfg.automated_share;
            let severity = if part_time || nearly_all {
                Severity::Low
            } else {
                Severity::Info
            };
            let note = format!("via {client}");
            let evidence = spread_of(&idx, MAX_EVIDENCE)
                .into_iter()
                .filter_map(|i| posts.get(i))
                .map(|p| Evidence::of(p, Some(note.clone())))
                .collect();
            let mut numbers = BTreeMap::new();
            numbers.insert("posts".into(), idx.len() as f64);
            numbers.insert("share".into(), share);
            out.findings.push(Finding {
                detector: ID.into(),
                severity,
                summary: format!(
                    "{} of {} posts ({:.0}%) via {}, {}",
                    idx.len(),
                    total,
                    share * 100.0,
                    client,
                    cat.described()
                ),
                template: None,
                schedule: None,
                numbers,
                evidence,
                posts: idx
                    .iter()
                    .filter_map(|&i| posts.get(i))
                    .map(PostRef::of)
                    .collect(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Post, Timeline};
    use chrono::{Duration, TimeZone, Utc};

    fn timeline(clients: &[(&str, usize)]) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
        let mut tl = Timeline::new("shop", Platform::Twitter);
        let mut n = 0;
        for (client, count) in clients {
            for _ in 0..*count {
                let mut p = Post::new(
                    format!("{n}"),
                    t0 + Duration::minutes(97 * n as i64),
                    format!("post {n}"),
                );
                p.client = (!client.is_empty()).then(|| client.to_string());
                tl.posts.push(p);
                n += 1;
            }
        }
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        AutomationClient.run(&Context::new(tl, &cfg, Utc::now()))
    }

    #[test]
    fn every_list_line_parses() {
        let bad: Vec<String> = LIST.lines().filter_map(|l| parse_line(l).err()).collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(ENTRIES.len() > 40);
    }

    #[test]
    fn categories_match_case_and_suffix_tolerantly() {
        assert_eq!(category("Buffer"), Some(Category::Scheduler));
        assert_eq!(category("Buffer App"), Some(Category::Scheduler));
        assert_eq!(category("buffer"), Some(Category::Scheduler));
        assert_eq!(category("Hootsuite Inc."), Some(Category::Scheduler));
        assert_eq!(category("IFTTT"), Some(Category::Automation));
        assert_eq!(category("dlvr.it"), Some(Category::Feed));
        assert_eq!(category("WordPress.com"), Some(Category::Feed));
        assert_eq!(category("moa.party"), Some(Category::Crossposter));
        assert_eq!(category("Zapier.com"), Some(Category::Automation));
        assert_eq!(category("My Weather Bot"), Some(Category::Automation));
        assert_eq!(category("Some RSS poster"), Some(Category::Feed));
        // Apps people type into.
        assert_eq!(category("TweetDeck"), None);
        assert_eq!(category("TweetDeck Web App"), None);
        assert_eq!(category("Twitter Web App"), None);
        assert_eq!(category("Twitter for iPhone"), None);
        assert_eq!(category(""), None);
        // Prefix matching stops at word boundaries.
        assert_eq!(category("Bufferbloat Client"), None);
        assert_eq!(category("Robot Framework"), None);
    }

    #[test]
    fn nearly_everything_through_an_automation_service_is_low() {
        let out = run(&timeline(&[("IFTTT", 95), ("Twitter Web App", 5)]));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Low);
        assert!(
            f.summary.contains("95 of 100 posts (95%) via IFTTT"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!((out.stats["automation_client_share"] - 0.95).abs() < 1e-9);
    }

    #[test]
    fn a_scheduler_is_info_even_when_used_for_everything() {
        let out = run(&timeline(&[("Buffer", 100)]));
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::Info);
        assert!(out.findings[0].summary.contains("a scheduler"));
    }

    #[test]
    fn a_person_scheduling_now_and_then_is_info() {
        let out = run(&timeline(&[
            ("Twitter Web App", 80),
            ("Buffer", 3),
            ("IFTTT", 2),
        ]));
        assert_eq!(out.findings.len(), 2);
        assert!(out.findings.iter().all(|f| f.severity == Severity::Info));
        // Most used first.
        assert!(out.findings[0].summary.contains("Buffer"));
        assert!((out.stats["automation_client_share"] - 5.0 / 85.0).abs() < 1e-9);
    }

    #[test]
    fn a_few_posts_through_a_service_stay_info_and_unknown_clients_give_no_stat() {
        let out = run(&timeline(&[("IFTTT", 9)]));
        assert_eq!(out.findings[0].severity, Severity::Info);
        let out = run(&timeline(&[("", 60)]));
        assert!(out.findings.is_empty());
        assert!(!out.stats.contains_key("automation_client_share"));
        let out = run(&timeline(&[("Twitter Web App", 60)]));
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["automation_client_share"], 0.0);
    }

    /// A person's posts by hand, with `auto` more posted by a service whose links are given.
    fn with_links(hand: usize, auto: usize, link: &str) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
        let mut tl = Timeline::new("someone", Platform::Mastodon);
        for n in 0..hand + auto {
            let mut p = Post::new(
                format!("{n}"),
                t0 + Duration::minutes(131 * n as i64),
                format!("post {n}"),
            );
            let every = ((hand + auto) / auto.max(1)).max(1);
            p.links = if auto > 0 && n % every == 0 && n / every < auto {
                vec![format!("{link}/{n}")]
            } else {
                vec![format!("https://news.example.org/story/{n}")]
            };
            tl.posts.push(p);
        }
        tl.finish();
        tl
    }

    #[test]
    fn short_links_name_the_app_when_the_input_names_none() {
        let tl = with_links(90, 15, "https://dlvr.it/T3xYz");
        let linked = tl
            .posts
            .iter()
            .filter(|p| p.links[0].contains("dlvr.it"))
            .count();
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Low, "part-time feed poster");
        assert!(
            f.summary
                .contains("via dlvr.it (dlvr.it links), a feed poster"),
            "{}",
            f.summary
        );
        // Every post it published is listed, and only those.
        assert_eq!(f.posts.len(), linked);
        assert!(f.posts.len() >= 10);
        let ids: Vec<&str> = f.posts.iter().map(|p| p.id.as_str()).collect();
        for p in &tl.posts {
            assert_eq!(ids.contains(&p.id.as_str()), p.links[0].contains("dlvr.it"));
        }
    }

    #[test]
    fn a_scheduler_known_by_its_links_is_info_and_other_links_are_nothing() {
        let out = run(&with_links(60, 20, "http://buff.ly/3AbC"));
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::Info);
        assert!(out.findings[0].summary.contains("Buffer (buff.ly links)"));
        let out = run(&with_links(60, 0, "https://buff.ly/x"));
        assert!(out.findings.is_empty());
        assert!(!out.stats.contains_key("automation_client_share"));
        // Look-alike hosts are not the app's.
        let out = run(&with_links(60, 20, "https://notbuff.ly/x"));
        assert!(out.findings.is_empty());
        assert_eq!(
            host("https://Sub.OW.ly:443/a?b").as_deref(),
            Some("sub.ow.ly")
        );
    }

    #[test]
    fn a_person_running_ifttt_for_part_of_their_posts_is_low() {
        let out = run(&timeline(&[("Twitter Web App", 200), ("IFTTT", 12)]));
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.posts.len(), 12);
    }
}
