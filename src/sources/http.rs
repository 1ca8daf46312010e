//! The one HTTP client every live source uses, built to be a polite guest on other people's
//! servers.
//!
//! It says who it is (a descriptive User-Agent), asks only for what changed (conditional GET),
//! never holds more than a bounded body in memory (the cap is enforced while the body streams, so
//! a lying or missing Content-Length changes nothing), and backs off: transient failures
//! (timeouts, refused connections, 5xx, 429) are retried with exponential backoff and jitter,
//! and when a host says "wait" (`Retry-After` on 429/503, or a rate-limit budget of zero in
//! `X-RateLimit-*` (Mastodon) / `RateLimit-*` (Bluesky) headers) every request to that host waits,
//! across all tasks sharing the client. A wait longer than [`ClientConfig::max_wait`] is not slept
//! through: the request fails at once, so a daemon's poll loop is never stuck for an hour behind
//! one host. The request that got the 429 fails with [`FetchError::RateLimited`]; the others to
//! that host, never sent, fail with [`FetchError::HostBackoff`], which says so and names the
//! request that caused the wait. How long a host is remembered as blocked is capped by
//! [`ClientConfig::max_block`] (`[poll] max_retry_after_seconds` in the daemon). A per-host
//! semaphore bounds concurrent requests. URLs in errors have their credentials masked
//! ([`crate::redact::url`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::live::ParseError;

/// Where the project lives; named in the User-Agent so that server operators can reach us.
/// A placeholder until the repository has its public home.
pub const PROJECT_URL: &str = "https://github.com/echoscope/echoscope";

/// The default User-Agent: `echoscope/<version> (+<project url>)`.
pub fn default_user_agent() -> String {
    format!("echoscope/{} (+{PROJECT_URL})", env!("CARGO_PKG_VERSION"))
}

/// How the client behaves. [`Default`] is meant for polling public servers; tests shorten it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub user_agent: String,
    /// Time allowed to open a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one whole attempt, body included.
    pub timeout: Duration,
    /// Largest body read, after decompression; past it the request fails.
    pub max_body_bytes: u64,
    /// Retries after the first attempt, for transient failures only.
    pub retries: usize,
    /// First backoff delay; it doubles (plus jitter) up to `backoff_max`.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Longest the client sleeps because a host asked it to wait; longer waits fail fast.
    pub max_wait: Duration,
    /// Longest a host is remembered as blocked, whatever it asked (a sanity cap on hostile or
    /// broken `Retry-After` values).
    pub max_block: Duration,
    /// Requests in flight at once to one host.
    pub per_host_concurrency: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            user_agent: default_user_agent(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 << 20,
            retries: 3,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
            max_block: Duration::from_secs(3600),
            per_host_concurrency: 2,
        }
    }
}

/// Validators from the previous answer, sent back so that an unchanged resource costs a 304.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful answer (2xx or 304).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The final URL, after redirects.
    pub url: String,
    pub status: u16,
    /// The server answered 304: the stored copy is current and `body` is empty.
    pub not_modified: bool,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The `Link` header (all of them, comma-joined), for paging.
    pub link: Option<String>,
}

/// A fetch that failed. Every variant names the URL; [`FetchError::kind`] gives a short,
/// bounded label for metrics.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not an http(s) URL with a host.
    #[error("{url}: invalid url: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The HTTP client could not be set up.
    #[error("http client setup failed: {reason}")]
    Setup { reason: String },
    /// No complete answer within the configured time.
    #[error("{url}: timed out after {}s", .after.as_secs_f64())]
    Timeout { url: String, after: Duration },
    /// The connection could not be opened (refused, DNS, TLS).
    #[error("{url}: cannot connect: {source}")]
    Connect {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{url}: server answered http {status}")]
    Status { url: String, status: u16 },
    /// The body is larger than [`ClientConfig::max_body_bytes`].
    #[error("{url}: response larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    /// The host asked us to wait (429, or a rate-limit budget of zero) longer than we may.
    #[error("{url}: rate limited by the host{}", retry_after_text(*.retry_after_secs))]
    RateLimited {
        url: String,
        retry_after_secs: Option<u64>,
    },
    /// Not sent: an earlier answer from the same host (`cause`, e.g. "429 on URL") asked us to
    /// back off until `until`, longer than we may wait. A local decision, no request was made.
    #[error(
        "{url}: not requested, waiting until {} UTC: host {host} asked us to back off ({cause})",
        .until.format("%H:%M:%S")
    )]
    HostBackoff {
        url: String,
        host: String,
        until: DateTime<Utc>,
        cause: String,
    },
    /// The account asks not to be shown to logged-out readers (Bluesky `!no-unauthenticated`).
    #[error("{url}: the account asks not to be shown to logged-out readers; not fetched")]
    OptedOut { url: String },
    /// Any other transport failure (connection reset mid-body, bad encoding, redirect loop).
    #[error("{url}: {source}")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer arrived but is not what the source expects.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

