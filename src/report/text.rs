//! The terminal report: what a marketer reads at a glance. Score and verdict first, then the
//! findings with the repeated text and the schedule in words, then counts and what was skipped.
//! Colour only when asked (the CLI turns it on for a terminal). Times are in the zone asked for
//! (`--tz`, UTC by default).
//!
//! Every text in the report is made terminal-safe before it is laid out ([`escaped_copy`] with [`escape_controls`]):
//! a post or an account name with `ESC[31m`, an OSC title-setting sequence or U+202E shows
//! them written out, it never steers the terminal.
//!
//! A scan of thousands of accounts would drown a terminal, so beyond [`DETAILED_ACCOUNTS`] the
//! remaining accounts get one line each; the JSON report always has everything.

use std::fmt::Write;

use chrono_tz::Tz;
use owo_colors::OwoColorize;

use super::words::{escape_controls, escaped_copy};
use crate::model::{AccountReport, Report};
use crate::model::{Finding, Severity};

/// Accounts shown in full; the rest get one line each.
pub const DETAILED_ACCOUNTS: usize = 20;
/// Findings shown in full per account; the rest are counted.
const DETAILED_FINDINGS: usize = 8;
/// Evidence posts shown per finding.
const EVIDENCE_SHOWN: usize = 3;

struct Style {
    color: bool,
}

impl Style {
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<6}", s.as_str().to_uppercase());
        if !self.color {
            return label;
        }
        match s {
            Severity::High => label.red().bold().to_string(),
            Severity::Medium => label.yellow().bold().to_string(),
            Severity::Low => label.cyan().to_string(),
            Severity::Info => label.dimmed().to_string(),
        }
    }

    fn score(&self, a: &AccountReport) -> String {
        let text = a.score_text();
        if !self.color || !a.scored() {
            return text;
        }
        match a.score {
            80..=100 => text.green().bold().to_string(),
            50..=79 => text.yellow().bold().to_string(),
            _ => text.red().bold().to_string(),
        }
    }

    fn bold(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }
}

