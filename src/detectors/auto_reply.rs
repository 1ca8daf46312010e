//! `auto_reply`: templated replies fired at many people, and the same first direct message
//! sent into many conversations.
//!
//! People reply minutes or hours later, rest at night and vary their words; auto-responders
//! send one template to everyone, seconds after the mention, at any hour. So replies to other
//! accounts (self-replies, i.e. threads, are left out) are grouped by template: the text
//! without leading @mentions, without the name after a greeting ("Hi Anna," / "Thanks @bob!"),
//! with links, mentions and numbers masked, normalised by [`crate::text::normalize`]. Short
//! generic replies ("thanks!", "lol") are not templates: a template needs `min_template_tokens`
//! words. A template matters when it went to `min_targets` different accounts.
//!
//! Severity of a template, from its timing, never from its text alone:
//! - `high`: sent to `high_min_targets` accounts or more, and either its median reply latency
//!   is machine-fast (`fast_reply_secs`, from the parent's id-decoded time) or it is sent
//!   round the clock (at least `round_clock_min_replies` replies, no quiet block of
//!   `rest_gap_hours`);
//! - `medium`: machine-fast or round the clock, to fewer accounts;
//! - `low`: templates make up `large_share` of all replies but the timing cannot be judged
//!   (no parent times, too few replies to see a rest gap);
//! - nothing when the timing is human: a support agent with stock phrases who answers after
//!   minutes and rests at night is not a bot.
//!
//! Without templates, replies that come machine-fast (median under `fast_reply_secs` over
//! `untemplated_min_replies` replies) are `low`, and `medium` when also round the clock: reply
//! bots that vary their words still keep a program's clock.
//!
//! Direct messages: the same first message (names removed) opening `dm_min_conversations`
//! conversations or more is an auto-DM ("thanks for following, check out ...").

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::context::{fold_account, hour_profile, rest_gap_hours, Cluster};
use super::evidence::{duration, spread_of};
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};
use crate::model::{Post, Timeline};
use crate::text::shorten;

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "auto_reply";

/// The most points this detector can take off the score. Auto-replies are one of the two habits echoscope is about: the highest weight.
pub const MAX_PENALTY: u32 = 40;

/// `[detectors.auto_reply]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest words (after masking names, links, mentions and numbers) for a reply to be a
    /// template; shorter replies ("thanks!", "lol", "see you there") are generic.
    pub min_template_tokens: usize,
    /// Fewest different accounts a template must reach to count.
    pub min_targets: usize,
    /// Different accounts for `high`.
    pub high_min_targets: usize,
    /// A median reply latency at or under this many seconds is machine-fast.
    pub fast_reply_secs: f64,
    /// Fewest replies with a known latency before the latency is judged.
    pub min_latencies: usize,
    /// Fewest replies before a missing rest gap is judged.
    pub round_clock_min_replies: usize,
    /// A quiet block shorter than this many hours counts as no rest.
    pub rest_gap_hours: usize,
    /// An hour is quiet when it holds at most this fraction of the average hour's replies.
    pub quiet_hour_fraction: f64,
    /// Templated share of replies for `low` when the timing cannot be judged.
    pub large_share: f64,
    /// Fewest replies with known latency for the untemplated fast-reply finding.
    pub untemplated_min_replies: usize,
    /// Without a template, only a median latency at or under this many seconds is judged
    /// machine-fast: people in a live back-and-forth answer within a minute often, but not
    /// typically within seconds, reply after reply.
    pub untemplated_fast_reply_secs: f64,
    /// Most template findings reported, the largest first (0: every one). Every template is
    /// listed by default, so that each can be checked and acted on.
    pub max_findings: usize,
    /// Conversations one first message must open for `low`, `medium` and `high`.
    pub dm_min_conversations: usize,
    pub dm_medium_conversations: usize,
    pub dm_high_conversations: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_template_tokens: 4,
            min_targets: 5,
            high_min_targets: 10,
            fast_reply_secs: 60.0,
            min_latencies: 5,
            round_clock_min_replies: 40,
            rest_gap_hours: 4,
            quiet_hour_fraction: 0.25,
            large_share: 0.5,
            untemplated_min_replies: 20,
            untemplated_fast_reply_secs: 15.0,
            max_findings: 0,
            dm_min_conversations: 5,
            dm_medium_conversations: 10,
            dm_high_conversations: 25,
        }
    }
}

