//! The poller over a real SQLite store. Its store discipline, on a watched JSONL file: a poll
//! that brings nothing new must not analyse or store again, new posts must, and an operator's
//! refresh analyses without storing an identical run. Then regressions, against the fake
//! servers of `daemon_e2e.rs`: the daemon must file, label and fetch a source exactly as the
//! live reader reads it.

use std::io::Write as _;
use std::sync::Arc;

use chrono::TimeZone;
use echoscope::config::{Account, Config, Source, SourceSpec};
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
    config
        .accounts
        .push(Account::new("lumen", Source::file(&file)));
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

mod regression {
    use std::time::{Duration, Instant};

    use echoscope::model::Post;
    use tokio::sync::watch;

    use super::*;

    fn account(name: &str, source: &str) -> Account {
        Account::new(name, source.parse().unwrap())
    }

    /// A daemon state over a new store in a temporary folder (kept alive by the guard), polling
    /// the fake servers of `daemon_e2e.rs`; `accounts` gets their base URL.
    async fn daemon(
        accounts: impl FnOnce(&str) -> Vec<Account>,
    ) -> (tempfile::TempDir, Arc<State>) {
        let base = crate::daemon_e2e::fake_servers().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.store.path = dir.path().join("e.db");
        config.store.retention_days = 0;
        config.poll.bluesky_appview = base.clone();
        config.poll.retries = 0;
        config.accounts = accounts(&base);
        let store = echoscope::store::open(&config.store).unwrap();
        (dir, State::new(config, store))
    }

    fn key(name: &str, platform: Platform) -> AccountKey {
        AccountKey {
            name: name.into(),
            platform,
        }
    }

    /// Polls one account and checks that the store key, the platform the fetch reported, the
    /// metric labels and the API's platform all give the same answer.
    async fn poll_and_check(state: &Arc<State>, name: &str, platform: Platform, source: &str) {
        let account = state
            .config()
            .accounts
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .clone();
        let client = Client::new(poller::client_config(&state.config())).unwrap();
        poller::poll_once(state, &account, &client, false).await;
        let status = state.status(name);
        assert!(status.last_error.is_none(), "{:?}", status.last_error);
        assert_eq!(
            status.platform,
            Some(platform),
            "the platform the fetch read"
        );
        assert_eq!(state.key(name), Some(key(name, platform)), "the store key");
        assert!(state.store.post_count(&key(name, platform)).unwrap() > 0);
        assert_eq!(state.store.accounts().unwrap(), vec![key(name, platform)]);
        let metrics = state
            .metrics
            .render(echoscope::server::metrics::Format::Text);
        for series in [
            format!("echoscope_fetches_total{{result=\"ok\",source=\"{source}\"}} 1"),
            format!(
                "echoscope_account_fetch_success{{account=\"{name}\",platform=\"{}\"}} 1",
                platform.as_str()
            ),
        ] {
            assert!(metrics.contains(&series), "{series} not in\n{metrics}");
        }
    }

    #[tokio::test]
    async fn a_bluesky_prefixed_source_is_fetched_labelled_and_stored_as_bluesky() {
        let (_dir, state) =
            daemon(|_| vec![account("sky", "bluesky:chriskenny.bsky.social")]).await;
        poll_and_check(&state, "sky", Platform::Bluesky, "bluesky_appview").await;
    }

    /// Medium's feed URLs look like Mastodon's (`/feed/@user`) but are plain feeds.
    fn medium(base: &str) -> Account {
        account("medium", &format!("{base}/feed/@pdxjohnny"))
    }

    #[tokio::test]
    async fn a_feed_url_with_at_in_its_path_is_a_plain_feed_for_the_daemon_too() {
        let (_dir, state) = daemon(|base| vec![medium(base)]).await;
        poll_and_check(&state, "medium", Platform::Feed, "feed").await;
    }

