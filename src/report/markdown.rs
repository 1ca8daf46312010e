//! The Markdown report, for a ticket or an e-mail: per account the score, its make-up and the
//! verdict in plain words, whether the account rests, every finding with its text, schedule,
//! a sample of its posts (linked where the platform has public addresses), reply latency and
//! what was skipped. The charts of the HTML report are told in words and small tables here.
//!
//! Every text from the input is escaped ([`escape`]), so a post cannot add headings, links or
//! table cells of its own.

use std::fmt::Write;

use chrono_tz::Tz;

use super::charts::{duration_words, latency_label, rest_in_words};
use super::words::{handle, time, verdict_paragraph};
use crate::model::{AccountReport, Finding, Report};

/// Accounts shown in full, as in the terminal report; the rest get a table row each.
const DETAILED_ACCOUNTS: usize = super::text::DETAILED_ACCOUNTS;

/// Posts listed per finding; the rest are counted.
const POSTS_SHOWN: usize = 12;

/// Escapes the characters Markdown (CommonMark and GitHub's tables) gives a meaning to inside
/// a line, and folds line breaks, so an input text stays one line of plain text. `(`, `.`,
/// `-` and `!` mean something only after `]` or at the start of a line, and no input text
/// starts a line here.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders a scan's report as Markdown.
pub fn render(report: &Report, zone: Tz) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# echoscope audit\n\nAnalysed {} by {} {}; {} account{}. Times are shown in {}.",
        time(report.generated_at, zone),
        report.tool.name,
        report.tool.version,
        report.accounts.len(),
        if report.accounts.len() == 1 { "" } else { "s" },
        zone.name()
    );
    for a in report.accounts.iter().take(DETAILED_ACCOUNTS) {
        account(&mut out, a, zone);
    }
    if report.accounts.len() > DETAILED_ACCOUNTS {
        let _ = writeln!(
            out,
            "\n## {} more accounts\n\nLowest score first; the JSON report has them in full.\n\n\
             | account | platform | score | findings |\n|---|---|---|---|",
            report.accounts.len() - DETAILED_ACCOUNTS
        );
        for a in report.accounts.iter().skip(DETAILED_ACCOUNTS) {
            let _ = writeln!(
                out,
                "| {} | {} | {}/100 | {} |",
                escape(&handle(&a.account)),
                a.platform.as_str(),
                a.score,
                a.findings.len()
            );
        }
    }
    if !report.inputs.is_empty() {
        let _ = writeln!(
            out,
            "\n## Inputs\n\n| input | posts | skipped records |\n|---|---|---|"
        );
        for i in &report.inputs {
            let mut skipped = i.skipped.count.to_string();
            for p in &i.skipped.examples {
                let _ = write!(skipped, "; {}: {}", escape(&p.record), escape(&p.reason));
            }
            if let Some(e) = &i.error {
                let _ = write!(skipped, "; left out: {}", escape(e));
            }
            for n in &i.notes {
                let _ = write!(skipped, "; note: {}", escape(n));
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                i.path.replace('`', "'"),
                i.posts,
                skipped
            );
        }
    }
    out
}

fn account(out: &mut String, a: &AccountReport, zone: Tz) {
    let _ = writeln!(
        out,
        "\n## {} ({})\n\n**Authenticity score: {}/100**, {}.\n\n{}",
        escape(&handle(&a.account)),
        a.platform.as_str(),
        a.score,
        a.verdict,
        escape(&verdict_paragraph(a))
    );
    if !a.score_breakdown.is_empty() {
        let _ = writeln!(
            out,
            "\n| detector | points off | at most | because of |\n|---|---|---|---|"
        );
        for b in &a.score_breakdown {
            let _ = writeln!(
                out,
                "| `{}` | −{} | {} | {} findings |",
                b.detector, b.penalty, b.max_penalty, b.reason
            );
        }
    }
    if let Some(act) = &a.activity {
        let _ = writeln!(out, "\n**Rhythm.** {}", escape(&rest_in_words(act)));
        let total: u64 = act.reply_latency.iter().map(|b| b.replies).sum();
        if total > 0 {
            let _ = writeln!(
                out,
                "\n**Reply latency** ({total} replies with a known parent time):\n"
            );
            let _ = writeln!(out, "| within | replies |\n|---|---|");
            for b in act.reply_latency.iter().filter(|b| b.replies > 0) {
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    latency_label(b.up_to_seconds),
                    b.replies
                );
            }
        }
        let promotional: u64 = act.periods.iter().map(|p| p.promotional).sum();
        let conversation: u64 = act.periods.iter().map(|p| p.conversation).sum();
        let _ = writeln!(
            out,
            "\n**Promotion versus conversation.** {promotional} promotional own posts and \
             {conversation} replies to others, over {} periods of {}.",
            act.periods.len(),
            duration_words(
                act.axis.bin_seconds * u64::from(act.axis.bins) / act.periods.len().max(1) as u64
            )
        );
    }
    let _ = writeln!(out, "\n### Findings ({})", a.findings.len());
    if a.findings.is_empty() {
        let _ = writeln!(out, "\nNo findings.");
    }
    for f in &a.findings {
        finding(out, a, f, zone);
    }
    if let Some(b) = &a.basis {
        for (d, n) in &b.too_few_posts {
            let _ = writeln!(out, "\n_Not judged_: `{d}` needs at least {n} posts.");
        }
    }
}

fn finding(out: &mut String, a: &AccountReport, f: &Finding, zone: Tz) {
    let _ = writeln!(
        out,
        "\n- **{}** `{}`: {}",
        f.severity.as_str().to_uppercase(),
        f.detector,
        escape(&f.summary)
    );
    if let Some(t) = &f.template {
        let _ = writeln!(out, "  - text: “{}”", escape(t));
    }
    if let Some(s) = &f.schedule {
        let _ = writeln!(out, "  - schedule: {}", escape(s));
    }
    if let (Some(first), Some(last)) = (f.posts.first(), f.posts.last()) {
        let _ = writeln!(
            out,
            "  - {} posts, from {} to {}",
            f.posts.len(),
            time(first.created_at, zone),
            time(last.created_at, zone)
        );
    }
    for e in f.evidence.iter().take(POSTS_SHOWN) {
        let id = match a.platform.post_url(&a.account, &e.post_id) {
            Some(url) => format!("[{}](<{}>)", escape(&e.post_id), url.replace('>', "%3E")),
            None => format!("`{}`", e.post_id.replace('`', "'")),
        };
        let note = e
            .note
            .as_deref()
            .map(|n| format!(" — {}", escape(n)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  - {} {id}: {}{note}",
            time(e.created_at, zone),
            escape(&crate::text::shorten(&e.text, 140))
        );
    }
    let listed = f.evidence.len().min(POSTS_SHOWN);
    let total = f.posts.len().max(f.evidence.len());
    if total > listed {
        let _ = writeln!(
            out,
            "  - … {} more posts (the HTML and JSON reports list every one)",
            total - listed
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_cannot_make_markdown() {
        assert_eq!(escape("# [x](y) | *b*"), "\\# \\[x\\](y) \\| \\*b\\*");
        assert_eq!(escape("a\nb"), "a b");
    }
}
