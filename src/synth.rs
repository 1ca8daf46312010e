//! Synthetic timelines with known answers, for measuring the detectors and for benchmarks.
//!
//! Real archives come without labels, so precision and recall can only be measured on data whose
//! truth is known by construction. This module builds labelled timelines from archetypes (people,
//! heavy repliers, support agents, scheduled promoters, auto-responders, news feeds, ...), each
//! with the habits that make it what it is: a day/night rhythm in a local time zone, reply
//! latencies, posting clients, templated or varied text. Hard negatives (people whose habits look
//! a little like automation) are archetypes of their own, because a detector that only ever sees
//! easy cases measures nothing.
//!
//! Everything is deterministic: a seeded splitmix64 generator, no clock, no global state, so the
//! same seed and [`Spec`] always give the same bytes. Post ids are Twitter snowflakes that encode
//! the post's time, and reply parents are snowflakes of the parent's time, so reply latency can
//! be decoded from ids alone as it is for real archives. Writers produce echoscope JSONL and
//! Twitter archives (folder or zip) shaped like the real 2026 sample in
//! `shared/fixtures-real/twitter-archive/`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::model::{DirectMessage, Platform, Post, PostKind, Timeline};
use crate::sources::jsonl::Record;

// ---------------------------------------------------------------------------------------------
// Randomness

/// A small deterministic generator (splitmix64): fast, seedable from one `u64`, and the same on
/// every platform, which is all synthetic data needs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty constant pool.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One word of a non-empty constant pool.
    fn word(&mut self, items: &'static [&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and spread, clamped to `[lo, hi]`.
    fn log_normal(&mut self, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
        (median * (sigma * self.normal()).exp()).clamp(lo, hi)
    }

    /// An index drawn with the given weights (the last index when all are zero).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if r < w as u64 {
                return i;
            }
            r -= w as u64;
        }
        weights.len().saturating_sub(1)
    }
}

/// Mixes a seed with a stream number, so that every account has its own independent stream.
fn sub_seed(seed: u64, stream: u64) -> u64 {
    Rng::new(seed ^ stream.wrapping_mul(0xA24B_AED4_963E_E407)).next_u64()
}

// ---------------------------------------------------------------------------------------------
// Archetypes and labels

/// What kind of account the generator builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Archetype {
    /// A person: varied text, day/night rhythm, replies minutes to hours after the parent.
    Human,
    /// Hard negative: a person in fast back-and-forth reply bursts (10 s to 3 min).
    HeavyReplier,
    /// Hard negative: support agents with a few stock phrases, answering in minutes, resting at
    /// night.
    SupportAgent,
    /// Hard negative: a person who schedules a post via Buffer now and then.
    OccasionalScheduler,
    /// Hard negative: a person who shares the same link, with the same words, twice.
    LinkResharer,
    /// The same sales posts, slightly varied, re-published every N days at a fixed time via a
    /// scheduler, amid some human posts.
    ScheduledPromoter,
    /// Templated replies 1-30 s after the parent at any hour; some also send the same first DM
    /// in many conversations.
    AutoResponder,
    /// Many different headlines posted every hour by a feed client: automation, but no
    /// duplicates (a hard negative for near-duplicate detection).
    Newsroom,
    /// A brand: human posts, a scheduled promotion and an auto-responder with auto-DMs (the
    /// demo archive).
    Brand,
}

impl Archetype {
    pub const ALL: [Archetype; 9] = [
        Archetype::Human,
        Archetype::HeavyReplier,
        Archetype::SupportAgent,
        Archetype::OccasionalScheduler,
        Archetype::LinkResharer,
        Archetype::ScheduledPromoter,
        Archetype::AutoResponder,
        Archetype::Newsroom,
        Archetype::Brand,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Archetype::Human => "human",
            Archetype::HeavyReplier => "heavy_replier",
            Archetype::SupportAgent => "support_agent",
            Archetype::OccasionalScheduler => "occasional_scheduler",
            Archetype::LinkResharer => "link_resharer",
            Archetype::ScheduledPromoter => "scheduled_promoter",
            Archetype::AutoResponder => "auto_responder",
            Archetype::Newsroom => "newsroom",
            Archetype::Brand => "brand",
        }
    }

    /// Whether the account is mostly run by software (its score should read as automated).
    pub fn automated(self) -> bool {
        matches!(
            self,
            Archetype::ScheduledPromoter
                | Archetype::AutoResponder
                | Archetype::Newsroom
                | Archetype::Brand
        )
    }
}

/// The truth about one generated account: which automation patterns it really has. Each flag is
/// derived from what the generator built, not set by hand (see [`Labels::expects`] for which
/// detector should find which flag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub account: String,
    pub archetype: Archetype,
    /// A post re-published on a schedule (at least 3 times at a fixed period and time of day).
    pub scheduled_repeat: bool,
    /// At least 3 templated replies fired seconds after their parent.
    pub auto_reply: bool,
    /// The same first direct message in at least 3 conversations.
    pub auto_dm: bool,
    /// At least 3 near-identical posts (scheduled copies or reply templates).
    pub near_duplicate: bool,
    /// At least half of the posts timed by software (on a clock, or seconds after a trigger,
    /// around the clock).
    pub machine_timing: bool,
    /// At least half of the posts sent from an automation or scheduling client.
    pub automation_client: bool,
    /// At least 30% of the posts are sales promotion (prices, codes, shop links).
    pub promotion_heavy: bool,
}

impl Labels {
    /// Whether the account is mostly run by software.
    pub fn automated(&self) -> bool {
        self.archetype.automated()
    }

    /// The truth a detector (by id) should match: `Some(true)` when it should fire on this
    /// account, `None` for a detector this module has no label for.
    pub fn expects(&self, detector: &str) -> Option<bool> {
        Some(match detector {
            "near_duplicate" => self.near_duplicate,
            "scheduled_repeat" => self.scheduled_repeat,
            "auto_reply" => self.auto_reply || self.auto_dm,
            "timing" => self.machine_timing,
            "automation_client" => self.automation_client,
            "promotion_ratio" => self.promotion_heavy,
            _ => return None,
        })
    }
}

/// What the generator counted while building one account; the labels follow from it.
#[derive(Debug, Default)]
struct Tally {
    promo: usize,
    longest_schedule: usize,
    auto_replies: usize,
    auto_dms: usize,
    automation_client: usize,
    machine_timed: usize,
}

impl Tally {
    fn labels(&self, account: &str, archetype: Archetype, posts: usize) -> Labels {
        let share = |n: usize| posts > 0 && n as f64 / posts as f64 >= 0.5;
        Labels {
            account: account.to_string(),
            archetype,
            scheduled_repeat: self.longest_schedule >= 3,
            auto_reply: self.auto_replies >= 3,
            auto_dm: self.auto_dms >= 3,
            near_duplicate: self.longest_schedule >= 3 || self.auto_replies >= 3,
            machine_timing: share(self.machine_timed),
            automation_client: share(self.automation_client),
            promotion_heavy: posts > 0 && self.promo as f64 / posts as f64 >= 0.3,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Specs and scenarios

/// What to generate: how many accounts and posts, of which archetypes, ending when.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Archetypes with integer weights; accounts cycle through them in proportion.
    pub mix: Vec<(Archetype, u32)>,
    pub accounts: usize,
    /// Posts in total, spread evenly over the accounts.
    pub posts: u64,
    /// Every post is before this time.
    pub end: DateTime<Utc>,
}

/// The end of every scenario's timelines: shortly before the `--now` the goldens use.
pub fn default_end() -> DateTime<Utc> {
    // 2025-12-29T00:00:00Z.
    Utc.timestamp_opt(1_766_966_400, 0)
        .single()
        .unwrap_or_default()
}

/// The named scenarios, with one line each on what they hold.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("mixed", "every archetype, mostly people (benchmark input)"),
    (
        "quality",
        "every archetype in equal numbers (the quality corpus)",
    ),
    (
        "demo",
        "one brand account: scheduled promotion, auto-responder, auto-DMs, human posts",
    ),
    ("human", "people"),
    ("scheduled-promo", "scheduled promoters"),
    ("auto-responder", "auto-responders"),
    (
        "newsroom",
        "news feeds posting different headlines every hour",
    ),
    ("support-agents", "human support agents with stock phrases"),
    ("heavy-replier", "people in fast reply bursts"),
    ("occasional-scheduler", "people who use Buffer now and then"),
    ("link-resharer", "people who share the same link twice"),
];

/// The spec of a named scenario at its default size (see [`SCENARIOS`]); `None` for unknown
/// names. Resize it with [`Spec::resized`].
pub fn scenario(name: &str) -> Option<Spec> {
    use Archetype::*;
    let (mix, accounts, per_account): (Vec<(Archetype, u32)>, usize, u64) = match name {
        "mixed" => (
            vec![
                (Human, 40),
                (HeavyReplier, 8),
                (SupportAgent, 5),
                (OccasionalScheduler, 6),
                (LinkResharer, 6),
                (ScheduledPromoter, 15),
                (AutoResponder, 10),
                (Newsroom, 8),
                (Brand, 2),
            ],
            100,
            200,
        ),
        "quality" => (Archetype::ALL.iter().map(|&a| (a, 1)).collect(), 216, 150),
        "demo" => (vec![(Brand, 1)], 1, 260),
        "human" => (vec![(Human, 1)], 2, 60),
        "scheduled-promo" => (vec![(ScheduledPromoter, 1)], 1, 80),
        "auto-responder" => (vec![(AutoResponder, 1)], 1, 80),
        "newsroom" => (vec![(Newsroom, 1)], 1, 80),
        "support-agents" => (vec![(SupportAgent, 1)], 2, 60),
        "heavy-replier" => (vec![(HeavyReplier, 1)], 1, 80),
        "occasional-scheduler" => (vec![(OccasionalScheduler, 1)], 1, 80),
        "link-resharer" => (vec![(LinkResharer, 1)], 1, 80),
        _ => return None,
    };
    Some(Spec {
        mix,
        accounts,
        posts: accounts as u64 * per_account,
        end: default_end(),
    })
}

impl Spec {
    /// Posts per account at this spec's size.
    pub fn posts_per_account(&self) -> u64 {
        self.posts / self.accounts.max(1) as u64
    }

    /// The same mix at another size: given only posts, the accounts grow to keep the posts per
    /// account; given only accounts, the posts do.
    pub fn resized(mut self, posts: Option<u64>, accounts: Option<usize>) -> Spec {
        let per = self.posts_per_account().max(1);
        match (posts, accounts) {
            (Some(p), Some(a)) => {
                self.posts = p;
                self.accounts = a;
            }
            (Some(p), None) => {
                self.posts = p;
                self.accounts = (p.div_ceil(per) as usize).max(1);
            }
            (None, Some(a)) => {
                self.accounts = a;
                self.posts = a as u64 * per;
            }
            (None, None) => {}
        }
        self
    }

    /// The archetype of account `index`: the mix, cycled.
    pub fn archetype(&self, index: usize) -> Archetype {
        let total: u64 = self.mix.iter().map(|(_, w)| *w as u64).sum();
        if total == 0 {
            return Archetype::Human;
        }
        let mut r = index as u64 % total;
        for (a, w) in &self.mix {
            if r < *w as u64 {
                return *a;
            }
            r -= *w as u64;
        }
        Archetype::Human
    }

