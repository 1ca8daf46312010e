//! Detectors: pure functions from a [`Timeline`](crate::model::Timeline) to
//! [`Finding`](crate::model::Finding)s.
//!
//! The set is open, so it is one small trait and one list ([`all`]). A detector's id is its file
//! name, its config section (`[detectors.<id>]`), its JSON field and its metric label value.
//! Contract for every implementation: no I/O, no clock (the time of the analysis comes in
//! [`Context::now`]), no randomness (hashes are seeded constants), and no work quadratic in the
//! number of posts. Facts several detectors need (near-duplicate clusters, self-replies, the
//! conversation) are computed once in [`Context::new`] (`context.rs`); how findings pick and
//! word their evidence is `evidence.rs`; promotional markers are `markers.rs`. A detector file
//! imports those, never another detector.
//!
//! Adding a detector: one file with its `ID`, `Config`, `MAX_PENALTY` and the [`Detector`]
//! impl, its field in [`Config`] (the impl's `enabled` reads it, so the compiler asks for it),
//! and one line in [`all`] (a test checks that every config section is in [`all`], and that
//! the report schema and the OpenAPI description list every id).

pub mod auto_reply;
pub mod automation_client;
pub mod context;
pub mod evidence;
pub mod feed_broadcast;
pub mod markers;
pub mod near_duplicate;
pub mod promotion_ratio;
pub mod scheduled_repeat;
pub mod timing;

use serde::{Deserialize, Serialize};

use crate::model::Outcome;
pub use context::Context;

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
    pub feed_broadcast: feed_broadcast::Config,
}

/// A detector. See the module documentation for the contract.
pub trait Detector: Sync {
    /// The snake_case id: file name, config key, JSON field and metric label value.
    fn id(&self) -> &'static str;
    /// Whether its `[detectors.<id>]` section switches it on.
    fn enabled(&self, config: &Config) -> bool;
    /// The most points its findings can take off the score (see `score.rs`), kept beside the
    /// detector so that the weight of a kind of evidence is read where the evidence is made.
    fn max_penalty(&self) -> u32;
    /// The fewest posts it needs to judge anything with these settings: a timeline with fewer
    /// was not assessed by it, which the report says (see [`crate::model::Basis`]).
    fn needs_posts(&self, config: &Config) -> usize;
    /// Detectors that tell this one's story better: a finding of this detector is left out of
    /// the report when a finding (low or above) of one of these rests on at least half of its
    /// posts, so that one series is told once and penalised once. Empty for most.
    fn yields_to(&self) -> &'static [&'static str] {
        &[]
    }
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
        Box::new(feed_broadcast::FeedBroadcast),
    ]
}

/// The ids of [`all`], in order.
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|d| d.id()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id of [`all`], sorted, to compare with lists kept elsewhere.
    fn sorted_ids() -> Vec<String> {
        let mut ids: Vec<String> = ids().into_iter().map(String::from).collect();
        ids.sort();
        ids
    }

    /// The sorted strings of a JSON array.
    fn sorted_strings(v: &serde_json::Value) -> Vec<String> {
        let mut out: Vec<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(String::from))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_config_section_is_a_detector_in_all() {
        let config = serde_json::to_value(Config::default()).unwrap();
        let mut sections: Vec<String> = config.as_object().unwrap().keys().cloned().collect();
        sections.sort();
        assert_eq!(sections, sorted_ids());
        let mut unique = ids();
        unique.dedup();
        assert_eq!(unique.len(), all().len(), "ids are unique");
    }

    #[test]
    fn enabled_reads_the_detectors_own_section() {
        for d in all() {
            let mut config = serde_json::to_value(Config::default()).unwrap();
            config[d.id()]["enabled"] = serde_json::Value::Bool(false);
            let config: Config = serde_json::from_value(config).unwrap();
            for other in all() {
                assert_eq!(other.enabled(&config), other.id() != d.id(), "{}", d.id());
            }
        }
    }

    #[test]
    fn schema_and_openapi_list_every_detector() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../schema/report.v1.json")).unwrap();
        let listed = sorted_strings(&schema["$defs"]["detector"]["enum"]);
        assert_eq!(listed, sorted_ids(), "src/schema/report.v1.json");
        let openapi: serde_json::Value =
            serde_json::from_str(include_str!("../server/openapi.json")).unwrap();
        let listed = sorted_strings(&openapi["components"]["schemas"]["DetectorId"]["enum"]);
        assert_eq!(listed, sorted_ids(), "src/server/openapi.json");
    }

    #[test]
    fn detectors_yield_only_to_detectors_in_all() {
        let ids = ids();
        for d in all() {
            for other in d.yields_to() {
                assert!(ids.contains(other), "{} yields to unknown {other}", d.id());
                assert_ne!(*other, d.id());
            }
        }
    }

    #[test]
    fn every_detector_needs_some_posts() {
        let config = Config::default();
        for d in all() {
            assert!(d.needs_posts(&config) >= 1, "{}", d.id());
        }
    }

    #[test]
    fn every_detector_can_take_points_off() {
        for d in all() {
            assert!(d.max_penalty() > 0, "{}", d.id());
        }
    }
}
