//! `scheduled_repeat`: the same post re-published on a machine's schedule: every 7 days at
//! 09:00, every 6 hours on the hour, always at :00 seconds.
//!
//! It reads the near-duplicate clusters of [`super::Context`], and its templated series (posts
//! in one fixed frame whose slot changes every time, as feed posters and series bots publish
//! them: "New on the blog: {title} {url}", "Tip of the day: {tip}"), and keeps the original
//! posts (not replies, not reposts) of each. A templated series is reported only when its
//! timing is regular: people open posts alike too, programs do it on a clock. A cluster of at least `min_repeats` such posts is judged
//! on its timing:
//! - **period**: the intervals are near-constant, or near multiples of a base period (a missed
//!   slot is tolerated). The base period is searched among a few robust candidates (quartiles
//!   of the intervals and their halves and thirds, and the usual hours, days and weeks), each
//!   refined to the median of the intervals it explains, so the search is linear; an interval
//!   one hour off a daily or longer period counts as on schedule (daylight-saving time);
//! - **time slot**: on three or more different days, at the same time of day (the smallest
//!   arc of the clock that holds 80% of the posts is at most `2 × slot_spread_minutes` wide),
//!   as scheduler queues with fixed slots do;
//! - **same second**: at least 80% of the posts at the same second of the minute (`:00`),
//!   counted only when the timeline has second precision at all.
//!
//! Any one of these makes the cluster *regular*, a campaign. Severity: high when regular and
//! promotional (half its posts have [`super::markers::markers`]) or repeated at least
//! `high_repeats` times; medium when regular; low when the timing is irregular but it is still a
//! campaign (`campaign_repeats` posts over at least `campaign_days`); otherwise nothing: a
//! person re-sharing a link a few times at human times is not a finding.
//!
//! Stats: `campaigns` (regular clusters) and `active_campaigns` (campaigns whose next expected
//! post, last + period, is not more than one period before the time of the analysis).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Timelike, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::context::Cluster;
use super::evidence::{local_clock, plural, rounded_duration, spread};
use super::markers::Marker;
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};
use crate::model::{Post, PostKind};
use crate::text::shorten;

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "scheduled_repeat";

/// The most points this detector can take off the score. Scheduled repeats are one of the two habits echoscope is about: the highest weight.
pub const MAX_PENALTY: u32 = 40;

/// Posts closer together than this are one slot posted twice (a double post), not an interval.
const MIN_GAP_SECONDS: f64 = 60.0;
/// The shortest base period considered: below it, a few posts minutes apart would look
/// periodic by chance.
const MIN_PERIOD_SECONDS: f64 = 600.0;
/// Share of posts the time-of-day and second-of-minute patterns must hold.
const PATTERN_SHARE: f64 = 0.8;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

/// `[detectors.scheduled_repeat]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest original posts of one text judged (default 3).
    pub min_repeats: usize,
    /// Fewest posts of a templated series (a fixed frame, new text each time) for a finding;
    /// it is then `low`, `medium` from `frame_medium_posts` and `high` from twice that, if
    /// its timing would make it so.
    pub frame_min_posts: usize,
    pub frame_medium_posts: usize,
    /// Share of intervals that must fit the period (default 0.8).
    pub min_on_schedule: f64,
    /// How far an interval may be from a multiple of the period, as a share of the period
    /// (default 0.01: 14 min on a daily period), kept between the next two settings.
    pub tolerance_share: f64,
    /// Smallest tolerance, seconds (default 60).
    pub min_tolerance_seconds: f64,
    /// Largest tolerance, seconds (default 1800).
    pub max_tolerance_seconds: f64,
    /// Skipped slots allowed per posted interval (default 1.0: a weekly schedule may skip
    /// every other week, but a "daily" period does not explain posts a week apart).
    pub max_missed_slots: f64,
    /// Half-width of a fixed time-of-day slot, minutes (default 5: "09:00 ±5 min").
    pub slot_spread_minutes: f64,
    /// Regular repeats from this count on are high severity even when not promotional
    /// (default 6).
    pub high_repeats: usize,
    /// Irregular repeats are a (low) finding from this count on... (default 4)
    pub campaign_repeats: usize,
    /// ...when they span at least this many days (default 14).
    pub campaign_days: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_repeats: 3,
            frame_min_posts: 8,
            frame_medium_posts: 15,
            min_on_schedule: 0.8,
            tolerance_share: 0.01,
            min_tolerance_seconds: 60.0,
            max_tolerance_seconds: 1800.0,
            max_missed_slots: 1.0,
            slot_spread_minutes: 5.0,
            high_repeats: 6,
            campaign_repeats: 4,
            campaign_days: 14.0,
        }
    }
}

impl Config {
    fn tolerance(&self, period: f64) -> f64 {
        let lo = self.min_tolerance_seconds.max(0.0);
        let hi = self.max_tolerance_seconds.max(lo);
        (period * self.tolerance_share).clamp(lo, hi)
    }
}

pub struct ScheduledRepeat;

