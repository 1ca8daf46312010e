//! The pipeline: inputs -> timelines (grouped by account) -> detectors -> report.
//!
//! Inputs are read in parallel, timelines of the same account from several inputs are merged,
//! and accounts are analysed in parallel (rayon), so one export holding thousands of accounts
//! uses every core. [`analyse`] is the single entry point the daemon reuses for one timeline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::detectors::{self, Context};
use crate::model::{
    AccountReport, Counts, DetectorSummary, InputFormat, InputSummary, Outcome, Platform, Report,
    Skipped, Timeline, Tool, SCHEMA_VERSION,
};
use crate::score;
use crate::sources::{self, Limits, SourceError};

/// What a scan needs besides its inputs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Read every input as this format instead of detecting it.
    pub input_format: Option<InputFormat>,
    pub detectors: detectors::Config,
    pub limits: Limits,
    /// The time of the analysis (the clock, or a fixed time for reproducible reports).
    pub now: Option<DateTime<Utc>>,
}

/// Runs every enabled detector over one timeline and builds its report.
pub fn analyse(
    timeline: &Timeline,
    config: &detectors::Config,
    now: DateTime<Utc>,
) -> AccountReport {
    let ctx = Context::new(timeline, config, now);
    // Detectors are independent and pure, so they run side by side: this is what keeps both
    // cores busy on one large account (many small accounts are already spread over the cores).
    let outcomes = detectors::all()
        .par_iter()
        .map(|d| {
            let id = d.id();
            let enabled = d.enabled(config);
            let outcome = if enabled {
                d.run(&ctx)
            } else {
                Default::default()
            };
            (id, enabled, outcome)
        })
        .collect();
    account_report(timeline, outcomes)
}

/// Builds an account's report from its timeline and the outcome of each detector
/// (`(id, enabled, outcome)`, in [`crate::detectors::all`] order).
pub fn account_report(
    timeline: &Timeline,
    outcomes: Vec<(&'static str, bool, Outcome)>,
) -> AccountReport {
    let counts = Counts::of(timeline);
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

/// Everything read from the inputs, before analysis.
#[derive(Debug, Default)]
pub struct Loaded {
    pub timelines: Vec<Timeline>,
    pub inputs: Vec<InputSummary>,
}

/// Reads every input, merges timelines by (platform, account). An input that cannot be read
/// at all is an error for the whole scan: an audit that silently left out a file the user named
/// would mislead.
pub fn load(inputs: &[PathBuf], options: &Options) -> Result<Loaded, SourceError> {
    // Folders that are not themselves an archive are walked; what they hold that no source
    // reads is listed in the report rather than silently dropped.
    let mut files = Vec::new();
    let mut unsupported = Vec::new();
    for p in inputs {
        let e = sources::expand(p, &options.limits)?;
        files.extend(e.inputs);
        unsupported.extend(e.unsupported);
    }
    let results: Vec<Result<(PathBuf, InputFormat, sources::Batch), SourceError>> = files
        .par_iter()
        .map(|p| {
            let (format, batch) = sources::read(p, options.input_format, &options.limits)?;
            Ok((p.clone(), format, batch))
        })
        .collect();
    let mut by_account: BTreeMap<(Platform, String), Timeline> = BTreeMap::new();
    let mut summaries = Vec::new();
    for r in results {
        let (path, format, batch) = r?;
        let posts = batch.timelines.iter().map(|t| t.posts.len() as u64).sum();
        summaries.push(InputSummary {
            path: display_path(&path),
            format: Some(format),
            live_source: None,
            posts,
            skipped: batch.skipped,
            error: None,
        });
        for t in batch.timelines {
            match by_account.entry((t.platform, t.account.clone())) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(t);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().merge(t),
            }
        }
    }
    for u in unsupported {
        summaries.push(InputSummary {
            path: display_path(&u.path),
            format: None,
            live_source: None,
            posts: 0,
            skipped: Skipped::default(),
            error: Some(u.reason),
        });
    }
    let mut timelines: Vec<Timeline> = by_account.into_values().collect();
    if files.len() > 1 {
        // Merged timelines need sorting and de-duplicating again.
        timelines.par_iter_mut().for_each(|t| t.finish());
    }
    Ok(Loaded {
        timelines,
        inputs: summaries,
    })
}

/// Analyses loaded timelines into a report.
pub fn report(loaded: Loaded, options: &Options, on_account_done: &(dyn Fn() + Sync)) -> Report {
    let now = options.now.unwrap_or_else(Utc::now);
    let mut accounts: Vec<AccountReport> = loaded
        .timelines
        .par_iter()
        .map(|t| {
            let r = analyse(t, &options.detectors, now);
            on_account_done();
            r
        })
        .collect();
    accounts.sort_by(|a, b| {
        a.score
            .cmp(&b.score)
            .then_with(|| a.account.cmp(&b.account))
            .then_with(|| a.platform.cmp(&b.platform))
    });
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        generated_at: now,
        accounts,
        inputs: loaded.inputs,
    }
}

/// Paths in reports are shown as given, with `/` separators.
fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
