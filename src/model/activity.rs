//! How an account posts over time, counted once for the charts of the HTML and Markdown
//! reports: posts by weekday and hour, reply latencies, posts and promotion per period, and
//! each finding's posts along the account's time axis ([`Activity`]).
//!
//! Everything here is a bounded aggregate (a fixed number of bins whatever the number of
//! posts), so a renderer never walks a 100,000-post timeline nor draws one element per post.
//! The pipeline (`scan.rs`) computes it; the JSON report carries it as the optional
//! `activity` field of an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bins of the time axis for the timeline tracks: fine enough that a post every few days
/// over a year shows as a beat rather than a bar.
pub const TRACK_BINS: u32 = 240;
/// Periods of the promotion-versus-conversation chart.
pub const PERIODS: u32 = 40;
/// Upper bounds (seconds) of the reply-latency buckets; a last bucket holds everything
/// slower. People answer in minutes to hours; an auto-responder in seconds.
pub const LATENCY_BOUNDS: [u64; 8] = [10, 60, 300, 1_800, 7_200, 21_600, 86_400, 604_800];

/// An account's posting, aggregated for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The IANA time zone that hours and weekdays are counted in (`UTC` unless `--tz` named
    /// another).
    pub time_zone: String,
    /// Posts by weekday (Monday first) and hour of day in `time_zone`: 7 rows of 24 counts.
    pub weekday_hour: Vec<Vec<u64>>,
    /// Replies whose parent's time is known, by latency: one bucket per
    /// [`LATENCY_BOUNDS`] entry (up to and including it) and a last one for slower replies.
    pub reply_latency: Vec<LatencyBucket>,
    /// The time axis of `posts` and `tracks`: from the first post, [`TRACK_BINS`] bins.
    pub axis: Axis,
    /// Posts per bin of `axis`, only the bins holding any: `[bin, posts]`.
    pub posts: Vec<[u64; 2]>,
    /// One track per finding that lists its posts, in the order of the account's findings.
    pub tracks: Vec<Track>,
    /// Own posts and replies per period: at most [`PERIODS`] periods of equal length from the
    /// first post to the last.
    pub periods: Vec<Period>,
}

/// Replies within one latency bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyBucket {
    /// The bucket's upper bound in seconds (inclusive); absent for the last, open bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to_seconds: Option<u64>,
    pub replies: u64,
}

/// A time axis cut into equal bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub start: DateTime<Utc>,
    /// Length of one bin, in seconds (at least 60).
    pub bin_seconds: u64,
    pub bins: u32,
}

/// One finding's posts along the [`Axis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// The finding's index in the account's `findings`.
    pub finding: usize,
    /// Its posts per bin, only the bins holding any: `[bin, posts]`.
    pub bins: Vec<[u64; 2]>,
}

/// What an account posted in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub start: DateTime<Utc>,
    /// Every post (reposts included).
    pub posts: u64,
    /// Own posts (originals and quotes) carrying a promotional marker (shop link, coupon,
    /// price, call to action; see `detectors/markers.rs`).
    pub promotional: u64,
    /// Replies to other accounts.
    pub conversation: u64,
}