    /// Posts of account `index`: an even share, the remainder going to the first accounts.
    pub fn posts_of(&self, index: usize) -> usize {
        let n = self.accounts.max(1) as u64;
        (self.posts / n + u64::from((index as u64) < self.posts % n)) as usize
    }
}

/// Every account of a spec, built one at a time (so that a million posts never sit in memory).
pub fn stream(seed: u64, spec: &Spec) -> impl Iterator<Item = (Timeline, Labels)> + '_ {
    (0..spec.accounts).map(move |i| {
        account(
            sub_seed(seed, i as u64),
            spec.archetype(i),
            i,
            spec.posts_of(i),
            spec.end,
        )
    })
}

/// Every account of a spec, collected.
pub fn generate(seed: u64, spec: &Spec) -> Vec<(Timeline, Labels)> {
    stream(seed, spec).collect()
}

/// One account of the given archetype with exactly `posts` posts, all before `end`. `index`
/// makes the handle unique within a corpus.
pub fn account(
    seed: u64,
    archetype: Archetype,
    index: usize,
    posts: usize,
    end: DateTime<Utc>,
) -> (Timeline, Labels) {
    let mut rng = Rng::new(seed);
    let handle = handle_for(&mut rng, archetype, index);
    let mut b = Builder::new(handle, index);
    let end = end.timestamp();
    let tally = match archetype {
        Archetype::Human => build_human(&mut rng, &mut b, posts, end, HumanFlavour::Plain),
        Archetype::HeavyReplier => build_heavy_replier(&mut rng, &mut b, posts, end),
        Archetype::SupportAgent => build_support_agent(&mut rng, &mut b, posts, end),
        Archetype::OccasionalScheduler => {
            build_human(&mut rng, &mut b, posts, end, HumanFlavour::Scheduler)
        }
        Archetype::LinkResharer => {
            build_human(&mut rng, &mut b, posts, end, HumanFlavour::Resharer)
        }
        Archetype::ScheduledPromoter => build_promoter(&mut rng, &mut b, posts, end),
        Archetype::AutoResponder => build_auto_responder(&mut rng, &mut b, posts, end),
        Archetype::Newsroom => build_newsroom(&mut rng, &mut b, posts, end),
        Archetype::Brand => build_brand(&mut rng, &mut b, posts, end),
    };
    let mut timeline = b.timeline;
    timeline.finish();
    let labels = tally.labels(&timeline.account, archetype, timeline.posts.len());
    (timeline, labels)
}

// ---------------------------------------------------------------------------------------------
// Building posts

/// Twitter's snowflake epoch in Unix milliseconds (as in `model::created_at_from_id`).
const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;

/// The longest span a generated account covers, in days (about 13.7 years, all after the
/// Twitter epoch, so that every id still encodes its post's time). An account asked for more
/// posts than its rate fills in that span posts more often instead of reaching back in time.
const MAX_SPAN_DAYS: i64 = 5_000;

/// Days an account of `n` posts at `per_day` covers: at least `min`, at most
/// [`MAX_SPAN_DAYS`].
fn span_days(n: usize, per_day: f64, min: i64) -> i64 {
    ((n as f64 / per_day).ceil() as i64).clamp(min, MAX_SPAN_DAYS)
}

/// A Twitter snowflake for a time: milliseconds since the Twitter epoch, then 10 bits of worker
/// and 12 bits of sequence.
pub fn snowflake(unix_ms: i64, worker: u64, seq: u64) -> u64 {
    (((unix_ms - TWITTER_EPOCH_MS).max(0) as u64) << 22) | ((worker & 0x3FF) << 12) | (seq & 0xFFF)
}

/// A stable numeric user id for a handle (archives name users by id).
pub fn user_id(handle: &str) -> u64 {
    // Keep it in the range of real ids (10^8 .. 2^61).
    (xxhash_rust::xxh3::xxh3_64(handle.as_bytes()) >> 3).max(100_000_000)
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Collects one account's posts, minting ids that match their times.
struct Builder {
    timeline: Timeline,
    worker: u64,
    seq: u64,
}

impl Builder {
    fn new(handle: String, index: usize) -> Builder {
        Builder {
            timeline: Timeline::new(handle, Platform::Twitter),
            worker: index as u64 & 0x3FF,
            seq: 0,
        }
    }

    fn account_id(&self) -> u64 {
        user_id(&self.timeline.account)
    }

    fn mint(&mut self, rng: &mut Rng, secs: i64) -> String {
        self.seq += 1;
        // Archives show whole seconds; the id carries the milliseconds.
        let ms = secs * 1000 + rng.below(1000) as i64;
        snowflake(ms, self.worker, self.seq).to_string()
    }

    fn post(&mut self, rng: &mut Rng, secs: i64, text: String, client: &str) -> &mut Post {
        let id = self.mint(rng, secs);
        let mut post = Post::new(id, ts(secs), text);
        post.links = links_in(&post.text);
        post.client = Some(client.to_string());
        post.lang = Some("en".into());
        self.timeline.posts.push(post);
        let last = self.timeline.posts.len() - 1;
        &mut self.timeline.posts[last]
    }

    /// A reply posted at `secs`, `latency_ms` after its parent by `to`.
    fn reply(
        &mut self,
        rng: &mut Rng,
        secs: i64,
        latency_ms: i64,
        to: &str,
        body: &str,
        client: &str,
    ) {
        let parent_ms = secs * 1000 - latency_ms.max(0);
        let parent_id = snowflake(parent_ms, user_id(to) & 0x3FF, rng.below(4096)).to_string();
        let post = self.post(rng, secs, format!("@{to} {body}"), client);
        post.kind = PostKind::Reply;
        post.reply_to_account = Some(to.to_string());
        // As a source would: the parent's time comes from its id, never from elsewhere.
        post.reply_to_created_at = crate::model::created_at_from_id(Platform::Twitter, &parent_id);
        post.reply_to_id = Some(parent_id);
    }

    fn repost(&mut self, rng: &mut Rng, secs: i64, of: &str, text: String, client: &str) {
        let post = self.post(rng, secs, format!("RT @{of}: {text}"), client);
        post.kind = PostKind::Repost;
    }

    fn dm(&mut self, rng: &mut Rng, secs: i64, to: &str, text: String) {
        let me = self.account_id();
        let other = user_id(to);
        let id = self.mint(rng, secs);
        self.timeline.direct_messages.push(DirectMessage {
            conversation_id: format!("{}-{}", me.min(other), me.max(other)),
            id,
            sender: me.to_string(),
            recipient: Some(other.to_string()),
            created_at: ts(secs),
            text,
        });
    }
}

/// Links in a text: the tokens that start with a URL scheme.
fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '!', '?']).to_string())
        .collect()
}

/// Share of a person's posts per local hour: a multi-hour rest from 01:00 to 06:00.
const DIURNAL: [u32; 24] = [
    2, 0, 0, 0, 0, 0, 1, 4, 6, 7, 6, 6, 7, 6, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4,
];
/// Support agents work shifts: 08:00 to 20:00 local.
const WORK_HOURS: [u32; 24] = [
    0, 0, 0, 0, 0, 0, 0, 0, 5, 8, 9, 9, 7, 8, 9, 9, 8, 7, 5, 3, 0, 0, 0, 0,
];

/// A moment on a random day of the last `days` before `end`, at an hour drawn from `profile`
/// in the local zone `tz_hours`.
fn local_time(rng: &mut Rng, end: i64, days: i64, tz_hours: i64, profile: &[u32; 24]) -> i64 {
    let day_start = (end / 86_400 - 1 - rng.range(0, days.max(1))) * 86_400;
    let hour = rng.weighted(profile) as i64;
    let t = day_start + hour * 3600 + rng.range(0, 3600) - tz_hours * 3600;
    if t >= end {
        t - 86_400
    } else {
        t
    }
}

/// A reply delay a person shows: minutes to hours.
fn human_latency_ms(rng: &mut Rng) -> i64 {
    (rng.log_normal(25.0 * 60.0, 1.2, 45.0, 14.0 * 3600.0) * 1000.0) as i64
}

// ---------------------------------------------------------------------------------------------
// Text

/// Fills `{slot}` placeholders from the pools; `{slot_cap}` capitalises the pick. Unknown slots
/// stay as written, which the unit tests catch.
fn fill(rng: &mut Rng, template: &str, extra: &[(&str, &str)]) -> String {
    fill_at(rng, template, extra, 0)
}

