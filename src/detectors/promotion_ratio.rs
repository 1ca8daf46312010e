//! `promotion_ratio`: how much of what an account writes itself is selling, against how much
//! is talking with people.
//!
//! A post is promotional when it carries a marker: a shop link, a coupon code, a price or
//! discount, or a call to action (English with German, French and Spanish basics). Markers are
//! simple patterns, so one post says little; the ratio over a timeline says a lot. An account
//! whose own posts (originals and quotes) are mostly promotional while it hardly ever replies
//! to anyone is broadcasting, not conversing, the habit promotion schedulers produce. Link
//! shorteners and `utm_` tracking parameters count only beside another marker: people share
//! news links carrying `utm_source=share` all the time.
//!
//! Severity: `medium` when at least `medium_ratio` (60%) of own posts are promotional and fewer
//! than `medium_max_conversation` (10%) of posts are replies to others, over at least
//! `min_posts` (20) posts; `high` when at least `high_ratio` (80%) are promotional and fewer than
//! `high_max_conversation` (5%) are replies, over at least `high_min_posts` (50); `low` with
//! the `medium` shares on a short timeline of `thin_min_posts` (5) to `min_posts` posts, so that
//! among short timelines the ones that only sell rank below the ones that converse. Selling by
//! itself is not automation, which is why the score caps this detector low.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::Cluster;
use super::evidence::spread_of;
use super::markers::Marker;
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};
use crate::model::{Post, PostKind};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "promotion_ratio";

/// The most points this detector can take off the score. Selling by itself is not automation: a low weight.
pub const MAX_PENALTY: u32 = 15;

/// `[detectors.promotion_ratio]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest posts (reposts not counted) before a `medium` or `high` finding.
    pub min_posts: usize,
    /// Fewest posts for a `low` finding on a short timeline (thin evidence), with the `medium`
    /// shares: so that short promotional link-posters rank below conversational people.
    pub thin_min_posts: usize,
    /// Fewest own posts (originals and quotes) before any finding.
    pub min_own_posts: usize,
    /// Promotional share of own posts for `medium`.
    pub medium_ratio: f64,
    /// Replies to others must be below this share of posts for `medium`.
    pub medium_max_conversation: f64,
    /// Promotional share of own posts for `high`.
    pub high_ratio: f64,
    /// Replies to others must be below this share of posts for `high`.
    pub high_max_conversation: f64,
    /// Fewest posts for `high`.
    pub high_min_posts: usize,
    /// One link in at least this many own posts...
    pub same_link_min_posts: usize,
    /// ...making at least this share of them is pushed, not shared: `low`.
    pub same_link_share: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_posts: 20,
            thin_min_posts: 5,
            min_own_posts: 10,
            medium_ratio: 0.6,
            medium_max_conversation: 0.1,
            high_ratio: 0.8,
            high_max_conversation: 0.05,
            high_min_posts: 50,
            same_link_min_posts: 3,
            same_link_share: 0.3,
        }
    }
}

pub struct PromotionRatio;

impl Detector for PromotionRatio {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.promotion_ratio.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// A low finding needs `thin_min_posts` posts.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config.promotion_ratio.thin_min_posts.max(1)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.promotion_ratio;
        let posts = &ctx.timeline.posts;
        let mut out = Outcome::default();

        let written = posts.iter().filter(|p| p.kind != PostKind::Repost).count();
        if written == 0 {
            return out;
        }
        let conversation = ctx.replies_to_others.len();
        let conversation_share = conversation as f64 / written as f64;
        out.stats
            .insert("conversation_share".into(), conversation_share);

        let mut own = 0usize;
        let mut own_idx: Vec<usize> = Vec::new();
        let mut promotional: Vec<(usize, &[Marker])> = Vec::new();
        for (i, p) in posts.iter().enumerate() {
            if !matches!(p.kind, PostKind::Original | PostKind::Quote) {
                continue;
            }
            own += 1;
            own_idx.push(i);
            match ctx.markers.get(i) {
                Some(m) if !m.is_empty() => promotional.push((i, m)),
                _ => {}
            }
        }
        if own == 0 {
            return out;
        }
        let ratio = promotional.len() as f64 / own as f64;
        out.stats.insert("promotion_ratio".into(), ratio);

