//! `timing`: the account's rhythm, which separates people from programs without reading a
//! word.
//!
//! Seven measures, each reported only with enough posts to mean something:
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
//! - **Phase lock.** RSS-to-social services (twitterfeed, dlvr.it, IFTTT, feed2toot, EchoFeed)
//!   publish when they poll, and a poll run by cron fires at fixed minutes: the posts land at one
//!   minute of the hour modulo 15, 30 or 60 min, seconds after the tick, whatever their text. A
//!   real bot on a 15-minute cron posted at minutes 15/30/45 with seconds 07–29, while people's
//!   minutes of the hour are flat (in two real public figures' timelines the busiest minute held
//!   5–6% of 65 posts, and gaps fell near multiples of 15 min no more often than chance;
//!   TweetDeck-scheduled posts, by contrast, landed at minute :00 43% of the time, at seconds
//!   0–3 90% of the time). So for each period the busiest
//!   ±1 min window of the phase is found, counting a post closer than the window to the one
//!   before as part of it (a poll publishes every new item at once; people post in bursts). Its
//!   core is the stretch where posts are densest above twice the density outside the window:
//!   it ends where the poller's posts end. The lock is weighed by the binomial chance of so many
//!   posts in so narrow a core, times the number of starts and widths the core could have had
//!   (a scan statistic, Bonferroni's bound), which must be under 1 in 10^8, with at least 20
//!   posts in the core and twice the share chance gives in the window. A person's chance clump
//!   spreads over the whole window and does not pass; a poller's seconds-wide core does. Only
//!   the account's own original posts and quotes count: pollers publish items, not replies. The
//!   finding lists the posts of the core, so that a person who also runs a poller has only the
//!   poller's posts listed, give or take the few of theirs that fall on its seconds by chance.
//! - **Daily slot.** A job that posts once a day fires at the same clock time (a daily series
//!   at the same minute, each post new). The same test with a period of a day, but weighed
//!   against the posts within 30 minutes of the slot, since people keep habits to the hour
//!   ("around 7") and jobs to the minute; it needs 14 days with a post in the slot and half the
//!   days of its span.
//!   Locks and slots are judged from timestamps as written: an export that rounds every time
//!   to the minute or to 5 minutes puts a person's posts on a few phases, so chance is taken
//!   over the phases the rounding leaves (when post ids encoding the time do not vouch for the
//!   times). One story per set of posts: a lock resting mostly on posts the clockwork or
//!   :00-seconds finding already tells, or on repeated texts (near-duplicate clusters, told by
//!   `near_duplicate` and `scheduled_repeat`), is not reported again; of a daily slot and a
//!   sub-daily lock over the same posts, the less likely by chance is told. Posts a reported
//!   lock explains are left out when the rest gap is judged: a poller posts at night for a
//!   person who sleeps.
//! - **Thread pace.** Thread schedulers (Hypefury, Typefully, Buffer threads) publish a thread's
//!   parts in a loop, each a reply to the one before, 1–2 s apart (ten posts in twelve seconds),
//!   or with a fixed delay between parts (an exact one-minute drip): that is how the issue
//!   reports them; no real timeline of one has been measured yet. Typed by hand, parts come
//!   minutes apart (a real person's continuations: 4–7 min), and even a prepared series pasted
//!   by hand takes 12–17 s a part (a real staff account). A thread of 3+ posts all within 3 s of
//!   each other, or of 4+ posts at gaps of 10 s to 1 h kept to ±1 s, is machine-posted; the
//!   apps' own "post all" composers publish as fast, so the finding says software published the
//!   threads, not who wrote them, and is low unless five or more threads went so. Only measured
//!   when the timestamps carry real seconds.
//!
//! Account stats: `posts_per_day`, `rest_gap_hours`, `rest_windows`, `restless_window_share`,
//! `interval_entropy`, `exact_minute_share`, `phase_locked_share` (share of the original posts at
//! a phase lock or daily slot, 0 when there is none) and `machine_thread_count` (threads posted
//! at a machine's pace).

use std::collections::BTreeMap;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Serialize};

use super::context::{hour_profile, rest_gap_hours};
use super::evidence::{clock_at, duration, local_clock, seconds_at, spread, spread_of};
use super::{Context, Detector};
use crate::model::{created_at_from_id, Post, PostKind, Timeline};
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
    /// Width in seconds of the window a phase lock or daily slot is looked for in (120: ±1 min).
    pub phase_window_secs: i64,
    /// Fewest original posts at a phase lock before it is reported (a daily slot needs
    /// `slot_min_days`).
    pub phase_min_posts: usize,
    /// Chance of as many posts in as narrow a stretch of the phase, anywhere in the period (every
    /// start and width counted), at or below which the phase counts as locked.
    pub phase_chance: f64,
    /// The share in the window must be at least this many times the share chance gives.
    pub phase_min_lift: f64,
    /// Posts and share of the original posts at the lock for `medium`.
    pub phase_medium_posts: usize,
    pub phase_medium_share: f64,
    /// Fewest days with a post in a daily slot, and the share of the days of its span.
    pub slot_min_days: usize,
    pub slot_day_share: f64,
    /// Days and share of days for a daily slot to be `medium`.
    pub slot_medium_days: usize,
    pub slot_medium_day_share: f64,
    /// Fewest posts (the first and its self-replies) in a thread whose pace is judged.
    pub thread_min_posts: usize,
    /// A thread whose parts are all at most this many seconds apart is machine-posted.
    pub thread_fast_gap_secs: f64,
    /// A thread of 4+ posts whose gaps (10 s to 1 h) differ by at most this many seconds is a
    /// machine's drip.
    pub thread_drip_tolerance_secs: f64,
    /// Posts in machine-posted threads for `low`, and machine-posted threads for `medium`.
    pub thread_low_posts: usize,
    pub threads_medium: usize,
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
            phase_window_secs: 120,
            phase_min_posts: 20,
            phase_chance: 1e-8,
            phase_min_lift: 2.0,
            phase_medium_posts: 30,
            phase_medium_share: 0.5,
            slot_min_days: 14,
            slot_day_share: 0.5,
            slot_medium_days: 30,
            slot_medium_day_share: 0.8,
            thread_min_posts: 3,
            thread_fast_gap_secs: 3.0,
            thread_drip_tolerance_secs: 2.0,
            thread_low_posts: 5,
            threads_medium: 5,
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