fn retry_after_text(secs: Option<u64>) -> String {
    secs.map(|s| format!(" (retry after {s}s)"))
        .unwrap_or_default()
}

impl FetchError {
    /// A short label from a fixed set, for the `source`-side metrics: `invalid_url`, `setup`,
    /// `timeout`, `connect`, `status`, `too_large`, `rate_limited`, `opted_out`, `http`, `parse`.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } => "invalid_url",
            FetchError::Setup { .. } => "setup",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Connect { .. } => "connect",
            FetchError::Status { .. } => "status",
            FetchError::TooLarge { .. } => "too_large",
            // A local backoff is the same outcome for the account: rate limited.
            FetchError::RateLimited { .. } | FetchError::HostBackoff { .. } => "rate_limited",
            FetchError::OptedOut { .. } => "opted_out",
            FetchError::Http { .. } => "http",
            FetchError::Parse(_) => "parse",
        }
    }

    /// Whether trying again later could help: timeouts, connection failures, 5xx and 429 whose
    /// wait fits in `max_wait`.
    fn is_transient(&self, max_wait: Duration) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Connect { .. } => true,
            FetchError::Status { status, .. } => *status >= 500,
            FetchError::RateLimited {
                retry_after_secs, ..
            } => retry_after_secs.is_none_or(|s| Duration::from_secs(s) <= max_wait),
            // Waiting it out is exactly what it asks not to do.
            FetchError::HostBackoff { .. } => false,
            _ => false,
        }
    }
}

/// What the client remembers about one host.
struct Host {
    /// `host:port`, for messages.
    name: String,
    permits: Semaphore,
    /// The host asked us not to call before this instant.
    blocked_until: Mutex<Option<Block>>,
}

/// A wait a host asked for.
#[derive(Debug, Clone)]
struct Block {
    until: Instant,
    /// The same moment on the wall clock, for messages.
    until_wall: DateTime<Utc>,
    /// What asked for it: "429 on URL", "503 on URL" or "rate-limit budget spent on URL".
    cause: String,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    /// Varies the jitter seed between requests (backon's own seed is fixed without `std`).
    requests: AtomicU64,
}

