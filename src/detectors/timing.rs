//! `timing`: the account's rhythm, which separates people from programs without reading a
//! word.
//!
//! Four measures, each reported only with enough posts to mean something:
//! - **Rest gap.** People sleep: over weeks, a person's posts leave a block of quiet hours in
//!   the 24-hour profile (an hour is quiet when it holds under a quarter of the average hour's
//!   posts). A program posts at every hour. The block is looked for around the clock, and it is
//!   judged per stretch of at least 28 days and 100 posts (`rest_windows`): years of a real
//!   person's posts, with travel, moves across time zones and the odd sleepless night, folded
//!   into one profile leave no empty hour, while within a few weeks people sleep at about the
//!   same hours (a stretch that spans one move rests when both its parts do). Reported when at
//!   least 75% of the stretches have no rest (`restless_window_share`); medium only when every
//!   one of them lacks it.
//! - **Interval entropy.** After Chu et al., "Who is tweeting on Twitter: human, bot, or
//!   cyborg?" (ACSAC 2010; IEEE TDSC 2012): the gaps between consecutive posts are binned on a
//!   log scale (quarter octaves, so 1 h and 1 h 10 min share a bin but 1 h and 2 h do not) and
//!   the Shannon entropy of the bins is divided by its largest possible value for this many
//!   gaps, giving 0 (every gap alike: a timer) to 1 (spread out: a person). Chu et al. use the
//!   corrected conditional entropy of the sequence; the first-order entropy used here needs no
//!   tuning and already separates timers from people, which is all we claim with it.
//! - **Exact minute.** A scheduler fires at hh:mm:00; people hit :00 seconds about 1 time in
//!   60. Only measured when the timestamps really carry seconds: some formats (many feeds, CSV
//!   exports) write every post at :00, which is recognised when no post of the timeline has
//!   other seconds, unless the post ids themselves encode the time (Twitter, Mastodon,
//!   Bluesky) and agree with it.
//! - **Bursts.** Several posts seconds apart. Reposts and the account's own thread
//!   continuations are left out: people do re-share quickly and thread composers publish all
//!   parts at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::context::{hour_profile, rest_gap_hours};
use super::evidence::{duration, spread_of};
use super::{Context, Detector};
use crate::model::{created_at_from_id, PostKind, Timeline};
use crate::model::{Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "timing";

/// The most points this detector can take off the score. Rhythm separates people from programs without reading a word, but travel and night
/// owls blur it: a supporting signal.
pub const MAX_PENALTY: u32 = 20;

/// `[detectors.timing]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest posts before the hour-of-day profile (and `rest_gap_hours`) is measured.
    pub rest_gap_min_posts: usize,
    /// Fewest days the timeline must span before a missing rest gap is reported.
    pub rest_gap_min_days: f64,
    /// A quiet block shorter than this many hours counts as no rest at all.
    pub rest_gap_hours: usize,
    /// An hour is quiet when it holds at most this fraction of the average hour's posts.
    pub quiet_hour_fraction: f64,
    /// Posts and days for a missing rest gap to be `medium` rather than `low` (and, for a
    /// timeline of several windows, every window without rest).
    pub rest_gap_medium_posts: usize,
    pub rest_gap_medium_days: f64,
    /// Rest is judged per window of at least this many days...
    pub rest_window_days: f64,
    /// ...and at least this many posts (fewer posts leave empty hours by chance alone).
    pub rest_window_min_posts: usize,
    /// Share of windows without a rest gap at or above which the account is reported.
    pub rest_window_share: f64,
    /// Fewest gaps between posts before the interval entropy is measured.
    pub entropy_min_intervals: usize,
    /// Normalised interval entropy at or below which the rhythm is reported (`low`).
    pub entropy_low: f64,
    /// Normalised interval entropy at or below which the finding is `medium`, given at least
    /// `entropy_medium_min_intervals` gaps.
    pub entropy_medium: f64,
    pub entropy_medium_min_intervals: usize,
    /// Low entropy is only reported when the most common gap length is kept like a clock:
    /// the middle half of the gaps in that bin spans at most this fraction of their median
    /// (1%: 36 s on an hour, 14 min on a day). A person who posts daily "around 7" spreads
    /// wider and is left alone.
    pub clock_precision: f64,
    /// Fewest posts before the share of posts at :00 seconds is reported on.
    pub exact_minute_min_posts: usize,
    /// Share of posts at :00 seconds for `low`.
    pub exact_minute_low: f64,
    /// Share of posts at :00 seconds for `medium`, with `exact_minute_medium_min_posts` posts.
    pub exact_minute_medium: f64,
    pub exact_minute_medium_min_posts: usize,
    /// Posts no more than this many seconds apart belong to one burst.
    pub burst_window_secs: i64,
    /// Fewest posts in a burst.
    pub burst_min_posts: usize,
    /// Fewest bursts for `low`, and for `medium`.
    pub bursts_low: usize,
    pub bursts_medium: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            rest_gap_min_posts: 50,
            rest_gap_min_days: 3.0,
            rest_gap_hours: 4,
            quiet_hour_fraction: 0.25,
            rest_gap_medium_posts: 100,
            rest_gap_medium_days: 14.0,
            rest_window_days: 28.0,
            rest_window_min_posts: 100,
            rest_window_share: 0.75,
            entropy_min_intervals: 30,
            entropy_low: 0.25,
            entropy_medium: 0.15,
            entropy_medium_min_intervals: 50,
            clock_precision: 0.01,
            exact_minute_min_posts: 20,
            exact_minute_low: 0.5,
            exact_minute_medium: 0.8,
            exact_minute_medium_min_posts: 50,
            burst_window_secs: 5,
            burst_min_posts: 4,
            bursts_low: 3,
            bursts_medium: 10,
        }
    }
}