fn fill_at(rng: &mut Rng, template: &str, extra: &[(&str, &str)], depth: u32) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let (base, cap) = match name.strip_suffix("_cap") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let value: String = if let Some((_, v)) = extra.iter().find(|(k, _)| *k == base) {
            v.to_string()
        } else if base == "n" {
            rng.range(2, 40).to_string()
        } else if base == "big" {
            rng.range(100, 5000).to_string()
        } else if let Some(pool) = pool(base) {
            let picked = *rng.pick(pool);
            // Pool entries may hold slots of their own.
            if picked.contains('{') && depth < 4 {
                fill_at(rng, picked, extra, depth + 1)
            } else {
                picked.to_string()
            }
        } else {
            format!("{{{name}}}")
        };
        if cap {
            out.push_str(&capitalise(&value));
        } else {
            out.push_str(&value);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Tidies a filled template: no double spaces, no space before punctuation, no trailing space.
fn tidy(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() && !matches!(w, "." | "," | "!" | "?") {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn pool(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "time" => &[
            "this morning",
            "tonight",
            "today",
            "last night",
            "this weekend",
            "yesterday",
            "after work",
            "over lunch",
            "before breakfast",
            "on the train home",
            "all afternoon",
            "since Tuesday",
            "this week",
            "on Sunday",
            "at 6am",
            "between meetings",
            "during the power cut",
            "on my day off",
        ],
        "activity" => &[
            "went for a long walk",
            "fixed the kitchen tap",
            "baked sourdough",
            "cleaned out the garage",
            "tried a new running route",
            "repotted the monstera",
            "finally watched that documentary",
            "helped my neighbour move a sofa",
            "made way too much pasta",
            "cycled to the coast",
            "reorganised my bookshelf",
            "learned three chords on the ukulele",
            "painted the hallway",
            "visited my grandparents",
            "took the kids to the museum",
            "finished a 1000-piece puzzle",
            "wrote two pages of my novel",
            "built a shelf that is only slightly crooked",
            "went swimming in the lake",
            "volunteered at the food bank",
            "sorted twenty years of photos",
            "tuned the old piano",
            "planted garlic",
            "got lost in the old town",
        ],
        "adj" => &[
            "lovely",
            "exhausting",
            "surprisingly fun",
            "a total mess",
            "so worth it",
            "weirdly relaxing",
            "hilarious",
            "harder than expected",
            "perfect",
            "chaotic",
            "peaceful",
            "unforgettable",
            "a bit much",
            "exactly what I needed",
        ],
        "person" => &[
            "my sister",
            "an old friend",
            "my dad",
            "the neighbours",
            "two colleagues",
            "my flatmate",
            "the kids",
            "my partner",
            "some friends from uni",
            "the dog",
            "my grandmother",
            "the whole team",
            "my cousin",
        ],
        "topic" => &[
            "the new season of that show",
            "last night's match",
            "the transit strike",
            "the price of coffee",
            "the city council vote",
            "the new bridge design",
            "remote work",
            "the heatwave",
            "that viral recipe",
            "the final episode",
            "the new phone update",
            "the book club pick",
            "the election debate",
            "the marathon route",
            "the transfer rumours",
            "the library closing early",
            "the tram extension",
            "the festival lineup",
            "the new bike lanes",
        ],
        "city" => &[
            "Leeds",
            "Lyon",
            "Porto",
            "Austin",
            "Melbourne",
            "Toronto",
            "Krakow",
            "Osaka",
            "Bristol",
            "Denver",
            "Utrecht",
            "Cork",
            "Valencia",
            "Graz",
            "Halifax",
            "Tartu",
            "Bergen",
            "Ghent",
            "Quito",
            "Tucson",
        ],
        "food" => &[
            "ramen",
            "tacos",
            "a cinnamon bun",
            "pho",
            "pierogi",
            "a huge salad",
            "curry",
            "pancakes",
            "falafel",
            "a grilled cheese",
            "dumplings",
            "shakshuka",
            "lasagne",
            "a fig tart",
            "bibimbap",
            "fish and chips",
        ],
        "place" => &[
            "the corner cafe",
            "that tiny place by the station",
            "the market",
            "my aunt's",
            "the new bakery",
            "the food truck on 5th",
            "the pub down the road",
            "the canteen",
            "the night market",
            "a roadside diner",
        ],
        "feeling" => &[
            "tired but happy",
            "oddly proud",
            "ready for bed",
            "a bit sunburnt",
            "very full",
            "inspired",
            "sore everywhere",
            "grateful",
            "content",
            "wide awake",
        ],
        "weather" => &[
            "pouring rain",
            "glorious sunshine",
            "fog so thick you can't see the end of the street",
            "the first snow",
            "wind that nearly took my umbrella",
            "a proper thunderstorm",
            "thirty degrees",
            "hail, briefly",
            "a double rainbow",
        ],
        "subject" => &[
            "medieval trade routes",
            "how bees navigate",
            "urban planning",
            "the history of typefaces",
            "deep sea creatures",
            "sourdough chemistry",
            "old maps",
            "jazz in the sixties",
            "volcanoes",
            "mushroom foraging",
            "early computers",
            "the Roman water system",
            "lighthouse keepers",
            "the physics of bicycles",
            "forgotten board games",
            "how glaciers move",
        ],
        "opinion" => &[
            "would recommend",
            "not sure how I feel about it yet",
            "changed my mind on a few things",
            "could not put it down",
            "a bit slow in the middle",
            "worth every minute",
            "the ending annoyed me",
        ],
        "pet" => &["cat", "dog", "parrot", "rabbit", "old cat", "puppy"],
        "pet_action" => &[
            "stole a sock and ran",
            "knocked my coffee off the desk",
            "fell asleep on my keyboard",
            "barked at a leaf for ten minutes",
            "figured out how to open the fridge",
            "sat on the laptop during a call",
            "refused to go outside because of drizzle",
        ],
        "project" => &[
            "the garden shed",
            "my thesis",
            "a tiny website for my mum",
            "the quilt",
            "a birdhouse",
            "my photo archive",
            "the bike restoration",
            "a board game prototype",
            "the attic conversion",
            "a podcast pilot",
        ],
        "progress" => &[
            "Slow going.",
            "Halfway there!",
            "Nearly done, I think.",
            "Two steps forward, one back.",
            "Progress is progress.",
            "Starting over, again.",
        ],
        "sport" => &["running", "cycling", "rowing", "hiking", "walking"],
        "advice" => &[
            "never start a DIY job at 9pm",
            "always check the bus timetable twice",
            "buy more coffee filters",
            "stretch before running",
            "write the grocery list down",
            "charge the phone before leaving",
            "label the freezer boxes",
            "water the tomatoes before work",
            "keep spare batteries for the bike light",
            "stop buying plants I can't keep alive",
            "bring a jacket even when the forecast says sun",
            "back up the laptop this weekend",
            "read the recipe to the end before starting",
            "book the dentist before the holidays",
            "never trust a shortcut through the park at night",
        ],
        "question" => &[
            "find it impossible to sleep when it's this warm",
            "still use a paper diary",
            "think the new logo is worse",
            "keep forgetting which day the bins go out",
            "miss the old layout of the app",
            "have a favourite bench in the park",
            "get weirdly emotional at the end of a series",
            "talk to their plants",
            "refuse to use the self-checkout",
            "collect bus tickets from trips",
            "still know their childhood phone number",
            "pack for holidays the night before",
        ],
        "reaction" => &[
            "Not complaining.",
            "10/10 would do again.",
            "Send help.",
            "Life is good.",
            "Why is this so hard?",
            "Anyway.",
            "Small wins!",
            "What a day.",
            "Who knew?",
            "Honestly, no regrets.",
            "Thoughts?",
            "",
            "",
            "",
        ],
        "emoji" => &[
            "😅", "🙌", "☕", "🌧️", "🌞", "😂", "🎉", "🤷", "❤️", "🍜", "🚲", "📚", "",
        ],
        "hot" => &[
            "overrated",
            "underrated",
            "fine, actually",
            "the best thing this year",
            "a lot of fuss about nothing",
            "going to age badly",
        ],
        "agree" => &[
            "Totally agree",
            "Same here",
            "Yes",
            "Exactly this",
            "Couldn't agree more",
            "Fair point",
            "Ha, true",
        ],
        "reason" => &[
            "it happened to me last week too",
            "my whole street says the same",
            "I read something similar about {subject}",
            "that's why I stopped going",
            "we had the same debate over dinner",
            "it's been like that since spring",
            "the timing was just bad",
            "my {person} said exactly that {time}",
            "nobody warned us about {topic}",
            "the same thing happened in {city} last year",
            "I changed my mind after {activity_ing}",
            "it reminds me of {subject}",
            "the last time I tried it was {adj}",
            "my neighbour works on {project} and agrees",
            "we argued about {topic} for an hour",
            "the numbers from {city} say so too",
            "you can see it from the {place} every morning",
            "I learned that the hard way {time}",
        ],
        "counter" => &[
            "I think it depends on the weather",
            "my experience was the opposite",
            "the numbers don't really show that",
            "give it another month",
            "I've heard the other side of it too",
            "{person} would say the opposite",
            "it worked fine for us in {city}",
            "I'd wait for {topic} to settle first",
            "the older version was worse, honestly",
            "it's more about {subject} than people think",
            "we tried that {time} and it was {adj}",
            "the last survey in {city} said otherwise",
        ],
        "achievement" => &[
            "the new job",
            "finishing the race",
            "the move",
            "the exam",
            "the launch",
            "the wedding",
            "the award",
            "getting the keys",
        ],
        "hope" => &[
            "you feel better soon",
            "the car is ok",
            "they find it",
            "it stops raining for you",
            "the train gets going again",
            "the cat turns up",
            "the interview went well",
            "your knee heals quickly",
            "the move goes smoothly",
            "the tent survived the storm",
            "you got some sleep in the end",
            "the landlord fixes the heating",
            "the flight isn't cancelled",
            "{person} is feeling better",
        ],
        "question_back" => &[
            "Where was this taken?",
            "How long did that take you?",
            "Is it open on weekends?",
            "Did they ever fix it?",
            "Which one did you pick?",
            "Wait, since when?",
            "What did you use for the glaze?",
            "Is that the one near {place}?",
            "Did you go with {person}?",
            "How was {city} this time of year?",
            "Was it better than {food}?",
            "Any idea when {topic} gets sorted?",
            "Did you finish {project} in the end?",
            "How many km was that?",
            "Is this the new {product}?",
            "Who told you about {subject}?",
            "Can I borrow that book about {subject}?",
            "Was {person} there too?",
            "Did it rain the whole time?",
            "How did you get the {pet} to sit still?",
        ],
        "thanks_follow" => &[
            "saving this for later",
            "I had no idea",
            "sending it to my brother",
            "this made my morning",
            "very useful",
            "I'm showing this to {person}",
            "exactly what I needed before {activity_ing}",
            "bookmarking it for the trip to {city}",
            "this explains {topic} better than the news",
            "I'll try it {time}",
            "never thought about {subject} that way",
            "my {pet} approves",
        ],
        "short" => &[
            "haha",
            "so good",
            "love this",
            "oh no",
            "wow",
            "congrats!",
            "yes please",
            "same",
            "brilliant",
            "ugh, sorry",
        ],
        "link_intro" => &[
            "Great read on",
            "Worth ten minutes of your time:",
            "Fascinating piece about",
            "This explainer on",
            "Someone finally wrote about",
        ],
        "blog" => &[
            "My notes from the weekend trip",
            "Why I switched back to paper notebooks",
            "A short guide to winter cycling",
            "What I learned from a month without social media",
            "Photos from the harbour festival",
            "The best soup I know, step by step",
        ],
        "domain" => &[
            "https://www.bbc.co.uk/news/articles",
            "https://www.theguardian.com/science",
            "https://arstechnica.com/science",
            "https://www.nature.com/articles",
            "https://kottke.org/25",
            "https://www.atlasobscura.com/articles",
        ],
        // Brand voice.
        "product" => &[
            "ergonomic desk chair",
            "wireless earbuds",
            "organic coffee beans",
            "yoga mat",
            "standing desk",
            "travel backpack",
            "cast iron skillet",
            "linen duvet set",
            "smart water bottle",
            "running jacket",
            "noise-cancelling headphones",
            "ceramic pour-over set",
            "merino hoodie",
            "LED desk lamp",
        ],
        "deal" => &[
            "Flash sale",
            "Weekend deal",
            "Limited offer",
            "Hot deal",
            "Today only",
        ],
        "cta" => &[
            "Shop now",
            "Grab yours",
            "Order today",
            "Don't miss out",
            "Get it here",
        ],
        "deadline" => &[
            "Sunday",
            "midnight",
            "Friday",
            "the end of the week",
            "Monday",
        ],
        "sale_emoji" => &["🔥", "⚡", "💥", "🛒", "✨", "🎁"],
        "colour" => &[
            "forest green",
            "sand",
            "charcoal",
            "sky blue",
            "terracotta",
            "oat",
        ],
        "role" => &[
            "warehouse lead",
            "customer care specialist",
            "product designer",
            "copywriter",
            "store manager",
        ],
        "weekday" => &[
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
        "brand_update" => &[
            "New in store: the {product} in {colour}, made with {person} in mind.",
            "Our {city} shop opens late on {weekday}. Come say hi!",
            "Behind the scenes: the {city} team testing the new {product} in {colour} {emoji}",
            "We're hiring a {role} in {city}. Details on our site.",
            "Thank you {city} for {big} orders of the {product} this month, {thanks_follow}.",
            "Customer photo of the week: a {product} on a trip to {city} {emoji}",
            "Heads up: deliveries to {city} may be a day late because of {weather}.",
            "Poll: which colour for the next {product}, {colour} or something bolder?",
        ],
        // Support voice.
        "customer_greeting" => &[
            "Hi {name},",
            "Hey {name},",
            "Hello {name},",
            "{name},",
            "Hi there {name},",
            "Good morning {name},",
        ],
        "sorry" => &[
            "sorry to hear about this.",
            "thanks for flagging this.",
            "apologies for the trouble.",
            "that's not the experience we want for you.",
            "oh no, let's get this sorted.",
            "thanks for your patience so far.",
        ],
        "issue" => &[
            "It sounds like your {product} {problem} {since}.",
            "I've checked order #{big}{n} and it {order_status}.",
            "Does the {part} still show {indicator} after you {action}?",
            "A {product} that {problem} {since} is covered by the warranty, no worries.",
            "Our {city} depot had a backlog on {weekday}, which is probably why it {order_status}.",
            "Which colour did you get? The {colour} ones from {city} had a packing issue.",
            "Sounds like the {part} needs a reset: {action} and it should come back.",
        ],
        "problem" => &[
            "stopped charging",
            "arrived scratched",
            "won't pair",
            "is missing a part",
            "makes a clicking noise",
            "arrived in the wrong size",
            "keeps disconnecting",
            "has a wobbly leg",
            "smells of plastic",
            "doesn't turn on",
        ],
        "since" => &[
            "since the last update",
            "after the first wash",
            "right out of the box",
            "since last week",
            "after a few days",
            "since the move",
        ],
        "order_status" => &[
            "left our warehouse on {weekday}",
            "is waiting at the {city} depot for a driver",
            "was split into two parcels, the {product} comes separately",
            "is held up at customs since {weekday}",
            "shows as delivered to a neighbour, which we'll check with the courier",
            "was sent to an old address in {city}",
            "is on a van today, probably after {weekday} lunch",
            "was refunded on {weekday} but the bank can take a few days",
        ],
        "part" => &["battery light", "display", "app", "charging case", "base"],
        "indicator" => &[
            "a red light",
            "an error code",
            "a blinking icon",
            "nothing at all",
        ],
        "action" => &[
            "hold the button for ten seconds",
            "unplug it overnight",
            "reinstall the app",
            "swap the cable",
            "try a different outlet",
        ],
        "stock" => &[
            "Could you send us a DM with your order number so we can take a closer look?",
            "I've passed this on to our delivery team.",
            "Let us know if there's anything else we can do.",
            "We'll follow up by email within the day.",
            "Please try a restart and tell us if it persists.",
            "Thanks for bearing with us while we look into it.",
        ],
        "signature" => &["^JM", "^AK", "^RS", "^LT", "^DB"],
        // News voice.
        "org" => &[
            "Regional health board",
            "Transport authority",
            "University researchers",
            "State utility",
            "Port operator",
            "Teachers' union",
            "Airline group",
            "Fire service",
            "Water company",
            "Housing charity",
            "Museum trust",
            "Chamber of commerce",
            "Coast guard",
            "Energy regulator",
        ],
        "news_verb" => &[
            "announces",
            "delays",
            "scraps",
            "unveils",
            "defends",
            "reviews",
            "expands",
            "halts",
            "approves",
            "pilots",
            "investigates",
            "funds",
        ],
        "news_thing" => &[
            "night bus routes",
            "a hospital extension",
            "a flood barrier",
            "tuition fees",
            "a solar farm",
            "rail fares",
            "a wildlife corridor",
            "school meals",
            "a cycling bridge",
            "new drinking water rules",
            "a heritage trail",
            "emergency housing",
            "a drone delivery trial",
            "harbour dredging",
        ],
        "people" => &[
            "residents",
            "passengers",
            "workers",
            "students",
            "patients",
            "fans",
            "hikers",
            "volunteers",
            "tenants",
            "fishermen",
        ],
        "event" => &[
            "evacuated",
            "stranded",
            "honoured",
            "rescued",
            "protest",
            "celebrate",
            "relocated",
            "on strike",
            "left without power",
            "march",
        ],
        "cause" => &[
            "a burst water main",
            "a late storm",
            "a signalling fault",
            "a chemical leak",
            "a surprise vote",
            "a landslide",
            "record turnout",
            "a gas explosion",
            "a cyber attack",
            "a bridge closure",
            "a court ruling",
            "a supplier collapse",
        ],
        "decision" => &[
            "votes to pause",
            "approves",
            "rejects",
            "postpones a decision on",
            "opens consultation on",
            "doubles funding for",
            "cuts the budget for",
        ],
        "policy" => &[
            "a congestion charge",
            "short-term rentals",
            "the stadium plan",
            "street lighting upgrades",
            "a tree-planting programme",
            "parking permits",
            "a tourist tax",
            "the library merger",
            "free swimming lessons",
        ],
        "police_action" => &[
            "close roads",
            "seek witnesses",
            "arrest two",
            "appeal for calm",
            "search a warehouse",
            "recover stolen art",
        ],
        "landmark" => &[
            "the old cathedral",
            "the central station",
            "the harbour bridge",
            "the football ground",
            "the botanical gardens",
            "the ring road",
            "the university campus",
            "the ferry terminal",
        ],
        "team" => &[
            "City",
            "Rovers",
            "United",
            "the Harriers",
            "Athletic",
            "the Pirates",
            "Wanderers",
            "the Falcons",
            "Albion",
            "the Comets",
        ],
        "result" => &[
            "beat",
            "draw with",
            "lose to",
            "edge past",
            "thrash",
            "stun",
        ],
        "match_kind" => &[
            "a cup thriller",
            "a rain-soaked derby",
            "extra time",
            "a penalty shootout",
            "the league opener",
            "a late comeback",
        ],
        "weather_news" => &[
            "heavy snow",
            "gale-force winds",
            "record heat",
            "thick fog",
            "flash floods",
            "freezing rain",
            "thunderstorms",
        ],
        "region" => &[
            "the north",
            "coastal areas",
            "the capital",
            "the valleys",
            "the east",
            "mountain passes",
            "the islands",
        ],
        "day" => &[
            "tonight",
            "tomorrow",
            "this weekend",
            "on Monday",
            "through Thursday",
        ],
        "index" => &[
            "Shares",
            "Tech stocks",
            "Bank shares",
            "Oil prices",
            "Bond yields",
        ],
        "move" => &["climb", "slide", "hold steady", "rebound", "tumble"],
        "econ_cause" => &[
            "inflation cools",
            "a merger collapses",
            "rates stay on hold",
            "exports surprise",
            "a retailer warns on profits",
            "the currency weakens",
        ],
        "opinion_verb" => &[
            "rethink",
            "embrace",
            "pay properly for",
            "stop delaying",
            "hold a vote on",
            "learn from its neighbours on",
            "scrap",
            "double down on",
        ],
        "weather_tail" => &[
            "schools told to prepare",
            "ferries cancelled",
            "farmers warned to move livestock",
            "power cuts possible",
            "flights may be delayed",
            "drivers urged to stay home",
            "outdoor events called off",
            "gritters on standby",
            "beaches expected to be busy",
            "hospitals on alert",
        ],
        "company_news" => &[
            "a grocer cuts prices",
            "a carmaker recalls vans",
            "a bank closes branches",
            "a chipmaker raises its forecast",
            "a brewer sells its pubs",
            "an airline adds routes",
            "a builder pauses projects",
            "a telecom firm shuts its old network",
            "a fashion chain files for protection",
            "a utility freezes bills",
        ],
        "congrats_tail" => &[
            "you earned it",
            "drinks on me next time in {city}",
            "{person} says well done too",
            "so happy for you",
            "told you so!",
            "about time!",
            "what a year for you",
            "now get some rest!",
            "let's celebrate at {place}",
            "after all that {activity_ing} too",
        ],
        "thanks_open" => &[
            "Thanks for sharing",
            "Oh this is great",
            "Love this",
            "Ha, brilliant",
            "This is so good",
            "Thank you",
            "Great find",
        ],
        "sympathy" => &[
            "that sounds awful",
            "what a week",
            "not again",
            "that's so annoying",
            "poor you",
            "I'd have cried",
            "that's the worst",
            "how frustrating",
        ],
        "activity_ing" => &[
            "walking the dog",
            "cooking dinner",
            "fixing the bike",
            "cleaning the attic",
            "moving house",
            "training for the race",
            "painting the fence",
            "visiting my parents",
        ],
        "opinion_head" => &[
            "Our streets were never designed for this many delivery vans",
            "The case for keeping libraries open on Sundays",
            "Why the stadium vote matters more than it seems",
            "We should talk about the cost of school uniforms",
            "Night trains deserve a second chance",
            "The housing numbers nobody wants to read",
        ],
        "study_finding" => &[
            "{people} sleep better near parks",
            "commuters in {city} walk more than those in {region} {day}",
            "urban foxes near {landmark} are getting bolder since {cause}",
            "four-day weeks cut sick days at {n} firms in {city} but not in {region}",
            "microplastics found in {food} samples from {city} markets",
            "{city} air quality improved after the low-traffic trial",
        ],
        "venue" => &[
            "the opera house",
            "a packed arena",
            "the film festival",
            "a charity gala",
            "the old theatre",
            "a pop-up gallery",
        ],
        "person_role" => &[
            "Award-winning chef",
            "Former mayor",
            "Olympic rower",
            "Local author",
            "Veteran actor",
            "Young composer",
            "Record-breaking climber",
        ],
        "celeb_action" => &[
            "surprises fans",
            "opens a new show",
            "announces retirement",
            "wins top prize",
            "returns after ten years",
            "speaks out on housing",
        ],
        "road" => &[
            "M6",
            "A1",
            "ring road",
            "coast road",
            "bypass",
            "tunnel approach",
        ],
        "road_issue" => &[
            "a jackknifed lorry",
            "long delays",
            "a lane closure",
            "a burst pipe",
            "an overturned trailer",
            "sheep on the carriageway",
        ],
        _ => return None,
    })
}

const HUMAN_ORIGINALS: &[&str] = &[
    "{time_cap} I {activity} with {person} and it was {adj}. {reaction}",
    "Can't stop thinking about {topic}. {reaction}",
    "{food_cap} at {place} {time}. {adj_cap}! {emoji}",
    "Reading a book about {subject}, {opinion}.",
    "{weather_cap} in {city} {time}. {reaction}",
    "Hot take: {topic} is {hot}.",
    "Working on {project} {time}. {progress}",
    "My {pet} just {pet_action}. {reaction}",
    "Did {n} km of {sport} {time}, {feeling}.",
    "Note to self after {time}: {advice}.",
    "Anyone else in {city} {question}? {reaction}",
    "Went down a rabbit hole about {subject} {time}. {reaction}",
    "{time_cap}: {activity}, ate {food}, now {feeling}. {emoji}",
    "Heading to {city} soon, where do I find good {food}?",
    "Still {feeling} after {topic}. {emoji}",
    "Overheard on the bus: someone explaining {subject} to {person}. {reaction}",
    "{person_cap} and I {activity} {time}. It was {adj}.",
    "Honestly {topic} has been {adj} to follow.",
    "Three things from {time}: {food}, {weather}, and {subject}. {emoji}",
    "If anyone in {city} has a ladder I could borrow, {person} and I need one for {project}.",
];

const HUMAN_REPLIES: &[&str] = &[
    "{agree}, {reason}.",
    "Congrats on {achievement}, {congrats_tail} {emoji}",
    "Not sure about {topic}, {counter}.",
    "Where did you get the {food}? Looks {adj}.",
    "Oh no, {sympathy}. Hope {hope}.",
    "This is exactly what I told {person} {time}!",
    "{question_back}",
    "{thanks_open}, {thanks_follow}.",
    "{agree}. Also {topic} is {hot}, fight me. {emoji}",
    "Ha, my {pet} once {pet_action} too.",
    "I was in {city} {time} and saw the same thing.",
    "Saving this for {time}, {person} has been {activity_ing} and asking about {subject}.",
];

/// Texts of people: varied grammar, sometimes two sentences, sometimes a hashtag.
fn human_original(rng: &mut Rng) -> String {
    let mut s = {
        let t = rng_pick_template(rng, HUMAN_ORIGINALS);
        let opener = *rng.pick(OPENERS);
        let aside = *rng.pick(ASIDES);
        format!("{opener}{}{aside}", fill(rng, t, &[]))
    };
    if rng.chance(0.3) {
        s.push(' ');
        s.push_str(&{
            let t = rng_pick_template(rng, HUMAN_ORIGINALS);
            fill(rng, t, &[])
        });
    }
    if rng.chance(0.08) {
        let tag = *rng.pick(&["#weekend", "#amreading", "#running", "#gardening", "#rain"]);
        s.push(' ');
        s.push_str(tag);
    }
    tidy(s)
}

/// Openers and asides people put around what they say; mixing them in keeps two replies built
/// from one template as far apart as two real people's replies (a handful of templates alone
/// would make every heavy replier look templated).
const OPENERS: &[&str] = &[
    "",
    "",
    "",
    "Honestly, ",
    "Wait, ",
    "Okay so ",
    "Lol ",
    "Hmm, ",
    "Yes! ",
    "Oh wow, ",
    "Right? ",
    "Same here. ",
    "Funny, ",
    "To be fair, ",
    "Ugh, ",
    "Ooh, ",
    "Agreed, and ",
    "Not gonna lie, ",
    "Heh. ",
    "Seriously, ",
];
const ASIDES: &[&str] = &[
    "",
    "",
    "",
    " Anyway.",
    " More on this later.",
    " Long story.",
    " Don't ask.",
    " My kettle agrees.",
    " Still thinking about it.",
    " Classic.",
    " Every single time.",
    " Told you so.",
    " Bit late to this, sorry.",
    " No regrets.",
    " We'll see.",
    " Ask me how I know.",
    " Sigh.",
    " Worth it.",
    " Going to bed now.",
    " Cheers for sharing.",
];

fn human_reply_body(rng: &mut Rng) -> String {
    if rng.chance(0.02) {
        return fill(rng, "{short} {emoji}", &[]).trim().to_string();
    }
    let mut s = {
        let t = rng_pick_template(rng, HUMAN_REPLIES);
        let opener = *rng.pick(OPENERS);
        let aside = *rng.pick(ASIDES);
        format!("{opener}{}{aside}", fill(rng, t, &[]))
    };
    if rng.chance(0.2) {
        s.push(' ');
        s.push_str(&{
            let t = rng_pick_template(rng, HUMAN_REPLIES);
            fill(rng, t, &[])
        });
    }
    tidy(s)
}

fn rng_pick_template(rng: &mut Rng, templates: &'static [&'static str]) -> &'static str {
    templates[rng.below(templates.len() as u64) as usize]
}

