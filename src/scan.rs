//! The pipeline: inputs -> timelines (grouped by account) -> detectors -> report.
//!
//! Inputs are read in parallel, timelines of the same account from several inputs are merged,
//! and accounts are analysed in parallel (rayon), so one export holding thousands of accounts
//! uses every core. [`analyse`] is the single entry point the daemon reuses for one timeline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::detectors::{self, Context};
use crate::model::{
    AccountReport, Activity, Axis, Basis, BasisLevel, Counts, DetectorSummary, Finding,
    InputFormat, InputSummary, LatencyBucket, Outcome, Period, Platform, Post, PostKind, Report,
    Severity, Skipped, Timeline, Tool, Track, LATENCY_BOUNDS, PERIODS, SCHEMA_VERSION, TRACK_BINS,
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
    /// The zone the activity charts count hours and weekdays in (`--tz`); default UTC.
    pub time_zone: Option<Tz>,
}

/// Runs every enabled detector over one timeline and builds its report, with its activity
/// counted in UTC.
pub fn analyse(
    timeline: &Timeline,
    config: &detectors::Config,
    now: DateTime<Utc>,
) -> AccountReport {
    analyse_in(timeline, config, now, Tz::UTC)
}

/// [`analyse`], with the activity's hours and weekdays counted in `zone` and the findings'
/// schedules put in words in it (the findings themselves are the same in every zone).
pub fn analyse_in(
    timeline: &Timeline,
    config: &detectors::Config,
    now: DateTime<Utc>,
    zone: Tz,
) -> AccountReport {
    let ctx = Context::new(timeline, config, now).in_zone(zone);
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
            Ran {
                id,
                enabled,
                needs_posts: d.needs_posts(config),
                outcome,
            }
        })
        .collect();
    let mut report = account_report(timeline, outcomes);
    // The markers the context found already: looking for them again was most of this count.
    let promotional = |i: usize, _: &Post| ctx.markers.get(i).is_some_and(|m| !m.is_empty());
    report.activity = Some(activity_of(timeline, &report.findings, promotional, zone));
    report
}

/// Counts a timeline's posting for the report's charts ([`Activity`]): one pass over the posts
/// and one over each finding's posts, into a fixed number of bins.
pub fn activity(timeline: &Timeline, findings: &[Finding], zone: Tz) -> Activity {
    let promotional = |_: usize, p: &Post| !detectors::markers::markers(p).is_empty();
    activity_of(timeline, findings, promotional, zone)
}