impl Detector for ScheduledRepeat {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.scheduled_repeat.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// A campaign needs `min_repeats` posts.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config.scheduled_repeat.min_repeats.max(2)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.scheduled_repeat;
        let posts = &ctx.timeline.posts;
        // Formats without seconds (some feeds) put every post at :00; "same second" then means
        // nothing.
        let with_seconds = posts
            .iter()
            .filter(|p| p.created_at.second() != 0 || p.created_at.nanosecond() != 0)
            .count();
        let has_seconds = with_seconds * 10 > posts.len();
        let mut findings = Vec::new();
        let mut campaigns = 0;
        let mut active = 0;
        // Near-duplicate clusters, then templated series (a fixed frame, new text each time):
        // a series is judged only by its timing, since people open posts alike too.
        let series = ctx.clusters.iter().map(|c| (c, false));
        let framed = ctx.frames.iter().map(|c| (c, true));
        for (cluster, framed) in series.chain(framed) {
            let Some(a) = analyse(cluster, posts, &ctx.markers, cfg, has_seconds) else {
                continue;
            };
            // A frame is weaker evidence than a repeated text: a person may schedule a few
            // "New on the blog: …" posts in a Buffer slot. It needs more posts, and its
            // severity grows with their number.
            if framed && (!a.regular() || a.posts.len() < cfg.frame_min_posts) {
                continue;
            }
            if a.regular() {
                campaigns += 1;
                let period = a.period.as_ref().map_or(a.median_interval, |p| p.seconds);
                let last = a.posts.last().map_or(0, |p| p.created_at.timestamp());
                let next = last as f64 + period;
                if next >= ctx.now.timestamp() as f64 - period {
                    active += 1;
                }
            }
            if let Some(mut f) = a.finding(cfg, &cluster.template, ctx.zone) {
                if framed {
                    let n = a.posts.len();
                    let most = if n >= 2 * cfg.frame_medium_posts {
                        Severity::High
                    } else if n >= cfg.frame_medium_posts {
                        Severity::Medium
                    } else {
                        Severity::Low
                    };
                    f.severity = f.severity.min(most);
                    f.summary = format!(
                        "a templated series, new text in a fixed frame each time: {}",
                        f.summary
                    );
                    f.numbers
                        .insert("wordings".to_string(), cluster.wordings as f64);
                }
                findings.push(f);
            }
        }
        findings.sort_by(|a, b| {
            b.severity.cmp(&a.severity).then_with(|| {
                let n = |f: &Finding| f.numbers.get("repeats").copied().unwrap_or(0.0);
                n(b).total_cmp(&n(a))
            })
        });
        let stats = BTreeMap::from([
            ("campaigns".to_string(), campaigns as f64),
            ("active_campaigns".to_string(), active as f64),
        ]);
        Outcome { findings, stats }
    }
}

/// A base period that explains the intervals of a series.
#[derive(Debug, Clone, PartialEq)]
struct Period {
    seconds: f64,
    tolerance: f64,
    /// Intervals that fit a multiple of the period (daylight-saving shifts included).
    on_schedule: usize,
    /// Of those, the ones that fit only with a one-hour shift.
    dst_shifts: usize,
    intervals: usize,
    /// Slots the intervals span (an interval of two periods is two slots, one of them missed).
    slots: u64,
    /// Per post: whether the interval that ends at it is off schedule.
    off: Vec<bool>,
}

impl Period {
    fn missed_slots(&self) -> u64 {
        self.slots.saturating_sub(self.intervals as u64)
    }
}

/// The smallest arc of a circle (a day, an hour) that holds a share of the points.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Arc {
    centre: f64,
    /// Half the arc's width: the "±".
    half: f64,
}

/// Everything measured about one cluster's original posts.
struct Analysis<'a> {
    posts: Vec<&'a Post>,
    period: Option<Period>,
    /// Time of day in minutes (0..1440).
    time_of_day: Arc,
    /// Minute of the hour (0..60).
    minute_of_hour: Arc,
    distinct_days: usize,
    weekday: (Weekday, usize),
    /// The most common second of the minute and how many posts have it (`None` without second
    /// precision).
    second: Option<(u32, usize)>,
    median_interval: f64,
    slot: bool,
    promotional: usize,
    client: Option<&'a str>,
}

fn analyse<'a>(
    cluster: &Cluster,
    posts: &'a [Post],
    markers: &[Vec<Marker>],
    cfg: &Config,
    has_seconds: bool,
) -> Option<Analysis<'a>> {
    let promotional = cluster
        .members
        .iter()
        .filter(|&&i| {
            posts.get(i).is_some_and(|p| p.kind == PostKind::Original)
                && markers.get(i).is_some_and(|m| !m.is_empty())
        })
        .count();
    let mut members: Vec<&Post> = cluster
        .members
        .iter()
        .filter_map(|&i| posts.get(i))
        .filter(|p| p.kind == PostKind::Original)
        .collect();
    if members.len() < cfg.min_repeats.max(2) {
        return None;
    }
    members.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let secs: Vec<i64> = members.iter().map(|p| p.created_at.timestamp()).collect();
    let mut intervals: Vec<f64> = secs
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64)
        .filter(|&d| d >= MIN_GAP_SECONDS)
        .collect();
    let period = find_period(&secs, cfg);
    intervals.sort_by(f64::total_cmp);
    let median_interval = quantile(&intervals, 0.5).unwrap_or(0.0);

    let mut tod: Vec<f64> = members
        .iter()
        .map(|p| p.created_at.num_seconds_from_midnight() as f64 / 60.0)
        .collect();
    let time_of_day = circular_arc(&mut tod, 1440.0, PATTERN_SHARE);
    let mut moh: Vec<f64> = tod.iter().map(|m| m % 60.0).collect();
    let minute_of_hour = circular_arc(&mut moh, 60.0, PATTERN_SHARE);
    let mut days: Vec<i64> = secs.iter().map(|s| s.div_euclid(86_400)).collect();
    days.dedup();
    let distinct_days = days.len();
    let mut by_weekday = [0usize; 7];
    for p in &members {
        by_weekday[p.created_at.weekday().num_days_from_monday() as usize] += 1;
    }
    let (wd, wd_count) = mode(&by_weekday);
    let weekday = (
        Weekday::try_from(wd as u8).unwrap_or(Weekday::Mon),
        wd_count,
    );
    let second = has_seconds.then(|| {
        let mut by_second = [0usize; 60];
        for p in &members {
            by_second[(p.created_at.second() % 60) as usize] += 1;
        }
        let (s, c) = mode(&by_second);
        (s as u32, c)
    });
    let slot = distinct_days >= 3 && time_of_day.half <= cfg.slot_spread_minutes;
    let client = members.first().and_then(|p| p.client.as_deref());
    let client = client
        .filter(|c| !c.trim().is_empty() && members.iter().all(|p| p.client.as_deref() == Some(c)));
    Some(Analysis {
        posts: members,
        period,
        time_of_day,
        minute_of_hour,
        distinct_days,
        weekday,
        second,
        median_interval,
        slot,
        promotional,
        client,
    })
}