    #[tokio::test]
    async fn history_filed_under_a_guessed_platform_moves_to_the_sources_platform() {
        let (_dir, state) = daemon(|base| {
            vec![
                account("sky", "bluesky:chriskenny.bsky.social"),
                medium(base),
            ]
        })
        .await;
        // What echoscope 0.1 stored for these sources, under the platforms it guessed.
        let old = |name: &str| Post::new(format!("{name}-old"), chrono::Utc::now(), "kept");
        for (name, guessed) in [("sky", Platform::Feed), ("medium", Platform::Mastodon)] {
            let k = key(name, guessed);
            state.store.ensure_account(&k, name).unwrap();
            state.store.insert_posts(&k, &[old(name)]).unwrap();
        }

        let client = Arc::new(Client::new(poller::client_config(&state.config())).unwrap());
        let (stop, rx) = watch::channel(false);
        let loops: Vec<_> = state
            .config()
            .accounts
            .iter()
            .map(|a| {
                tokio::spawn(poller::account_loop(
                    state.clone(),
                    a.clone(),
                    client.clone(),
                    rx.clone(),
                ))
            })
            .collect();
        // The history is published from its new key as soon as a poller starts.
        let start = Instant::now();
        while ["sky", "medium"]
            .iter()
            .any(|n| state.status(n).posts_stored == 0)
        {
            assert!(start.elapsed() < Duration::from_secs(20), "not published");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        for l in loops {
            l.await.unwrap();
        }

        let mut keys = state.store.accounts().unwrap();
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            keys,
            [key("medium", Platform::Feed), key("sky", Platform::Bluesky)]
        );
        for k in &keys {
            let posts = state.store.timeline(k, None).unwrap().posts;
            assert!(
                posts.iter().any(|p| p.id == format!("{}-old", k.name)),
                "{k:?} lost its history"
            );
        }
    }

    /// The built-in demo has fixed dates (2025). With the global retention, `serve` pruned and
    /// ignored most of it (demo-brand scored 31 in `serve`, 0 in `scan`) and the demo decayed
    /// as the calendar moved: years later it must still show what `scan` shows.
    #[tokio::test]
    async fn the_demo_shows_the_findings_of_scan_years_after_its_dates() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.store.path = dir.path().join("data/echoscope.db");
        let config = echoscope::demo::configure(config).unwrap();
        let store = echoscope::store::open(&config.store).unwrap();
        let state = State::new(config.clone(), store.clone());
        let client = Client::new(poller::client_config(&config)).unwrap();
        for account in &config.accounts {
            poller::poll_once(&state, account, &client, false).await;
            let status = state.status(&account.name);
            assert!(status.last_error.is_none(), "{:?}", status.last_error);
        }

        let later = chrono::Utc.with_ymd_and_hms(2031, 6, 1, 12, 0, 0).unwrap();
        echoscope::server::supervisor::prune(&state, later).unwrap();
        for account in &config.accounts {
            let key = state.key(&account.name).unwrap();
            let posts = store.post_count(&key).unwrap();
            poller::analyse(&state, account, &key, posts, later).await;
            let served = store.latest_report(&key).unwrap().unwrap();

            let SourceSpec::File { path, handle } = account.source.spec() else {
                panic!("the demo reads files");
            };
            let (_, batch) = echoscope::sources::read(path, None, &Default::default()).unwrap();
            // A file of several accounts is watched one account at a time, the one its handle
            // names: the daemon shows what `scan` shows for that account.
            let timeline = match handle {
                Some(h) => batch.timelines.iter().find(|t| &t.account == h).unwrap(),
                None => {
                    assert_eq!(batch.timelines.len(), 1, "{}", account.name);
                    &batch.timelines[0]
                }
            };
            assert_eq!(served.account, timeline.account, "{}", account.name);
            assert_eq!(served.platform, timeline.platform, "{}", account.name);
            let scanned = echoscope::scan::analyse(timeline, &config.detectors, later);
            // Compared as stored: the store keeps reports as JSON, and serde_json's float
            // parsing may move the last digit of a number.
            let scanned: echoscope::model::AccountReport =
                serde_json::from_str(&serde_json::to_string(&scanned).unwrap()).unwrap();
            assert_eq!(served.posts, scanned.posts, "{}", account.name);
            assert_eq!(served.score, scanned.score, "{}", account.name);
            assert_eq!(served.findings, scanned.findings, "{}", account.name);
            if account.name == "demo-brand" {
                assert!(served.findings.len() > 10, "{served:?}");
            }
        }
    }
}

