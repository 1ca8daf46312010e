//! Live sources against fake servers on 127.0.0.1: the HTTP client's manners (conditional GET,
//! retries, Retry-After and rate-limit waits shared per host, timeouts, the body cap, per-host
//! concurrency) and the paging of the Mastodon API and the Bluesky AppView, served in their real
//! formats (the real captures in `fixtures/real/`, Mastodon pages shaped as its docs describe).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use echoscope::model::{Platform, PostKind};
use echoscope::sources::http::{Client, ClientConfig, FetchError, Validators};
use echoscope::sources::live::FetchState;
use echoscope::sources::live::{fetch, LiveSpec};
use serde_json::{json, Value};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real");

fn real(path: &str) -> Vec<u8> {
    std::fs::read(format!("{REAL}/{path}")).unwrap()
}

/// Short timeouts and backoffs so that every test takes well under a few seconds.
fn fast_config() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_secs(2),
        retries: 2,
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_wait: Duration::from_secs(5),
        max_block: Duration::from_secs(10),
        max_body_bytes: 4 << 20,
        ..ClientConfig::default()
    }
}

fn client(config: ClientConfig) -> Client {
    Client::new(config).unwrap()
}

async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    (listener, base)
}

fn spawn(listener: tokio::net::TcpListener, app: Router) {
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

async fn serve(app: Router) -> String {
    let (listener, base) = bind().await;
    spawn(listener, app);
    base
}

// ---- feeds -------------------------------------------------------------------------------

#[tokio::test]
async fn real_mastodon_and_bluesky_feeds_over_http_with_user_agent() {
    let agents = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = agents.clone();
    let app = Router::new()
        .route(
            "/{file}",
            get(move |headers: HeaderMap| {
                let seen = seen.clone();
                async move {
                    if let Some(ua) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
                        seen.lock().unwrap().push(ua.to_string());
                    }
                    (
                        [("content-type", "application/rss+xml")],
                        real("mastodon-rss/mastodon_social_pdxjohnny.rss"),
                    )
                }
            }),
        )
        .route(
            "/profile/{handle}/rss",
            get(|| async { real("bluesky-rss/kaedotcom.bsky.social.rss") }),
        );
    let base = serve(app).await;
    let c = client(fast_config());

    let spec = LiveSpec::parse(&format!("{base}/@pdxjohnny.rss")).unwrap();
    let got = fetch(&c, &spec, &FetchState::default(), 100).await.unwrap();
    assert_eq!(got.timeline.platform, Platform::Mastodon);
    assert_eq!(got.timeline.account, "pdxjohnny@127.0.0.1");
    let ids: Vec<_> = got.timeline.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["109320563491316354", "109348722777644811"]);
    assert!(got.new_state.backfilled && got.new_state.last_success.is_some());
    assert!(!got.not_modified);
    let agents = agents.lock().unwrap().clone();
    assert_eq!(agents.len(), 1);
    assert!(agents[0].starts_with("echoscope/"), "{agents:?}");

    let spec = LiveSpec::parse(&format!("{base}/profile/kaedotcom.bsky.social/rss")).unwrap();
    let got = fetch(&c, &spec, &FetchState::default(), 100).await.unwrap();
    assert_eq!(got.timeline.platform, Platform::Bluesky);
    assert_eq!(got.timeline.posts[0].id, "3mcfiov2e7k2r");
}