impl Analysis<'_> {
    fn n(&self) -> usize {
        self.posts.len()
    }

    fn same_second(&self) -> Option<u32> {
        let (s, count) = self.second?;
        (count >= 3 && count as f64 >= PATTERN_SHARE * self.n() as f64).then_some(s)
    }

    fn regular(&self) -> bool {
        self.period.is_some() || self.slot || self.same_second().is_some()
    }

    fn is_promotional(&self) -> bool {
        self.promotional * 2 >= self.n() && self.promotional > 0
    }

    fn span_days(&self) -> f64 {
        match (self.posts.first(), self.posts.last()) {
            (Some(a), Some(b)) => (b.created_at - a.created_at).num_seconds() as f64 / DAY,
            _ => 0.0,
        }
    }

    fn weekday_share(&self) -> f64 {
        self.weekday.1 as f64 / self.n().max(1) as f64
    }

    /// The schedule in words, when the posts keep one, with its clock time and weekdays read
    /// in `zone` on the date of the last post.
    fn schedule(&self, zone: Tz) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let at = self
            .posts
            .last()
            .map_or_else(DateTime::default, |p| p.created_at);
        let local = local_clock(
            zone,
            (self.time_of_day.centre.round() as i64).rem_euclid(1440),
            at,
            self.posts.iter().map(|p| p.created_at),
        );
        let tod = format!(
            "{} ±{} min{}",
            local.clock,
            self.time_of_day.half.round().max(1.0),
            local.note
        );
        let weekday = shifted(self.weekday.0, local.day_shift);
        if let Some(p) = &self.period {
            parts.push(period_words(p.seconds, p.tolerance));
            if p.seconds >= DAY - p.tolerance {
                let weekly = is_multiple(p.seconds, WEEK, p.tolerance.max(HOUR));
                let tod_fits = self.time_of_day.half <= 30.0;
                match (weekly && self.weekday_share() >= PATTERN_SHARE, tod_fits) {
                    (true, true) => parts.push(format!("{}s {tod}", weekday_name(weekday))),
                    (true, false) => parts.push(format!("{}s", weekday_name(weekday))),
                    (false, true) => parts.push(tod),
                    (false, false) => {}
                }
                if p.dst_shifts > 0 {
                    parts.push("shifting 1 h with daylight-saving time".to_string());
                }
            } else if is_multiple(p.seconds, HOUR, p.tolerance) && self.minute_of_hour.half <= 5.0 {
                parts.push(format!(
                    "at :{:02} past the hour ±{} min",
                    (self.minute_of_hour.centre.round() as i64).rem_euclid(60),
                    self.minute_of_hour.half.round().max(1.0)
                ));
            }
            let missed = p.missed_slots();
            if missed > 0 {
                parts.push(format!("{missed} {} skipped", plural(missed, "slot")));
            }
            let off = p.intervals - p.on_schedule;
            if off > 0 {
                parts.push(format!("{off} off schedule"));
            }
        } else if self.slot {
            parts.push(format!(
                "at {tod} on {}",
                self.weekday_words(local.day_shift)
            ));
        }
        if let Some(s) = self.same_second() {
            parts.push(format!("always at :{s:02} seconds"));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// "Mondays and Thursdays" when three weekdays or fewer hold the posts, else "different
    /// days"; each UTC weekday moved by `day_shift` days, as the zone moves the slot's date.
    fn weekday_words(&self, day_shift: i64) -> String {
        let mut by = [0usize; 7];
        for p in &self.posts {
            let day = shifted(p.created_at.weekday(), day_shift);
            by[day.num_days_from_monday() as usize] += 1;
        }
        let days: Vec<String> = (0..7u8)
            .filter(|&d| by[d as usize] > 0)
            .filter_map(|d| Weekday::try_from(d).ok())
            .map(|d| format!("{}s", weekday_name(d)))
            .collect();
        match days.as_slice() {
            [one] => one.clone(),
            [a, b] => format!("{a} and {b}"),
            [a, b, c] => format!("{a}, {b} and {c}"),
            _ => "different days".to_string(),
        }
    }

    fn finding(&self, cfg: &Config, template: &str, zone: Tz) -> Option<Finding> {
        let n = self.n();
        let regular = self.regular();
        let promotional = self.is_promotional();
        let span = self.span_days();
        let severity = if regular {
            if promotional || n >= cfg.high_repeats {
                Severity::High
            } else {
                Severity::Medium
            }
        } else if n >= cfg.campaign_repeats && span >= cfg.campaign_days {
            // Repeated, but at human-looking times: evidence to look at, not a schedule.
            Severity::Info
        } else {
            return None;
        };
        let schedule = if regular { self.schedule(zone) } else { None };
        let mut summary = format!("posted {n} times");
        match &schedule {
            Some(s) => {
                summary.push_str(", ");
                summary.push_str(s);
            }
            None => summary.push_str(&format!(
                " over {} at irregular times",
                rounded_duration(span * DAY)
            )),
        }
        if let Some(c) = self.client {
            summary.push_str(&format!(", via {c}"));
        }
        if promotional {
            summary.push_str(" (promotional)");
        }

        let mut numbers = BTreeMap::from([
            ("repeats".to_string(), n as f64),
            ("span_days".to_string(), span),
            ("regular".to_string(), f64::from(u8::from(regular))),
            (
                "time_of_day_spread_minutes".to_string(),
                self.time_of_day.half,
            ),
            ("distinct_days".to_string(), self.distinct_days as f64),
            ("weekday_share".to_string(), self.weekday_share()),
            ("promotional_posts".to_string(), self.promotional as f64),
            ("median_interval_seconds".to_string(), self.median_interval),
        ]);
        if let Some(p) = &self.period {
            numbers.insert("period_seconds".to_string(), p.seconds);
            numbers.insert(
                "on_schedule_share".to_string(),
                p.on_schedule as f64 / p.intervals.max(1) as f64,
            );
            numbers.insert("missed_slots".to_string(), p.missed_slots() as f64);
        }
        if let Some((_, count)) = self.second {
            numbers.insert("same_second_share".to_string(), count as f64 / n as f64);
        }

        let off = self.period.as_ref().map(|p| p.off.as_slice());
        let evidence = spread(n, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|i| {
                let p = self.posts.get(i)?;
                let mut notes = Vec::new();
                if off.and_then(|o| o.get(i)).copied().unwrap_or(false) {
                    notes.push("off schedule".to_string());
                }
                if let Some(c) = &p.client {
                    notes.push(format!("via {c}"));
                }
                let note = (!notes.is_empty()).then(|| notes.join(", "));
                Some(Evidence::of(p, note))
            })
            .collect();
        Some(Finding {
            detector: ID.to_string(),
            severity,
            summary,
            template: Some(shorten(template, 280)),
            schedule,
            numbers,
            evidence,
            posts: self.posts.iter().map(|p| PostRef::of(p)).collect(),
        })
    }
}

