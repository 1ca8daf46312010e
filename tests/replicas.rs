//! End to end: three real `echoscope serve` replicas sharing one real PostgreSQL server split
//! 300 accounts served by a fake feed host on 127.0.0.1, and one of them is killed with
//! SIGKILL.
//!
//! The fake host knows which replica asked (each replica's `poll.contact` is in its
//! User-Agent) and when, and serves each account a feed that grows by one item every few
//! seconds. From that the test checks the guarantees of README "Running several replicas":
//! every account polled; no account polled by two replicas within one interval; each replica
//! exports only the accounts it holds, so the sum over replicas is 300; the killed replica's
//! accounts polled again by the others within the lease time; and, read back from the database
//! with SQL, no post lost (every item ever served is stored) and none stored twice.

use std::collections::{BTreeSet, HashMap};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::Router;

use crate::daemon_e2e::{free_port, signal, wait_for, Daemon};
use crate::support::postgres;

const ACCOUNTS: usize = 300;
/// Poll interval and lease time, in seconds: short, so the test runs in well under a minute.
const INTERVAL: u64 = 4;
const LEASE: u64 = 6;
/// A new item in every feed this often.
const ITEM_EVERY: Duration = Duration::from_secs(3);

/// One request the fake host answered.
#[derive(Debug, Clone)]
struct Hit {
    account: usize,
    replica: String,
    at: Instant,
    /// Items in the answer.
    items: usize,
}

#[derive(Default)]
struct Log {
    hits: Vec<Hit>,
    /// When set, feeds stop growing at this many items.
    frozen: Option<usize>,
}

type Shared = Arc<(Instant, Mutex<Log>)>;

fn items_now(shared: &Shared) -> usize {
    let log = shared.1.lock().unwrap();
    let grown = 1 + (shared.0.elapsed().as_millis() / ITEM_EVERY.as_millis()) as usize;
    log.frozen.unwrap_or(grown)
}

/// An RSS feed of `items` items for account `n`, newest first, with stable guids and dates.
fn feed(n: usize, items: usize) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>acct</title><link>http://example.invalid/</link><description>d</description>"#,
    );
    for i in (0..items).rev() {
        // Distinct texts, so that nothing here looks like a repeat to the detectors.
        out.push_str(&format!(
            "<item><guid>acct{n}-item{i}</guid><title>Post {i}</title><link>http://example.invalid/{n}/{i}</link><description>Note {i} of account {n}: {}</description><pubDate>{}</pubDate></item>",
            "abcdefghij".repeat(i % 5 + 1),
            (chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap()
                + chrono::Duration::minutes(37 * i as i64 + n as i64))
            .to_rfc2822()
        ));
    }
    out.push_str("</channel></rss>");
    out
}

