//! Which accounts this replica polls: a lease loop that asks the store for this replica's
//! share every third of the lease time and starts or stops one poller per account to match.
//!
//! With SQLite the store answers "every account" (one process holds the file), so a single
//! daemon polls everything, as before. With PostgreSQL several replicas share the accounts:
//! each lease round renews the replica's heartbeat (a lease is valid while its holder's
//! heartbeat is, so a round costs the same at ten accounts or a hundred thousand), claims free
//! accounts and those of replicas no longer alive up to its fair share and reports the share, and the loop hands back what is above it, so a new replica
//! gets its share from the others without a restart. The guarantees rest on three rules:
//!
//! - A poller runs only while its lease is valid by this process's clock: the round's start
//!   plus the lease time, less a safety margin. The database counts the lease from a moment
//!   after the round started, so the replica always stops first; a replica cut off from the
//!   database stops polling before anyone else may claim its accounts.
//! - Accounts are given back only after their pollers have stopped.
//! - Every write of a fetch carries the lease's fencing token ([`Store::commit_fetch`]), so a
//!   poller that outlived its lease (a stalled process) cannot move a cursor it no longer owns.
//!
//! [`Store::commit_fetch`]: crate::store::Store::commit_fetch

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{poller, State};
use crate::config::Account;
use crate::sources::http::Client;
use crate::store::{Lease, Leases};

/// The share of the lease time a replica stops early by, for clock drift between it and the
/// database and for the round trip of the renewal itself.
const SAFETY: f64 = 0.2;

/// The name a replica uses in the lease table: configured, or host name and process id.
pub fn replica_id(configured: &str) -> String {
    if !configured.is_empty() {
        return configured.to_string();
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "echoscope".to_string());
    format!("{host}-{}", std::process::id())
}

/// Why pollers stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Handed back: above this replica's share, or shutting down.
    Released,
    /// Taken over by another replica, or run out without renewal.
    Lost,
    /// A reload: the same replica starts them again with the leases it keeps.
    Paused,
}

impl Stop {
    /// The `event` label of `echoscope_lease_handovers_total`; a pause hands nothing over.
    fn event(self) -> Option<&'static str> {
        match self {
            Stop::Released => Some("released"),
            Stop::Lost => Some("lost"),
            Stop::Paused => None,
        }
    }
}

/// One account's running poller.
struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    token: i64,
}

/// The pollers of one configuration generation and the lease loop that decides them.
pub struct Pollers {
    stop: watch::Sender<bool>,
    /// Whether stopping hands the leases back (shutdown) or keeps them for the next
    /// generation of this same replica (reload), which renews them at its first round.
    release: Arc<std::sync::atomic::AtomicBool>,
    task: Option<JoinHandle<()>>,
}

impl Pollers {
    /// Starts the lease loop (which starts the pollers) for the configuration in force.
    pub fn start(
        state: &Arc<State>,
        replica: String,
    ) -> Result<Pollers, super::supervisor::ServeError> {
        let config = state.config();
        let client = Arc::new(Client::new(poller::client_config(&config))?);
        let (stop, rx) = watch::channel(false);
        let release = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let task = tokio::spawn(lease_loop(
            state.clone(),
            replica,
            client,
            rx,
            release.clone(),
        ));
        Ok(Pollers {
            stop,
            release,
            task: Some(task),
        })
    }

    /// Nothing running (between a reload's stop and start).
    pub fn empty() -> Pollers {
        Pollers {
            stop: watch::channel(false).0,
            release: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            task: None,
        }
    }

    /// Stops every poller (each gets the grace period to finish its fetch) and gives the
    /// leases back, so other replicas take the accounts over at once rather than after the
    /// lease time.
    pub async fn stop(self) {
        self.stop_and(true).await
    }

    /// Stops every poller but keeps the leases, for a reload: the new generation of this
    /// replica renews them at its first round, so its accounts do not move.
    pub async fn pause(self) {
        self.stop_and(false).await
    }

