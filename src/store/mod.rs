//! The store: each monitored account's post history (and the direct messages archives
//! include), fetch state and analysis runs.
//!
//! Feeds only show an account's latest posts, so repetition over weeks is visible only in
//! stored history. The daemon talks to the store through the small [`Store`] trait and opens it
//! with [`open`], which picks the implementation from `[store] backend` ([`Backend`], a closed
//! set matched exhaustively): SQLite (`sqlite.rs`) is the embedded default, and PostgreSQL
//! (`postgres.rs`, selected by `[store] url`) is the database several daemon replicas share.
//! No backend's own types leak into [`StoreError`], and `tests/store.rs` runs one suite against
//! every backend. Calls are blocking: the daemon runs them on tokio's blocking pool.
//! `copy.rs` moves a history from one store to another (`echoscope store copy`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::AccountReport;
use crate::model::{DirectMessage, Platform, Post, Timeline};
use crate::sources::live::FetchState;

/// Identifies an account in the store: the name the operator configured (unique), plus the
/// platform and handle it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountKey {
    /// The operator's name for the account (the `account` label in metrics).
    pub name: String,
    pub platform: Platform,
}

/// One stored analysis run (score and findings over time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub score: u32,
    pub findings: u64,
}

/// Where history is kept: the `[store] backend` key. A closed set: a new backend is a variant
/// here, a file in this folder and an arm in [`open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// One embedded SQLite file (`store.path`), WAL mode.
    #[default]
    Sqlite,
    /// A PostgreSQL database (`store.url`), shared by the daemon's replicas.
    Postgres,
}

impl Backend {
    /// The name used in the configuration and in error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Opens the store the configuration names, creating it if needed and bringing its schema up
/// to date. A `url` selects PostgreSQL whatever `backend` says (see
/// [`crate::config::Store::selected_backend`]).
pub fn open(config: &crate::config::Store) -> Result<Arc<dyn Store>, StoreError> {
    match config.selected_backend() {
        Backend::Sqlite => Ok(Arc::new(sqlite::Sqlite::open(&config.path)?)),
        Backend::Postgres => match config.url.as_deref() {
            Some(url) => Ok(Arc::new(postgres::Postgres::open(url)?)),
            None => Err(StoreError::Backend {
                backend: Backend::Postgres,
                path: "postgres".to_string(),
                source: "store.backend is postgres but no store.url (or ECHOSCOPE_STORE_URL) \
                         names the database"
                    .into(),
            }),
        },
    }
}

/// Opens a store named the way `echoscope store copy` takes it: a `postgres://` or
/// `postgresql://` URL, or else the path of a SQLite file.
pub fn open_location(location: &str) -> Result<Arc<dyn Store>, StoreError> {
    if postgres::is_url(location) {
        Ok(Arc::new(postgres::Postgres::open(location)?))
    } else {
        Ok(Arc::new(sqlite::Sqlite::open(location)?))
    }
}

/// Opens the store for reading only (`echoscope export`): nothing is created or migrated, so
/// it works on a read-only file or mount and beside a running daemon. A schema other than the
/// one this binary writes is refused with words saying which way it is off. PostgreSQL is
/// opened as usual: its server arbitrates readers and writers.
pub fn open_read_only(config: &crate::config::Store) -> Result<Arc<dyn Store>, StoreError> {
    match config.selected_backend() {
        Backend::Sqlite => Ok(Arc::new(sqlite::Sqlite::open_read_only(&config.path)?)),
        Backend::Postgres => open(config),
    }
}

/// Takes the daemon's single-instance lock on the store, held until the returned guard drops
/// (or the process dies: the kernel releases it, `kill -9` included). A second daemon on the
/// same store fails with [`StoreError::InUse`] instead of polling and recording everything
/// twice. Read-only commands do not take it. PostgreSQL needs none (`None`): several daemons
/// share it as replicas, coordinated by leases.
pub fn lock_for_daemon(config: &crate::config::Store) -> Result<Option<InstanceLock>, StoreError> {
    match config.selected_backend() {
        Backend::Sqlite => sqlite::lock_instance(&config.path).map(Some),
        Backend::Postgres => Ok(None),
    }
}

/// A held single-instance lock (an OS file lock on a file beside the database).
#[derive(Debug)]
pub struct InstanceLock {
    /// The lock file, kept open: closing it releases the lock.
    _file: std::fs::File,
    pub path: std::path::PathBuf,
}

impl InstanceLock {
    pub(crate) fn new(file: std::fs::File, path: std::path::PathBuf) -> InstanceLock {
        InstanceLock { _file: file, path }
    }
}

/// Why a database cannot be used, in words: the failures an operator fixes outside echoscope.
/// A closed set, matched exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The file, its folder or the mount is read-only.
    ReadOnly,
    /// The disk (or quota) is full.
    DiskFull,
    /// The operating system refuses access to the file or its folder.
    PermissionDenied,
    /// The file is not a SQLite database at all.
    NotADatabase,
    /// The file is damaged ("database disk image is malformed").
    Damaged,
    /// Another process holds the database's lock past the busy timeout.
    Locked,
    /// The disk or file system reported an I/O error.
    Io,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Problem::ReadOnly => {
                "the database is read-only (file or folder permissions, or a read-only mount); \
                 the daemon needs write access (`echoscope export` can read it as it is)"
            }
            Problem::DiskFull => "the disk is full",
            Problem::PermissionDenied => "permission denied on the database file or its folder",
            Problem::NotADatabase => "not a SQLite database",
            Problem::Damaged => {
                "the database file is damaged; no more writes go into it (restore a backup, or \
                 recover it with `sqlite3 FILE .recover`)"
            }
            Problem::Locked => "the database is locked by another process",
            Problem::Io => "disk I/O error",
        })
    }
}

