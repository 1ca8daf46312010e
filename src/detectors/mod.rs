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

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Outcome, Timeline};

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