/// Number of log-scale bins: quarter octaves from 1 s to beyond 30 years, plus one for < 1 s.
const BINS: usize = 124;

/// The quarter-octave bin of a gap between posts.
fn bin(secs: f64) -> usize {
    if secs < 1.0 {
        0
    } else {
        (1 + (secs.log2() * 4.0).floor() as usize).min(BINS - 1)
    }
}

/// The lower and upper bound (seconds) of a bin.
fn bin_bounds(b: usize) -> (f64, f64) {
    if b == 0 {
        (0.0, 1.0)
    } else {
        let lo = ((b - 1) as f64 / 4.0).exp2();
        (lo, (b as f64 / 4.0).exp2())
    }
}

/// Normalised entropy (0..1) of the binned gaps, with the most common bin and its count.
fn interval_entropy(gaps: &[f64]) -> Option<(f64, usize, usize)> {
    if gaps.len() < 2 {
        return None;
    }
    let mut counts = [0usize; BINS];
    for g in gaps {
        if let Some(c) = counts.get_mut(bin(*g)) {
            *c += 1;
        }
    }
    let n = gaps.len() as f64;
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            // Written as p·log2(1/p) so that one full bin gives +0, not -0.
            p * (1.0 / p).log2()
        })
        .sum();
    // The most entropy this many gaps could show: all in different bins, or all bins used.
    let max = (gaps.len().min(BINS) as f64).log2();
    let (top, top_count) = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(i, c)| (i, *c))
        .unwrap_or((0, 0));
    Some(((h / max).clamp(0.0, 1.0), top, top_count))
}

