//! `twitter_archive` source (stub, to be written).

use std::path::Path;

use super::{Batch, Limits, SourceError};

/// Reads one input of this format.
pub fn read(path: &Path, _limits: &Limits) -> Result<Batch, SourceError> {
    Err(SourceError::UnknownFormat {
        path: path.to_path_buf(),
        reason: "twitter_archive not written yet".into(),
    })
}
