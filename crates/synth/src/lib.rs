//! Synthetic timelines with known answers, for measuring echoscope's detectors and for
//! benchmarks. Test and benchmark data only: echoscope's tests, benches and the `gen` binary of
//! this crate use it, and the released `echoscope` binary does not contain it.
//!
//! Real archives come without labels, so precision and recall can only be measured on data whose
//! truth is known by construction. This crate builds labelled timelines from archetypes (people,
//! heavy repliers, support agents, scheduled promoters, auto-responders, news feeds, ...), each
//! with the habits that make it what it is: a day/night rhythm in a local time zone, reply
//! latencies, posting clients, templated or varied text. Hard negatives (people whose habits look
//! a little like automation) are archetypes of their own, because a detector that only ever sees
//! easy cases measures nothing.
//!
//! Everything is deterministic: a seeded splitmix64 generator, no clock, no global state, so the
//! same seed and [`Spec`] always give the same bytes. Post ids are Twitter snowflakes that encode
//! the post's time, and reply parents are snowflakes of the parent's time, so reply latency can
//! be decoded from ids alone as it is for real archives. Timelines are written as echoscope JSONL
//! by echoscope's own writer ([`echoscope::sources::jsonl::write_timeline`]) and as Twitter
//! archives (folder or zip, [`twitter_archive`]) shaped like the real 2026 sample in
//! `shared/fixtures-real/twitter-archive/`.

mod archetypes;
mod text;
pub mod twitter_archive;

use chrono::{DateTime, TimeZone, Utc};
use echoscope::model::Timeline;
use serde::{Deserialize, Serialize};

use crate::archetypes::{
    build_auto_responder, build_brand, build_heavy_replier, build_human, build_newsroom,
    build_promoter, build_support_agent, Builder, HumanFlavour,
};
use crate::text::handle_for;

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
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One word of a non-empty constant pool.
    pub(crate) fn word(&mut self, items: &'static [&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and spread, clamped to `[lo, hi]`.
    pub(crate) fn log_normal(&mut self, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
        (median * (sigma * self.normal()).exp()).clamp(lo, hi)
    }

    /// An index drawn with the given weights (the last index when all are zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
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
pub(crate) struct Tally {
    pub(crate) promo: usize,
    pub(crate) longest_schedule: usize,
    pub(crate) auto_replies: usize,
    pub(crate) auto_dms: usize,
    pub(crate) automation_client: usize,
    pub(crate) machine_timed: usize,
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
// Ids

/// Twitter's snowflake epoch in Unix milliseconds (as in `echoscope::model::created_at_from_id`).
const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archetypes::MAX_SPAN_DAYS;
    use echoscope::model::{created_at_from_id, Platform, Post, PostKind};
    use echoscope::sources::jsonl::{self, Record};

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
                Archetype::Human
                | Archetype::HeavyReplier
                | Archetype::SupportAgent
                | Archetype::OccasionalScheduler
                | Archetype::LinkResharer => assert!(
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
                // No claim about these archetypes' quiet hours.
                Archetype::HeavyReplier
                | Archetype::OccasionalScheduler
                | Archetype::LinkResharer
                | Archetype::ScheduledPromoter
                | Archetype::Brand => {}
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
    fn jsonl_round_trips_every_post() {
        let (t, _) = account(1, Archetype::Brand, 0, 80, default_end());
        let mut out = Vec::new();
        let lines = jsonl::write_timeline(&mut out, &t).unwrap();
        assert_eq!(lines, 80);
        let text = String::from_utf8(out).unwrap();
        let posts: Vec<Post> = text
            .lines()
            .map(|l| {
                let record: Record = serde_json::from_str(l).unwrap();
                let (platform, account, post) = record.into_post().unwrap();
                assert_eq!(
                    (platform, account.as_str()),
                    (Platform::Twitter, t.account.as_str())
                );
                post
            })
            .collect();
        assert_eq!(posts, t.posts);
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