/// Whether post ids that encode their time (Twitter, Mastodon, Bluesky) agree with the
/// timestamps: then the timestamps are real to the second, whatever they look like.
fn ids_vouch(tl: &Timeline) -> bool {
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

/// Roundings an export may apply to every timestamp, in seconds, the coarsest first.
const GRAINS: [i64; 6] = [3600, 1800, 900, 600, 300, 60];

/// How finely the timestamps are written, in seconds: the coarsest rounding (to the minute, to
/// 5 minutes, ...) that at least 95% of them show, or 1. Ids that vouch for the times (asked
/// only then, as decoding them costs) make it 1: a scheduler that fires at hh:00:00 is not an
/// export that rounds.
fn time_grain(posts: &[Post], vouched: impl FnOnce() -> bool) -> i64 {
    // At least 95% on the rounding: stop at the first post past the 5% allowed off it.
    let on = |g: i64| {
        let allowed = posts.len() / 20;
        posts
            .iter()
            .filter(|p| p.created_at.nanosecond() != 0 || p.created_at.timestamp() % g != 0)
            .nth(allowed)
            .is_none()
    };
    // Every coarser rounding is also a rounding to the minute: most timelines stop here.
    if posts.is_empty() || !on(60) {
        return 1;
    }
    let grain = GRAINS.into_iter().find(|&g| on(g)).unwrap_or(60);
    if vouched() {
        1
    } else {
        grain
    }
}

/// ln n!, exact for small n, by Stirling's series beyond (error below 1e-10).
fn ln_factorial(n: usize) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x * x)
}

/// ln P(X ≥ k) for X ~ Binomial(n, p): how surprising `k` hits in `n` tries are by chance. 0
/// (no surprise) for `k` at or below the expected count.
fn ln_binomial_tail(n: usize, k: usize, p: f64) -> f64 {
    if k > n || p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 || k as f64 <= n as f64 * p {
        return 0.0;
    }
    let q = 1.0 - p;
    let ln_pmf = ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
        + k as f64 * p.ln()
        + (n - k) as f64 * q.ln();
    // Past the mean each term is a falling multiple of the one before.
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for j in k..n {
        term *= (n - j) as f64 / (j + 1) as f64 * p / q;
        sum += term;
        if term < sum * 1e-12 {
            break;
        }
    }
    (ln_pmf + sum.ln()).min(0.0)
}

/// The periods a feed poller keeps (15, 30 and 60 minutes), in seconds.
const POLL_PERIODS: [i64; 3] = [900, 1800, 3600];
/// A daily slot's period.
const DAY_SECS: i64 = 86_400;
/// A phase is weighed against the posts within half of this of it (or the whole period, when
/// shorter): people keep daily habits to the hour, jobs to the minute.
const NEIGHBOURHOOD_SECS: i64 = 3600;

/// Where a poller's or a scheduled job's posts land: the busiest phase of one period.
#[derive(Debug, Clone)]
struct Lock {
    /// The period, in seconds (a day for a daily slot).
    period: i64,
    /// Indices into the posts at the phase (the core of the window), oldest first.
    members: Vec<usize>,
    /// Phase (seconds into the period) of the earliest member, and how far the latest is from it.
    phase: i64,
    spread: i64,
    /// Events (posts more than a window after the one before) in the window, and the events it
    /// is weighed against (all of them, or those within half an hour of a daily slot).
    hits: usize,
    tries: usize,
    /// The share of the tries chance puts in the window; ln of the chance of as many events in
    /// as narrow a core anywhere in the period (every start and width it could have had counted).
    chance: f64,
    ln_tail: f64,
    /// Cycles (days, for a slot) with a member, and cycles from the first member's to the last's.
    cycles: usize,
    span_cycles: usize,
}

impl Lock {
    /// The middle of the members' phases, seconds into the period.
    fn centre(&self) -> i64 {
        (self.phase + self.spread / 2).rem_euclid(self.period)
    }

    fn daily(&self) -> bool {
        self.period == DAY_SECS
    }

    /// Whether this is a lock worth telling (see the module documentation).
    fn holds(&self, cfg: &Config) -> bool {
        let min = if self.daily() {
            cfg.slot_min_days
        } else {
            cfg.phase_min_posts
        };
        let slot_days = !self.daily()
            || (self.cycles >= cfg.slot_min_days
                && self.cycles as f64 >= cfg.slot_day_share * self.span_cycles as f64);
        self.hits >= min
            && self.members.len() >= min
            && self.ln_tail <= cfg.phase_chance.ln()
            && self.hits as f64 >= cfg.phase_min_lift * self.tries as f64 * self.chance
            && slot_days
    }
}

/// The times (seconds) of the events among `stamps` (post index and time, oldest first): a post
/// closer than `window` to the one before belongs to it, as one poll publishes every new item at
/// once and people post in bursts.
fn events_of(stamps: &[(usize, i64)], window: i64) -> Vec<i64> {
    let mut events = Vec::new();
    let mut last: Option<i64> = None;
    for &(_, t) in stamps {
        if last.is_none_or(|l| t - l >= window) {
            events.push(t);
        }
        last = Some(t);
    }
    events
}

