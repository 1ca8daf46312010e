//! The daemon's lifecycle: open the store, start one poller per account, serve HTTP, reload the
//! configuration on SIGHUP and shut down cleanly on SIGTERM or SIGINT.
//!
//! A reload that fails validation is rejected whole: the old configuration keeps running and
//! `echoscope_config_last_reload_successful` drops to 0. A good reload stops the pollers and
//! starts new ones from the new configuration; fetch cursors live in the store, so nothing is
//! fetched twice or missed. On shutdown the pollers are told to stop and given a grace period,
//! the HTTP server drains, and the store is closed by dropping its last handle.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::cluster::{self, Pollers};
use super::{app, State};
use crate::config::{retention_cutoff, Config, ConfigError};
use crate::sources::http::FetchError;
use crate::store::{AccountKey, StoreError};

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("http client: {0}")]
    Client(#[from] FetchError),
    /// The server stopped with an I/O error.
    #[error("http server: {0}")]
    Serve(std::io::Error),
}

/// How the daemon was started.
pub struct Options {
    pub config: Config,
    /// The file to re-read on SIGHUP (none: the built-in demo configuration, nothing to reload).
    pub config_path: Option<PathBuf>,
}

/// How long pollers get to finish their fetch when told to stop.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

/// Runs until SIGTERM or SIGINT.
pub async fn run(options: Options) -> Result<(), ServeError> {
    let config = options.config;
    // One daemon per store: a second one would poll and record everything twice. Held until
    // this function returns; the kernel releases it if the process dies.
    let instance_lock = crate::store::lock_for_daemon(&config.store)?;
    let store = crate::store::open(&config.store)?;
    let listen = config.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: listen,
        source,
    })?;
    let state = State::new(config.clone(), store);
    tracing::info!(
        listen = %local,
        accounts = config.accounts.len(),
        store = %config.store.location(),
        backend = %config.store.backend,
        "echoscope serve: metrics at http://{local}/metrics, API at http://{local}/api/v1/accounts"
    );
    let replica = cluster::replica_id(&config.cluster.replica_id);
    tracing::info!(replica = %replica, lease_seconds = config.cluster.lease_seconds, "polling the accounts this replica holds a lease on");
    let mut pollers = Pollers::start(&state, replica.clone())?;
    let retention = tokio::spawn(retention_loop(state.clone()));
    let (stop_http, http_stopped) = watch::channel(false);
    let limits = super::serve::Limits::from_config(&config.server);
    let server = tokio::spawn(super::serve::serve(
        listener,
        app(state.clone()),
        limits,
        http_stopped,
    ));
    state.set_ready(true);
    wait_for_signals(&state, &options.config_path, &mut pollers, &replica).await;
    tracing::info!("shutting down");
    state.set_ready(false);
    pollers.stop().await;
    retention.abort();
    let _ = stop_http.send(true);
    let served = server.await;
    // The store closes when its last handle goes: the state holds it. The lock goes after.
    drop(state);
    drop(instance_lock);
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            Ok(())
        }
        Err(e) => Err(ServeError::Serve(std::io::Error::other(e))),
    }
}

async fn wait_for_signals(
    state: &Arc<State>,
    path: &Option<PathBuf>,
    pollers: &mut Pollers,
    replica: &str,
) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop with SIGKILL");
        std::future::pending::<()>().await;
        return;
    };
    loop {
        tokio::select! {
            _ = hup.recv() => reload(state, path, pollers, replica).await,
            _ = term.recv() => return,
            _ = int.recv() => return,
        }
    }
}

async fn reload(state: &Arc<State>, path: &Option<PathBuf>, pollers: &mut Pollers, replica: &str) {
    let Some(path) = path else {
        tracing::info!("SIGHUP: running on built-in defaults, nothing to reload");
        return;
    };
    let new = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "SIGHUP: configuration rejected; the old one keeps running");
            state.metrics.config_reload_success.set(0);
            return;
        }
    };
    let old = state.config();
    if new.server.listen != old.server.listen
        || new.store.backend != old.store.backend
        || new.store.path != old.store.path
    {
        tracing::warn!(
            "SIGHUP: server.listen, store.backend and store.path take effect after a restart"
        );
    }
    let fresh = std::mem::replace(pollers, Pollers::empty());
    fresh.pause().await;
    state.set_config(new);
    match Pollers::start(state, replica.to_string()) {
        Ok(p) => *pollers = p,
        Err(e) => tracing::error!(error = %e, "SIGHUP: pollers could not start"),
    }
    state.metrics.config_reload_success.set(1);
    state
        .metrics
        .config_reload_timestamp
        .set(Utc::now().timestamp_millis() as f64 / 1000.0);
    tracing::info!(
        accounts = state.config().accounts.len(),
        "configuration reloaded"
    );
}

/// Deletes history past the retention period, hourly.
async fn retention_loop(state: Arc<State>) {
    loop {
        let pruning = state.clone();
        match tokio::task::spawn_blocking(move || prune(&pruning, Utc::now())).await {
            Ok(Ok(n)) if n > 0 => tracing::info!(rows = n, "retention: pruned old history"),
            Ok(Err(e)) => tracing::error!(error = %e, "retention: prune failed"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// One retention pass at `now` (blocking): each configured account is cut at its own
/// retention (`accounts.retention_days`, else `store.retention_days`), any other stored account
/// at `store.retention_days`. Returns how many rows went.
pub fn prune(state: &State, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let config = state.config();
    let by_key: HashMap<AccountKey, Option<DateTime<Utc>>> = config
        .accounts
        .iter()
        .filter_map(|a| {
            let cutoff = retention_cutoff(config.retention_days(a), now);
            Some((state.key(&a.name)?, cutoff))
        })
        .collect();
    let others = retention_cutoff(config.store.retention_days, now);
    state
        .store
        .prune(&|key| by_key.get(key).copied().unwrap_or(others))
}
