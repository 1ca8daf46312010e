//! Regression tests for the daemon's HTTP surface found by probing the release binary (issue
//! 18): token scheme, JSON errors everywhere, the history limit, the Host check against DNS
//! rebinding, credentials in feed URLs, and slow-header connections over a real socket.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use echoscope::config::{Account, Config};
use echoscope::server::serve::{serve, Limits};
use echoscope::server::{app, State};
use echoscope::store::sqlite::Sqlite;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::server_api::{get, post, state};

async fn send(state: &Arc<State>, request: Request<Body>) -> (StatusCode, String) {
    let res = app(state.clone()).oneshot(request).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// The body is the API's one error shape: `{"error": "<text>"}`.
fn assert_json_error(status: StatusCode, body: &str, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    let v: serde_json::Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{expected}: not JSON ({e}): {body:?}"));
    assert!(v["error"].is_string(), "{body}");
    assert_eq!(v.as_object().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "s3cret");
    for auth in ["bearer s3cret", "BEARER s3cret", "Bearer   s3cret"] {
        assert_eq!(
            post(&s, "/api/v1/accounts/acme/refresh", Some(auth)).await,
            StatusCode::ACCEPTED,
            "{auth}"
        );
    }
    for auth in ["Basic s3cret", "bearer", "bearers3cret", "bearer s3cre"] {
        assert_eq!(
            post(&s, "/api/v1/accounts/acme/refresh", Some(auth)).await,
            StatusCode::UNAUTHORIZED,
            "{auth}"
        );
    }
}

#[tokio::test]
async fn extractor_rejections_unknown_paths_and_wrong_methods_answer_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    for uri in [
        "/api/v1/accounts/acme/history?limit=abc",
        "/api/v1/accounts/acme/history?limit=-1",
        "/api/v1/accounts/acme/history?limit=0",
        "/api/v1/accounts/acme/findings?severity=urgent",
        "/api/v1/accounts/%FF%FE",
    ] {
        let (status, body) = get(&s, uri).await;
        assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    }
    let (status, body) = get(&s, "/api/v1/nothing-here").await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = get(&s, "/api/v1/accounts/acme/refresh").await;
    assert_json_error(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    let (status, body) = send(
        &s,
        Request::post("/api/v1/accounts/acme/refresh")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_json_error(status, &body, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn history_limit_zero_is_refused_and_large_limits_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let (status, body) = get(&s, "/api/v1/accounts/acme/history?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("limit"), "{body}");
    let (status, body) = get(&s, "/api/v1/accounts/acme/history?limit=1000000000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = get(&s, "/api/v1/accounts/acme/history?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn api_refuses_foreign_hosts_but_probes_and_metrics_answer_any() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let with_host = |uri: &str, host: &str| {
        Request::get(uri)
            .header("host", host)
            .body(Body::empty())
            .unwrap()
    };
    for (uri, host) in [
        ("/api/v1/accounts", "evil.example"),
        ("/api/v1/accounts", "evil.example:9464"),
        ("/", "rebind.attacker.test"),
        ("/api/v1/accounts/acme", "evil.example"),
    ] {
        let (status, body) = send(&s, with_host(uri, host)).await;
        assert_json_error(status, &body, StatusCode::FORBIDDEN);
        assert!(body.contains("allowed_hosts"), "{body}");
    }
    // An absolute-form request for another host is refused too, whatever Host says.
    let (status, body) = send(
        &s,
        Request::get("http://evil.example/api/v1/accounts")
            .header("host", "127.0.0.1:9464")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_json_error(status, &body, StatusCode::FORBIDDEN);
    for host in ["127.0.0.1:9464", "localhost:9464", "[::1]:9464"] {
        let (status, body) = send(&s, with_host("/api/v1/accounts", host)).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    // Kubernetes probes and Prometheus send the pod IP or a service name.
    for uri in ["/healthz", "/readyz", "/metrics"] {
        let (status, _) = send(&s, with_host(uri, "echoscope.monitoring.svc")).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn credentials_in_feed_urls_are_not_shown_by_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Sqlite::open(dir.path().join("e.db")).unwrap());
    let mut config = Config::default();
    let source = "http://user:hunter2@feeds.example/feed?private_token=tok-123&page=2";
    config
        .accounts
        .push(Account::new("private", source.parse().unwrap()));
    // The handle is stored and written into every exported JSONL line; logs show the source.
    let account = &config.accounts[0];
    for shown in [account.source.handle(), account.source.to_string()] {
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok-123"),
            "{shown}"
        );
    }
    let s = State::new(config, store);
    let (status, body) = get(&s, "/api/v1/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.contains("hunter2") && !body.contains("tok-123"),
        "{body}"
    );
    assert!(
        body.contains("feeds.example/feed?private_token=***&page=2"),
        "{body}"
    );
}

/// Opens `n` connections that each send a request line and one header line, and never finish
/// their headers (slowloris; the test then trickles one more line now and then).
async fn slow_connections(addr: std::net::SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .unwrap();
        conns.push(c);
    }
    conns
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_connections_are_closed_and_healthz_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(5),
        max_connections: 64,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(serve(listener, app(s), limits, stopped));

    // 300 trickling connections, more than the cap: they fill it, and keep trickling.
    let every = Duration::from_millis(300);
    let mut conns = slow_connections(addr, 300).await;
    let trickler = tokio::spawn(async move {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(4) {
            tokio::time::sleep(every).await;
            for c in conns.iter_mut() {
                // A connection the server closed fails here sooner or later; that is the point.
                let _ = c.write_all(b"X-Slow: 1\r\n").await;
            }
        }
        conns
    });

    // /healthz still answers, within a few header timeouts.
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(8), async {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut text = String::new();
        c.read_to_string(&mut text).await.unwrap();
        text
    })
    .await
    .expect("/healthz did not answer while slow connections were open");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok\n"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(8));

    // The server closed the trickling connections (header timeout): reading gives EOF or a
    // reset, not a hang.
    let conns = trickler.await.unwrap();
    let closed = futures_util::future::join_all(conns.into_iter().map(|mut c| async move {
        let mut buf = [0u8; 512];
        // Reading until EOF or a reset: the server closed it. A timeout: still held open.
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match c.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await
        .is_ok()
    }))
    .await;
    let still_open = closed.iter().filter(|c| !**c).count();
    assert_eq!(
        still_open, 0,
        "slow-header connections left open by the server"
    );
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(12), server)
        .await
        .unwrap()
        .unwrap();
}

/// One request: method, documented path, actual URI, headers.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// Every answer the app gives (status and content type) is described in `openapi.json`, which
/// the API is fuzzed from: pages, probes, metrics and errors included.
#[tokio::test]
async fn openapi_describes_every_status_and_content_type_actually_served() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "s3cret");
    let doc: serde_json::Value = serde_json::from_str(echoscope::server::api::OPENAPI).unwrap();
    let cases: Vec<Case> = vec![
        ("get", "/", "/", vec![]),
        ("get", "/", "/", vec![("host", "evil.example")]),
        ("get", "/accounts/{name}", "/accounts/acme", vec![]),
        ("get", "/accounts/{name}", "/accounts/nobody", vec![]),
        ("get", "/accounts/{name}", "/accounts/%FF", vec![]),
        ("get", "/healthz", "/healthz", vec![]),
        ("get", "/readyz", "/readyz", vec![]),
        ("get", "/metrics", "/metrics", vec![]),
        (
            "get",
            "/metrics",
            "/metrics",
            vec![("accept", "application/openmetrics-text;version=1.0.0")],
        ),
        (
            "get",
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            vec![],
        ),
        ("get", "/api/v1/accounts", "/api/v1/accounts", vec![]),
        (
            "get",
            "/api/v1/accounts",
            "/api/v1/accounts",
            vec![("host", "evil.example")],
        ),
        (
            "get",
            "/api/v1/accounts/{name}",
            "/api/v1/accounts/acme",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}",
            "/api/v1/accounts/nobody",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}",
            "/api/v1/accounts/%FF",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}/findings",
            "/api/v1/accounts/acme/findings",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}/findings",
            "/api/v1/accounts/acme/findings?severity=urgent",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}/history",
            "/api/v1/accounts/acme/history",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}/history",
            "/api/v1/accounts/acme/history?limit=0",
            vec![],
        ),
        (
            "get",
            "/api/v1/accounts/{name}/history",
            "/api/v1/accounts/acme/history?limit=x",
            vec![],
        ),
        (
            "post",
            "/api/v1/accounts/{name}/refresh",
            "/api/v1/accounts/acme/refresh",
            vec![],
        ),
        (
            "post",
            "/api/v1/accounts/{name}/refresh",
            "/api/v1/accounts/acme/refresh",
            vec![("authorization", "bearer s3cret")],
        ),
        (
            "post",
            "/api/v1/accounts/{name}/refresh",
            "/api/v1/accounts/nobody/refresh",
            vec![("authorization", "Bearer s3cret")],
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (method, template, uri, headers) in cases {
        let mut request = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(uri);
        for (k, v) in &headers {
            request = request.header(*k, *v);
        }
        let res = app(s.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16().to_string();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let op = &doc["paths"][template][method];
        assert!(op.is_object(), "{method} {template} undocumented");
        let mut response = op["responses"][&status].clone();
        if let Some(r) = response.get("$ref").and_then(|r| r.as_str()) {
            response = doc.pointer(r.trim_start_matches('#')).unwrap().clone();
        }
        assert!(
            response.is_object(),
            "{method} {uri} answered {status}, undocumented for {template}"
        );
        let documented: Vec<String> = response["content"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let base = |t: &str| t.split(';').next().unwrap().trim().to_string();
        assert!(
            documented.iter().any(|d| base(d) == base(&content_type)),
            "{method} {uri} {status}: {content_type:?} not in {documented:?}"
        );
        seen.insert((template, method));
    }
    // Every documented operation was exercised, and every served route is documented.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(
                seen.contains(&(path.as_str(), method.as_str())),
                "{method} {path} documented but not exercised here"
            );
        }
    }
}