/// The busiest phase of `period` among `stamps` (post index and time in seconds, oldest first;
/// `events` from [`events_of`]) and how likely so many posts there are by chance; `None` when
/// there is nothing to weigh, or when the rounding of the timestamps (`grain`, seconds) leaves
/// chance no room.
fn busiest_phase(
    stamps: &[(usize, i64)],
    events: &[i64],
    period: i64,
    window: i64,
    grain: i64,
) -> Option<Lock> {
    let window = window.clamp(1, period);
    let neighbourhood = period.min(NEIGHBOURHOOD_SECS);
    let g = grain.max(1);
    // Rounded times fill whole steps of the grain: a window of 2 min holds one 5-min step.
    let covered = (window + g - 1) / g * g;
    let chance = covered as f64 / neighbourhood as f64;
    if chance >= 0.5 {
        return None;
    }
    let mut phases: Vec<i64> = events.iter().map(|t| t.rem_euclid(period)).collect();
    phases.sort_unstable();
    // Two laps, so that a window may wrap past the end of the period.
    let laps: Vec<i64> = phases
        .iter()
        .copied()
        .chain(phases.iter().map(|p| p + period))
        .collect();
    // Events at or after `from` and before `from + len` (len at most the period).
    let count = |from: i64, len: i64| {
        let from = from.rem_euclid(period);
        let a = laps.partition_point(|&p| p < from);
        let b = laps.partition_point(|&p| p < from + len);
        b - a
    };
    // The busiest window starts at an event; the earliest such start wins a tie.
    let (mut start, mut hits, mut end) = (0i64, 0usize, 0usize);
    for (i, &p) in phases.iter().enumerate() {
        end = end.max(i);
        while laps.get(end).is_some_and(|&q| q < p + window) {
            end += 1;
        }
        if end - i > hits {
            (start, hits) = (p, end - i);
        }
    }
    if hits == 0 {
        return None;
    }
    let tries = if neighbourhood >= period {
        phases.len()
    } else {
        count(start + window / 2 - neighbourhood / 2, neighbourhood)
    };
    // Events per second of the window.
    let mut hist = vec![0usize; window as usize];
    let first_in = laps.partition_point(|&p| p < start);
    for p in laps.iter().skip(first_in).take(hits) {
        if let Some(c) = hist.get_mut((p - start) as usize) {
            *c += 1;
        }
    }
    // The core: the stretch of the window where posts are densest above the background (twice
    // the density of events outside the window), found as the stretch of largest excess. It
    // ends where the poller's posts end, so few of a person's posts fall in it by chance.
    let outside = (neighbourhood - covered).max(1) as f64;
    let background = 2.0 * tries.saturating_sub(hits) as f64 / outside;
    let (mut best, mut lo, mut hi) = (f64::NEG_INFINITY, 0i64, 0i64);
    let (mut run, mut run_lo) = (0.0f64, 0i64);
    for (r, &c) in (0i64..).zip(&hist) {
        // Rounded times only ever fall on the grain's steps: only those can hold chance posts.
        let cost = if (start + r).rem_euclid(g) == 0 {
            background * g as f64
        } else {
            0.0
        };
        if run <= 0.0 {
            (run, run_lo) = (c as f64 - cost, r);
        } else {
            run += c as f64 - cost;
        }
        if run > best {
            (best, lo, hi) = (run, run_lo, r);
        }
    }
    // The chance of so many events in so narrow a stretch, anywhere in the period and at any
    // width up to the window's: the core is chosen after looking, so every start and width it
    // could have had is paid for (a scan statistic with Bonferroni's bound).
    let core_hits: usize = hist
        .get(lo as usize..=hi as usize)
        .map_or(0, |h| h.iter().sum());
    let core_width = ((hi - lo) / g + 1) * g;
    let looks = (period / g) as f64 * ((window + g - 1) / g) as f64;
    let ln_tail =
        ln_binomial_tail(tries, core_hits, core_width as f64 / neighbourhood as f64) + looks.ln();
    let rel = |t: i64| (t - start).rem_euclid(period);
    let core: Vec<(usize, i64)> = stamps
        .iter()
        .copied()
        .filter(|&(_, t)| (lo..=hi).contains(&rel(t)))
        .collect();
    let rels = core.iter().map(|&(_, t)| rel(t));
    let first = rels.clone().min()?;
    let spread = rels.max()? - first;
    let cycles: Vec<i64> = core
        .iter()
        .map(|&(_, t)| (t - start - first).div_euclid(period))
        .collect();
    let members: Vec<usize> = core.into_iter().map(|(i, _)| i).collect();
    let mut distinct = cycles.clone();
    distinct.dedup();
    let span_cycles = match (cycles.first(), cycles.last()) {
        (Some(a), Some(b)) => (b - a + 1) as usize,
        _ => 0,
    };
    Some(Lock {
        period,
        phase: (start + first).rem_euclid(period),
        spread,
        hits,
        tries,
        chance,
        ln_tail,
        cycles: distinct.len(),
        span_cycles,
        members,
    })
}

