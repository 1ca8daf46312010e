//! Reports: one [`Report`] per scan, rendered by one file per format.
//!
//! The JSON rendering is the stable, versioned contract ([`SCHEMA_VERSION`], described by
//! `src/schema/report.v1.json`); the daemon's API serves the same [`AccountReport`]. The text
//! rendering is for a person at a terminal.

pub mod json;
pub mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::detectors::{Finding, Outcome, Severity};
use crate::model::{Platform, PostKind, Timeline};
use crate::score::{self, Breakdown};
use crate::sources::{InputFormat, Skipped};

/// Bumped whenever a field is removed or changes meaning; adding a field does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The output formats. A closed set: a new format is a variant and a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report for a terminal.
    Text,
    /// The machine-readable report (`schema_version` 1).
    Json,
}

/// Writes a report in the given format. The JSON report of a scan of thousands of accounts is
/// large, so it is streamed to the writer rather than built as one string first.
pub fn write(
    report: &Report,
    format: Format,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => out.write_all(text::render(report, color).as_bytes()),
        Format::Json => json::write(report, out),
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
    pub live_source: Option<String>,
    /// Posts read from it.
    pub posts: u64,
    /// Damaged records skipped.
    pub skipped: Skipped,
    /// Why the whole input was left out, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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

/// One detector's part of an account report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorSummary {
    pub enabled: bool,
    pub findings: u64,
    /// The highest severity among its findings, absent when it found nothing.
    pub highest_severity: Option<Severity>,
    /// The account-level numbers the detector measured.
    pub stats: BTreeMap<String, f64>,
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
    /// Per detector, keyed by id.
    pub detectors: BTreeMap<String, DetectorSummary>,
    /// All findings, most severe first.
    pub findings: Vec<Finding>,
}

impl AccountReport {
    /// Builds an account's report from its timeline and the outcome of each detector
    /// (`(id, enabled, outcome)`, in [`crate::detectors::all`] order).
    pub fn build(
        timeline: &Timeline,
        outcomes: Vec<(&'static str, bool, Outcome)>,
    ) -> AccountReport {
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
        let mut detectors = BTreeMap::new();
        let mut findings = Vec::new();
        for (id, enabled, mut outcome) in outcomes {
            // JSON has no NaN or infinity: a number a detector could not compute is left out
            // rather than written as null, which the schema would reject.
            outcome.stats.retain(|_, v| v.is_finite());
            for f in &mut outcome.findings {
                f.numbers.retain(|_, v| v.is_finite());
            }
            detectors.insert(
                id.to_string(),
                DetectorSummary {
                    enabled,
                    findings: outcome.findings.len() as u64,
                    highest_severity: outcome.findings.iter().map(|f| f.severity).max(),
                    stats: outcome.stats,
                },
            );
            findings.extend(outcome.findings);
        }
        // Most severe first; within a severity keep detector order, which `sort_by` preserves.
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let score_breakdown = score::breakdown(&findings);
        let score = score::score(&score_breakdown);
        AccountReport {
            account: timeline.account.clone(),
            platform: timeline.platform,
            first_post_at: timeline.posts.first().map(|p| p.created_at),
            last_post_at: timeline.posts.last().map(|p| p.created_at),
            posts: counts,
            declared_bot: timeline.declared_bot,
            score,
            verdict: score::verdict(score).to_string(),
            score_breakdown,
            detectors,
            findings,
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
