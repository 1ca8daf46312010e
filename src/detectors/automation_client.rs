//! `automation_client`: (stub, to be written).

use serde::{Deserialize, Serialize};

use super::{Context, Detector, Outcome};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "automation_client";

/// `[detectors.automation_client]` settings.
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

pub struct AutomationClient;

impl Detector for AutomationClient {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, _ctx: &Context<'_>) -> Outcome {
        Outcome::default()
    }
}
