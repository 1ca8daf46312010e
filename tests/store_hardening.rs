//! Regression tests for the SQLite store found by probing the release binary (issue 18): a
//! file damaged while running, failures named in words, read-only opening for `export`, and
//! the daemon's single-instance lock.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use echoscope::config::{Account, Config};
use echoscope::model::{Platform, Post};
use echoscope::server::State;
use echoscope::store::sqlite::{lock_instance, Sqlite};
use echoscope::store::{AccountKey, Problem, Store, StoreError};

fn key() -> AccountKey {
    AccountKey {
        name: "acme".into(),
        platform: Platform::Bluesky,
    }
}

/// A database with one account and enough posts to fill many pages.
fn filled(db: &Path) {
    let store = Sqlite::open(db).unwrap();
    store.ensure_account(&key(), "acme.example").unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let posts: Vec<Post> = (0..400)
        .map(|i| {
            Post::new(
                format!("p{i}"),
                t0 + chrono::Duration::minutes(i),
                format!(
                    "post number {i} with some text to take room {}",
                    "x".repeat(200)
                ),
            )
        })
        .collect();
    store.insert_posts(&key(), &posts).unwrap();
    // Closing the last connection checkpoints the WAL into the file.
}

/// Overwrites every page but the first (the header and schema) with garbage, after moving
/// whatever the WAL still holds into the file.
fn damage(db: &Path) {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let len = std::fs::metadata(db).unwrap().len();
    assert!(len > 8 * 4096, "too small to damage meaningfully: {len}");
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start(4096)).unwrap();
    f.write_all(&vec![0x5a; (len - 4096) as usize]).unwrap();
}

#[test]
fn a_damaged_database_is_refused_for_writes_and_fails_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    filled(&db);
    damage(&db);
    let store = Sqlite::open(&db).unwrap();
    store.check().unwrap_err();
    let e = store.timeline(&key(), None).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Unusable {
                problem: Problem::Damaged | Problem::NotADatabase,
                ..
            }
        ),
        "{e:?}"
    );
    // From now on nothing is written into the file: it stays byte for byte as it was.
    let before = std::fs::read(&db).unwrap();
    let e = store
        .insert_posts(&key(), &[Post::new("new", Utc::now(), "hello")])
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("damaged"), "{text}");
    assert!(text.contains("no more writes"), "{text}");
    assert!(text.contains(&db.display().to_string()), "{text}");
    store.check().unwrap_err();
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn store_failures_show_in_metrics_and_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    filled(&db);
    damage(&db);
    let store = Arc::new(Sqlite::open(&db).unwrap());
    let mut config = Config::default();
    config
        .accounts
        .push(Account::new("acme", "bsky:acme.example".parse().unwrap()));
    let state = State::new(config, store);
    let text = state
        .metrics
        .render(echoscope::server::metrics::Format::Text);
    assert!(text.contains("echoscope_store_up 1"), "{text}");
    state.store.timeline(&key(), None).unwrap_err();
    state.store.check().unwrap_err();
    let text = state
        .metrics
        .render(echoscope::server::metrics::Format::Text);
    assert!(text.contains("echoscope_store_up 0"), "{text}");
    assert!(
        text.contains("echoscope_store_errors_total{op=\"timeline\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("echoscope_store_errors_total{op=\"check\"} 1"),
        "{text}"
    );
    // The API answers 503 with the JSON error shape, not a stale report or a 500.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (status, body) = rt.block_on(crate::server_api::get(&state, "/api/v1/accounts/acme"));
    assert_eq!(
        status,
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "{body}"
    );
    assert!(body.contains("\"error\""), "{body}");
}

#[test]
fn a_read_only_store_opens_for_reading_without_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    filled(&db);
    let store = Sqlite::open_read_only(&db).unwrap();
    assert_eq!(store.post_count(&key()).unwrap(), 400);
    assert_eq!(store.timeline(&key(), None).unwrap().posts.len(), 400);
    let e = store.ensure_account(&key(), "x").unwrap_err();
    assert!(e.to_string().contains("read-only"), "{e}");
    drop(store);

    // A database from an older echoscope is refused, not migrated: the file is unchanged.
    let old = dir.path().join("old.db");
    filled(&old);
    rusqlite::Connection::open(&old)
        .unwrap()
        .pragma_update(None, "user_version", 1)
        .unwrap();
    let before = std::fs::read(&old).unwrap();
    let e = Sqlite::open_read_only(&old).unwrap_err();
    assert!(e.to_string().contains("older than this echoscope"), "{e}");
    assert_eq!(std::fs::read(&old).unwrap(), before);
    let e = Sqlite::open_read_only(dir.path().join("missing.db")).unwrap_err();
    assert!(matches!(e, StoreError::Io { .. }), "{e:?}");
}