async fn serve_feed(
    State(shared): State<Shared>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> ([(header::HeaderName, &'static str); 1], String) {
    let n: usize = file
        .trim_end_matches(".rss")
        .parse()
        .expect("account number");
    let items = items_now(&shared);
    let replica = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(|ua| ua.split_whitespace().find(|w| w.starts_with("replica-")))
        .unwrap_or("unknown")
        .to_string();
    shared.1.lock().unwrap().hits.push(Hit {
        account: n,
        replica,
        at: Instant::now(),
        items,
    });
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        feed(n, items),
    )
}

fn write_config(path: &std::path::Path, port: u16, url: &str, base: &str, replica: &str) {
    let mut text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
[store]
url = "{url}"
retention_days = 0
[cluster]
lease_seconds = {LEASE}
replica_id = "{replica}"
[poll]
interval_seconds = {INTERVAL}
jitter = 0.1
retries = 0
timeout_seconds = 2
per_host_concurrency = 64
contact = "{replica}"
"#
    );
    for n in 0..ACCOUNTS {
        text.push_str(&format!(
            "[[accounts]]\nname = \"a{n:03}\"\nsource = \"{base}/u/{n}.rss\"\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn start(dir: &std::path::Path, url: &str, base: &str, replica: &str) -> (Daemon, String) {
    let cfg = dir.join(format!("{replica}.toml"));
    let port = free_port();
    write_config(&cfg, port, url, base, replica);
    let log = dir.join(format!("{replica}.log"));
    let child = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    (Daemon(child, log), format!("http://127.0.0.1:{port}"))
}

/// The value of an unlabelled sample in a scrape.
fn sample(scrape: &str, name: &str) -> Option<f64> {
    scrape.lines().find_map(|l| {
        let rest = l.strip_prefix(name)?.strip_prefix(' ')?;
        rest.trim().parse().ok()
    })
}

/// Accounts with per-account series in a scrape.
fn exported_accounts(scrape: &str) -> BTreeSet<String> {
    scrape
        .lines()
        .filter(|l| l.starts_with("echoscope_account_posts_stored{"))
        .filter_map(|l| {
            let start = l.find("account=\"")? + 9;
            let end = start + l[start..].find('"')?;
            Some(l[start..end].to_string())
        })
        .collect()
}

async fn scrape(http: &reqwest::Client, url: &str) -> Option<String> {
    http.get(format!("{url}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_split_300_accounts_and_take_over_a_killed_one() {
    // The harness and the checks below use the blocking client: not on an async worker.
    let url = tokio::task::spawn_blocking(postgres::database)
        .await
        .unwrap();
    let shared: Shared = Arc::new((Instant::now(), Mutex::new(Log::default())));
    let app = Router::new()
        .route("/u/{file}", get(serve_feed))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let dir = tempfile::tempdir().unwrap();
    let name = |i: usize| format!("replica-{}", (b'a' + i as u8) as char);
    // Two replicas first; the third joins once they have split everything between them.
    let mut replicas: Vec<(String, Daemon, String)> = (0..2)
        .map(|i| {
            let (daemon, http_url) = start(dir.path(), &url, &base, &name(i));
            (name(i), daemon, http_url)
        })
        .collect();
    let http = reqwest::Client::new();

    // Every account polled, and the accounts split: each replica exports only those it holds,
    // the sets are disjoint and together make all 300.
    let polled_all = || {
        let log = shared.1.lock().unwrap();
        let seen: BTreeSet<usize> = log.hits.iter().map(|h| h.account).collect();
        seen.len() == ACCOUNTS
    };
    wait_for(
        "every account polled",
        Duration::from_secs(60),
        async || polled_all().then_some(()),
    )
    .await;
    let split = async |replicas: &[(String, Daemon, String)], n: usize| {
        let fair = ACCOUNTS.div_ceil(n);
        wait_for(
            &format!("a split over {n} replicas"),
            Duration::from_secs(30),
            async || {
                let mut held = Vec::new();
                for (_, _, u) in replicas {
                    let s = scrape(&http, u).await?;
                    held.push((
                        sample(&s, "echoscope_replica_accounts_held")? as usize,
                        exported_accounts(&s),
                    ));
                }
                let total: usize = held.iter().map(|(n, _)| n).sum();
                let union: BTreeSet<&String> = held.iter().flat_map(|(_, e)| e).collect();
                let exported: usize = held.iter().map(|(_, e)| e.len()).sum();
                // Each holds at most its fair share (rounded up), so together they hold all only
                // when the split is even.
                (total == ACCOUNTS
                    && held.iter().all(|(h, e)| *h <= fair && *h == e.len())
                    && exported == ACCOUNTS
                    && union.len() == ACCOUNTS)
                    .then_some(held.iter().map(|(h, _)| *h).collect::<Vec<_>>())
            },
        )
        .await
    };
    let two = split(&replicas, 2).await;
    assert_eq!(two, vec![150, 150]);

    // A third replica joins: the two hand accounts above their new share back, without a
    // restart, and it claims them.
    let (daemon, http_url) = start(dir.path(), &url, &base, &name(2));
    replicas.push((name(2), daemon, http_url));
    let three = split(&replicas, 3).await;
    assert_eq!(three, vec![100, 100, 100]);

    // Let every replica poll for a few intervals, then kill one.
    tokio::time::sleep(Duration::from_secs(2 * INTERVAL)).await;
    let (victim, mut daemon, _) = replicas.remove(2);
    signal(&daemon.0, "-KILL");
    let _ = daemon.0.wait();
    let killed_at = Instant::now();
    let victims: BTreeSet<usize> = {
        let log = shared.1.lock().unwrap();
        let mut last: HashMap<usize, &str> = HashMap::new();
        for h in &log.hits {
            last.insert(h.account, &h.replica);
        }
        last.into_iter()
            .filter(|(_, r)| *r == victim)
            .map(|(a, _)| a)
            .collect()
    };
    assert!(
        victims.len() >= 90,
        "the killed replica polled {} accounts",
        victims.len()
    );

    // Its accounts are polled again by the survivors: after the lease runs out (LEASE), the
    // next lease round (LEASE / 3) and the rest of the poll interval.
    let deadline = Duration::from_secs(LEASE + LEASE + INTERVAL + 5);
    wait_for(
        "the killed replica's accounts taken over",
        deadline,
        async || {
            let log = shared.1.lock().unwrap();
            let resumed: BTreeSet<usize> = log
                .hits
                .iter()
                .filter(|h| h.at > killed_at && h.replica != victim)
                .map(|h| h.account)
                .collect();
            victims.is_subset(&resumed).then_some(())
        },
    )
    .await;
    let took = killed_at.elapsed();
    let held = wait_for(
        "the survivors hold everything",
        Duration::from_secs(15),
        async || {
            let mut total = 0;
            for (_, _, u) in &replicas {
                total +=
                    sample(&scrape(&http, u).await?, "echoscope_replica_accounts_held")? as usize;
            }
            (total == ACCOUNTS).then_some(total)
        },
    )
    .await;
    assert_eq!(held, ACCOUNTS);

    // Freeze the feeds, let every account be polled once more, and stop the survivors.
    let frozen = items_now(&shared);
    shared.1.lock().unwrap().frozen = Some(frozen);
    let frozen_at = Instant::now();
    wait_for(
        "a poll of every account after the freeze",
        Duration::from_secs(3 * INTERVAL + 10),
        async || {
            let log = shared.1.lock().unwrap();
            let after: BTreeSet<usize> = log
                .hits
                .iter()
                .filter(|h| h.at > frozen_at + Duration::from_millis(500))
                .map(|h| h.account)
                .collect();
            (after.len() == ACCOUNTS).then_some(())
        },
    )
    .await;
    // Each poll is stored within a moment of its answer; give the last ones time to commit.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (_, daemon, _) in &replicas {
        signal(&daemon.0, "-TERM");
    }
    for (name, daemon, _) in &mut replicas {
        let status = daemon.0.wait().unwrap();
        assert!(status.success(), "{name} exited with {status}");
    }

    let served_max: HashMap<usize, usize> = {
        let log = shared.1.lock().unwrap();
        // No account polled by two replicas within one interval: two hits on one account by
        // different replicas are at least most of an interval apart (jitter is 10%; a hand-over
        // waits out the rest of the interval since the last stored poll).
        let mut by_account: HashMap<usize, Vec<&Hit>> = HashMap::new();
        for h in &log.hits {
            by_account.entry(h.account).or_default().push(h);
        }
        let min_gap = Duration::from_secs(INTERVAL).mul_f64(0.5);
        for (account, hits) in &by_account {
            for pair in hits.windows(2) {
                let gap = pair[1].at.duration_since(pair[0].at);
                assert!(
                    pair[0].replica == pair[1].replica || gap >= min_gap,
                    "account {account} polled by {} and {} {gap:?} apart",
                    pair[0].replica,
                    pair[1].replica
                );
            }
        }
        by_account
            .iter()
            .map(|(a, hits)| (*a, hits.iter().map(|h| h.items).max().unwrap_or(0)))
            .collect()
    };

    // Integrity, by SQL on the shared database.
    let db_url = url.clone();
    tokio::task::spawn_blocking(move || {
        let mut db = ::postgres::Client::connect(&db_url, ::postgres::NoTls).unwrap();
        let dupes: i64 = db
            .query_one(
                "SELECT count(*) FROM (SELECT account_id, post_id FROM posts
                 GROUP BY account_id, post_id HAVING count(*) > 1) d",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(dupes, 0, "posts stored twice");
        let rows = db
            .query(
                "SELECT a.name, count(p.post_id) FROM accounts a LEFT JOIN posts p ON p.account_id = a.id
                 GROUP BY a.name",
                &[],
            )
            .unwrap();
        assert_eq!(rows.len(), ACCOUNTS, "accounts in the database");
        for row in rows {
            let name: String = row.get(0);
            let stored: i64 = row.get(1);
            let n: usize = name[1..].parse().unwrap();
            // Every item ever served to any replica is stored: the feed lists all of them, so
            // the last poll after the freeze served `frozen` items.
            assert_eq!(
                stored as usize, served_max[&n],
                "account {name}: {stored} posts stored, {} served",
                served_max[&n]
            );
            assert_eq!(served_max[&n], frozen, "account {name} saw the frozen feed");
        }
        // The cursors: every account has one, and its last success is after the freeze.
        let cursors: i64 = db
            .query_one("SELECT count(*) FROM fetch_state", &[])
            .unwrap()
            .get(0);
        assert_eq!(cursors as usize, ACCOUNTS);
        // Runs: each analysis result recorded once per change, never twice in a row.
        let repeats: i64 = db
            .query_one(
                "SELECT count(*) FROM (SELECT account_id, content_hash,
                    lag(content_hash) OVER (PARTITION BY account_id ORDER BY at, id) AS before
                 FROM runs) r WHERE content_hash = before",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(repeats, 0, "an unchanged run recorded twice in a row");
    })
    .await
    .unwrap();
    eprintln!(
        "replicas: 300 accounts over 3 replicas; killed {victim}'s {} accounts polled again after {took:?}",
        victims.len()
    );
}

/// `serve --check-config` says whether a configuration would start, without opening or
/// contacting anything: the Kubernetes replicated variant's file (with the URL its Secret
/// gives) passes, a lease outside its range fails naming the key.
#[test]
fn check_config_accepts_the_replicated_variant_and_names_what_is_wrong() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/kubernetes/replicated/configmap.yaml"
    ))
    .unwrap();
    // The TOML is the indented block after `echoscope.toml: |`.
    let toml: String = doc
        .split("echoscope.toml: |\n")
        .nth(1)
        .unwrap()
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("replicated.toml");
    std::fs::write(&good, &toml).unwrap();
    let run = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_echoscope"))
            .args(["serve", "--check-config", "--config"])
            .arg(path)
            // A port nothing listens on: the check must not connect.
            .env(
                "ECHOSCOPE_STORE_URL",
                "postgres://echoscope@127.0.0.1:1/echoscope",
            )
            .output()
            .unwrap()
    };
    let out = run(&good);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("configuration OK: 2 accounts, store postgres, lease 60 s"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("127.0.0.1:1"),
        "the check names the store, not its URL: {stdout}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        toml.replace("lease_seconds = 60", "lease_seconds = 1"),
    )
    .unwrap();
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cluster.lease_seconds must be between 3 and 3600"),
        "{stderr}"
    );
}
