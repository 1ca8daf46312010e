//! What a detector reads: the [`Context`] of one analysis, and the facts about a timeline that
//! several detectors need, computed once per timeline rather than once per detector.
//!
//! The facts: near-duplicate [`Cluster`]s of all posts (the expensive part: normalisation,
//! MinHash, LSH and `strsim` verification, about linear in the number of posts; read by
//! `near_duplicate`, `scheduled_repeat` and `auto_reply`), which replies continue the account's
//! own threads and which talk to others (read by `auto_reply`, `timing`, `promotion_ratio` and
//! `feed_broadcast`), each own post's promotional markers (read by `promotion_ratio` and
//! `scheduled_repeat`), and the hour-of-day profile and its rest gap (people sleep, programs do
//! not; read by `timing`, `auto_reply` and `feed_broadcast`). Detectors import this module,
//! never each other.

use std::collections::HashSet;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::markers::{markers, Marker};
use super::{near_duplicate, Config};
use crate::minhash;
use crate::model::{Post, PostKind, Timeline};
use crate::text::normalize;

/// Everything a detector may read: the timeline, the time of the analysis, the configuration,
/// and the facts several detectors need, computed once here and shared.
pub struct Context<'a> {
    pub timeline: &'a Timeline,
    pub now: DateTime<Utc>,
    pub config: &'a Config,
    /// Clusters of near-identical posts (indices into `timeline.posts`, oldest first), each with
    /// at least `near_duplicate.min_cluster_size` members.
    pub clusters: Vec<Cluster>,
    /// Templated series: original posts that share a fixed frame around text that changes
    /// every time (`tip of the day <…> <url>`), each with at least `near_duplicate.
    /// min_cluster_size` members and none of them in `clusters`. `template` shows the frame
    /// with `<…>` where the text changes.
    pub frames: Vec<Cluster>,
    /// For each post, whether it replies to the account itself (a thread continuation).
    pub self_replies: Vec<bool>,
    /// Indices of the replies to other accounts, oldest first: the account's conversation.
    pub replies_to_others: Vec<usize>,
    /// For each post, its promotional [`markers`]: looked for in the account's own posts
    /// (originals and quotes) only, empty for the rest. Read by `promotion_ratio` (the share of
    /// selling posts), `scheduled_repeat` (whether a repeat sells) and the report's activity
    /// counts (promotion over time).
    pub markers: Vec<Vec<Marker>>,
    /// The zone schedules are put in words in (`--tz`; UTC unless [`Context::in_zone`] says
    /// otherwise). Only the words: every slot, phase and weekday is found in UTC, so a finding
    /// never appears or goes with the zone.
    pub zone: Tz,
}

impl<'a> Context<'a> {
    pub fn new(timeline: &'a Timeline, config: &'a Config, now: DateTime<Utc>) -> Context<'a> {
        // Clustering is the expensive shared step; skip it when no detector reads it.
        let needed = config.near_duplicate.enabled || config.scheduled_repeat.enabled;
        let (clusters, frames) = if needed {
            let normalized = normalized(&timeline.posts, &config.near_duplicate);
            let clusters = clusters_of(&normalized, &config.near_duplicate);
            let frames = frames(
                &timeline.posts,
                &normalized,
                &clusters,
                config.near_duplicate.min_cluster_size,
            );
            (clusters, frames)
        } else {
            (Vec::new(), Vec::new())
        };
        let self_replies = self_replies(timeline);
        let replies_to_others = timeline
            .posts
            .iter()
            .zip(&self_replies)
            .enumerate()
            .filter(|(_, (p, s))| p.kind == PostKind::Reply && !**s)
            .map(|(i, _)| i)
            .collect();
        // Found whatever detectors run: the report's promotion-over-time chart reads them too.
        let markers = timeline
            .posts
            .par_iter()
            .with_min_len(256)
            .map(|p| match p.kind {
                PostKind::Original | PostKind::Quote => markers(p),
                PostKind::Reply | PostKind::Repost => Vec::new(),
            })
            .collect();
        Context {
            timeline,
            now,
            config,
            clusters,
            frames,
            self_replies,
            replies_to_others,
            markers,
            zone: Tz::UTC,
        }
    }

    /// This context, with its schedules put in words in `zone`.
    pub fn in_zone(self, zone: Tz) -> Context<'a> {
        Context { zone, ..self }
    }
}

/// A group of near-identical posts.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Indices into the timeline's posts, oldest first.
    pub members: Vec<usize>,
    /// The normalised text of the cluster's most frequent wording (the earliest on a tie), as
    /// shown to people.
    pub template: String,
    /// How many different normalised texts the members have (1: all identical).
    pub wordings: usize,
}

/// Clusters near-identical posts of a timeline: every group of at least `min_cluster_size`
/// (and at least 2) posts, ordered by first member. Reposts and posts shorter than
/// `min_tokens` words are never members.
pub fn clusters(posts: &[Post], config: &near_duplicate::Config) -> Vec<Cluster> {
    clusters_of(&normalized(posts, config), config)
}