/// A poller stopped between its commit and its analysis (a hand-over to another replica, a
/// reload, a crash) leaves posts stored and never analysed. The account's next poller analyses
/// them as it starts, instead of an interval later.
#[tokio::test]
async fn stored_posts_never_analysed_are_analysed_when_the_poller_starts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.store.retention_days = 0;
    // A long interval and a source nothing answers: only the start can analyse in time.
    config.poll.interval_seconds = 3600;
    let account = Account::new("halted", "http://127.0.0.1:1/feed.rss".parse().unwrap());
    config.accounts.push(account.clone());
    let store = Arc::new(Sqlite::open(dir.path().join("e.db")).unwrap());
    let key = AccountKey {
        name: "halted".into(),
        platform: account.source.platform(),
    };
    store.ensure_account(&key, "halted").unwrap();
    let mut timeline = echoscope::model::Timeline::new("halted", account.source.platform());
    for i in 0..5 {
        timeline.posts.push(echoscope::model::Post::new(
            format!("p{i}"),
            chrono::Utc::now() - chrono::Duration::hours(i),
            format!("note {i} about lamps"),
        ));
    }
    let fetched = echoscope::sources::live::FetchState {
        backfilled: true,
        last_success: Some(chrono::Utc::now()),
        ..Default::default()
    };
    store
        .commit_fetch(&key, Some(&timeline), &fetched, None)
        .unwrap();
    assert!(store.runs(&key, 1).unwrap().is_empty());

    let state = State::new(config.clone(), store.clone());
    let client = Arc::new(Client::new(poller::client_config(&config)).unwrap());
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(poller::account_loop(state.clone(), account, client, rx));
    let start = std::time::Instant::now();
    while store.runs(&key, 1).unwrap().is_empty() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "not analysed at start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state.status("halted").posts_stored, 5);
    stop.send(true).unwrap();
    task.await.unwrap();
}

/// A watched file holding several accounts (issue 18, 6b): the daemon merged them into one
/// account, and `export` wrote the file's path and `other` in place of the handle and platform.
mod file_of_several_accounts {
    use super::*;

    /// A JSONL line of `account` on `platform`.
    fn post(account: &str, platform: &str, i: u32) -> String {
        format!(
            "{{\"account\":\"{account}\",\"platform\":\"{platform}\",\"id\":\"{account}-{i}\",\
             \"created_at\":\"2026-01-{:02}T09:00:00Z\",\"text\":\"{account} note {i} on lamps\"}}\n",
            1 + i
        )
    }