/// Whether at least half of `posts` (sorted) are in `told` (sorted).
fn half_told(posts: &[usize], told: &[usize]) -> bool {
    let shared = posts
        .iter()
        .filter(|i| told.binary_search(i).is_ok())
        .count();
    !posts.is_empty() && shared * 2 >= posts.len()
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// How a window's half-width reads: "±1 min", "±30 s".
fn plus_minus(window: i64) -> String {
    if window % 120 == 0 {
        format!("±{} min", window / 120)
    } else {
        format!("±{} s", window / 2)
    }
}

/// The finding of a phase lock or daily slot over `originals` original posts.
fn lock_finding(
    posts: &[Post],
    lock: &Lock,
    originals: usize,
    cfg: &Config,
    grain: i64,
    zone: Tz,
) -> Finding {
    let k = lock.members.len();
    let share = k as f64 / originals.max(1) as f64;
    let within = if grain > 1 {
        String::new()
    } else if lock.spread == 0 {
        ", all at the same second".to_string()
    } else {
        format!(", within {} of each other", duration(lock.spread as f64))
    };
    let chance_pct = lock.chance * 100.0;
    let centre = lock.centre();
    let mut numbers = BTreeMap::new();
    numbers.insert("locked_posts".into(), k as f64);
    numbers.insert("original_posts".into(), originals as f64);
    numbers.insert("locked_share".into(), share);
    numbers.insert("period_seconds".into(), lock.period as f64);
    numbers.insert("phase_seconds".into(), centre as f64);
    numbers.insert("spread_seconds".into(), lock.spread as f64);
    numbers.insert("chance_share".into(), lock.chance);
    numbers.insert(
        "log10_chance".into(),
        lock.ln_tail / std::f64::consts::LN_10,
    );
    let (severity, summary) = if lock.daily() {
        numbers.insert("slot_days".into(), lock.cycles as f64);
        numbers.insert("span_days".into(), lock.span_cycles as f64);
        let medium = lock.cycles >= cfg.slot_medium_days
            && lock.cycles as f64 >= cfg.slot_medium_day_share * lock.span_cycles as f64;
        // Found in UTC, read in the report's zone on the date of the last post.
        let member_times = lock
            .members
            .iter()
            .filter_map(|&i| posts.get(i).map(|p| p.created_at));
        let at = member_times.clone().next_back().unwrap_or_default();
        let local = local_clock(zone, centre / 60, at, member_times);
        (
            if medium { Severity::Medium } else { Severity::Low },
            format!(
                "daily at {} {}{} on {} of {} days ({k} posts{within}), as a scheduled job posts; by chance about {chance_pct:.0}% of the posts within {} of that time would be",
                local.clock,
                plus_minus(cfg.phase_window_secs),
                local.note,
                lock.cycles,
                lock.span_cycles,
                duration((NEIGHBOURHOOD_SECS / 2) as f64),
            ),
        )
    } else {
        let minutes: Vec<String> = (0..NEIGHBOURHOOD_SECS / lock.period)
            .map(|j| format!(":{:02}", (centre + j * lock.period) % 3600 / 60))
            .collect();
        let rhythm = match lock.period {
            3600 => "an hourly poller's rhythm".to_string(),
            p => format!("a {}-minute poller's rhythm", p / 60),
        };
        let medium = k >= cfg.phase_medium_posts && share >= cfg.phase_medium_share;
        (
            if medium { Severity::Medium } else { Severity::Low },
            format!(
                "{k} of {originals} original posts ({:.0}%) land at minute {} of the hour{within} — {rhythm} (by chance about {chance_pct:.0}%)",
                share * 100.0,
                or_list(&minutes),
            ),
        )
    };
    let mut f = finding(severity, summary, numbers);
    f.posts = lock
        .members
        .iter()
        .filter_map(|&i| posts.get(i))
        .map(PostRef::of)
        .collect();
    f.evidence = spread(lock.members.len(), MAX_EVIDENCE)
        .into_iter()
        .filter_map(|j| {
            let p = posts.get(*lock.members.get(j)?)?;
            let before = j
                .checked_sub(1)
                .and_then(|b| lock.members.get(b))
                .and_then(|&b| posts.get(b));
            let at = seconds_at(zone, p.created_at);
            let note = match before {
                Some(b) => format!(
                    "at {at}, {} after the one before",
                    duration((p.created_at - b.created_at).num_seconds() as f64)
                ),
                None => format!("at {at}"),
            };
            Some(Evidence::of(p, Some(note)))
        })
        .collect();
    f
}

/// The account's threads of at least `min` posts: a post and the replies the account chained
/// to it, as indices into the posts, oldest first. A self-reply names its parent by id; where
/// the source gave only the account's name, it continues the account's latest post before it.
fn threads(posts: &[Post], self_replies: &[bool], min: usize) -> Vec<Vec<usize>> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(posts.len());
    let mut root: Vec<usize> = (0..posts.len()).collect();
    let mut latest: Option<usize> = None;
    for (i, p) in posts.iter().enumerate() {
        if self_replies.get(i).copied().unwrap_or(false) {
            let parent = match &p.reply_to_id {
                Some(id) => index.get(id.as_str()).copied(),
                None => latest,
            };
            if let Some(r) = parent.and_then(|j| root.get(j).copied()) {
                if let Some(slot) = root.get_mut(i) {
                    *slot = r;
                }
            }
        }
        index.insert(p.id.as_str(), i);
        if p.kind != PostKind::Repost {
            latest = Some(i);
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in root.iter().enumerate() {
        groups.entry(*r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|g| g.len() >= min.max(2))
        .collect();
    out.sort_unstable();
    out
}

/// How a thread was posted, when a machine posted it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// Every part at most a few seconds after the one before (all within `total` seconds).
    Fast {
        total: f64,
        min_gap: f64,
        max_gap: f64,
    },
    /// Every part the same delay after the one before, give or take the tolerance.
    Drip { gap: f64, tolerance: f64 },
}

/// The pace of one thread (indices into `posts`, oldest first), if a machine's.
fn machine_pace(posts: &[Post], thread: &[usize], cfg: &Config) -> Option<Pace> {
    let times: Vec<DateTime<Utc>> = thread
        .iter()
        .filter_map(|&i| posts.get(i).map(|p| p.created_at))
        .collect();
    let mut gaps: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).num_milliseconds() as f64 / 1000.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    let (&min_gap, &max_gap) = (gaps.first()?, gaps.last()?);
    if times.len() >= cfg.thread_min_posts.max(2) && max_gap <= cfg.thread_fast_gap_secs {
        let total = (*times.last()? - *times.first()?).num_milliseconds() as f64 / 1000.0;
        return Some(Pace::Fast {
            total,
            min_gap,
            max_gap,
        });
    }
    let drip = gaps.len() >= 3
        && min_gap >= 10.0
        && max_gap <= 3600.0
        && max_gap - min_gap <= cfg.thread_drip_tolerance_secs;
    drip.then(|| Pace::Drip {
        gap: gaps.get(gaps.len() / 2).copied().unwrap_or(min_gap),
        tolerance: (max_gap - min_gap) / 2.0,
    })
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

/// The rest gap of the posts at `judged` (indices, oldest first), judged per window: years of
/// travel, moves across time zones and the odd sleepless night, folded into one 24-hour
/// profile, leave no empty hour, while within any few weeks a person sleeps at about the same
/// hours. Returns the stats (none with too few posts) and a finding when the posts never rest.
fn rest(
    posts: &[Post],
    judged: &[usize],
    cfg: &Config,
    zone: Tz,
) -> (BTreeMap<String, f64>, Option<Finding>) {
    let mut stats = BTreeMap::new();
    let times: Vec<DateTime<Utc>> = judged
        .iter()
        .filter_map(|&i| posts.get(i).map(|p| p.created_at))
        .collect();
    let n = times.len();
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return (stats, None);
    };
    let days = (*last - *first).num_seconds().max(0) as f64 / 86400.0;
    if n < cfg.rest_gap_min_posts {
        return (stats, None);
    }
    let profile = hour_profile(times.iter());
    let gap = rest_gap_hours(&profile, cfg.quiet_hour_fraction);
    stats.insert("rest_gap_hours".into(), gap as f64);
    // One window is the whole timeline, judged by `gap` already.
    let windows = if n >= 2 * cfg.rest_window_min_posts.max(1) {
        rest_windows(
            &times,
            cfg.rest_window_days,
            cfg.rest_window_min_posts,
            cfg.quiet_hour_fraction,
        )
    } else {
        Vec::new()
    };
    let stretches = windows.len().max(1);
    let restless = if windows.len() > 1 {
        windows.iter().filter(|&&g| g < cfg.rest_gap_hours).count()
    } else {
        usize::from(gap < cfg.rest_gap_hours)
    };
    let restless_share = restless as f64 / stretches as f64;
    stats.insert("rest_windows".into(), stretches as f64);
    stats.insert("restless_window_share".into(), restless_share);
    if restless == 0 || restless_share < cfg.rest_window_share || days < cfg.rest_gap_min_days {
        return (stats, None);
    }
    let severity = if n >= cfg.rest_gap_medium_posts
        && days >= cfg.rest_gap_medium_days
        && restless == stretches
    {
        Severity::Medium
    } else {
        Severity::Low
    };
    let busy = profile.iter().filter(|&&c| c > 0).count();
    let head = if busy == 24 && gap == 0 {
        "posts at every hour of the day".to_string()
    } else {
        format!("posts around the clock (posts in {busy} of 24 hours; quietest stretch {gap} h)")
    };
    let mut numbers = BTreeMap::new();
    numbers.insert("rest_gap_hours".into(), gap as f64);
    numbers.insert("active_hours".into(), busy as f64);
    numbers.insert("posts".into(), n as f64);
    numbers.insert("days".into(), days);
    numbers.insert("rest_windows".into(), stretches as f64);
    numbers.insert("restless_windows".into(), restless as f64);
    let windows_words = if stretches > 1 {
        format!(
            ", and in {restless} of {stretches} stretches of {:.0}+ days",
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
    for &i in judged {
        if let Some(slot) = posts
            .get(i)
            .and_then(|p| per_hour.get_mut(p.created_at.hour() as usize))
        {
            slot.get_or_insert(i);
        }
    }
    let hours: Vec<usize> = per_hour.iter().flatten().copied().collect();
    let mut picks = spread_of(&hours, MAX_EVIDENCE);
    picks.sort_unstable();
    f.evidence = posted_at(posts, picks, |t| clock_at(zone, t));
    (stats, Some(f))
}

/// Evidence of the posts at `picks`, each noted with its time as `time` words it ("posted at
/// 09:00 UTC").
fn posted_at(
    posts: &[Post],
    picks: Vec<usize>,
    time: impl Fn(DateTime<Utc>) -> String,
) -> Vec<Evidence> {
    picks
        .into_iter()
        .filter_map(|i| posts.get(i))
        .map(|p| {
            let at = time(p.created_at);
            Evidence::of(p, Some(format!("posted at {at}")))
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

        // Rest gap: the account's, in the stats; the finding is judged below, on the posts
        // that no reported phase lock or daily slot already explains.
        let all: Vec<usize> = (0..n).collect();
        let (rest_stats, mut rest_finding) = rest(posts, &all, cfg, ctx.zone);
        out.stats.extend(rest_stats);

        // Findings that already tell the rhythm of posts, for the locks below: the clockwork
        // finding rests on every post, the :00-seconds finding on those at :00.
        let mut clockwork_told = false;
        let mut zero_told: Vec<usize> = Vec::new();

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
                    clockwork_told = true;
                }
            }
        }

        // Exact minute.
        // Decoding every id costs: it is asked only where the timestamps alone leave doubt.
        let vouched = std::cell::OnceCell::new();
        let vouch = || *vouched.get_or_init(|| ids_vouch(tl));
        let seconds = posts
            .iter()
            .any(|p| p.created_at.second() != 0 || p.created_at.nanosecond() != 0)
            || vouch();
        if seconds {
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
                f.evidence = posted_at(posts, spread_of(&at_zero, MAX_EVIDENCE), |t| {
                    seconds_at(ctx.zone, t)
                });
                out.findings.push(f);
                zero_told = at_zero;
            }
        }

        // Phase lock and daily slot, over the account's own original posts.
        let originals: Vec<usize> = posts
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.kind, PostKind::Original | PostKind::Quote))
            .map(|(i, _)| i)
            .collect();
        if originals.len() >= cfg.phase_min_posts.min(cfg.slot_min_days) {
            let grain = time_grain(posts, vouch);
            let window = cfg.phase_window_secs;
            let stamps: Vec<(usize, i64)> = originals
                .iter()
                .filter_map(|&i| Some((i, posts.get(i)?.created_at.timestamp())))
                .collect();
            let events = events_of(&stamps, window);
            let poll = POLL_PERIODS
                .into_iter()
                .filter_map(|p| busiest_phase(&stamps, &events, p, window, grain))
                .filter(|l| l.holds(cfg))
                .min_by(|a, b| a.ln_tail.total_cmp(&b.ln_tail));
            let slot =
                busiest_phase(&stamps, &events, DAY_SECS, window, grain).filter(|l| l.holds(cfg));
            let mut locks: Vec<Lock> = poll.into_iter().chain(slot).collect();
            let mut locked: Vec<usize> = locks.iter().flat_map(|l| l.members.clone()).collect();
            locked.sort_unstable();
            locked.dedup();
            out.stats.insert(
                "phase_locked_share".into(),
                locked.len() as f64 / originals.len() as f64,
            );
            // One story per set of posts: the lock less likely by chance is told first; another
            // only when it rests mostly on other posts.
            locks.sort_by(|a, b| a.ln_tail.total_cmp(&b.ln_tail));
            // Repeated texts are the story of `near_duplicate` and `scheduled_repeat` (a campaign
            // re-published at a fixed time lands at one minute of the hour too): a lock resting
            // mostly on them is left to those.
            let mut told: Vec<usize> = zero_told;
            told.extend(ctx.clusters.iter().flat_map(|c| c.members.iter().copied()));
            told.sort_unstable();
            let mut explained: Vec<usize> = Vec::new();
            for lock in &locks {
                if clockwork_told || half_told(&lock.members, &told) {
                    continue;
                }
                out.findings.push(lock_finding(
                    posts,
                    lock,
                    originals.len(),
                    cfg,
                    grain,
                    ctx.zone,
                ));
                told.extend(&lock.members);
                told.sort_unstable();
                explained.extend(&lock.members);
            }
            // A poller posts at night for a person who sleeps: the rest gap is the story of the
            // posts the locks do not explain.
            if !explained.is_empty() {
                explained.sort_unstable();
                let unexplained: Vec<usize> = (0..n)
                    .filter(|i| explained.binary_search(i).is_err())
                    .collect();
                rest_finding = rest(posts, &unexplained, cfg, ctx.zone).1;
            }
        }
        if let Some(f) = rest_finding {
            out.findings.insert(0, f);
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

        // Thread pace: only with real seconds, as rounding makes any thread look instant.
        if seconds {
            let threaded = ctx.self_replies.iter().any(|&s| s);
            let machine: Vec<(Vec<usize>, Pace)> = if !threaded {
                Vec::new()
            } else {
                threads(posts, &ctx.self_replies, cfg.thread_min_posts)
                    .into_iter()
                    .filter_map(|t| {
                        let pace = machine_pace(posts, &t, cfg)?;
                        Some((t, pace))
                    })
                    .collect()
            };
            out.stats
                .insert("machine_thread_count".into(), machine.len() as f64);
            let in_threads: usize = machine.iter().map(|(t, _)| t.len()).sum();
            if !machine.is_empty() && in_threads >= cfg.thread_low_posts {
                out.findings.push(thread_finding(posts, &machine, cfg));
            }
        }
        out
    }
}

