//! `near_duplicate`: the same text posted again and again, word for word or with small changes
//! (another link, another emoji, a changed number).
//!
//! [`clusters`](super::context::clusters) groups every post of a timeline once, for all detectors (see
//! [`super::Context`]): texts are [`normalize`]d, identical ones grouped, and the rest matched
//! with MinHash and LSH ([`crate::minhash`]), so the work is about linear in the number of posts.
//! Reposts are left out (their text is someone else's), and so are texts with fewer than
//! `min_tokens` words, which are too generic to mean anything when repeated ("thanks!", "lol").
//!
//! The detector reports each cluster of at least `min_cluster_size` posts; its severity grows
//! with the cluster's size and its share of the timeline. A person who shares the same link
//! twice is not a finding.
//!
//! Stats: `near_duplicate_share` (share of non-repost posts that sit in a reported cluster,
//! 0..1) and `clusters` (number of reported clusters, each a finding, largest first).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::Cluster;
use super::evidence::spread;
use super::{Context, Detector};
use crate::minhash;
use crate::model::{Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};
use crate::model::{Post, PostKind};
use crate::text::normalize;
use crate::text::shorten;

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "near_duplicate";

/// The most points this detector can take off the score. Repetition supports the two habits but alone can be a person's stock phrase.
pub const MAX_PENALTY: u32 = 20;

/// `[detectors.near_duplicate]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Smallest cluster reported (default 3: twice is something people do).
    pub min_cluster_size: usize,
    /// How similar two normalised posts must be, 0..1: one minus the word-level edit distance
    /// divided by the longer post's word count (default 0.8: at most one word in five
    /// changed, added or removed).
    pub similarity: f64,
    /// MinHash shingles are word n-grams for n from 1 to this (default 2).
    pub shingle_words: usize,
    /// LSH bands (default 24). More bands find more pairs at lower similarity, at more cost.
    pub bands: usize,
    /// MinHash values per band (default 3). More rows make candidates rarer and surer; with
    /// 24 × 3, a pair whose word n-grams overlap by half is a candidate 96% of the time, and
    /// a cluster of three or more such posts is all but certain to be found.
    pub rows: usize,
    /// Posts with fewer words than this after normalisation are not clustered (default 4);
    /// placeholders (`<url>`, `<user>`, `<num>`, `<emoji>`) do not count as words.
    pub min_tokens: usize,
}

impl Default for Config {
    fn default() -> Self {
        let p = minhash::Params::default();
        Config {
            enabled: true,
            min_cluster_size: 3,
            similarity: p.similarity,
            shingle_words: p.shingle_words,
            bands: p.bands,
            rows: p.rows,
            min_tokens: 4,
        }
    }
}

impl Config {
    pub fn params(&self) -> minhash::Params {
        minhash::Params {
            shingle_words: self.shingle_words,
            bands: self.bands,
            rows: self.rows,
            similarity: self.similarity,
        }
    }
}

/// Severity of one cluster, from how much of the whole account is repeated text
/// (`account_share`: posts in any reported cluster / non-repost posts) and the cluster's size.
///
/// People repeat themselves now and then (a stock answer, a link shared twice, a phrase they
/// like): when repeats are under 10% of the account, a cluster is shown as evidence (info) and
/// judged by what its timing says (`scheduled_repeat`, `auto_reply`), not by the repetition
/// alone. Accounts made mostly of repeats are what spam and bots look like.
fn severity(size: usize, account_share: f64) -> Severity {
    let by_share = if account_share >= 0.5 {
        Severity::High
    } else if account_share >= 0.25 {
        Severity::Medium
    } else if account_share >= 0.10 {
        Severity::Low
    } else {
        return Severity::Info;
    };
    // Three or four look-alike posts are what a person's pet phrase produces; they count only
    // in an account that is largely repeats.
    let by_size = if size >= 10 {
        Severity::High
    } else if size >= 5 {
        Severity::Medium
    } else if account_share >= 0.25 {
        Severity::Low
    } else {
        Severity::Info
    };
    by_share.min(by_size)
}

pub struct NearDuplicate;