    async fn stop_and(mut self, release: bool) {
        self.release
            .store(release, std::sync::atomic::Ordering::SeqCst);
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// The lease loop: a round every third of the lease, until told to stop.
async fn lease_loop(
    state: Arc<State>,
    replica: String,
    client: Arc<Client>,
    mut stop: watch::Receiver<bool>,
    release: Arc<std::sync::atomic::AtomicBool>,
) {
    let config = state.config();
    let lease_time = config.cluster.lease();
    let accounts: HashMap<String, Account> = config
        .accounts
        .iter()
        .map(|a| (a.name.clone(), a.clone()))
        .collect();
    let names: Arc<Vec<String>> =
        Arc::new(config.accounts.iter().map(|a| a.name.clone()).collect());
    let mut running: HashMap<String, Running> = HashMap::new();
    // Until the first successful round this replica holds nothing.
    let mut valid_until = Instant::now();
    loop {
        let started = Instant::now();
        restart_panicked(&state, &client, &accounts, &mut running).await;
        let round = {
            let store = state.store.clone();
            let replica = replica.clone();
            let names = names.clone();
            // Bounded: a database that hangs must not keep pollers running past their lease.
            // Not through the pollers' work permits: ten thousand polls queued there must not
            // delay the renewal that keeps them allowed.
            // At most one round period: validity counts from the round's start whatever
            // it took, so a slow answer costs validity, not safety.
            match tokio::time::timeout(
                lease_time / 3,
                on_own_thread(move || {
                    // The check also proves the store writable (readiness) where the lease
                    // round itself does not touch the database (SQLite).
                    store.check()?;
                    store.leases(&replica, &names, lease_time)
                }),
            )
            .await
            {
                Ok(Ok(Ok(leases))) => Ok(leases),
                Ok(Ok(Err(e))) => Err(e.to_string()),
                Ok(Err(e)) => Err(format!("lease task failed: {e}")),
                Err(_) => Err(format!("no answer within {:?}", lease_time / 3)),
            }
        };
        match round {
            Ok(leases) => {
                state.set_store_ok(true);
                valid_until = started + lease_time.mul_f64(1.0 - SAFETY);
                apply(
                    &state,
                    &replica,
                    &client,
                    &accounts,
                    &mut running,
                    leases,
                    valid_until,
                )
                .await;
            }
            Err(why) => {
                state.set_store_ok(false);
                state.metrics.lease_rounds_failed.inc();
                tracing::error!(replica = %replica, error = %why, "lease round failed; the leases held stay valid until they run out");
                if Instant::now() >= valid_until && !running.is_empty() {
                    tracing::warn!(
                        replica = %replica,
                        accounts = running.len(),
                        "leases ran out without renewal: polling stops until the store answers"
                    );
                    let all: Vec<String> = running.keys().cloned().collect();
                    stop_pollers(&state, &mut running, &all, Stop::Lost).await;
                }
            }
        }
        state.metrics.accounts_held.set(running.len() as i64);
        let next = lease_time / 3;
        tokio::select! {
            _ = tokio::time::sleep(next.saturating_sub(started.elapsed())) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
    // Shutting down or reloading: stop polling, then (shutting down) give the accounts back.
    let all: Vec<String> = running.keys().cloned().collect();
    let release = release.load(std::sync::atomic::Ordering::SeqCst);
    stop_pollers(
        &state,
        &mut running,
        &all,
        if release {
            Stop::Released
        } else {
            Stop::Paused
        },
    )
    .await;
    state.metrics.accounts_held.set(0);
    if release && !all.is_empty() {
        let store = state.store.clone();
        let released = on_own_thread(move || store.release(&replica, &all)).await;
        if let Ok(Err(e)) = released {
            tracing::warn!(error = %e, "could not give the leases back; they run out by themselves");
        }
    }
}

/// Runs a blocking store call for the lease loop on a thread of its own, not tokio's blocking
/// pool: at a replica's start, tens of thousands of pollers queue their store work there, and a
/// renewal waiting behind them would let every lease run out (found at 100,000 accounts).
async fn on_own_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("echoscope-lease".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    rx.await
        .map_err(|_| "the lease thread ended without an answer".to_string())
}

/// Brings the running pollers in line with a lease round's answer: starts pollers for new
/// leases, stops those whose lease is gone, and hands back what is above the fair share.
async fn apply(
    state: &Arc<State>,
    replica: &str,
    client: &Arc<Client>,
    accounts: &HashMap<String, Account>,
    running: &mut HashMap<String, Running>,
    leases: Leases,
    valid_until: Instant,
) {
    let held: HashMap<String, Lease> = leases
        .held
        .into_iter()
        .filter(|l| accounts.contains_key(&l.account))
        .map(|l| (l.account.clone(), l))
        .collect();
    // Lost (taken over after an expiry this process did not notice, or re-claimed under a
    // new token): stop first.
    let lost: Vec<String> = running
        .iter()
        .filter(|(name, r)| held.get(*name).is_none_or(|l| l.token != r.token))
        .map(|(name, _)| name.clone())
        .collect();
    stop_pollers(state, running, &lost, Stop::Lost).await;
    // Above the share: give back the accounts started last (highest name order is as good as
    // any, and stable, so two rounds give back the same ones). A set: at a replica's start the
    // surplus can be thousands of names, each looked up once per held account.
    let mut surplus: std::collections::HashSet<String> = std::collections::HashSet::new();
    if held.len() > leases.share {
        let mut names: Vec<&String> = held.keys().collect();
        names.sort();
        surplus = names[leases.share..]
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
    // Only what this replica keeps counts as held: an account about to be handed back is
    // another replica's to show (and never shown from this process's empty status).
    for lease in held.values().filter(|l| !surplus.contains(&l.account)) {
        state.set_lease(lease.clone());
    }
    state.set_lease_deadline(valid_until);
    for (name, lease) in &held {
        if running.contains_key(name) || surplus.contains(name) {
            continue;
        }
        let Some(account) = accounts.get(name) else {
            continue;
        };
        let (stop, task) = spawn_poller(state, account, client, Duration::ZERO);
        running.insert(
            name.clone(),
            Running {
                stop,
                task,
                token: lease.token,
            },
        );
        state
            .metrics
            .lease_handovers
            .with_label_values(&["acquired"])
            .inc();
    }
    if !surplus.is_empty() {
        let surplus: Vec<String> = surplus.into_iter().collect();
        stop_pollers(state, running, &surplus, Stop::Released).await;
        let store = state.store.clone();
        let replica = replica.to_string();
        let count = surplus.len();
        match on_own_thread(move || store.release(&replica, &surplus)).await {
            Ok(Ok(())) => tracing::info!(
                accounts = count,
                share = leases.share,
                replicas = leases.replicas,
                "handed accounts above this replica's share back"
            ),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not hand accounts back; their leases run out by themselves")
            }
            Err(e) => tracing::warn!(error = %e, "could not hand accounts back"),
        }
    }
}

/// Starts an account's poller after `delay` (stopped at once if told to stop before then).
fn spawn_poller(
    state: &Arc<State>,
    account: &Account,
    client: &Arc<Client>,
    delay: Duration,
) -> (watch::Sender<bool>, JoinHandle<()>) {
    let (stop, mut rx) = watch::channel(false);
    let (state, account, client) = (state.clone(), account.clone(), client.clone());
    let task = tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = rx.changed() => return,
            }
        }
        poller::account_loop(state, account, client, rx).await
    });
    (stop, task)
}

