//! The JSON report: the stable contract, pretty-printed with a trailing newline.

use crate::model::Report;

/// Streams the report as pretty JSON with a trailing newline.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
