//! The poller: one task per configured account that fetches, stores and analyses on a schedule.
//!
//! Each account waits its interval stretched by a random jitter (so thousands of accounts do
//! not poll in lockstep), or less when `POST .../refresh` wakes it. A failing account only
//! records its error and waits for its next turn: it never stalls the others. Every step that
//! writes to the store is one transaction on the blocking pool, so cancelling a task at any
//! await point (shutdown, reload) can lose at most the fetch in flight, never stored data.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::State;
use crate::config::{retention_cutoff, Account, SourceSpec};
use crate::model::AccountReport;
use crate::model::{SourceKind, Timeline};
use crate::sources::live::FetchState;
use crate::sources::live::LiveSpec;
use crate::store::{AccountKey, StoreError};

/// What one fetch produced.
pub struct Fetched {
    /// New posts, and the account's platform as the source knows it.
    pub timeline: Option<Timeline>,
    pub state: FetchState,
}

/// A small xorshift generator for jitter: the daemon's only randomness, never used by detectors.
struct Jitter(u64);

impl Jitter {
    fn new(name: &str) -> Jitter {
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Jitter(xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), t) | 1)
    }

    /// A uniform number in [-1, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    fn stretch(&mut self, d: Duration, share: f64) -> Duration {
        d.mul_f64((1.0 + share * self.next()).max(0.05))
    }
}

/// How often an account with no new posts is analysed again anyway: some results depend on
/// the clock (a campaign stops being "active" when its next post fails to come, retention
/// moves old posts out of the window).
const REANALYSE_EVERY: Duration = Duration::from_secs(3600);

/// Runs one account's poll loop until `stop` turns true.
pub async fn account_loop(
    state: Arc<State>,
    account: Account,
    client: Arc<crate::sources::http::Client>,
    mut stop: watch::Receiver<bool>,
) {
    let config = state.config();
    let interval = config.interval(&account);
    let mut jitter = Jitter::new(&account.name);
    let refresh = state.refresh_signal(&account.name);
    // The two big steps are boxed: the task of a poller waiting for its next poll then keeps a
    // few hundred bytes, not the 3.6 KB their state would add to it (ten thousand accounts'
    // tasks, nearly all of them waiting).
    let last_success = Box::pin(publish_stored(&state, &account)).await;
    // An account polled recently (before a restart or reload) waits out the rest of its
    // interval; a new one starts soon, spread over a short window so that thousands of
    // accounts do not start at once.
    let since_last = last_success
        .and_then(|t| (Utc::now() - t).to_std().ok())
        .filter(|d| *d < interval);
    let mut wait = match since_last {
        Some(elapsed) => jitter.stretch(interval - elapsed, config.poll.jitter),
        None => jitter
            .stretch(interval.min(Duration::from_secs(10)), 0.5)
            .mul_f64(0.5),
    };
    loop {
        let forced = tokio::select! {
            _ = tokio::time::sleep(wait) => false,
            _ = async { match &refresh { Some(n) => n.notified().await, None => std::future::pending().await } } => true,
            _ = stop.changed() => false,
        };
        if *stop.borrow() {
            return;
        }
        // A lease that ran out without renewal (the store stopped answering): skip the turn;
        // the lease loop stops this task or renews the lease.
        if !state.may_poll(&account.name) {
            tracing::debug!(account = %account.name, "lease not renewed in time; poll skipped");
            wait = jitter.stretch(interval, config.poll.jitter);
            continue;
        }
        // A poll that has started finishes (its HTTP requests are bounded by the client's
        // timeouts; whoever stops this task waits a grace period and then aborts it): cut
        // between the answer and the commit, the next poller of the account, here or on another
        // replica, would fetch the same page again at once.
        Box::pin(poll_once(&state, &account, &client, forced)).await;
        wait = jitter.stretch(interval, config.poll.jitter);
    }
}

