//! What a scan or an analysis run produced, as data: the [`Report`] of a scan, one
//! [`AccountReport`] per account, and what was read from each input ([`InputSummary`], with the
//! damaged records it skipped in [`Skipped`]).
//!
//! The JSON report is these types serialised ([`SCHEMA_VERSION`], `src/schema/report.v1.json`),
//! and the daemon's store and API keep and serve the same [`AccountReport`]. Building them is
//! the pipeline's job (`scan.rs`); rendering is `report/`'s.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Activity, Breakdown, Finding, Platform, PostKind, Severity, Timeline};

/// Bumped whenever a field is removed or changes meaning; adding a field does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The input formats `scan` reads from files (each read by its file in `sources/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum InputFormat {
    /// Twitter/X archive: the .zip, its extracted folder, or a single `tweets.js`-style file.
    TwitterArchive,
    /// Mastodon export: the .zip or its `outbox.json`.
    MastodonOutbox,
    /// echoscope JSONL: one post per line (`src/schema/post.v1.json`).
    Jsonl,
    /// echoscope CSV: the same fields as JSONL, one post per row, with a header.
    Csv,
    /// A saved RSS, Atom or JSON Feed document (one account's latest posts).
    Feed,
    /// Bluesky repository export: the `.car` of `com.atproto.sync.getRepo`.
    BlueskyCar,
    /// Facebook "Download your information" (JSON): the zip, its folder, or a posts or
    /// comments file.
    Facebook,
    /// Instagram "Download your information" (JSON), with the Threads posts it holds: the zip,
    /// its folder, or a posts, comments or `threads_and_replies.json` file.
    Instagram,
    /// LinkedIn data export: the zip, its folder, `Shares.csv` or `Comments.csv`.
    Linkedin,
    /// YouTube's part of a Google Takeout: the zip, the folder, `comments.csv` or
    /// `live chats.csv`.
    YoutubeTakeout,
    /// Reddit data request export: the zip, its folder, `posts.csv` or `comments.csv`.
    Reddit,
    /// TikTok "Download your data" (JSON): the zip, its folder, or `user_data.json`.
    Tiktok,
}

impl InputFormat {
    /// Every format, in the order `sources::detect` tries them: the first whose content fits
    /// takes the input, so a format that claims little (CSV, any text with commas) comes last.
    pub const ALL: [InputFormat; 12] = [
        InputFormat::TwitterArchive,
        InputFormat::BlueskyCar,
        InputFormat::Facebook,
        InputFormat::Instagram,
        InputFormat::Linkedin,
        InputFormat::YoutubeTakeout,
        InputFormat::Reddit,
        InputFormat::Tiktok,
        InputFormat::Feed,
        InputFormat::Jsonl,
        InputFormat::MastodonOutbox,
        InputFormat::Csv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::TwitterArchive => "twitter_archive",
            InputFormat::MastodonOutbox => "mastodon_outbox",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Csv => "csv",
            InputFormat::Feed => "feed",
            InputFormat::BlueskyCar => "bluesky_car",
            InputFormat::Facebook => "facebook",
            InputFormat::Instagram => "instagram",
            InputFormat::Linkedin => "linkedin",
            InputFormat::YoutubeTakeout => "youtube_takeout",
            InputFormat::Reddit => "reddit",
            InputFormat::Tiktok => "tiktok",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a daemon account or a live scan input is read from: the value of the `source` label
/// in metrics and of `live_source` in reports. A closed set, one variant per kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An RSS, Atom or JSON Feed URL.
    Feed,
    /// The Mastodon public REST API.
    MastodonApi,
    /// The Bluesky public AppView.
    BlueskyAppview,
    /// A file or folder on disk, re-read when it changes (the daemon's `file:` sources).
    File,
}

impl SourceKind {
    /// Every kind, for pre-creating metric series.
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Feed,
        SourceKind::MastodonApi,
        SourceKind::BlueskyAppview,
        SourceKind::File,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::MastodonApi => "mastodon_api",
            SourceKind::BlueskyAppview => "bluesky_appview",
            SourceKind::File => "file",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Where in the input: "line 14", "data/tweets.js element 3 (id 123)".
    pub record: String,
    /// What was wrong, in lowercase words.
    pub reason: String,
}

/// Damaged records skipped in one input: all are counted, the first few are kept as examples.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Skipped {
    pub count: u64,
    pub examples: Vec<Problem>,
}

impl Skipped {
    /// How many examples are kept; the count goes on.
    pub const MAX_EXAMPLES: usize = 10;

    pub fn note(&mut self, record: impl Into<String>, reason: impl Into<String>) {
        self.count += 1;
        if self.examples.len() < Self::MAX_EXAMPLES {
            self.examples.push(Problem {
                record: record.into(),
                reason: reason.into(),
            });
        }
    }

    pub fn absorb(&mut self, other: Skipped) {
        self.count += other.count;
        for p in other.examples {
            if self.examples.len() < Self::MAX_EXAMPLES {
                self.examples.push(p);
            }
        }
    }
}