/// Mounts a small tmpfs (root with CAP_SYS_ADMIN only); `None` where that is not allowed.
fn tmpfs(dir: &Path) -> Option<Mount> {
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(dir.to_path_buf()))
}

struct Mount(std::path::PathBuf);

impl Mount {
    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn on_a_read_only_mount_serve_says_read_only_and_export_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = tmpfs(dir.path()) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");
        return;
    };
    let db = dir.path().join("e.db");
    filled(&db);
    mount.remount_read_only();
    let e = Sqlite::open(&db).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("read-only"), "{text}");
    assert!(!text.contains("Error code 14"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .args(["export", "--account", "acme", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 400);
}

#[test]
fn a_full_disk_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_mount) = tmpfs(dir.path()) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");
        return;
    };
    let store = Sqlite::open(dir.path().join("e.db")).unwrap();
    store.ensure_account(&key(), "acme.example").unwrap();
    let big = "y".repeat(100_000);
    let mut failed = None;
    for i in 0..200 {
        let post = Post::new(format!("p{i}"), Utc::now(), big.clone());
        if let Err(e) = store.insert_posts(&key(), &[post]) {
            failed = Some(e);
            break;
        }
    }
    let e = failed.expect("a 4 MB disk never filled up");
    assert!(
        matches!(
            e,
            StoreError::Unusable {
                problem: Problem::DiskFull,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("the disk is full"), "{e}");
}

#[test]
fn a_second_daemon_on_one_store_is_refused_naming_the_lock_and_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let held = lock_instance(&db).unwrap();
    let e = lock_instance(&db).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("in use by another echoscope serve"), "{text}");
    assert!(
        text.contains(&format!("pid {}", std::process::id())),
        "{text}"
    );
    assert!(text.contains("e.db.lock"), "{text}");
    // Read-only commands do not need it.
    filled(&db);
    Sqlite::open_read_only(&db).unwrap();

    // The real daemon refuses to start while the lock is held, and says why.
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"{}\"\n",
            db.display()
        ),
    )
    .unwrap();
    let log = dir.path().join("serve.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "a second daemon started on a locked store:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("in use by another echoscope serve"),
        "{stderr}"
    );
    drop(held);
    lock_instance(&db).unwrap();
}

fn jsonl(from: u32, to: u32) -> String {
    (from..to)
        .map(|i| {
            format!(
                "{{\"account\":\"lumen\",\"platform\":\"twitter\",\"id\":\"{i}\",\
                 \"created_at\":\"2026-01-01T{:02}:{:02}:00Z\",\"text\":\"post {i} {}\"}}\n",
                i / 60 % 24,
                i % 60,
                "z".repeat(300)
            )
        })
        .collect()
}

/// A store damaged under a running daemon: the account's status says so (not `ok`), its
/// fetch-success gauge drops, and the store gauges and error counters show it.
#[tokio::test]
async fn a_damaged_store_shows_in_the_account_status_not_ok() {
    use echoscope::server::poller;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lumen.jsonl");
    std::fs::write(&file, jsonl(0, 300)).unwrap();
    let db = dir.path().join("e.db");
    let mut config = Config::default();
    config.store.retention_days = 0;
    config.accounts.push(Account::new(
        "lumen",
        echoscope::config::Source::file(&file),
    ));
    let account = config.accounts[0].clone();
    let client = echoscope::sources::http::Client::new(poller::client_config(&config)).unwrap();
    {
        let state = State::new(config.clone(), Arc::new(Sqlite::open(&db).unwrap()));
        poller::poll_once(&state, &account, &client, false).await;
        assert!(state.status("lumen").last_error.is_none());
    }
    damage(&db);
    std::fs::write(&file, jsonl(0, 320)).unwrap();
    let state = State::new(config.clone(), Arc::new(Sqlite::open(&db).unwrap()));
    poller::poll_once(&state, &account, &client, false).await;
    let status = state.status("lumen");
    let error = status
        .last_error
        .expect("a damaged store left the status ok");
    assert!(
        error.contains("damaged") || error.contains("not a SQLite database"),
        "{error}"
    );
    // The API shows this status for the accounts the daemon polls (it holds their leases);
    // its `status` is `error` whenever `last_error` is set.
    let text = state
        .metrics
        .render(echoscope::server::metrics::Format::Text);
    assert!(text.contains("echoscope_store_up 0"), "{text}");
    assert!(text.contains("echoscope_store_errors_total{op="), "{text}");
}
