//! The daemon's web pages, for a person with a browser: `GET /` ranks the monitored accounts by
//! score, grouped by the first operator label (`metrics.account_labels`, e.g. `client`), each
//! with its status, last fetch, findings by severity and a sparkline of its score history;
//! `GET /accounts/{name}` is the HTML report of `scan --format html` for the account's stored
//! report, with its score history.
//!
//! Read-only and open like the JSON API's reads (no token), built from the store without
//! running a detector, and self-contained like the file report: no script, font or any other
//! request. An unknown account is a 404 page.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::response::{Html, IntoResponse, Response};
use chrono_tz::Tz;
use maud::{html, Markup};

use super::error::ApiError;
use super::State;
use crate::model::{AccountReport, Severity};
use crate::report::{charts, html as report_html, words};
use crate::store::Run;

type AppState = AxState<Arc<State>>;

/// Runs of an account drawn in the sparklines of `/`.
const SPARKLINE_RUNS: usize = 30;
/// Runs of an account drawn in its page's score history.
const HISTORY_RUNS: usize = 500;

/// The pages show times in UTC, as the metrics and the API do.
const ZONE: Tz = Tz::UTC;

/// An error as a page: the status of [`ApiError`], its message in words (internal details go
/// to the log only, as for the API).
pub struct PageError(ApiError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = self.0.to_string();
        let body = report_html::page(
            &format!("{} — echoscope", status.as_u16()),
            html! {
                (nav())
                h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
                p { (message) }
                p { a href="/" { "All monitored accounts" } }
            },
        );
        (status, Html(body.into_string())).into_response()
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

/// Runs blocking store work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("page task failed: {e}")))?
        .map_err(PageError)
}

fn nav() -> Markup {
    html! {
        nav.small {
            a href="/" { "Accounts" }
            a href="/metrics" { "/metrics" }
            a href="/api/v1/accounts" { "/api/v1/accounts" }
            a href="/api/v1/openapi.json" { "API description" }
        }
    }
}

/// The score history as chart points, oldest first.
fn points(runs: &[Run]) -> Vec<(chrono::DateTime<chrono::Utc>, u32)> {
    runs.iter().rev().map(|r| (r.at, r.score)).collect()
}

/// One row of `/`.
struct Row {
    name: String,
    group: String,
    platform: String,
    status: &'static str,
    last_fetch: Option<chrono::DateTime<chrono::Utc>>,
    last_error: Option<String>,
    score: Option<u32>,
    by_severity: [u64; 4],
    history: Vec<(chrono::DateTime<chrono::Utc>, u32)>,
}

/// `GET /`: every configured account, ranked by score within its group.
pub async fn index(AxState(state): AppState) -> Result<Html<String>, PageError> {
    let config = state.config();
    let group_label = config.metrics.account_labels.first().cloned();
    let state2 = state.clone();
    let rows = blocking(move || {
        let mut rows = Vec::new();
        for a in &config.accounts {
            let s = state2.view(&a.name);
            let status = match (&s.last_error, s.last_success_at) {
                (Some(_), _) => "error",
                (None, Some(_)) => "ok",
                (None, None) => "pending",
            };
            let (mut by_severity, mut history, mut score) = ([0u64; 4], Vec::new(), s.score);
            if let Some(key) = state2.key(&a.name) {
                if let Some(r) = state2.store.latest_report(&key)? {
                    for f in &r.findings {
                        by_severity[f.severity as usize] += 1;
                    }
                    // The stored report is the page's truth, before this process analysed
                    // anything too.
                    // No posts in the window: no score, rather than a clean 100.
                    score = r.scored().then_some(r.score);
                }
                history = points(&state2.store.runs(&key, SPARKLINE_RUNS)?);
            }
            let group = match &group_label {
                Some(label) => a
                    .labels
                    .get(label)
                    .map(|v| format!("{label}: {v}"))
                    .unwrap_or_else(|| format!("no {label}")),
                None => "all accounts".to_string(),
            };
            rows.push(Row {
                name: a.name.clone(),
                group,
                platform: s
                    .platform
                    .unwrap_or_else(|| a.source.platform())
                    .as_str()
                    .to_string(),
                status,
                last_fetch: s.last_fetch_at,
                last_error: s.last_error,
                score,
                by_severity,
                history,
            });
        }
        Ok(rows)
    })
    .await?;
    let mut groups: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for r in rows {
        groups.entry(r.group.clone()).or_default().push(r);
    }
    for rows in groups.values_mut() {
        // Lowest score first, as in the scan report; accounts not analysed yet last.
        rows.sort_by(|a, b| {
            (a.score.is_none(), a.score, &a.name).cmp(&(b.score.is_none(), b.score, &b.name))
        });
    }
    let body = html! {
        (nav())
        h1 { "echoscope: monitored accounts" }
        p.muted { "Ranked by authenticity score, lowest (most automated) first; 100 reads as a person talking with people. Times in UTC." }
        @if groups.is_empty() { p { "No accounts are configured." } }
        @for (group, rows) in &groups {
            h2 { (group) }
            table.accounts {
                thead { tr {
                    th { "account" } th { "platform" } th { "score" } th { "status" } th { "last fetch" }
                    th { "findings: high / medium / low / info" } th { "score history" } th { "data" }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            td { a href=(format!("/accounts/{}", path_segment(&r.name))) { (r.name) } }
                            td { (r.platform) }
                            td.num { @match r.score { Some(s) => { strong { (s) } "/100" }, None => span.muted { "not analysed yet" } } }
                            td { (r.status) @if let Some(e) = &r.last_error { br; span.small.muted { (e) } } }
                            td { @match r.last_fetch { Some(t) => (words::time(t, ZONE)), None => "never" } }
                            td {
                                (r.by_severity[Severity::High as usize]) " / " (r.by_severity[Severity::Medium as usize]) " / "
                                (r.by_severity[Severity::Low as usize]) " / " (r.by_severity[Severity::Info as usize])
                            }
                            td { (charts::score_history(&r.history, ZONE, true)) }
                            td.small { a href=(format!("/api/v1/accounts/{}", path_segment(&r.name))) { "JSON" } }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(
        report_html::page("echoscope: monitored accounts", body).into_string(),
    ))
}

/// An account name as one URL path segment: configured names are plain, but a name with a
/// reserved character must not break the link.
fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /accounts/{name}`: the stored report as the HTML report, with its score history.
pub async fn account(
    AxState(state): AppState,
    Path(name): Path<String>,
) -> Result<Html<String>, PageError> {
    let key = state
        .key(&name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown account {name:?}")))?;
    let store = state.store.clone();
    let (report, runs): (Option<AccountReport>, Vec<Run>) =
        blocking(move || Ok((store.latest_report(&key)?, store.runs(&key, HISTORY_RUNS)?))).await?;
    let report = report
        .ok_or_else(|| ApiError::NotFound(format!("account {name:?} has not been analysed yet")))?;
    let title = format!("{} — echoscope", words::handle(&report.account));
    let body = html! {
        (nav())
        p.muted { "Stored report of the account " strong { (name) } ", as " code { "echoscope scan --format html" } " shows it. "
            a href=(format!("/api/v1/accounts/{}", path_segment(&name))) { "JSON" } }
        h2 { "Score history" }
        (charts::score_history(&points(&runs), ZONE, false))
        (report_html::account(&report, ZONE))
    };
    Ok(Html(report_html::page(&title, body).into_string()))
}