const FIRST_NAMES: &[&str] = &[
    "maria", "james", "aisha", "tom", "lena", "kofi", "sofia", "ravi", "emma", "lucas", "yuki",
    "omar", "ines", "david", "chloe", "mateo", "hannah", "ivan", "grace", "noah", "zara", "felix",
    "amara", "leo", "nina", "sam", "priya", "ben", "elif", "jonas", "mei", "pablo", "ruth", "kai",
    "alma", "theo", "dana", "ali", "vera", "hugo",
];
const SURNAMES: &[&str] = &[
    "lopez", "smith", "khan", "berg", "okafor", "rossi", "tanaka", "novak", "silva", "walsh",
    "moreau", "kowalski", "haddad", "jensen", "park", "murphy", "costa", "weber", "ali", "ng",
];
const BRANDS: &[&str] = &[
    "Northwind",
    "Bright Basket",
    "Peakwear",
    "Kettle & Crumb",
    "Urban Sprout",
    "Bluefin Audio",
    "Maple Desk",
    "Lumen Home",
    "Trailhead Co",
    "Harbor Roast",
];
const OUTLETS: &[&str] = &[
    "citywire",
    "dailyledger",
    "harbourpost",
    "metrobeat",
    "valleytimes",
    "northstar",
];

/// A handle for an account, unique in a corpus through `index`.
fn handle_for(rng: &mut Rng, archetype: Archetype, index: usize) -> String {
    let person = |rng: &mut Rng| {
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(SURNAMES);
        match rng.below(3) {
            0 => format!("{first}_{last}{index}"),
            1 => format!("{first}{last}{index}"),
            _ => format!("{}{last}_{index}", &first[..1]),
        }
    };
    match archetype {
        Archetype::Human
        | Archetype::HeavyReplier
        | Archetype::OccasionalScheduler
        | Archetype::LinkResharer => person(rng),
        Archetype::SupportAgent => format!("{}_care{index}", brand_slug(rng.word(BRANDS))),
        Archetype::ScheduledPromoter => format!("{}_shop{index}", brand_slug(rng.word(BRANDS))),
        Archetype::AutoResponder => format!("{}_help{index}", brand_slug(rng.word(BRANDS))),
        Archetype::Newsroom => format!("{}_news{index}", rng.pick(OUTLETS)),
        Archetype::Brand => format!("{}{index}", brand_slug(rng.word(BRANDS))),
    }
}

