//! What an export leaves out, and which detectors that leaves without input.
//!
//! Brand downloads (Bluesky repositories, Facebook, Instagram, Threads, LinkedIn, YouTube,
//! Reddit, TikTok) each lack some of the fields the detectors read: none carries the posting
//! client, most carry no reply target or post id, some write times without seconds. A detector
//! that finds nothing because its field is absent has not shown the account clean, so each
//! source names its gaps and the report carries them as notes of the input
//! ([`crate::model::InputSummary::notes`]) instead of silently scoring higher or lower. The set
//! of gaps is closed: a new one must say here which detectors it starves.

/// One field an export does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// No posting application ("Buffer", "IFTTT").
    Client,
    /// Replies do not say which post they answer (or when it was posted).
    ReplyTarget,
    /// Posts have no ids of their own: echoscope derives them from content and time.
    PostIds,
    /// Times are written to the minute (or coarser), without seconds.
    Seconds,
    /// Times carry no zone: read as UTC.
    Zone,
}

impl Gap {
    /// The note for the report: what is missing and which detectors could not use it.
    pub fn note(self, source: &str) -> String {
        match self {
            Gap::Client => format!(
                "{source}: the export has no posting client; automation_client could not judge, \
                 and scheduled_repeat could not tie series to one client"
            ),
            Gap::ReplyTarget => format!(
                "{source}: replies carry no parent post time; auto_reply could not measure \
                 reply latency"
            ),
            Gap::PostIds => format!(
                "{source}: the export has no post ids; ids are derived from time and text, so \
                 the same post in two downloads is only merged when both are identical"
            ),
            Gap::Seconds => format!(
                "{source}: times have no seconds; timing's exact-minute measure and \
                 scheduled_repeat's same-second check could not use them"
            ),
            Gap::Zone => format!(
                "{source}: times carry no zone and were read as UTC; timing's hour-of-day \
                 profile may be shifted by the account's offset"
            ),
        }
    }
}

/// The notes for a source's gaps, in the order given.
pub fn notes(source: &str, gaps: &[Gap]) -> Vec<String> {
    gaps.iter().map(|g| g.note(source)).collect()
}