impl Detector for NearDuplicate {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.near_duplicate.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// A series that is a scheduled campaign or an auto-reply template is that detector's story,
    /// with its schedule or reply times; repeating it here would count the same posts twice.
    fn yields_to(&self) -> &'static [&'static str] {
        &["scheduled_repeat", "auto_reply"]
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let posts = &ctx.timeline.posts;
        let min = ctx.config.near_duplicate.min_cluster_size.max(2);
        let own = posts.iter().filter(|p| p.kind != PostKind::Repost).count();
        let mut reported: Vec<&Cluster> = ctx
            .clusters
            .iter()
            .filter(|c| c.members.len() >= min)
            .collect();
        let in_clusters: usize = reported.iter().map(|c| c.members.len()).sum();
        let account_share = if own == 0 {
            0.0
        } else {
            (in_clusters as f64 / own as f64).min(1.0)
        };
        reported.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then_with(|| a.members.first().cmp(&b.members.first()))
        });
        let findings = reported
            .iter()
            .filter_map(|c| finding(c, posts, own, account_share))
            .collect();
        let mut stats = BTreeMap::new();
        stats.insert("near_duplicate_share".to_string(), account_share);
        stats.insert("clusters".to_string(), reported.len() as f64);
        Outcome { findings, stats }
    }
}