fn brand_slug(brand: &str) -> String {
    brand
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// A handle of someone the account talks with.
fn other_handle(rng: &mut Rng) -> String {
    let first = *rng.pick(FIRST_NAMES);
    match rng.below(4) {
        0 => format!("{first}{}", rng.range(1, 999)),
        1 => format!("{first}_{}", rng.pick(SURNAMES)),
        2 => format!("the{first}{}", rng.range(10, 99)),
        _ => format!("{}{}", rng.pick(SURNAMES), rng.range(70, 99)),
    }
}

/// A person's posting clients: a main one and an occasional other.
fn human_clients(rng: &mut Rng) -> (&'static str, &'static str) {
    const CLIENTS: &[&str] = &[
        "Twitter for iPhone",
        "Twitter for Android",
        "Twitter Web App",
        "Twitter for iPad",
    ];
    let main = *rng.pick(CLIENTS);
    let other = *rng.pick(CLIENTS);
    (main, other)
}

fn client_of(rng: &mut Rng, clients: (&'static str, &'static str)) -> &'static str {
    if rng.chance(0.85) {
        clients.0
    } else {
        clients.1
    }
}

// ---------------------------------------------------------------------------------------------
// Archetypes

#[derive(Clone, Copy, PartialEq)]
enum HumanFlavour {
    Plain,
    Scheduler,
    Resharer,
}

/// A person: originals, replies minutes to hours after the parent to many accounts, a few
/// retweets, a few DMs; all at human hours in the local zone.
fn build_human(rng: &mut Rng, b: &mut Builder, n: usize, end: i64, flavour: HumanFlavour) -> Tally {
    let tz = rng.range(-8, 10);
    let clients = human_clients(rng);
    let per_day = 2.0 + rng.unit() * 6.0;
    let days = span_days(n, per_day, 7);
    let reply_share = 0.2 + rng.unit() * 0.3;
    let mut tally = Tally::default();
    let mut left = n;
    match flavour {
        HumanFlavour::Plain => {}
        HumanFlavour::Resharer if n >= 2 => {
            // The same link with the same words, twice, days apart.
            let url = format!(
                "{}/{}-{}",
                rng.pick(pool("domain").unwrap_or(&["https://example.org"])),
                rng.range(1000, 9999),
                rng.pick(&["read", "story", "explained"])
            );
            let text = tidy(fill(rng, "{link_intro} {subject} {url}", &[("url", &url)]));
            let first = local_time(rng, end, days, tz, &DIURNAL);
            let second = first + rng.range(3, 20) * 86_400;
            let second = if second >= end {
                first - 5 * 86_400
            } else {
                second
            };
            b.post(rng, first, text.clone(), clients.0);
            let client = client_of(rng, clients);
            b.post(rng, second, text, client);
            left -= 2;
        }
        HumanFlavour::Resharer => {}
        HumanFlavour::Scheduler => {
            // Now and then a post via Buffer at a round local time; different words each time.
            let k = (n / 12).max(2).min(n);
            let minute = *rng.pick(&[9 * 60, 12 * 60, 17 * 60 + 30]);
            // Each blog post is announced once: a person schedules news, not re-runs.
            let mut blog_posts_left = 4;
            for _ in 0..k {
                let day_start = (end / 86_400 - 1 - rng.range(0, days)) * 86_400;
                let t = day_start + minute * 60 - tz * 3600 + rng.range(0, 40);
                let t = if t >= end { t - 86_400 } else { t };
                let text = if blog_posts_left > 0 && rng.chance(0.3) {
                    blog_posts_left -= 1;
                    let url = format!(
                        "https://{}.blog.example/p/{}",
                        b.timeline.account,
                        rng.range(100, 999)
                    );
                    tidy(fill(
                        rng,
                        "New on the blog: {blog}. {url}",
                        &[("url", &url)],
                    ))
                } else {
                    human_original(rng)
                };
                b.post(rng, t, text, "Buffer");
                tally.automation_client += 1;
            }
            left -= k;
        }
    }
    for _ in 0..left {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        let client = client_of(rng, clients);
        let r = rng.unit();
        if r < reply_share {
            let to = other_handle(rng);
            let body = human_reply_body(rng);
            let latency = human_latency_ms(rng);
            b.reply(rng, t, latency, &to, &body, client);
        } else if r < reply_share + 0.06 {
            let of = other_handle(rng);
            let text = human_original(rng);
            b.repost(rng, t, &of, text, client);
        } else {
            let mut text = human_original(rng);
            if rng.chance(0.08) {
                let url = format!(
                    "{}/{}",
                    rng.pick(pool("domain").unwrap_or(&["https://example.org"])),
                    rng.range(10_000, 99_999)
                );
                text.push(' ');
                text.push_str(&url);
            }
            b.post(rng, t, text, client);
        }
    }
    if rng.chance(0.3) {
        for _ in 0..rng.range(2, 8) {
            let t = local_time(rng, end, days, tz, &DIURNAL);
            let to = other_handle(rng);
            let text = human_reply_body(rng);
            b.dm(rng, t, &to, text);
        }
    }
    tally
}

/// A person whose replies come in fast back-and-forth bursts with one partner at a time.
fn build_heavy_replier(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let clients = human_clients(rng);
    let per_day = 15.0 + rng.unit() * 15.0;
    let days = span_days(n, per_day, 5);
    let mut left = n;
    while left > 0 {
        if rng.chance(0.25) {
            let t = local_time(rng, end, days, tz, &DIURNAL);
            let text = human_original(rng);
            let client = client_of(rng, clients);
            b.post(rng, t, text, client);
            left -= 1;
            continue;
        }
        let partner = other_handle(rng);
        let turns = (rng.range(3, 11) as usize).min(left);
        let mut parent_ms = local_time(rng, end, days, tz, &DIURNAL) * 1000;
        for _ in 0..turns {
            // Typing takes a person ten seconds at the very least.
            let latency = (rng.log_normal(45.0, 0.6, 10.0, 180.0) * 1000.0) as i64;
            let at = (parent_ms + latency + 999) / 1000;
            let latency = at * 1000 - parent_ms;
            if at >= end {
                break;
            }
            let body = human_reply_body(rng);
            let client = client_of(rng, clients);
            b.reply(rng, at, latency, &partner, &body, client);
            left -= 1;
            parent_ms = at * 1000 + (rng.log_normal(90.0, 0.8, 20.0, 900.0) * 1000.0) as i64;
        }
        if turns == 0 {
            break;
        }
    }
    // A burst cut short at `end` can leave posts unmade: top up with originals.
    while b.timeline.posts.len() < n {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        let text = human_original(rng);
        b.post(rng, t, text, clients.0);
    }
    Tally::default()
}

/// Support agents of one brand: personal replies built around a few stock phrases, minutes
/// after the customer, during working hours; the odd status update.
fn build_support_agent(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let per_day = 6.0 + rng.unit() * 10.0;
    let days = span_days(n, per_day, 5);
    let agents: Vec<&str> = (0..rng.range(2, 5))
        .map(|_| *rng.pick(pool("signature").unwrap_or(&["^JM"])))
        .collect();
    for _ in 0..n {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        if rng.chance(0.12) {
            let text = brand_update(rng);
            b.post(rng, t, text, "Twitter Web App");
            continue;
        }
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let sig = agents[rng.below(agents.len() as u64) as usize];
        let body = tidy(fill(
            rng,
            "{customer_greeting} {sorry} {issue} {stock} {sig}",
            &[("sig", sig), ("name", &name)],
        ));
        let latency = (rng.log_normal(20.0 * 60.0, 0.9, 120.0, 6.0 * 3600.0) * 1000.0) as i64;
        b.reply(rng, t, latency, &to, &body, "Twitter Web App");
    }
    Tally::default()
}

