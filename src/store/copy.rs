//! `echoscope store copy --from <sqlite path or url> --to <url>`: moves a one-machine history
//! into PostgreSQL (or back), account by account, through the [`Store`] trait only, so any
//! backend copies to any other.
//!
//! Idempotent and resumable without bookkeeping of its own: posts and direct messages are
//! inserted ignoring ones already there, a run is imported unless the target has one at the
//! same time with the same content ([`Store::import_run`]), and the fetch state is written only
//! when it differs. Copying twice copies nothing the second time, and a copy that was
//! interrupted is finished by running it again. Within an account the fetch state goes last,
//! so an interrupted copy never leaves a cursor ahead of the posts it stands for.

use super::{AccountKey, Store, StoreError};

/// Runs read from the source per call (their reports can be large).
const RUN_PAGE: usize = 500;

/// What was copied for one account (only what the target did not have yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCopy {
    pub key: AccountKey,
    /// The account itself was new in the target.
    pub account: bool,
    pub posts: u64,
    pub direct_messages: u64,
    /// The fetch state was written (it differed).
    pub fetch_state: bool,
    pub runs: u64,
}

/// What a whole copy did, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub accounts: u64,
    pub posts: u64,
    pub direct_messages: u64,
    pub fetch_states: u64,
    pub runs: u64,
}

impl Copied {
    fn add(&mut self, a: &AccountCopy) {
        self.accounts += u64::from(a.account);
        self.posts += a.posts;
        self.direct_messages += a.direct_messages;
        self.fetch_states += u64::from(a.fetch_state);
        self.runs += a.runs;
    }

    /// Whether nothing was copied (the target already had everything).
    pub fn is_empty(&self) -> bool {
        *self == Copied::default()
    }
}

/// Copies every account of `from` into `to`, calling `each` after every account.
pub fn copy(
    from: &dyn Store,
    to: &dyn Store,
    mut each: impl FnMut(&AccountCopy),
) -> Result<Copied, StoreError> {
    let mut copied = Copied::default();
    let existing = to.accounts()?;
    for key in from.accounts()? {
        let done = copy_account(from, to, &key, existing.contains(&key))?;
        copied.add(&done);
        each(&done);
    }
    Ok(copied)
}

/// Copies one account: history, runs, then fetch state. `exists` says whether the target had
/// the account before (only for the count).
pub fn copy_account(
    from: &dyn Store,
    to: &dyn Store,
    key: &AccountKey,
    exists: bool,
) -> Result<AccountCopy, StoreError> {
    let timeline = from.timeline(key, None)?;
    to.ensure_account(key, &timeline.account)?;
    // A watched file's identity (its handle and platform, recorded apart from its key) goes
    // along: the copy exports as the original does.
    if timeline.platform != key.platform {
        to.record_identity(key, &timeline.account, timeline.platform)?;
    }
    let posts = to.insert_posts(key, &timeline.posts)? as u64;
    let direct_messages = to.insert_direct_messages(key, &timeline.direct_messages)? as u64;
    drop(timeline);

    let mut runs = 0;
    let mut since = None;
    let mut page = RUN_PAGE;
    loop {
        let batch = from.runs_since(key, since, page)?;
        for stored in &batch {
            if to.import_run(key, stored.run.at, &stored.report)?.is_some() {
                runs += 1;
            }
        }
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        if batch.len() < page {
            break;
        }
        if first.run.at == last.run.at {
            // A whole page at one time: the next page from that time would be the same one.
            page = page.saturating_mul(2);
            continue;
        }
        // Runs at the last time are read again from the next page; their import is a no-op.
        since = Some(last.run.at);
    }

    let state = from.fetch_state(key)?;
    let fetch_state = to.fetch_state(key)? != state;
    if fetch_state {
        to.set_fetch_state(key, &state)?;
    }
    Ok(AccountCopy {
        key: key.clone(),
        account: !exists,
        posts,
        direct_messages,
        fetch_state,
        runs,
    })
}
