//! `scheduled_repeat`: (stub, to be written).

use serde::{Deserialize, Serialize};

use super::{Context, Detector, Outcome};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "scheduled_repeat";

/// `[detectors.scheduled_repeat]` settings.
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

pub struct ScheduledRepeat;

impl Detector for ScheduledRepeat {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, _ctx: &Context<'_>) -> Outcome {
        Outcome::default()
    }
}
