//! `feed_broadcast`: an account that is a feed, media rather than social. It publishes the
//! titles and links of a website's new items, many a day, every day, and never talks with
//! anyone.
//!
//! What it rests on is how RSS-to-social posters work. twitterfeed, dlvr.it, IFTTT's "new feed
//! item" applet, feed2toot, feediverse and paper.li poll a site's feed (dlvr.it about hourly,
//! feed2toot from an hourly cron, feediverse every 15 minutes) and post each new item through
//! a template. The default templates are the item's title and its URL: feediverse
//! `{title} {url}`, IFTTT `{{EntryTitle}} {{EntryUrl}}`, often behind a fixed prefix such as
//! "BLOGGED:" or on two lines (`{title}\n{link}`) with hashtags. So the account's own posts are
//! one headline-like line and a link, and it posts whenever the site publishes: a newsroom
//! publishes around the clock, every day. None of these tools can reply, so a feed's
//! conversation share is zero. Real outboxes measured for this: a static site posting each
//! new page as an ActivityPub note (87 items, each its title linked to the page, no replies)
//! and a crossposter of a blog's pages to Bluesky and Mastodon (a link in every post); their
//! licences let us measure them, not copy them into `fixtures/`.
//!
//! Three measures per timeline, each in the finding:
//! - **Headline and link** (`headline_link_share`): the share of the account's own posts
//!   (everything it wrote except replies to others) that are an original with a link and,
//!   besides URLs and hashtags, a single line of at most `max_words` words, one sentence, with
//!   no @mention (feed titles carry no handles, while people address and credit each other:
//!   "via @outlet") and no question put to the reader ("what do you think?").
//! - **Conversation** (`conversation_share`, as in `promotion_ratio`): replies to other
//!   accounts over all posts the account wrote (reposts left out).
//! - **Cadence**: posts per active day (median), the share of days active over the span (UTC
//!   calendar days, first and last included), and how the day is covered: the hours (UTC)
//!   that hold more than a quarter of the average hour's posts (`active_hours`), and the
//!   longest block of the others in a row around the clock (`rest_gap_hours`, as in `timing`).
//!   People sleep; a poller posts whenever the site publishes.
//!
//! A site's own RSS or Atom feed read as a timeline puts each item's summary, where it has one,
//! under its title,
//! so its posts are not one line: this detector is about social accounts that post a feed.
//!
//! What keeps people out: a person who shares links by hand writes a sentence of their own,
//! credits or answers people, posts a link or two a day, and sleeps. Any of these keeps a
//! finding from `high`; talking with people at all (`max_conversation`) or sharing links in a
//! minority of posts keeps any finding away. `high` needs a lot of evidence: hundreds of posts
//! over weeks, a feed's cadence and the whole day covered.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::context::{hour_profile, quiet_hours, rest_gap_hours};
use super::evidence::{plural, spread_of};
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, Post, PostKind, PostRef, Severity, MAX_EVIDENCE};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "feed_broadcast";

/// The most points this detector can take off the score: 25, one `high` finding. An account
/// that only republishes a site's headlines, day and night, without a word to anyone, is not a
/// person talking with people, and that alone must take the score below 80 (a high finding
/// takes 25; a medium 12 leaves 88, on purpose: a medium is also what an office-hours feed and
/// a tireless hand-sharer look like). It reports at most one finding per timeline, so the cap
/// is that one high finding.
pub const MAX_PENALTY: u32 = 25;