        if let Some(f) = same_link(posts, &own_idx, &ctx.clusters, cfg) {
            out.findings.push(f);
        }
        let enough = written >= cfg.min_posts && own >= cfg.min_own_posts;
        let severity = if !enough {
            // A short timeline that does nothing but sell ranks below one that talks with
            // people, but a handful of posts proves nothing: low at most.
            if written >= cfg.thin_min_posts.max(1)
                && ratio >= cfg.medium_ratio
                && conversation_share < cfg.medium_max_conversation
            {
                Severity::Low
            } else {
                return out;
            }
        } else if written >= cfg.high_min_posts
            && ratio >= cfg.high_ratio
            && conversation_share < cfg.high_max_conversation
        {
            Severity::High
        } else if ratio >= cfg.medium_ratio && conversation_share < cfg.medium_max_conversation {
            Severity::Medium
        } else {
            return out;
        };

        let mut numbers = BTreeMap::new();
        numbers.insert("own_posts".into(), own as f64);
        numbers.insert("promotional_posts".into(), promotional.len() as f64);
        numbers.insert("replies_to_others".into(), conversation as f64);
        numbers.insert("promotion_ratio".into(), ratio);
        numbers.insert("conversation_share".into(), conversation_share);
        let mut kinds: BTreeMap<Marker, usize> = BTreeMap::new();
        for (_, ms) in &promotional {
            for m in ms.iter() {
                *kinds.entry(*m).or_default() += 1;
            }
        }
        let mut ranked: Vec<(Marker, usize)> = kinds.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let kinds_words = ranked
            .iter()
            .map(|(m, n)| format!("{n} with {}", m.plural()))
            .collect::<Vec<_>>()
            .join(", ");
        for (m, n) in &ranked {
            numbers.insert(format!("{}_posts", m.as_str().replace(' ', "_")), *n as f64);
        }

        let picks: Vec<usize> = (0..promotional.len()).collect();
        let evidence = spread_of(&picks, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|k| promotional.get(k))
            .filter_map(|(i, ms)| {
                let words: Vec<&str> = ms.iter().map(|m| m.as_str()).collect();
                posts
                    .get(*i)
                    .map(|p| Evidence::of(p, Some(words.join(", "))))
            })
            .collect();

        out.findings.push(Finding {
            detector: ID.into(),
            severity,
            summary: format!(
                "{} of {} own posts ({:.0}%) are promotional ({}), and only {} of {} posts ({:.0}%) {} a reply to someone else",
                promotional.len(),
                own,
                ratio * 100.0,
                kinds_words,
                conversation,
                written,
                conversation_share * 100.0,
                if conversation == 1 { "is" } else { "are" },
            ),
            template: None,
            schedule: None,
            numbers,
            evidence,
            posts: promotional
                .iter()
                .filter_map(|(i, _)| posts.get(*i))
                .map(PostRef::of)
                .collect(),
        });
        out
    }
}

/// The same link pushed again and again in words that change: one page in at least
/// `same_link_min_posts` own posts,
/// making at least `same_link_share` of them. People share a page they like once or twice, or
/// their own blog post a few times among many other posts; a timeline that is mostly one link
/// is promoting it, and on a short timeline this is among the few signals there are.
fn same_link(posts: &[Post], own: &[usize], clusters: &[Cluster], cfg: &Config) -> Option<Finding> {
    let mut by_link: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in own {
        let Some(p) = posts.get(i) else { continue };
        let mut links: Vec<String> = p.links.iter().filter_map(|l| page(l)).collect();
        links.sort();
        links.dedup();
        for l in links {
            by_link.entry(l).or_default().push(i);
        }
    }
    let (link, idx) = by_link
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(&a.0)))?;
    let share = idx.len() as f64 / own.len().max(1) as f64;
    if idx.len() < cfg.same_link_min_posts.max(2) || share < cfg.same_link_share {
        return None;
    }
    // The same text with the same link is a repeat, told (and weighed) by `near_duplicate` and
    // `scheduled_repeat`; this finding is for a page pushed in words that change.
    let repeated = clusters.iter().any(|c| {
        let shared = idx.iter().filter(|i| c.members.contains(i)).count();
        shared * 2 >= idx.len()
    });
    if repeated {
        return None;
    }
    let numbers = BTreeMap::from([
        ("posts".to_string(), idx.len() as f64),
        ("share".to_string(), share),
    ]);
    Some(Finding {
        detector: ID.into(),
        severity: Severity::Low,
        summary: format!(
            "the same link in {} of {} own posts ({:.0}%): {link}",
            idx.len(),
            own.len(),
            share * 100.0
        ),
        template: None,
        schedule: None,
        numbers,
        evidence: spread_of(&idx, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|i| posts.get(i))
            .map(|p| Evidence::of(p, Some("the same link".to_string())))
            .collect(),
        posts: idx
            .iter()
            .filter_map(|&i| posts.get(i))
            .map(PostRef::of)
            .collect(),
    })
}

