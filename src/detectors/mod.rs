//! Detectors: pure functions from a [`Timeline`] to [`Finding`]s.
//!
//! The set is open, so it is one small trait and one list ([`all`]). A detector's id is its file
//! name, its config section (`[detectors.<id>]`), its JSON field and its metric label value.
//! Contract for every implementation: no I/O, no clock (the time of the analysis comes in
//! [`Context::now`]), no randomness (hashes are seeded constants), and no work quadratic in the
//! number of posts. The shared expensive part, near-duplicate clustering of all posts, is done
//! once in [`Context::new`] so that several detectors can read it.

pub mod auto_reply;
pub mod automation_client;
pub mod near_duplicate;
pub mod promotion_ratio;
pub mod scheduled_repeat;
pub mod timing;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Post, Timeline};

/// How strongly a finding points at automation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, not a sign of automation on its own (e.g. a scheduling client).
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
    ];
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            other => Err(format!(
                "unknown severity {other:?} (expected info, low, medium or high)"
            )),
        }
    }
}

/// One post shown as evidence, with what about it matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub post_id: String,
    pub created_at: DateTime<Utc>,
    /// The post's text (shortened to 280 characters).
    pub text: String,
    /// Why this post is here, in words: "reply 3 s after its parent", "via Buffer".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Evidence {
    /// Evidence for a post, its text shortened so that reports stay readable.
    pub fn of(post: &Post, note: Option<String>) -> Evidence {
        Evidence {
            post_id: post.id.clone(),
            created_at: post.created_at,
            text: shorten(&post.text, 280),
            note,
        }
    }
}

/// Cuts `text` to at most `max` characters, marking the cut with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// How many evidence posts a finding lists at most; the numbers always count all of them.
pub const MAX_EVIDENCE: usize = 12;

/// One thing a detector found, with the evidence a person needs to check it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The detector's id.
    pub detector: String,
    pub severity: Severity,
    /// One line in plain words: "posted 14 times, every 7 days, Mondays 09:00 UTC ±2 min, via Buffer".
    pub summary: String,
    /// The repeated text or reply template, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The schedule in words, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Named numbers behind the finding (counts, shares, seconds).
    pub numbers: BTreeMap<String, f64>,
    /// Posts that show it, oldest first, at most [`MAX_EVIDENCE`].
    pub evidence: Vec<Evidence>,
}

/// What one detector returns for one timeline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Account-level numbers this detector measured (documented per detector), e.g.
    /// `near_duplicate_share`, `auto_reply_share`, `promotion_ratio`. They feed the per-detector
    /// summary in reports and the daemon's gauges.
    pub stats: BTreeMap<String, f64>,
}

/// Configuration for every detector: one section each, keyed by the detector's id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub near_duplicate: near_duplicate::Config,
    pub scheduled_repeat: scheduled_repeat::Config,
    pub auto_reply: auto_reply::Config,
    pub timing: timing::Config,
    pub automation_client: automation_client::Config,
    pub promotion_ratio: promotion_ratio::Config,
}

impl Config {
    /// Whether the detector with this id is switched on.
    pub fn enabled(&self, id: &str) -> bool {
        match id {
            near_duplicate::ID => self.near_duplicate.enabled,
            scheduled_repeat::ID => self.scheduled_repeat.enabled,
            auto_reply::ID => self.auto_reply.enabled,
            timing::ID => self.timing.enabled,
            automation_client::ID => self.automation_client.enabled,
            promotion_ratio::ID => self.promotion_ratio.enabled,
            _ => false,
        }
    }
}

/// Everything a detector may read: the timeline, the time of the analysis, the configuration,
/// and the near-duplicate clusters of all posts (computed once, shared).
pub struct Context<'a> {
    pub timeline: &'a Timeline,
    pub now: DateTime<Utc>,
    pub config: &'a Config,
    /// Clusters of near-identical posts (indices into `timeline.posts`, oldest first), each with
    /// at least `near_duplicate.min_cluster_size` members.
    pub clusters: Vec<near_duplicate::Cluster>,
}

impl<'a> Context<'a> {
    pub fn new(timeline: &'a Timeline, config: &'a Config, now: DateTime<Utc>) -> Context<'a> {
        // Clustering is the expensive shared step; skip it when no detector reads it.
        let needed = config.near_duplicate.enabled || config.scheduled_repeat.enabled;
        let clusters = if needed {
            near_duplicate::clusters(&timeline.posts, &config.near_duplicate)
        } else {
            Vec::new()
        };
        Context {
            timeline,
            now,
            config,
            clusters,
        }
    }
}

/// A detector. See the module documentation for the contract.
pub trait Detector: Sync {
    /// The snake_case id: file name, config key, JSON field and metric label value.
    fn id(&self) -> &'static str;
    /// Analyses one timeline. Must not panic on any timeline, empty ones included.
    fn run(&self, ctx: &Context<'_>) -> Outcome;
}

/// Every detector, in report order.
pub fn all() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(near_duplicate::NearDuplicate),
        Box::new(scheduled_repeat::ScheduledRepeat),
        Box::new(auto_reply::AutoReply),
        Box::new(timing::Timing),
        Box::new(automation_client::AutomationClient),
        Box::new(promotion_ratio::PromotionRatio),
    ]
}

/// The ids of [`all`], in order.
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|d| d.id()).collect()
}