/// Most posts of one campaign: at the longest period (7 days) it still fits in
/// [`MAX_SPAN_DAYS`]; a larger promotion is split into more campaigns.
const MAX_CAMPAIGN_REPEATS: usize = (MAX_SPAN_DAYS / 7) as usize - 1;

/// One sales campaign: a base post re-published every `period` days at a fixed time of day.
struct Campaign {
    template: &'static str,
    product: &'static str,
    price: i64,
    code: String,
    tags: [&'static str; 3],
    period: i64,
    local_minute: i64,
    repeats: usize,
    shop: String,
}

const SALES_TEMPLATES: &[&str] = &[
    "{sale_emoji} {deal}: our {product} is now just ${price} (was ${old})! Use code {code} at checkout. {cta} 👉 {url} {tags}",
    "Still looking for the perfect {product}? Ours ships free this week, only ${price}. {cta}: {url} {sale_emoji} {tags}",
    "Last chance! {pct}% off every {product} with code {code}. Ends {deadline}. {url} {tags}",
    "New customers get {pct}% off the {product} {sale_emoji} Code: {code} → {url} {tags}",
];

impl Campaign {
    fn new(rng: &mut Rng, brand: &str, repeats: usize) -> Campaign {
        let product = *rng.pick(pool("product").unwrap_or(&["product"]));
        let tag_pool = [
            "#sale",
            "#deal",
            "#shopping",
            "#discount",
            "#giftideas",
            "#musthave",
            "#freeshipping",
        ];
        Campaign {
            template: rng_pick_template(rng, SALES_TEMPLATES),
            product,
            price: rng.range(19, 300),
            code: format!(
                "{}{}",
                rng.pick(&["SAVE", "DEAL", "HELLO", "FLASH", "VIP"]),
                rng.range(1, 5) * 5
            ),
            tags: {
                // Three different tags: walk the pool from a random start.
                let at = rng.below(tag_pool.len() as u64) as usize;
                let step = 1 + rng.below(2) as usize;
                [0, 1, 2].map(|i| tag_pool[(at + i * step) % tag_pool.len()])
            },
            period: *rng.pick(&[2, 3, 4, 5, 7]),
            local_minute: *rng.pick(&[9 * 60, 10 * 60 + 30, 12 * 60, 17 * 60, 19 * 60 + 30]),
            repeats,
            shop: format!("https://{}.example", brand_slug(brand)),
        }
    }

    /// Repeat `k`: the same post with the small changes schedulers' users make (price, emoji,
    /// hashtags, tracking parameters, sometimes the code).
    fn text(&self, rng: &mut Rng, k: usize) -> String {
        let price = self.price + rng.range(-3, 4);
        let old = price + rng.range(10, 60);
        let code = if rng.chance(0.2) {
            format!("{}{}", self.code, rng.range(1, 9))
        } else {
            self.code.clone()
        };
        let url = format!(
            "{}/{}?utm_source=twitter&utm_campaign=wk{}",
            self.shop,
            self.product.replace(' ', "-"),
            k + 1
        );
        let tags = match rng.below(3) {
            0 => self.tags[0].to_string(),
            1 => format!("{} {}", self.tags[0], self.tags[1]),
            _ => format!("{} {}", self.tags[1], self.tags[2]),
        };
        let pct = rng.word(&["10", "15", "20", "25", "30"]);
        tidy(fill(
            rng,
            self.template,
            &[
                ("product", self.product),
                ("price", &price.to_string()),
                ("old", &old.to_string()),
                ("code", &code),
                ("url", &url),
                ("tags", &tags),
                ("pct", pct),
            ],
        ))
    }
}

/// Publishes the campaigns over the last `days` before `end`; returns the posts made.
fn publish(
    rng: &mut Rng,
    b: &mut Builder,
    campaigns: &[Campaign],
    end: i64,
    tz: i64,
    client: &str,
) -> usize {
    let mut made = 0;
    for c in campaigns {
        let span = c.repeats as i64 * c.period;
        let first_day = end / 86_400 - span - 1;
        for k in 0..c.repeats {
            let day = first_day + k as i64 * c.period;
            // Schedulers post on the minute; the queue adds a few seconds.
            let t = day * 86_400 + c.local_minute * 60 - tz * 3600 + rng.range(0, 50);
            let t = if t >= end { t - 86_400 } else { t };
            let text = c.text(rng, k);
            b.post(rng, t, text, client);
            made += 1;
        }
    }
    made
}

/// Splits `total` posts into `parts` near-equal campaign sizes.
fn split(total: usize, parts: usize) -> Vec<usize> {
    let parts = parts.max(1);
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

fn brand_of(account: &str) -> &'static str {
    BRANDS
        .iter()
        .find(|b| account.starts_with(&brand_slug(b)))
        .copied()
        .unwrap_or("Northwind")
}

/// Brand posts written by a person: product news, hiring, shop hours.
fn brand_update(rng: &mut Rng) -> String {
    let t = *rng.pick(pool("brand_update").unwrap_or(&["News from the shop."]));
    tidy(fill(rng, t, &[]))
}

fn build_promoter(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let brand = brand_of(&b.timeline.account);
    let client = *rng.pick(&["Buffer", "Hootsuite Inc."]);
    let n_promo = ((n as f64 * (0.55 + rng.unit() * 0.15)).round() as usize).min(n);
    let n_campaigns = (rng.range(1, 4) as usize)
        .min((n_promo / 6).max(1))
        .max(n_promo.div_ceil(MAX_CAMPAIGN_REPEATS));
    let campaigns: Vec<Campaign> = split(n_promo, n_campaigns)
        .into_iter()
        .map(|r| Campaign::new(rng, brand, r))
        .collect();
    let made = publish(rng, b, &campaigns, end, tz, client);
    let days = campaigns
        .iter()
        .map(|c| c.repeats as i64 * c.period)
        .max()
        .unwrap_or(7)
        .max(7);
    let clients = human_clients(rng);
    for _ in 0..n - made {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        if rng.chance(0.3) {
            let to = other_handle(rng);
            let body = human_reply_body(rng);
            let latency = human_latency_ms(rng);
            b.reply(rng, t, latency, &to, &body, clients.0);
        } else {
            let text = brand_update(rng);
            b.post(rng, t, text, clients.0);
        }
    }
    Tally {
        promo: made,
        longest_schedule: campaigns.iter().map(|c| c.repeats).max().unwrap_or(0),
        automation_client: made,
        machine_timed: made,
        ..Tally::default()
    }
}

const AUTO_REPLIES: &[&str] = &[
    "Hi {name}, thanks for reaching out! Our team will get back to you within 24 hours.",
    "Hey {name}! Thanks for your message{emoji_ok} A member of our support team will reply shortly. Ref #{ticket}",
    "Thank you for contacting {brand}! We have received your request and will respond within 1 business day.",
    "Thanks for the mention, {name}! We're on it, expect a reply from our team soon.",
    "Hi {name}! We've logged your message (case {ticket}). Our agents reply within 24h, thanks for your patience.",
];

/// Templated replies seconds after the parent, at any hour; auto-DMs for some.
fn auto_replies(
    rng: &mut Rng,
    b: &mut Builder,
    count: usize,
    days: i64,
    end: i64,
    brand: &str,
    client: &str,
) {
    let first = rng_pick_template(rng, AUTO_REPLIES);
    let second = rng_pick_template(rng, AUTO_REPLIES);
    let start = end - days * 86_400;
    for _ in 0..count {
        let t = rng.range(start, end);
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let template = if rng.chance(0.8) { first } else { second };
        let ticket = rng.range(10_000, 99_999).to_string();
        let emoji = rng.word(&[" 🙏", " 😊", ".", "!", " ✅"]);
        let body = tidy(fill(
            rng,
            template,
            &[
                ("name", &name),
                ("brand", brand),
                ("ticket", &ticket),
                ("emoji_ok", emoji),
            ],
        ));
        let latency = rng.range(1_000, 30_001);
        b.reply(rng, t, latency, &to, &body, client);
    }
}

fn auto_dms(rng: &mut Rng, b: &mut Builder, count: usize, days: i64, end: i64, brand: &str) {
    let code = format!("WELCOME{}", rng.range(1, 4) * 5);
    let url = format!("https://{}.example/welcome", brand_slug(brand));
    for _ in 0..count {
        let t = rng.range(end - days * 86_400, end);
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let text = format!(
            "Hi {name}, thanks for following {brand}! 🎉 Here's a little welcome gift: code {code} for your first order at {url}"
        );
        b.dm(rng, t, &to, text);
    }
}

fn build_auto_responder(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let brand = brand_of(&b.timeline.account);
    let client = *rng.pick(&["Sprout Social", "Zendesk", "Freshdesk", "SocialReply Bot"]);
    let n_auto = ((n as f64 * 0.85).round() as usize).min(n);
    let per_day = 6.0 + rng.unit() * 20.0;
    let days = span_days(n_auto, per_day, 3);
    auto_replies(rng, b, n_auto, days, end, brand, client);
    for _ in n_auto..n {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        let text = brand_update(rng);
        b.post(rng, t, text, "Twitter Web App");
    }
    let mut tally = Tally {
        auto_replies: n_auto,
        automation_client: n_auto,
        machine_timed: n_auto,
        ..Tally::default()
    };
    if rng.chance(0.6) {
        let k = (n / 4).max(3);
        auto_dms(rng, b, k, days, end, brand);
        tally.auto_dms = k;
    }
    tally
}

const HEADLINES: &[&str] = &[
    "{org} {news_verb} {news_thing} in {city}",
    "{big} {people} {event} after {cause} in {city}",
    "{city} council {decision} {policy} after {cause}",
    "Police {police_action} near {landmark} in {city} after {cause}",
    "{team_cap} {result} {team} in {match_kind}",
    "Weather: {weather_news} expected across {region} {day}, {weather_tail}",
    "Markets: {index} {move} as {econ_cause} and {company_news}",
    "Opinion: {city_cap} should {opinion_verb} {policy}",
    "{person_role} {celeb_action} at {venue} in {city}",
    "{org} study finds {study_finding}",
    "Traffic: {road_issue} on the {road} near {city}, delays expected {day}",
    "{org} {news_verb} {news_thing} after {cause}",
];

/// A feed: a different headline every hour, around the clock, each with its own link.
fn build_newsroom(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let outlet = b
        .timeline
        .account
        .split('_')
        .next()
        .unwrap_or("news")
        .to_string();
    let client = *rng.pick(&["dlvr.it", "SocialFlow", "IFTTT", "WordPress.com"]);
    // A feed of many posts publishes more often rather than reaching back past
    // [`MAX_SPAN_DAYS`].
    let interval: i64 = *rng.pick(&[3600, 3600, 1800]);
    let interval = interval.min((MAX_SPAN_DAYS * 86_400 / n.max(1) as i64).max(60));
    let start = (end - n as i64 * interval) / 3600 * 3600;
    // A desk never runs the same story twice: redraw a headline whose words were used before.
    let mut seen = std::collections::HashSet::new();
    for k in 0..n {
        let t = start + k as i64 * interval + rng.range(0, 180);
        let mut headline = String::new();
        for _ in 0..8 {
            let template = rng_pick_template(rng, HEADLINES);
            headline = tidy(fill(rng, template, &[]));
            let words: String = headline
                .chars()
                .filter(|c| c.is_alphabetic() || *c == ' ')
                .collect();
            if seen.insert(words) {
                break;
            }
        }
        let date = ts(t).format("%Y/%m/%d");
        let slug: String = headline
            .split_whitespace()
            .take(6)
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let url = format!(
            "https://{outlet}.example/{date}/{slug}-{}",
            rng.range(100_000, 999_999)
        );
        b.post(rng, t, format!("{headline} {url}"), client);
    }
    Tally {
        automation_client: n,
        machine_timed: n,
        ..Tally::default()
    }
}

/// The demo brand: a scheduled promotion, an auto-responder with auto-DMs, and the social
/// media manager's own posts and replies.
fn build_brand(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-5, 3);
    let brand = brand_of(&b.timeline.account);
    let n_promo = n * 35 / 100;
    let n_auto = n * 35 / 100;
    let n_campaigns = if n_promo >= 12 { 2 } else { 1 };
    let n_campaigns = n_campaigns.max(n_promo.div_ceil(MAX_CAMPAIGN_REPEATS));
    let campaigns: Vec<Campaign> = split(n_promo, n_campaigns)
        .into_iter()
        .map(|r| Campaign::new(rng, brand, r))
        .collect();
    let made = publish(rng, b, &campaigns, end, tz, "Buffer");
    let days = campaigns
        .iter()
        .map(|c| c.repeats as i64 * c.period)
        .max()
        .unwrap_or(7)
        .max(7);
    auto_replies(rng, b, n_auto, days, end, brand, "Sprout Social");
    let dms = (n / 10).max(3);
    auto_dms(rng, b, dms, days, end, brand);
    let clients = human_clients(rng);
    for _ in 0..n.saturating_sub(made + n_auto) {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        if rng.chance(0.35) {
            let to = other_handle(rng);
            let body = human_reply_body(rng);
            let latency = human_latency_ms(rng);
            b.reply(rng, t, latency, &to, &body, clients.0);
        } else {
            let text = brand_update(rng);
            b.post(rng, t, text, clients.0);
        }
    }
    Tally {
        promo: made,
        longest_schedule: campaigns.iter().map(|c| c.repeats).max().unwrap_or(0),
        auto_replies: n_auto,
        auto_dms: dms,
        automation_client: made + n_auto,
        machine_timed: made + n_auto,
    }
}

