//! Detection quality: precision and recall of every detector on a labelled synthetic corpus.
//!
//! The corpus is `echoscope_synth::scenario("quality")` at a fixed seed: 216 accounts, 24 of each
//! archetype (people, hard negatives, scheduled promoters, auto-responders, news feeds, brands),
//! 150 posts each. A detector "fires" on an account when it reports a finding of severity low or
//! higher; it should fire exactly where the account's label says
//! (`echoscope_synth::Labels::expects`).
//! Tables print with `cargo test quality -- --nocapture`.
//!
//! The core detectors (`near_duplicate`, `scheduled_repeat`, `auto_reply`) are asserted; the
//! others are reported.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use echoscope::detectors;
use echoscope::model::{AccountReport, Severity};
use echoscope_synth::{self as synth, Archetype, Labels};

const SEED: u64 = 20_260_101;
/// The detectors the product is about: their minimums are asserted.
const CORE: [&str; 3] = ["near_duplicate", "scheduled_repeat", "auto_reply"];
const MIN_PRECISION: f64 = 0.9;
const MIN_RECALL: f64 = 0.8;
/// The score at and above which an account reads as a person.
const HUMAN_SCORE: u32 = 80;

struct Scanned {
    labels: Labels,
    report: AccountReport,
}

fn corpus() -> &'static [Scanned] {
    static CORPUS: OnceLock<Vec<Scanned>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let spec = synth::scenario("quality").expect("the quality scenario exists");
        let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("a valid time");
        let config = detectors::Config::default();
        synth::generate(SEED, &spec)
            .into_par_iter()
            .map(|(timeline, labels)| Scanned {
                report: echoscope::scan::analyse(&timeline, &config, now),
                labels,
            })
            .collect()
    })
}

/// A detector fires when it reports a finding of low or higher severity, or when such a finding
/// of its was left out because another detector tells the same posts' story
/// (`told_elsewhere`: a near-duplicate series reported as a scheduled campaign).
fn fires(report: &AccountReport, detector: &str) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.detector == detector && f.severity >= Severity::Low)
        || report
            .detectors
            .get(detector)
            .is_some_and(|d| d.told_elsewhere > 0)
}

#[derive(Default)]
struct Confusion {
    tp: u32,
    fp: u32,
    fn_: u32,
    tn: u32,
    /// Accounts that made the errors, for the message.
    false_positives: Vec<String>,
    false_negatives: Vec<String>,
}

impl Confusion {
    fn precision(&self) -> Option<f64> {
        let fired = self.tp + self.fp;
        (fired > 0).then(|| self.tp as f64 / fired as f64)
    }
    fn recall(&self) -> Option<f64> {
        let truth = self.tp + self.fn_;
        (truth > 0).then(|| self.tp as f64 / truth as f64)
    }
}

fn confusion(detector: &str) -> Confusion {
    let mut c = Confusion::default();
    for s in corpus() {
        let Some(truth) = s.labels.expects(detector) else {
            continue;
        };
        let who = format!("{} ({})", s.labels.account, s.labels.archetype.as_str());
        match (truth, fires(&s.report, detector)) {
            (true, true) => c.tp += 1,
            (false, true) => {
                c.fp += 1;
                c.false_positives.push(who);
            }
            (true, false) => {
                c.fn_ += 1;
                c.false_negatives.push(who);
            }
            (false, false) => c.tn += 1,
        }
    }
    c
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "   -".to_string(), |v| format!("{v:.2}"))
}