/// The base period that best explains the intervals between `secs` (sorted Unix seconds), if
/// one explains at least `min_on_schedule` of them without too many missed slots.
fn find_period(secs: &[i64], cfg: &Config) -> Option<Period> {
    let mut sorted: Vec<f64> = secs
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64)
        .filter(|&d| d >= MIN_GAP_SECONDS)
        .collect();
    if sorted.len() < 2 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mut candidates: Vec<f64> = vec![
        HOUR,
        2.0 * HOUR,
        3.0 * HOUR,
        4.0 * HOUR,
        6.0 * HOUR,
        8.0 * HOUR,
        12.0 * HOUR,
        DAY,
        2.0 * DAY,
        3.0 * DAY,
        WEEK,
        2.0 * WEEK,
    ];
    for q in [0.0, 0.25, 0.5, 0.75] {
        if let Some(v) = quantile(&sorted, q) {
            candidates.extend([v, v / 2.0, v / 3.0]);
        }
    }
    let mut best: Option<Period> = None;
    for c in candidates {
        let Some(first) = fit(secs, c, cfg) else {
            continue;
        };
        // Refine to the median of what the fitting intervals say the period is.
        let refined = first
            .refined_seconds(secs)
            .and_then(|p| fit(secs, p, cfg))
            .filter(|r| r.on_schedule >= first.on_schedule)
            .unwrap_or(first);
        let better = match &best {
            None => true,
            Some(b) => {
                // Most intervals explained, then fewest slots (the longest period that
                // explains them), then fewest daylight-saving excuses.
                let key = |p: &Period| {
                    (
                        p.on_schedule,
                        std::cmp::Reverse(p.slots),
                        std::cmp::Reverse(p.dst_shifts),
                    )
                };
                key(&refined)
                    .cmp(&key(b))
                    .then(refined.seconds.total_cmp(&b.seconds))
                    == std::cmp::Ordering::Greater
            }
        };
        if better {
            best = Some(refined);
        }
    }
    best
}