/// The shared HTTP client. Cheap to clone; clones share connections and per-host state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, FetchError> {
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| FetchError::Setup {
                reason: e.to_string(),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                config,
                hosts: Mutex::new(HashMap::new()),
                requests: AtomicU64::new(0),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// GETs `url`, sending the validators, retrying transient failures. A 304 is a success
    /// with `not_modified` set; other non-2xx statuses are errors.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Response, FetchError> {
        let shown = crate::redact::url(url);
        let parsed = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: shown.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl {
                url: shown.to_string(),
                reason: format!("scheme {:?} is not http or https", parsed.scheme()),
            });
        }
        let Some(host_name) = parsed.host_str() else {
            return Err(FetchError::InvalidUrl {
                url: shown.to_string(),
                reason: "no host".into(),
            });
        };
        let key = format!(
            "{}:{}",
            host_name.to_ascii_lowercase(),
            parsed.port_or_known_default().unwrap_or(0)
        );
        let host = self.host(&key);
        let config = &self.inner.config;
        let n = self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let seed = jitter_seed(n);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(config.backoff_min)
            .with_max_delay(config.backoff_max)
            .with_max_times(config.retries)
            .with_jitter()
            .with_jitter_seed(seed);
        let max_wait = config.max_wait;
        (|| self.attempt(&parsed, &host, validators))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &FetchError| e.is_transient(max_wait))
            .await
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = match self.inner.hosts.lock() {
            Ok(h) => h,
            // A panic elsewhere while holding the lock leaves a usable map.
            Err(poisoned) => poisoned.into_inner(),
        };
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    name: key.to_string(),
                    permits: Semaphore::new(self.inner.config.per_host_concurrency.max(1)),
                    blocked_until: Mutex::new(None),
                })
            })
            .clone()
    }

    async fn attempt(
        &self,
        url: &Url,
        host: &Host,
        validators: &Validators,
    ) -> Result<Response, FetchError> {
        let config = &self.inner.config;
        // Every error below names the URL: with its credentials masked.
        let shown = crate::redact::url(url.as_str());
        let url_text: &str = &shown;
        let _permit = host
            .permits
            .acquire()
            .await
            .map_err(|e| FetchError::Setup {
                reason: e.to_string(),
            })?;
        // Honour a wait another task (or an earlier attempt) was told about.
        if let Some((wait, block)) = remaining_block(host) {
            if wait > config.max_wait {
                return Err(FetchError::HostBackoff {
                    url: url_text.to_string(),
                    host: host.name.clone(),
                    until: block.until_wall,
                    cause: block.cause,
                });
            }
            tokio::time::sleep(wait).await;
        }
        let mut request = self.inner.http.get(url.clone()).header(
            reqwest::header::ACCEPT,
            "application/json, application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        );
        if let Some(etag) = &validators.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| transport_error(url_text, e, config.timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let now_wall = Utc::now();
        if let Some(wait) = rate_limit_wait(&headers, now_wall) {
            block(
                host,
                wait.min(config.max_block),
                format!("rate-limit budget spent on {url_text}"),
            );
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            let retry_after = header(&headers, reqwest::header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(&v, now_wall));
            if let Some(wait) = retry_after {
                block(
                    host,
                    wait.min(config.max_block),
                    format!("{} on {url_text}", status.as_u16()),
                );
            }
            return Err(if status == StatusCode::TOO_MANY_REQUESTS {
                FetchError::RateLimited {
                    url: url_text.to_string(),
                    retry_after_secs: retry_after.map(|d| d.as_secs()),
                }
            } else {
                FetchError::Status {
                    url: url_text.to_string(),
                    status: status.as_u16(),
                }
            });
        }
        let etag = header(&headers, reqwest::header::ETAG);
        let last_modified = header(&headers, reqwest::header::LAST_MODIFIED);
        let link = {
            let all: Vec<&str> = headers
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!all.is_empty()).then(|| all.join(", "))
        };
        let final_url = response.url().to_string();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Response {
                url: final_url,
                status: status.as_u16(),
                not_modified: true,
                body: Vec::new(),
                // A 304 may omit validators; keep the ones we sent.
                etag: etag.or_else(|| validators.etag.clone()),
                last_modified: last_modified.or_else(|| validators.last_modified.clone()),
                link,
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url_text.to_string(),
                status: status.as_u16(),
            });
        }
        let limit = config.max_body_bytes;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(FetchError::TooLarge {
                url: url_text.to_string(),
                limit,
            });
        }
        let mut body = Vec::with_capacity(
            response
                .content_length()
                .unwrap_or(64 << 10)
                .min(limit)
                .min(1 << 20) as usize,
        );
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(url_text, e, config.timeout))?
        {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge {
                    url: url_text.to_string(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            url: final_url,
            status: status.as_u16(),
            not_modified: false,
            body,
            etag,
            last_modified,
            link,
        })
    }
}

fn jitter_seed(n: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn transport_error(url: &str, e: reqwest::Error, timeout: Duration) -> FetchError {
    let url = url.to_string();
    // reqwest puts the URL in its own message too; ours already names it.
    let e = e.without_url();
    if e.is_timeout() {
        FetchError::Timeout {
            url,
            after: timeout,
        }
    } else if e.is_connect() {
        FetchError::Connect { url, source: e }
    } else {
        FetchError::Http { url, source: e }
    }
}

fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// How much longer the host asked us to wait, and why.
fn remaining_block(host: &Host) -> Option<(Duration, Block)> {
    let block = match host.blocked_until.lock() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    }?;
    let now = Instant::now();
    (block.until > now).then(|| (block.until - now, block))
}

