//! The daemon (`echoscope serve`): polls configured accounts, keeps their history in the
//! store, re-runs the detectors and serves `/metrics` and a JSON API.
//!
//! The HTTP app is built by [`app`] from a shared [`State`] and can be tested without a socket
//! (`tower::ServiceExt::oneshot`); [`supervisor::run`] adds the listener, the poller, signal handling
//! (SIGHUP reloads the config, SIGTERM/SIGINT shut down cleanly) and the store.

pub mod api;
pub mod cluster;
pub mod error;
pub mod host_check;
pub mod metrics;
pub mod observed_store;
pub mod pages;
pub mod poller;
pub mod serve;
pub mod supervisor;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::model::Platform;
use crate::store::{AccountKey, Lease, Store};

use self::metrics::Metrics;

/// What the daemon knows about one account between polls. Saved in the store after each poll
/// (so every replica can show accounts another replica polls), except the fields marked
/// `skip`, which only mean something inside this process.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountStatus {
    pub platform: Option<Platform>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed, when it did.
    pub last_error: Option<String>,
    pub posts_stored: u64,
    pub score: Option<u32>,
    pub findings: u64,
    pub analysed_at: Option<DateTime<Utc>>,
    /// The analysis settings generation ([`State::analysis_generation`]) of the last analysis
    /// in this process; `None` until the first one.
    #[serde(skip)]
    pub analysed_generation: Option<u64>,
    /// A hash of the last recorded report, so that a run that changes nothing is not stored
    /// again.
    #[serde(skip)]
    pub report_hash: Option<u64>,
}

/// State shared by the HTTP handlers and the poller.
pub struct State {
    config: RwLock<Arc<Config>>,
    pub store: Arc<dyn Store>,
    pub metrics: Metrics,
    status: RwLock<HashMap<String, AccountStatus>>,
    refresh: RwLock<HashMap<String, Arc<Notify>>>,
    /// Store keys of the configured accounts, by name (thousands of accounts: no linear scans).
    keys: RwLock<HashMap<String, AccountKey>>,
    /// Bumped when a reload changes what an analysis depends on (detector settings, an
    /// account's retention), so that every account is analysed again even without new posts.
    generation: AtomicU64,
    /// Bounds the pollers' blocking work (store and analysis) running at once: without it ten
    /// thousand accounts starting together fill the blocking pool with hundreds of threads,
    /// each holding a timeline in memory and a database connection.
    work: Semaphore,
    ready: AtomicBool,
    /// The accounts this replica holds a lease on and polls (all of them with SQLite).
    held: RwLock<HashMap<String, Lease>>,
    /// Saved statuses of the accounts other replicas poll, read from the store at most every
    /// [`OTHERS_MAX_AGE`] (a page listing ten thousand accounts reads them once, not per row).
    others: std::sync::Mutex<Option<(std::time::Instant, Statuses)>>,
    /// Whether the store answered its last check (readiness).
    store_ok: AtomicBool,
    /// Until when this replica's leases are valid by its own clock: pollers do not start a
    /// poll past it (the lease loop then stops them).
    lease_deadline: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Saved statuses by account name.
type Statuses = Arc<HashMap<String, AccountStatus>>;

/// How stale the statuses of accounts polled by other replicas may be in the API and pages.
const OTHERS_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(5);

impl State {
    pub fn new(config: Config, store: Arc<dyn Store>) -> Arc<State> {
        let metrics = Metrics::new(&config);
        // Every store call from here on is counted when it fails (observed_store.rs).
        let store: Arc<dyn Store> = Arc::new(observed_store::Observed::new(
            store,
            metrics.store_errors.clone(),
            metrics.store_up.clone(),
        ));
        metrics
            .accounts_configured
            .set(config.accounts.len() as i64);
        metrics.config_reload_success.set(1);
        metrics
            .config_reload_timestamp
            .set(Utc::now().timestamp_millis() as f64 / 1000.0);
        let state = Arc::new(State {
            config: RwLock::new(Arc::new(Config::default())),
            store,
            metrics,
            status: RwLock::new(HashMap::new()),
            refresh: RwLock::new(HashMap::new()),
            keys: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            work: Semaphore::new(work_permits()),
            ready: AtomicBool::new(false),
            held: RwLock::new(HashMap::new()),
            others: std::sync::Mutex::new(None),
            store_ok: AtomicBool::new(true),
            lease_deadline: std::sync::Mutex::new(None),
        });
        state.set_config(config);
        state
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Installs a new configuration (already validated) and rebuilds per-account gauges.
    pub fn set_config(&self, config: Config) {
        self.metrics.reset_accounts(&config);
        let names: HashSet<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        let mut refresh = self.refresh.write().unwrap_or_else(|e| e.into_inner());
        refresh.retain(|name, _| names.contains(name.as_str()));
        for a in &config.accounts {
            refresh.entry(a.name.clone()).or_default();
        }
        drop(refresh);
        self.status
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|name, _| names.contains(name.as_str()));
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = config
            .accounts
            .iter()
            .map(|a| {
                let key = AccountKey {
                    name: a.name.clone(),
                    platform: a.source.platform(),
                };
                (a.name.clone(), key)
            })
            .collect();
        let mut current = self.config.write().unwrap_or_else(|e| e.into_inner());
        if current.detectors != config.detectors || windows(&current) != windows(&config) {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        *current = Arc::new(config);
    }

    /// Which analysis settings are in force: an account analysed under an older generation is
    /// analysed again at its next poll.
    pub fn analysis_generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Runs a poller's blocking work (store calls, analysis, reading an archive) on the
    /// blocking pool, at most 2 × cores (between 2 and 32) at a time.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        // The semaphore is never closed, so acquiring only fails if that changes.
        let _permit = self.work.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| format!("blocking task failed: {e}"))
    }