/// The interquartile range and the median of `values` (sorted in place); zeros when empty.
fn middle_half(values: &mut [f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: usize| {
        values
            .get((values.len() - 1) * q / 4)
            .copied()
            .unwrap_or(0.0)
    };
    (at(3) - at(1), at(2))
}

/// Whether the timestamps carry real seconds (see the module documentation).
fn has_seconds(tl: &Timeline) -> bool {
    if tl
        .posts
        .iter()
        .any(|p| p.created_at.second() != 0 || p.created_at.nanosecond() != 0)
    {
        return true;
    }
    let (mut decoded, mut agree) = (0usize, 0usize);
    for p in &tl.posts {
        if let Some(t) = created_at_from_id(tl.platform, &p.id) {
            decoded += 1;
            if (t - p.created_at).num_milliseconds().abs() < 2_000 {
                agree += 1;
            }
        }
    }
    decoded > 0 && agree * 10 >= decoded * 8
}

/// The rest gap (see [`rest_gap_hours`]) of each window of `times` (sorted) holding at least
/// `min_days` and `min_posts`, or, when that is longer, the smaller gap of two parts it splits
/// into (one move across time zones); a short tail joins the window before it. Empty when the timeline is too
/// short for even one window.
fn rest_windows(
    times: &[DateTime<Utc>],
    min_days: f64,
    min_posts: usize,
    quiet_fraction: f64,
) -> Vec<usize> {
    let min_secs = (min_days * 86400.0) as i64;
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, t) in times.iter().enumerate() {
        let Some(first) = times.get(start) else { break };
        if i + 1 - start >= min_posts.max(1) && (*t - *first).num_seconds() >= min_secs {
            bounds.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < times.len() {
        match bounds.last_mut() {
            Some(last) => last.1 = times.len(),
            None => return Vec::new(),
        }
    }
    // A window that spans a move across time zones has two sleeping blocks that may not
    // overlap: it rests when the whole window does, or when it splits, at one of a few points,
    // into two parts that each rest. Each part keeps a third of the posts the window needs,
    // so that a few posts cannot leave empty hours by chance alone.
    let gap = |w: &[DateTime<Utc>]| rest_gap_hours(&hour_profile(w.iter()), quiet_fraction);
    let min_part = (min_posts / 3).max(1);
    bounds
        .into_iter()
        .filter_map(|(a, b)| times.get(a..b))
        .map(|w| {
            let split = (1..10)
                .map(|k| k * w.len() / 10)
                .filter(|&k| k >= min_part && w.len() - k >= min_part)
                .map(|k| {
                    let (first, second) = w.split_at(k);
                    gap(first).min(gap(second))
                })
                .max()
                .unwrap_or(0);
            gap(w).max(split)
        })
        .collect()
}

fn finding(severity: Severity, summary: String, numbers: BTreeMap<String, f64>) -> Finding {
    Finding {
        detector: ID.into(),
        severity,
        summary,
        template: None,
        schedule: None,
        numbers,
        evidence: Vec::new(),
        posts: Vec::new(),
    }
}

pub struct Timing;

impl Detector for Timing {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.timing.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// The first rhythm measure (posts at :00 seconds, interval entropy) needs this many.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config
            .timing
            .exact_minute_min_posts
            .min(config.timing.entropy_min_intervals + 1)
            .max(2)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.timing;
        let tl = ctx.timeline;
        let posts = &tl.posts;
        let mut out = Outcome::default();
        let (Some(first), Some(last)) = (posts.first(), posts.last()) else {
            return out;
        };
        let n = posts.len();
        let span_secs = (last.created_at - first.created_at).num_seconds().max(0) as f64;
        let days = span_secs / 86400.0;
        out.stats
            .insert("posts_per_day".into(), n as f64 / days.max(1.0));

        // Rest gap, judged per window: years of travel, moves across time zones and the odd
        // sleepless night, folded into one 24-hour profile, leave no empty hour, while within
        // any few weeks a person sleeps at about the same hours.
        if n >= cfg.rest_gap_min_posts {
            let profile = hour_profile(posts.iter().map(|p| &p.created_at));
            let gap = rest_gap_hours(&profile, cfg.quiet_hour_fraction);
            out.stats.insert("rest_gap_hours".into(), gap as f64);
            // One window is the whole timeline, judged by `gap` already.
            let windows = if n >= 2 * cfg.rest_window_min_posts.max(1) {
                rest_windows(
                    &posts.iter().map(|p| p.created_at).collect::<Vec<_>>(),
                    cfg.rest_window_days,
                    cfg.rest_window_min_posts,
                    cfg.quiet_hour_fraction,
                )
            } else {
                Vec::new()
            };
            let judged = windows.len().max(1);
            let restless = if windows.len() > 1 {
                windows.iter().filter(|&&g| g < cfg.rest_gap_hours).count()
            } else {
                usize::from(gap < cfg.rest_gap_hours)
            };
            let restless_share = restless as f64 / judged as f64;
            out.stats.insert("rest_windows".into(), judged as f64);
            out.stats
                .insert("restless_window_share".into(), restless_share);
            if restless > 0
                && restless_share >= cfg.rest_window_share
                && days >= cfg.rest_gap_min_days
            {
                let severity = if n >= cfg.rest_gap_medium_posts
                    && days >= cfg.rest_gap_medium_days
                    && restless == judged
                {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                let busy = profile.iter().filter(|&&c| c > 0).count();
                let head = if busy == 24 && gap == 0 {
                    "posts at every hour of the day".to_string()
                } else {
                    format!(
                        "posts around the clock (posts in {busy} of 24 hours; quietest stretch {gap} h)"
                    )
                };
                let mut numbers = BTreeMap::new();
                numbers.insert("rest_gap_hours".into(), gap as f64);
                numbers.insert("active_hours".into(), busy as f64);
                numbers.insert("posts".into(), n as f64);
                numbers.insert("days".into(), days);
                numbers.insert("rest_windows".into(), judged as f64);
                numbers.insert("restless_windows".into(), restless as f64);
                let windows_words = if judged > 1 {
                    format!(
                        ", and in {restless} of {judged} stretches of {:.0}+ days",
                        cfg.rest_window_days
                    )
                } else {
                    String::new()
                };
                let mut f = finding(
                    severity,
                    format!(
                        "{head}: no rest gap of {} hours or more over {:.0} days ({n} posts){windows_words}",
                        cfg.rest_gap_hours, days
                    ),
                    numbers,
                );
                // One post for each of a spread of hours, to show the clock being covered.
                let mut per_hour: [Option<usize>; 24] = [None; 24];
                for (i, p) in posts.iter().enumerate() {
                    if let Some(slot) = per_hour.get_mut(p.created_at.hour() as usize) {
                        slot.get_or_insert(i);
                    }
                }
                let hours: Vec<usize> = per_hour.iter().flatten().copied().collect();
                let mut picks = spread_of(&hours, MAX_EVIDENCE);
                picks.sort_unstable();
                f.evidence = picks
                    .into_iter()
                    .filter_map(|i| posts.get(i))
                    .map(|p| {
                        Evidence::of(
                            p,
                            Some(format!("posted at {} UTC", p.created_at.format("%H:%M"))),
                        )
                    })
                    .collect();
                out.findings.push(f);
            }
        }

        // Interval entropy.
        let gaps: Vec<f64> = posts
            .windows(2)
            .map(|w| {
                (w[1].created_at - w[0].created_at)
                    .num_milliseconds()
                    .max(0) as f64
                    / 1000.0
            })
            .collect();
        if gaps.len() >= cfg.entropy_min_intervals {
            if let Some((h, top, top_count)) = interval_entropy(&gaps) {
                out.stats.insert("interval_entropy".into(), h);
                let mut modal: Vec<f64> = gaps.iter().copied().filter(|g| bin(*g) == top).collect();
                let (spread_secs, centre) = middle_half(&mut modal);
                let clockwork = top == 0 || spread_secs <= cfg.clock_precision * centre;
                if h <= cfg.entropy_low && clockwork {
                    let severity = if h <= cfg.entropy_medium
                        && gaps.len() >= cfg.entropy_medium_min_intervals
                    {
                        Severity::Medium
                    } else {
                        Severity::Low
                    };
                    let (lo, hi) = bin_bounds(top);
                    let mut numbers = BTreeMap::new();
                    numbers.insert("interval_entropy".into(), h);
                    numbers.insert("intervals".into(), gaps.len() as f64);
                    numbers.insert(
                        "modal_interval_share".into(),
                        top_count as f64 / gaps.len() as f64,
                    );
                    numbers.insert("modal_interval_seconds".into(), centre);
                    numbers.insert("modal_interval_spread_seconds".into(), spread_secs);
                    let mut f = finding(
                        severity,
                        format!(
                            "clockwork rhythm: {top_count} of {} gaps between posts ({:.0}%) are {}–{} long, the middle half of them within {} of {} (interval entropy {h:.2}; people score above 0.5)",
                            gaps.len(),
                            top_count as f64 * 100.0 / gaps.len() as f64,
                            duration(lo),
                            duration(hi),
                            duration(spread_secs),
                            duration(centre),
                        ),
                        numbers,
                    );
                    let idx: Vec<usize> = (1..posts.len()).collect();
                    f.evidence = spread_of(&idx, MAX_EVIDENCE)
                        .into_iter()
                        .filter_map(|i| Some((posts.get(i)?, gaps.get(i - 1)?)))
                        .map(|(p, g)| {
                            Evidence::of(
                                p,
                                Some(format!("{} after the previous post", duration(*g))),
                            )
                        })
                        .collect();
                    out.findings.push(f);
                }
            }
        }

        // Exact minute.
        if has_seconds(tl) {
            let at_zero: Vec<usize> = posts
                .iter()
                .enumerate()
                .filter(|(_, p)| p.created_at.second() == 0)
                .map(|(i, _)| i)
                .collect();
            let share = at_zero.len() as f64 / n as f64;
            out.stats.insert("exact_minute_share".into(), share);
            if n >= cfg.exact_minute_min_posts && share >= cfg.exact_minute_low {
                let severity =
                    if n >= cfg.exact_minute_medium_min_posts && share >= cfg.exact_minute_medium {
                        Severity::Medium
                    } else {
                        Severity::Low
                    };
                let mut numbers = BTreeMap::new();
                numbers.insert("exact_minute_share".into(), share);
                numbers.insert("posts".into(), n as f64);
                let mut f = finding(
                    severity,
                    format!(
                        "{} of {n} posts ({:.0}%) went out at exactly :00 seconds, as a scheduler fires; by chance about 1 in 60 would",
                        at_zero.len(),
                        share * 100.0
                    ),
                    numbers,
                );
                f.posts = at_zero
                    .iter()
                    .filter_map(|&i| posts.get(i))
                    .map(PostRef::of)
                    .collect();
                f.evidence = spread_of(&at_zero, MAX_EVIDENCE)
                    .into_iter()
                    .filter_map(|i| posts.get(i))
                    .map(|p| {
                        Evidence::of(
                            p,
                            Some(format!("posted at {}", p.created_at.format("%H:%M:%S"))),
                        )
                    })
                    .collect();
                out.findings.push(f);
            }
        }

        // Bursts.
        let selfs = ctx.self_replies.iter().copied();
        let written: Vec<usize> = posts
            .iter()
            .zip(selfs)
            .enumerate()
            .filter(|(_, (p, s))| p.kind != PostKind::Repost && !s)
            .map(|(i, _)| i)
            .collect();
        let mut bursts: Vec<(usize, usize)> = Vec::new(); // (first index into `written`, length)
        let mut start = 0usize;
        for k in 1..=written.len() {
            let joined = match (written.get(k - 1), written.get(k)) {
                (Some(&a), Some(&b)) => match (posts.get(a), posts.get(b)) {
                    (Some(pa), Some(pb)) => {
                        (pb.created_at - pa.created_at).num_seconds() <= cfg.burst_window_secs
                    }
                    _ => false,
                },
                _ => false,
            };
            if !joined {
                if k - start >= cfg.burst_min_posts.max(2) {
                    bursts.push((start, k - start));
                }
                start = k;
            }
        }
        if bursts.len() >= cfg.bursts_low.max(1) {
            let severity = if bursts.len() >= cfg.bursts_medium {
                Severity::Medium
            } else {
                Severity::Low
            };
            let in_bursts: usize = bursts.iter().map(|b| b.1).sum();
            let mut numbers = BTreeMap::new();
            numbers.insert("bursts".into(), bursts.len() as f64);
            numbers.insert("posts_in_bursts".into(), in_bursts as f64);
            let mut f = finding(
                severity,
                format!(
                    "{} bursts of {} or more posts, each within {} s of the last ({in_bursts} posts in all)",
                    bursts.len(),
                    cfg.burst_min_posts,
                    cfg.burst_window_secs
                ),
                numbers,
            );
            f.posts = bursts
                .iter()
                .flat_map(|&(s, len)| written.iter().skip(s).take(len))
                .filter_map(|&i| posts.get(i))
                .map(PostRef::of)
                .collect();
            let firsts: Vec<usize> = (0..bursts.len()).collect();
            f.evidence = spread_of(&firsts, MAX_EVIDENCE)
                .into_iter()
                .filter_map(|b| bursts.get(b))
                .filter_map(|&(s, len)| {
                    let first = posts.get(*written.get(s)?)?;
                    let last = posts.get(*written.get(s + len - 1)?)?;
                    let secs = (last.created_at - first.created_at).num_seconds();
                    Some(Evidence::of(
                        first,
                        Some(format!("first of {len} posts within {secs} s")),
                    ))
                })
                .collect();
            out.findings.push(f);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Post};
    use chrono::{DateTime, Utc};
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
    }

    fn timeline(times: Vec<DateTime<Utc>>) -> Timeline {
        let mut tl = Timeline::new("acct", Platform::Other);
        for (i, t) in times.into_iter().enumerate() {
            tl.posts
                .push(Post::new(format!("p{i}"), t, format!("post {i}")));
        }
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        Timing.run(&Context::new(tl, &cfg, t0()))
    }

    /// A deterministic stand-in for randomness: a 64-bit LCG.
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

    /// A person: 30 days, 3-12 posts a day between 07:00 and 23:00 UTC, at irregular times
    /// with irregular seconds.
    fn person() -> Timeline {
        let mut r = Lcg(7);
        let mut times = Vec::new();
        for day in 0..30 {
            let k = 3 + (r.next() * 10.0) as i64;
            for _ in 0..k {
                let secs = 7 * 3600 + (r.next() * 16.0 * 3600.0) as i64;
                times.push(t0() + Duration::days(day) + Duration::seconds(secs));
            }
        }
        timeline(times)
    }

    #[test]
    fn rest_gap_wraps_past_midnight() {
        let mut p = [10usize; 24];
        for h in [22, 23, 0, 1, 2] {
            p[h] = 0;
        }
        assert_eq!(rest_gap_hours(&p, 0.25), 5);
        p[0] = 2; // 2 <= 0.25 * mean (about 8): still quiet
        assert_eq!(rest_gap_hours(&p, 0.25), 5);
        assert_eq!(rest_gap_hours(&[10; 24], 0.25), 0);
        assert_eq!(rest_gap_hours(&[0; 24], 0.25), 24);
    }

    #[test]
    fn a_person_gets_no_finding() {
        let tl = person();
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert!(out.stats["rest_gap_hours"] >= 6.0, "{:?}", out.stats);
        assert!(out.stats["interval_entropy"] > 0.5, "{:?}", out.stats);
        assert!(out.stats["exact_minute_share"] < 0.1);
        assert!(out.stats["posts_per_day"] > 3.0);
    }

    #[test]
    fn an_hourly_bot_is_clockwork_and_round_the_clock() {
        let times = (0..24 * 30)
            .map(|i| t0() + Duration::hours(i) + Duration::seconds(i % 3))
            .collect();
        let out = run(&timeline(times));
        let summaries: Vec<&str> = out.findings.iter().map(|f| f.summary.as_str()).collect();
        let gap = out
            .findings
            .iter()
            .find(|f| f.summary.starts_with("posts at every hour of the day"))
            .unwrap_or_else(|| panic!("{summaries:?}"));
        assert_eq!(gap.severity, Severity::Medium);
        assert!(gap
            .summary
            .contains("no rest gap of 4 hours or more over 30 days (720 posts)"));
        assert_eq!(gap.evidence.len(), MAX_EVIDENCE);
        let clock = out
            .findings
            .iter()
            .find(|f| f.summary.starts_with("clockwork rhythm"))
            .unwrap_or_else(|| panic!("{summaries:?}"));
        assert_eq!(clock.severity, Severity::Medium);
        assert!(out.stats["interval_entropy"] < 0.15);
        assert_eq!(out.stats["rest_gap_hours"], 0.0);
    }

    #[test]
    fn a_scheduler_hitting_zero_seconds_is_flagged_when_seconds_are_real() {
        let mut r = Lcg(3);
        let mut times: Vec<DateTime<Utc>> = (0..60)
            .map(|i| {
                let min = 9 * 60 + (r.next() * 600.0) as i64;
                t0() + Duration::days(i) + Duration::minutes(min)
            })
            .collect();
        // Without any post at other seconds, the format is taken to lack seconds.
        let out = run(&timeline(times.clone()));
        assert!(!out.stats.contains_key("exact_minute_share"));
        assert!(out
            .findings
            .iter()
            .all(|f| !f.summary.contains(":00 seconds")));
        // A few hand-written posts show that seconds are real.
        for i in 0..6 {
            times.push(t0() + Duration::days(i) + Duration::seconds(50_000 + 7 * i + 1));
        }
        let out = run(&timeline(times));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.contains(":00 seconds"))
            .unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert_eq!(f.severity, Severity::Medium);
        assert!(
            f.summary.starts_with("60 of 66 posts (91%)"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn ids_that_encode_time_vouch_for_zero_seconds() {
        // Twitter snowflakes whose time agrees with created_at at :00 seconds.
        let mut tl = Timeline::new("acct", Platform::Twitter);
        for i in 0..30i64 {
            let t = t0() + Duration::days(i) + Duration::hours(9);
            let ms = (t.timestamp_millis() - 1_288_834_974_657) as u64;
            let id = (ms << 22).to_string();
            tl.posts.push(Post::new(id, t, "scheduled"));
        }
        tl.finish();
        let out = run(&tl);
        assert_eq!(out.stats["exact_minute_share"], 1.0);
        assert!(out
            .findings
            .iter()
            .any(|f| f.summary.contains(":00 seconds")));
    }

    #[test]
    fn bursts_of_posts_seconds_apart() {
        let mut times = Vec::new();
        for b in 0..5i64 {
            for k in 0..4i64 {
                times.push(t0() + Duration::hours(5 * b) + Duration::seconds(2 * k + 1));
            }
        }
        let out = run(&timeline(times));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.contains("bursts"))
            .unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert_eq!(f.severity, Severity::Low);
        assert!(
            f.summary.starts_with("5 bursts of 4 or more posts"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), 5);
    }

    #[test]
    fn threads_and_reposts_are_not_bursts() {
        let mut tl = Timeline::new("acct", Platform::Other);
        for b in 0..5i64 {
            for k in 0..4i64 {
                let mut p = Post::new(
                    format!("{b}-{k}"),
                    t0() + Duration::hours(5 * b) + Duration::seconds(k + 1),
                    "part",
                );
                if k > 0 {
                    p.kind = if b % 2 == 0 {
                        PostKind::Reply
                    } else {
                        PostKind::Repost
                    };
                    p.reply_to_account = Some("Acct".into());
                }
                tl.posts.push(p);
            }
        }
        tl.finish();
        assert!(run(&tl).findings.is_empty());
    }

    #[test]
    fn a_daily_scheduler_is_clockwork_but_a_daily_person_is_not() {
        // The same minute every day, via a scheduler.
        let times = (0..60)
            .map(|d| t0() + Duration::days(d) + Duration::hours(9) + Duration::seconds(d % 4))
            .collect();
        let out = run(&timeline(times));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.starts_with("clockwork rhythm"))
            .unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert_eq!(f.severity, Severity::Medium);
        assert!(
            f.summary
                .contains("within 0 s of 24 h (interval entropy 0.00"),
            "{}",
            f.summary
        );
        // A person posting once a day "around 7", give or take 40 minutes: as low an entropy
        // (one bin), but no clock.
        let mut r = Lcg(11);
        let times = (0..60)
            .map(|d| {
                t0() + Duration::days(d)
                    + Duration::hours(7)
                    + Duration::seconds((r.next() * 4800.0) as i64)
            })
            .collect();
        let out = run(&timeline(times));
        assert!(out.stats["interval_entropy"] < 0.25, "{:?}", out.stats);
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
    }

    #[test]
    fn small_and_empty_timelines_are_quiet() {
        assert!(run(&Timeline::new("a", Platform::Other)).stats.is_empty());
        let times = (0..20).map(|i| t0() + Duration::hours(i)).collect();
        let out = run(&timeline(times));
        assert!(out.findings.is_empty());
        assert!(!out.stats.contains_key("rest_gap_hours"));
        assert!(!out.stats.contains_key("interval_entropy"));
    }

    #[test]
    fn config_sections_take_partial_tables_and_refuse_unknown_keys() {
        let all: All = toml::from_str(
            "[timing]\nrest_gap_hours = 5\n[auto_reply]\nmin_targets = 7\n[promotion_ratio]\nmin_posts = 30\n[automation_client]\nautomated_share = 0.8\n",
        )
        .unwrap();
        assert_eq!(all.timing.rest_gap_hours, 5);
        assert_eq!(
            all.timing.burst_min_posts,
            Config::default().burst_min_posts
        );
        assert_eq!(all.auto_reply.min_targets, 7);
        assert_eq!(all.promotion_ratio.min_posts, 30);
        assert_eq!(all.automation_client.automated_share, 0.8);
        assert!(toml::from_str::<All>("[timing]\nrest_gap = 5\n").is_err());
    }

    /// Two years of a person who sleeps from 23:00 to 08:00 wherever they are, moving between
    /// time zones every two months (UTC-8, UTC, UTC+9, UTC+5): folded into one 24-hour profile,
    /// every hour is busy.
    fn traveller(hourly: impl Fn(usize) -> bool) -> Timeline {
        let mut rng = Lcg(7);
        let offsets = [-8i64, 0, 9, 5];
        let mut times = Vec::new();
        for day in 0..730i64 {
            let offset = offsets[(day / 60) as usize % offsets.len()];
            for k in 0..6 {
                // Waking hours, local: 08:00-23:00.
                let local_minute = 8 * 60 + (rng.next() * 15.0 * 60.0) as i64;
                if !hourly(k) {
                    continue;
                }
                times.push(
                    t0() - Duration::days(800)
                        + Duration::days(day)
                        + Duration::minutes(local_minute - offset * 60)
                        + Duration::seconds((rng.next() * 59.0) as i64),
                );
            }
        }
        times.sort();
        timeline(times)
    }

    #[test]
    fn a_traveller_across_time_zones_rests_in_every_stretch() {
        let tl = traveller(|_| true);
        let profile = hour_profile(tl.posts.iter().map(|p| &p.created_at));
        assert!(
            profile.iter().all(|&c| c > 0),
            "folded, the traveller has no empty hour: the old judgement would fire"
        );
        let out = run(&tl);
        assert!(
            !out.findings.iter().any(|f| f.summary.contains("rest gap")),
            "{:?}",
            out.findings
        );
        // A stretch that crosses a move near its edge may still read as restless; the
        // account is judged by the share.
        assert!(out.stats["restless_window_share"] < 0.25, "{:?}", out.stats);
        assert!(out.stats["rest_windows"] >= 20.0);
    }

    #[test]
    fn a_program_posting_at_every_hour_for_years_has_no_rest_in_any_stretch() {
        let mut rng = Lcg(11);
        let times: Vec<DateTime<Utc>> = (0..730 * 6)
            .map(|k| {
                t0() - Duration::days(800)
                    + Duration::seconds((k as f64 * 4.0 * 3600.0 + rng.next() * 14400.0) as i64)
            })
            .collect();
        let out = run(&timeline(times));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.contains("rest gap"))
            .expect("reported");
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(out.stats["restless_window_share"], 1.0);
    }
}
