//! End to end: the real `echoscope serve` binary, configured to poll fake servers on 127.0.0.1
//! that serve real-format payloads (a real Mastodon RSS capture, a real Bluesky AppView page, a
//! feed that always fails). Checks polling, `/metrics`, the JSON API, SIGHUP reloads (a bad
//! config is rejected, a good one applied) and a clean SIGTERM shutdown that leaves the store
//! consistent.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use echoscope::store::Store;

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real");

/// Serves the fake feed and API hosts; returns the base URL. The Mastodon RSS capture is also
/// served at a Medium-shaped path (`/feed/@user`), which is a plain feed, not Mastodon. Shared
/// with `poller.rs`.
pub async fn fake_servers() -> String {
    let rss = std::fs::read(format!("{REAL}/mastodon-rss/mastodon_social_pdxjohnny.rss")).unwrap();
    let bsky = std::fs::read(format!(
        "{REAL}/bluesky-appview/getAuthorFeed_chriskenny_2025-05-19.json"
    ))
    .unwrap();
    let feed = get(move || {
        let rss = rss.clone();
        async move {
            (
                [
                    (header::CONTENT_TYPE, "application/rss+xml"),
                    (header::ETAG, "\"v1\""),
                ],
                rss,
            )
        }
    });
    let app = Router::new()
        .route("/@pdxjohnny.rss", feed.clone())
        .route("/feed/@pdxjohnny", feed)
        .route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let bsky = bsky.clone();
                    async move {
                        // One page: a cursor asks for the next, which is empty.
                        let body = if q.contains_key("cursor") {
                            br#"{"feed":[]}"#.to_vec()
                        } else {
                            bsky
                        };
                        ([(header::CONTENT_TYPE, "application/json")], body)
                    }
                },
            ),
        )
        .route(
            "/broken.rss",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "down") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_config(path: &Path, port: u16, db: &Path, base: &str, extra: &str) {
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
api_token = "t0ken"
[store]
path = "{db}"
retention_days = 0
[poll]
interval_seconds = 3600
retries = 0
timeout_seconds = 2
bluesky_appview = "{base}"
[metrics]
account_labels = ["client"]
[[accounts]]
name = "news"
source = "{base}/@pdxjohnny.rss"
labels = {{ client = "acme" }}
[[accounts]]
name = "sky"
source = "bsky:chriskenny.bsky.social"
[[accounts]]
name = "broken"
source = "{base}/broken.rss"
{extra}
"#,
        db = db.display()
    );
    std::fs::write(path, text).unwrap();
}

/// The daemon process; its log is printed when the test fails.
pub struct Daemon(pub Child, pub std::path::PathBuf);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- daemon log ---\n{}",
                std::fs::read_to_string(&self.1).unwrap_or_default()
            );
        }
    }
}

pub fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}

pub async fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut f: impl AsyncFnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_polls_fake_servers_and_exposes_metrics_and_api() {
    let base = fake_servers().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store/echoscope.db");
    let cfg = dir.path().join("echoscope.toml");
    let port = free_port();
    write_config(&cfg, port, &db, &base, "");
    let log = dir.path().join("daemon.log");
    let child = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let daemon = Daemon(child, log);
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}");

    wait_for("readyz", Duration::from_secs(20), async || {
        let r = http.get(format!("{url}/readyz")).send().await.ok()?;
        (r.status() == 200).then_some(())
    })
    .await;

    // All three accounts polled: two analysed, one failing.
    let accounts: serde_json::Value = wait_for("polls", Duration::from_secs(40), async || {
        let v: serde_json::Value = http
            .get(format!("{url}/api/v1/accounts"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let done = v.as_array()?.iter().all(|a| {
            (a["name"] == "broken" && a["status"] == "error")
                || (a["status"] == "ok" && a["score"].is_u64())
        });
        done.then_some(v)
    })
    .await;
    let by_name = |n: &str| {
        accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("news")["platform"], "mastodon");
    assert!(by_name("news")["posts_stored"].as_u64().unwrap() > 0);
    assert_eq!(by_name("sky")["platform"], "bluesky");
    assert!(by_name("sky")["posts_stored"].as_u64().unwrap() >= 50);
    assert!(by_name("broken")["last_error"]
        .as_str()
        .unwrap()
        .contains("500"));

    let report: serde_json::Value = http
        .get(format!("{url}/api/v1/accounts/sky"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["platform"], "bluesky");
    assert!(report["posts"]["reply"].as_u64().unwrap() > 0);

    let metrics = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "echoscope_account_authenticity_score{account=\"news\",client=\"acme\",platform=\"mastodon\"}",
        "echoscope_account_posts_stored{account=\"sky\",client=\"\",platform=\"bluesky\"}",
        "echoscope_fetches_total{result=\"ok\",source=\"feed\"} 1",
        "echoscope_fetches_total{result=\"status\",source=\"feed\"} 1",
        "echoscope_fetches_total{result=\"ok\",source=\"bluesky_appview\"} 1",
        "echoscope_account_fetch_success{account=\"broken\",client=\"\",platform=\"feed\"} 0",
        "echoscope_config_last_reload_successful 1",
        "echoscope_build_info{",
        "process_resident_memory_bytes",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }

    // A refresh needs the token.
    let r = http
        .post(format!("{url}/api/v1/accounts/news/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .post(format!("{url}/api/v1/accounts/news/refresh"))
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);

    // SIGHUP with a broken config: rejected, the old one keeps running.
    std::fs::File::create(&cfg)
        .unwrap()
        .write_all(b"[server\nlisten = 1")
        .unwrap();
    signal(&daemon.0, "-HUP");
    wait_for("rejected reload", Duration::from_secs(10), async || {
        let m = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        m.contains("echoscope_config_last_reload_successful 0")
            .then_some(())
    })
    .await;
    let n = http
        .get(format!("{url}/api/v1/accounts"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(n.as_array().unwrap().len(), 3);

    // SIGHUP with a good config that adds an account.
    write_config(
        &cfg,
        port,
        &db,
        &base,
        &format!("[[accounts]]\nname = \"news2\"\nsource = \"{base}/@pdxjohnny.rss\"\n"),
    );
    signal(&daemon.0, "-HUP");
    wait_for("applied reload", Duration::from_secs(10), async || {
        let m = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (m.contains("echoscope_config_last_reload_successful 1")
            && m.contains("echoscope_accounts_configured 4"))
        .then_some(())
    })
    .await;

    // SIGTERM: a clean exit, and the store is consistent and keeps the posts.
    let mut daemon = daemon;
    signal(&daemon.0, "-TERM");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = daemon.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "exit status {status:?}");
    let store = echoscope::store::sqlite::Sqlite::open(&db).unwrap();
    let keys = store.accounts().unwrap();
    let sky = keys.iter().find(|k| k.name == "sky").unwrap();
    assert!(store.post_count(sky).unwrap() >= 50);
    assert!(!store.runs(sky, 10).unwrap().is_empty());
}