    pub fn status(&self, name: &str) -> AccountStatus {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    pub fn update_status(&self, name: &str, f: impl FnOnce(&mut AccountStatus)) {
        let mut s = self.status.write().unwrap_or_else(|e| e.into_inner());
        f(s.entry(name.to_string()).or_default());
    }

    /// The notifier that wakes an account's poller early (`POST .../refresh`).
    pub fn refresh_signal(&self, name: &str) -> Option<Arc<Notify>> {
        self.refresh
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Ready: started, not stopping, and the store answered its last check.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst) && self.store_ok.load(Ordering::SeqCst)
    }

    /// Records whether the store answered (the lease loop checks it every round).
    pub fn set_store_ok(&self, ok: bool) {
        self.store_ok.store(ok, Ordering::SeqCst);
    }

    /// The lease this replica holds on an account, if it polls it.
    pub fn lease(&self, name: &str) -> Option<Lease> {
        self.held
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// Names of the accounts this replica polls now.
    pub fn held(&self) -> Vec<String> {
        self.held
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    pub(crate) fn set_lease_deadline(&self, until: std::time::Instant) {
        *self
            .lease_deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(until);
    }

    /// Whether this replica may poll the account now: it holds its lease and the lease has
    /// not run out by this process's clock.
    pub fn may_poll(&self, name: &str) -> bool {
        let in_time = self
            .lease_deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|until| std::time::Instant::now() < until);
        in_time && self.lease(name).is_some()
    }

    pub(crate) fn set_lease(&self, lease: Lease) {
        self.held
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(lease.account.clone(), lease);
    }

    pub(crate) fn drop_lease(&self, name: &str) {
        self.held
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        // What this process knew of the account goes stale the moment another replica polls
        // it: from now on the API reads the saved status.
        self.status
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    /// An account's status for the API and pages (blocking: it may read the store): this
    /// process's own for accounts it polls, the saved one for accounts other replicas poll.
    pub fn view(&self, name: &str) -> AccountStatus {
        if self.lease(name).is_some() {
            return self.status(name);
        }
        self.others().get(name).cloned().unwrap_or_default()
    }

    /// The saved statuses, refreshed from the store when older than [`OTHERS_MAX_AGE`]. A store
    /// error keeps the previous ones (and is logged): the API still answers.
    fn others(&self) -> Statuses {
        let mut cache = self.others.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, map)) = cache.as_ref() {
            if at.elapsed() < OTHERS_MAX_AGE {
                return map.clone();
            }
        }
        let map = match self.store.statuses() {
            Ok(rows) => Arc::new(
                rows.into_iter()
                    .filter_map(|(name, json)| {
                        serde_json::from_str::<AccountStatus>(&json)
                            .ok()
                            .map(|s| (name, s))
                    })
                    .collect(),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read saved account statuses");
                cache.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()
            }
        };
        *cache = Some((std::time::Instant::now(), map.clone()));
        map
    }

    /// The store key of a configured account.
    pub fn key(&self, name: &str) -> Option<AccountKey> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }
}

/// Each account's analysis window in days: a change means analysing it again.
fn windows(config: &Config) -> Vec<(&str, u32)> {
    config
        .accounts
        .iter()
        .map(|a| (a.name.as_str(), config.retention_days(a)))
        .collect()
}

/// How many pollers may do blocking work at once: enough to keep every core busy while some
/// wait on the disk, few enough that memory and connections stay bounded.
fn work_permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .saturating_mul(2)
        .clamp(2, 32)
}

/// The HTTP app: health, readiness, metrics, the JSON API and the web pages. The API and the
/// pages answer only allowed hosts ([`host_check`]); the probes and `/metrics` answer any.
/// Every error, unknown paths and wrong methods included, is the JSON error shape.
pub fn app(state: Arc<State>) -> Router {
    let checked = Router::new()
        .route("/", get(pages::index))
        .route("/accounts/{name}", get(pages::account))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/accounts", get(api::list_accounts))
        .route("/api/v1/accounts/{name}", get(api::account_report))
        .route(
            "/api/v1/accounts/{name}/findings",
            get(api::account_findings),
        )
        .route("/api/v1/accounts/{name}/history", get(api::account_history))
        .route(
            "/api/v1/accounts/{name}/refresh",
            post(api::refresh_account),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            host_check::check,
        ));
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .merge(checked)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}