/// A reply reduced to its template.
#[derive(Debug, Clone, PartialEq)]
struct Template {
    /// Tokens joined by spaces: what replies are grouped by.
    key: String,
    /// The masked text, as shown to people.
    shown: String,
    /// Words that are not placeholders.
    words: usize,
}

fn template(text: &str) -> Template {
    // Leading mentions and the name after a greeting go; links, mentions, numbers and emoji
    // become placeholders, so one template matches every recipient's copy.
    let key = crate::text::reply_template(text);
    let words = key
        .split(' ')
        .filter(|t| !t.is_empty() && !t.starts_with('<'))
        .count();
    Template {
        shown: key.clone(),
        key,
        words,
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(m).copied()
    } else {
        Some((values.get(m - 1)? + values.get(m)?) / 2.0)
    }
}

/// How a set of replies is timed.
struct Timing {
    known: usize,
    median: Option<f64>,
    fast_share: f64,
    /// `Some` when there are enough replies to judge the rest gap.
    rest_gap: Option<usize>,
    active_hours: usize,
}

impl Timing {
    fn of(posts: &[&Post], cfg: &Config) -> Timing {
        let mut lat: Vec<f64> = posts
            .iter()
            .filter_map(|p| p.reply_latency_secs())
            .collect();
        let known = lat.len();
        let fast = lat.iter().filter(|&&l| l <= cfg.fast_reply_secs).count();
        let profile = hour_profile(posts.iter().map(|p| &p.created_at));
        let rest_gap = (posts.len() >= cfg.round_clock_min_replies)
            .then(|| rest_gap_hours(&profile, cfg.quiet_hour_fraction));
        Timing {
            known,
            median: median(&mut lat),
            fast_share: if known > 0 {
                fast as f64 / known as f64
            } else {
                0.0
            },
            rest_gap,
            active_hours: profile.iter().filter(|&&c| c > 0).count(),
        }
    }

    fn machine_fast(&self, cfg: &Config) -> bool {
        self.known >= cfg.min_latencies && self.median.is_some_and(|m| m <= cfg.fast_reply_secs)
    }

    fn round_clock(&self, cfg: &Config) -> bool {
        self.rest_gap.is_some_and(|g| g < cfg.rest_gap_hours)
    }

    fn judged(&self, cfg: &Config) -> bool {
        self.known >= cfg.min_latencies || self.rest_gap.is_some()
    }

    /// The timing in words, for summaries.
    fn describe(&self, cfg: &Config) -> String {
        let mut parts = Vec::new();
        if let (Some(m), true) = (self.median, self.known > 0) {
            parts.push(format!(
                "median {} after the parent ({:.0}% within {})",
                duration(m),
                self.fast_share * 100.0,
                duration(cfg.fast_reply_secs)
            ));
        }
        match self.rest_gap {
            Some(0) if self.active_hours == 24 => parts.push("at every hour of the day".into()),
            Some(g) if g < cfg.rest_gap_hours => parts.push(format!(
                "around the clock (no rest gap of {} hours or more)",
                cfg.rest_gap_hours
            )),
            Some(g) => parts.push(format!("with a {g} h daily rest gap")),
            None => {}
        }
        parts.join(", ")
    }

    fn numbers(&self, numbers: &mut BTreeMap<String, f64>) {
        if let Some(m) = self.median {
            numbers.insert("median_reply_latency_seconds".into(), m);
            numbers.insert("fast_reply_share".into(), self.fast_share);
        }
        if let Some(g) = self.rest_gap {
            numbers.insert("rest_gap_hours".into(), g as f64);
        }
    }
}

fn reply_note(p: &Post) -> String {
    let to = p
        .reply_to_account
        .as_deref()
        .map(|a| format!(" to @{}", a.trim_start_matches('@')))
        .unwrap_or_default();
    match p.reply_latency_secs() {
        Some(l) => format!("reply{to} {} after its parent", duration(l)),
        None => format!("reply{to}"),
    }
}

pub struct AutoReply;