/// [`activity`], told which own posts (by index) are promotional.
fn activity_of(
    timeline: &Timeline,
    findings: &[Finding],
    promotional: impl Fn(usize, &Post) -> bool,
    zone: Tz,
) -> Activity {
    let posts = &timeline.posts;
    let mut weekday_hour = vec![vec![0u64; 24]; 7];
    let mut latency = vec![0u64; LATENCY_BOUNDS.len() + 1];
    let start = posts.first().map(|p| p.created_at).unwrap_or_default();
    let end = posts.last().map(|p| p.created_at).unwrap_or(start);
    let span = (end - start).num_seconds().max(0) as u64 + 1;
    let axis = Axis {
        start,
        bin_seconds: span.div_ceil(u64::from(TRACK_BINS)).max(60),
        bins: TRACK_BINS,
    };
    let bin_of = |t: DateTime<Utc>| -> u64 {
        let s = (t - start).num_seconds().max(0) as u64;
        (s / axis.bin_seconds).min(u64::from(TRACK_BINS) - 1)
    };
    let period_seconds = span.div_ceil(u64::from(PERIODS)).max(60);
    let period_count = span.div_ceil(period_seconds).max(1);
    let mut periods: Vec<Period> = (0..period_count)
        .map(|i| Period {
            start: start + chrono::Duration::seconds((i * period_seconds) as i64),
            posts: 0,
            promotional: 0,
            conversation: 0,
        })
        .collect();
    let mut all = vec![0u64; TRACK_BINS as usize];
    for (i, p) in posts.iter().enumerate() {
        let local = p.created_at.with_timezone(&zone);
        let day = local.weekday().num_days_from_monday() as usize;
        if let Some(n) = weekday_hour
            .get_mut(day)
            .and_then(|row| row.get_mut(local.hour() as usize))
        {
            *n += 1;
        }
        if let Some(n) = all.get_mut(bin_of(p.created_at) as usize) {
            *n += 1;
        }
        let s = (p.created_at - start).num_seconds().max(0) as u64;
        let Some(period) = periods.get_mut((s / period_seconds) as usize) else {
            continue;
        };
        period.posts += 1;
        match p.kind {
            PostKind::Reply => {
                period.conversation += 1;
                if let Some(parent) = p.reply_to_created_at {
                    let secs = (p.created_at - parent).num_seconds().max(0) as u64;
                    let k = LATENCY_BOUNDS
                        .iter()
                        .position(|b| secs <= *b)
                        .unwrap_or(LATENCY_BOUNDS.len());
                    if let Some(n) = latency.get_mut(k) {
                        *n += 1;
                    }
                }
            }
            PostKind::Original | PostKind::Quote => {
                if promotional(i, p) {
                    period.promotional += 1;
                }
            }
            PostKind::Repost => {}
        }
    }
    let sparse = |bins: &[u64]| -> Vec<[u64; 2]> {
        bins.iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| [i as u64, *n])
            .collect()
    };
    let tracks = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.posts.is_empty())
        .map(|(i, f)| {
            let mut bins = vec![0u64; TRACK_BINS as usize];
            for p in &f.posts {
                if let Some(n) = bins.get_mut(bin_of(p.created_at) as usize) {
                    *n += 1;
                }
            }
            Track {
                finding: i,
                bins: sparse(&bins),
            }
        })
        .collect();
    let reply_latency = latency
        .into_iter()
        .enumerate()
        .map(|(i, replies)| LatencyBucket {
            up_to_seconds: LATENCY_BOUNDS.get(i).copied(),
            replies,
        })
        .collect();
    Activity {
        time_zone: zone.name().to_string(),
        weekday_hour,
        reply_latency,
        posts: sparse(&all),
        axis,
        tracks,
        periods,
    }
}

/// What one detector made of one timeline, as [`account_report`] takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub id: &'static str,
    pub enabled: bool,
    /// Posts it needs to judge anything ([`detectors::Detector::needs_posts`]).
    pub needs_posts: usize,
    pub outcome: Outcome,
}

/// Leaves out findings whose story another detector tells (see
/// [`detectors::Detector::yields_to`]): a finding goes when a finding of low or higher severity
/// of a detector it yields to rests on at least half of its posts. The detector's stats stay.
/// Returns, per outcome, how many of its findings of low or higher severity went.
fn one_story(outcomes: &mut [Ran]) -> Vec<u64> {
    use foldhash::HashSet;
    let all = detectors::all();
    let yields: BTreeMap<&str, &[&str]> = all.iter().map(|d| (d.id(), d.yields_to())).collect();
    // The posts each detector's findings of low or higher severity rest on, one set per finding,
    // for the detectors another yields to (the others' sets would never be read).
    let yielded_to: Vec<&str> = all
        .iter()
        .flat_map(|d| d.yields_to().iter().copied())
        .collect();
    let told: BTreeMap<&str, Vec<HashSet<&str>>> = outcomes
        .iter()
        .filter(|r| yielded_to.contains(&r.id))
        .map(|r| {
            let sets = r
                .outcome
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Low)
                .map(|f| f.posts.iter().map(|p| p.id.as_str()).collect())
                .collect();
            (r.id, sets)
        })
        .collect();
    let mut drop: Vec<(usize, Vec<usize>)> = Vec::new();
    for (k, ran) in outcomes.iter().enumerate() {
        let Some(others) = yields.get(ran.id).filter(|o| !o.is_empty()) else {
            continue;
        };
        let gone: Vec<usize> = ran
            .outcome
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                !f.posts.is_empty()
                    && others.iter().any(|o| {
                        told.get(o).into_iter().flatten().any(|set| {
                            let shared = f.posts.iter().filter(|p| set.contains(p.id.as_str()));
                            shared.count() * 2 >= f.posts.len()
                        })
                    })
            })
            .map(|(i, _)| i)
            .collect();
        drop.push((k, gone));
    }
    let mut told_elsewhere = vec![0; outcomes.len()];
    for (k, gone) in drop {
        if let Some(ran) = outcomes.get_mut(k) {
            let mut i = 0;
            ran.outcome.findings.retain(|f| {
                i += 1;
                let keep = !gone.contains(&(i - 1));
                if !keep && f.severity >= Severity::Low {
                    if let Some(n) = told_elsewhere.get_mut(k) {
                        *n += 1;
                    }
                }
                keep
            });
        }
    }
    told_elsewhere
}

