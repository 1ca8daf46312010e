//! Renderings of a [`Report`]: one file per format, and nothing else here. The report itself is
//! data (`model/report.rs`), built by the pipeline (`scan.rs`).
//!
//! The JSON rendering is the stable, versioned contract ([`crate::model::SCHEMA_VERSION`],
//! described by `src/schema/report.v1.json`); the daemon's API serves the same
//! [`crate::model::AccountReport`]. The text rendering is for a person at a terminal.

pub mod json;
pub mod text;

use crate::model::Report;

/// The output formats. A closed set: a new format is a variant and a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report for a terminal.
    Text,
    /// The machine-readable report (`schema_version` 1).
    Json,
}

/// Writes a report in the given format. The JSON report of a scan of thousands of accounts is
/// large, so it is streamed to the writer rather than built as one string first.
pub fn write(
    report: &Report,
    format: Format,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => out.write_all(text::render(report, color).as_bytes()),
        Format::Json => json::write(report, out),
    }
}