/// Each post's normalised text; empty for reposts and texts under `min_tokens` words.
fn normalized(posts: &[Post], config: &near_duplicate::Config) -> Vec<String> {
    posts
        .par_iter()
        .with_min_len(256)
        .map(|p| {
            if p.kind == PostKind::Repost {
                return String::new();
            }
            let n = normalize(&p.text);
            if word_count(&n) < config.min_tokens {
                String::new()
            } else {
                n
            }
        })
        .collect()
}

fn clusters_of(normalized: &[String], config: &near_duplicate::Config) -> Vec<Cluster> {
    let min = config.min_cluster_size.max(2);
    minhash::group(normalized, &config.params())
        .into_iter()
        .filter(|g| g.len() >= min)
        .map(|members| {
            let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
            for (rank, &m) in members.iter().enumerate() {
                let text = normalized.get(m).map_or("", String::as_str);
                counts.entry(text).or_insert((0, rank)).0 += 1;
            }
            let wordings = counts.len();
            let template = counts
                .into_iter()
                .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                .map(|(t, _)| t.to_string())
                .unwrap_or_default();
            Cluster {
                members,
                template,
                wordings,
            }
        })
        .collect()
}

/// Words a frame must keep at its start for its posts to be grouped: "new on the blog",
/// "tip of the day", "<user> daily is out".
const FRAME_HEAD: usize = 3;

