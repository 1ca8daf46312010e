//! The HTML report: one self-contained page (inline CSS and SVG, no script, no font, no
//! request of any kind) that a marketer opens offline or prints on A4. Per account, in this
//! order: the score with its make-up, its basis and a verdict in plain words; the posting
//! rhythm; a timeline with a track per finding; every finding with its text, schedule and
//! posts (linked to the original where the platform has public addresses); reply latency;
//! promotion versus conversation; what was not assessed and why. Then the inputs and what was
//! skipped in them.
//!
//! Templates are `maud` macros: checked at compile time, and every value from the input is
//! escaped by them. Control and bidirectional-override characters in the input (U+202E would
//! turn the rest of a line around) are written out as `\u{..}` before that
//! ([`escape_layout_controls`]). The daemon's pages (`server/pages.rs`) reuse [`page`] and [`account`].

use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::charts;
use super::words::{escape_layout_controls, escaped_copy, handle, time, verdict_paragraph};
use crate::model::{AccountReport, Finding, Report};

/// Accounts shown in full (they come lowest score first); the rest are rows of the summary
/// table, so that a scan of thousands of accounts stays a page a browser can open.
pub const DETAILED_ACCOUNTS: usize = 50;

/// Post lists longer than this are folded into a `<details>`.
const OPEN_POSTS: usize = 10;