/// The finding for one cluster (`None` if its indices do not match the posts).
fn finding(cluster: &Cluster, posts: &[Post], own: usize, account_share: f64) -> Option<Finding> {
    let members: Vec<&Post> = cluster
        .members
        .iter()
        .filter_map(|&i| posts.get(i))
        .collect();
    let first = members.first()?;
    let last = members.last()?;
    let n = members.len();
    let share = n as f64 / own.max(n) as f64;
    let replies = members.iter().filter(|p| p.kind == PostKind::Reply).count();
    let what = if replies == n {
        "the same reply"
    } else {
        "the same text"
    };
    let wordings = if cluster.wordings > 1 {
        format!(" in {} wordings", cluster.wordings)
    } else {
        String::new()
    };
    let (d0, d1) = (
        first.created_at.format("%Y-%m-%d"),
        last.created_at.format("%Y-%m-%d"),
    );
    let when = if d0.to_string() == d1.to_string() {
        format!("on {d0}")
    } else {
        format!("from {d0} to {d1}")
    };
    let summary = format!(
        "{what} posted {n} times{wordings} ({:.0}% of own posts), {when}",
        share * 100.0
    );
    let span_days = (last.created_at - first.created_at).num_seconds() as f64 / 86_400.0;
    let numbers = BTreeMap::from([
        ("posts".to_string(), n as f64),
        ("share".to_string(), share),
        ("wordings".to_string(), cluster.wordings as f64),
        ("replies".to_string(), replies as f64),
        ("span_days".to_string(), span_days),
    ]);
    let evidence = spread(n, MAX_EVIDENCE)
        .into_iter()
        .filter_map(|i| members.get(i))
        .map(|p| {
            // With several wordings, say which posts vary from the template.
            let note = (cluster.wordings > 1).then(|| {
                if normalize(&p.text) == cluster.template {
                    "most frequent wording".to_string()
                } else {
                    "other wording".to_string()
                }
            });
            Evidence::of(p, note)
        })
        .collect();
    Some(Finding {
        detector: ID.to_string(),
        severity: severity(n, account_share),
        summary,
        template: Some(shorten(&cluster.template, 280)),
        schedule: None,
        numbers,
        evidence,
        posts: members.iter().map(|p| PostRef::of(p)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::context::clusters;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Timeline};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap()
    }

    fn timeline(posts: Vec<Post>) -> Timeline {
        let mut tl = Timeline::new("acct", Platform::Twitter);
        tl.posts = posts;
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let config = All::default();
        let ctx = Context::new(tl, &config, t0() + Duration::days(400));
        NearDuplicate.run(&ctx)
    }

    /// Ordinary chatter: texts of random words (a fixed pseudo-random stream) at irregular
    /// times.
    fn chatter(n: usize) -> Vec<Post> {
        const WORDS: &[&str] = &[
            "coffee", "morning", "train", "late", "again", "meeting", "cat", "garden", "rain",
            "book", "finished", "reading", "great", "dinner", "friends", "weekend", "hike",
            "mountain", "code", "review", "bug", "fixed", "finally", "music", "concert", "tickets",
            "new", "shoes", "walk", "dog", "park", "sunny", "cold", "tea", "lunch", "office",
            "home", "tired", "happy", "movie", "tonight", "football", "match", "lost", "won",
            "kids", "school", "holiday", "beach", "photo", "city", "bike", "ride",
        ];
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        (0..n)
            .map(|i| {
                let len = 6 + next() % 8;
                let text: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
                Post::new(
                    format!("c{i}"),
                    t0() + Duration::minutes((97 * i + next() % 50) as i64),
                    text.join(" "),
                )
            })
            .collect()
    }

    #[test]
    fn repeated_promo_is_found_with_its_evidence() {
        // An account that is mostly one repeated promo.
        let mut posts = chatter(8);
        for i in 0..12 {
            let emoji = ["🔥", "🚀", ""][i % 3];
            posts.push(Post::new(
                format!("p{i}"),
                t0() + Duration::days(3 * i as i64),
                format!(
                    "{emoji} Our SPRING SALE is live: 30% off everything! https://t.co/x{i} #sale"
                ),
            ));
        }
        let tl = timeline(posts.clone());
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.numbers["posts"], 12.0);
        // The same 12 repeats among 200 other posts are evidence only.
        let mut diluted = chatter(200);
        diluted.extend(posts.into_iter().filter(|p| p.id.starts_with('p')));
        let quiet = run(&timeline(diluted));
        assert_eq!(quiet.findings[0].severity, Severity::Info);
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!(f.evidence.iter().all(|e| e.post_id.starts_with('p')));
        assert_eq!(
            f.template.as_deref(),
            Some("<emoji> our spring sale is live <num> off everything <url> sale")
        );
        assert!(
            f.summary.contains("posted 12 times in 2 wordings"),
            "{}",
            f.summary
        );
        let other = f
            .evidence
            .iter()
            .filter(|e| e.note.as_deref() == Some("other wording"));
        assert_eq!(other.count(), 4);
        assert!((out.stats["near_duplicate_share"] - 12.0 / 20.0).abs() < 1e-9);
        assert_eq!(out.stats["clusters"], 1.0);
    }

    #[test]
    fn small_edits_still_cluster() {
        let texts = [
            "Join our free webinar on cloud security this Thursday, register now",
            "Join our free webinar on cloud security this Friday, register now",
            "Join our FREE webinar about cloud security this Thursday - register now!",
            "join our free webinar on cloud security this thursday register today",
        ];
        let posts = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Post::new(format!("w{i}"), t0() + Duration::hours(i as i64), *t))
            .collect();
        let tl = timeline(posts);
        let cl = clusters(&tl.posts, &Config::default());
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].members, vec![0, 1, 2, 3]);
        assert_eq!(cl[0].wordings, 4);
    }

    #[test]
    fn a_link_shared_twice_is_not_a_finding() {
        let mut posts = chatter(20);
        for i in 0..2 {
            posts.push(Post::new(
                format!("l{i}"),
                t0() + Duration::days(5 * i),
                "Great read on how rivers shape cities https://example.com/rivers",
            ));
        }
        let out = run(&timeline(posts));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.stats["near_duplicate_share"], 0.0);
    }

    #[test]
    fn newsroom_posting_different_headlines_hourly_is_not_a_duplicate() {
        let headlines = [
            "Parliament passes the budget after a long night of votes",
            "Storm warning issued for the northern coast tomorrow",
            "Local team wins the cup final in extra time",
            "Central bank keeps interest rates unchanged",
            "New museum of modern art opens downtown",
            "Train strike disrupts morning commute across the region",
            "Scientists map the genome of an ancient wheat variety",
            "City council approves new bicycle lanes",
            "Hospital waiting times fall for the third month",
            "Airport expansion plan faces legal challenge",
            "Heatwave expected to break records this weekend",
            "Former minister charged with fraud",
            "Tech firm announces thousand new jobs in the north",
            "School meals programme extended to all pupils",
            "River levels rise after days of heavy rain",
            "Police appeal for witnesses after bridge collision",
            "Film festival names its opening night feature",
            "Energy prices set to drop in the spring",
            "Archaeologists uncover Roman villa under car park",
            "Unemployment rate reaches lowest level in decade",
            "Wildfire forces evacuation of mountain villages",
            "National orchestra announces free summer concerts",
            "Ferry services cancelled as gales batter the islands",
            "Supreme court rules on data privacy case",
        ];
        let posts = headlines
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Post::new(
                    format!("n{i}"),
                    t0() + Duration::hours(i as i64),
                    format!("BREAKING: {h}. Read more: https://news.example/a/{i} #news"),
                )
            })
            .collect();
        let tl = timeline(posts);
        assert!(clusters(&tl.posts, &Config::default()).is_empty());
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
    }

    #[test]
    fn reposts_and_short_texts_are_left_out() {
        let mut posts = Vec::new();
        for i in 0..10 {
            let mut p = Post::new(
                format!("r{i}"),
                t0() + Duration::hours(i),
                "RT @news: The same headline everybody reposts today",
            );
            p.kind = PostKind::Repost;
            posts.push(p);
            posts.push(Post::new(
                format!("t{i}"),
                t0() + Duration::hours(i) + Duration::minutes(5),
                "Thanks!! 🙏 @someone https://x.co/1",
            ));
        }
        let tl = timeline(posts);
        assert!(clusters(&tl.posts, &Config::default()).is_empty());
        let out = run(&tl);
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["clusters"], 0.0);
    }

    #[test]
    fn severity_grows_with_size_and_share() {
        // A few repeats in a large account are evidence, not a verdict.
        assert_eq!(severity(30, 0.02), Severity::Info);
        assert_eq!(severity(3, 0.09), Severity::Info);
        assert_eq!(severity(3, 0.12), Severity::Info);
        assert_eq!(severity(5, 0.12), Severity::Low);
        assert_eq!(severity(3, 0.9), Severity::Low);
        assert_eq!(severity(6, 0.3), Severity::Medium);
        assert_eq!(severity(6, 0.9), Severity::Medium);
        assert_eq!(severity(10, 0.3), Severity::Medium);
        assert_eq!(severity(10, 0.6), Severity::High);
    }

    #[test]
    fn empty_timeline() {
        let out = run(&timeline(Vec::new()));
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["near_duplicate_share"], 0.0);
    }

    /// Campaign texts among Zipf-distributed chatter (common words in most posts, the case
    /// that fills LSH buckets): every campaign is found whole and nothing else joins it.
    /// Speed is measured by `benches/pipeline.rs`, not here.
    #[test]
    fn campaigns_among_zipf_chatter_are_found_whole() {
        let words: Vec<String> = (0..5000).map(|i| format!("word{i}")).collect();
        let mut state = 42u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let posts: Vec<Post> = (0..20_000)
            .map(|i| {
                let len = 6 + next() % 20;
                // Zipf-like word choice: a few words (like "the") are in most posts.
                let text: Vec<&str> = (0..len)
                    .map(|_| {
                        let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                        let rank = (words.len() as f64).powf(u) as usize - 1;
                        words[rank.min(words.len() - 1)].as_str()
                    })
                    .collect();
                let text = if i % 10 == 0 {
                    // Every tenth post repeats one of 500 campaign texts with a new link
                    // and one word changed. Campaigns differ from each other in 3 words of 11.
                    let c = i / 10 % 500;
                    format!(
                        "Campaign {} {} {} buy our thing {} at https://t.co/{i} limited offer",
                        words[c],
                        words[c + 1000],
                        words[c + 2000],
                        ["now", "today", "soon"][i / 10 % 3]
                    )
                } else if i % 5 == 1 {
                    // Some decoration and non-ASCII, so that the NFKC path is measured too.
                    format!("🔥 @fan{i} Grüße 𝐍𝐄𝐖 {} https://t.co/{i}", text.join(" "))
                } else {
                    text.join(" ")
                };
                Post::new(
                    format!("{i}"),
                    t0() + Duration::seconds(i as i64 * 37),
                    text,
                )
            })
            .collect();
        let cl = clusters(&posts, &Config::default());
        assert_eq!(cl.len(), 500);
        assert!(cl.iter().all(|c| c.members.len() == 4));
        assert!(cl.iter().all(|c| c
            .members
            .iter()
            .all(|&m| m % 10 == 0 && m / 10 % 500 == c.members[0] / 10 % 500)));
    }
}