/// Templated series: original posts grouped by their first [`FRAME_HEAD`] normalised words (or,
/// failing that, their last), each group's frame being the words all its members share at the
/// start and at the end. Feed
/// posters and series bots publish "{title} {url}" under a fixed frame ("New on the blog:
/// {title} {url}", "Tip of the day: {tip} {url}", "The {name} Daily is out! {url}"); whole-text
/// similarity misses them because the slot is most of the text. Posts already in a
/// near-duplicate cluster are left out: that story is told there. A group needs `min` posts
/// whose texts differ; whether it is a program's series is for its timing to say (people open
/// posts alike too), which `scheduled_repeat` judges.
fn frames(posts: &[Post], normalized: &[String], clusters: &[Cluster], min: usize) -> Vec<Cluster> {
    let min = min.max(3);
    let mut clustered = vec![false; posts.len()];
    for &m in clusters.iter().flat_map(|c| c.members.iter()) {
        if let Some(c) = clustered.get_mut(m) {
            *c = true;
        }
    }
    // Grouped by their first FRAME_HEAD words ("tip of the day …"), and what no head groups,
    // by their last ("… via the daily wire <url>"); a key needs two real words, not only
    // placeholders, and the text two more words for a slot to fill.
    let candidates: Vec<usize> = posts
        .iter()
        .enumerate()
        .filter(|(i, p)| p.kind == PostKind::Original && clustered.get(*i) == Some(&false))
        .filter(|(i, _)| {
            normalized.get(*i).is_some_and(|n| {
                // At least FRAME_HEAD + 2 words: one space fewer.
                n.bytes()
                    .filter(|&b| b == b' ')
                    .take(FRAME_HEAD + 1)
                    .count()
                    > FRAME_HEAD
            })
        })
        .map(|(i, _)| i)
        .collect();
    // Byte offsets of the spaces that end the head and start the tail (a space is ASCII, so
    // these are character boundaries).
    let head = |n: &str| -> Option<usize> {
        n.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b' ')
            .nth(FRAME_HEAD - 1)
            .map(|(at, _)| at)
    };
    let tail = |n: &str| -> Option<usize> {
        n.bytes()
            .enumerate()
            .rev()
            .filter(|(_, b)| *b == b' ')
            .nth(FRAME_HEAD - 1)
            .map(|(at, _)| at + 1)
    };
    let real_words = |key: &str| word_count(key) >= 2;
    let mut by_head: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &candidates {
        let Some(n) = normalized.get(i) else { continue };
        if let Some(key) = head(n)
            .and_then(|end| n.get(..end))
            .filter(|k| real_words(k))
        {
            by_head.entry(key).or_default().push(i);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut grouped = vec![false; posts.len()];
    for members in by_head.into_values().filter(|m| m.len() >= min) {
        for &m in &members {
            if let Some(g) = grouped.get_mut(m) {
                *g = true;
            }
        }
        groups.push(members);
    }
    let mut by_tail: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in candidates
        .iter()
        .filter(|&&i| grouped.get(i) == Some(&false))
    {
        let Some(n) = normalized.get(i) else { continue };
        if let Some(key) = tail(n)
            .and_then(|start| n.get(start..))
            .filter(|k| real_words(k))
        {
            by_tail.entry(key).or_default().push(i);
        }
    }
    groups.extend(by_tail.into_values().filter(|m| m.len() >= min));
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .filter_map(|mut members| {
            members.sort_unstable();
            let texts: Vec<Vec<&str>> = members
                .iter()
                .filter_map(|&m| normalized.get(m))
                .map(|t| t.split(' ').collect())
                .collect();
            let shortest = texts.iter().map(Vec::len).min()?;
            let first = texts.first()?;
            let prefix = (0..shortest)
                .take_while(|&k| texts.iter().all(|t| t.get(k) == first.get(k)))
                .count();
            let suffix = (0..shortest - prefix)
                .take_while(|&k| {
                    let last = first.get(first.len() - 1 - k);
                    texts.iter().all(|t| t.get(t.len() - 1 - k) == last)
                })
                .count();
            let mut wordings: Vec<&Vec<&str>> = texts.iter().collect();
            wordings.sort();
            wordings.dedup();
            if wordings.len() < min {
                return None;
            }
            let head = first.get(..prefix)?.join(" ");
            let tail = first.get(first.len() - suffix..)?.join(" ");
            let template = [head.as_str(), "<…>", tail.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            Some(Cluster {
                wordings: wordings.len(),
                members,
                template,
            })
        })
        .collect();
    out.sort_by_key(|c| c.members.first().copied());
    out
}

/// Words of a normalised text, placeholders not counted. A token that starts with `<` is a
/// placeholder (`<url>`, `<user>`, `<num>`, `<emoji>`): normalisation strips `<` from words.
/// One pass over the bytes, since every post of every timeline comes through here.
fn word_count(normalized: &str) -> usize {
    let mut words = 0;
    let mut at_start = true;
    for &b in normalized.as_bytes() {
        if b == b' ' {
            at_start = true;
        } else {
            if at_start && b != b'<' {
                words += 1;
            }
            at_start = false;
        }
    }
    words
}

/// An account name as compared: no `@`, lowercase.
pub fn fold_account(a: &str) -> String {
    a.trim().trim_start_matches('@').to_lowercase()
}

/// For each post, whether it is a reply to the account itself (a thread continuation): by the
/// reply target's name, or, when the source gave no name, by a parent id among the account's
/// own posts.
fn self_replies(tl: &Timeline) -> Vec<bool> {
    let me = fold_account(&tl.account);
    let mut own: HashSet<&str> = HashSet::with_capacity(tl.posts.len());
    own.extend(tl.posts.iter().map(|p| p.id.as_str()));
    tl.posts
        .iter()
        .map(|p| {
            p.kind == PostKind::Reply
                && match (&p.reply_to_account, &p.reply_to_id) {
                    (Some(a), _) => fold_account(a) == me,
                    (None, Some(id)) => own.contains(id.as_str()),
                    (None, None) => false,
                }
        })
        .collect()
}

/// Posts per UTC hour of the day.
pub fn hour_profile<'a>(times: impl Iterator<Item = &'a DateTime<Utc>>) -> [usize; 24] {
    let mut h = [0usize; 24];
    for t in times {
        if let Some(c) = h.get_mut(t.hour() as usize) {
            *c += 1;
        }
    }
    h
}

/// For each hour of a profile, whether it is quiet: it holds at most `quiet_fraction` of the
/// average hour's posts.
pub fn quiet_hours(profile: &[usize; 24], quiet_fraction: f64) -> [bool; 24] {
    let total: usize = profile.iter().sum();
    let limit = quiet_fraction * total as f64 / 24.0;
    profile.map(|c| c as f64 <= limit)
}

/// The longest run of consecutive quiet hours, around the clock (23:00 is next to 00:00). An
/// hour is quiet when it holds at most `quiet_fraction` of the average hour's posts. 24 when
/// there are no posts.
pub fn rest_gap_hours(profile: &[usize; 24], quiet_fraction: f64) -> usize {
    let quiet = quiet_hours(profile, quiet_fraction);
    if quiet.iter().all(|&q| q) {
        return 24;
    }
    let (mut best, mut run) = (0usize, 0usize);
    // Two laps catch the run that wraps past midnight.
    for q in quiet.iter().chain(quiet.iter()) {
        run = if *q { run + 1 } else { 0 };
        best = best.max(run);
    }
    best.min(23)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{EMOJI, NUM, URL, USER};

    #[test]
    fn word_count_leaves_out_placeholders() {
        let texts = [
            "🔥 NEW: 50% off at https://shop.example/x?id=1 @bob #Sale!!!",
            "thanks @alice for the <3 and the 10 <b>tips</b>",
            "今日は good day",
            "https://a.example @b 123 👍",
            "",
            "   ",
            "a <b> c",
        ];
        for t in texts {
            let n = normalize(t);
            let by_tokens = n
                .split(' ')
                .filter(|t| !t.is_empty() && ![URL, USER, NUM, EMOJI].contains(t))
                .count();
            assert_eq!(word_count(&n), by_tokens, "{t:?} -> {n:?}");
        }
        assert_eq!(
            word_count(&normalize("see https://x.example now @bob 42")),
            2
        );
    }
}