impl Detector for AutoReply {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.auto_reply.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// A template needs replies to `min_targets` accounts.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config.auto_reply.min_targets.max(1)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.auto_reply;
        let tl = ctx.timeline;
        let mut out = Outcome::default();
        let replies = &ctx.replies_to_others;
        let reply_posts: Vec<&Post> = replies.iter().filter_map(|&i| tl.posts.get(i)).collect();

        if !reply_posts.is_empty() {
            let cluster_of = reply_clusters(replies, &ctx.clusters);
            out.findings.extend(template_findings(
                &reply_posts,
                &cluster_of,
                cfg,
                &mut out.stats,
            ));
            let overall = Timing::of(&reply_posts, cfg);
            out.stats.insert("replies".into(), reply_posts.len() as f64);
            if let Some(m) = overall.median {
                out.stats.insert("median_reply_latency_seconds".into(), m);
            }
            if out.findings.is_empty()
                && overall.known >= cfg.untemplated_min_replies
                && overall
                    .median
                    .is_some_and(|m| m <= cfg.untemplated_fast_reply_secs)
            {
                let severity = if overall.round_clock(cfg) {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                let mut numbers = BTreeMap::new();
                numbers.insert("replies".into(), reply_posts.len() as f64);
                overall.numbers(&mut numbers);
                let fast: Vec<usize> = (0..reply_posts.len())
                    .filter(|&k| {
                        reply_posts
                            .get(k)
                            .and_then(|p| p.reply_latency_secs())
                            .is_some_and(|l| l <= cfg.fast_reply_secs)
                    })
                    .collect();
                out.findings.push(Finding {
                    detector: ID.into(),
                    severity,
                    summary: format!(
                        "replies come machine-fast though worded differently: {} replies to others, {}",
                        reply_posts.len(),
                        overall.describe(cfg)
                    ),
                    template: None,
                    schedule: None,
                    numbers,
                    evidence: spread_of(&fast, MAX_EVIDENCE)
                        .into_iter()
                        .filter_map(|k| reply_posts.get(k))
                        .map(|p| Evidence::of(p, Some(reply_note(p))))
                        .collect(),
                    posts: fast
                        .iter()
                        .filter_map(|&k| reply_posts.get(k))
                        .map(|p| PostRef::of(p))
                        .collect(),
                });
            }
        }

        out.findings.extend(dm_findings(tl, cfg));
        out
    }
}

/// Whom a reply answers: the account when the source names it; otherwise the parent post, so
/// that sources giving only parent ids (a Mastodon outbox, minimal JSONL) still count targets.
/// Two replies to one parent count once, as two replies to one person do.
fn target(p: &Post) -> String {
    match (&p.reply_to_account, &p.reply_to_id) {
        (Some(a), _) => fold_account(a),
        (None, Some(id)) => format!("post {id}"),
        // Neither: each reply is its own unknown target.
        (None, None) => format!("reply {}", p.id),
    }
}

/// For each reply (by its position in `replies`), the near-duplicate cluster it belongs to.
fn reply_clusters(replies: &[usize], clusters: &[Cluster]) -> Vec<Option<usize>> {
    let len = replies.iter().max().map_or(0, |&i| i + 1);
    let mut by_post: Vec<Option<usize>> = vec![None; len];
    for (c, cluster) in clusters.iter().enumerate() {
        for &m in &cluster.members {
            if let Some(slot) = by_post.get_mut(m) {
                *slot = Some(c);
            }
        }
    }
    replies
        .iter()
        .map(|&i| by_post.get(i).copied().flatten())
        .collect()
}