/// How well `period` explains the intervals of `secs`; `None` if it does not explain enough.
fn fit(secs: &[i64], period: f64, cfg: &Config) -> Option<Period> {
    if !period.is_finite() || period < MIN_PERIOD_SECONDS {
        return None;
    }
    let tolerance = cfg.tolerance(period);
    if period < 4.0 * tolerance {
        return None;
    }
    let mut p = Period {
        seconds: period,
        tolerance,
        on_schedule: 0,
        dst_shifts: 0,
        intervals: 0,
        slots: 0,
        off: vec![false; secs.len()],
    };
    for (i, w) in secs.windows(2).enumerate() {
        let d = (w[1] - w[0]) as f64;
        if d < MIN_GAP_SECONDS {
            continue;
        }
        let k = (d / period).round().max(1.0);
        let r = (d - k * period).abs();
        p.intervals += 1;
        p.slots += k as u64;
        if r <= tolerance {
            p.on_schedule += 1;
        } else if period >= DAY - tolerance && (r - HOUR).abs() <= tolerance {
            p.on_schedule += 1;
            p.dst_shifts += 1;
        } else if let Some(o) = p.off.get_mut(i + 1) {
            *o = true;
        }
    }
    // Two gaps fit some base period by chance far more often than three or more do, so with
    // only two the fit must be exact: no skipped slot, no daylight-saving shift.
    let exact = p.on_schedule == p.intervals && p.slots == p.intervals as u64 && p.dst_shifts == 0;
    let enough = p.intervals >= 2
        && (p.intervals >= 3 || exact)
        && p.on_schedule as f64 >= cfg.min_on_schedule * p.intervals as f64
        && p.slots as f64 <= (1.0 + cfg.max_missed_slots.max(0.0)) * p.intervals as f64;
    enough.then_some(p)
}

impl Period {
    /// The median of `interval / slots` over the intervals that fit without a DST shift.
    fn refined_seconds(&self, secs: &[i64]) -> Option<f64> {
        let mut per_slot: Vec<f64> = secs
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64)
            .filter(|&d| d >= MIN_GAP_SECONDS)
            .filter_map(|d| {
                let k = (d / self.seconds).round().max(1.0);
                ((d - k * self.seconds).abs() <= self.tolerance).then_some(d / k)
            })
            .collect();
        per_slot.sort_by(f64::total_cmp);
        quantile(&per_slot, 0.5)
    }
}

/// The value at quantile `q` (0..=1) of sorted values, by nearest rank.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    sorted
        .get(((last as f64) * q.clamp(0.0, 1.0)).round() as usize)
        .copied()
}

/// The smallest arc of a circle of circumference `modulus` that holds `share` of the points
/// (sorted in place). The earliest such arc on a tie.
fn circular_arc(points: &mut [f64], modulus: f64, share: f64) -> Arc {
    let n = points.len();
    if n == 0 {
        return Arc {
            centre: 0.0,
            half: modulus / 2.0,
        };
    }
    points.sort_by(f64::total_cmp);
    let w = ((share * n as f64).ceil() as usize).clamp(1, n);
    let at = |i: usize| {
        if i < n {
            points[i]
        } else {
            points[i - n] + modulus
        }
    };
    let mut best = (f64::INFINITY, 0.0);
    for i in 0..n {
        let width = at(i + w - 1) - at(i);
        if width < best.0 {
            best = (width, at(i));
        }
    }
    Arc {
        centre: (best.1 + best.0 / 2.0).rem_euclid(modulus),
        half: best.0 / 2.0,
    }
}

/// The most common index and its count (the first on a tie).
fn mode(counts: &[usize]) -> (usize, usize) {
    counts.iter().enumerate().fold(
        (0, 0),
        |best, (i, &c)| if c > best.1 { (i, c) } else { best },
    )
}

/// Whether `value` is within `tolerance` of a non-zero multiple of `unit`.
fn is_multiple(value: f64, unit: f64, tolerance: f64) -> bool {
    let k = (value / unit).round();
    k >= 1.0 && (value - k * unit).abs() <= tolerance
}

