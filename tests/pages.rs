//! The daemon's web pages without a socket (`tower::ServiceExt::oneshot`) over a real SQLite
//! store: `/` groups accounts by their first operator label and ranks them by score, an
//! account's page is its stored report as HTML, and an unknown account is a 404 page. What a
//! browser makes of them is `browser.rs`'s job.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{TimeZone, Utc};
use echoscope::config::{Account, Config};
use echoscope::model::{Platform, Post, PostKind};
use echoscope::server::{app, State};
use echoscope::store::sqlite::Sqlite;
use echoscope::store::{AccountKey, Store};
use tower::ServiceExt;

/// Two clients: `acme` with a scheduled sale (a low score) and a quiet account, `zeta` with one
/// account; a third account has no client label.
fn state(dir: &tempfile::TempDir) -> Arc<State> {
    let store = Arc::new(Sqlite::open(dir.path().join("p.db")).unwrap());
    let mut config = Config::default();
    config.metrics.account_labels = vec!["client".into()];
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    for (name, client, text) in [
        (
            "acme-shop",
            Some("acme"),
            "Spring sale! 20% off everything with code SPRING20 https://shop.example/sale",
        ),
        ("acme-ceo", Some("acme"), ""),
        ("zeta-news", Some("zeta <b>&co</b>"), ""),
        ("loner", None, ""),
    ] {
        let mut account = Account::new(name, format!("bsky:{name}.example").parse().unwrap());
        if let Some(c) = client {
            account.labels.insert("client".into(), c.into());
        }
        config.accounts.push(account);
        let key = AccountKey {
            name: name.into(),
            platform: Platform::Bluesky,
        };
        store.ensure_account(&key, name).unwrap();
        if text.is_empty() {
            continue; // never analysed
        }
        let posts: Vec<Post> = (0..8)
            .map(|i| {
                let mut p = Post::new(format!("p{i}"), t0 + chrono::Duration::days(7 * i), text);
                p.kind = PostKind::Original;
                p
            })
            .collect();
        store.insert_posts(&key, &posts).unwrap();
        let timeline = store.timeline(&key, None).unwrap();
        let report = echoscope::scan::analyse(&timeline, &Default::default(), t0);
        // Two runs with different results (an unchanged result is recorded once).
        let mut earlier = report.clone();
        earlier.score = earlier.score.saturating_sub(5);
        store.record_run(&key, &earlier).unwrap().unwrap();
        store.record_run(&key, &report).unwrap().unwrap();
    }
    let state = State::new(config, store);
    state.set_ready(true);
    state
}

async fn get(state: &Arc<State>, uri: &str) -> (StatusCode, String, String) {
    let res = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn index_groups_accounts_by_client_and_escapes_labels() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir);
    let (status, kind, body) = get(&state, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let acme = body.find("<h2>client: acme</h2>").expect("the acme group");
    let zeta = body
        .find("<h2>client: zeta &lt;b&gt;&amp;co&lt;/b&gt;</h2>")
        .expect("the zeta group, its label escaped");
    let none = body
        .find("<h2>no client</h2>")
        .expect("accounts without one");
    assert!(acme < zeta && zeta < none, "groups in order");
    // Within acme: the analysed account first, the one never analysed last.
    let shop = body.find("href=\"/accounts/acme-shop\"").unwrap();
    let ceo = body.find("href=\"/accounts/acme-ceo\"").unwrap();
    assert!(acme < shop && shop < ceo && ceo < zeta);
    assert!(body.contains("not analysed yet"));
    assert!(body.contains("href=\"/metrics\"") && body.contains("href=\"/api/v1/accounts\""));
    // The analysed account has a sparkline of its two runs.
    assert!(body.contains("Score over 2 analyses"));
    assert!(!body.contains("<script"), "no script on the pages");
}

#[tokio::test]
async fn account_page_is_the_stored_report_and_unknown_is_a_404_page() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir);
    let (status, _, body) = get(&state, "/accounts/acme-shop").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Authenticity score: "));
    assert!(body.contains("Score history"));
    assert!(body.contains("Posting rhythm"), "the activity charts");
    let (status, kind, body) = get(&state, "/accounts/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(kind.starts_with("text/html"));
    assert!(body.contains("unknown account"));
    let (status, _, body) = get(&state, "/accounts/acme-ceo").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("has not been analysed yet"));
}