/// Groups replies by template: the same masked text, or near-identical texts (the shared
/// near-duplicate clusters), so that a template which puts the name mid-sentence ("So sorry,
/// Anna. Please DM us ...") or rotates a few wordings is still one template. A group is shown
/// by its most frequent wording.
fn template_groups(
    replies: &[&Post],
    cluster_of: &[Option<usize>],
    cfg: &Config,
) -> Vec<(Template, Vec<usize>, usize)> {
    // Masking is most of this detector's work on a large account, and each reply's is its
    // own, so it runs in parallel; grouping then follows reply order.
    let templates: Vec<Template> = replies
        .par_iter()
        .with_min_len(256)
        .map(|p| template(&p.text))
        .collect();
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    let mut keyed: Vec<(Template, Vec<usize>)> = Vec::new();
    for (k, t) in templates.iter().enumerate() {
        if t.words < cfg.min_template_tokens {
            continue;
        }
        let slot = *slot_of.entry(t.key.as_str()).or_insert_with(|| {
            keyed.push((t.clone(), Vec::new()));
            keyed.len() - 1
        });
        if let Some((_, members)) = keyed.get_mut(slot) {
            members.push(k);
        }
    }
    // Sorted by key: groups come out in the same order on every run.
    keyed.sort_unstable_by(|a, b| a.0.key.cmp(&b.0.key));
    // Keys sharing a cluster merge: the group of a key is the first key of its cluster seen.
    let mut group_of_cluster: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<(Template, Vec<usize>)>> = Vec::new();
    for (t, members) in keyed {
        let cluster = members
            .iter()
            .find_map(|&k| cluster_of.get(k).copied().flatten());
        // Only a wording that keeps most of the group's words joins it: "So sorry, Anna. Please
        // DM us ..." differs from "So sorry, Ben. Please DM us ..." by a name, while a short
        // "ha, Gus said Bob?" and "ha, Hana said Chen?" are near-identical as characters but
        // half different as words, which is how people vary short replies.
        let joins = cluster
            .and_then(|c| group_of_cluster.get(&c).copied())
            .filter(|&g| {
                groups
                    .get(g)
                    .and_then(|w| w.first())
                    .is_some_and(|(first, _)| shares_most_words(&first.key, &t.key))
            });
        let slot = match joins {
            Some(g) => g,
            None => {
                groups.push(Vec::new());
                let g = groups.len() - 1;
                if let Some(c) = cluster {
                    group_of_cluster.insert(c, g);
                }
                g
            }
        };
        if let Some(group) = groups.get_mut(slot) {
            group.push((t, members));
        }
    }
    groups
        .into_iter()
        .filter_map(|wordings| {
            // Most frequent wording first; BTreeMap order breaks ties.
            let shown = wordings
                .iter()
                .enumerate()
                .max_by(|a, b| a.1 .1.len().cmp(&b.1 .1.len()).then(b.0.cmp(&a.0)))
                .map(|(_, (t, _))| t.clone())?;
            let shown = mark_varying_words(shown, wordings.iter().map(|(t, _)| t.key.as_str()));
            let count = wordings.len();
            let mut members: Vec<usize> = wordings.into_iter().flat_map(|(_, m)| m).collect();
            members.sort_unstable();
            Some((shown, members, count))
        })
        .collect()
}

/// The shown wording with each word that other wordings of the same length put differently
/// replaced by `<varies>`: the template a reader sees is the fixed part ("thanks for the mention
/// <varies> we're on it"), not one recipient's copy.
fn mark_varying_words<'a>(mut shown: Template, keys: impl Iterator<Item = &'a str>) -> Template {
    let mut words: Vec<&str> = shown.key.split_whitespace().collect();
    let mut varies = vec![false; words.len()];
    for key in keys {
        let other: Vec<&str> = key.split_whitespace().collect();
        if other.len() != words.len() {
            continue;
        }
        for ((v, a), b) in varies.iter_mut().zip(&words).zip(&other) {
            *v |= a != b;
        }
    }
    if varies.contains(&true) {
        for (w, v) in words.iter_mut().zip(&varies) {
            if *v {
                *w = "<varies>";
            }
        }
        shown.shown = words.join(" ");
    }
    shown
}

/// Whether two template keys differ in at most one word in five (word-level edit distance):
/// one name in a twenty-word template passes, any change to a four-word reply does not.
fn shares_most_words(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a.split_whitespace().collect();
    let b: Vec<&str> = b.split_whitespace().collect();
    let longest = a.len().max(b.len());
    longest > 0 && strsim::generic_levenshtein(&a, &b) * 5 <= longest
}

