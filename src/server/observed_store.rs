//! The daemon's view of its store: every call counted when it fails, by operation
//! (`echoscope_store_errors_total{op}`), and whether the store takes writes
//! (`echoscope_store_up`).
//!
//! Without it a damaged, read-only or full store only showed in the log: the API said `ok` and
//! `/metrics` kept the old scores. [`Observed`] wraps the store once, in [`super::State::new`],
//! so the poller, the lease loop and the API are all counted without each call site knowing.
//! `store_up` follows the writes and the readiness check (a read succeeding on a read-only file
//! says nothing about writes); a store-level failure of any call ([`StoreError::Unusable`],
//! I/O) sets it to 0. An unknown account or a lost lease is an answer, not a store failure.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use prometheus::{IntCounterVec, IntGauge};

use crate::model::{AccountReport, DirectMessage, Platform, Post, Timeline};
use crate::sources::live::FetchState;
use crate::store::{AccountKey, Lease, Leases, Run, Store, StoreError, StoredRun};

/// A store whose failures are counted.
pub struct Observed {
    inner: Arc<dyn Store>,
    errors: IntCounterVec,
    up: IntGauge,
}

impl Observed {
    pub fn new(inner: Arc<dyn Store>, errors: IntCounterVec, up: IntGauge) -> Observed {
        Observed { inner, errors, up }
    }

    /// Counts a result of `op`; `writes` says whether its success proves the store writable.
    fn seen<T>(
        &self,
        op: &str,
        writes: bool,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &result {
            Ok(_) if writes => self.up.set(1),
            Ok(_) => {}
            Err(StoreError::UnknownAccount(_) | StoreError::LeaseLost { .. }) => {}
            Err(e) => {
                self.errors.with_label_values(&[op]).inc();
                if store_down(e) || writes {
                    self.up.set(0);
                }
            }
        }
        result
    }
}

/// Whether an error means the store as a whole is failing rather than one call or value.
fn store_down(e: &StoreError) -> bool {
    match e {
        StoreError::Unusable { .. } | StoreError::Io { .. } | StoreError::InUse { .. } => true,
        StoreError::Backend { .. }
        | StoreError::Corrupt { .. }
        | StoreError::UnknownAccount(_)
        | StoreError::Schema { .. }
        | StoreError::LeaseLost { .. } => false,
    }
}

impl Store for Observed {
    fn ensure_account(&self, key: &AccountKey, handle: &str) -> Result<(), StoreError> {
        self.seen(
            "ensure_account",
            true,
            self.inner.ensure_account(key, handle),
        )
    }
    fn record_identity(
        &self,
        key: &AccountKey,
        handle: &str,
        platform: Platform,
    ) -> Result<(), StoreError> {
        let result = self.inner.record_identity(key, handle, platform);
        self.seen("record_identity", true, result)
    }
    fn move_account(&self, from: &AccountKey, to: &AccountKey) -> Result<bool, StoreError> {
        self.seen("move_account", true, self.inner.move_account(from, to))
    }
    fn insert_posts(&self, key: &AccountKey, posts: &[Post]) -> Result<usize, StoreError> {
        self.seen("insert_posts", true, self.inner.insert_posts(key, posts))
    }
    fn insert_direct_messages(
        &self,
        key: &AccountKey,
        messages: &[DirectMessage],
    ) -> Result<usize, StoreError> {
        let result = self.inner.insert_direct_messages(key, messages);
        self.seen("insert_direct_messages", true, result)
    }
    fn timeline(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
    ) -> Result<Timeline, StoreError> {
        self.seen("timeline", false, self.inner.timeline(key, since))
    }
    fn post_count(&self, key: &AccountKey) -> Result<u64, StoreError> {
        self.seen("post_count", false, self.inner.post_count(key))
    }
    fn fetch_state(&self, key: &AccountKey) -> Result<FetchState, StoreError> {
        self.seen("fetch_state", false, self.inner.fetch_state(key))
    }
    fn set_fetch_state(&self, key: &AccountKey, state: &FetchState) -> Result<(), StoreError> {
        self.seen(
            "set_fetch_state",
            true,
            self.inner.set_fetch_state(key, state),
        )
    }
    fn commit_fetch(
        &self,
        key: &AccountKey,
        timeline: Option<&Timeline>,
        state: &FetchState,
        lease: Option<&Lease>,
    ) -> Result<usize, StoreError> {
        let result = self.inner.commit_fetch(key, timeline, state, lease);
        self.seen("commit_fetch", true, result)
    }
    fn record_run(
        &self,
        key: &AccountKey,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        self.seen("record_run", true, self.inner.record_run(key, report))
    }
    fn latest_report(&self, key: &AccountKey) -> Result<Option<AccountReport>, StoreError> {
        self.seen("latest_report", false, self.inner.latest_report(key))
    }
    fn runs(&self, key: &AccountKey, limit: usize) -> Result<Vec<Run>, StoreError> {
        self.seen("runs", false, self.inner.runs(key, limit))
    }
    fn accounts(&self) -> Result<Vec<AccountKey>, StoreError> {
        self.seen("accounts", false, self.inner.accounts())
    }
    fn prune(
        &self,
        cutoff: &dyn Fn(&AccountKey) -> Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        self.seen("prune", true, self.inner.prune(cutoff))
    }
    fn size_bytes(&self) -> Result<u64, StoreError> {
        self.seen("size_bytes", false, self.inner.size_bytes())
    }
    fn save_status(&self, key: &AccountKey, status_json: &str) -> Result<(), StoreError> {
        self.seen(
            "save_status",
            true,
            self.inner.save_status(key, status_json),
        )
    }
    fn statuses(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.seen("statuses", false, self.inner.statuses())
    }
    fn check(&self) -> Result<(), StoreError> {
        self.seen("check", true, self.inner.check())
    }
    fn leases(
        &self,
        replica: &str,
        accounts: &[String],
        lease: std::time::Duration,
    ) -> Result<Leases, StoreError> {
        self.seen("leases", false, self.inner.leases(replica, accounts, lease))
    }
    fn release(&self, replica: &str, accounts: &[String]) -> Result<(), StoreError> {
        self.seen("release", false, self.inner.release(replica, accounts))
    }
    fn reconnects(&self) -> u64 {
        self.inner.reconnects()
    }
    fn runs_since(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredRun>, StoreError> {
        self.seen(
            "runs_since",
            false,
            self.inner.runs_since(key, since, limit),
        )
    }
    fn import_run(
        &self,
        key: &AccountKey,
        at: DateTime<Utc>,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        self.seen("import_run", true, self.inner.import_run(key, at, report))
    }
}
