//! What a detector reads: the [`Context`] of one analysis, and the facts about a timeline that
//! several detectors need, computed once per timeline rather than once per detector.
//!
//! The facts: near-duplicate [`Cluster`]s of all posts (the expensive part: normalisation,
//! MinHash, LSH and `strsim` verification, about linear in the number of posts; read by
//! `near_duplicate`, `scheduled_repeat` and `auto_reply`), which replies continue the account's
//! own threads and which talk to others (read by `auto_reply`, `timing`, `promotion_ratio` and
//! `feed_broadcast`), and the hour-of-day profile and its rest gap (people sleep, programs do
//! not; read by `timing`, `auto_reply` and `feed_broadcast`). Detectors import this module,
//! never each other.

use std::collections::HashSet;

use chrono::{DateTime, Timelike, Utc};
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::{near_duplicate, Config};
use crate::minhash;
use crate::model::{Post, PostKind, Timeline};
use crate::text::{normalize, EMOJI, NUM, URL, USER};

/// Everything a detector may read: the timeline, the time of the analysis, the configuration,
/// and the facts several detectors need, computed once here and shared.
pub struct Context<'a> {
    pub timeline: &'a Timeline,
    pub now: DateTime<Utc>,
    pub config: &'a Config,
    /// Clusters of near-identical posts (indices into `timeline.posts`, oldest first), each with
    /// at least `near_duplicate.min_cluster_size` members.
    pub clusters: Vec<Cluster>,
    /// For each post, whether it replies to the account itself (a thread continuation).
    pub self_replies: Vec<bool>,
    /// Indices of the replies to other accounts, oldest first: the account's conversation.
    pub replies_to_others: Vec<usize>,
}

impl<'a> Context<'a> {
    pub fn new(timeline: &'a Timeline, config: &'a Config, now: DateTime<Utc>) -> Context<'a> {
        // Clustering is the expensive shared step; skip it when no detector reads it.
        let needed = config.near_duplicate.enabled || config.scheduled_repeat.enabled;
        let clusters = if needed {
            clusters(&timeline.posts, &config.near_duplicate)
        } else {
            Vec::new()
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
        Context {
            timeline,
            now,
            config,
            clusters,
            self_replies,
            replies_to_others,
        }
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
    let normalized: Vec<String> = posts
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
        .collect();
    let min = config.min_cluster_size.max(2);
    minhash::group(&normalized, &config.params())
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

/// Words of a normalised text, placeholders not counted.
fn word_count(normalized: &str) -> usize {
    normalized
        .split(' ')
        .filter(|t| !t.is_empty() && ![URL, USER, NUM, EMOJI].contains(t))
        .count()
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