/// Groups replies by template, fills `auto_reply_share`, returns the findings.
fn template_findings(
    replies: &[&Post],
    cluster_of: &[Option<usize>],
    cfg: &Config,
    stats: &mut BTreeMap<String, f64>,
) -> Vec<Finding> {
    let groups = template_groups(replies, cluster_of, cfg);
    let mut templated = 0usize;
    let mut candidates = Vec::new();
    for (t, members, wordings) in groups {
        let targets: HashSet<String> = members
            .iter()
            .filter_map(|&k| replies.get(k).map(|p| target(p)))
            .collect();
        if targets.len() < cfg.min_targets.max(2) {
            continue;
        }
        templated += members.len();
        candidates.push((t, members, targets.len(), wordings));
    }
    let share = templated as f64 / replies.len() as f64;
    stats.insert("auto_reply_share".into(), share);

    let mut findings: Vec<(Severity, usize, Finding)> = Vec::new();
    for (t, members, targets, wordings) in candidates {
        let posts: Vec<&Post> = members
            .iter()
            .filter_map(|&k| replies.get(k).copied())
            .collect();
        let timing = Timing::of(&posts, cfg);
        let machine = timing.machine_fast(cfg) || timing.round_clock(cfg);
        let severity = if machine && targets >= cfg.high_min_targets {
            Severity::High
        } else if machine {
            Severity::Medium
        } else if !timing.judged(cfg) && share >= cfg.large_share {
            Severity::Low
        } else {
            continue;
        };
        let timing_words = timing.describe(cfg);
        let reply = if wordings > 1 {
            format!("same reply, in {wordings} wordings,")
        } else {
            "same reply".to_string()
        };
        let mut summary = format!(
            "{reply} sent to {targets} different accounts ({} replies, {:.0}% of {} replies to others)",
            posts.len(),
            posts.len() as f64 * 100.0 / replies.len() as f64,
            replies.len()
        );
        if timing_words.is_empty() {
            summary.push_str("; reply times unknown");
        } else {
            summary.push_str(", ");
            summary.push_str(&timing_words);
        }
        let mut numbers = BTreeMap::new();
        numbers.insert("replies".into(), posts.len() as f64);
        numbers.insert("targets".into(), targets as f64);
        numbers.insert("share".into(), posts.len() as f64 / replies.len() as f64);
        timing.numbers(&mut numbers);
        let idx: Vec<usize> = (0..posts.len()).collect();
        let evidence = spread_of(&idx, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|k| posts.get(k))
            .map(|p| Evidence::of(p, Some(reply_note(p))))
            .collect();
        findings.push((
            severity,
            posts.len(),
            Finding {
                detector: ID.into(),
                severity,
                summary,
                template: Some(shorten(&t.shown, 280)),
                schedule: None,
                numbers,
                evidence,
                posts: posts.iter().map(|p| PostRef::of(p)).collect(),
            },
        ));
    }
    findings.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    findings
        .into_iter()
        .take(limit(cfg.max_findings))
        .map(|(_, _, f)| f)
        .collect()
}

/// Auto-DMs: one first message opening many conversations.
fn dm_findings(tl: &Timeline, cfg: &Config) -> Vec<Finding> {
    if tl.direct_messages.is_empty() {
        return Vec::new();
    }
    let me = fold_account(&tl.account);
    // The model keeps only messages the account sent, but sources may name the sender by a
    // numeric id: filter by name only when the name appears at all.
    let named = tl
        .direct_messages
        .iter()
        .any(|m| fold_account(&m.sender) == me);
    let mut opened: HashSet<&str> = HashSet::new();
    let mut groups: BTreeMap<String, (Template, Vec<usize>)> = BTreeMap::new();
    for (i, m) in tl.direct_messages.iter().enumerate() {
        if named && fold_account(&m.sender) != me {
            continue;
        }
        // Messages are sorted oldest first: the first one seen opens the conversation.
        if !opened.insert(m.conversation_id.as_str()) {
            continue;
        }
        let t = template(&m.text);
        if t.words < cfg.min_template_tokens {
            continue;
        }
        groups
            .entry(t.key.clone())
            .or_insert_with(|| (t, Vec::new()))
            .1
            .push(i);
    }
    let mut out: Vec<(usize, Finding)> = Vec::new();
    for (_, (t, members)) in groups {
        let n = members.len();
        let severity = if n >= cfg.dm_high_conversations {
            Severity::High
        } else if n >= cfg.dm_medium_conversations {
            Severity::Medium
        } else if n >= cfg.dm_min_conversations.max(2) {
            Severity::Low
        } else {
            continue;
        };
        let mut numbers = BTreeMap::new();
        numbers.insert("conversations".into(), n as f64);
        let evidence = spread_of(&members, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|i| tl.direct_messages.get(i))
            .map(|m| Evidence {
                post_id: m.id.clone(),
                created_at: m.created_at,
                text: shorten(&m.text, 280),
                note: Some("first direct message of a conversation".into()),
            })
            .collect();
        out.push((
            n,
            Finding {
                detector: ID.into(),
                severity,
                summary: format!("same first direct message opened {n} different conversations"),
                template: Some(shorten(&t.shown, 280)),
                schedule: None,
                numbers,
                evidence,
                posts: members
                    .iter()
                    .filter_map(|&i| tl.direct_messages.get(i))
                    .map(|m| PostRef {
                        id: m.id.clone(),
                        created_at: m.created_at,
                    })
                    .collect(),
            },
        ));
    }
    // Severity follows the count, so the largest first is also the most severe first.
    out.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    out.into_iter()
        .take(limit(cfg.max_findings))
        .map(|(_, f)| f)
        .collect()
}

