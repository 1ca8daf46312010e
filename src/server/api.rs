//! HTTP handlers: health, metrics and the JSON API under `/api/v1`.
//!
//! Store calls are blocking, so they run on tokio's blocking pool. The account report has the
//! same schema as `echoscope scan --format json` (one element of its `accounts`).

use std::sync::Arc;

use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiPath, ApiQuery};
use super::metrics::{self, accepts_gzip, Format};
use super::State;
use crate::model::AccountReport;
use crate::model::{Finding, Severity};
use crate::store::Run;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

type AppState = AxState<Arc<State>>;

/// Runs a blocking store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("store task failed: {e}")))?
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready once the store is open and the configuration loaded.
pub async fn readyz(AxState(state): AppState) -> impl IntoResponse {
    if state.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}

/// One scrape, in the format the `Accept` header prefers (text, or OpenMetrics), gzipped when
/// `Accept-Encoding` allows: a 10,000-account scrape is up to 11 MB of text and 13 times less gzipped.
pub async fn metrics(AxState(state): AppState, headers: HeaderMap) -> impl IntoResponse {
    let header_str = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(header_str(header::ACCEPT));
    let gzip = accepts_gzip(header_str(header::ACCEPT_ENCODING));
    let rendering = state.clone();
    // The store size is a file stat, rendering and compressing copy megabytes: all blocking.
    let rendered = tokio::task::spawn_blocking(move || {
        if let Ok(size) = rendering.store.size_bytes() {
            rendering.metrics.store_size.set(size as i64);
        }
        // The store counts reconnects itself; the counter catches up at each scrape.
        let reconnects = rendering.store.reconnects();
        let exported = rendering.metrics.store_reconnects.get();
        if reconnects > exported {
            rendering
                .metrics
                .store_reconnects
                .inc_by(reconnects - exported);
        }
        let text = rendering.metrics.render(format);
        if gzip {
            metrics::gzip(text.as_bytes())
        } else {
            text.into_bytes()
        }
    })
    .await;
    let Ok(body) = rendered else {
        tracing::error!("rendering /metrics failed");
        return (StatusCode::INTERNAL_SERVER_ERROR, "metrics unavailable\n").into_response();
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::VARY, "Accept, Accept-Encoding"),
        ],
        body,
    )
        .into_response();
    if gzip {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static("gzip"),
        );
    }
    response
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// One line of the account list.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccountSummary {
    pub name: String,
    pub source: String,
    pub platform: String,
    /// `ok`, `pending` (not fetched yet) or `error` (last fetch failed).
    pub status: String,
    pub score: Option<u32>,
    pub findings: u64,
    pub posts_stored: u64,
    pub last_fetch_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub analysed_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list_accounts(AxState(state): AppState) -> Json<Vec<AccountSummary>> {
    let config = state.config();
    // Accounts another replica polls answer from their saved status (a store read).
    let viewing = state.clone();
    let names: Vec<String> = config.accounts.iter().map(|a| a.name.clone()).collect();
    let mut views = tokio::task::spawn_blocking(move || {
        names
            .into_iter()
            .map(|n| {
                let v = viewing.view(&n);
                (n, v)
            })
            .collect::<std::collections::HashMap<_, _>>()
    })
    .await
    .unwrap_or_default();
    let list = config
        .accounts
        .iter()
        .map(|a| {
            let s = views.remove(&a.name).unwrap_or_default();
            let status = match (&s.last_error, s.last_success_at) {
                (Some(_), _) => "error",
                (None, Some(_)) => "ok",
                (None, None) => "pending",
            };
            AccountSummary {
                name: a.name.clone(),
                source: a.source.to_string(),
                platform: s
                    .platform
                    .unwrap_or_else(|| a.source.platform())
                    .as_str()
                    .to_string(),
                status: status.to_string(),
                score: s.score,
                findings: s.findings,
                posts_stored: s.posts_stored,
                last_fetch_at: s.last_fetch_at,
                last_success_at: s.last_success_at,
                last_error: s.last_error,
                analysed_at: s.analysed_at,
            }
        })
        .collect();
    Json(list)
}

async fn latest_report(state: &Arc<State>, name: &str) -> Result<AccountReport, ApiError> {
    let key = state
        .key(name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown account {name:?}")))?;
    let store = state.store.clone();
    blocking(move || Ok(store.latest_report(&key)?))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("account {name:?} has not been analysed yet")))
}

pub async fn account_report(
    AxState(state): AppState,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<AccountReport>, ApiError> {
    Ok(Json(latest_report(&state, &name).await?))
}

#[derive(Debug, Deserialize)]
pub struct FindingsQuery {
    /// Only findings at or above this severity.
    pub severity: Option<String>,
    /// Only findings of this detector.
    pub detector: Option<String>,
}

pub async fn account_findings(
    AxState(state): AppState,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<FindingsQuery>,
) -> Result<Json<Vec<Finding>>, ApiError> {
    let min = match q.severity.as_deref() {
        Some(s) => Some(s.parse::<Severity>().map_err(ApiError::BadRequest)?),
        None => None,
    };
    if let Some(d) = &q.detector {
        if !crate::detectors::ids().contains(&d.as_str()) {
            return Err(ApiError::BadRequest(format!("unknown detector {d:?}")));
        }
    }
    let report = latest_report(&state, &name).await?;
    Ok(Json(
        report
            .findings
            .into_iter()
            .filter(|f| min.is_none_or(|m| f.severity >= m))
            .filter(|f| q.detector.as_ref().is_none_or(|d| &f.detector == d))
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    /// How many runs, newest first: 1 to 10,000 (default 100); 0 is refused (a request for
    /// nothing is a mistake), more than 10,000 is cut to 10,000.
    pub limit: Option<usize>,
}

/// The most runs one history request returns.
pub const MAX_HISTORY_LIMIT: usize = 10_000;

pub async fn account_history(
    AxState(state): AppState,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Vec<Run>>, ApiError> {
    let key = state
        .key(&name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown account {name:?}")))?;
    let limit = match q.limit {
        None => 100,
        Some(0) => {
            return Err(ApiError::BadRequest(
                "limit must be at least 1 (at most 10000)".into(),
            ))
        }
        Some(n) => n.min(MAX_HISTORY_LIMIT),
    };
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.runs(&key, limit)?)).await?))
}

/// Checks the bearer token of a state-changing request in constant time.
fn authorize(state: &State, headers: &HeaderMap) -> Result<(), ApiError> {
    let config = state.config();
    let token = config.server.api_token.as_bytes();
    if token.is_empty() {
        return Err(ApiError::Disabled);
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::as_bytes)
        .ok_or(ApiError::Unauthorized)?;
    let same_len = given.len() == token.len();
    let diff = given
        .iter()
        .zip(token.iter().cycle())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if same_len && diff == 0 {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110 section 11.1), so `bearer` and `BEARER` are the same scheme.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once([' ', '\t'])?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start_matches([' ', '\t']))
        .filter(|t| !t.is_empty())
}

pub async fn refresh_account(
    AxState(state): AppState,
    ApiPath(name): ApiPath<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&state, &headers)?;
    let signal = state
        .refresh_signal(&name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown account {name:?}")))?;
    signal.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "account": name, "refresh": "queued" })),
    ))
}