/// What the store holds for an account, read in one blocking call: the latest report and when
/// it was recorded, the posts stored and the fetch state.
type Stored = (
    Option<AccountReport>,
    Option<DateTime<Utc>>,
    u64,
    FetchState,
);

/// Publishes what the store already knows about an account (after a restart or reload), so
/// that metrics and the API answer before the first new poll.
async fn publish_stored(state: &Arc<State>, account: &Account) -> Option<chrono::DateTime<Utc>> {
    let key = state.key(&account.name)?;
    let store = state.store.clone();
    let former = AccountKey {
        name: key.name.clone(),
        platform: account.source.platform_in_0_1_stores(),
    };
    let stored = state
        .run_blocking(move || -> Result<Option<Stored>, StoreError> {
            // History that echoscope 0.1 filed under a wrongly guessed platform moves to the
            // account's key before anything reads it; afterwards this finds nothing to move.
            if former != key && store.move_account(&former, &key)? {
                tracing::info!(
                    account = %key.name,
                    from = former.platform.as_str(),
                    to = key.platform.as_str(),
                    "stored history moved to the platform the source names"
                );
            }
            // One keyed lookup per account: listing every stored account here made a restart
            // with ten thousand accounts quadratic.
            let fetch_state = match store.fetch_state(&key) {
                Ok(s) => s,
                Err(StoreError::UnknownAccount(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            Ok(Some((
                store.latest_report(&key)?,
                store.runs(&key, 1)?.first().map(|r| r.at),
                store.post_count(&key)?,
                fetch_state,
            )))
        })
        .await;
    // A store error and a failed blocking task are logged alike.
    let (report, analysed_at, posts, fetch_state) =
        match stored.and_then(|r| r.map_err(|e| e.to_string())) {
            Ok(Some(stored)) => stored,
            Ok(None) => return None,
            Err(e) => {
                tracing::error!(account = %account.name, error = %e, "cannot read stored history");
                return None;
            }
        };
    if let Some(report) = report {
        state.metrics.observe_report(account, &report, posts);
        let hash = report_hash(&report);
        state.update_status(&account.name, |s| {
            s.platform = Some(report.platform);
            s.score = Some(report.score);
            s.findings = report.findings.len() as u64;
            s.report_hash = Some(hash);
        });
    }
    if let Some(at) = fetch_state.last_success {
        let platform = state
            .status(&account.name)
            .platform
            .unwrap_or(state_platform(state, account));
        state.metrics.observe_fetch(
            account,
            platform.as_str(),
            true,
            at.timestamp_millis() as f64 / 1000.0,
        );
    }
    state.update_status(&account.name, |s| {
        s.posts_stored = posts;
        s.last_success_at = fetch_state.last_success;
    });
    // Posts stored but never analysed (a poller stopped between its commit and its analysis:
    // a hand-over, a reload, a crash) are analysed now, not an interval from now. (A stored
    // report older than the last fetch is analysed again at the first poll, as after any
    // restart.)
    let unanalysed = fetch_state.last_success.is_some() && analysed_at.is_none();
    if unanalysed && posts > 0 {
        if let Some(key) = state.key(&account.name) {
            analyse(state, account, &key, posts, Utc::now()).await;
        }
    }
    fetch_state.last_success
}

fn state_platform(state: &Arc<State>, account: &Account) -> crate::model::Platform {
    state
        .key(&account.name)
        .map(|k| k.platform)
        .unwrap_or(crate::model::Platform::Other)
}

/// One fetch, store and analysis of an account. Errors are recorded, not returned. `forced`
/// (an operator's refresh) analyses the account even when nothing new came.
pub async fn poll_once(
    state: &Arc<State>,
    account: &Account,
    client: &crate::sources::http::Client,
    forced: bool,
) {
    let Some(key) = state.key(&account.name) else {
        return;
    };
    let kind = account.source.kind();
    let started = std::time::Instant::now();
    let now = Utc::now();
    state.update_status(&account.name, |s| s.last_fetch_at = Some(now));
    let store = state.store.clone();
    let prior = {
        let key = key.clone();
        let handle = account.source.handle();
        state
            .run_blocking(move || {
                store.ensure_account(&key, &handle)?;
                store.fetch_state(&key)
            })
            .await
    };
    let prior = match prior {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return record_failure(state, account, &key, kind, e.to_string()),
        Err(e) => return record_failure(state, account, &key, kind, e),
    };
    let fetched = fetch(state, account, client, &prior).await;
    state
        .metrics
        .fetch_duration
        .with_label_values(&[kind.as_str()])
        .observe(started.elapsed().as_secs_f64());
    let fetched = match fetched {
        Ok(f) => f,
        Err((result, message)) => {
            state
                .metrics
                .fetches
                .with_label_values(&[kind.as_str(), result])
                .inc();
            return record_failure(state, account, &key, kind, message);
        }
    };
    let result = if fetched.timeline.is_some() {
        "ok"
    } else {
        "not_modified"
    };
    state
        .metrics
        .fetches
        .with_label_values(&[kind.as_str(), result])
        .inc();
    let mut new_state = fetched.state;
    new_state.last_success = Some(now);
    let platform = fetched.timeline.as_ref().map(|t| t.platform);
    let store = state.store.clone();
    let lease = state.lease(&account.name);
    let stored = {
        let key = key.clone();
        state
            .run_blocking(move || -> Result<(usize, u64), StoreError> {
                // The cursor moves in the same transaction as the posts it covers: a crash
                // fetches them again rather than skipping them.
                let new = store.commit_fetch(
                    &key,
                    fetched.timeline.as_ref(),
                    &new_state,
                    lease.as_ref(),
                )?;
                Ok((new, store.post_count(&key)?))
            })
            .await
    };
    let (new_posts, posts_stored) = match stored {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return record_failure(state, account, &key, kind, e.to_string()),
        Err(e) => return record_failure(state, account, &key, kind, e),
    };
    // A 304 does not say the platform: keep the one learnt from an earlier fetch.
    let label_platform = platform
        .or(state.status(&account.name).platform)
        .unwrap_or(key.platform);
    state.metrics.observe_fetch(
        account,
        label_platform.as_str(),
        true,
        now.timestamp_millis() as f64 / 1000.0,
    );
    state.update_status(&account.name, |s| {
        s.last_success_at = Some(now);
        s.last_error = None;
        s.posts_stored = posts_stored;
        if platform.is_some() {
            s.platform = platform;
        }
    });
    let status = state.status(&account.name);
    let stale = status
        .analysed_at
        .and_then(|t| (now - t).to_std().ok())
        .is_none_or(|age| age >= REANALYSE_EVERY);
    // A poll that brought nothing new changes no result: analysing again would only burn CPU
    // (and, before this check, stored an identical report per poll).
    if forced
        || new_posts > 0
        || stale
        || status.analysed_generation != Some(state.analysis_generation())
    {
        analyse(state, account, &key, posts_stored, now).await;
    }
    save_status(state, account, &key);
}

/// Saves the account's status in the store in the background, so that the other replicas'
/// API and pages show it (a lost save only leaves the previous status showing).
fn save_status(state: &Arc<State>, account: &Account, key: &AccountKey) {
    let Ok(json) = serde_json::to_string(&state.status(&account.name)) else {
        return;
    };
    let store = state.store.clone();
    let key = key.clone();
    let name = account.name.clone();
    // Through the work permits like every other store call of a poll: ten thousand pollers
    // finishing their first poll must not open ten thousand database connections at once.
    let state = state.clone();
    tokio::spawn(async move {
        let saved = state
            .run_blocking(move || store.save_status(&key, &json))
            .await;
        if let Err(e) = saved.and_then(|r| r.map_err(|e| e.to_string())) {
            tracing::debug!(account = %name, error = %e, "status not saved");
        }
    });
}

/// Re-runs the detectors at `now` over the account's stored history within its retention, and
/// records the run when its result differs from the last recorded one (the score history stays
/// complete: an unchanged result is the previous run's).
pub async fn analyse(
    state: &Arc<State>,
    account: &Account,
    key: &AccountKey,
    posts_stored: u64,
    now: DateTime<Utc>,
) {
    let config = state.config();
    let generation = state.analysis_generation();
    let store = state.store.clone();
    let key2 = key.clone();
    // The window the store keeps: analysing less would drop findings `scan` of the same
    // history shows.
    let since = retention_cutoff(config.retention_days(account), now);
    let detectors = config.detectors.clone();
    let status = state.status(&account.name);
    let platform_hint = status.platform;
    let previous = status.report_hash;
    let result = state
        .run_blocking(move || {
            // Timed here, not around the await: the wait for a work permit is not analysis.
            let started = std::time::Instant::now();
            let mut timeline = store.timeline(&key2, since)?;
            if let Some(p) = platform_hint {
                timeline.platform = p;
            }
            let report = crate::scan::analyse(&timeline, &detectors, now);
            let hash = report_hash(&report);
            if previous != Some(hash) {
                store.record_run(&key2, &report)?;
            }
            Ok::<_, StoreError>((report, hash, started.elapsed()))
        })
        .await;
    match result {
        Ok(Ok((report, hash, took))) => {
            state.metrics.analysis_duration.observe(took.as_secs_f64());
            state.metrics.observe_report(account, &report, posts_stored);
            state.update_status(&account.name, |s| {
                s.score = Some(report.score);
                s.findings = report.findings.len() as u64;
                s.analysed_at = Some(now);
                s.analysed_generation = Some(generation);
                s.report_hash = Some(hash);
            });
        }
        Ok(Err(e)) => tracing::error!(account = %account.name, error = %e, "analysis failed"),
        Err(e) => tracing::error!(account = %account.name, error = %e, "analysis task failed"),
    }
}

/// A hash of a report's content, to tell whether a run changed anything.
fn report_hash(report: &AccountReport) -> u64 {
    serde_json::to_vec(report)
        .map(|bytes| xxhash_rust::xxh3::xxh3_64(&bytes))
        .unwrap_or(0)
}

fn record_failure(
    state: &Arc<State>,
    account: &Account,
    key: &AccountKey,
    kind: SourceKind,
    message: String,
) {
    tracing::warn!(account = %account.name, source = %account.source, kind = kind.as_str(), error = %message, "poll failed");
    mark_failed(state, account, key, message);
}

/// Shows a failed poll: the fetch-success gauge at 0, `message` as the account's last error,
/// and the status saved for the other replicas. Also used when a poller ended on a panic.
pub(crate) fn mark_failed(
    state: &Arc<State>,
    account: &Account,
    key: &AccountKey,
    message: String,
) {
    let platform = state.status(&account.name).platform.unwrap_or(key.platform);
    state
        .metrics
        .observe_fetch(account, platform.as_str(), false, 0.0);
    state.update_status(&account.name, |s| s.last_error = Some(message));
    save_status(state, account, key);
}

/// Fetches new posts from the account's source. Errors come as (metric result, message).
async fn fetch(
    state: &Arc<State>,
    account: &Account,
    client: &crate::sources::http::Client,
    prior: &FetchState,
) -> Result<Fetched, (&'static str, String)> {
    match account.source.spec() {
        SourceSpec::File { path, handle } => {
            let key = state.key(&account.name);
            fetch_file(state, key, path.clone(), handle.clone(), prior.clone()).await
        }
        SourceSpec::Live(spec) => fetch_live(state, client, account, spec, prior).await,
    }
}

/// A watched archive or JSONL file: re-read when its modification time or size changes (or
/// the account's `handle` does).
///
/// Only a regular file is read: a named pipe would block the read until something writes to
/// it (the account pending forever), a device would never end. And the read is bounded in
/// time, so that no file (a stalled network mount) holds a poller, or the shutdown that waits
/// for the pollers, for ever. The handle and platform the file names are recorded on the
/// account's row (its key keeps the path and `other`: they are known only once the file is
/// read), so that `echoscope export` writes them.
async fn fetch_file(
    state: &Arc<State>,
    key: Option<AccountKey>,
    path: PathBuf,
    handle: Option<String>,
    prior: FetchState,
) -> Result<Fetched, (&'static str, String)> {
    /// The longest a file may take to read: ample for an archive of gigabytes on a disk.
    const READ_LIMIT: Duration = Duration::from_secs(300);
    let shown = path.display().to_string();
    let store = state.store.clone();
    let read = state.run_blocking(move || {
        let meta = std::fs::metadata(&path)
            .map_err(|e| ("io_error", format!("{}: {e}", path.display())))?;
        if let Some(what) = crate::sources::not_a_file(&meta) {
            return Err((
                "invalid",
                format!(
                    "{}: not a regular file ({what}); a `file:` source must be a file or an \
                         export's folder",
                    path.display()
                ),
            ));
        }
        // The handle is part of the stamp: choosing another account of an unchanged file must
        // read it again. (Stamps before the handle had two fields: every file is read once
        // more after the upgrade, which records the handle and platform it names.)
        let stamp = format!(
            "{}:{}:{}",
            meta.len(),
            meta.modified()
                .ok()
                .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0),
            handle.as_deref().unwrap_or_default()
        );
        if prior.etag.as_deref() == Some(stamp.as_str()) {
            return Ok(Fetched {
                timeline: None,
                state: prior,
            });
        }
        let (_, batch) = crate::sources::read(&path, None, &crate::sources::Limits::default())
            .map_err(|e| ("invalid", e.to_string()))?;
        let mut timeline = pick_account(batch.timelines, handle.as_deref())
            .map_err(|message| ("invalid", format!("{}: {message}", path.display())))?;
        timeline.finish();
        // Recorded before the posts are committed: a crash in between leaves the file's stamp
        // unmoved, so the next poll reads it and records both again. A failure here only
        // costs the export its names; the commit that follows reports a broken store.
        if let Some(key) = &key {
            if let Err(e) = store.record_identity(key, &timeline.account, timeline.platform) {
                tracing::warn!(account = %key.name, error = %e, "file's handle and platform not recorded");
            }
        }
        let state = FetchState {
            etag: Some(stamp),
            backfilled: true,
            ..prior
        };
        Ok(Fetched {
            timeline: Some(timeline),
            state,
        })
    });
    match tokio::time::timeout(READ_LIMIT, read).await {
        Ok(done) => done.map_err(|e| ("internal", e))?,
        // The blocked thread is left behind (a blocking read cannot be cancelled); the poller
        // goes on, and the daemon does not wait for it when it stops.
        Err(_) => Err((
            "timeout",
            format!("{shown}: reading took longer than {READ_LIMIT:?}; left behind"),
        )),
    }
}

/// The most accounts an error about a file's accounts lists: a data set of thousands would make
/// a status no one reads.
const ACCOUNTS_LISTED: usize = 20;

/// The timeline of a watched file's account: its only one, or the one `handle` names. A file
/// of several accounts without a handle is refused, never analysed as one account, and every
/// refusal names the accounts the file holds (handle and platform) and how to pick one.
fn pick_account(mut timelines: Vec<Timeline>, handle: Option<&str>) -> Result<Timeline, String> {
    let listed = |picked: &[usize], timelines: &[Timeline]| {
        let mut names: Vec<String> = picked
            .iter()
            .take(ACCOUNTS_LISTED)
            .map(|&i| format!("{} ({})", timelines[i].account, timelines[i].platform))
            .collect();
        if picked.len() > ACCOUNTS_LISTED {
            names.push(format!("and {} more", picked.len() - ACCOUNTS_LISTED));
        }
        names.join(", ")
    };
    let all: Vec<usize> = (0..timelines.len()).collect();
    let picked: Vec<usize> = match handle {
        None => all.clone(),
        // Handles are compared as platforms treat them: without a leading `@`, in any case.
        Some(handle) => {
            let wanted = handle.trim_start_matches('@');
            all.iter()
                .copied()
                .filter(|&i| {
                    timelines[i]
                        .account
                        .trim_start_matches('@')
                        .eq_ignore_ascii_case(wanted)
                })
                .collect()
        }
    };
    match (picked.as_slice(), handle) {
        ([i], _) => Ok(timelines.swap_remove(*i)),
        ([], _) if timelines.is_empty() => Err("no posts".to_string()),
        ([], Some(handle)) => Err(format!(
            "no account {handle:?} in the file; it holds: {}",
            listed(&all, &timelines)
        )),
        (_, None) => Err(format!(
            "holds {} accounts: {}; set `handle` on this account to the one to watch (one \
             [[accounts]] entry per account of the file)",
            timelines.len(),
            listed(&all, &timelines)
        )),
        (_, Some(handle)) => Err(format!(
            "holds several accounts with the handle {handle:?}: {}; give each platform a file \
             of its own",
            listed(&picked, &timelines)
        )),
    }
}

/// A feed, Mastodon or Bluesky account, through the shared polite client.
async fn fetch_live(
    state: &Arc<State>,
    client: &crate::sources::http::Client,
    account: &Account,
    spec: &LiveSpec,
    prior: &FetchState,
) -> Result<Fetched, (&'static str, String)> {
    let config = state.config();
    // The AppView is a setting of the daemon (a reload may change it), not of the source.
    let spec = match spec {
        LiveSpec::Bluesky { .. } => spec
            .clone()
            .with_base_url(config.poll.bluesky_appview.clone()),
        LiveSpec::Feed { .. } | LiveSpec::Mastodon { .. } => spec.clone(),
    };
    let fetched = crate::sources::live::fetch(client, &spec, prior, config.poll.backfill_posts)
        .await
        .map_err(|e| (e.kind(), e.to_string()))?;
    // Both kinds of drop land here: a date that cannot be right, and a repeated post id (pages
    // that overlap repeat posts exactly). The first example says which; this once called them
    // all "implausible dates".
    if let Some(first) = fetched.timeline.dropped.examples.first() {
        tracing::warn!(
            account = %account.name,
            source = %account.source,
            dropped = fetched.timeline.dropped.count,
            first = %format!("{}: {}", first.record, first.reason),
            "posts left out: repeated post ids or dates that cannot be right"
        );
    }
    if fetched.skipped.count > 0 {
        tracing::warn!(
            account = %account.name,
            source = %account.source,
            skipped = fetched.skipped.count,
            "damaged records skipped"
        );
    }
    Ok(Fetched {
        timeline: (!fetched.not_modified).then_some(fetched.timeline),
        state: fetched.new_state,
    })
}

/// The HTTP client configuration from the daemon's `[poll]` section.
pub fn client_config(config: &crate::config::Config) -> crate::sources::http::ClientConfig {
    let mut c = crate::sources::http::ClientConfig {
        timeout: Duration::from_secs(config.poll.timeout_seconds.max(1)),
        max_body_bytes: config.poll.max_body_bytes,
        retries: config.poll.retries,
        max_block: Duration::from_secs(config.poll.max_retry_after_seconds),
        per_host_concurrency: config.poll.per_host_concurrency.max(1),
        ..Default::default()
    };
    if !config.poll.contact.is_empty() {
        c.user_agent = format!("{} {}", c.user_agent, config.poll.contact);
    }
    c
}
