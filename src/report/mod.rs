//! Renderings of a [`Report`]: one file per format, and nothing else here. The report itself is
//! data (`model/report.rs`), built by the pipeline (`scan.rs`).
//!
//! The JSON rendering is the stable, versioned contract ([`crate::model::SCHEMA_VERSION`],
//! described by `src/schema/report.v1.json`); the daemon's API serves the same
//! [`crate::model::AccountReport`]. The text rendering is for a person at a terminal, the HTML
//! one (`html.rs`, its SVG charts in `charts.rs`) for a person looking at a page or a print,
//! the Markdown one for a ticket or an e-mail.

pub mod charts;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
pub mod words;

use chrono_tz::Tz;

use crate::model::Report;

/// The output formats. A closed set: a new format is a variant and a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report for a terminal.
    Text,
    /// The machine-readable report (`schema_version` 1).
    Json,
    /// One self-contained HTML page with charts (no network request of any kind).
    Html,
    /// Markdown, for a ticket or an e-mail.
    Markdown,
}

/// Writes a report in the given format, its times in `zone` (the JSON keeps UTC: it is the
/// contract, and its `activity` says which zone its hour counts are in). The JSON report of a
/// scan of thousands of accounts is large, so it is streamed to the writer rather than built
/// as one string first.
pub fn write(
    report: &Report,
    format: Format,
    color: bool,
    zone: Tz,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => out.write_all(text::render(report, color, zone).as_bytes()),
        Format::Json => json::write(report, out),
        Format::Html => out.write_all(html::render(report, zone).as_bytes()),
        Format::Markdown => out.write_all(markdown::render(report, zone).as_bytes()),
    }
}