/// `[detectors.feed_broadcast]` settings. Where each default comes from is said beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest posts the account wrote (reposts not counted) before any finding: 20, as
    /// `promotion_ratio`. A real feed bot seen with 10 posts (haxorpoda, 1.4 days) shows no
    /// cadence yet.
    pub min_posts: usize,
    /// Most words (URLs and hashtags not counted) of a headline: 25. News headlines and blog
    /// titles run about 6-15 words; a template with the item's summary is longer and not
    /// counted.
    pub max_words: usize,
    /// Share of own posts that are a headline and a link for any finding: 80%. Obama's
    /// staff-run account (`fixtures/real/fivethirtyeight-twitter-ratio`: 68 posts over a year)
    /// has links in 73.5% of its posts, but most are statements of its own: 30% of its own
    /// posts pass as headlines. A site's outbox has 100%.
    pub headline_share: f64,
    /// At or above this share of replies to others the account converses and nothing is
    /// reported: 5%. Feed posters cannot reply, so any conversation is a person; one reply in
    /// twenty posts is a person who is there (the share below which `promotion_ratio` calls a
    /// seller a broadcaster).
    pub max_conversation: f64,
    /// Fewest posts for `medium`: 50.
    pub medium_min_posts: usize,
    /// Fewest UTC calendar days from the first to the last post for `medium`: 7, a week, so
    /// that "every day" covers weekdays and a weekend.
    pub medium_min_days: usize,
    /// Share of the days active for `medium`: 50%. A person sharing links now and then (Obama's
    /// account: median 0, p90 1 post a day over a year) is active on few days.
    pub medium_min_active_day_share: f64,
    /// Median posts per active day for `medium`: 3. By hand people share a link or two a day
    /// (Obama's account: at most 1 on 9 days in 10; Trump, a heavy poster, 8 a day with links
    /// in 38% of them); feeds post what a site publishes.
    pub medium_min_posts_per_day: f64,
    /// Fewest posts for `high`: 200.
    pub high_min_posts: usize,
    /// Fewest UTC calendar days from the first to the last post for `high`: 14.
    pub high_min_days: usize,
    /// Share of own posts that are a headline and a link for `high`: 90%.
    pub high_headline_share: f64,
    /// Replies to others must be below this share for `high`: 2% (4 in 200 posts).
    pub high_max_conversation: f64,
    /// Share of the days active for `high`: 80%, "most days" (a weekday-only publisher, 5 of
    /// 7, stays `medium`).
    pub high_min_active_day_share: f64,
    /// Median posts per active day for `high`: 5. News feeds post tens a day (twitterfeed
    /// users saw bursts of over 10 items at a time, which dlvr.it's trickle spreads out).
    pub high_min_posts_per_day: f64,
    /// Longest block of quiet hours in a row (UTC, around the clock) for `high`: 3. People
    /// sleep: within weeks a person leaves a block of 5 or more quiet hours, and `timing` counts
    /// a block under 4 hours as no rest at all. A poller posts whenever the site publishes, and
    /// a trickle (dlvr.it spreads a burst of items over the day) spaces posts evenly: a feed
    /// every 80 minutes leaves single empty hours but no block.
    pub high_max_rest_hours: usize,
    /// An hour is quiet when it holds at most this fraction of the average hour's posts (0.25,
    /// as `timing`).
    pub quiet_hour_fraction: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_posts: 20,
            max_words: 25,
            headline_share: 0.8,
            max_conversation: 0.05,
            medium_min_posts: 50,
            medium_min_days: 7,
            medium_min_active_day_share: 0.5,
            medium_min_posts_per_day: 3.0,
            high_min_posts: 200,
            high_min_days: 14,
            high_headline_share: 0.9,
            high_max_conversation: 0.02,
            high_min_active_day_share: 0.8,
            high_min_posts_per_day: 5.0,
            high_max_rest_hours: 3,
            quiet_hour_fraction: 0.25,
        }
    }
}

pub struct FeedBroadcast;

