//! `timing`: (stub, to be written).

use serde::{Deserialize, Serialize};

use super::{Context, Detector, Outcome};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "timing";

/// `[detectors.timing]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { enabled: true }
    }
}

pub struct Timing;

impl Detector for Timing {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, _ctx: &Context<'_>) -> Outcome {
        Outcome::default()
    }
}