/// Starts again, after the account's poll interval, each poller that ended by itself. A poller
/// returns only when told to stop, so one that ended panicked: a bug in a reader (feed-rs 3.0.0
/// once panicked on an author field, README "Reliability"). Without this the account silently
/// stopped being polled while its lease was renewed. The panic is logged with its message,
/// counted in `echoscope_poller_panics_total`, shown as the account's last error and as a
/// failed fetch; the poll interval paces the restarts as it paces polls, so a feed that panics
/// every time is fetched no more often than configured. The restarted poller keeps its slot in
/// `running`, so lease hand-overs stop it like any other.
async fn restart_panicked(
    state: &Arc<State>,
    client: &Arc<Client>,
    accounts: &HashMap<String, Account>,
    running: &mut HashMap<String, Running>,
) {
    let config = state.config();
    for (name, r) in running.iter_mut() {
        if !r.task.is_finished() {
            continue;
        }
        let Some(account) = accounts.get(name) else {
            continue;
        };
        let why = match (&mut r.task).await {
            Ok(()) => "it ended without being told to stop".to_string(),
            Err(e) if e.is_panic() => {
                let payload = e.into_panic();
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string())
            }
            Err(e) => e.to_string(),
        };
        let delay = config.interval(account);
        tracing::error!(account = %name, error = %why, restart_in = ?delay, "the account's poller stopped on an internal error (a bug); it starts again after its poll interval");
        state.metrics.poller_panics.inc();
        if let Some(key) = state.key(name) {
            let message = format!(
                "internal error, the poller stopped: {why}; it starts again in {} s",
                delay.as_secs()
            );
            poller::mark_failed(state, account, &key, message);
        }
        (r.stop, r.task) = spawn_poller(state, account, client, delay);
    }
}

