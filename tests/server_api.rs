//! The daemon's HTTP app, tested without a socket (`tower::ServiceExt::oneshot`) over a real
//! SQLite store in a temporary folder.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use echoscope::config::{Account, Config};
use echoscope::model::{Platform, Post, PostKind};
use echoscope::server::{app, State};
use echoscope::store::sqlite::Sqlite;
use echoscope::store::{AccountKey, Store};
use tower::ServiceExt;

pub(crate) fn config(token: &str) -> Config {
    let mut c = Config::default();
    c.server.api_token = token.to_string();
    c.accounts
        .push(Account::new("acme", "bsky:acme.example".parse().unwrap()));
    c
}

/// A state whose store holds one analysed account.
pub(crate) fn state(dir: &tempfile::TempDir, token: &str) -> Arc<State> {
    let store = Arc::new(Sqlite::open(dir.path().join("e.db")).unwrap());
    let key = AccountKey {
        name: "acme".into(),
        platform: Platform::Bluesky,
    };
    store.ensure_account(&key, "acme.example").unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let posts: Vec<Post> = (0..8)
        .map(|i| {
            let mut p = Post::new(
                format!("p{i}"),
                t0 + chrono::Duration::days(7 * i),
                "Spring sale! 20% off everything with code SPRING20 https://shop.example/sale",
            );
            p.kind = PostKind::Original;
            p
        })
        .collect();
    store.insert_posts(&key, &posts).unwrap();
    let timeline = store.timeline(&key, None).unwrap();
    let report = echoscope::scan::analyse(&timeline, &Default::default(), t0);
    store.record_run(&key, &report).unwrap();
    let state = State::new(config(token), store);
    state.set_ready(true);
    state
}

pub(crate) async fn get(state: &Arc<State>, uri: &str) -> (StatusCode, String) {
    let res = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

pub(crate) async fn post(state: &Arc<State>, uri: &str, auth: Option<&str>) -> StatusCode {
    let mut req = Request::post(uri);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    app(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    assert_eq!(get(&s, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&s, "/readyz").await.0, StatusCode::OK);
    s.set_ready(false);
    assert_eq!(get(&s, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (status, text) = get(&s, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("echoscope_build_info{"), "{text}");
    assert!(text.contains("echoscope_store_size_bytes "), "{text}");
    assert!(text.contains("echoscope_accounts_configured 1"), "{text}");
}

/// `/metrics` negotiates: gzip when accepted, OpenMetrics when Prometheus asks for it first.
#[tokio::test]
async fn metrics_negotiates_gzip_and_openmetrics() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let request = |accept: &'static str, encoding: &'static str| {
        Request::get("/metrics")
            .header("accept", accept)
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .unwrap()
    };
    let response = app(s.clone())
        .oneshot(request("*/*", "gzip, deflate"))
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let packed = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut text)
        .unwrap();
    assert!(text.contains("echoscope_accounts_configured 1"), "{text}");

    let prometheus = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    let response = app(s)
        .oneshot(request(prometheus, "identity"))
        .await
        .unwrap();
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn account_report_findings_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let (status, body) = get(&s, "/api/v1/accounts").await;
    assert_eq!(status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list[0]["name"], "acme");
    assert_eq!(list[0]["status"], "pending");

    let (status, body) = get(&s, "/api/v1/accounts/acme").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: echoscope::model::AccountReport = serde_json::from_str(&body).unwrap();
    assert_eq!(report.posts.total, 8);

    let (status, body) = get(&s, "/api/v1/accounts/acme/findings?severity=info").await;
    assert_eq!(status, StatusCode::OK);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(findings.len(), report.findings.len());
    let (status, _) = get(&s, "/api/v1/accounts/acme/findings?severity=urgent").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&s, "/api/v1/accounts/acme/findings?detector=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = get(&s, "/api/v1/accounts/acme/history").await;
    assert_eq!(status, StatusCode::OK);
    let runs: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["score"], report.score);

    let (status, body) = get(&s, "/api/v1/accounts/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("unknown account"), "{body}");
}

#[tokio::test]
async fn refresh_needs_a_configured_token() {
    let dir = tempfile::tempdir().unwrap();
    let off = state(&dir, "");
    assert_eq!(
        post(&off, "/api/v1/accounts/acme/refresh", Some("Bearer x")).await,
        StatusCode::FORBIDDEN
    );
    let dir2 = tempfile::tempdir().unwrap();
    let on = state(&dir2, "s3cret");
    assert_eq!(
        post(&on, "/api/v1/accounts/acme/refresh", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&on, "/api/v1/accounts/acme/refresh", Some("Bearer s3cre")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&on, "/api/v1/accounts/acme/refresh", Some("Bearer s3cret")).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(
            &on,
            "/api/v1/accounts/nobody/refresh",
            Some("Bearer s3cret")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // A GET on a state-changing path is not routed.
    assert_eq!(
        get(&on, "/api/v1/accounts/acme/refresh").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir, "");
    let (status, body) = get(&s, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    for (path, method) in [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts/{name}", "get"),
        ("/api/v1/accounts/{name}/findings", "get"),
        ("/api/v1/accounts/{name}/history", "get"),
        ("/api/v1/accounts/{name}/refresh", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    // Every $ref resolves inside the document.
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        out.push(x.as_str().unwrap().to_string());
                    }
                    refs(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.trim_start_matches('#');
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    // The documented account report is what the API returns: its required keys exist.
    let (_, body) = get(&s, "/api/v1/accounts/acme").await;
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    for k in doc["components"]["schemas"]["AccountReport"]["required"]
        .as_array()
        .unwrap()
    {
        assert!(
            report.get(k.as_str().unwrap()).is_some(),
            "report lacks {k}"
        );
    }
}