#[tokio::test]
async fn conditional_get_gives_not_modified() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/feed.xml",
        get(move |headers: HeaderMap| {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                let etag_matches = headers.get("if-none-match").is_some_and(|v| v == "\"v1\"");
                let date_matches = headers
                    .get("if-modified-since")
                    .is_some_and(|v| v == "Tue, 15 Nov 2022 16:18:15 GMT");
                if etag_matches && date_matches {
                    return StatusCode::NOT_MODIFIED.into_response();
                }
                (
                    [
                        ("etag", "\"v1\""),
                        ("last-modified", "Tue, 15 Nov 2022 16:18:15 GMT"),
                    ],
                    real("rss2/rss_2.0_spec_1.xml"),
                )
                    .into_response()
            }
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let spec = LiveSpec::parse(&format!("{base}/feed.xml")).unwrap();

    let first = fetch(&c, &spec, &FetchState::default(), 50).await.unwrap();
    assert!(!first.not_modified);
    assert!(!first.timeline.posts.is_empty());
    assert_eq!(first.new_state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.new_state.last_modified.as_deref(),
        Some("Tue, 15 Nov 2022 16:18:15 GMT")
    );

    let second = fetch(&c, &spec, &first.new_state, 50).await.unwrap();
    assert!(second.not_modified);
    assert!(second.timeline.posts.is_empty());
    assert_eq!(second.new_state.etag, first.new_state.etag);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn malformed_documents_are_clear_parse_errors() {
    let app = Router::new()
        .route(
            "/bad.xml",
            get(|| async { "<html><body>Not a feed</body></html>" }),
        )
        .route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            get(|| async { "{\"feed\": [ {\"post\": " }),
        )
        .route(
            "/api/v1/accounts/lookup",
            get(|| async { "<!doctype html><title>Mastodon</title>" }),
        );
    let base = serve(app).await;
    let c = client(fast_config());

    let url = format!("{base}/bad.xml");
    let e = fetch(
        &c,
        &LiveSpec::parse(&url).unwrap(),
        &FetchState::default(),
        10,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), "parse");
    assert!(
        e.to_string()
            .starts_with(&format!("{url}: document: not a readable feed")),
        "{e}"
    );

    let spec = LiveSpec::parse("bsky:a.bsky.social")
        .unwrap()
        .with_base_url(&base);
    let e = fetch(&c, &spec, &FetchState::default(), 10)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "parse");
    assert!(
        e.to_string().contains("getAuthorFeed?actor=a.bsky.social"),
        "{e}"
    );
    assert!(e.to_string().contains("not JSON"), "{e}");

    let spec = LiveSpec::parse("mastodon:@a@m.example")
        .unwrap()
        .with_base_url(&base);
    let e = fetch(&c, &spec, &FetchState::default(), 10)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "parse");
    assert!(
        e.to_string()
            .contains("/api/v1/accounts/lookup?acct=a: account:"),
        "{e}"
    );
}

// ---- the HTTP client's manners -----------------------------------------------------------

#[tokio::test]
async fn retry_after_on_429_is_waited_then_succeeds() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/x",
        get(move || {
            let h = h.clone();
            async move {
                if h.fetch_add(1, Ordering::SeqCst) == 0 {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "1")],
                        "slow down",
                    )
                        .into_response()
                } else {
                    "ok".into_response()
                }
            }
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let start = Instant::now();
    let r = c
        .get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!(r.body, b"ok");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        elapsed >= Duration::from_millis(950),
        "did not wait: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_hosts_wait_applies_to_every_request_to_that_host() {
    let times = Arc::new(Mutex::new(Vec::<(String, Instant)>::new()));
    let t = times.clone();
    let app = Router::new().route(
        "/{path}",
        get(
            move |axum::extract::Path(path): axum::extract::Path<String>| {
                let t = t.clone();
                async move {
                    t.lock().unwrap().push((path.clone(), Instant::now()));
                    if path == "first" {
                        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "").into_response()
                    } else {
                        "ok".into_response()
                    }
                }
            },
        ),
    );
    let base = serve(app).await;
    // No retries: the first request fails, and the wait it was told must still hold for the next.
    let c = client(ClientConfig {
        retries: 0,
        ..fast_config()
    });
    let e = c
        .get(&format!("{base}/first"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::RateLimited {
                retry_after_secs: Some(1),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), "rate_limited");
    // A clone shares the per-host state, as the daemon's tasks do.
    let other = c.clone();
    other
        .get(&format!("{base}/second"), &Validators::default())
        .await
        .unwrap();
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len(), 2);
    let gap = times[1].1 - times[0].1;
    assert!(
        gap >= Duration::from_millis(900),
        "second request came after {gap:?}"
    );
}