/// The finding of threads posted at a machine's pace.
fn thread_finding(posts: &[Post], machine: &[(Vec<usize>, Pace)], cfg: &Config) -> Finding {
    let sizes = |want_fast: bool| -> Vec<usize> {
        machine
            .iter()
            .filter(|(_, p)| matches!(p, Pace::Fast { .. }) == want_fast)
            .map(|(t, _)| t.len())
            .collect()
    };
    let of_posts = |sizes: &[usize]| {
        let (lo, hi) = (
            sizes.iter().min().copied().unwrap_or(0),
            sizes.iter().max().copied().unwrap_or(0),
        );
        let n = sizes.len();
        let range = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}-{hi}")
        };
        if n == 1 {
            format!("1 thread of {range} posts")
        } else {
            format!("{n} threads of {range} posts")
        }
    };
    let mut parts = Vec::new();
    let fast = sizes(true);
    if !fast.is_empty() {
        let (mut total, mut lo, mut hi) = (0.0f64, f64::MAX, 0.0f64);
        for (_, p) in machine {
            if let Pace::Fast {
                total: t,
                min_gap,
                max_gap,
            } = p
            {
                total = total.max(*t);
                lo = lo.min(*min_gap);
                hi = hi.max(*max_gap);
            }
        }
        let each = if fast.len() == 1 { "" } else { "each " };
        parts.push(format!(
            "{}, {each}posted within {} ({:.0}-{:.0} s apart)",
            of_posts(&fast),
            duration(total),
            lo.floor(),
            hi.ceil()
        ));
    }
    let drip = sizes(false);
    if !drip.is_empty() {
        let gaps: Vec<f64> = machine
            .iter()
            .filter_map(|(_, p)| match p {
                Pace::Drip { gap, .. } => Some(*gap),
                Pace::Fast { .. } => None,
            })
            .collect();
        let tolerance = machine
            .iter()
            .filter_map(|(_, p)| match p {
                Pace::Drip { tolerance, .. } => Some(*tolerance),
                Pace::Fast { .. } => None,
            })
            .fold(0.0f64, f64::max);
        let (lo, hi) = (
            gaps.iter().copied().fold(f64::MAX, f64::min),
            gaps.iter().copied().fold(0.0f64, f64::max),
        );
        let drip_words = if hi - lo < 1.0 {
            format!("a part every {}", duration(lo))
        } else {
            format!("a part every {}-{}", duration(lo), duration(hi))
        };
        parts.push(format!(
            "{} on a drip of {drip_words} (±{:.0} s)",
            of_posts(&drip),
            tolerance.ceil().max(1.0)
        ));
    }
    let in_threads: usize = machine.iter().map(|(t, _)| t.len()).sum();
    let severity = if machine.len() >= cfg.threads_medium {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut numbers = BTreeMap::new();
    numbers.insert("machine_threads".into(), machine.len() as f64);
    numbers.insert("fast_threads".into(), fast.len() as f64);
    numbers.insert("drip_threads".into(), drip.len() as f64);
    numbers.insert("posts_in_threads".into(), in_threads as f64);
    let mut f = finding(
        severity,
        format!(
            "{}, as a thread scheduler posts them; typed by hand, parts come minutes apart",
            parts.join("; ")
        ),
        numbers,
    );
    f.posts = machine
        .iter()
        .flat_map(|(t, _)| t.iter())
        .filter_map(|&i| posts.get(i))
        .map(PostRef::of)
        .collect();
    f.posts
        .sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    f.evidence = spread_of(machine, MAX_EVIDENCE)
        .into_iter()
        .filter_map(|(t, pace)| {
            let head = posts.get(*t.first()?)?;
            let note = match pace {
                Pace::Fast {
                    total,
                    min_gap,
                    max_gap,
                } => format!(
                    "first of {} posts within {} ({:.0}-{:.0} s apart)",
                    t.len(),
                    duration(total),
                    min_gap.floor(),
                    max_gap.ceil()
                ),
                Pace::Drip { gap, tolerance } => format!(
                    "first of {} posts, a part every {} (±{:.0} s)",
                    t.len(),
                    duration(gap),
                    tolerance.ceil().max(1.0)
                ),
            };
            Some(Evidence::of(head, Some(note)))
        })
        .collect();
    f
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

    /// An [`Lcg`] whose stream does not follow that of the seed next to it (splitmix64's
    /// finaliser): a poller and a person drawn from seeds 61 and 62 must not post in step.
    fn seeded(seed: u64) -> Lcg {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Lcg(z ^ (z >> 31))
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
        // No burst: the threads (three of four parts, a second apart) are told by their pace.
        let out = run(&tl);
        let summaries: Vec<&str> = out.findings.iter().map(|f| f.summary.as_str()).collect();
        assert_eq!(out.findings.len(), 1, "{summaries:?}");
        assert!(
            summaries[0].starts_with("3 threads of 4 posts, each posted within 3 s"),
            "{summaries:?}"
        );
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

    // ------------------------------------------------------------------------------------------
    // Phase lock, daily slot, thread pace.

    /// A timeline of `(id, time)` posts, each with its own text.
    fn timeline_of(posts: Vec<(String, DateTime<Utc>)>) -> Timeline {
        let mut tl = Timeline::new("acct", Platform::Other);
        for (id, t) in posts {
            let text = format!("item {id}: something new");
            tl.posts.push(Post::new(id, t, text));
        }
        tl.finish();
        tl
    }

    /// A feed poller run by cron every `period_min` minutes, `offset_secs` past the tick: each
    /// cycle finds a new item with chance `p` and posts it 3–30 s after the tick, as a real bot
    /// on a 15-minute cron did (seconds 07–29).
    fn poller(
        days: i64,
        period_min: i64,
        offset_secs: i64,
        p: f64,
        seed: u64,
    ) -> Vec<DateTime<Utc>> {
        let mut r = seeded(seed);
        let mut times = Vec::new();
        for c in 0..days * 1440 / period_min {
            if r.next() < p {
                let delay = 3 + (r.next() * 27.0) as i64;
                times.push(t0() + Duration::seconds(c * period_min * 60 + offset_secs + delay));
            }
        }
        times
    }

    /// A person's `n` posts over `days` days between 07:00 and 23:00 UTC: minutes and seconds
    /// of the hour uniform.
    fn person_times(n: usize, days: i64, seed: u64) -> Vec<DateTime<Utc>> {
        let mut r = seeded(seed);
        (0..n)
            .map(|_| {
                let day = (r.next() * days as f64) as i64;
                let secs = 7 * 3600 + (r.next() * 16.0 * 3600.0) as i64;
                t0() + Duration::days(day) + Duration::seconds(secs)
            })
            .collect()
    }

    fn ids(prefix: &str, times: Vec<DateTime<Utc>>) -> Vec<(String, DateTime<Utc>)> {
        times
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("{prefix}{i}"), t))
            .collect()
    }

    fn lock_finding_of(out: &Outcome) -> Option<&Finding> {
        out.findings
            .iter()
            .find(|f| f.numbers.contains_key("period_seconds"))
    }

    #[test]
    fn a_15_minute_poller_with_new_texts_is_found() {
        let tl = timeline_of(ids("p", poller(10, 15, 7 * 60, 0.09, 5)));
        let n = tl.posts.len();
        assert!((70..=100).contains(&n), "{n}");
        let out = run(&tl);
        let f = lock_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert!(
            f.summary.starts_with(&format!(
                "{n} of {n} original posts (100%) land at minute :07, :22, :37 or :52 of the hour, within"
            )),
            "{}",
            f.summary
        );
        assert!(
            f.summary
                .ends_with("a 15-minute poller's rhythm (by chance about 13%)"),
            "{}",
            f.summary
        );
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.posts.len(), n);
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        let note = f.evidence[1].note.as_deref().unwrap_or("");
        assert!(
            note.starts_with("at ") && note.contains("min after the one before"),
            "{note}"
        );
        assert_eq!(out.stats["phase_locked_share"], 1.0);
    }

    #[test]
    fn an_hourly_poller_is_found_as_hourly() {
        let tl = timeline_of(ids("p", poller(20, 60, 42 * 60, 0.3, 9)));
        let out = run(&tl);
        let f = lock_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert_eq!(f.numbers["period_seconds"], 3600.0);
        assert!(
            f.summary.contains("land at minute :42 of the hour")
                && f.summary
                    .contains("an hourly poller's rhythm (by chance about 3%)"),
            "{}",
            f.summary
        );
        assert_eq!(f.severity, Severity::Medium);
    }

    #[test]
    fn a_daily_series_at_the_same_minute_amid_a_persons_posts_is_found() {
        // A job posting a new item at 06:00 UTC, 5-40 s after the minute, on 41 of 45 days; the
        // person behind it posts by hand, by day, 200 times. Its gaps are no clock.
        let mut r = seeded(21);
        let skipped = [5, 17, 18, 33];
        let daily: Vec<DateTime<Utc>> = (0..45)
            .filter(|d| !skipped.contains(d))
            .map(|d| {
                t0() + Duration::days(d)
                    + Duration::hours(6)
                    + Duration::seconds(5 + (r.next() * 35.0) as i64)
            })
            .collect();
        let mut posts = ids("job", daily);
        posts.extend(ids("me", person_times(200, 45, 22)));
        let out = run(&timeline_of(posts));
        assert!(
            !out.findings
                .iter()
                .any(|f| f.summary.starts_with("clockwork")),
            "{:#?}",
            out.findings
        );
        let locks: Vec<&Finding> = out
            .findings
            .iter()
            .filter(|f| f.numbers.contains_key("period_seconds"))
            .collect();
        assert_eq!(locks.len(), 1, "one story: {locks:#?}");
        let f = locks[0];
        assert!(
            f.summary
                .starts_with("daily at 06:00 UTC ±1 min on 41 of 45 days (41 posts, within"),
            "{}",
            f.summary
        );
        assert_eq!(f.severity, Severity::Medium);
        assert!(
            f.posts.iter().all(|p| p.id.starts_with("job")),
            "{:?}",
            f.posts
        );
        let note = f.evidence[1].note.as_deref().unwrap_or("");
        assert!(note.starts_with("at 06:00:"), "{note}");
    }

    #[test]
    fn a_daily_slot_reads_in_the_report_zone() {
        // A job at 06:00 UTC every day of March 2025 (CET until the 30th, then CEST).
        let daily: Vec<DateTime<Utc>> = (0..28)
            .map(|d| t0() + Duration::days(d) + Duration::hours(6) + Duration::seconds(5))
            .collect();
        let mut posts = ids("job", daily);
        posts.extend(ids("me", person_times(200, 28, 22)));
        let tl = timeline_of(posts);
        let cfg = All::default();
        let utc = Timing.run(&Context::new(&tl, &cfg, t0()));
        let berlin = Timing.run(&Context::new(&tl, &cfg, t0()).in_zone(chrono_tz::Europe::Berlin));
        let lock = |out: &Outcome| lock_finding_of(out).cloned().expect("a daily slot");
        let (u, b) = (lock(&utc), lock(&berlin));
        assert!(
            u.summary
                .starts_with("daily at 06:00 UTC ±1 min on 28 of 28 days"),
            "{}",
            u.summary
        );
        assert!(
            b.summary
                .starts_with("daily at 07:00 Europe/Berlin ±1 min on 28 of 28 days"),
            "{}",
            b.summary
        );
        assert!(!b.summary.contains("UTC"), "{}", b.summary);
        let note = b.evidence[0].note.as_deref().unwrap_or("");
        assert!(note.starts_with("at 07:00:05 Europe/Berlin"), "{note}");
        assert_eq!((u.severity, &u.numbers), (b.severity, &b.numbers));
        assert_eq!(utc.findings.len(), berlin.findings.len());
    }

    #[test]
    fn a_person_with_uniform_minutes_is_not_locked() {
        let out = run(&timeline_of(ids("p", person_times(400, 60, 31))));
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert_eq!(out.stats["phase_locked_share"], 0.0);
    }

    #[test]
    fn a_person_posting_links_daily_around_7_by_hand_is_not_locked() {
        // Every day "around 7", give or take 20 minutes, and a few more posts by day.
        let mut r = seeded(41);
        let mut times: Vec<DateTime<Utc>> = (0..90)
            .map(|d| {
                t0() + Duration::days(d)
                    + Duration::minutes(6 * 60 + 40)
                    + Duration::seconds((r.next() * 2400.0) as i64)
            })
            .collect();
        times.extend(person_times(150, 90, 42));
        let out = run(&timeline_of(ids("p", times)));
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert_eq!(out.stats["phase_locked_share"], 0.0);
    }

    #[test]
    fn times_rounded_by_an_export_do_not_lock_a_person() {
        for (step, seed) in [(60, 51), (300, 52), (900, 53)] {
            let times: Vec<DateTime<Utc>> = person_times(400, 60, seed)
                .into_iter()
                .map(|t| {
                    let s = t.timestamp();
                    Utc.timestamp_opt(s - s.rem_euclid(step), 0).unwrap()
                })
                .collect();
            let tl = timeline_of(ids("p", times));
            assert_eq!(time_grain(&tl.posts, || false), step);
            let out = run(&tl);
            assert!(
                lock_finding_of(&out).is_none(),
                "rounded to {step} s: {:#?}",
                out.findings
            );
        }
        // A poller whose times an export rounds to 5 minutes still stands out: every post on
        // one of the three 5-minute steps of its quarter hour.
        let times: Vec<DateTime<Utc>> = poller(10, 15, 10 * 60, 0.09, 54)
            .into_iter()
            .map(|t| {
                let s = t.timestamp();
                Utc.timestamp_opt(s - s.rem_euclid(300), 0).unwrap()
            })
            .collect();
        let out = run(&timeline_of(ids("p", times)));
        let f = lock_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert!(f.summary.contains("(by chance about 33%)"), "{}", f.summary);
    }

    #[test]
    fn a_part_time_poller_is_found_and_only_its_posts_are_listed() {
        // A person (280 posts by day over 60 days) who also runs a 15-minute feed poller: 30%
        // of the posts.
        let person = person_times(280, 60, 61);
        let feed = poller(60, 15, 11 * 60, 120.0 / (60.0 * 96.0), 62);
        assert!((100..=140).contains(&feed.len()), "{}", feed.len());
        let (n_person, n_feed) = (person.len(), feed.len());
        let mut posts = ids("me", person);
        posts.extend(ids("feed", feed));
        let out = run(&timeline_of(posts));
        let f = lock_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert!(f.severity >= Severity::Low);
        assert!(
            f.summary
                .contains("land at minute :11, :26, :41 or :56 of the hour"),
            "{}",
            f.summary
        );
        let listed_feed = f.posts.iter().filter(|p| p.id.starts_with("feed")).count();
        let listed_person = f.posts.len() - listed_feed;
        assert_eq!(listed_feed, n_feed, "every poller post is listed");
        // The person's posts that fall on the poller's half-minute by chance: about 1 in 30.
        assert!(
            listed_person * 25 <= n_person,
            "{listed_person} of the person's {n_person} posts listed"
        );
        // The rest of the timeline stays unflagged.
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
    }

    #[test]
    fn a_traveller_across_time_zones_is_not_locked() {
        let out = run(&traveller(|_| true));
        assert!(lock_finding_of(&out).is_none(), "{:#?}", out.findings);
        assert_eq!(out.stats["phase_locked_share"], 0.0);
    }

    #[test]
    fn eight_posts_are_at_most_low() {
        // Eight posts at one minute of the hour, a thread of them a second apart.
        let mut tl = Timeline::new("acct", Platform::Other);
        for i in 0..8i64 {
            let mut p = Post::new(
                format!("t{i}"),
                t0() + Duration::hours(i * 5) + Duration::minutes(7) + Duration::seconds(i),
                "part",
            );
            if i % 4 > 0 {
                p.kind = PostKind::Reply;
                p.reply_to_account = Some("acct".into());
                p.reply_to_id = Some(format!("t{}", i - 1));
                p.created_at = t0() + Duration::hours((i - i % 4) * 5) + Duration::seconds(i % 4);
            }
            tl.posts.push(p);
        }
        tl.finish();
        let out = run(&tl);
        assert!(
            out.findings.iter().all(|f| f.severity <= Severity::Low),
            "{:#?}",
            out.findings
        );
        assert!(lock_finding_of(&out).is_none());
    }

    /// A thread: a first post at `start` and replies to it by the account, `gaps` seconds
    /// (fractions allowed) after the part before.
    fn thread(tl: &mut Timeline, name: &str, start: DateTime<Utc>, gaps: &[f64]) {
        let mut t = start;
        tl.posts
            .push(Post::new(format!("{name}-0"), t, "1/ a thread"));
        for (k, g) in gaps.iter().enumerate() {
            t += Duration::milliseconds((g * 1000.0) as i64);
            let mut p = Post::new(format!("{name}-{}", k + 1), t, format!("{}/ more", k + 2));
            p.kind = PostKind::Reply;
            p.reply_to_account = Some("acct".into());
            p.reply_to_id = Some(format!("{name}-{k}"));
            tl.posts.push(p);
        }
    }

    fn with_person(threads: impl FnOnce(&mut Timeline)) -> Outcome {
        let mut tl = timeline_of(ids("me", person_times(60, 30, 71)));
        threads(&mut tl);
        tl.finish();
        run(&tl)
    }

    fn thread_finding_of(out: &Outcome) -> Option<&Finding> {
        out.findings
            .iter()
            .find(|f| f.numbers.contains_key("machine_threads"))
    }

    #[test]
    fn a_thread_of_ten_posted_one_to_two_seconds_apart_is_found() {
        let gaps = [1.2, 1.6, 1.1, 1.9, 1.3, 1.4, 1.8, 1.2, 1.5];
        let out = with_person(|tl| thread(tl, "th", t0() + Duration::hours(34), &gaps));
        let f = thread_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        assert_eq!(
            f.summary,
            "1 thread of 10 posts, posted within 13 s (1-2 s apart), as a thread scheduler posts them; typed by hand, parts come minutes apart"
        );
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.posts.len(), 10);
        assert_eq!(f.evidence.len(), 1);
        assert_eq!(out.stats["machine_thread_count"], 1.0);
    }

    #[test]
    fn three_scheduled_threads_read_as_one_finding() {
        let out = with_person(|tl| {
            for (k, n) in [8usize, 10, 9].into_iter().enumerate() {
                let start = t0() + Duration::days(k as i64 * 3) + Duration::hours(9);
                thread(tl, &format!("th{k}"), start, &vec![1.4; n - 1]);
            }
        });
        let f = thread_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert!(
            f.summary
                .starts_with("3 threads of 8-10 posts, each posted within 13 s (1-2 s apart)"),
            "{}",
            f.summary
        );
        assert_eq!(f.posts.len(), 27);
        assert_eq!(f.evidence.len(), 3);
    }

    #[test]
    fn a_thread_on_an_exact_minute_drip_is_found() {
        let gaps = [60.3, 61.1, 60.2, 60.9, 60.5];
        let out = with_person(|tl| thread(tl, "th", t0() + Duration::hours(40), &gaps));
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = thread_finding_of(&out).unwrap_or_else(|| panic!("{:#?}", out.findings));
        assert!(
            f.summary
                .starts_with("1 thread of 6 posts on a drip of a part every 60 s (±1 s)"),
            "{}",
            f.summary
        );
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.posts.len(), 6);
    }

    #[test]
    fn a_thread_typed_by_hand_over_ten_minutes_is_not_found() {
        // Continuations typed one after another, as a real person's "..." series: 4-7 min (here
        // 1.5-3 min, ten minutes in all), and a pasted series 12-17 s a part.
        let out = with_person(|tl| {
            thread(
                tl,
                "typed",
                t0() + Duration::hours(34),
                &[95.0, 170.0, 130.0, 181.0],
            );
            thread(tl, "pasted", t0() + Duration::hours(60), &[17.4, 12.5]);
        });
        assert!(thread_finding_of(&out).is_none(), "{:#?}", out.findings);
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert_eq!(out.stats["machine_thread_count"], 0.0);
    }

    #[test]
    fn thread_pace_needs_real_seconds() {
        // Times rounded to the minute make any thread look instant.
        let mut tl = Timeline::new("acct", Platform::Other);
        thread(&mut tl, "th", t0(), &[0.0, 0.0, 60.0, 0.0, 0.0]);
        for i in 0..30 {
            tl.posts.push(Post::new(
                format!("p{i}"),
                t0() + Duration::hours(i + 2),
                "x",
            ));
        }
        tl.finish();
        let out = run(&tl);
        assert!(!out.stats.contains_key("machine_thread_count"));
        assert!(thread_finding_of(&out).is_none());
    }

    #[test]
    fn the_binomial_tail_is_right_at_both_ends() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
        assert!(close(ln_binomial_tail(10, 10, 0.5), -(1024f64.ln())));
        // P(X >= 2) for Bin(3, 0.5) = 4/8.
        assert!(close(ln_binomial_tail(3, 2, 0.5), 0.5f64.ln()));
        assert_eq!(ln_binomial_tail(30, 1, 1.0 / 30.0), 0.0);
        assert_eq!(ln_binomial_tail(5, 6, 0.1), f64::NEG_INFINITY);
        let exact: f64 = (2..=40).map(|i| (i as f64).ln()).sum();
        assert!(close(ln_factorial(40), exact));
    }
}
