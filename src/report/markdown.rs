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
use super::words::{escape_controls, handle, is_hidden_control, time, verdict_paragraph};
use crate::model::{AccountReport, Finding, Report};

/// Accounts shown in full, as in the terminal report; the rest get a table row each.
const DETAILED_ACCOUNTS: usize = super::text::DETAILED_ACCOUNTS;

/// Posts listed per finding; the rest are counted.
const POSTS_SHOWN: usize = 12;

/// Escapes the characters Markdown (CommonMark and GitHub's tables) gives a meaning to inside
/// a line, and folds line breaks, so an input text stays one line of plain text. `(`, `.`,
/// `-` and `!` mean something only after `]` or at the start of a line, and no input text
/// starts a line here.
///
/// Nor may a text become a link or markup by itself: `&` (an entity), the `:` of `://` and `@`
/// (GitHub links `https://…` and `name@host` bare) and the dot of `www.` are escaped too, and control
/// and bidirectional-override characters are written out ([`escape_controls`]) for whoever
/// reads the file in a terminal.
pub fn escape(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '~' | '&' | '@' => {
                out.push('\\');
                out.push(c);
            }
            // The colon of a scheme (`https://`), not of a time or a sentence.
            ':' if chars.peek() == Some(&'/') => out.push_str("\\:"),
            '.' if out
                .as_bytes()
                .get(out.len().saturating_sub(3)..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(b"www")) =>
            {
                out.push_str("\\.")
            }
            c => out.push(c),
        }
    }
    out
}

/// A text as a code span inside a table cell: its backticks become `'`, its `|` cannot end
/// the cell, its controls are written out.
fn code_span(s: &str) -> String {
    format!(
        "`{}`",
        escape_controls(s).replace('`', "'").replace('|', "\\|")
    )
}

/// A link target in `<…>` form, which may hold neither a line break, `<`, `>` nor a space:
/// those and every other control are percent-encoded, so an id that is a URL cannot end the
/// link and start markup of its own.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c == '<' || c == '>' || c == '\\' || c.is_whitespace() || is_hidden_control(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
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
                "| {} | {} | {} | {} |",
                escape(&handle(&a.account)),
                a.platform.as_str(),
                a.score_text(),
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
                "| {} | {} | {} |",
                code_span(&i.path),
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
        "\n## {} ({})\n\n**Authenticity score: {}**, {}.\n\n{}",
        escape(&handle(&a.account)),
        a.platform.as_str(),
        a.score_text(),
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
            Some(url) => format!("[{}](<{}>)", escape(&e.post_id), link_target(&url)),
            None => code_span(&e.post_id),
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

    #[test]
    fn input_text_cannot_make_bare_links_entities_or_controls() {
        assert_eq!(
            escape("see https://evil.example or www.evil.example, a@b.example at 09:00"),
            "see https\\://evil.example or www\\.evil.example, a\\@b.example at 09:00"
        );
        assert_eq!(escape("&lt;b&gt;"), "\\&lt;b\\&gt;");
        assert_eq!(escape("\u{1b}[31m\u{202e}"), "\\\\u{1b}\\[31m\\\\u{202e}");
        assert_eq!(
            link_target("https://h.example/1\n# x>"),
            "https://h.example/1%0A#%20x%3E"
        );
        assert_eq!(code_span("a|b`c"), "`a\\|b'c`");
    }
}