/// "every 7 days", "every 2 weeks", "every 6 hours", "every 45 minutes", "every 2.5 days".
fn period_words(seconds: f64, tolerance: f64) -> String {
    let tol = tolerance.max(seconds * 0.01);
    let count = |unit: f64, one: &str, many: &str| {
        let k = (seconds / unit).round() as u64;
        if k == 1 {
            format!("every {one}")
        } else {
            format!("every {k} {many}")
        }
    };
    if is_multiple(seconds, WEEK, tol) {
        count(WEEK, "week", "weeks")
    } else if is_multiple(seconds, DAY, tol) {
        count(DAY, "day", "days")
    } else if seconds >= DAY {
        format!("every {:.1} days", seconds / DAY)
    } else if is_multiple(seconds, HOUR, tol) {
        count(HOUR, "hour", "hours")
    } else if seconds >= HOUR {
        format!("every {:.1} hours", seconds / HOUR)
    } else {
        count(60.0, "minute", "minutes")
    }
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// `day` moved by `days` (the zone's shift of a slot's date: -1, 0 or 1).
fn shifted(day: Weekday, days: i64) -> Weekday {
    let from_monday = (i64::from(day.num_days_from_monday()) + days).rem_euclid(7);
    Weekday::try_from(from_monday as u8).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Timeline};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    /// Monday 2024-01-01 09:00:00 UTC.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap()
    }

    /// A deterministic pseudo-random stream.
    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        }
    }

    /// Chatter of random words at human times, so that the timeline has second precision and
    /// a realistic share of other posts.
    fn chatter(n: usize) -> Vec<Post> {
        let words = [
            "coffee", "morning", "train", "late", "meeting", "cat", "garden", "rain", "book",
            "reading", "dinner", "friends", "weekend", "hike", "code", "review", "music",
            "tickets", "shoes", "walk", "dog", "park", "sunny", "tea", "lunch", "movie",
        ];
        let mut next = lcg(11);
        (0..n)
            .map(|i| {
                let len = 6 + next() as usize % 6;
                let text: Vec<&str> = (0..len)
                    .map(|_| words[next() as usize % words.len()])
                    .collect();
                Post::new(
                    format!("c{i}"),
                    monday() + Duration::seconds((i as i64) * 40_000 + (next() % 9000) as i64),
                    text.join(" "),
                )
            })
            .collect()
    }

    fn promo(id: usize, at: DateTime<Utc>, client: Option<&str>) -> Post {
        let mut p = Post::new(
            format!("p{id}"),
            at,
            format!(
                "Grab our productivity course today, only $49! https://shop.example/c?ref={id}"
            ),
        );
        p.client = client.map(str::to_string);
        p
    }

    fn run_at(posts: Vec<Post>, now: DateTime<Utc>) -> Outcome {
        let mut tl = Timeline::new("acct", Platform::Twitter);
        tl.posts = posts;
        tl.finish();
        let config = All::default();
        let ctx = Context::new(&tl, &config, now);
        ScheduledRepeat.run(&ctx)
    }

    #[test]
    fn weekly_promo_via_buffer_is_high() {
        let mut posts = chatter(60);
        let mut next = lcg(3);
        for i in 0..8 {
            // Mondays 09:00 with up to 2 minutes of queue jitter.
            let at = monday() + Duration::weeks(i) + Duration::seconds((next() % 120) as i64);
            posts.push(promo(i as usize, at, Some("Buffer")));
        }
        let now = monday() + Duration::weeks(8);
        let out = run_at(posts, now);
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert!(f
            .summary
            .starts_with("posted 8 times, every week, Mondays 09:0"));
        // The promo text carries a link, a price and a call to action.
        assert!(
            f.summary.ends_with("via Buffer (promotional)"),
            "{}",
            f.summary
        );
        assert_eq!(
            f.schedule.as_deref().map(|s| s.starts_with("every week")),
            Some(true)
        );
        assert!((f.numbers["period_seconds"] - WEEK).abs() < 120.0);
        assert_eq!(f.numbers["repeats"], 8.0);
        assert!(f.numbers["time_of_day_spread_minutes"] <= 1.0);
        assert_eq!(f.evidence.len(), 8);
        assert_eq!(out.stats["campaigns"], 1.0);
        assert_eq!(out.stats["active_campaigns"], 1.0);
        // Two periods after the last post it is no longer active.
        let later = run_at(
            run_posts_again(),
            monday() + Duration::weeks(7) + Duration::days(15),
        );
        assert_eq!(later.stats["campaigns"], 1.0);
        assert_eq!(later.stats["active_campaigns"], 0.0);
    }

    fn run_posts_again() -> Vec<Post> {
        (0..8)
            .map(|i| promo(i, monday() + Duration::weeks(i as i64), Some("Buffer")))
            .collect()
    }

    #[test]
    fn missed_slots_and_an_outlier_are_tolerated() {
        // Daily at 18:30, skipping days 3 and 7, and one manual re-post at a random time.
        let mut posts: Vec<Post> = [0, 1, 2, 4, 5, 6, 8, 9]
            .iter()
            .map(|&d| {
                promo(
                    d,
                    monday() + Duration::days(d as i64) + Duration::minutes(570),
                    None,
                )
            })
            .collect();
        posts.push(promo(
            99,
            monday() + Duration::days(10) + Duration::hours(2),
            None,
        ));
        let out = run_at(posts, monday() + Duration::days(11));
        let f = &out.findings[0];
        assert!(f.numbers["period_seconds"] == DAY, "{f:?}");
        assert_eq!(f.numbers["missed_slots"], 2.0);
        let s = f.schedule.as_deref().unwrap_or_default();
        assert!(
            s.starts_with("every day, 18:30 UTC ±1 min, 2 slots skipped"),
            "{s}"
        );
        assert!(f
            .evidence
            .iter()
            .any(|e| e.note.as_deref() == Some("off schedule")));
    }

    #[test]
    fn same_text_twice_at_human_times_is_nothing() {
        let mut posts = chatter(30);
        posts.push(promo(1, monday() + Duration::minutes(13 * 60 + 7), None));
        posts.push(promo(
            2,
            monday() + Duration::days(4) + Duration::minutes(21 * 60 + 52),
            None,
        ));
        let out = run_at(posts, monday() + Duration::days(30));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.stats["campaigns"], 0.0);
    }

    #[test]
    fn a_few_irregular_reshares_are_nothing_and_a_long_irregular_campaign_is_evidence_only() {
        let mut next = lcg(5);
        let human = |n: usize, days: i64, next: &mut dyn FnMut() -> u64| {
            (0..n)
                .map(|i| {
                    let at = monday()
                        + Duration::days(days * i as i64 / n as i64)
                        + Duration::seconds((next() % 50_000) as i64 + 37);
                    promo(i, at, Some("Twitter for iPhone"))
                })
                .collect::<Vec<_>>()
        };
        let mut posts = chatter(40);
        posts.extend(human(3, 20, &mut next));
        let out = run_at(posts, monday() + Duration::days(30));
        assert!(out.findings.is_empty(), "{:?}", out.findings);

        let mut posts = chatter(40);
        posts.extend(human(5, 40, &mut next));
        let out = run_at(posts, monday() + Duration::days(60));
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Info);
        assert!(f.schedule.is_none());
        assert!(f.summary.contains("at irregular times"), "{}", f.summary);
        assert_eq!(out.stats["campaigns"], 0.0);
    }

    #[test]
    fn fixed_slot_on_different_days_is_regular() {
        // A queue with Monday and Thursday 14:00 slots, not a constant interval.
        let offsets = [0, 3, 7, 10, 14];
        let posts: Vec<Post> = offsets
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                promo(
                    i,
                    monday()
                        + Duration::days(d)
                        + Duration::hours(5)
                        + Duration::seconds(i as i64 * 7),
                    None,
                )
            })
            .collect();
        let out = run_at(posts, monday() + Duration::days(15));
        let f = &out.findings[0];
        // Regular and promotional: high even with only 5 repeats.
        assert_eq!(f.severity, Severity::High);
        assert_eq!(
            f.schedule.as_deref(),
            Some("at 14:00 UTC ±1 min on Mondays and Thursdays")
        );
    }

    fn run_in(posts: Vec<Post>, now: DateTime<Utc>, zone: Tz) -> Outcome {
        let mut tl = Timeline::new("acct", Platform::Twitter);
        tl.posts = posts;
        tl.finish();
        let config = All::default();
        ScheduledRepeat.run(&Context::new(&tl, &config, now).in_zone(zone))
    }

    /// Weekly posts at 08:00 UTC from the Monday `start`, among chatter.
    fn weekly_at_eight(start: DateTime<Utc>) -> Vec<Post> {
        let mut posts = chatter(40);
        posts.extend((0..8).map(|i| {
            promo(
                i,
                start + Duration::weeks(i as i64) - Duration::hours(1)
                    + Duration::seconds(i as i64),
                None,
            )
        }));
        posts
    }

    #[test]
    fn schedule_reads_in_berlin_winter_time() {
        let start = monday(); // 2024-01-01, CET (UTC+1) all along.
        let now = start + Duration::days(60);
        let utc = run_at(weekly_at_eight(start), now);
        let berlin = run_in(weekly_at_eight(start), now, chrono_tz::Europe::Berlin);
        let (u, b) = (&utc.findings[0], &berlin.findings[0]);
        assert_eq!(
            u.schedule.as_deref(),
            Some("every week, Mondays 08:00 UTC ±1 min")
        );
        assert_eq!(
            b.schedule.as_deref(),
            Some("every week, Mondays 09:00 Europe/Berlin ±1 min")
        );
        assert!(!b.summary.contains("UTC"), "{}", b.summary);
        // Only the words change: the same finding, severity and numbers.
        assert_eq!((u.severity, &u.numbers), (b.severity, &b.numbers));
    }

    #[test]
    fn schedule_reads_in_berlin_summer_time() {
        let start = Utc.with_ymd_and_hms(2024, 7, 1, 9, 0, 0).unwrap(); // a Monday, CEST.
        let out = run_in(
            weekly_at_eight(start),
            start + Duration::days(60),
            chrono_tz::Europe::Berlin,
        );
        assert_eq!(
            out.findings[0].schedule.as_deref(),
            Some("every week, Mondays 10:00 Europe/Berlin ±1 min")
        );
    }

    #[test]
    fn weekday_moves_when_the_zone_crosses_midnight() {
        // Mondays and Thursdays 23:30 UTC are Tuesdays and Fridays 00:30 in Berlin (CET).
        let mut posts = chatter(40);
        posts.extend([0, 3, 7, 10, 14].iter().enumerate().map(|(i, &d)| {
            let at = monday() + Duration::days(d) + Duration::minutes(14 * 60 + 30);
            promo(i, at + Duration::seconds(i as i64 * 7), None)
        }));
        let now = monday() + Duration::days(15);
        let utc = run_at(posts.clone(), now);
        let berlin = run_in(posts, now, chrono_tz::Europe::Berlin);
        assert_eq!(
            utc.findings[0].schedule.as_deref(),
            Some("at 23:30 UTC ±1 min on Mondays and Thursdays")
        );
        assert_eq!(
            berlin.findings[0].schedule.as_deref(),
            Some("at 00:30 Europe/Berlin ±1 min on Tuesdays and Fridays")
        );
    }

    #[test]
    fn schedule_across_daylight_saving_names_both_readings() {
        // Every 4 weeks at 08:00 UTC from January to July: 09:00 CET, then 10:00 CEST.
        let mut posts = chatter(40);
        posts.extend((0..8).map(|i| {
            let at = monday() + Duration::weeks(4 * i as i64) - Duration::hours(1);
            promo(i, at + Duration::seconds(i as i64), None)
        }));
        let out = run_in(
            posts,
            monday() + Duration::weeks(30),
            chrono_tz::Europe::Berlin,
        );
        let schedule = out.findings[0].schedule.clone().unwrap_or_default();
        assert!(
            schedule.contains("10:00 Europe/Berlin ±1 min (CEST; 09:00 CET)"),
            "{schedule}"
        );
    }

    #[test]
    fn hourly_posts_on_the_hour() {
        let posts: Vec<Post> = (0..10)
            .map(|i| promo(i, monday() + Duration::hours(6 * i as i64 + 1), Some("bot")))
            .collect();
        let mut all = chatter(10);
        all.extend(posts);
        let out = run_at(all, monday() + Duration::days(3));
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(
            f.summary,
            "posted 10 times, every 6 hours, at :00 past the hour ±1 min, always at :00 seconds, via bot (promotional)"
        );
    }

    #[test]
    fn replies_do_not_count_as_scheduled_posts() {
        let posts: Vec<Post> = (0..8)
            .map(|i| {
                let mut p = promo(i, monday() + Duration::weeks(i as i64), None);
                p.kind = PostKind::Reply;
                p
            })
            .collect();
        let out = run_at(posts, monday() + Duration::weeks(8));
        assert!(out.findings.is_empty());
    }

    #[test]
    fn daylight_saving_shift_stays_on_schedule() {
        // Weekly at 08:00 UTC, then 07:00 UTC after the clocks change.
        let posts: Vec<Post> = (0..8)
            .map(|i| {
                let shift = if i >= 4 { -1 } else { 0 };
                promo(
                    i,
                    monday() + Duration::weeks(i as i64) + Duration::hours(-1 + shift),
                    None,
                )
            })
            .collect();
        let out = run_at(posts, monday() + Duration::weeks(8));
        let f = &out.findings[0];
        assert_eq!(f.numbers["on_schedule_share"], 1.0, "{f:?}");
        assert!(f.summary.contains("daylight-saving"), "{}", f.summary);
    }

    #[test]
    fn circular_arc_wraps_midnight() {
        let mut pts = [1439.0, 1.0, 0.5, 1438.0];
        let a = circular_arc(&mut pts, 1440.0, 1.0);
        assert!((a.half - 1.5).abs() < 1e-9, "{a:?}");
        assert!((a.centre - 1439.5).abs() < 1e-9, "{a:?}");
        let mut spread = [0.0, 360.0, 720.0, 1080.0];
        assert!(circular_arc(&mut spread, 1440.0, 0.8).half >= 500.0);
    }

    #[test]
    fn words() {
        assert_eq!(period_words(WEEK, 60.0), "every week");
        assert_eq!(period_words(2.0 * WEEK + 30.0, 60.0), "every 2 weeks");
        assert_eq!(period_words(3.0 * DAY, 60.0), "every 3 days");
        assert_eq!(period_words(2.5 * DAY, 60.0), "every 2.5 days");
        assert_eq!(period_words(6.0 * HOUR, 60.0), "every 6 hours");
        assert_eq!(period_words(1800.0, 60.0), "every 30 minutes");
        assert_eq!(shifted(Weekday::Mon, -1), Weekday::Sun);
        assert_eq!(shifted(Weekday::Sun, 1), Weekday::Mon);
    }

    /// `n` posts in one frame around a text that changes every time, at the times given.
    fn series(
        n: usize,
        mut at: impl FnMut(usize) -> DateTime<Utc>,
        text: impl Fn(&str) -> String,
    ) -> Vec<Post> {
        let topics = [
            "sharpen your chisels before every session",
            "measure twice and cut once on hardwood",
            "seal end grain to stop cracks forming",
            "let glue cure overnight in a warm room",
            "sand with the grain from coarse to fine",
            "store timber flat and off the floor",
            "mark the waste side of every cut clearly",
            "wax your plane sole for smoother strokes",
            "pre-drill oak to avoid splitting boards",
            "clamp gently so the joint stays square",
            "check your square against a known edge",
            "clean brushes at once in warm soapy water",
            "plane across the end grain from both sides",
            "use a backer board when drilling through",
            "oil finishes need thin coats and patience",
            "rip long boards with a feather board",
            "keep a sharp pencil behind your ear",
            "test stain colours on an offcut first",
            "vacuum dust before the finishing coat",
            "rest tools on their sides not their edges",
        ];
        (0..n)
            .map(|i| {
                let tip = topics[i % topics.len()];
                Post::new(format!("s{i}"), at(i), text(tip))
            })
            .collect()
    }

    #[test]
    fn a_templated_series_on_a_daily_slot_is_found_with_its_frame() {
        let mut posts = chatter(80);
        posts.extend(series(
            20,
            |i| monday() + Duration::days(i as i64) + Duration::seconds(7),
            |tip| {
                format!(
                    "Tip of the day: {tip} https://woodshop.example/tips/{}",
                    tip.len()
                )
            },
        ));
        let out = run_at(posts, monday() + Duration::days(20));
        let f = out
            .findings
            .iter()
            .find(|f| f.summary.starts_with("a templated series"))
            .expect("the series is found");
        assert_eq!(f.template.as_deref(), Some("tip of the day <…> <url>"));
        assert_eq!(f.posts.len(), 20);
        assert!(f.summary.contains("09:00 UTC"), "{}", f.summary);
        assert_eq!(f.numbers["wordings"], 20.0);
    }

    #[test]
    fn a_series_known_by_its_closing_words_is_found_too() {
        let posts = series(
            20,
            |i| monday() + Duration::hours(6 * i as i64),
            |tip| format!("{tip}. Read more in the daily wire https://wire.example/x"),
        );
        let out = run_at(posts, monday() + Duration::days(7));
        let f = &out.findings[0];
        assert!(f.summary.starts_with("a templated series"), "{}", f.summary);
        assert_eq!(
            f.template.as_deref(),
            Some("<…> read more in the daily wire <url>")
        );
    }

    #[test]
    fn a_person_who_opens_posts_alike_at_human_times_is_not_a_series() {
        let mut next = lcg(5);
        let mut posts = chatter(60);
        posts.extend(series(
            15,
            |i| {
                monday()
                    + Duration::days(3 * i as i64)
                    + Duration::seconds((next() % 36_000) as i64)
            },
            |tip| format!("I think that {tip}, honestly"),
        ));
        let out = run_at(posts, monday() + Duration::days(60));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
    }

    #[test]
    fn a_few_blog_announcements_in_a_scheduler_slot_are_not_a_series() {
        let mut posts = chatter(60);
        posts.extend(series(
            5,
            |i| monday() + Duration::days(4 * i as i64) + Duration::seconds(20),
            |tip| format!("New on the blog: {tip} https://me.example/p/{}", tip.len()),
        ));
        let out = run_at(posts, monday() + Duration::days(30));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
    }
}
