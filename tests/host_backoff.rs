//! A host's 429 with a long `Retry-After` (issue 18, item 7): the host-wide backoff stays, but
//! it is capped by configuration and the accounts whose requests were never sent say so.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use echoscope::sources::http::{Client, ClientConfig, FetchError, Validators};

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

#[tokio::test]
async fn other_urls_on_a_backed_off_host_report_a_local_wait_not_a_429() {
    let other_hits = Arc::new(AtomicUsize::new(0));
    let h = other_hits.clone();
    let app = Router::new()
        .route(
            "/limited",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "999999")],
                    "",
                )
            }),
        )
        .route(
            "/other",
            get(move || {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    "ok"
                }
            }),
        );
    let base = serve(app).await;
    let client = Client::new(ClientConfig {
        retries: 0,
        max_wait: Duration::from_millis(100),
        // `[poll] max_retry_after_seconds`: the 999999 s asked for is cut to this.
        max_block: Duration::from_secs(2),
        ..ClientConfig::default()
    })
    .unwrap();
    let limited = format!("{base}/limited?api_key=k-secret");
    let e = client
        .get(&limited, &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::RateLimited { .. }), "{e:?}");
    assert!(!e.to_string().contains("k-secret"), "{e}");

    let e = client
        .get(&format!("{base}/other"), &Validators::default())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, FetchError::HostBackoff { .. }), "{e:?}");
    assert!(text.contains("not requested"), "{text}");
    assert!(text.contains("waiting until"), "{text}");
    assert!(text.contains("asked us to back off (429 on"), "{text}");
    assert!(text.contains("/limited?api_key=***"), "{text}");
    assert!(!text.contains("rate limited by the host"), "{text}");
    assert_eq!(e.kind(), "rate_limited");
    assert_eq!(other_hits.load(Ordering::SeqCst), 0, "no request was sent");

    // The cap holds: after it, the host is asked again.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    client
        .get(&format!("{base}/other"), &Validators::default())
        .await
        .unwrap();
    assert_eq!(other_hits.load(Ordering::SeqCst), 1);
}

#[test]
fn max_retry_after_seconds_reaches_the_client() {
    let mut config = echoscope::config::Config::default();
    assert_eq!(config.poll.max_retry_after_seconds, 3600);
    config.poll.max_retry_after_seconds = 120;
    let client = echoscope::server::poller::client_config(&config);
    assert_eq!(client.max_block, Duration::from_secs(120));
}