/// A configured maximum, where 0 means no limit.
fn limit(max: usize) -> usize {
    if max == 0 {
        usize::MAX
    } else {
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::PostKind;
    use crate::model::{DirectMessage, Platform};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
    }

    /// A deterministic stand-in for randomness.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn reply(i: usize, at: DateTime<Utc>, latency_secs: Option<i64>, to: &str, text: &str) -> Post {
        let mut p = Post::new(format!("r{i}"), at, text);
        p.kind = PostKind::Reply;
        p.reply_to_account = Some(to.to_string());
        p.reply_to_id = Some(format!("parent{i}"));
        p.reply_to_created_at = latency_secs.map(|l| at - Duration::seconds(l));
        p
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        AutoReply.run(&Context::new(tl, &cfg, t0()))
    }

    const NAMES: [&str; 8] = ["Anna", "Bob", "Chen", "Dana", "Eve", "Femi", "Gus", "Hana"];

    /// A bot: the same answer to 60 accounts, seconds after the mention, at any hour.
    fn bot(latency: bool) -> Timeline {
        let mut r = Lcg(1);
        let mut tl = Timeline::new("HelpBot", Platform::Twitter);
        for i in 0..60 {
            let at = t0() + Duration::minutes((i as f64 * 617.0 + r.next() * 300.0) as i64);
            let name = NAMES[i % NAMES.len()];
            let text = format!(
                "@user{i} Hi {name}, thanks for reaching out! Our team will get back to you within 24 hours: https://help.example.com/t/{i}"
            );
            let lat = latency.then(|| 2 + (r.next() * 6.0) as i64);
            tl.posts.push(reply(i, at, lat, &format!("user{i}"), &text));
        }
        tl.finish();
        tl
    }

    #[test]
    fn templates_drop_names_mentions_links_and_numbers() {
        let a =
            template("@anna @shop Hi Anna, thanks for reaching out! Ticket 123: https://x.co/1");
        let b = template("@bob_99 Hi Bob! Thanks for reaching out! Ticket 98765: https://x.co/2");
        assert_eq!(a.key, b.key);
        assert_eq!(a.words, 6, "{a:?}");
        let c = template("@carol Thanks @carol! See you at the meetup");
        let d = template("@dan thanks Dan. See you at the meetup");
        assert_eq!(c.key, d.key);
        assert!(
            !a.shown.contains("anna") && a.shown.contains("<url>"),
            "{}",
            a.shown
        );
        assert_ne!(
            a.key,
            template("@anna Thanks for the report, fixed in 1.2").key
        );
        assert!(template("@x thanks!").words < 4);
        assert!(template("@x lol").words < 4);
    }

    #[test]
    fn a_fast_round_the_clock_template_bot_is_high() {
        let out = run(&bot(true));
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert!(
            f.summary.starts_with("same reply sent to 60 different accounts (60 replies, 100% of 60 replies to others)"),
            "{}",
            f.summary
        );
        assert!(f.summary.contains("within 60 s"), "{}", f.summary);
        assert!(f
            .template
            .as_deref()
            .unwrap_or("")
            .contains("thanks for reaching out"));
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        let note = f.evidence[0].note.as_deref().unwrap_or("");
        assert!(
            note.starts_with("reply to @user0 ") && note.ends_with(" s after its parent"),
            "{note}"
        );
        assert_eq!(out.stats["auto_reply_share"], 1.0);
        assert!(out.stats["median_reply_latency_seconds"] < 10.0);
        assert_eq!(out.stats["replies"], 60.0);
    }

    #[test]
    fn round_the_clock_alone_is_enough_without_parent_times() {
        let out = run(&bot(false));
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::High);
        assert!(
            out.findings[0].summary.contains("no rest gap")
                || out.findings[0].summary.contains("every hour")
        );
        assert!(!out.stats.contains_key("median_reply_latency_seconds"));
    }

    #[test]
    fn a_name_mid_sentence_does_not_split_the_template() {
        let mut tl = bot(true);
        for (i, p) in tl.posts.iter_mut().enumerate() {
            let name = NAMES[i % NAMES.len()];
            p.text = format!(
                "@user{i} So sorry to hear that {name}. Please send us a DM with your order number and our team will sort it out right away"
            );
        }
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert!(
            f.summary
                .starts_with("same reply, in 8 wordings, sent to 60 different accounts"),
            "{}",
            f.summary
        );
        assert_eq!(out.stats["auto_reply_share"], 1.0);
        assert_eq!(
            f.template.as_deref(),
            Some("so sorry to hear that <varies> please send us a dm with your order number and our team will sort it out right away")
        );
    }

    #[test]
    fn wordings_join_only_when_most_words_are_shared() {
        let long = "so sorry to hear that anna please send us a dm with your order number and our team will help";
        assert!(shares_most_words(long, &long.replace("anna", "ben")));
        assert!(!shares_most_words("ha bob said chen", "ha chen said bob"));
        assert!(!shares_most_words("ha bob said bob", "ha chen said bob"));
        assert!(!shares_most_words("", ""));
    }

    #[test]
    fn parent_ids_stand_in_for_unnamed_targets() {
        // A source that gives only the parent post (a Mastodon outbox's inReplyTo).
        let mut tl = bot(true);
        for p in &mut tl.posts {
            p.reply_to_account = None;
        }
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        assert_eq!(out.findings[0].severity, Severity::High);
        // Sixty replies to one and the same parent are one target, not sixty.
        for p in &mut tl.posts {
            p.reply_to_id = Some("parent0".into());
        }
        let out = run(&tl);
        assert!(
            out.findings.iter().all(|f| f.template.is_none()),
            "{:#?}",
            out.findings
        );
    }

    #[test]
    fn few_fast_templated_replies_are_medium() {
        let mut tl = bot(true);
        tl.posts.truncate(6);
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::Medium);
    }

    /// A support agent: stock phrases to many customers, but minutes later and only by day.
    #[test]
    fn a_support_agent_with_stock_phrases_is_not_flagged() {
        let mut r = Lcg(9);
        let mut tl = Timeline::new("AcmeSupport", Platform::Twitter);
        let phrases = [
            "Sorry to hear that, please DM us your order number and we will look into it",
            "Thanks for letting us know, we have passed this on to the team",
        ];
        for i in 0..120 {
            let day = i / 8;
            let secs = 9 * 3600 + (r.next() * 9.0 * 3600.0) as i64;
            let at = t0() + Duration::days(day as i64) + Duration::seconds(secs);
            let lat = 240 + (r.next() * 3000.0) as i64;
            let text = if i % 3 == 2 {
                format!(
                    "@c{i} Hi {}, that model ships in {} days, sorry!",
                    NAMES[i % 8],
                    i % 9
                )
            } else {
                format!("@c{i} Hi {}! {}", NAMES[i % 8], phrases[i % 2])
            };
            tl.posts
                .push(reply(i, at, Some(lat), &format!("c{i}"), &text));
        }
        tl.finish();
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        // The templates are still measured.
        assert!(out.stats["auto_reply_share"] > 0.6, "{:?}", out.stats);
        assert!(out.stats["median_reply_latency_seconds"] > 240.0);
    }

    /// A person: "thanks!" to many people (generic), a live back-and-forth with fast replies,
    /// and self-replies in threads.
    #[test]
    fn a_person_with_fast_and_generic_replies_is_not_flagged() {
        let mut r = Lcg(4);
        let mut tl = Timeline::new("me", Platform::Twitter);
        let mut n = 0;
        for day in 0..20i64 {
            for k in 0..6i64 {
                let at = t0()
                    + Duration::days(day)
                    + Duration::hours(8 + 2 * k)
                    + Duration::seconds((r.next() * 3000.0) as i64);
                // A quick back-and-forth with one friend a day, in varying words; a stock
                // phrase of this person's, at human speed.
                let (text, lat, to) = match k {
                    0 => ("@x thanks!".to_string(), 4000, format!("p{n}")),
                    1 | 2 => (
                        format!(
                            "@pal{day} ha, {} said {}?",
                            NAMES[day as usize % 8],
                            NAMES[k as usize]
                        ),
                        5 + k,
                        format!("pal{day}"),
                    ),
                    _ => (
                        format!("@p{n} I disagree about point {k}, because of {day}"),
                        1800 * k,
                        format!("p{n}"),
                    ),
                };
                tl.posts.push(reply(n, at, Some(lat), &to, &text));
                n += 1;
            }
            let mut s = reply(
                n,
                t0() + Duration::days(day) + Duration::hours(21),
                Some(3),
                "me",
                "1/ a thread continues here with words",
            );
            s.reply_to_account = Some("@Me".into());
            tl.posts.push(s);
            n += 1;
        }
        tl.finish();
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert_eq!(out.stats["replies"], 120.0);
        // The stock phrase is a template, measured but not a finding: its timing is human.
        assert_eq!(out.stats["auto_reply_share"], 0.5);
    }

    #[test]
    fn untemplated_machine_fast_replies_are_flagged() {
        let mut r = Lcg(5);
        let mut tl = Timeline::new("llmbot", Platform::Twitter);
        for i in 0..80usize {
            let at = t0() + Duration::minutes(37 * i as i64);
            let text = format!(
                "@u{i} {} {} {}",
                NAMES[i % 8],
                i * 7919,
                (r.next() * 1e6) as u64
            );
            tl.posts.push(reply(
                i,
                at,
                Some(3 + (i % 5) as i64),
                &format!("u{i}"),
                &text,
            ));
        }
        tl.finish();
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        assert_eq!(out.findings[0].severity, Severity::Medium);
        assert!(out.findings[0]
            .summary
            .starts_with("replies come machine-fast"));
    }

    #[test]
    fn templated_replies_without_timing_are_low_when_they_dominate() {
        let mut tl = Timeline::new("x", Platform::Other);
        for (i, name) in NAMES.iter().enumerate() {
            let at = t0() + Duration::days(i as i64) + Duration::hours(10);
            let text = format!("@f{i} Thanks {name}, welcome to the club, glad to have you");
            tl.posts.push(reply(i, at, None, &format!("f{i}"), &text));
        }
        tl.finish();
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].severity, Severity::Low);
        assert!(out.findings[0].summary.ends_with("reply times unknown"));
    }

    #[test]
    fn auto_dms_are_found() {
        let mut tl = Timeline::new("growth", Platform::Twitter);
        for c in 0..12usize {
            for (k, text) in [
                format!(
                    "Hey {}! Thanks for the follow, grab my free guide at https://x.io/g?r={c}",
                    NAMES[c % 8]
                ),
                "and another thing".to_string(),
            ]
            .into_iter()
            .enumerate()
            {
                tl.direct_messages.push(DirectMessage {
                    conversation_id: format!("conv{c}"),
                    id: format!("dm{c}-{k}"),
                    sender: "growth".into(),
                    recipient: Some(format!("f{c}")),
                    created_at: t0() + Duration::hours(c as i64) + Duration::seconds(k as i64),
                    text,
                });
            }
        }
        tl.finish();
        let out = run(&tl);
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(
            f.summary,
            "same first direct message opened 12 different conversations"
        );
        assert!(f.template.as_deref().unwrap_or("").starts_with("hey"));
    }

    #[test]
    fn empty_timeline() {
        let out = run(&Timeline::new("a", Platform::Other));
        assert!(out.findings.is_empty() && out.stats.is_empty());
    }
}