impl Detector for FeedBroadcast {
    fn id(&self) -> &'static str {
        ID
    }

    fn enabled(&self, config: &super::Config) -> bool {
        config.feed_broadcast.enabled
    }

    fn max_penalty(&self) -> u32 {
        MAX_PENALTY
    }

    /// A cadence needs `min_posts` posts.
    fn needs_posts(&self, config: &super::Config) -> usize {
        config.feed_broadcast.min_posts.max(1)
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.feed_broadcast;
        let posts = &ctx.timeline.posts;
        let mut out = Outcome::default();

        // Everything the account wrote, oldest first (the timeline is sorted).
        let written: Vec<&Post> = posts
            .iter()
            .filter(|p| p.kind != PostKind::Repost)
            .collect();
        if written.is_empty() {
            return out;
        }
        let conversation = ctx.replies_to_others.len();
        let conversation_share = conversation as f64 / written.len() as f64;
        out.stats
            .insert("conversation_share".into(), conversation_share);

        let own = written.len().saturating_sub(conversation);
        let headlines: Vec<(&Post, usize)> = written
            .iter()
            .filter_map(|p| headline_words(p, cfg.max_words).map(|w| (*p, w)))
            .collect();
        if own == 0 {
            return out;
        }
        let headline_share = headlines.len() as f64 / own as f64;
        out.stats
            .insert("headline_link_share".into(), headline_share);

        if written.len() < cfg.min_posts
            || conversation_share >= cfg.max_conversation
            || headline_share < cfg.headline_share
        {
            return out;
        }

        let cadence = Cadence::of(&written, cfg.quiet_hour_fraction);
        let severity = if written.len() >= cfg.high_min_posts
            && cadence.span_days >= cfg.high_min_days
            && headline_share >= cfg.high_headline_share
            && conversation_share < cfg.high_max_conversation
            && cadence.active_day_share() >= cfg.high_min_active_day_share
            && cadence.posts_per_active_day >= cfg.high_min_posts_per_day
            && cadence.rest_gap_hours <= cfg.high_max_rest_hours
        {
            Severity::High
        } else if written.len() >= cfg.medium_min_posts
            && cadence.span_days >= cfg.medium_min_days
            && cadence.active_day_share() >= cfg.medium_min_active_day_share
            && cadence.posts_per_active_day >= cfg.medium_min_posts_per_day
        {
            Severity::Medium
        } else {
            Severity::Low
        };

        let mut numbers = BTreeMap::new();
        numbers.insert("posts".into(), written.len() as f64);
        numbers.insert("headline_link_posts".into(), headlines.len() as f64);
        numbers.insert("headline_link_share".into(), headline_share);
        numbers.insert("replies_to_others".into(), conversation as f64);
        numbers.insert("conversation_share".into(), conversation_share);
        numbers.insert("posts_per_active_day".into(), cadence.posts_per_active_day);
        numbers.insert("active_day_share".into(), cadence.active_day_share());
        numbers.insert("span_days".into(), cadence.span_days as f64);
        numbers.insert("active_hours".into(), cadence.active_hours as f64);
        numbers.insert("rest_gap_hours".into(), cadence.rest_gap_hours as f64);

        let conversation_words = if conversation == 0 {
            format!("none of its {} posts replies to anyone", written.len())
        } else {
            format!(
                "only {conversation} of its {} posts ({}) {} a reply to someone else",
                written.len(),
                percent(conversation_share),
                if conversation == 1 { "is" } else { "are" },
            )
        };
        let summary = format!(
            "broadcasts like a feed: {}; {} of {own} own posts ({}) are a headline and a link, and {conversation_words}",
            cadence.words(cfg.high_max_rest_hours, ctx.zone),
            headlines.len(),
            percent(headline_share),
        );

        let evidence = spread_of(&headlines, MAX_EVIDENCE)
            .into_iter()
            .map(|(p, words)| {
                Evidence::of(
                    p,
                    Some(format!(
                        "a headline of {words} {} and a link",
                        plural(words as u64, "word")
                    )),
                )
            })
            .collect();

        out.findings.push(Finding {
            detector: ID.into(),
            severity,
            summary,
            template: None,
            schedule: None,
            numbers,
            evidence,
            posts: headlines.iter().map(|(p, _)| PostRef::of(p)).collect(),
        });
        out
    }
}

/// A share as a whole percentage that says "100%" only when it is all and "0%" only when it is
/// none.
fn percent(share: f64) -> String {
    let p = (share * 100.0).round();
    let p = if p >= 100.0 && share < 1.0 {
        99.0
    } else if p <= 0.0 && share > 0.0 {
        1.0
    } else {
        p
    };
    format!("{p:.0}%")
}

/// Whether a token is a link written in the text.
fn is_url(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '[', '<', '"', '\'']);
    let lower = |prefix: &str| {
        t.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    lower("http://") || lower("https://") || lower("www.")
}