// ---------------------------------------------------------------------------------------------
// Writers

/// Errors of the writers.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The zip archive could not be written.
    #[error("{path}: writing zip: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
}

/// Writes one timeline as echoscope JSONL, one record per post.
pub fn write_jsonl<W: Write>(out: &mut W, timeline: &Timeline) -> io::Result<()> {
    for post in &timeline.posts {
        let record = Record::from_post(&timeline.account, timeline.platform, post);
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The `source` anchor a Twitter archive shows for a client.
fn source_anchor(client: &str) -> String {
    let href = match client {
        "Twitter for iPhone" => "http://twitter.com/download/iphone",
        "Twitter for Android" => "http://twitter.com/download/android",
        "Twitter for iPad" => "http://twitter.com/#!/download/ipad",
        "Twitter Web App" => "https://mobile.twitter.com",
        "Buffer" => "https://buffer.com",
        "Hootsuite Inc." => "https://www.hootsuite.com",
        "dlvr.it" => "https://dlvrit.com/",
        "IFTTT" => "https://ifttt.com",
        "SocialFlow" => "http://www.socialflow.com",
        "WordPress.com" => "https://wordpress.com",
        "Sprout Social" => "https://sproutsocial.com",
        "Zendesk" => "https://www.zendesk.com",
        "Freshdesk" => "https://freshdesk.com",
        _ => "https://example.com",
    };
    format!("<a href=\"{href}\" rel=\"nofollow\">{client}</a>")
}

/// A t.co-style short link, stable for a URL.
fn short_link(url: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h = xxhash_rust::xxh3::xxh3_64(url.as_bytes());
    let mut s = String::from("https://t.co/");
    for _ in 0..10 {
        s.push(ALPHABET[(h % 62) as usize] as char);
        h /= 62;
    }
    s
}

fn display_url(url: &str) -> String {
    let bare = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    if bare.chars().count() > 26 {
        let mut s: String = bare.chars().take(25).collect();
        s.push('…');
        s
    } else {
        bare.to_string()
    }
}

fn char_index(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

fn idx(a: usize, b: usize) -> Value {
    json!([a.to_string(), b.to_string()])
}

/// The `{"tweet": {...}}` element of `data/tweets.js` for one post: every number a string,
/// links as t.co with `entities.urls`, HTML entities escaped, reply fields as the archive has
/// them (ids only; the parent's time is in its id).
pub fn tweet_object(account: &str, post: &Post) -> Value {
    // The text as the archive shows it: t.co links in place of the targets.
    let mut text = post.text.clone();
    let mut urls = Vec::new();
    for link in &post.links {
        let short = short_link(link);
        if let Some(at) = text.find(link.as_str()) {
            text.replace_range(at..at + link.len(), &short);
            let start = char_index(&text, at);
            urls.push(json!({
                "url": short,
                "expanded_url": link,
                "display_url": display_url(link),
                "indices": idx(start, start + short.chars().count()),
            }));
        }
    }
    let mut mentions = Vec::new();
    let mut hashtags = Vec::new();
    for (at, _) in text.match_indices(['@', '#']) {
        let word: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Twitter does not link all-digit hashtags ("order #123").
        if word.is_empty()
            || (text[at..].starts_with('#') && word.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let start = char_index(&text, at);
        let end = start + 1 + word.chars().count();
        if text[at..].starts_with('@') {
            let id = user_id(&word).to_string();
            mentions.push(json!({
                "name": capitalise(&word),
                "screen_name": word,
                "indices": idx(start, end),
                "id_str": id,
                "id": id,
            }));
        } else {
            hashtags.push(json!({ "text": word, "indices": idx(start, end) }));
        }
    }
    let total = text.chars().count();
    // Replies hide their leading mentions from the displayed range.
    let shown_from = if post.kind == PostKind::Reply {
        let mut from = 0;
        for w in text.split(' ') {
            if w.starts_with('@') {
                from += w.chars().count() + 1;
            } else {
                break;
            }
        }
        from.min(total)
    } else {
        0
    };
    let editable_until =
        (post.created_at + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut t = Map::new();
    t.insert(
        "edit_info".into(),
        json!({ "initial": {
            "editTweetIds": [post.id],
            "editableUntil": editable_until,
            "editsRemaining": "5",
            "isEditEligible": false,
        }}),
    );
    t.insert("retweeted".into(), json!(false));
    t.insert(
        "source".into(),
        json!(source_anchor(
            post.client.as_deref().unwrap_or("Twitter Web App")
        )),
    );
    t.insert(
        "entities".into(),
        json!({
            "hashtags": hashtags,
            "symbols": [],
            "user_mentions": mentions,
            "urls": urls,
        }),
    );
    t.insert("display_text_range".into(), idx(shown_from, total));
    t.insert("favorite_count".into(), json!("0"));
    t.insert("id_str".into(), json!(post.id));
    t.insert("truncated".into(), json!(false));
    t.insert("retweet_count".into(), json!("0"));
    t.insert("id".into(), json!(post.id));
    if let (Some(parent), PostKind::Reply) = (&post.reply_to_id, post.kind) {
        t.insert("in_reply_to_status_id_str".into(), json!(parent));
        t.insert("in_reply_to_status_id".into(), json!(parent));
    }
    if let Some(to) = &post.reply_to_account {
        let uid = user_id(to).to_string();
        t.insert("in_reply_to_user_id".into(), json!(uid));
        t.insert("in_reply_to_user_id_str".into(), json!(uid));
        t.insert("in_reply_to_screen_name".into(), json!(to));
    }
    t.insert("possibly_sensitive".into(), json!(false));
    t.insert(
        "created_at".into(),
        json!(post
            .created_at
            .format("%a %b %d %H:%M:%S +0000 %Y")
            .to_string()),
    );
    t.insert("favorited".into(), json!(false));
    t.insert(
        "full_text".into(),
        json!(html_escape::encode_text(&text).into_owned()),
    );
    t.insert("lang".into(), json!(post.lang.as_deref().unwrap_or("en")));
    let _ = account;
    json!({ "tweet": Value::Object(t) })
}

/// Pretty JSON with the archive's `" : "` key separator.
struct ArchiveFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for ArchiveFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b" : ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `window.YTD.<name>.part0 = [ ... ]` (or any `prefix = value`), as archive files are:
/// no trailing semicolon, no trailing newline.
fn js_assignment(prefix: &str, value: &Value) -> String {
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(prefix.as_bytes());
    buf.extend_from_slice(b" = ");
    let fmt = ArchiveFormatter(serde_json::ser::PrettyFormatter::with_indent(b"  "));
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Serialising a Value into memory cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

/// `data/tweets.js` of a timeline. Archives are not in time order: newest first here.
pub fn tweets_js(timeline: &Timeline) -> String {
    let items: Vec<Value> = timeline
        .posts
        .iter()
        .rev()
        .map(|p| tweet_object(&timeline.account, p))
        .collect();
    js_assignment("window.YTD.tweets.part0", &Value::Array(items))
}

/// `data/direct-messages.js`: one `dmConversation` per conversation, messages newest first.
pub fn direct_messages_js(timeline: &Timeline) -> String {
    let mut by: BTreeMap<&str, Vec<&DirectMessage>> = BTreeMap::new();
    for dm in &timeline.direct_messages {
        by.entry(dm.conversation_id.as_str()).or_default().push(dm);
    }
    let items: Vec<Value> = by
        .into_iter()
        .map(|(id, mut msgs)| {
            msgs.sort_by_key(|m| std::cmp::Reverse(m.created_at));
            let messages: Vec<Value> = msgs
                .iter()
                .map(|m| {
                    // As in tweets, the text carries t.co links and `urls` the targets.
                    let mut text = m.text.clone();
                    let urls: Vec<Value> = links_in(&m.text)
                        .iter()
                        .map(|u| {
                            text = text.replace(u.as_str(), &short_link(u));
                            json!({"url": short_link(u), "expanded": u, "display": display_url(u)})
                        })
                        .collect();
                    json!({ "messageCreate": {
                        "recipientId": m.recipient.clone().unwrap_or_default(),
                        "reactions": [],
                        "urls": urls,
                        "text": text,
                        "mediaUrls": [],
                        "senderId": m.sender,
                        "id": m.id,
                        "createdAt": m.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                    }})
                })
                .collect();
            json!({ "dmConversation": { "conversationId": id, "messages": messages } })
        })
        .collect();
    js_assignment("window.YTD.direct_messages.part0", &Value::Array(items))
}

/// `data/manifest.js`: the archive's own index, with `userInfo` naming the account.
pub fn manifest_js(timeline: &Timeline) -> String {
    let generated = timeline
        .posts
        .last()
        .map(|p| p.created_at + chrono::Duration::days(1))
        .unwrap_or_else(default_end);
    let conversations: std::collections::BTreeSet<&str> = timeline
        .direct_messages
        .iter()
        .map(|d| d.conversation_id.as_str())
        .collect();
    let value = json!({
        "userInfo": {
            "accountId": user_id(&timeline.account).to_string(),
            "userName": timeline.account,
            "displayName": display_name(&timeline.account),
        },
        "archiveInfo": {
            "sizeBytes": "0",
            "generationDate": generated.to_rfc3339_opts(SecondsFormat::Millis, true),
            "isPartialArchive": false,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {
            "fileName": "data/README.txt",
            "directory": "data/",
            "name": "README.txt",
        },
        "dataTypes": {
            "directMessages": {
                "mediaDirectory": "data/direct_messages_media",
                "files": [{
                    "fileName": "data/direct-messages.js",
                    "globalName": "YTD.direct_messages.part0",
                    "count": conversations.len().to_string(),
                }],
            },
            "tweets": {
                "mediaDirectory": "data/tweets_media",
                "files": [{
                    "fileName": "data/tweets.js",
                    "globalName": "YTD.tweets.part0",
                    "count": timeline.posts.len().to_string(),
                }],
            },
        },
    });
    js_assignment("window.__THAR_CONFIG", &value)
}

fn display_name(handle: &str) -> String {
    let base = handle.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    base.split('_')
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The files of a Twitter archive for a timeline, as (path inside the archive, content).
pub fn twitter_archive_files(timeline: &Timeline) -> Vec<(&'static str, String)> {
    vec![
        ("data/manifest.js", manifest_js(timeline)),
        ("data/tweets.js", tweets_js(timeline)),
        ("data/direct-messages.js", direct_messages_js(timeline)),
    ]
}

/// Writes a Twitter archive: a zip when `path` ends in `.zip`, else a folder with `data/`.
pub fn write_twitter_archive(path: &Path, timeline: &Timeline) -> Result<(), SynthError> {
    let io_err = |source| SynthError::Io {
        path: path.to_path_buf(),
        source,
    };
    let files = twitter_archive_files(timeline);
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        std::fs::create_dir_all(path.join("data")).map_err(io_err)?;
        for (name, content) in files {
            let p = path.join(name);
            std::fs::write(&p, content).map_err(|source| SynthError::Io { path: p, source })?;
        }
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err)?;
    }
    let file = File::create(path).map_err(io_err)?;
    let zip_err = |source| SynthError::Zip {
        path: path.to_path_buf(),
        source,
    };
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    // A fixed date keeps the archive byte-for-byte reproducible.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in files {
        zip.start_file(name, options).map_err(zip_err)?;
        zip.write_all(content.as_bytes()).map_err(io_err)?;
    }
    let mut inner = zip.finish().map_err(zip_err)?;
    inner.flush().map_err(io_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::created_at_from_id;

    fn corpus() -> Vec<(Timeline, Labels)> {
        let spec = Spec {
            mix: Archetype::ALL.iter().map(|&a| (a, 1)).collect(),
            accounts: 18,
            posts: 18 * 120,
            end: default_end(),
        };
        generate(7, &spec)
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let spec = scenario("mixed").unwrap().resized(Some(3000), None);
        let a = generate(42, &spec);
        let b = generate(42, &spec);
        let c = generate(43, &spec);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let posts: usize = a.iter().map(|(t, _)| t.posts.len()).sum();
        assert_eq!(posts, 3000);
    }

    #[test]
    fn every_account_has_exactly_its_posts_before_end_and_unique_ids() {
        for (t, l) in corpus() {
            assert_eq!(t.posts.len(), 120, "{}", l.account);
            let mut ids: Vec<_> = t.posts.iter().map(|p| p.id.clone()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 120, "{} has repeated ids", l.account);
            for p in &t.posts {
                assert!(
                    p.created_at < default_end(),
                    "{} {}",
                    l.account,
                    p.created_at
                );
                assert!(!p.text.contains('{'), "unfilled slot: {}", p.text);
            }
        }
    }

    #[test]
    fn one_huge_account_keeps_every_post_within_the_span() {
        // More posts than each archetype's rate fills in MAX_SPAN_DAYS: people at up to 8 a
        // day, campaigns of a few hundred repeats, a feed every half hour or hour. Before the
        // cap, dates ran back before the Twitter epoch, ids collided and most posts were lost.
        for (name, posts) in [
            ("human", 60_000),
            ("scheduled-promo", 60_000),
            ("auto-responder", 160_000),
            ("newsroom", 130_000),
        ] {
            let spec = scenario(name).unwrap().resized(Some(posts), Some(1));
            let data = generate(3, &spec);
            let (t, _) = &data[0];
            assert_eq!(t.posts.len() as u64, posts, "{name}");
            let first = t.posts.first().unwrap().created_at;
            let last = t.posts.last().unwrap().created_at;
            assert!(last < default_end(), "{name} ends {last}");
            assert!(
                (last - first).num_days() <= MAX_SPAN_DAYS + 1,
                "{name} spans {first} to {last}"
            );
            for p in t.posts.iter().step_by(97) {
                let decoded = created_at_from_id(Platform::Twitter, &p.id).unwrap();
                assert_eq!(
                    decoded.timestamp(),
                    p.created_at.timestamp(),
                    "{name} {}",
                    p.id
                );
            }
        }
    }

    #[test]
    fn ids_decode_to_created_at_and_reply_latency_decodes_from_parent_ids() {
        let mut replies = 0;
        for (t, _) in corpus() {
            for p in &t.posts {
                let decoded = created_at_from_id(Platform::Twitter, &p.id).unwrap();
                assert_eq!(decoded.timestamp(), p.created_at.timestamp(), "{}", p.id);
                if p.kind == PostKind::Reply {
                    replies += 1;
                    let parent = p.reply_to_id.as_deref().unwrap();
                    let from_id = created_at_from_id(Platform::Twitter, parent);
                    assert_eq!(from_id, p.reply_to_created_at);
                    assert!(p.reply_latency_secs().is_some(), "{}", p.id);
                    assert!(p
                        .text
                        .starts_with(&format!("@{} ", p.reply_to_account.as_deref().unwrap())));
                }
            }
        }
        assert!(replies > 500, "{replies}");
    }

    #[test]
    fn labels_follow_the_archetypes() {
        for (t, l) in corpus() {
            let auto = |x: &Labels| x.scheduled_repeat || x.auto_reply || x.machine_timing;
            match l.archetype {
                Archetype::ScheduledPromoter => {
                    assert!(l.scheduled_repeat && l.near_duplicate && l.promotion_heavy);
                    assert!(l.automation_client && !l.auto_reply);
                }
                Archetype::AutoResponder => {
                    assert!(l.auto_reply && l.near_duplicate && !l.scheduled_repeat);
                    let fast = t
                        .posts
                        .iter()
                        .filter(|p| p.reply_latency_secs().is_some_and(|s| s <= 30.0))
                        .count();
                    assert!(fast >= 90, "{fast}");
                }
                Archetype::Newsroom => {
                    assert!(l.automation_client && l.machine_timing && !l.near_duplicate);
                }
                Archetype::Brand => {
                    assert!(l.scheduled_repeat && l.auto_reply && l.auto_dm && l.near_duplicate);
                }
                _ => assert!(
                    !auto(&l) && !l.near_duplicate && !l.automation_client,
                    "{l:?}"
                ),
            }
            assert_eq!(l.automated(), l.archetype.automated());
        }
    }

    #[test]
    fn people_rest_at_night_and_auto_responders_do_not() {
        for (t, l) in corpus() {
            let mut hours = [0usize; 24];
            for p in &t.posts {
                hours[p
                    .created_at
                    .format("%H")
                    .to_string()
                    .parse::<usize>()
                    .unwrap()] += 1;
            }
            let silent = hours.iter().filter(|&&h| h == 0).count();
            match l.archetype {
                Archetype::Human | Archetype::SupportAgent => {
                    assert!(silent >= 4, "{} {hours:?}", l.account)
                }
                Archetype::AutoResponder | Archetype::Newsroom => {
                    assert!(silent <= 1, "{} {hours:?}", l.account)
                }
                _ => {}
            }
        }
    }

    #[test]
    fn scheduled_copies_are_near_identical_and_headlines_are_not() {
        for (t, l) in corpus() {
            let texts: Vec<&str> = t.posts.iter().map(|p| p.text.as_str()).collect();
            let mut distinct = texts.clone();
            distinct.sort();
            distinct.dedup();
            if l.archetype == Archetype::Newsroom {
                assert_eq!(distinct.len(), texts.len());
            }
            if l.archetype == Archetype::ScheduledPromoter {
                let buffered: Vec<&Post> = t
                    .posts
                    .iter()
                    .filter(|p| matches!(p.client.as_deref(), Some("Buffer" | "Hootsuite Inc.")))
                    .collect();
                assert!(buffered.len() >= 60);
                assert!(buffered.iter().all(|p| !p.links.is_empty()));
            }
        }
    }

    #[test]
    fn tweets_js_is_shaped_like_the_real_archive() {
        let (t, _) = account(5, Archetype::Brand, 0, 60, default_end());
        let js = tweets_js(&t);
        assert!(js.starts_with("window.YTD.tweets.part0 = [\n  {\n    \"tweet\" : {"));
        assert!(js.ends_with(']'));
        let (_, json_text) = js.split_once('=').unwrap();
        let v: Value = serde_json::from_str(json_text.trim()).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(items.len(), 60);
        let mut replies = 0;
        for item in items {
            let tw = &item["tweet"];
            for key in ["id", "id_str", "favorite_count", "retweet_count"] {
                assert!(tw[key].is_string(), "{key} must be a string");
            }
            for r in tw["display_text_range"].as_array().unwrap() {
                assert!(r.is_string());
            }
            let created = chrono::DateTime::parse_from_str(
                tw["created_at"].as_str().unwrap(),
                "%a %b %d %H:%M:%S %z %Y",
            )
            .unwrap();
            let id = tw["id_str"].as_str().unwrap();
            assert_eq!(
                created_at_from_id(Platform::Twitter, id)
                    .unwrap()
                    .timestamp(),
                created.timestamp()
            );
            assert!(tw["source"].as_str().unwrap().starts_with("<a href=\""));
            if let Some(parent) = tw.get("in_reply_to_status_id_str") {
                replies += 1;
                assert!(parent.is_string());
                assert!(tw["in_reply_to_screen_name"].is_string());
            }
            for u in tw["entities"]["urls"].as_array().unwrap() {
                let short = u["url"].as_str().unwrap();
                assert!(short.starts_with("https://t.co/"));
                assert!(tw["full_text"].as_str().unwrap().contains(short));
            }
        }
        assert!(replies > 10);
        let dms = direct_messages_js(&t);
        assert!(dms.starts_with("window.YTD.direct_messages.part0 = ["));
        assert!(dms.contains("\"messageCreate\" : {"));
        let manifest = manifest_js(&t);
        assert!(manifest.contains(&format!("\"userName\" : \"{}\"", t.account)));
    }

    #[test]
    fn zip_archive_round_trips_and_is_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let (t, _) = account(9, Archetype::Brand, 3, 80, default_end());
        let a = dir.path().join("a.zip");
        let b = dir.path().join("b.zip");
        write_twitter_archive(&a, &t).unwrap();
        write_twitter_archive(&b, &t).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let mut zip = zip::ZipArchive::new(File::open(&a).unwrap()).unwrap();
        let mut s = String::new();
        io::Read::read_to_string(&mut zip.by_name("data/tweets.js").unwrap(), &mut s).unwrap();
        assert_eq!(s, tweets_js(&t));
        let folder = dir.path().join("folder");
        write_twitter_archive(&folder, &t).unwrap();
        assert!(folder.join("data/direct-messages.js").is_file());
    }

    #[test]
    fn jsonl_has_one_record_per_post() {
        let (t, _) = account(1, Archetype::AutoResponder, 0, 40, default_end());
        let mut out = Vec::new();
        write_jsonl(&mut out, &t).unwrap();
        let text = String::from_utf8(out).unwrap();
        let records: Vec<Record> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 40);
        assert!(records
            .iter()
            .all(|r| r.platform == "twitter" && r.account == t.account));
    }

    #[test]
    fn resizing_keeps_posts_per_account() {
        let spec = scenario("mixed").unwrap();
        let big = spec.clone().resized(Some(1_000_000), None);
        assert_eq!(big.accounts, 5000);
        let few = spec.resized(None, Some(3));
        assert_eq!(few.posts, 600);
        assert!(scenario("nope").is_none());
        for (name, _) in SCENARIOS {
            assert!(scenario(name).is_some(), "{name}");
        }
    }
}