#[tokio::test]
async fn a_wait_longer_than_max_wait_fails_fast_without_calling_the_host() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/x",
        get(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3600")], "")
            }
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let start = Instant::now();
    let e = c
        .get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::RateLimited {
                retry_after_secs: Some(3600),
                ..
            }
        ),
        "{e:?}"
    );
    let e = c
        .get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "rate_limited");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    // One call only: the second request never reached the host, and nothing was retried.
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_exhausted_rate_limit_budget_delays_the_next_request() {
    let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let t = times.clone();
    let app = Router::new().route(
        "/x",
        get(move || {
            let t = t.clone();
            async move {
                t.lock().unwrap().push(Instant::now());
                // Mastodon's headers; the reset here is a delay in seconds.
                (
                    [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")],
                    "ok",
                )
            }
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    c.get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap();
    c.get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap();
    let times = times.lock().unwrap().clone();
    assert!(
        times[1] - times[0] >= Duration::from_millis(900),
        "{:?}",
        times[1] - times[0]
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let missing = Arc::new(AtomicUsize::new(0));
    let m = missing.clone();
    let app = Router::new()
        .route(
            "/flaky",
            get(move || {
                let h = h.clone();
                async move {
                    if h.fetch_add(1, Ordering::SeqCst) == 0 {
                        (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response()
                    } else {
                        "fine".into_response()
                    }
                }
            }),
        )
        .route(
            "/gone",
            get(move || {
                let m = m.clone();
                async move {
                    m.fetch_add(1, Ordering::SeqCst);
                    StatusCode::NOT_FOUND
                }
            }),
        );
    let base = serve(app).await;
    let c = client(fast_config());
    let r = c
        .get(&format!("{base}/flaky"), &Validators::default())
        .await
        .unwrap();
    assert_eq!(r.body, b"fine");
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let e = c
        .get(&format!("{base}/gone"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Status { status: 404, .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("{base}/gone: server answered http 404")
    );
    assert_eq!(missing.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and reads nothing, answers nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    let c = client(ClientConfig {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..fast_config()
    });
    let start = Instant::now();
    let e = c
        .get(&format!("{base}/feed"), &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "timeout", "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("{base}/feed: timed out")),
        "{e}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // A timeout is transient: one retry was made.
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connection_refused_is_a_connect_error() {
    let (listener, base) = bind().await;
    drop(listener);
    let c = client(ClientConfig {
        retries: 0,
        ..fast_config()
    });
    let e = c
        .get(&format!("{base}/x"), &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "connect", "{e:?}");
}

#[tokio::test]
async fn oversized_bodies_hit_the_cap_streamed_or_declared() {
    let app = Router::new()
        .route(
            "/streamed",
            get(|| async {
                // Chunked, no Content-Length: only the streaming check can stop it.
                let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 16 << 10]));
                axum::body::Body::from_stream(futures_util::stream::iter(chunks))
            }),
        )
        .route("/declared", get(|| async { vec![b'y'; 1 << 20] }));
    let base = serve(app).await;
    let c = client(ClientConfig {
        max_body_bytes: 64 << 10,
        ..fast_config()
    });
    for path in ["streamed", "declared"] {
        let url = format!("{base}/{path}");
        let e = c.get(&url, &Validators::default()).await.unwrap_err();
        assert!(
            matches!(e, FetchError::TooLarge { limit: 65536, .. }),
            "{path}: {e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!("{url}: response larger than the limit of 65536 bytes")
        );
    }
    // Just under the cap passes.
    let small = client(ClientConfig {
        max_body_bytes: 1 << 20,
        ..fast_config()
    });
    assert_eq!(
        small
            .get(&format!("{base}/declared"), &Validators::default())
            .await
            .unwrap()
            .body
            .len(),
        1 << 20
    );
}

#[tokio::test]
async fn per_host_concurrency_is_limited() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f, p) = (in_flight.clone(), peak.clone());
    let app = Router::new().route(
        "/slow",
        get(move || {
            let (f, p) = (f.clone(), p.clone());
            async move {
                let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(40)).await;
                f.fetch_sub(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let base = serve(app).await;
    let c = client(ClientConfig {
        per_host_concurrency: 1,
        ..fast_config()
    });
    let url = format!("{base}/slow");
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (c, url) = (c.clone(), url.clone());
            tokio::spawn(async move { c.get(&url, &Validators::default()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 1);
}

// ---- Mastodon REST API -------------------------------------------------------------------

/// A status id as Mastodon makes them: Unix milliseconds shifted 16 bits, plus a sequence.
fn mastodon_id(unix_ms: u64, seq: u64) -> String {
    ((unix_ms << 16) | seq).to_string()
}

fn mastodon_account() -> Value {
    json!({
        "id": "109302936113116240", "username": "shopbot", "acct": "shopbot",
        "display_name": "Shop Bot", "locked": false, "bot": true,
        "created_at": "2022-11-07T00:00:00.000Z", "note": "<p>Deals</p>",
        "url": "https://shop.example/@shopbot", "followers_count": 1, "following_count": 0,
        "statuses_count": 100, "last_status_at": "2024-04-16", "emojis": [], "fields": []
    })
}

/// Status `n` (0 = oldest) of the fake account: every third one a reply sent 4 s after its parent.
fn mastodon_status(n: u64) -> Value {
    let ms = 1_713_000_000_000 + n * 3_600_000;
    let id = mastodon_id(ms, 1);
    let created = chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let reply = n % 3 == 0;
    json!({
        "id": id, "created_at": created,
        "in_reply_to_id": if reply { Value::from(mastodon_id(ms - 4_000, 9)) } else { Value::Null },
        "in_reply_to_account_id": if reply { Value::from("42") } else { Value::Null },
        "sensitive": false, "spoiler_text": "", "visibility": "public",
        "language": "en", "uri": format!("https://shop.example/users/shopbot/statuses/{id}"),
        "url": format!("https://shop.example/@shopbot/{id}"), "replies_count": 0,
        "reblogs_count": 0, "favourites_count": 0, "edited_at": null,
        "content": format!("<p>post {n}</p>"), "reblog": null,
        "application": {"name": "AutoResponder", "website": null},
        "account": mastodon_account(), "media_attachments": [],
        "mentions": if reply { json!([{"id": "42", "username": "bob", "url": "https://o.example/@bob", "acct": "bob@o.example"}]) } else { json!([]) },
        "tags": [], "emojis": [], "card": null, "poll": null
    })
}

#[derive(Clone)]
struct FakeMastodon {
    base: String,
    /// Oldest first.
    statuses: Arc<Mutex<Vec<Value>>>,
    queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

fn id_of(v: &Value) -> u64 {
    v["id"].as_str().unwrap().parse().unwrap()
}

async fn fake_statuses(
    State(s): State<FakeMastodon>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    s.queries.lock().unwrap().push(q.clone());
    let limit: usize = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20)
        .min(40);
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok());
    let all = s.statuses.lock().unwrap().clone();
    let mut page: Vec<Value> = if let Some(min) = num("min_id") {
        // The statuses right after min_id (oldest of the newer ones), newest first.
        let mut newer: Vec<Value> = all
            .iter()
            .filter(|v| id_of(v) > min)
            .take(limit)
            .cloned()
            .collect();
        newer.reverse();
        newer
    } else {
        all.iter()
            .rev()
            .filter(|v| num("max_id").is_none_or(|m| id_of(v) < m))
            .filter(|v| num("since_id").is_none_or(|m| id_of(v) > m))
            .take(limit)
            .cloned()
            .collect()
    };
    page.truncate(limit);
    let mut headers = HeaderMap::new();
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let path = format!("{}/api/v1/accounts/109302936113116240/statuses", s.base);
        let link = format!(
            "<{path}?limit={limit}&max_id={}>; rel=\"next\", <{path}?limit={limit}&min_id={}>; rel=\"prev\"",
            id_of(oldest),
            id_of(newest)
        );
        headers.insert("link", HeaderValue::from_str(&link).unwrap());
    }
    (headers, axum::Json(Value::Array(page))).into_response()
}

#[tokio::test]
async fn mastodon_backfills_by_link_next_then_polls_by_min_id() {
    let (listener, base) = bind().await;
    let fake = FakeMastodon {
        base: base.clone(),
        statuses: Arc::new(Mutex::new((0..100).map(mastodon_status).collect())),
        queries: Arc::new(Mutex::new(Vec::new())),
    };
    let app = Router::new()
        .route(
            "/api/v1/accounts/lookup",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                if q.get("acct").map(String::as_str) == Some("shopbot") {
                    axum::Json(mastodon_account()).into_response()
                } else {
                    (
                        StatusCode::NOT_FOUND,
                        axum::Json(json!({"error": "Record not found"})),
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/api/v1/accounts/109302936113116240/statuses",
            get(fake_statuses),
        )
        .with_state(fake.clone());
    spawn(listener, app);
    let c = client(fast_config());
    let spec = LiveSpec::parse("mastodon:@shopbot@shop.example")
        .unwrap()
        .with_base_url(&base);

    // First run, 90 posts deep: pages of 40 and 40 (80 < 90), then the last 20.
    let first = fetch(&c, &spec, &FetchState::default(), 90).await.unwrap();
    assert_eq!(first.requests, 4, "lookup + 3 pages");
    assert_eq!(first.timeline.posts.len(), 100);
    assert_eq!(first.timeline.account, "shopbot@shop.example");
    assert_eq!(first.timeline.declared_bot, Some(true));
    let newest_id = id_of(&mastodon_status(99)).to_string();
    assert_eq!(first.new_state.cursor.as_deref(), Some(newest_id.as_str()));
    assert!(first.new_state.backfilled);
    let reply = first
        .timeline
        .posts
        .iter()
        .find(|p| p.kind == PostKind::Reply)
        .unwrap();
    assert_eq!(reply.reply_to_account.as_deref(), Some("bob@o.example"));
    assert_eq!(reply.client.as_deref(), Some("AutoResponder"));
    let latency = reply.reply_latency_secs().unwrap();
    assert!((3.9..4.1).contains(&latency), "{latency}");
    {
        let q = fake.queries.lock().unwrap();
        assert_eq!(q.len(), 3);
        assert!(!q[0].contains_key("max_id"));
        assert!(q[1].contains_key("max_id") && q[2].contains_key("max_id"));
        q.iter()
            .for_each(|x| assert_eq!(x.get("limit").map(String::as_str), Some("40")));
    }

    // Later: 45 new posts appear; the poll pages forward from the cursor with min_id.
    fake.statuses
        .lock()
        .unwrap()
        .extend((100..145).map(mastodon_status));
    fake.queries.lock().unwrap().clear();
    let second = fetch(&c, &spec, &first.new_state, 90).await.unwrap();
    assert_eq!(second.timeline.posts.len(), 45);
    assert_eq!(second.timeline.posts[0].text, "post 100");
    assert_eq!(second.timeline.posts[44].text, "post 144");
    let newest_id = id_of(&mastodon_status(144)).to_string();
    assert_eq!(second.new_state.cursor.as_deref(), Some(newest_id.as_str()));
    let q = fake.queries.lock().unwrap().clone();
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(q[0].get("min_id"), first.new_state.cursor.as_ref());
    assert!(q.iter().all(|x| !x.contains_key("max_id")));

    // Nothing new: one page, empty, the cursor stays.
    let third = fetch(&c, &spec, &second.new_state, 90).await.unwrap();
    assert!(third.timeline.posts.is_empty());
    assert_eq!(third.new_state.cursor, second.new_state.cursor);
}

#[tokio::test]
async fn mastodon_unknown_account_is_a_status_error() {
    let app = Router::new().route(
        "/api/v1/accounts/lookup",
        get(|| async { (StatusCode::NOT_FOUND, "{\"error\":\"Record not found\"}") }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let spec = LiveSpec::parse("mastodon:@nobody@m.example")
        .unwrap()
        .with_base_url(&base);
    let e = fetch(&c, &spec, &FetchState::default(), 10)
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Status { status: 404, .. }), "{e:?}");
}

// ---- Bluesky AppView ---------------------------------------------------------------------

#[tokio::test]
async fn bluesky_follows_cursors_then_stops_at_seen_posts() {
    let queries = Arc::new(Mutex::new(Vec::<HashMap<String, String>>::new()));
    let q2 = queries.clone();
    let app = Router::new().route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        get(move |Query(q): Query<HashMap<String, String>>| {
            let q2 = q2.clone();
            async move {
                q2.lock().unwrap().push(q.clone());
                let body = match q.get("cursor").map(String::as_str) {
                    None => real("bluesky-appview/getAuthorFeed_chriskenny_2025-05-19.json"),
                    Some("2024-03-21T23:36:16.378Z") => {
                        real("bluesky-appview/getAuthorFeed_2023-10_old_cursor_format.json")
                    }
                    Some(_) => b"{\"feed\":[]}".to_vec(),
                };
                ([("content-type", "application/json; charset=utf-8")], body)
            }
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let spec = LiveSpec::parse("bsky:chriskenny.bsky.social")
        .unwrap()
        .with_base_url(&base);

    let first = fetch(&c, &spec, &FetchState::default(), 500).await.unwrap();
    assert_eq!(first.requests, 3);
    assert_eq!(first.timeline.posts.len(), 53);
    assert_eq!(first.timeline.account, "chriskenny.bsky.social");
    assert_eq!(
        first.new_state.cursor.as_deref(),
        Some("2025-05-05T01:30:17.912Z")
    );
    {
        let q = queries.lock().unwrap();
        assert_eq!(
            q[0].get("actor").map(String::as_str),
            Some("chriskenny.bsky.social")
        );
        assert_eq!(q[0].get("limit").map(String::as_str), Some("100"));
        assert_eq!(q[0].get("cursor"), None);
        assert_eq!(
            q[1].get("cursor").map(String::as_str),
            Some("2024-03-21T23:36:16.378Z")
        );
        assert!(q[2].get("cursor").unwrap().starts_with("1696301352905::"));
    }

    // The next poll sees the same newest page: it reaches already-seen posts and stops there.
    queries.lock().unwrap().clear();
    let second = fetch(&c, &spec, &first.new_state, 500).await.unwrap();
    assert_eq!(second.requests, 1);
    assert_eq!(queries.lock().unwrap().len(), 1);
    assert_eq!(second.new_state.cursor, first.new_state.cursor);

    // A shallow first run stops at the depth.
    let shallow = fetch(&c, &spec, &FetchState::default(), 20).await.unwrap();
    assert_eq!(shallow.requests, 1);
}

#[tokio::test]
async fn bluesky_accounts_that_ask_not_to_be_shown_logged_out_are_refused() {
    let app = Router::new().route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        get(|| async {
            axum::Json(json!({"feed": [{"post": {
                "uri": "at://did:plc:a/app.bsky.feed.post/3kasvrt6b372y", "cid": "x",
                "author": {"did": "did:plc:a", "handle": "private.test", "labels": [
                    {"src": "did:plc:a", "uri": "at://did:plc:a/app.bsky.actor.profile/self",
                     "val": "!no-unauthenticated", "cts": "2024-01-01T00:00:00.000Z"}]},
                "record": {"$type": "app.bsky.feed.post", "text": "hi",
                           "createdAt": "2024-01-02T00:00:00.000Z"},
                "indexedAt": "2024-01-02T00:00:00.000Z"}}]}))
        }),
    );
    let base = serve(app).await;
    let c = client(fast_config());
    let spec = LiveSpec::parse("bsky:private.test")
        .unwrap()
        .with_base_url(&base);
    let e = fetch(&c, &spec, &FetchState::default(), 10)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "opted_out", "{e:?}");
}

/// A feed item dated in year 9999 (or days ahead) is a damaged record of a live source too:
/// left out and counted, never stored where retention would keep it forever.
#[tokio::test]
async fn live_posts_with_implausible_dates_are_left_out_and_counted() {
    let now = chrono::Utc::now();
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.invalid/</link><description>d</description>
<item><guid>ok</guid><title>fine</title><description>a post of today</description><pubDate>{}</pubDate></item>
<item><guid>far</guid><title>far</title><description>from the far future</description><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><guid>soon</guid><title>soon</title><description>a week ahead</description><pubDate>{}</pubDate></item>
</channel></rss>"#,
        now.to_rfc2822(),
        (now + chrono::Duration::days(7)).to_rfc2822()
    );
    let base = serve(Router::new().route(
        "/feed.rss",
        get(move || {
            let rss = rss.clone();
            async move { ([("content-type", "application/rss+xml")], rss) }
        }),
    ))
    .await;
    let spec = LiveSpec::Feed {
        url: format!("{base}/feed.rss"),
    };
    let fetched = fetch(&client(fast_config()), &spec, &FetchState::default(), 50)
        .await
        .unwrap();
    let ids: Vec<&str> = fetched
        .timeline
        .posts
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(fetched.timeline.dropped.count, 2);
}