/// Whether a token names an account: `@name`, `.@name`, `@name@instance`.
fn is_mention(token: &str) -> bool {
    let t = token.trim_start_matches(['.', '(', '"', '\'']);
    t.strip_prefix('@')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Words that put a question to the reader (English): "what do you think?", "anyone?".
const ASKING: &[&str] = &[
    "you", "your", "you're", "youre", "yours", "u", "y'all", "anyone", "anybody", "thoughts",
];

/// The number of words of a post's headline when the post is a headline and a link (see the
/// module documentation), else `None`.
fn headline_words(post: &Post, max_words: usize) -> Option<usize> {
    if post.kind != PostKind::Original {
        return None;
    }
    let mut has_link = !post.links.is_empty();
    // Most posts of most timelines are no headline: settle those before reading any word.
    if !has_link && !post.text.contains("http") {
        return None;
    }
    let (mut words, mut lines, mut sentences) = (0usize, 0usize, 1usize);
    let mut question = false;
    for line in post.text.lines() {
        let mut line_words = 0usize;
        // Whether the previous word ended a sentence, so that the next word starts another.
        let mut ended = false;
        for token in line.split_whitespace() {
            if is_url(token) {
                has_link = true;
                continue;
            }
            if is_mention(token) {
                return None;
            }
            // Hashtags are what feed tools append ("#news"); they are not the headline.
            if token.starts_with('#') || !token.chars().any(char::is_alphanumeric) {
                continue;
            }
            if ended {
                sentences += 1;
            }
            line_words += 1;
            if words + line_words > max_words {
                return None;
            }
            let bare = token.trim_end_matches(['"', '\'', ')', '’', '”']);
            question |= bare.contains('?');
            ended = ends_sentence(bare);
        }
        if line_words > 0 {
            lines += 1;
        }
        words += line_words;
    }
    // Whether it asks the reader something: only a question can, so the words are looked up
    // only then.
    let asks = question
        && post
            .text
            .split_whitespace()
            .filter(|token| !is_url(token) && !token.starts_with('#'))
            .any(|token| {
                let word = token
                    .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                    .to_lowercase();
                ASKING.contains(&word.as_str())
            });
    let headline = has_link
        && lines == 1
        && sentences == 1
        && (1..=max_words).contains(&words)
        && !(question && asks);
    headline.then_some(words)
}

/// Abbreviations that end in a full stop inside a sentence (English).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "no", "inc", "ltd", "co", "corp",
    "gov", "sen", "rep", "gen", "lt", "col", "sgt", "ft", "mt", "jan", "feb", "aug", "sept", "oct",
    "nov", "dec", "approx", "etc",
];

/// Whether a word ends a sentence: a full stop, `!` or `?` at its end, unless it is an initial
/// ("J."), a dotted abbreviation ("U.S.") or a common abbreviation ("Dr.", "St.").
fn ends_sentence(word: &str) -> bool {
    if word.ends_with(['!', '?']) {
        return true;
    }
    let Some(stem) = word.strip_suffix('.') else {
        return false;
    };
    let stem = stem.trim_start_matches(|c: char| !c.is_alphanumeric());
    let abbreviation = stem.contains('.')
        || stem.chars().count() == 1
        || ABBREVIATIONS.contains(&stem.to_lowercase().as_str());
    !stem.is_empty() && !abbreviation
}

/// When and how steadily the account posts.
#[derive(Debug, Clone, PartialEq)]
struct Cadence {
    /// UTC calendar days from the first post to the last, both included.
    span_days: usize,
    /// Days with at least one post.
    active_days: usize,
    /// Median posts of the active days.
    posts_per_active_day: f64,
    /// Hours of the 24 (UTC) holding more than the quiet fraction of the average hour.
    active_hours: usize,
    /// The longest run of quiet hours, around the clock.
    rest_gap_hours: usize,
}

