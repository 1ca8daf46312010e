//! The terminal report (stub, to be written).

use super::Report;

pub fn render(report: &Report, _color: bool) -> String {
    format!("{} account(s)\n", report.accounts.len())
}