/// The page's style: readable in grey-scale (every mark also has a text or a shape), and an A4
/// print layout.
const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; max-width: 960px; margin: 0 auto; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { font-size: 1.35em; border-bottom: 2px solid #333; padding-bottom: 4px; margin-top: 2em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.4em; } h4 { margin: 0.2em 0; font-size: 1em; }
.muted, .note { color: #555; } .small { font-size: 0.85em; }
.score { display: flex; gap: 20px; align-items: center; flex-wrap: wrap; }
.score-number { font-size: 2.8em; font-weight: 700; border: 3px solid #333; border-radius: 10px; padding: 4px 16px; }
.score-number.bad { border-style: double; border-width: 6px; } .score-number.mixed { border-style: dashed; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0; } th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f2f2f2; }
.sev { display: inline-block; font-weight: 700; font-size: 0.8em; letter-spacing: 0.05em; border: 1.5px solid #333; border-radius: 4px; padding: 0 5px; text-transform: uppercase; }
.sev.high { background: #b3261e; color: #fff; border-color: #b3261e; } .sev.medium { background: #f3c14b; } .sev.low { background: #dbe9f7; } .sev.info { background: #fff; color: #555; }
.finding { border: 1px solid #ccc; border-left: 5px solid #888; border-radius: 6px; padding: 8px 12px; margin: 10px 0; break-inside: avoid-page; }
.finding.high { border-left-color: #b3261e; } .finding.medium { border-left-color: #d9a000; }
blockquote { margin: 6px 0; padding: 6px 10px; background: #f6f6f6; border-left: 3px solid #999; white-space: pre-wrap; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; font: 11px system-ui, sans-serif; }
svg .axis { fill: #333; } svg .cell { fill: #000; font-size: 9px; } svg .grid { stroke: #999; stroke-width: 1; }
svg .s0 { fill: #f4f4f4; } svg .s1 { fill: #d6e4f0; } svg .s2 { fill: #9ec3e0; } svg .s3 { fill: #5a97c8; } svg .s4 { fill: #2f6fa7; }
svg .bar { fill: #4a7fb0; } svg .quiet { fill: #b3261e; font-weight: 700; }
svg .mark.all { fill: #777; } svg .mark.high { fill: #b3261e; } svg .mark.medium { fill: #d9a000; } svg .mark.low { fill: #4a7fb0; } svg .mark.info { fill: #9a9a9a; }
svg .promo { fill: #d9a000; stroke: #000; stroke-width: 0.5; } svg .talk { fill: #4a7fb0; }
svg .line { fill: none; stroke: #2f6fa7; stroke-width: 2; } svg .dot { fill: #2f6fa7; }
svg.small .line { stroke-width: 1.5; }
.alt { font-size: 0.9em; color: #333; margin: 0 0 0.8em; }
ol.posts, ul.posts { columns: 2; font-size: 0.9em; padding-left: 1.6em; } details summary { cursor: pointer; font-weight: 600; }
code { font-size: 0.92em; } a { color: #1a4f8b; }
nav a { margin-right: 14px; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-before: page; } h2:first-of-type { break-before: auto; }
  .finding, svg.chart, table { break-inside: avoid; } h3, h4 { break-after: avoid; }
  a { color: #000; text-decoration: none; } nav { display: none; }
  .sev.high { background: #fff; color: #000; border-width: 2.5px; }
}
"#;

/// A whole page around `body`, with the report's style and nothing loaded from anywhere (the
/// empty `data:` icon stops the browser asking the server for a favicon).
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("echoscope {}", env!("CARGO_PKG_VERSION")));
                link rel="icon" href="data:,";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// Renders a scan's report as one HTML page.
pub fn render(report: &Report, zone: Tz) -> String {
    // A report always round-trips through JSON; were it not to, maud's escaping still stands.
    let safe = escaped_copy(report, escape_layout_controls).ok().flatten();
    let report = safe.as_ref().unwrap_or(report);
    let n = report.accounts.len();
    let title = match report.accounts.as_slice() {
        [one] => format!("echoscope audit of {}", handle(&one.account)),
        _ => format!("echoscope audit of {n} accounts"),
    };
    let body = html! {
        header {
            h1 { (title) }
            p.muted {
                "Analysed " (time(report.generated_at, zone)) " by " (report.tool.name) " " (report.tool.version)
                ". Times are shown in " (zone.name()) "."
            }
            @if n > 1 {
                table {
                    thead { tr { th { "account" } th { "platform" } th { "score" } th { "findings" } th { "posts" } } }
                    tbody {
                        @for (i, a) in report.accounts.iter().enumerate() {
                            tr {
                                td {
                                    @if i < DETAILED_ACCOUNTS { a href=(format!("#{}", anchor(a))) { (handle(&a.account)) } }
                                    @else { (handle(&a.account)) }
                                }
                                td { (a.platform.as_str()) }
                                td { (a.score_text()) }
                                td { (a.findings.len()) }
                                td { (a.posts.total) }
                            }
                        }
                    }
                }
            }
        }
        @if n == 0 { p { "No posts found in the inputs." } }
        @if n > DETAILED_ACCOUNTS {
            p { strong { "The " (DETAILED_ACCOUNTS) " lowest-scoring accounts are shown in full below; the other "
                (n - DETAILED_ACCOUNTS) " are in the table above only (the JSON report has every one in full)." } }
        }
        @for a in report.accounts.iter().take(DETAILED_ACCOUNTS) { (account_section(a, zone)) }
        (inputs(report))
        footer {
            "A report of echoscope, an engagement-authenticity scanner. 100 reads as a person talking with people; each sign of a program takes points off."
        }
    };
    page(&title, body).into_string()
}

/// The id of an account's section: the platform and a letters-and-digits form of its name.
pub fn anchor(a: &AccountReport) -> String {
    let name: String = a
        .account
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("account-{}-{name}", a.platform.as_str())
}

/// One account's section of the report (the daemon's account page).
pub fn account(a: &AccountReport, zone: Tz) -> Markup {
    let safe = escaped_copy(a, escape_layout_controls).ok().flatten();
    account_section(safe.as_ref().unwrap_or(a), zone)
}

/// [`account`] of an account whose texts are already safe to lay out.
fn account_section(a: &AccountReport, zone: Tz) -> Markup {
    let period = match (a.first_post_at, a.last_post_at) {
        (Some(f), Some(l)) => format!(", {} → {}", time(f, zone), time(l, zone)),
        _ => String::new(),
    };
    let score_class = match a.score {
        _ if !a.scored() => "none",
        80..=100 => "good",
        50..=79 => "mixed",
        _ => "bad",
    };
    html! {
        section.account id=(anchor(a)) {
            h2 { (handle(&a.account)) " " span.muted { "(" (a.platform.as_str()) ")" } }
            p.muted {
                (a.posts.total) " posts" (period) ": " (a.posts.original) " original, " (a.posts.reply) " replies, "
                (a.posts.repost) " reposts, " (a.posts.quote) " quotes"
                @if a.posts.direct_messages > 0 { ", " (a.posts.direct_messages) " direct messages" }
                @if a.declared_bot == Some(true) { "; declares itself a bot" }
                "."
            }
            div.score {
                @if a.scored() {
                    div class=(format!("score-number {score_class}")) aria-label="authenticity score" { (a.score) span.small { "/100" } }
                } @else {
                    div class=(format!("score-number {score_class}")) aria-label="authenticity score" { "–" }
                }
                div { p { strong { "Authenticity score: " (a.score_text()) ", " (a.verdict) "." } } }
            }
            p.verdict { (verdict_paragraph(a)) }
            h3 { "How the score is made" }
            @if !a.scored() {
                p { "No score: with no posts, nothing was looked at." }
            } @else if a.score_breakdown.is_empty() {
                p { "100: no finding took points off." }
            } @else {
                table.breakdown {
                    thead { tr { th { "detector" } th { "points off" } th { "at most" } th { "because of" } } }
                    tbody {
                        tr { td { "start" } td { "100" } td {} td {} }
                        @for b in &a.score_breakdown {
                            tr { td { code { (b.detector) } } td { "−" (b.penalty) } td { (b.max_penalty) } td { (b.reason) " findings" } }
                        }
                        tr { td { strong { "score" } } td { strong { (a.score) } } td {} td {} }
                    }
                }
            }
            @if let Some(b) = &a.basis {
                p.small {
                    "Evidence: " strong { (b.level.as_str()) } " — " (b.posts) " posts over " (format!("{:.0}", b.span_days)) " days; judged by "
                    (b.assessed.join(", ")) "."
                }
            }
            @match &a.activity {
                Some(act) => {
                    h3 { "Posting rhythm" }
                    p.alt { (charts::rest_in_words(act)) }
                    (charts::heatmap(act))
                    (charts::hours(act))
                    h3 { "Timeline" }
                    p.alt { "All posts on the first track, then one track per finding: a scheduler's beat shows as evenly spaced marks." }
                    (charts::timeline(act, &a.findings, zone))
                    @if act.tracks.len() > charts::MAX_TRACKS {
                        p.alt { "Tracks are drawn for the " (charts::MAX_TRACKS) " most severe findings; the other "
                            (act.tracks.len() - charts::MAX_TRACKS) " are listed below without one." }
                    }
                }
                None => {
                    p.muted { "This stored report predates the activity charts; the next analysis adds them." }
                }
            }
            h3 { "Findings (" (a.findings.len()) ")" }
            @if a.findings.is_empty() { p { "No findings." } }
            @for f in &a.findings { (finding(a, f, zone)) }
            @if let Some(act) = &a.activity {
                h3 { "Reply latency" }
                p.alt { "People answer in minutes to hours; an auto-responder in seconds, at any hour." }
                (charts::latency(act))
                h3 { "Promotion versus conversation" }
                p.alt { "Own posts with a promotional marker (shop link, coupon, price, call to action) above the line, replies to other accounts below." }
                (charts::promotion(act, zone))
            }
            (not_assessed(a))
        }
    }
}

/// One finding: what, how often and when, the text, the schedule, and every post.
fn finding(a: &AccountReport, f: &Finding, zone: Tz) -> Markup {
    let sev = f.severity.as_str();
    let first = f.posts.first().map(|p| p.created_at);
    let last = f.posts.last().map(|p| p.created_at);
    let link = |id: &str| a.platform.post_url(&a.account, id);
    html! {
        article class=(format!("finding {sev}")) {
            h4 { span class=(format!("sev {sev}")) { (sev) } " " code { (f.detector) } }
            p.summary { (f.summary) }
            @if let Some(t) = &f.template {
                p.small { "Repeated text or template:" }
                blockquote { (t) }
            }
            @if !f.posts.is_empty() {
                p.small {
                    (f.posts.len()) " posts"
                    @if let (Some(first), Some(last)) = (first, last) { ", from " (time(first, zone)) " to " (time(last, zone)) }
                    "."
                }
            }
            @if let Some(s) = &f.schedule { p.small { "Schedule: " (s) } }
            @if !f.evidence.is_empty() {
                table.evidence {
                    thead { tr { th { "when" } th { "post" } th { "why it is here" } } }
                    tbody {
                        @for e in &f.evidence {
                            tr {
                                td { (time(e.created_at, zone)) br; (post_link(link(&e.post_id), &e.post_id)) }
                                td { (e.text) }
                                td { (e.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            @if !f.posts.is_empty() {
                @let list = html! {
                    ol.posts {
                        @for p in &f.posts { li { (time(p.created_at, zone)) " " (post_link(link(&p.id), &p.id)) } }
                    }
                };
                @if f.posts.len() > OPEN_POSTS {
                    details { summary { "All " (f.posts.len()) " posts" } (list) }
                } @else {
                    (list)
                }
            }
        }
    }
}

/// A post's id, linked to the original where its address is known.
fn post_link(url: Option<String>, id: &str) -> Markup {
    html! {
        @match url {
            Some(u) => a href=(u) rel="noreferrer" { code.small { (id) } },
            None => code.small { (id) },
        }
    }
}

/// What was not assessed for this account, and why.
fn not_assessed(a: &AccountReport) -> Markup {
    let disabled: Vec<&str> = a
        .detectors
        .iter()
        .filter(|(_, d)| !d.enabled)
        .map(|(id, _)| id.as_str())
        .collect();
    let told: Vec<(&str, u64)> = a
        .detectors
        .iter()
        .filter(|(_, d)| d.told_elsewhere > 0)
        .map(|(id, d)| (id.as_str(), d.told_elsewhere))
        .collect();
    let too_few = a.basis.as_ref().map(|b| &b.too_few_posts);
    html! {
        h3 { "What was skipped and why" }
        ul {
            @if let Some(m) = too_few { @for (d, n) in m { li { code { (d) } ": not judged, it needs at least " (n) " posts." } } }
            @for d in &disabled { li { code { (d) } ": switched off in the configuration." } }
            @for (d, n) in &told { li { code { (d) } ": " (n) " finding(s) left out because another detector tells the same posts' story (counted once)." } }
            @if too_few.is_none_or(|m| m.is_empty()) && disabled.is_empty() && told.is_empty() {
                li { "Nothing: every detector judged this account." }
            }
        }
    }
}

/// The inputs read and the records skipped in them.
fn inputs(report: &Report) -> Markup {
    html! {
        @if !report.inputs.is_empty() {
            section.inputs {
                h2 { "Inputs" }
                table {
                    thead { tr { th { "input" } th { "read as" } th { "posts" } th { "skipped records" } } }
                    tbody {
                        @for i in &report.inputs {
                            tr {
                                td { code { (i.path) } }
                                td { (match (i.format, i.live_source) { (Some(f), _) => f.as_str(), (None, Some(l)) => l.as_str(), (None, None) => "unsupported" }) }
                                td { (i.posts) }
                                td {
                                    (i.skipped.count)
                                    @if let Some(e) = &i.error { " — left out: " (e) }
                                    @if !i.notes.is_empty() {
                                        ul.small {
                                            @for n in &i.notes { li { "note: " (n) } }
                                        }
                                    }
                                    @if !i.skipped.examples.is_empty() {
                                        ul.small {
                                            @for p in &i.skipped.examples { li { (p.record) ": " (p.reason) } }
                                            @if i.skipped.count > i.skipped.examples.len() as u64 {
                                                li { "… " (i.skipped.count - i.skipped.examples.len() as u64) " more" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An account report with nothing in it but its name.
    fn bare(name: &str) -> AccountReport {
        AccountReport {
            account: name.into(),
            platform: crate::model::Platform::Other,
            first_post_at: None,
            last_post_at: None,
            posts: Default::default(),
            declared_bot: None,
            score: 100,
            verdict: "x".into(),
            score_breakdown: Vec::new(),
            basis: None,
            detectors: Default::default(),
            findings: Vec::new(),
            activity: None,
        }
    }

    #[test]
    fn a_large_scan_shows_the_first_accounts_in_full_and_lists_every_one() {
        let report = Report {
            schema_version: crate::model::SCHEMA_VERSION,
            tool: crate::model::Tool::current(),
            generated_at: chrono::Utc::now(),
            accounts: (0..DETAILED_ACCOUNTS + 10)
                .map(|i| bare(&format!("acct{i:03}")))
                .collect(),
            inputs: Vec::new(),
        };
        let page = render(&report, Tz::UTC);
        assert_eq!(
            page.matches("<section class=\"account\"").count(),
            DETAILED_ACCOUNTS
        );
        for i in 0..DETAILED_ACCOUNTS + 10 {
            assert!(
                page.contains(&format!("@acct{i:03}")),
                "account {i} is listed"
            );
        }
    }

    #[test]
    fn text_from_the_input_is_escaped() {
        let a = bare("<script>alert(1)</script>");
        let out = account(&a, Tz::UTC).into_string();
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"));
    }
}
