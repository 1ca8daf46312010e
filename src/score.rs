//! The authenticity score: 0-100, where 100 reads as a person talking with people.
//!
//! It is made to be explained in one sentence: start at 100; each finding takes off points by
//! severity (high 25, medium 12, low 5, info 0); what one detector can take off is capped, so
//! that no single kind of evidence decides alone; the result is clamped at 0. The caps weigh
//! the two habits echoscope is about (scheduled repeats and auto-replies) above the supporting
//! signals. Every report shows the breakdown. Each detector's cap is its `MAX_PENALTY`, kept in
//! its own file and read through [`crate::detectors::Detector::max_penalty`].

use std::collections::BTreeMap;

use crate::detectors;
use crate::model::{Breakdown, Finding, Severity};

/// Points one finding takes off, by severity.
pub fn points(severity: Severity) -> u32 {
    match severity {
        Severity::High => 25,
        Severity::Medium => 12,
        Severity::Low => 5,
        Severity::Info => 0,
    }
}

/// The per-detector penalties for these findings (detectors with no penalty are left out).
pub fn breakdown(findings: &[Finding]) -> Vec<Breakdown> {
    let mut by: BTreeMap<&str, [u32; 4]> = BTreeMap::new();
    for f in findings {
        by.entry(f.detector.as_str()).or_default()[f.severity as usize] += 1;
    }
    let mut out = Vec::new();
    for detector in detectors::all() {
        let id = detector.id();
        let cap = detector.max_penalty();
        let Some(n) = by.get(id) else { continue };
        let raw: u32 = Severity::ALL
            .iter()
            .map(|s| n[*s as usize] * points(*s))
            .sum();
        let penalty = raw.min(cap);
        if penalty == 0 {
            continue;
        }
        let reason = Severity::ALL
            .iter()
            .rev()
            .filter(|s| n[**s as usize] > 0 && points(**s) > 0)
            .map(|s| format!("{} {}", n[*s as usize], s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Breakdown {
            detector: id.to_string(),
            penalty,
            max_penalty: cap,
            reason,
        });
    }
    out
}

/// 100 minus the penalties, never below 0.
pub fn score(breakdown: &[Breakdown]) -> u32 {
    100u32.saturating_sub(breakdown.iter().map(|b| b.penalty).sum())
}

/// The verdict of an account with no posts in the analysis window. A score needs posts: with
/// none, nothing took points off because nothing was looked at, and 100 would read as a clean
/// bill of health. Reports show this instead of the score ([`crate::model::AccountReport::scored`]).
pub const NO_POSTS: &str = "no posts in the analysis window";

/// The verdict of an account report: the score in words, or [`NO_POSTS`] when `posts` is 0.
pub fn verdict_for(score: u32, posts: u64) -> &'static str {
    if posts == 0 {
        NO_POSTS
    } else {
        verdict(score)
    }
}

/// The score in words.
pub fn verdict(score: u32) -> &'static str {
    match score {
        80..=100 => "reads as a person talking with people",
        50..=79 => "shows some automated behaviour",
        _ => "largely automated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(detector: &str, severity: Severity) -> Finding {
        Finding {
            detector: detector.into(),
            severity,
            summary: String::new(),
            template: None,
            schedule: None,
            numbers: Default::default(),
            evidence: vec![],
            posts: vec![],
        }
    }

    #[test]
    fn penalties_are_capped_per_detector() {
        let fs = vec![
            finding("scheduled_repeat", Severity::High),
            finding("scheduled_repeat", Severity::High),
            finding("automation_client", Severity::Info),
            finding("timing", Severity::Low),
        ];
        let b = breakdown(&fs);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].detector, "scheduled_repeat");
        assert_eq!(b[0].penalty, 40);
        assert_eq!(b[0].reason, "2 high");
        assert_eq!(b[1].penalty, 5);
        assert_eq!(score(&b), 55);
        assert_eq!(verdict(55), "shows some automated behaviour");
        assert_eq!(score(&breakdown(&[])), 100);
    }

    #[test]
    fn no_posts_is_no_verdict_of_a_person() {
        assert_eq!(verdict_for(100, 0), NO_POSTS);
        assert_eq!(verdict_for(100, 1), "reads as a person talking with people");
    }
}