#[test]
fn detector_precision_and_recall() {
    let mut table =
        String::from("\ndetector            TP   FP   FN   TN  precision  recall  status\n");
    let mut failures = Vec::new();
    for id in detectors::ids() {
        let c = confusion(id);
        let core = CORE.contains(&id);
        let status = if core { "asserted" } else { "reported" };
        table.push_str(&format!(
            "{id:<18} {:>4} {:>4} {:>4} {:>4}  {:>9}  {:>6}  {status}\n",
            c.tp,
            c.fp,
            c.fn_,
            c.tn,
            ratio(c.precision()),
            ratio(c.recall()),
        ));
        if core {
            let p = c.precision().unwrap_or(0.0);
            let r = c.recall().unwrap_or(0.0);
            if p < MIN_PRECISION {
                failures.push(format!(
                    "{id}: precision {p:.2} < {MIN_PRECISION}; false positives: {:?}",
                    first(&c.false_positives)
                ));
            }
            if r < MIN_RECALL {
                failures.push(format!(
                    "{id}: recall {r:.2} < {MIN_RECALL}; missed: {:?}",
                    first(&c.false_negatives)
                ));
            }
        }
    }
    println!("{table}");
    println!("{}", fire_rates());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn first(v: &[String]) -> &[String] {
    &v[..v.len().min(8)]
}

/// Share of accounts of each archetype that each detector fires on.
fn fire_rates() -> String {
    let ids = detectors::ids();
    let mut out = format!("{:<22}", "fires on (share)");
    for id in &ids {
        out.push_str(&format!(" {:>8.8}", id));
    }
    out.push('\n');
    for a in Archetype::ALL {
        let of: Vec<&Scanned> = corpus()
            .iter()
            .filter(|s| s.labels.archetype == a)
            .collect();
        out.push_str(&format!("{:<22}", a.as_str()));
        for id in &ids {
            let n = of.iter().filter(|s| fires(&s.report, id)).count();
            out.push_str(&format!(" {:>8.2}", n as f64 / of.len().max(1) as f64));
        }
        out.push('\n');
    }
    out
}

/// Scores by archetype: min, median, max.
fn score_table() -> (String, BTreeMap<Archetype, Vec<u32>>) {
    let mut by: BTreeMap<Archetype, Vec<u32>> = BTreeMap::new();
    for s in corpus() {
        by.entry(s.labels.archetype)
            .or_default()
            .push(s.report.score);
    }
    let mut out = String::from("\narchetype              automated  min  median  max\n");
    for (a, scores) in &mut by {
        scores.sort_unstable();
        out.push_str(&format!(
            "{:<22} {:>9}  {:>3}  {:>6}  {:>3}\n",
            a.as_str(),
            a.automated(),
            scores.first().copied().unwrap_or(0),
            scores.get(scores.len() / 2).copied().unwrap_or(0),
            scores.last().copied().unwrap_or(0),
        ));
    }
    (out, by)
}

#[test]
fn hard_negatives_and_people_score_as_people() {
    let (table, _) = score_table();
    println!("{table}");
    let low: Vec<String> = corpus()
        .iter()
        .filter(|s| !s.labels.automated() && s.report.score < HUMAN_SCORE)
        .map(|s| {
            let why: Vec<String> = s
                .report
                .score_breakdown
                .iter()
                .map(|b| format!("{} -{}", b.detector, b.penalty))
                .collect();
            format!(
                "{} ({}) scored {}: {}",
                s.labels.account,
                s.labels.archetype.as_str(),
                s.report.score,
                why.join(", ")
            )
        })
        .collect();
    assert!(
        low.is_empty(),
        "{} people scored below {HUMAN_SCORE}:\n{}",
        low.len(),
        first(&low).join("\n")
    );
}

#[test]
fn score_separates_automation_from_people() {
    let (table, by) = score_table();
    println!("{table}");
    // Newsroom feeds are automation without duplicates or replies: `timing`,
    // `automation_client` and `feed_broadcast` lower their score, but the corpus's feeds (150
    // posts over 4-7 days) are too small for a high `feed_broadcast` finding, so they are
    // reported above, not asserted here.
    let mut failures = Vec::new();
    for a in [
        Archetype::ScheduledPromoter,
        Archetype::AutoResponder,
        Archetype::Brand,
    ] {
        let scores = by.get(&a).map(Vec::as_slice).unwrap_or(&[]);
        let high = scores.iter().filter(|&&s| s >= HUMAN_SCORE).count();
        if high > 0 {
            failures.push(format!(
                "{}: {high} of {} accounts scored {HUMAN_SCORE} or more",
                a.as_str(),
                scores.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_has_every_archetype_and_both_classes_of_every_core_label() {
    // Guards the measurement itself: a corpus without positives or negatives measures nothing.
    for a in Archetype::ALL {
        let n = corpus().iter().filter(|s| s.labels.archetype == a).count();
        assert_eq!(n, 24, "{}", a.as_str());
    }
    for id in CORE {
        let positives = corpus()
            .iter()
            .filter(|s| s.labels.expects(id) == Some(true))
            .count();
        assert!(positives >= 40, "{id}: {positives} positives");
        assert!(corpus().len() - positives >= 100, "{id}: too few negatives");
    }
}
