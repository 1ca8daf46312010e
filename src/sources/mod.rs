//! Sources: turn exported archives and files into [`Timeline`]s.
//!
//! The set of input formats is closed ([`InputFormat`], matched exhaustively); each format is one
//! file here. A source parses, it does not judge: damaged records are skipped and counted in
//! [`Skipped`] so that the report can say what was left out, while an input that cannot be read
//! at all is a [`SourceError`] that names the file. Memory is bounded by [`Limits`], whatever the
//! input: archives are streamed entry by entry, media is never read, records and lines are capped.

pub mod bluesky_appview;
pub mod csv;
pub mod feed;
pub mod http;
pub mod jsonl;
pub mod live;
pub mod mastodon_api;
pub mod mastodon_outbox;
pub mod twitter_archive;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Timeline;

/// The input formats `scan` reads from files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum InputFormat {
    /// Twitter/X archive: the .zip, its extracted folder, or a single `tweets.js`-style file.
    TwitterArchive,
    /// Mastodon export: the .zip or its `outbox.json`.
    MastodonOutbox,
    /// echoscope JSONL: one post per line (`src/schema/post.v1.json`).
    Jsonl,
    /// echoscope CSV: the same fields as JSONL, one post per row, with a header.
    Csv,
}

impl InputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::TwitterArchive => "twitter_archive",
            InputFormat::MastodonOutbox => "mastodon_outbox",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bounds that keep hostile input from exhausting memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size read from one archive entry or file (zip bombs stop here).
    pub max_entry_bytes: u64,
    /// Largest single record (a JSONL line, a CSV row, one tweet object); longer ones are
    /// skipped and counted.
    pub max_record_bytes: usize,
    /// Largest number of records read from one input.
    pub max_records: u64,
    /// How deep a folder given as input is walked.
    pub max_dir_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 4 << 30,
            max_record_bytes: 1 << 20,
            max_records: 50_000_000,
            max_dir_depth: 8,
        }
    }
}

/// One record that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Where in the input: "line 14", "data/tweets.js element 3 (id 123)".
    pub record: String,
    /// What was wrong, in lowercase words.
    pub reason: String,
}

/// Damaged records skipped in one input: all are counted, the first few are kept as examples.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Skipped {
    pub count: u64,
    pub examples: Vec<Problem>,
}

impl Skipped {
    /// How many examples are kept; the count goes on.
    pub const MAX_EXAMPLES: usize = 10;

    pub fn note(&mut self, record: impl Into<String>, reason: impl Into<String>) {
        self.count += 1;
        if self.examples.len() < Self::MAX_EXAMPLES {
            self.examples.push(Problem {
                record: record.into(),
                reason: reason.into(),
            });
        }
    }

    pub fn absorb(&mut self, other: Skipped) {
        self.count += other.count;
        for p in other.examples {
            if self.examples.len() < Self::MAX_EXAMPLES {
                self.examples.push(p);
            }
        }
    }
}

/// What one source read from one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// One timeline per account found, each already [`Timeline::finish`]ed.
    pub timelines: Vec<Timeline>,
    pub skipped: Skipped,
}

/// An input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file or folder could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The zip archive is damaged or truncated.
    #[error("{path}: not a readable zip archive: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    /// Nothing in the input looks like a supported format.
    #[error("{path}: unsupported input ({reason}); use --input-format to say what it is")]
    UnknownFormat { path: PathBuf, reason: String },
    /// The input is of the expected format but broken beyond use.
    #[error("{path}: {record}: {reason}")]
    Invalid {
        path: PathBuf,
        record: String,
        reason: String,
    },
    /// A bound in [`Limits`] was hit where skipping cannot help.
    #[error("{path}: {what} is larger than the limit of {limit} bytes")]
    TooLarge {
        path: PathBuf,
        what: String,
        limit: u64,
    },
    /// The input holds no posts at all.
    #[error("{path}: no posts found ({reason})")]
    Empty { path: PathBuf, reason: String },
}

/// Guesses the format of a file or folder from its content (and, where content is ambiguous,
/// its name).
pub fn detect(path: &Path) -> Result<InputFormat, SourceError> {
    let _ = path;
    Err(SourceError::UnknownFormat {
        path: path.to_path_buf(),
        reason: "detection not written yet".into(),
    })
}

/// Reads one input in the given format (detected when `None`).
pub fn read(
    path: &Path,
    format: Option<InputFormat>,
    limits: &Limits,
) -> Result<(InputFormat, Batch), SourceError> {
    let format = match format {
        Some(f) => f,
        None => detect(path)?,
    };
    let batch = match format {
        InputFormat::TwitterArchive => twitter_archive::read(path, limits)?,
        InputFormat::MastodonOutbox => mastodon_outbox::read(path, limits)?,
        InputFormat::Jsonl => jsonl::read(path, limits)?,
        InputFormat::Csv => csv::read(path, limits)?,
    };
    Ok((format, batch))
}