/// Everything one scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub generated_at: DateTime<Utc>,
    /// One report per account, ordered by score (lowest, most suspicious first), then name.
    pub accounts: Vec<AccountReport>,
    /// What was read, and what was skipped, per input.
    pub inputs: Vec<InputSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// One input as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    pub path: String,
    /// The file format it was read as; null for live sources and unidentified files.
    pub format: Option<InputFormat>,
    /// For a live source: `feed`, `mastodon_api` or `bluesky_appview`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_source: Option<SourceKind>,
    /// Posts read from it.
    pub posts: u64,
    /// Damaged records skipped.
    pub skipped: Skipped,
    /// Why the whole input was left out, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the input lacks (fields some detectors need) or what was repaired in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Post counts of one account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub total: u64,
    pub original: u64,
    pub reply: u64,
    pub repost: u64,
    pub quote: u64,
    pub direct_messages: u64,
}

impl Counts {
    /// The counts of a timeline's posts by kind, and its direct messages.
    pub fn of(timeline: &Timeline) -> Counts {
        let mut counts = Counts {
            total: timeline.posts.len() as u64,
            direct_messages: timeline.direct_messages.len() as u64,
            ..Counts::default()
        };
        for p in &timeline.posts {
            match p.kind {
                PostKind::Original => counts.original += 1,
                PostKind::Reply => counts.reply += 1,
                PostKind::Repost => counts.repost += 1,
                PostKind::Quote => counts.quote += 1,
            }
        }
        counts
    }
}

/// One detector's part of an account report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorSummary {
    pub enabled: bool,
    pub findings: u64,
    /// The highest severity among its findings, absent when it found nothing.
    pub highest_severity: Option<Severity>,
    /// Its findings (low or higher) left out of the report because another detector tells the
    /// same posts' story better (a near-duplicate series that is a scheduled campaign).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub told_elsewhere: u64,
    /// The account-level numbers the detector measured.
    pub stats: BTreeMap<String, f64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How much evidence a score rests on. A list of accounts can then be ranked, and a dashboard can
/// tell "clean" from "unknown": a short timeline that shows nothing has not been shown clean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// `thin`, `limited` or `ample`.
    pub level: BasisLevel,
    /// Posts analysed (reposts included; direct messages not).
    pub posts: u64,
    /// Days from the first post to the last.
    pub span_days: f64,
    /// The enabled detectors that had enough posts to judge, in report order.
    pub assessed: Vec<String>,
    /// The enabled detectors that had too few, each with the posts it needs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub too_few_posts: BTreeMap<String, u64>,
}

/// How much evidence: a closed set, from a timeline's size and span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisLevel {
    /// Under 30 posts or under 3 days: graded signals move the score, no finding is high.
    Thin,
    /// Under 100 posts or under 14 days.
    Limited,
    /// Enough for every detector's judgement.
    Ample,
}

impl BasisLevel {
    /// The level of a timeline of `posts` posts spanning `span_days`.
    pub fn of(posts: u64, span_days: f64) -> BasisLevel {
        if posts < 30 || span_days < 3.0 {
            BasisLevel::Thin
        } else if posts < 100 || span_days < 14.0 {
            BasisLevel::Limited
        } else {
            BasisLevel::Ample
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BasisLevel::Thin => "thin",
            BasisLevel::Limited => "limited",
            BasisLevel::Ample => "ample",
        }
    }

    /// As a number for metrics: 0 thin, 1 limited, 2 ample.
    pub fn rank(self) -> u8 {
        match self {
            BasisLevel::Thin => 0,
            BasisLevel::Limited => 1,
            BasisLevel::Ample => 2,
        }
    }
}

/// The audit of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub platform: Platform,
    /// First and last post analysed.
    pub first_post_at: Option<DateTime<Utc>>,
    pub last_post_at: Option<DateTime<Utc>>,
    pub posts: Counts,
    /// The platform's self-declared bot flag, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_bot: Option<bool>,
    /// 0-100: 100 reads as a person talking with people. See [`crate::score`].
    pub score: u32,
    /// The score in words.
    pub verdict: String,
    /// How the score was made: one line per detector that took points off.
    pub score_breakdown: Vec<Breakdown>,
    /// How much evidence the score rests on. Absent only in reports stored by echoscope
    /// versions before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// Per detector, keyed by id.
    pub detectors: BTreeMap<String, DetectorSummary>,
    /// All findings, most severe first.
    pub findings: Vec<Finding>,
    /// How the account posts over time, aggregated for the charts of the HTML and Markdown
    /// reports. Absent in reports stored by echoscope versions before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
}

impl AccountReport {
    /// Whether the score means anything: it needs posts in the analysis window. Without any
    /// (a `file:` account whose posts are all older than its retention, an archive of direct
    /// messages only) reports say so (the verdict is `score::NO_POSTS`) instead of a score.
    pub fn scored(&self) -> bool {
        self.posts.total > 0
    }

    /// The score as reports write it: `73/100`, or `no score` without posts.
    pub fn score_text(&self) -> String {
        if self.scored() {
            format!("{}/100", self.score)
        } else {
            "no score".to_string()
        }
    }

    /// The highest severity among all findings.
    pub fn highest_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

impl Report {
    /// Whether any finding of at least this severity exists (for `--fail-on`).
    pub fn has_finding_at_least(&self, severity: Severity) -> bool {
        self.accounts
            .iter()
            .any(|a| a.highest_severity().is_some_and(|s| s >= severity))
    }
}