/// The page a link points at, for comparing links: scheme, `www.`, tracking parameters, the
/// fragment and a trailing slash dropped; the host lowercased. `None` for what is not a web link.
fn page(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = path.split_once('/').unwrap_or((path, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty() {
        return None;
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("utm_") && !kv.starts_with("ref="))
        .collect();
    let mut out = format!("{host}/{}", path.trim_end_matches('/'));
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    Some(out.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Post, Timeline};
    use chrono::{Duration, TimeZone, Utc};

    fn timeline(promo: usize, plain: usize, replies: usize) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        let mut tl = Timeline::new("shop", Platform::Twitter);
        let mut n = 0i64;
        let mut add = |text: String, reply: bool| {
            let mut p = Post::new(format!("{n}"), t0 + Duration::hours(7 * n), text);
            if reply {
                p.kind = PostKind::Reply;
                p.reply_to_account = Some(format!("user{n}"));
                p.reply_to_id = Some(format!("x{n}"));
            }
            tl.posts.push(p);
            n += 1;
        };
        for i in 0..promo {
            add(
                format!("Mug #{i} only $12, shop now https://shop.example.com/m{i}"),
                false,
            );
        }
        for i in 0..plain {
            add(format!("what a lovely morning walk {i}"), false);
        }
        for i in 0..replies {
            add(format!("@user{i} good point, thanks"), true);
        }
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        PromotionRatio.run(&Context::new(tl, &cfg, Utc::now()))
    }

    #[test]
    fn a_broadcasting_shop_is_high() {
        let out = run(&timeline(55, 5, 1));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert!(
            f.summary
                .starts_with("55 of 60 own posts (92%) are promotional (55 with shop links, 55 with prices, 55 with calls to action)"),
            "{}",
            f.summary
        );
        assert!(
            f.summary.contains("only 1 of 61 posts (2%) is a reply"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!((out.stats["promotion_ratio"] - 55.0 / 60.0).abs() < 1e-9);
    }

    #[test]
    fn mostly_promotion_in_a_small_timeline_is_medium() {
        let out = run(&timeline(16, 8, 1));
        assert_eq!(out.findings[0].severity, Severity::Medium);
    }

    #[test]
    fn a_shop_that_talks_with_people_is_not_flagged() {
        let out = run(&timeline(40, 5, 20));
        assert!(out.findings.is_empty());
        assert!(out.stats["conversation_share"] > 0.3);
    }

    #[test]
    fn a_person_is_not_flagged_and_tiny_timelines_are_left_alone() {
        assert!(run(&timeline(3, 40, 2)).findings.is_empty());
        let out = run(&timeline(4, 0, 0));
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["promotion_ratio"], 1.0);
        assert!(run(&Timeline::new("x", Platform::Other)).stats.is_empty());
        // A short conversational timeline.
        assert!(run(&timeline(1, 6, 5)).findings.is_empty());
    }

    #[test]
    fn a_short_timeline_that_only_sells_is_low_so_it_ranks_below_people() {
        let out = run(&timeline(10, 0, 0));
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::Low);
        assert_eq!(out.findings[0].posts.len(), 10);
        // Selling with conversation is not.
        assert!(run(&timeline(8, 0, 6)).findings.is_empty());
    }

    /// `n` own posts in words of their own, the first `same` of them linking one page (with
    /// varying tracking parameters), the rest other pages.
    fn linking(n: usize, same: usize) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let mut tl = Timeline::new("acct", Platform::Other);
        for i in 0..n {
            let mut p = Post::new(
                format!("{i}"),
                t0 + Duration::hours(19 * i as i64),
                [
                    "we finally shipped the thing we have worked on all year",
                    "a short story about what went wrong on launch day",
                    "everyone asked how the new pricing works, here it is",
                    "the team behind it, in their own words",
                    "what early users told us in the first week",
                    "how it compares with what we built before",
                    "three small details we are proud of",
                    "questions from the community, answered",
                ][i % 8]
                    .to_string(),
            );
            p.links = if i < same {
                vec![format!("https://WWW.Example.com/launch/?utm_source=x{i}")]
            } else {
                vec![format!("https://news.example.org/{i}")]
            };
            tl.posts.push(p);
        }
        tl.finish();
        tl
    }

    #[test]
    fn the_same_link_pushed_on_a_short_timeline_is_low() {
        let out = run(&linking(8, 4));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.starts_with("the same link"))
            .expect("found");
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.posts.len(), 4);
        assert!(f.summary.ends_with("example.com/launch"), "{}", f.summary);
    }

    #[test]
    fn a_person_resharing_their_post_now_and_then_is_nothing() {
        let out = run(&linking(100, 4));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(
            page("http://a.example/x/#top"),
            Some("a.example/x".to_string())
        );
        assert_eq!(page("mailto:x@example.com"), None);
    }
}