/// Builds an account's report from its timeline and what each detector made of it, in
/// [`crate::detectors::all`] order: one story per series (`one_story`), how much evidence the
/// score rests on ([`Basis`]), and no high finding on thin evidence.
pub fn account_report(timeline: &Timeline, mut outcomes: Vec<Ran>) -> AccountReport {
    let told_elsewhere = one_story(&mut outcomes);
    let counts = Counts::of(timeline);
    let span_days = match (timeline.posts.first(), timeline.posts.last()) {
        (Some(a), Some(b)) => (b.created_at - a.created_at).num_seconds().max(0) as f64 / 86_400.0,
        _ => 0.0,
    };
    let level = BasisLevel::of(counts.total, span_days);
    let mut basis = Basis {
        level,
        posts: counts.total,
        span_days: (span_days * 10.0).round() / 10.0,
        assessed: Vec::new(),
        too_few_posts: BTreeMap::new(),
    };
    let mut detectors = BTreeMap::new();
    let mut findings = Vec::new();
    for (ran, told_elsewhere) in outcomes.into_iter().zip(told_elsewhere) {
        let Ran {
            id,
            enabled,
            needs_posts,
            mut outcome,
        } = ran;
        if enabled && (counts.total as usize) < needs_posts {
            basis
                .too_few_posts
                .insert(id.to_string(), needs_posts as u64);
        } else if enabled {
            basis.assessed.push(id.to_string());
        }
        // A few posts can point at automation, never prove it: on thin evidence a finding is
        // medium at most, whatever its detector made of it.
        if level == BasisLevel::Thin {
            for f in &mut outcome.findings {
                if f.severity > Severity::Medium {
                    f.severity = Severity::Medium;
                    f.summary.push_str(" (medium at most: thin evidence)");
                }
            }
        }
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
                told_elsewhere,
                stats: outcome.stats,
            },
        );
        findings.extend(outcome.findings);
    }
    // Most severe first; within a severity keep detector order, which `sort_by` preserves.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let score_breakdown = score::breakdown(&findings);
    let score = score::score(&score_breakdown);
    let verdict = score::verdict_for(score, counts.total).to_string();
    AccountReport {
        account: timeline.account.clone(),
        platform: timeline.platform,
        first_post_at: timeline.posts.first().map(|p| p.created_at),
        last_post_at: timeline.posts.last().map(|p| p.created_at),
        posts: counts,
        declared_bot: timeline.declared_bot,
        score,
        verdict,
        score_breakdown,
        basis: Some(basis),
        detectors,
        findings,
        activity: None,
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
    // Standard input is copied to a private file first: detection looks at an input before
    // its reader reads it, and a pipe cannot be read twice. The copy lives until the end.
    let mut stdin = None;
    let mut given = Vec::with_capacity(inputs.len());
    for p in inputs {
        if sources::is_stdin(p) {
            if stdin.is_some() {
                return Err(SourceError::StdinTwice);
            }
            let spooled = sources::stdin::Spooled::read(&options.limits)?;
            given.push(spooled.path().to_path_buf());
            stdin = Some(spooled);
        } else {
            given.push(p.clone());
        }
    }
    let display_path = |p: &Path| match &stdin {
        Some(s) if p == s.path() => "-".to_string(),
        _ => display_path(p),
    };
    // Folders that are not themselves an archive are walked; what they hold that no source
    // reads is listed in the report rather than silently dropped.
    let named = |e: SourceError| match &stdin {
        Some(s) => e.renamed(s.path(), Path::new("-")),
        None => e,
    };
    let mut files = Vec::new();
    let mut unsupported = Vec::new();
    for p in &given {
        let e = sources::expand(p, &options.limits).map_err(named)?;
        files.extend(e.inputs);
        unsupported.extend(e.unsupported);
    }
    // Dates are judged against the time of the analysis, as the detectors see it.
    let now = options.now.unwrap_or_else(Utc::now);
    let results: Vec<Result<(PathBuf, InputFormat, sources::Batch), SourceError>> = files
        .par_iter()
        .map(|p| {
            let (format, batch) = sources::read_at(p, options.input_format, &options.limits, now)?;
            Ok((p.clone(), format, batch))
        })
        .collect();
    let mut by_account: BTreeMap<(Platform, String), Timeline> = BTreeMap::new();
    let mut summaries = Vec::new();
    for r in results {
        let (path, format, batch) = r.map_err(named)?;
        let posts = batch.timelines.iter().map(|t| t.posts.len() as u64).sum();
        summaries.push(InputSummary {
            path: display_path(&path),
            format: Some(format),
            live_source: None,
            posts,
            skipped: batch.skipped,
            error: None,
            notes: batch.notes,
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
            notes: Vec::new(),
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

impl Loaded {
    /// Whether anything can be analysed: one rule for files, folders, standard input and live
    /// sources alike. Nothing usable is an error that says, per input, why it was not used
    /// (left out, empty, every record damaged), rather than a report of no accounts.
    pub fn usable(&self) -> Result<(), SourceError> {
        if self.timelines.iter().any(|t| !t.posts.is_empty()) {
            return Ok(());
        }
        let mut reasons: Vec<String> = self
            .inputs
            .iter()
            .map(|i| {
                let why = match (&i.error, i.skipped.examples.first()) {
                    (Some(error), _) => error.clone(),
                    (None, Some(p)) => format!(
                        "no posts, {} damaged record{} skipped (first: {}: {})",
                        i.skipped.count,
                        if i.skipped.count == 1 { "" } else { "s" },
                        p.record,
                        p.reason
                    ),
                    (None, None) => "no posts".to_string(),
                };
                format!("{}: {why}", i.path)
            })
            .collect();
        if reasons.is_empty() {
            reasons.push("no input files (an empty folder?)".into());
        }
        Err(SourceError::NothingUsable { reasons })
    }
}

/// Analyses loaded timelines into a report.
pub fn report(loaded: Loaded, options: &Options, on_account_done: &(dyn Fn() + Sync)) -> Report {
    let now = options.now.unwrap_or_else(Utc::now);
    let mut accounts: Vec<AccountReport> = loaded
        .timelines
        .par_iter()
        .map(|t| {
            let zone = options.time_zone.unwrap_or(Tz::UTC);
            let r = analyse_in(t, &options.detectors, now, zone);
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

/// Gives less on request (`--max-findings`, `--max-evidence`): at most `max_findings` findings
/// per account (they are most severe first) and at most `max_evidence` posts per finding, in
/// its `posts` list and its evidence sample, each keeping the first and the last. `None` keeps
/// everything. The score and the per-detector summaries still count everything.
pub fn limit(report: &mut Report, max_findings: Option<usize>, max_evidence: Option<usize>) {
    for account in &mut report.accounts {
        if let Some(n) = max_findings {
            account.findings.truncate(n);
            // A track belongs to its finding: it goes with it.
            if let Some(a) = &mut account.activity {
                a.tracks.retain(|t| t.finding < n);
            }
        }
        if let Some(n) = max_evidence {
            for f in &mut account.findings {
                f.posts = detectors::evidence::spread_of(&f.posts, n);
                f.evidence = detectors::evidence::spread_of(&f.evidence, n);
            }
        }
    }
}

/// Paths in reports are shown as given, with `/` separators.
fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, PostRef, Severity};
    use chrono::TimeZone;

    fn finding(detector: &str, severity: Severity, ids: &[&str]) -> Finding {
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        Finding {
            detector: detector.into(),
            severity,
            summary: "x".into(),
            template: None,
            schedule: None,
            numbers: Default::default(),
            evidence: Vec::new(),
            posts: ids
                .iter()
                .map(|id| PostRef {
                    id: id.to_string(),
                    created_at: at,
                })
                .collect(),
        }
    }

    /// A timeline of 120 posts over 40 days: ample evidence.
    fn ample() -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        let mut tl = Timeline::new("a", Platform::Twitter);
        for i in 0..120 {
            tl.posts.push(crate::model::Post::new(
                format!("p{i}"),
                t0 + chrono::Duration::hours(8 * i),
                "x",
            ));
        }
        tl.finish();
        tl
    }

    fn ran(id: &'static str, outcome: Outcome) -> Ran {
        Ran {
            id,
            enabled: true,
            needs_posts: 1,
            outcome,
        }
    }

    fn outcome(findings: Vec<Finding>) -> Outcome {
        Outcome {
            findings,
            stats: Default::default(),
        }
    }

    #[test]
    fn a_scheduled_campaign_is_not_also_a_near_duplicate_finding() {
        let tl = ample();
        let series = ["1", "2", "3", "4"];
        let report = account_report(
            &tl,
            vec![
                ran(
                    "near_duplicate",
                    outcome(vec![
                        finding("near_duplicate", Severity::High, &series),
                        finding("near_duplicate", Severity::Low, &["7", "8", "9"]),
                    ]),
                ),
                ran(
                    "scheduled_repeat",
                    outcome(vec![finding(
                        "scheduled_repeat",
                        Severity::High,
                        &series[..2],
                    )]),
                ),
            ],
        );
        let nd: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.detector == "near_duplicate")
            .collect();
        assert_eq!(nd.len(), 1, "the campaign's cluster is told once");
        assert_eq!(nd[0].posts[0].id, "7");
        assert_eq!(report.detectors["near_duplicate"].told_elsewhere, 1);
        // Penalised once: scheduled_repeat's 25 and the remaining low 5.
        assert_eq!(report.score, 70);
    }

    #[test]
    fn a_repeat_at_human_times_stays_a_near_duplicate_finding() {
        let tl = Timeline::new("a", Platform::Twitter);
        let series = ["1", "2", "3", "4"];
        let report = account_report(
            &tl,
            vec![
                ran(
                    "near_duplicate",
                    outcome(vec![finding("near_duplicate", Severity::Medium, &series)]),
                ),
                ran(
                    "scheduled_repeat",
                    outcome(vec![finding("scheduled_repeat", Severity::Info, &series)]),
                ),
            ],
        );
        assert_eq!(report.findings.len(), 2);
        assert_eq!(report.detectors["near_duplicate"].told_elsewhere, 0);
    }

    #[test]
    fn limit_gives_less_on_request_and_keeps_the_ends() {
        let tl = Timeline::new("a", Platform::Twitter);
        let ids: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::current(),
            generated_at: Utc::now(),
            accounts: vec![account_report(
                &tl,
                vec![ran(
                    "timing",
                    outcome(vec![
                        finding("timing", Severity::Low, &ids),
                        finding("timing", Severity::Info, &ids),
                    ]),
                )],
            )],
            inputs: Vec::new(),
        };
        limit(&mut report, None, None);
        assert_eq!(report.accounts[0].findings[0].posts.len(), 30);
        limit(&mut report, Some(1), Some(3));
        let a = &report.accounts[0];
        assert_eq!(a.findings.len(), 1);
        let kept: Vec<&str> = a.findings[0].posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(kept, ["0", "14", "29"]);
        assert_eq!(
            a.detectors["timing"].findings, 2,
            "summaries count everything"
        );
    }
}

#[cfg(test)]
mod basis {
    use super::*;
    use crate::model::Post;
    use chrono::TimeZone;

    fn timeline(n: i64, every_hours: i64) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        let mut tl = Timeline::new("a", Platform::Twitter);
        for i in 0..n {
            let mut p = Post::new(
                format!("p{i}"),
                t0 + chrono::Duration::hours(every_hours * i),
                format!("Thanks for the follow, friend number {i}! Glad to have you here."),
            );
            p.kind = crate::model::PostKind::Reply;
            p.reply_to_account = Some(format!("u{i}"));
            p.reply_to_id = Some(format!("{}", 1000 + i));
            p.reply_to_created_at = Some(p.created_at - chrono::Duration::seconds(3));
            tl.posts.push(p);
        }
        tl.finish();
        tl
    }

    #[test]
    fn a_short_timeline_is_thin_and_says_which_detectors_could_not_judge() {
        let r = analyse(&timeline(12, 2), &detectors::Config::default(), Utc::now());
        let b = r.basis.expect("basis");
        assert_eq!(b.level, BasisLevel::Thin);
        assert_eq!(b.posts, 12);
        assert_eq!(b.too_few_posts.get("timing"), Some(&20));
        assert!(b.assessed.contains(&"auto_reply".to_string()));
        assert!(!b.assessed.contains(&"timing".to_string()));
    }

    #[test]
    fn never_a_high_finding_on_thin_evidence() {
        // Templated replies 3 s after their parent to 12 accounts: high with enough posts.
        let config = detectors::Config::default();
        let thin = analyse(&timeline(12, 2), &config, Utc::now());
        assert!(!thin.findings.is_empty());
        assert!(thin.findings.iter().all(|f| f.severity <= Severity::Medium));
        assert!(thin
            .findings
            .iter()
            .any(|f| f.summary.ends_with("(medium at most: thin evidence)")));
        let ample = analyse(&timeline(120, 9), &config, Utc::now());
        assert_eq!(
            ample.basis.as_ref().map(|b| b.level),
            Some(BasisLevel::Ample)
        );
        assert!(ample.findings.iter().any(|f| f.severity == Severity::High));
    }
}

#[cfg(test)]
mod activity_counts {
    use super::*;
    use crate::model::{Post, PostRef};
    use chrono::TimeZone;

    /// Monday 2025-01-06 09:00 UTC, then a post every 24 h plus one minute for 20 days; every
    /// other post a reply 5 s after its parent, every post with an even index a sale.
    fn timeline() -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap();
        let mut tl = Timeline::new("a", Platform::Twitter);
        for i in 0..20 {
            let at = t0 + chrono::Duration::minutes(i * (24 * 60 + 1));
            let mut p = if i % 2 == 0 {
                Post::new(
                    format!("p{i}"),
                    at,
                    "Winter sale: 20% off with code SNOW20 https://shop.example/sale",
                )
            } else {
                Post::new(format!("p{i}"), at, "thanks, see you there")
            };
            if i % 2 == 1 {
                p.kind = PostKind::Reply;
                p.reply_to_created_at = Some(at - chrono::Duration::seconds(5));
            }
            tl.posts.push(p);
        }
        tl.finish();
        tl
    }

    #[test]
    fn counts_hours_latency_promotion_and_tracks() {
        let tl = timeline();
        let mut f = crate::model::Finding {
            detector: "scheduled_repeat".into(),
            severity: Severity::High,
            summary: "x".into(),
            template: None,
            schedule: None,
            numbers: Default::default(),
            evidence: Vec::new(),
            posts: Vec::new(),
        };
        f.posts = tl.posts.iter().step_by(2).map(PostRef::of).collect();
        let a = activity(&tl, std::slice::from_ref(&f), Tz::UTC);
        assert_eq!(a.time_zone, "UTC");
        let total: u64 = a.weekday_hour.iter().flatten().sum();
        assert_eq!(total, 20);
        // Days 0..=6 start on Monday at 09:00-09:06: every weekday once at 09:00 in the first
        // three weeks.
        assert_eq!(a.weekday_hour[0][9], 3, "Mondays at 09h");
        assert_eq!(a.reply_latency[0].replies, 10, "replies within 10 s");
        assert_eq!(a.reply_latency.iter().map(|b| b.replies).sum::<u64>(), 10);
        assert_eq!(a.periods.iter().map(|p| p.promotional).sum::<u64>(), 10);
        assert_eq!(a.periods.iter().map(|p| p.conversation).sum::<u64>(), 10);
        assert_eq!(a.posts.iter().map(|b| b[1]).sum::<u64>(), 20);
        assert_eq!(a.tracks.len(), 1);
        assert_eq!(a.tracks[0].bins.iter().map(|b| b[1]).sum::<u64>(), 10);
        assert!(a.tracks[0]
            .bins
            .iter()
            .all(|b| b[0] < u64::from(TRACK_BINS)));
        // In Berlin (UTC+1 in January) the same posts are at 10h.
        let berlin = activity(&tl, &[], chrono_tz::Europe::Berlin);
        assert_eq!(berlin.time_zone, "Europe/Berlin");
        assert_eq!(berlin.weekday_hour[0][10], 3);
        assert_eq!(berlin.weekday_hour[0][9], 0);
    }

    #[test]
    fn an_empty_timeline_has_empty_counts() {
        let a = activity(&Timeline::new("a", Platform::Twitter), &[], Tz::UTC);
        assert!(a.posts.is_empty() && a.tracks.is_empty());
        assert_eq!(a.weekday_hour.len(), 7);
        assert_eq!(a.reply_latency.len(), LATENCY_BOUNDS.len() + 1);
    }
}
