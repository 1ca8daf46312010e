//! What detectors return: [`Finding`]s with their [`Evidence`], graded by [`Severity`], and
//! each detector's account-level numbers ([`Outcome`]); and how the score was made
//! ([`Breakdown`]).
//!
//! These are plain data, below every stage that produces, scores, renders or stores them:
//! detectors build them, `score.rs` weighs them, `report/` renders them and `store/` keeps
//! them, and none of those needs another to do it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Post;
use crate::text::shorten;

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
    #[serde(serialize_with = "super::timestamp::serialize")]
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

/// How many evidence posts (with their text) a finding shows at most: a sample spread over the
/// series. [`Finding::posts`] lists every post.
pub const MAX_EVIDENCE: usize = 12;

/// A post a finding rests on, by id and time: enough to find it, review it and act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRef {
    pub id: String,
    #[serde(serialize_with = "super::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl PostRef {
    pub fn of(post: &Post) -> PostRef {
        PostRef {
            id: post.id.clone(),
            created_at: post.created_at,
        }
    }
}

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
    /// Posts that show it, with their text and why they are here: a sample of at most
    /// [`MAX_EVIDENCE`], spread from the first to the last, oldest first.
    pub evidence: Vec<Evidence>,
    /// Every post the finding rests on (every member of a series, every templated reply), oldest
    /// first, so that each can be checked, reviewed or deleted; empty for findings about the
    /// account's rhythm as a whole, which rest on all its posts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<PostRef>,
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

/// One detector's part of the score (see `score.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub detector: String,
    /// Points taken off.
    pub penalty: u32,
    /// The cap for this detector.
    pub max_penalty: u32,
    /// Findings by severity that made the penalty, in words: "1 high, 2 low".
    pub reason: String,
}