impl Cadence {
    /// The cadence of these posts, oldest first.
    fn of(posts: &[&Post], quiet_fraction: f64) -> Cadence {
        let mut per_day: Vec<usize> = Vec::new();
        let mut last: Option<NaiveDate> = None;
        for p in posts {
            let day = p.created_at.date_naive();
            match per_day.last_mut() {
                Some(n) if last == Some(day) => *n += 1,
                _ => per_day.push(1),
            }
            last = Some(day);
        }
        let span_days = match (posts.first(), posts.last()) {
            (Some(a), Some(b)) => {
                let days = (b.created_at.date_naive() - a.created_at.date_naive()).num_days();
                usize::try_from(days).unwrap_or(0) + 1
            }
            _ => 0,
        };
        per_day.sort_unstable();
        let n = per_day.len();
        let posts_per_active_day = match n {
            0 => 0.0,
            _ if n % 2 == 1 => per_day[n / 2] as f64,
            _ => (per_day[n / 2 - 1] + per_day[n / 2]) as f64 / 2.0,
        };
        let profile = hour_profile(posts.iter().map(|p| &p.created_at));
        let active_hours = quiet_hours(&profile, quiet_fraction)
            .iter()
            .filter(|&&q| !q)
            .count();
        Cadence {
            span_days,
            active_days: n,
            posts_per_active_day,
            active_hours,
            rest_gap_hours: rest_gap_hours(&profile, quiet_fraction),
        }
    }

    fn active_day_share(&self) -> f64 {
        if self.span_days == 0 {
            0.0
        } else {
            self.active_days as f64 / self.span_days as f64
        }
    }

