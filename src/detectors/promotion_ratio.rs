//! `promotion_ratio`: (stub, to be written).

use serde::{Deserialize, Serialize};

use super::{Context, Detector, Outcome};
use crate::model::Post;

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "promotion_ratio";

/// `[detectors.promotion_ratio]` settings.
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

/// A promotional marker found in a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Marker {
    /// A link to a shop, product or landing page.
    ShopLink,
    /// A coupon or discount code.
    Coupon,
    /// A price or discount ("$19.99", "50% off").
    Price,
    /// A call to action ("buy now", "sign up", "link in bio").
    CallToAction,
}

/// The promotional markers in one post (empty for conversation). Shared with
/// `scheduled_repeat`, which raises severity for promotional repeats.
pub fn markers(_post: &Post) -> Vec<Marker> {
    Vec::new()
}

pub struct PromotionRatio;

impl Detector for PromotionRatio {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, _ctx: &Context<'_>) -> Outcome {
        Outcome::default()
    }
}