/// Blocks the host for `wait` from now because of `cause`, unless it is blocked longer already.
fn block(host: &Host, wait: Duration, cause: String) {
    let until = Instant::now() + wait;
    let mut guard = match host.blocked_until.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if guard.as_ref().is_none_or(|b| b.until < until) {
        let until_wall = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        *guard = Some(Block {
            until,
            until_wall,
            cause,
        });
    }
}

/// `Retry-After`: delay seconds or an HTTP date.
fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The wait implied by rate-limit headers when the budget is spent: `X-RateLimit-Remaining: 0`
/// with `X-RateLimit-Reset` (Mastodon: an ISO 8601 time) or `RateLimit-Remaining: 0` with
/// `RateLimit-Reset` (Bluesky: epoch seconds; the IETF draft: delta seconds).
fn rate_limit_wait(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    for (remaining, reset) in [
        ("x-ratelimit-remaining", "x-ratelimit-reset"),
        ("ratelimit-remaining", "ratelimit-reset"),
    ] {
        let Some(left) = headers
            .get(remaining)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
        else {
            continue;
        };
        if left > 0.0 {
            continue;
        }
        let reset = headers.get(reset).and_then(|v| v.to_str().ok())?.trim();
        return parse_reset(reset, now);
    }
    None
}

fn parse_reset(reset: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(n) = reset.parse::<u64>() {
        // Epoch seconds are > 1e9; small numbers are a delay.
        if n > 1_000_000_000 {
            let at = DateTime::from_timestamp(n as i64, 0)?;
            return Some((at - now).to_std().unwrap_or(Duration::ZERO));
        }
        return Some(Duration::from_secs(n));
    }
    let at = DateTime::parse_from_rfc3339(reset)
        .or_else(|_| DateTime::parse_from_rfc2822(reset))
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-05-19T17:41:26Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        assert_eq!(
            parse_retry_after("120", now()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Mon, 19 May 2025 17:42:26 GMT", now()),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Mon, 19 May 2025 17:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn rate_limit_headers_of_both_platforms() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-remaining", HeaderValue::from_static("2994"));
        h.insert("ratelimit-reset", HeaderValue::from_static("1747676784"));
        assert_eq!(rate_limit_wait(&h, now()), None, "budget left: no wait");
        h.insert("ratelimit-remaining", HeaderValue::from_static("0"));
        // The real Bluesky capture: reset 1747676784 is 298 s after its Date header.
        assert_eq!(rate_limit_wait(&h, now()), Some(Duration::from_secs(298)));

        let mut m = HeaderMap::new();
        m.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        m.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2025-05-19T17:45:00.000Z"),
        );
        assert_eq!(rate_limit_wait(&m, now()), Some(Duration::from_secs(214)));
        m.insert("x-ratelimit-reset", HeaderValue::from_static("30"));
        assert_eq!(rate_limit_wait(&m, now()), Some(Duration::from_secs(30)));
    }

    #[test]
    fn kinds_are_a_small_fixed_set() {
        let e = FetchError::TooLarge {
            url: "u".into(),
            limit: 1,
        };
        assert_eq!(e.kind(), "too_large");
        let e = FetchError::RateLimited {
            url: "u".into(),
            retry_after_secs: Some(5000),
        };
        assert_eq!(e.kind(), "rate_limited");
        assert!(!e.is_transient(Duration::from_secs(60)));
        assert!(e.to_string().ends_with("(retry after 5000s)"));
        let e = FetchError::Status {
            url: "u".into(),
            status: 404,
        };
        assert!(!e.is_transient(Duration::from_secs(60)));
        let e = FetchError::Status {
            url: "u".into(),
            status: 502,
        };
        assert!(e.is_transient(Duration::from_secs(60)));
    }

    #[test]
    fn user_agent_names_the_project() {
        let ua = default_user_agent();
        assert!(ua.starts_with("echoscope/") && ua.contains(PROJECT_URL));
    }
}
