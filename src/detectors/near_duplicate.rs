//! `near_duplicate`: (stub, to be written).

use serde::{Deserialize, Serialize};

use super::{Context, Detector, Outcome};
use crate::model::Post;

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "near_duplicate";

/// `[detectors.near_duplicate]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Smallest cluster reported.
    pub min_cluster_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_cluster_size: 3,
        }
    }
}

/// A group of near-identical posts.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Indices into the timeline's posts, oldest first.
    pub members: Vec<usize>,
    /// The normalised text of the cluster's first post, as shown to people.
    pub template: String,
}

/// Clusters near-identical posts of a timeline.
pub fn clusters(_posts: &[Post], _config: &Config) -> Vec<Cluster> {
    Vec::new()
}

pub struct NearDuplicate;

impl Detector for NearDuplicate {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, _ctx: &Context<'_>) -> Outcome {
        Outcome::default()
    }
}