    /// "about 18 posts a day, every day for 212 days, at all hours"; a quiet block of at most
    /// `max_rest` hours is "around the clock". The quiet hours are counted in UTC and said so;
    /// in another `zone` the words leave UTC out, as a block of quiet hours is as long there.
    fn words(&self, max_rest: usize, zone: Tz) -> String {
        let per_day = self.posts_per_active_day.round().max(1.0) as u64;
        let days = if self.active_days == self.span_days {
            format!(
                "every day for {} {}",
                self.span_days,
                plural(self.span_days as u64, "day")
            )
        } else {
            format!("on {} of {} days", self.active_days, self.span_days)
        };
        let hours = match self.rest_gap_hours {
            _ if self.active_hours == 24 => "at all hours".to_string(),
            gap if gap <= max_rest => format!(
                "around the clock (never more than {} quiet {} in a row)",
                self.rest_gap_hours,
                plural(self.rest_gap_hours as u64, "hour")
            ),
            gap if zone == Tz::UTC => format!("quiet {gap} hours in a row each day (UTC)"),
            gap => format!("quiet {gap} hours in a row each day"),
        };
        format!(
            "about {per_day} {} a day, {days}, {hours}",
            plural(per_day, "post")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Timeline};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 0, 7, 0).unwrap()
    }

    const TITLES: &[&str] = &[
        "City council approves new cycle lanes on the ring road",
        "Storm warning for the coast as winds reach 90 km/h",
        "Local bakery wins national bread award",
        "Transit strike ends after overnight talks",
        "Markets: shares slip as oil prices climb",
        "Opinion: the library deserves a bigger budget",
        "Police close bridge after lorry crash",
        "Weather: sunny spells and showers across the region",
    ];

    fn link_post(n: usize, t: DateTime<Utc>) -> Post {
        let url = format!("https://news.example/2025/03/story-{n}");
        let mut p = Post::new(
            format!("{n}"),
            t,
            format!("{} {url}", TITLES[n % TITLES.len()]),
        );
        p.links.push(url);
        p
    }

    fn reply(n: usize, t: DateTime<Utc>) -> Post {
        let mut p = Post::new(
            format!("{n}"),
            t,
            format!("@reader{n} thanks, we have corrected the date in the story"),
        );
        p.kind = PostKind::Reply;
        p.reply_to_account = Some(format!("reader{n}"));
        p.reply_to_id = Some(format!("x{n}"));
        p
    }

    /// A feed: a headline and a link about every `step` minutes (up to 40 minutes late, as a
    /// site publishes and a poller picks it up) at all hours for `count` posts; every
    /// `reply_every`-th post (0: none) is instead a reply to a reader.
    fn feed(count: usize, step: i64, reply_every: usize) -> Timeline {
        feed_with(count, step, reply_every, 40)
    }

    fn feed_with(count: usize, step: i64, reply_every: usize, late: usize) -> Timeline {
        let mut tl = Timeline::new("harbour_news", Platform::Twitter);
        for n in 0..count {
            let late = if late == 0 { 0 } else { (n * 29) % late };
            let t = t0()
                + Duration::minutes(step * n as i64 + late as i64)
                + Duration::seconds((n % 7) as i64);
            tl.posts.push(if reply_every > 0 && n % reply_every == 0 {
                reply(n, t)
            } else {
                link_post(n, t)
            });
        }
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        FeedBroadcast.run(&Context::new(tl, &cfg, Utc::now()))
    }

    fn severity(tl: &Timeline) -> Option<Severity> {
        let out = run(tl);
        assert!(out.findings.len() <= 1);
        out.findings.first().map(|f| f.severity)
    }

    #[test]
    fn a_feed_at_all_hours_for_sixty_days_is_high() {
        // Every 80 minutes for 60 days: 18 a day.
        let tl = feed(60 * 18, 80, 0);
        let out = run(&tl);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(
            f.summary,
            "broadcasts like a feed: about 18 posts a day, every day for 60 days, at all hours; \
             1080 of 1080 own posts (100%) are a headline and a link, and none of its 1080 posts \
             replies to anyone"
        );
        assert_eq!(f.posts.len(), 1080);
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert_eq!(f.evidence[0].post_id, "0");
        assert_eq!(f.evidence[MAX_EVIDENCE - 1].post_id, "1079");
        assert!(f.evidence[0]
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("a headline of 10 words")));
        assert_eq!(f.numbers["span_days"], 60.0);
        assert_eq!(f.numbers["active_hours"], 24.0);
        assert_eq!(f.numbers["active_day_share"], 1.0);
        assert_eq!(out.stats["headline_link_share"], 1.0);
        assert_eq!(out.stats["conversation_share"], 0.0);
        // A trickle every 80 minutes exactly: the same 18 times each day leave single empty
        // hours, but no rest.
        let out = run(&feed_with(60 * 18, 80, 0, 0));
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.numbers["active_hours"], 18.0);
        assert!(
            f.summary
                .contains("around the clock (never more than 1 quiet hour in a row)"),
            "{}",
            f.summary
        );
        // With strong evidence alone the score leaves "a person talking with people".
        let score = crate::score::score(&crate::score::breakdown(&out.findings));
        assert_eq!(score, 75);
        assert!(score < 80);
    }

    #[test]
    fn a_newsroom_whose_people_reply_is_not_a_feed() {
        let tl = feed(60 * 18, 80, 10);
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert!((out.stats["conversation_share"] - 0.1).abs() < 0.01);
        assert_eq!(out.stats["headline_link_share"], 1.0);
        // Replying now and then (one post in 40) is still a feed, but no longer high.
        assert_eq!(severity(&feed(60 * 18, 80, 40)), Some(Severity::Medium));
    }

    #[test]
    fn a_person_who_shares_a_link_daily_by_hand_and_talks_is_not_a_feed() {
        // 90 days: each morning a link with a sentence of their own, then replies in the day,
        // and a night's rest.
        let mut tl = Timeline::new("reader", Platform::Mastodon);
        let day0 = Utc.with_ymd_and_hms(2025, 1, 1, 7, 30, 0).unwrap();
        for d in 0..90usize {
            let morning = day0 + Duration::days(d as i64) + Duration::minutes((d % 5) as i64 * 17);
            let url = format!("https://blog.example/post-{d}");
            let mut p = Post::new(
                format!("l{d}"),
                morning,
                format!(
                    "Really enjoyed this one. {} {url}",
                    TITLES[d % TITLES.len()]
                ),
            );
            p.links.push(url);
            tl.posts.push(p);
            for r in 0..2usize {
                let mut q = reply(d * 10 + r, morning + Duration::hours(3 + 4 * r as i64));
                q.id = format!("r{d}-{r}");
                tl.posts.push(q);
            }
        }
        tl.finish();
        let out = run(&tl);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.stats["headline_link_share"], 0.0);
        assert!(out.stats["conversation_share"] > 0.6);
    }

    #[test]
    fn a_quiet_link_sharer_who_sleeps_is_at_most_medium() {
        // The hardest person: bare titles and links shared by hand, 6 a day, no replies at
        // all, for 60 days; but only in waking hours (07:00-22:00).
        let mut tl = Timeline::new("curator", Platform::Twitter);
        let day0 = Utc.with_ymd_and_hms(2025, 1, 1, 7, 0, 0).unwrap();
        for d in 0..60usize {
            for k in 0..6usize {
                let t = day0
                    + Duration::days(d as i64)
                    + Duration::minutes((k * 150 + (d * 37) % 60) as i64);
                tl.posts.push(link_post(d * 6 + k, t));
            }
        }
        tl.finish();
        let out = run(&tl);
        assert_eq!(out.findings[0].severity, Severity::Medium);
        assert!(out.findings[0].numbers["rest_gap_hours"] >= 5.0);
    }

    #[test]
    fn thin_evidence_is_never_high() {
        // 8 posts: nothing at all.
        let out = run(&feed(8, 80, 0));
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["headline_link_share"], 1.0);
        // 30 posts over 40 hours: the content is a feed's, the cadence unproven.
        assert_eq!(severity(&feed(30, 80, 0)), Some(Severity::Low));
        // 30 posts a day apart: a month, but one a day is a person's pace.
        assert_eq!(severity(&feed(30, 24 * 60, 0)), Some(Severity::Low));
        // 150 posts, every hour for a week: medium, not high (under 200 posts and 14 days).
        assert_eq!(severity(&feed(150, 60, 0)), Some(Severity::Medium));
        assert!(run(&Timeline::new("x", Platform::Other)).stats.is_empty());
    }

    #[test]
    fn headlines_are_one_line_of_a_few_words_and_a_link() {
        let p = |text: &str| {
            let mut p = Post::new("1", t0(), text);
            if !text.contains("http") {
                p.links.push("https://site.example/a".into());
            }
            headline_words(&p, 25)
        };
        // Feed templates.
        assert_eq!(
            p("Transit strike ends after talks https://n.example/a"),
            Some(5)
        );
        assert_eq!(p("BLOGGED: My week with Rust https://b.example/x"), Some(5));
        assert_eq!(
            p("Transit strike ends\nhttps://n.example/a\n#news #city"),
            Some(3)
        );
        assert_eq!(p("U.S. Senate passes the budget bill"), Some(6));
        assert_eq!(
            p("Is coffee good for your heart? https://n.example/c"),
            None
        );
        assert_eq!(
            p("Is coffee good for the heart? https://n.example/c"),
            Some(6)
        );
        // A link as its card gives it (the title in the text, the URL in `links`).
        assert_eq!(p("Atom-Powered Robots Run Amok"), Some(4));
        // People.
        assert_eq!(p("Great piece. Worth a read https://n.example/a"), None);
        assert_eq!(p("@ana here it is https://n.example/a"), None);
        assert_eq!(
            p("Transit strike ends https://n.example/a via @harbourpost"),
            None
        );
        assert_eq!(
            p("Loved this\n\nTransit strike ends https://n.example/a"),
            None
        );
        assert_eq!(p("https://n.example/a"), None);
        assert_eq!(p("What do you think about the strike?"), None);
        let long = "word ".repeat(26);
        assert_eq!(p(&long), None);
        let mut no_link = Post::new("2", t0(), "Transit strike ends after talks");
        assert_eq!(headline_words(&no_link, 25), None);
        no_link.kind = PostKind::Quote;
        no_link.links.push("https://n.example/a".into());
        assert_eq!(headline_words(&no_link, 25), None);
    }

    #[test]
    fn percentages_say_all_and_none_only_when_true() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.998), "99%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.001), "1%");
        assert_eq!(percent(0.5), "50%");
    }
}
