//! The data every stage shares, and nothing that acts on it: what sources produce (a
//! [`Timeline`] of [`Post`]s, `timeline.rs`), what detectors return ([`Finding`]s with their
//! [`Evidence`], `findings.rs`) and what a scan or an analysis run adds up to ([`Report`],
//! [`AccountReport`], [`InputSummary`], `report.rs`) and how an account posts over time, counted
//! for charts ([`Activity`], `activity.rs`).
//!
//! Everything else sits above this module: `sources/` fill timelines, `detectors/` and
//! `score.rs` read them and make findings, `scan.rs` builds reports, `report/` renders them and
//! `store/` keeps them. This module imports none of them (only `text.rs`, to shorten evidence).

mod activity;
mod findings;
mod report;
mod timeline;
pub mod timestamp;

pub use activity::{
    Activity, Axis, LatencyBucket, Period, Track, LATENCY_BOUNDS, PERIODS, TRACK_BINS,
};
pub use findings::{Breakdown, Evidence, Finding, Outcome, PostRef, Severity, MAX_EVIDENCE};
pub use report::{
    AccountReport, Basis, BasisLevel, Counts, DetectorSummary, InputFormat, InputSummary, Problem,
    Report, Skipped, SourceKind, Tool, SCHEMA_VERSION,
};
pub use timeline::{
    created_at_from_id, implausible_date, DirectMessage, Platform, Post, PostKind, Timeline,
    FUTURE_SLACK_DAYS,
};
