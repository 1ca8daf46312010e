//! The poller's store discipline, on a watched JSONL file and a real SQLite store: a poll that
//! brings nothing new must not analyse or store again, new posts must, and an operator's
//! refresh analyses without storing an identical run.

use std::io::Write as _;
use std::sync::Arc;

use echoscope::config::{Account, Config};
use echoscope::model::Platform;
use echoscope::server::{poller, State};
use echoscope::sources::http::Client;
use echoscope::store::sqlite::Sqlite;
use echoscope::store::{AccountKey, Store};

fn line(i: u32, text: &str) -> String {
    format!(
        "{{\"account\":\"lumen\",\"platform\":\"twitter\",\"id\":\"{i}\",\
         \"created_at\":\"2026-0{}-{:02}T09:00:00Z\",\"text\":\"{text}\"}}\n",
        1 + i / 28,
        1 + i % 28
    )
}

#[tokio::test]
async fn polls_without_new_posts_store_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lumen.jsonl");
    let mut body = String::new();
    for i in 0..10 {
        body.push_str(&line(
            i,
            &format!("Day {i}: sketching a new lamp shade, thoughts welcome"),
        ));
    }
    std::fs::write(&file, &body).unwrap();

    let mut config = Config::default();
    config.store.retention_days = 0;
    config.accounts.push(Account {
        name: "lumen".into(),
        source: format!("file:{}", file.display()),
        labels: Default::default(),
        interval_seconds: None,
    });
    let store = Arc::new(Sqlite::open(dir.path().join("e.db")).unwrap());
    let state = State::new(config.clone(), store.clone());
    let client = Client::new(poller::client_config(&config)).unwrap();
    let account = config.accounts[0].clone();
    let key = AccountKey {
        name: "lumen".into(),
        platform: Platform::Other,
    };

    poller::poll_once(&state, &account, &client, false).await;
    let first = state.status("lumen");
    assert_eq!(first.posts_stored, 10);
    assert!(first.last_error.is_none(), "{:?}", first.last_error);
    assert_eq!(store.runs(&key, 100).unwrap().len(), 1);

    // The file did not change: no new posts, no new analysis, no new run.
    poller::poll_once(&state, &account, &client, false).await;
    let second = state.status("lumen");
    assert!(second.last_fetch_at > first.last_fetch_at);
    assert_eq!(second.analysed_at, first.analysed_at);
    assert_eq!(store.runs(&key, 100).unwrap().len(), 1);

    // A refresh analyses again; the result is the same, so it is not stored twice.
    poller::poll_once(&state, &account, &client, true).await;
    assert!(state.status("lumen").analysed_at > first.analysed_at);
    assert_eq!(store.runs(&key, 100).unwrap().len(), 1);

    // New posts: analysed and stored.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(line(20, "Prototype number two is on the bench").as_bytes())
        .unwrap();
    drop(f);
    poller::poll_once(&state, &account, &client, false).await;
    assert_eq!(state.status("lumen").posts_stored, 11);
    let runs = store.runs(&key, 100).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(store.latest_report(&key).unwrap().unwrap().posts.total, 11);
}