    /// A file holding chloe (twitter, 3 posts) and lucas (mastodon, 2 posts), watched by one
    /// account `watch` with `handle`; the state over a new SQLite store, and the folder.
    fn daemon(handle: Option<&str>) -> (tempfile::TempDir, Arc<State>, Account) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("several.jsonl");
        let mut body = String::new();
        for i in 0..3 {
            body.push_str(&post("chloe", "twitter", i));
        }
        for i in 0..2 {
            body.push_str(&post("lucas", "mastodon", i));
        }
        std::fs::write(&file, body).unwrap();
        let mut config = Config::default();
        config.store.path = dir.path().join("e.db");
        config.store.retention_days = 0;
        let mut source = Source::file(&file);
        if let Some(h) = handle {
            source = source.selecting(h).unwrap();
        }
        config.accounts.push(Account::new("watch", source));
        let store = echoscope::store::open(&config.store).unwrap();
        let account = config.accounts[0].clone();
        (dir, State::new(config, store), account)
    }

    async fn poll(state: &Arc<State>, account: &Account) {
        let client = Client::new(poller::client_config(&state.config())).unwrap();
        poller::poll_once(state, account, &client, false).await;
    }

    #[tokio::test]
    async fn a_file_of_several_accounts_without_a_handle_is_refused_naming_them() {
        let (_dir, state, account) = daemon(None);
        poll(&state, &account).await;
        let status = state.status("watch");
        let error = status.last_error.expect("the file is refused");
        assert!(error.contains("chloe (twitter)"), "{error}");
        assert!(error.contains("lucas (mastodon)"), "{error}");
        assert!(error.contains("several.jsonl"), "{error}");
        assert!(error.contains("set `handle`"), "{error}");
        // Nothing merged, nothing stored.
        assert_eq!(status.posts_stored, 0);
        let key = state.key("watch").unwrap();
        assert_eq!(state.store.post_count(&key).unwrap(), 0);
        let metrics = state
            .metrics
            .render(echoscope::server::metrics::Format::Text);
        assert!(
            metrics.contains("echoscope_fetches_total{result=\"invalid\",source=\"file\"} 1"),
            "{metrics}"
        );
    }

    #[tokio::test]
    async fn a_handle_watches_only_that_account_of_the_file() {
        let (_dir, state, account) = daemon(Some("@Lucas"));
        poll(&state, &account).await;
        let status = state.status("watch");
        assert!(status.last_error.is_none(), "{:?}", status.last_error);
        assert_eq!(status.posts_stored, 2);
        assert_eq!(status.platform, Some(Platform::Mastodon));
        let key = state.key("watch").unwrap();
        let timeline = state.store.timeline(&key, None).unwrap();
        assert!(
            timeline.posts.iter().all(|p| p.id.starts_with("lucas-")),
            "{:?}",
            timeline.posts
        );
        let report = state.store.latest_report(&key).unwrap().unwrap();
        assert_eq!(
            (report.account.as_str(), report.platform),
            ("lucas", Platform::Mastodon)
        );
    }

    #[tokio::test]
    async fn a_handle_naming_no_account_of_the_file_is_an_error_naming_those_present() {
        let (_dir, state, account) = daemon(Some("zoe"));
        poll(&state, &account).await;
        let error = state.status("watch").last_error.expect("no such account");
        assert!(error.contains("no account \"zoe\""), "{error}");
        assert!(error.contains("chloe (twitter)"), "{error}");
        assert!(error.contains("lucas (mastodon)"), "{error}");
        let key = state.key("watch").unwrap();
        assert_eq!(state.store.post_count(&key).unwrap(), 0);
    }

    /// A file an earlier version read was stamped without the handle: unchanged, it was never
    /// read again, and its account kept exporting the path and `other`.
    #[tokio::test]
    async fn a_file_stamped_before_identities_were_recorded_is_read_once_more() {
        let (_dir, state, account) = daemon(Some("chloe"));
        let SourceSpec::File { path, .. } = account.source.spec() else {
            unreachable!("a file source");
        };
        let meta = std::fs::metadata(path).unwrap();
        let nanos = meta
            .modified()
            .unwrap()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let key = state.key("watch").unwrap();
        state
            .store
            .ensure_account(&key, &path.display().to_string())
            .unwrap();
        let old = echoscope::sources::live::FetchState {
            etag: Some(format!("{}:{nanos}", meta.len())),
            backfilled: true,
            last_success: Some(chrono::Utc::now()),
            ..Default::default()
        };
        state.store.set_fetch_state(&key, &old).unwrap();

        poll(&state, &account).await;
        let timeline = state.store.timeline(&key, None).unwrap();
        assert_eq!(
            (timeline.account.as_str(), timeline.platform),
            ("chloe", Platform::Twitter)
        );
        assert_eq!(timeline.posts.len(), 3);
    }

    /// The handle is part of a file's stamp: choosing another account of an unchanged file
    /// reads it again instead of answering "not modified".
    #[tokio::test]
    async fn another_handle_reads_the_unchanged_file_again() {
        let (_dir, state, account) = daemon(Some("chloe"));
        poll(&state, &account).await;
        let key = state.key("watch").unwrap();
        assert_eq!(state.store.timeline(&key, None).unwrap().account, "chloe");
        let lucas = Account {
            source: account.source.clone().selecting("lucas").unwrap(),
            ..account.clone()
        };
        poll(&state, &lucas).await;
        assert!(state.status("watch").last_error.is_none());
        let timeline = state.store.timeline(&key, None).unwrap();
        assert_eq!(
            (timeline.account.as_str(), timeline.platform),
            ("lucas", Platform::Mastodon)
        );
    }

    /// `echoscope export` of a watched file's account wrote `"account":"/path/several.jsonl"`
    /// and `"platform":"other"` on every line.
    #[tokio::test]
    async fn export_of_a_file_account_writes_the_handle_and_platform_of_the_file() {
        let (dir, state, account) = daemon(Some("chloe"));
        poll(&state, &account).await;
        assert!(state.status("watch").last_error.is_none());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_echoscope"))
            .args(["export", "--account", "watch", "--db"])
            .arg(dir.path().join("e.db"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        for l in &lines {
            assert_eq!(l["account"], "chloe", "{l}");
            assert_eq!(l["platform"], "twitter", "{l}");
        }
    }
}