impl Problem {
    /// A short label for metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::ReadOnly => "read_only",
            Problem::DiskFull => "disk_full",
            Problem::PermissionDenied => "permission_denied",
            Problem::NotADatabase => "not_a_database",
            Problem::Damaged => "damaged",
            Problem::Locked => "locked",
            Problem::Io => "io",
        }
    }
}

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be used for a reason the operator fixes outside echoscope (read-only,
    /// disk full, permissions, damage...); `source` is the backend's own error, boxed.
    #[error("store {path}: {problem} ({source})")]
    Unusable {
        path: String,
        problem: Problem,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Another daemon holds the store's single-instance lock.
    #[error(
        "store {path}: in use by another echoscope serve{} (lock file {lock}); stop it first, \
         or run several replicas on the postgres backend",
        .holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    InUse {
        path: String,
        lock: String,
        holder: Option<u32>,
    },
    /// The database could not be opened, migrated or queried; `source` is the backend's own
    /// error, boxed so that no backend's types appear here.
    #[error("store {path}: {source}")]
    Backend {
        backend: Backend,
        path: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored value could not be decoded (the database was changed by something else).
    #[error("store {path}: corrupt value in {what}: {reason}")]
    Corrupt {
        path: String,
        what: String,
        reason: String,
    },
    /// The account is not in the store.
    #[error("unknown account {0:?}")]
    UnknownAccount(String),
    /// A file-system problem around the database file (or the export output).
    #[error("store {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The database's schema cannot be used: written by a newer echoscope, or not an
    /// echoscope database at all. Refused rather than guessed at, so no data is lost.
    #[error("store {path}: {reason}")]
    Schema { path: String, reason: String },
    /// A write under a lease that another replica has since taken over (or that expired):
    /// refused, nothing written.
    #[error("account {account:?}: lease lost to another replica; nothing written")]
    LeaseLost { account: String },
}

/// History storage. Every method is atomic: it either commits fully or changes nothing.
pub trait Store: Send + Sync {
    /// Adds the account if new; returns nothing when it exists already.
    fn ensure_account(&self, key: &AccountKey, handle: &str) -> Result<(), StoreError>;
    /// Records the handle and platform the account's own data names, where they differ from
    /// what its key says: a `file:` source's key holds `other` (the file says its platform
    /// only when read) and its stored handle is the path. [`Store::timeline`], and so the
    /// export, return them from then on; recording again replaces them.
    fn record_identity(
        &self,
        key: &AccountKey,
        handle: &str,
        platform: Platform,
    ) -> Result<(), StoreError>;
    /// Moves an account and its whole history (posts, fetch state, runs) from one key to
    /// another, when `from` exists and `to` does not; returns whether it moved. Never merges:
    /// if both exist, both stay as they are.
    fn move_account(&self, from: &AccountKey, to: &AccountKey) -> Result<bool, StoreError>;
    /// Stores posts, ignoring ones already stored for this account (same post id).
    /// Returns how many were new.
    fn insert_posts(&self, key: &AccountKey, posts: &[Post]) -> Result<usize, StoreError>;
    /// Stores direct messages the account sent (archives include them), ignoring ones already
    /// stored for this account (same message id). Returns how many were new.
    fn insert_direct_messages(
        &self,
        key: &AccountKey,
        messages: &[DirectMessage],
    ) -> Result<usize, StoreError>;
    /// The account's stored timeline, posts and direct messages oldest first, optionally only
    /// those since a time. Its handle and platform are the recorded identity
    /// ([`Store::record_identity`]) when there is one, else the stored handle and the key's
    /// platform.
    fn timeline(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
    ) -> Result<Timeline, StoreError>;
    /// Number of posts stored for the account.
    fn post_count(&self, key: &AccountKey) -> Result<u64, StoreError>;
    fn fetch_state(&self, key: &AccountKey) -> Result<FetchState, StoreError>;
    fn set_fetch_state(&self, key: &AccountKey, state: &FetchState) -> Result<(), StoreError>;
    /// Stores what one fetch brought and moves the fetch cursor, in one transaction: the posts
    /// and direct messages (ignoring ones already stored), then `state`. With a `lease`, only
    /// while that lease is still held ([`StoreError::LeaseLost`] otherwise, and nothing is
    /// written), so a replica that lost an account mid-fetch cannot move the cursor of the
    /// replica that took it over. Returns how many posts and messages were new.
    fn commit_fetch(
        &self,
        key: &AccountKey,
        timeline: Option<&Timeline>,
        state: &FetchState,
        lease: Option<&Lease>,
    ) -> Result<usize, StoreError>;
    /// Records an analysis run with its full report, unless the newest recorded run has the same
    /// content (then `None`): two replicas analysing the same change around a hand-over, or a
    /// restart, record it once.
    fn record_run(
        &self,
        key: &AccountKey,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError>;
    /// The newest stored report.
    fn latest_report(&self, key: &AccountKey) -> Result<Option<AccountReport>, StoreError>;
    /// Runs, newest first, at most `limit`.
    fn runs(&self, key: &AccountKey, limit: usize) -> Result<Vec<Run>, StoreError>;
    /// Every stored account.
    fn accounts(&self) -> Result<Vec<AccountKey>, StoreError>;
    /// Retention: for every stored account, deletes posts, direct messages and runs older than
    /// what `cutoff`
    /// says for it (`None` keeps all of that account's); returns how many rows went.
    fn prune(
        &self,
        cutoff: &dyn Fn(&AccountKey) -> Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError>;
    /// Size of the store on disk, in bytes.
    fn size_bytes(&self) -> Result<u64, StoreError>;
    /// Saves what the daemon last knew of an account between polls (its status as JSON, opaque
    /// to the store: last fetch, last error, score), so that every replica can answer for the
    /// accounts other replicas poll.
    fn save_status(&self, key: &AccountKey, status_json: &str) -> Result<(), StoreError>;
    /// Every account's saved status, by account name (accounts never saved are left out).
    fn statuses(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// A cheap round trip proving the database answers and can be written (readiness).
    fn check(&self) -> Result<(), StoreError>;
    /// One lease round for replica `replica` (see [`Leases`]): marks the replica alive for
    /// `lease` (which renews every lease it holds: a lease is valid while its holder is, so a
    /// round's writes do not grow with the accounts), claims free ones and those of replicas no
    /// longer alive up to its fair share among `accounts`, and returns what it holds now with
    /// that share. A backend used by one
    /// process only (SQLite, behind its single-instance lock) holds every account.
    fn leases(
        &self,
        replica: &str,
        accounts: &[String],
        lease: std::time::Duration,
    ) -> Result<Leases, StoreError>;
    /// Gives up leases (the replica stopped polling those accounts, or is shutting down), so
    /// another replica can claim them at once instead of after the lease time. A replica left
    /// holding nothing stops counting as live (its next round, if any, registers it again).
    fn release(&self, replica: &str, accounts: &[String]) -> Result<(), StoreError>;
    /// How many times the store got a database connection back after losing one (for the
    /// `echoscope_store_reconnects_total` metric). Embedded backends never lose one: 0.
    /// (No default: a wrapper that forgot to pass it on would silently export 0.)
    fn reconnects(&self) -> u64;
    /// Runs with their reports, oldest first, at or after `since` (all when `None`), at most
    /// `limit` (for `store copy`, which pages through them).
    fn runs_since(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredRun>, StoreError>;
    /// Stores a run recorded elsewhere (`store copy`) with its original time, unless this
    /// account already has a run at that time with the same content: importing twice imports
    /// once. Unlike [`Store::record_run`], an unchanged result is still imported (it is
    /// another point in the source's history). Returns the run when it was new.
    fn import_run(
        &self,
        key: &AccountKey,
        at: DateTime<Utc>,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError>;
}

/// A stored run with its full report (what `store copy` moves).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub run: Run,
    pub report: AccountReport,
}

/// A replica's hold on one account: only the holder polls it. `token` grows with every claim
/// of the account (a fencing token): writes made under an older token are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lease {
    pub account: String,
    pub token: i64,
}

/// What a lease round returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Leases {
    /// The leases this replica holds now, each valid for the lease time from the start of the
    /// round.
    pub held: Vec<Lease>,
    /// How many accounts this replica should hold: the configured accounts divided among the
    /// live replicas, rounded up. Holding more than this, it gives the rest back (a new
    /// replica then gets its share without a restart of the others).
    pub share: usize,
    /// Live replicas, this one included.
    pub replicas: usize,
}

pub mod copy;
pub mod postgres;
pub mod sqlite;

/// The content hash of a report's JSON, stored with each run so that an unchanged result is
/// recorded once (as a signed 64-bit integer: both SQL backends store that natively).
pub fn content_hash(json: &[u8]) -> i64 {
    xxhash_rust::xxh3::xxh3_64(json) as i64
}

/// Writes an account's stored timeline as echoscope JSONL, oldest first, one
/// [`Record`](crate::sources::jsonl::Record) per line (`echoscope export --account NAME`).
/// The `account` and `platform` fields are the account's as its source named them (for a
/// watched file, those the file holds, not its path and `other`). Returns how many
/// lines were written.
pub fn export_jsonl<W: std::io::Write>(
    store: &dyn Store,
    key: &AccountKey,
    out: W,
) -> Result<u64, StoreError> {
    use std::io::Write as _;

    let io_error = |source: std::io::Error| StoreError::Io {
        path: "export output".to_string(),
        source,
    };
    let timeline = store.timeline(key, None)?;
    let mut out = std::io::BufWriter::new(out);
    let lines = crate::sources::jsonl::write_timeline(&mut out, &timeline).map_err(io_error)?;
    out.flush().map_err(io_error)?;
    Ok(lines)
}