/// Stops the named accounts' pollers and waits for them (each finishes or abandons its
/// fetch: the poller stops at its next await point, and every store write is one transaction).
async fn stop_pollers(
    state: &Arc<State>,
    running: &mut HashMap<String, Running>,
    names: &[String],
    why: Stop,
) {
    let mut stopping = Vec::new();
    for name in names {
        if let Some(r) = running.remove(name) {
            let _ = r.stop.send(true);
            stopping.push((name, r.task));
        }
    }
    // All told at once, then awaited against one deadline: a thousand accounts stop within
    // one grace period, not a thousand.
    let deadline = tokio::time::Instant::now() + super::supervisor::GRACE;
    for (name, mut task) in stopping {
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            task.abort();
            let _ = task.await;
        }
        // Only once its poller is gone: the account's series and status now belong to
        // whichever replica polls it next.
        state.drop_lease(name);
        state.metrics.forget_account(name);
        if let Some(event) = why.event() {
            state
                .metrics
                .lease_handovers
                .with_label_values(&[event])
                .inc();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::metrics::Format;

    /// A poller that panicked is reported (log, counter, the account's last error and failed
    /// fetch) and started again after its poll interval, where before the account silently
    /// stopped being polled while its lease was renewed.
    #[tokio::test]
    async fn a_poller_that_panicked_is_reported_and_started_again_after_its_interval() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("posts.jsonl");
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        std::fs::write(
            &posts,
            format!(r#"{{"account":"acme","platform":"twitter","id":"1","created_at":"{now}","text":"hello"}}"#),
        )
        .unwrap();
        let mut account =
            Account::new("acme", format!("file:{}", posts.display()).parse().unwrap());
        account.interval_seconds = Some(1);
        let mut config = Config::default();
        config.accounts.push(account.clone());
        let store = crate::store::open_location(dir.path().join("s.db").to_str().unwrap()).unwrap();
        let state = State::new(config.clone(), store);
        state.set_lease(Lease {
            account: "acme".into(),
            token: 1,
        });
        state.set_lease_deadline(Instant::now() + Duration::from_secs(600));
        let client = Arc::new(Client::new(poller::client_config(&config)).unwrap());
        let accounts = HashMap::from([("acme".to_string(), account)]);

        let (stop, _rx) = watch::channel(false);
        let task = tokio::spawn(async { panic!("byte index 2 is not a char boundary") });
        let mut running = HashMap::from([(
            "acme".to_string(),
            Running {
                stop,
                task,
                token: 1,
            },
        )]);
        while !running["acme"].task.is_finished() {
            tokio::task::yield_now().await;
        }
        restart_panicked(&state, &client, &accounts, &mut running).await;
        assert_eq!(state.metrics.poller_panics.get(), 1);
        let error = state.status("acme").last_error.unwrap();
        assert!(
            error.contains("byte index 2 is not a char boundary"),
            "{error}"
        );
        assert!(error.contains("starts again in 1 s"), "{error}");
        let metrics = state.metrics.render(Format::Text);
        assert!(
            metrics
                .contains("echoscope_account_fetch_success{account=\"acme\",platform=\"other\"} 0"),
            "{metrics}"
        );
        assert!(
            metrics.contains("echoscope_poller_panics_total 1"),
            "{metrics}"
        );
        // Waiting out its interval, the new poller is not restarted again.
        assert!(!running["acme"].task.is_finished());
        restart_panicked(&state, &client, &accounts, &mut running).await;
        assert_eq!(state.metrics.poller_panics.get(), 1);
        // After the interval it polls: the file is read and the error cleared.
        let deadline = Instant::now() + Duration::from_secs(20);
        while state.status("acme").last_success_at.is_none() {
            assert!(
                Instant::now() < deadline,
                "the restarted poller never polled"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(state.status("acme").last_error, None);
        stop_pollers(&state, &mut running, &["acme".to_string()], Stop::Paused).await;
        assert!(running.is_empty());
    }

    /// Told to stop while it waits out the interval, the restarted poller ends at once.
    #[tokio::test]
    async fn a_restarted_poller_stops_at_once_while_it_waits() {
        let dir = tempfile::tempdir().unwrap();
        let account = Account::new(
            "acme",
            format!("file:{}", dir.path().join("none.jsonl").display())
                .parse()
                .unwrap(),
        );
        let mut config = Config::default();
        config.accounts.push(account.clone());
        let store = crate::store::open_location(dir.path().join("s.db").to_str().unwrap()).unwrap();
        let state = State::new(config.clone(), store);
        let client = Arc::new(Client::new(poller::client_config(&config)).unwrap());
        let (stop, task) = spawn_poller(&state, &account, &client, Duration::from_secs(3600));
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("stopped within 5 s")
            .unwrap();
    }
}