pub fn render(report: &Report, color: bool, zone: Tz) -> String {
    match escaped_copy(report, escape_controls) {
        Ok(Some(safe)) => render_safe(&safe, color, zone),
        Ok(None) => render_safe(report, color, zone),
        // Not expected (a report always round-trips through JSON); then the whole text, which
        // has no colour of its own, is escaped instead.
        Err(_) => render_safe(report, false, zone)
            .split('\n')
            .map(|line| escape_controls(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn render_safe(report: &Report, color: bool, zone: Tz) -> String {
    let st = Style { color };
    let mut out = String::new();
    let n = report.accounts.len();
    let _ = writeln!(
        out,
        "{} — {} account{}, analysed {}",
        st.bold("echoscope audit"),
        n,
        if n == 1 { "" } else { "s" },
        report
            .generated_at
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
    );
    if n == 0 {
        out.push_str("\nNo posts found in the inputs.\n");
    }
    for account in report.accounts.iter().take(DETAILED_ACCOUNTS) {
        out.push('\n');
        render_account(&mut out, account, &st, zone);
    }
    if n > DETAILED_ACCOUNTS {
        let _ = writeln!(
            out,
            "\n{} more accounts (lowest score first; the JSON report has them in full):",
            n - DETAILED_ACCOUNTS
        );
        for a in report.accounts.iter().skip(DETAILED_ACCOUNTS) {
            let _ = writeln!(
                out,
                "  {:>7}  {} ({}) — {} posts, {} finding{}",
                st.score(a),
                handle(&a.account),
                a.platform,
                a.posts.total,
                a.findings.len(),
                if a.findings.len() == 1 { "" } else { "s" }
            );
        }
    }
    render_inputs(&mut out, report, &st);
    out
}

/// An account as people write it, `@name`; a name with spaces is a description, such as the
/// "unknown account" of a lone archive file, and is shown as it is.
fn handle(account: &str) -> String {
    if account.contains(char::is_whitespace) {
        account.to_string()
    } else {
        format!("@{account}")
    }
}

fn render_account(out: &mut String, a: &AccountReport, st: &Style, zone: Tz) {
    let period = match (a.first_post_at, a.last_post_at) {
        (Some(f), Some(l)) => format!(
            ", {} → {}",
            f.with_timezone(&zone).format("%Y-%m-%d"),
            l.with_timezone(&zone).format("%Y-%m-%d")
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} ({}) — {} posts{}",
        st.bold(&handle(&a.account)),
        a.platform,
        a.posts.total,
        period
    );
    let _ = writeln!(out, "  Authenticity score: {}  {}", st.score(a), a.verdict);
    if let Some(b) = &a.basis {
        let mut line = format!(
            "  Evidence: {} — {} posts over {:.0} days",
            b.level.as_str(),
            b.posts,
            b.span_days
        );
        if b.too_few_posts.is_empty() {
            let _ = write!(line, ", {} detectors judged", b.assessed.len());
        } else {
            let short: Vec<String> = b
                .too_few_posts
                .iter()
                .map(|(d, n)| format!("{d} needs {n}"))
                .collect();
            let _ = write!(line, "; too few posts to judge: {}", short.join(", "));
        }
        let _ = writeln!(out, "{}", st.dim(&line));
    }
    if !a.score_breakdown.is_empty() {
        let parts: Vec<String> = a
            .score_breakdown
            .iter()
            .map(|b| format!("−{} {} ({})", b.penalty, b.detector, b.reason))
            .collect();
        let _ = writeln!(out, "  {}", st.dim(&format!("100 {}", parts.join(" "))));
    }
    let mut counts = format!(
        "  Posts: {} original · {} replies · {} reposts · {} quotes",
        a.posts.original, a.posts.reply, a.posts.repost, a.posts.quote
    );
    if a.posts.direct_messages > 0 {
        let _ = write!(counts, " · {} direct messages", a.posts.direct_messages);
    }
    if a.declared_bot == Some(true) {
        counts.push_str(" · declares itself a bot");
    }
    let _ = writeln!(out, "{counts}");
    if a.findings.is_empty() {
        let _ = writeln!(out, "  No findings.");
    }
    for f in a.findings.iter().take(DETAILED_FINDINGS) {
        render_finding(out, f, st, zone);
    }
    if a.findings.len() > DETAILED_FINDINGS {
        let _ = writeln!(
            out,
            "  … and {} more findings (see --format json)",
            a.findings.len() - DETAILED_FINDINGS
        );
    }
    let stats: Vec<String> = a
        .detectors
        .iter()
        .filter(|(_, d)| d.enabled)
        .filter_map(|(id, d)| {
            let headline = d
                .stats
                .iter()
                .find(|(k, _)| k.ends_with("_share") || k.ends_with("_ratio"));
            headline.map(|(k, v)| format!("{id}: {k} {:.0}%", v * 100.0))
        })
        .collect();
    if !stats.is_empty() {
        let _ = writeln!(out, "  {}", st.dim(&stats.join(" · ")));
    }
}

fn render_finding(out: &mut String, f: &Finding, st: &Style, zone: Tz) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        st.severity(f.severity),
        f.detector,
        f.summary
    );
    if let Some(t) = &f.template {
        let _ = writeln!(out, "         text: \"{}\"", one_line(t, 100));
    }
    if let Some(s) = &f.schedule {
        if !f.summary.contains(s.as_str()) {
            let _ = writeln!(out, "         schedule: {s}");
        }
    }
    for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
        let note = e
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        let text = if f.template.is_some() {
            String::new()
        } else {
            format!(" \"{}\"", one_line(&e.text, 60))
        };
        let _ = writeln!(
            out,
            "         {} {} {}{}{}",
            st.dim("·"),
            e.created_at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M:%S"),
            st.dim(&format!("id {}", e.post_id)),
            text,
            note
        );
    }
    let total = f
        .numbers
        .get("posts")
        .copied()
        .unwrap_or(f.evidence.len() as f64) as usize;
    let more = total
        .max(f.evidence.len())
        .saturating_sub(EVIDENCE_SHOWN.min(f.evidence.len()));
    if more > 0 {
        let _ = writeln!(out, "         {}", st.dim(&format!("· … {more} more")));
    }
}

fn render_inputs(out: &mut String, report: &Report, st: &Style) {
    if report.inputs.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", st.bold("Inputs"));
    for i in &report.inputs {
        let format = match (i.format, &i.live_source) {
            (Some(f), _) => f.as_str(),
            (None, Some(live)) => live.as_str(),
            (None, None) => "unsupported",
        };
        let mut line = format!("  {} ({format}): {} posts", i.path, i.posts);
        if i.skipped.count > 0 {
            let _ = write!(line, ", {} damaged records skipped", i.skipped.count);
        }
        if let Some(e) = &i.error {
            let _ = write!(line, " — left out: {e}");
        }
        let _ = writeln!(out, "{line}");
        for p in &i.skipped.examples {
            let _ = writeln!(
                out,
                "    {}",
                st.dim(&format!("- {}: {}", p.record, p.reason))
            );
        }
        if i.skipped.count > i.skipped.examples.len() as u64 {
            let _ = writeln!(
                out,
                "    {}",
                st.dim(&format!(
                    "- … {} more",
                    i.skipped.count - i.skipped.examples.len() as u64
                ))
            );
        }
        // What the export lacks or what was repaired in it: which detectors could not judge.
        for n in &i.notes {
            let _ = writeln!(out, "    {}", st.dim(&format!("note: {n}")));
        }
    }
}

/// A text on one line, shortened.
fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::shorten(&flat, max)
}
