//! The PostgreSQL store: one database shared by several daemon replicas that split the
//! accounts between them (`[store] url = "postgres://user@host:5432/echoscope"`).
//!
//! Client: the blocking `postgres` crate (a synchronous wrapper over `tokio-postgres` that
//! drives each connection on a small runtime of its own), because the [`Store`] trait is
//! blocking and is called from tokio's blocking pool and from the synchronous CLI. Its calls
//! must not run on an async worker thread (they would start a runtime inside a runtime), so
//! [`Postgres::open`] and the drop of the last handle hop to a plain thread when they find one:
//! the daemon opens and drops the store from async code. No TLS (`sslmode=disable` or
//! `prefer`, which then speaks plain TCP; `require` fails to connect): run the database on a
//! private network or a Unix socket.
//!
//! Round trips: the statements of a poll's path (the account, the lease check, the inserts, the
//! cursor) are sent with their parameter types (`query_typed`), one round trip each instead of a
//! prepare and an execute.
//!
//! Connections: a small pool kept by hand, like the SQLite readers. A call whose connection
//! turns out broken (the server restarted, a fail-over) reconnects and retries with
//! exponential backoff for a bounded time ([`RETRY_FOR`]), and [`Store::reconnects`] counts
//! every recovery; [`Store::check`] (readiness) gives up after [`CHECK_WITHIN`]. Retrying a
//! whole transaction is safe because every write is idempotent: posts and messages are
//! inserted with `ON CONFLICT DO NOTHING`, fetch state is an upsert, and a run is recorded
//! once per content.
//!
//! Schema: numbered migrations in `postgres/migrations/`, embedded, applied in one transaction
//! under a transaction-level advisory lock (`pg_advisory_xact_lock`), so replicas starting at
//! once migrate once; the version is a row per migration in `echoscope_schema_version`. A
//! database with a newer version, or with tables but no version table (not echoscope's), is
//! refused. Times are BIGINT microseconds as in SQLite; lease times are the database's clock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backon::BackoffBuilder;
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, IsolationLevel, NoTls, Row, Transaction};

use super::{AccountKey, Backend, Lease, Leases, Run, Store, StoreError, StoredRun};
use crate::model::AccountReport;
use crate::model::{DirectMessage, Platform, Post, PostKind, Timeline};
use crate::sources::live::FetchState;

/// The migrations, in order: migration `i` (0-based) brings the database to version `i + 1`.
/// Append only; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("postgres/migrations/0001_initial.sql"),
    include_str!("postgres/migrations/0002_account_status.sql"),
    include_str!("postgres/migrations/0003_heartbeat_leases.sql"),
    include_str!("postgres/migrations/0004_identity.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The table holding the applied schema versions, one row each.
pub const VERSION_TABLE: &str = "echoscope_schema_version";

/// The advisory lock key migrations run under ("ECHOSCOP" in ASCII).
const MIGRATION_LOCK: i64 = 0x4543_484F_5343_4F50;

/// How long one call keeps reconnecting and retrying before it reports the failure.
pub const RETRY_FOR: Duration = Duration::from_secs(20);

/// How long [`Store::check`] tries: readiness must answer in seconds, not minutes.
pub const CHECK_WITHIN: Duration = Duration::from_secs(2);

/// How long opening a TCP connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Connections kept open between calls; more are opened under load and closed after.
const IDLE_CONNECTIONS: usize = 8;

/// The most accounts one lease round claims (see [`Store::leases`]).
pub const CLAIM_BATCH: i64 = 10_000;

/// Rows per INSERT statement (sent as arrays through `unnest`, one round trip each).
const INSERT_CHUNK: usize = 5_000;

/// Whether `location` is a PostgreSQL URL (rather than a SQLite path).
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The database's name as logs and errors show it, `user@host:port/db`: never the password.
pub fn redact(config: &postgres::Config) -> String {
    let user = config.get_user().unwrap_or("");
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() { "" } else { "@" };
    format!("postgres://{user}{at}{host}:{port}/{db}")
}

/// The PostgreSQL store. Open it once and share it (`Arc<Postgres>`) between threads.
pub struct Postgres {
    /// `postgres://user@host:port/db`, for errors and logs.
    label: String,
    config: postgres::Config,
    pool: Mutex<Vec<Client>>,
    /// Set when a connection was found broken (or could not be made); the next connection made
    /// counts as a reconnect.
    lost: AtomicBool,
    reconnects: AtomicU64,
    /// The hash of the account list whose lease rows the last lease round made sure exist:
    /// rows are never deleted, so a round inserts them only when the configured accounts
    /// change, not on every round.
    ensured: Mutex<Option<i64>>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("database", &self.label)
            .finish()
    }
}

/// What a transaction body can fail with: the database (maybe worth a retry) or the store's
/// own verdict (never retried).
enum Failure {
    Pg(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Pg(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Whether an error means the connection (not the statement) failed: a closed socket, a
/// refused or timed-out connect, the server shutting down or starting up. Serialisation
/// failures and deadlocks are retried too: the transaction is simply run again.
fn transient(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                ]
                .contains(code)
        }
        // No SQLSTATE: an I/O error, a timeout, a connection that never came up.
        None => {
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                if s.is::<std::io::Error>() {
                    return true;
                }
                source = s.source();
            }
            e.to_string().contains("timed out") || e.to_string().contains("closed")
        }
    }
}

/// Whether an error is only about the connection (the others also get retried, on the same
/// connection; these need a new one).
fn connection_lost(e: &postgres::Error) -> bool {
    transient(e)
        && !matches!(
            e.code(),
            Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
        )
}

/// Runs `f` on a plain thread when called inside a tokio runtime (an async worker thread
/// would panic when the blocking client starts its own runtime); directly otherwise. On a
/// blocking-pool thread the hop is not needed but harmless: it happens only when opening and
/// closing the store.
fn off_async_worker<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        f()
    }
}

impl Postgres {
    /// Connects to the database at `url` and brings its schema up to date.
    ///
    /// Fails with a message naming the database (never the password) when the URL is not
    /// valid, the server cannot be reached, or the database is another program's or was
    /// written by a newer echoscope.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let mut config: postgres::Config = url.parse().map_err(|e| StoreError::Backend {
            backend: Backend::Postgres,
            // The URL did not parse, so its parts are unknown: show none of it.
            path: "postgres URL".to_string(),
            source: Box::new(e),
        })?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            // Data the server has not acknowledged within this time means the link is gone (a
            // kernel-level ACK, so a long query does not trip it): a call on a dead pooled
            // connection fails in seconds, not after the system's 15-minute default.
            .tcp_user_timeout(Duration::from_secs(5));
        if config.get_application_name().is_none() {
            config.application_name("echoscope");
        }
        let store = Postgres {
            label: redact(&config),
            config,
            pool: Mutex::new(Vec::new()),
            lost: AtomicBool::new(false),
            reconnects: AtomicU64::new(0),
            ensured: Mutex::new(None),
        };
        off_async_worker(|| store.migrate())?;
        Ok(store)
    }

    /// The database as logs show it: `postgres://user@host:port/db`.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn backend_error(&self, e: postgres::Error) -> StoreError {
        StoreError::Backend {
            backend: Backend::Postgres,
            path: self.label.clone(),
            source: Box::new(e),
        }
    }

    fn schema_error(&self, reason: String) -> StoreError {
        StoreError::Schema {
            path: self.label.clone(),
            reason,
        }
    }

    fn corrupt(&self, what: &str, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.label.clone(),
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }

    /// A pooled connection, or a new one.
    fn connection(&self) -> Result<Client, postgres::Error> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        if let Some(client) = pooled {
            if !client.is_closed() {
                return Ok(client);
            }
            self.lost.store(true, Ordering::SeqCst);
        }
        match self.config.connect(NoTls) {
            Ok(client) => {
                if self.lost.swap(false, Ordering::SeqCst) {
                    self.reconnects.fetch_add(1, Ordering::SeqCst);
                    tracing::info!(database = %self.label, "store: reconnected to PostgreSQL");
                }
                Ok(client)
            }
            Err(e) => {
                self.lost.store(true, Ordering::SeqCst);
                Err(e)
            }
        }
    }

    fn give_back(&self, client: Client) {
        if client.is_closed() {
            return;
        }
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < IDLE_CONNECTIONS {
            pool.push(client);
        }
    }

    /// Runs `f` on a connection, retrying with backoff for up to `budget` while the failure is
    /// transient (a lost connection gets a new one).
    fn with_client<T>(
        &self,
        budget: Duration,
        mut f: impl FnMut(&mut Client) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + budget;
        let mut delays = backon::ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(50))
            .with_max_delay(Duration::from_secs(2))
            .with_jitter()
            .without_max_times()
            .build();
        loop {
            let error = match self.connection() {
                Ok(mut client) => match f(&mut client) {
                    Ok(value) => {
                        self.give_back(client);
                        return Ok(value);
                    }
                    Err(Failure::Store(e)) => {
                        self.give_back(client);
                        return Err(e);
                    }
                    Err(Failure::Pg(e)) => {
                        if connection_lost(&e) {
                            self.lost.store(true, Ordering::SeqCst);
                        } else {
                            self.give_back(client);
                        }
                        e
                    }
                },
                Err(e) => e,
            };
            if !transient(&error) {
                return Err(self.backend_error(error));
            }
            let delay = delays.next().unwrap_or(Duration::from_secs(2));
            if Instant::now() + delay >= deadline {
                tracing::warn!(database = %self.label, error = %error, "store: giving up");
                return Err(self.backend_error(error));
            }
            tracing::debug!(database = %self.label, error = %error, ?delay, "store: retrying");
            std::thread::sleep(delay);
        }
    }

    /// Runs `f` in one read-write transaction (READ COMMITTED; row locks where it matters),
    /// retried as a whole on a transient failure.
    fn write<T>(
        &self,
        mut f: impl FnMut(&mut Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.with_client(RETRY_FOR, |client| {
            let mut tx = client.transaction()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    /// Runs `f` in one read-only REPEATABLE READ transaction: every query sees one snapshot.
    fn read<T>(
        &self,
        mut f: impl FnMut(&mut Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.with_client(RETRY_FOR, |client| {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    /// Brings the schema to [`SCHEMA_VERSION`] in one transaction under the migration lock.
    fn migrate(&self) -> Result<(), StoreError> {
        self.with_client(RETRY_FOR, |client| {
            let mut tx = client.transaction()?;
            // Held until commit: a second replica opening at the same time waits here, then
            // finds the schema current.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let has_versions: bool = tx
                .query_one(
                    "SELECT to_regclass(format('%I', $1::text)) IS NOT NULL",
                    &[&VERSION_TABLE],
                )?
                .get(0);
            let version: i32 = if has_versions {
                tx.query_one(
                    &format!("SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}"),
                    &[],
                )?
                .get(0)
            } else {
                let tables: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM pg_catalog.pg_class c
                         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')",
                        &[],
                    )?
                    .get(0);
                if tables > 0 {
                    return Err(Failure::Store(self.schema_error(format!(
                        "not an echoscope database: it has {tables} tables but no \
                         {VERSION_TABLE} table; use an empty database"
                    ))));
                }
                tx.batch_execute(&format!(
                    "CREATE TABLE {VERSION_TABLE} (
                        version INTEGER PRIMARY KEY,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )"
                ))?;
                0
            };
            if version > SCHEMA_VERSION {
                return Err(Failure::Store(self.schema_error(format!(
                    "schema version {version} is newer than this echoscope supports \
                     ({SCHEMA_VERSION}); use a newer echoscope or another database"
                ))));
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                let target = i as i32 + 1;
                tx.batch_execute(sql).map_err(|e| {
                    Failure::Store(self.schema_error(format!("migration {target} failed: {e}")))
                })?;
                tx.execute(
                    &format!("INSERT INTO {VERSION_TABLE} (version) VALUES ($1)"),
                    &[&target],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The account's row id and handle; with `lock`, the row is locked until the transaction
    /// ends (serialises `record_run` per account across replicas).
    fn account(
        &self,
        tx: &mut Transaction<'_>,
        key: &AccountKey,
        lock: bool,
    ) -> Result<(i64, String), Failure> {
        let sql = if lock {
            "SELECT id, handle FROM accounts WHERE name = $1 AND platform = $2 FOR UPDATE"
        } else {
            "SELECT id, handle FROM accounts WHERE name = $1 AND platform = $2"
        };
        let row = tx.query_typed_opt(
            sql,
            &[
                (&key.name, Type::TEXT),
                (&key.platform.as_str(), Type::TEXT),
            ],
        )?;
        match row {
            Some(r) => Ok((r.get(0), r.get(1))),
            None => Err(Failure::Store(StoreError::UnknownAccount(key.name.clone()))),
        }
    }

    fn insert_posts_in(
        &self,
        tx: &mut Transaction<'_>,
        account_id: i64,
        posts: &[Post],
    ) -> Result<usize, Failure> {
        let mut new = 0;
        for chunk in posts.chunks(INSERT_CHUNK) {
            let mut ids = Vec::with_capacity(chunk.len());
            let mut created = Vec::with_capacity(chunk.len());
            let mut kinds = Vec::with_capacity(chunk.len());
            let mut texts = Vec::with_capacity(chunk.len());
            let mut reply_ids = Vec::with_capacity(chunk.len());
            let mut reply_accounts = Vec::with_capacity(chunk.len());
            let mut reply_created = Vec::with_capacity(chunk.len());
            let mut clients = Vec::with_capacity(chunk.len());
            let mut links = Vec::with_capacity(chunk.len());
            let mut langs = Vec::with_capacity(chunk.len());
            for p in chunk {
                ids.push(text(&p.id));
                created.push(micros(p.created_at));
                kinds.push(p.kind.as_str());
                texts.push(text(&p.text));
                reply_ids.push(opt_text(&p.reply_to_id));
                reply_accounts.push(opt_text(&p.reply_to_account));
                reply_created.push(p.reply_to_created_at.map(micros));
                clients.push(opt_text(&p.client));
                links.push(serde_json::to_string(&p.links).map_err(|e| {
                    Failure::Store(self.corrupt("posts.links", format!("post {}: {e}", p.id)))
                })?);
                langs.push(opt_text(&p.lang));
            }
            // WITH ORDINALITY keeps the batch order, so of two copies of one id in a batch the
            // first is kept, as SQLite's INSERT OR IGNORE does.
            new += tx.execute_typed(
                "INSERT INTO posts (account_id, post_id, created_at, kind, text, reply_to_id,
                        reply_to_account, reply_to_created_at, client, links, lang)
                 SELECT $1, p, c, k, t, ri, ra, rc, cl, l, la
                 FROM unnest($2::text[], $3::int8[], $4::text[], $5::text[], $6::text[],
                        $7::text[], $8::int8[], $9::text[], $10::text[], $11::text[])
                      WITH ORDINALITY AS x (p, c, k, t, ri, ra, rc, cl, l, la, n)
                 ORDER BY n
                 ON CONFLICT (account_id, post_id) DO NOTHING",
                &[
                    (&account_id, Type::INT8),
                    (&ids, Type::TEXT_ARRAY),
                    (&created, Type::INT8_ARRAY),
                    (&kinds, Type::TEXT_ARRAY),
                    (&texts, Type::TEXT_ARRAY),
                    (&reply_ids, Type::TEXT_ARRAY),
                    (&reply_accounts, Type::TEXT_ARRAY),
                    (&reply_created, Type::INT8_ARRAY),
                    (&clients, Type::TEXT_ARRAY),
                    (&links, Type::TEXT_ARRAY),
                    (&langs, Type::TEXT_ARRAY),
                ],
            )? as usize;
        }
        Ok(new)
    }

    fn insert_direct_messages_in(
        &self,
        tx: &mut Transaction<'_>,
        account_id: i64,
        messages: &[DirectMessage],
    ) -> Result<usize, Failure> {
        let mut new = 0;
        for chunk in messages.chunks(INSERT_CHUNK) {
            let ids: Vec<_> = chunk.iter().map(|m| text(&m.id)).collect();
            let conversations: Vec<_> = chunk.iter().map(|m| text(&m.conversation_id)).collect();
            let senders: Vec<_> = chunk.iter().map(|m| text(&m.sender)).collect();
            let recipients: Vec<_> = chunk.iter().map(|m| opt_text(&m.recipient)).collect();
            let created: Vec<i64> = chunk.iter().map(|m| micros(m.created_at)).collect();
            let texts: Vec<_> = chunk.iter().map(|m| text(&m.text)).collect();
            new += tx.execute_typed(
                "INSERT INTO direct_messages (account_id, message_id, conversation_id, sender,
                        recipient, created_at, text)
                 SELECT $1, i, c, s, r, t, x
                 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int8[],
                        $7::text[]) WITH ORDINALITY AS m (i, c, s, r, t, x, n)
                 ORDER BY n
                 ON CONFLICT (account_id, message_id) DO NOTHING",
                &[
                    (&account_id, Type::INT8),
                    (&ids, Type::TEXT_ARRAY),
                    (&conversations, Type::TEXT_ARRAY),
                    (&senders, Type::TEXT_ARRAY),
                    (&recipients, Type::TEXT_ARRAY),
                    (&created, Type::INT8_ARRAY),
                    (&texts, Type::TEXT_ARRAY),
                ],
            )? as usize;
        }
        Ok(new)
    }

    fn set_fetch_state_in(
        &self,
        tx: &mut Transaction<'_>,
        account_id: i64,
        state: &FetchState,
    ) -> Result<(), Failure> {
        tx.execute_typed(
            "INSERT INTO fetch_state (account_id, etag, last_modified, cursor, backfilled,
                    last_success)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (account_id) DO UPDATE SET etag = excluded.etag,
                    last_modified = excluded.last_modified, cursor = excluded.cursor,
                    backfilled = excluded.backfilled, last_success = excluded.last_success",
            &[
                (&account_id, Type::INT8),
                (&state.etag, Type::TEXT),
                (&state.last_modified, Type::TEXT),
                (&state.cursor, Type::TEXT),
                (&state.backfilled, Type::BOOL),
                (&state.last_success.map(micros), Type::INT8),
            ],
        )?;
        Ok(())
    }

    fn time(&self, what: &str, id: &str, v: i64) -> Result<DateTime<Utc>, Failure> {
        from_micros(v)
            .ok_or_else(|| Failure::Store(self.corrupt(what, format!("{id}: {v} out of range"))))
    }

    fn post_from_row(&self, row: &Row) -> Result<Post, Failure> {
        let id: String = row.try_get(0)?;
        let created_at = self.time("posts.created_at", &id, row.try_get(1)?)?;
        let kind_text: String = row.try_get(2)?;
        let kind = parse_kind(&kind_text).ok_or_else(|| {
            Failure::Store(self.corrupt(
                "posts.kind",
                format!("post {id}: unknown kind {kind_text:?}"),
            ))
        })?;
        let reply_to_created_at = match row.try_get::<_, Option<i64>>(5)? {
            Some(v) => Some(self.time("posts.reply_to_created_at", &id, v)?),
            None => None,
        };
        let links_json: String = row.try_get(8)?;
        let links: Vec<String> = serde_json::from_str(&links_json)
            .map_err(|e| Failure::Store(self.corrupt("posts.links", format!("post {id}: {e}"))))?;
        Ok(Post {
            text: row.try_get(3)?,
            reply_to_id: row.try_get(4)?,
            reply_to_created_at,
            reply_to_account: row.try_get(6)?,
            client: row.try_get(7)?,
            lang: row.try_get(9)?,
            id,
            created_at,
            kind,
            links,
        })
    }

    fn direct_message_from_row(&self, row: &Row) -> Result<DirectMessage, Failure> {
        let id: String = row.try_get(0)?;
        let created_at = self.time("direct_messages.created_at", &id, row.try_get(4)?)?;
        Ok(DirectMessage {
            conversation_id: row.try_get(1)?,
            sender: row.try_get(2)?,
            recipient: row.try_get(3)?,
            text: row.try_get(5)?,
            id,
            created_at,
        })
    }

    /// A run from `id, at, score, findings`.
    fn run_from_row(&self, row: &Row) -> Result<Run, Failure> {
        let id: i64 = row.try_get(0)?;
        let at = self.time("runs.at", &format!("run {id}"), row.try_get(1)?)?;
        let score: i64 = row.try_get(2)?;
        let findings: i64 = row.try_get(3)?;
        Ok(Run {
            id,
            at,
            score: u32::try_from(score).map_err(|_| {
                Failure::Store(self.corrupt("runs.score", format!("run {id}: {score}")))
            })?,
            findings: u64::try_from(findings).map_err(|_| {
                Failure::Store(self.corrupt("runs.findings", format!("run {id}: {findings}")))
            })?,
        })
    }

    fn report_from_json(&self, id: i64, json: &str) -> Result<AccountReport, Failure> {
        serde_json::from_str(json)
            .map_err(|e| Failure::Store(self.corrupt("runs.report", format!("run {id}: {e}"))))
    }

    fn encode_report(&self, report: &AccountReport) -> Result<String, StoreError> {
        serde_json::to_string(report)
            .map_err(|e| self.corrupt("runs.report", format!("cannot encode report: {e}")))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing a connection runs its runtime: not on an async worker thread (the daemon
        // drops the store in async code).
        let pool = std::mem::take(self.pool.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !pool.is_empty() {
            off_async_worker(move || drop(pool));
        }
    }
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(v: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
}

fn parse_kind(s: &str) -> Option<PostKind> {
    [
        PostKind::Original,
        PostKind::Reply,
        PostKind::Repost,
        PostKind::Quote,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

/// PostgreSQL text cannot hold NUL characters (SQLite's can), and a post that has one (a JSON
/// API may send `\u0000`) must not make its whole page fail to store forever: it is kept with
/// U+FFFD in its place.
fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn opt_text(s: &Option<String>) -> Option<std::borrow::Cow<'_, str>> {
    s.as_deref().map(text)
}

/// A lease time as seconds for `make_interval`.
fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Store for Postgres {
    fn ensure_account(&self, key: &AccountKey, handle: &str) -> Result<(), StoreError> {
        let now = micros(Utc::now());
        self.write(|tx| {
            // The newest configured handle wins, the history stays (as in SQLite).
            tx.execute(
                "INSERT INTO accounts (name, platform, handle, created) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name, platform) DO UPDATE SET handle = excluded.handle
                 WHERE accounts.handle <> excluded.handle",
                &[&key.name, &key.platform.as_str(), &handle, &now],
            )?;
            Ok(())
        })
    }

    fn record_identity(
        &self,
        key: &AccountKey,
        handle: &str,
        platform: Platform,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let updated = tx.execute(
                "UPDATE accounts SET seen_handle = $3, seen_platform = $4
                 WHERE name = $1 AND platform = $2",
                &[
                    &key.name,
                    &key.platform.as_str(),
                    &text(handle).as_ref(),
                    &platform.as_str(),
                ],
            )?;
            if updated == 0 {
                return Err(Failure::Store(StoreError::UnknownAccount(key.name.clone())));
            }
            Ok(())
        })
    }

    fn move_account(&self, from: &AccountKey, to: &AccountKey) -> Result<bool, StoreError> {
        self.write(|tx| {
            let moved = tx.execute(
                "UPDATE accounts SET name = $3, platform = $4
                 WHERE name = $1 AND platform = $2
                 AND NOT EXISTS (SELECT 1 FROM accounts WHERE name = $3 AND platform = $4)",
                &[
                    &from.name,
                    &from.platform.as_str(),
                    &to.name,
                    &to.platform.as_str(),
                ],
            );
            match moved {
                Ok(n) => Ok(n > 0),
                // Both keys taken by a concurrent insert: never merge.
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn insert_posts(&self, key: &AccountKey, posts: &[Post]) -> Result<usize, StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            self.insert_posts_in(tx, account_id, posts)
        })
    }

    fn insert_direct_messages(
        &self,
        key: &AccountKey,
        messages: &[DirectMessage],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            self.insert_direct_messages_in(tx, account_id, messages)
        })
    }

    fn timeline(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
    ) -> Result<Timeline, StoreError> {
        let since = since.map_or(i64::MIN, micros);
        self.read(|tx| {
            let (account_id, handle) = self.account(tx, key, false)?;
            let seen = tx.query_one(
                "SELECT seen_handle, seen_platform FROM accounts WHERE id = $1",
                &[&account_id],
            )?;
            let seen_handle: Option<String> = seen.get(0);
            let seen_platform: Option<String> = seen.get(1);
            let mut timeline = Timeline::new(
                seen_handle.unwrap_or(handle),
                seen_platform.map_or(key.platform, |p| Platform::parse(&p)),
            );
            for row in tx.query(
                "SELECT post_id, created_at, kind, text, reply_to_id, reply_to_created_at,
                    reply_to_account, client, links, lang
                 FROM posts WHERE account_id = $1 AND created_at >= $2
                 ORDER BY created_at, post_id COLLATE \"C\"",
                &[&account_id, &since],
            )? {
                timeline.posts.push(self.post_from_row(&row)?);
            }
            for row in tx.query(
                "SELECT message_id, conversation_id, sender, recipient, created_at, text
                 FROM direct_messages WHERE account_id = $1 AND created_at >= $2
                 ORDER BY created_at, message_id COLLATE \"C\"",
                &[&account_id, &since],
            )? {
                timeline
                    .direct_messages
                    .push(self.direct_message_from_row(&row)?);
            }
            timeline.finish();
            Ok(timeline)
        })
    }

    fn post_count(&self, key: &AccountKey) -> Result<u64, StoreError> {
        self.read(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            let n: i64 = tx
                .query_one(
                    "SELECT count(*) FROM posts WHERE account_id = $1",
                    &[&account_id],
                )?
                .get(0);
            Ok(n.max(0) as u64)
        })
    }

    fn fetch_state(&self, key: &AccountKey) -> Result<FetchState, StoreError> {
        self.read(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            let Some(row) = tx.query_opt(
                "SELECT etag, last_modified, cursor, backfilled, last_success
                 FROM fetch_state WHERE account_id = $1",
                &[&account_id],
            )?
            else {
                return Ok(FetchState::default());
            };
            let last_success = match row.try_get::<_, Option<i64>>(4)? {
                Some(v) => Some(self.time("fetch_state.last_success", &key.name, v)?),
                None => None,
            };
            Ok(FetchState {
                etag: row.try_get(0)?,
                last_modified: row.try_get(1)?,
                cursor: row.try_get(2)?,
                backfilled: row.try_get(3)?,
                last_success,
            })
        })
    }

    fn set_fetch_state(&self, key: &AccountKey, state: &FetchState) -> Result<(), StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            self.set_fetch_state_in(tx, account_id, state)
        })
    }

    fn commit_fetch(
        &self,
        key: &AccountKey,
        timeline: Option<&Timeline>,
        state: &FetchState,
        lease: Option<&Lease>,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            if let Some(lease) = lease {
                // FOR SHARE holds the row until commit: a replica claiming the account waits
                // for this write, then takes it with a newer token.
                let held = tx.query_typed_opt(
                    "SELECT 1 FROM leases l JOIN replicas r ON r.id = l.holder
                     WHERE l.account = $1 AND l.token = $2 AND r.expires_at > now()
                     FOR SHARE OF l",
                    &[(&lease.account, Type::TEXT), (&lease.token, Type::INT8)],
                )?;
                if held.is_none() {
                    return Err(Failure::Store(StoreError::LeaseLost {
                        account: lease.account.clone(),
                    }));
                }
            }
            let (account_id, _) = self.account(tx, key, false)?;
            let new = match timeline {
                Some(t) => {
                    self.insert_posts_in(tx, account_id, &t.posts)?
                        + self.insert_direct_messages_in(tx, account_id, &t.direct_messages)?
                }
                None => 0,
            };
            self.set_fetch_state_in(tx, account_id, state)?;
            Ok(new)
        })
    }

    fn record_run(
        &self,
        key: &AccountKey,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        let json = self.encode_report(report)?;
        let hash = super::content_hash(json.as_bytes());
        let findings = report.findings.len() as u64;
        self.write(|tx| {
            // The account row lock serialises this per account: two replicas recording the
            // same result around a hand-over record it once.
            let (account_id, _) = self.account(tx, key, true)?;
            let newest = tx.query_opt(
                "SELECT content_hash FROM runs WHERE account_id = $1
                 ORDER BY at DESC, id DESC LIMIT 1",
                &[&account_id],
            )?;
            if let Some(row) = newest {
                if row.try_get::<_, Option<i64>>(0)? == Some(hash) {
                    return Ok(None);
                }
            }
            let at_micros = micros(Utc::now());
            let at = self.time("runs.at", "new run", at_micros)?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO runs (account_id, at, score, findings, report, content_hash)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[
                        &account_id,
                        &at_micros,
                        &i64::from(report.score),
                        &i64::try_from(findings).unwrap_or(i64::MAX),
                        &json,
                        &hash,
                    ],
                )?
                .try_get(0)?;
            Ok(Some(Run {
                id,
                at,
                score: report.score,
                findings,
            }))
        })
    }

    fn latest_report(&self, key: &AccountKey) -> Result<Option<AccountReport>, StoreError> {
        self.read(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            let row = tx.query_opt(
                "SELECT id, report FROM runs WHERE account_id = $1
                 ORDER BY at DESC, id DESC LIMIT 1",
                &[&account_id],
            )?;
            match row {
                Some(r) => Ok(Some(self.report_from_json(r.try_get(0)?, r.try_get(1)?)?)),
                None => Ok(None),
            }
        })
    }

    fn runs(&self, key: &AccountKey, limit: usize) -> Result<Vec<Run>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            tx.query(
                "SELECT id, at, score, findings FROM runs WHERE account_id = $1
                 ORDER BY at DESC, id DESC LIMIT $2",
                &[&account_id, &limit],
            )?
            .iter()
            .map(|row| self.run_from_row(row))
            .collect()
        })
    }

    fn accounts(&self) -> Result<Vec<AccountKey>, StoreError> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT name, platform FROM accounts
                 ORDER BY name COLLATE \"C\", platform COLLATE \"C\"",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(AccountKey {
                        name: r.try_get(0)?,
                        platform: Platform::parse(r.try_get(1)?),
                    })
                })
                .collect()
        })
    }

    fn prune(
        &self,
        cutoff: &dyn Fn(&AccountKey) -> Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        self.write(|tx| {
            let accounts = tx.query("SELECT id, name, platform FROM accounts", &[])?;
            let mut removed = 0;
            for row in accounts {
                let id: i64 = row.try_get(0)?;
                let key = AccountKey {
                    name: row.try_get(1)?,
                    platform: Platform::parse(row.try_get(2)?),
                };
                let Some(before) = cutoff(&key) else {
                    continue;
                };
                for sql in [
                    "DELETE FROM posts WHERE account_id = $1 AND created_at < $2",
                    "DELETE FROM direct_messages WHERE account_id = $1 AND created_at < $2",
                    "DELETE FROM runs WHERE account_id = $1 AND at < $2",
                ] {
                    removed += tx.execute(sql, &[&id, &micros(before)])?;
                }
            }
            Ok(removed)
        })
    }

    fn size_bytes(&self) -> Result<u64, StoreError> {
        self.with_client(RETRY_FOR, |client| {
            let n: i64 = client
                .query_one("SELECT pg_database_size(current_database())", &[])?
                .try_get(0)?;
            Ok(n.max(0) as u64)
        })
    }

    fn save_status(&self, key: &AccountKey, status_json: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            tx.execute(
                "UPDATE accounts SET status = $2 WHERE id = $1",
                &[&account_id, &status_json],
            )?;
            Ok(())
        })
    }

    fn statuses(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT name, status FROM accounts WHERE status IS NOT NULL",
                &[],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn check(&self) -> Result<(), StoreError> {
        self.with_client(CHECK_WITHIN, |client| {
            let mut tx = client.transaction()?;
            // A standby (or a database set read-only) answers but cannot take writes.
            let writable: bool = tx
                .query_one(
                    "SELECT NOT pg_is_in_recovery()
                        AND current_setting('transaction_read_only') = 'off'",
                    &[],
                )?
                .try_get(0)?;
            tx.query_one("SELECT count(*) FROM accounts", &[])?;
            tx.commit()?;
            if writable {
                Ok(())
            } else {
                Err(Failure::Store(StoreError::Backend {
                    backend: Backend::Postgres,
                    path: self.label.clone(),
                    source: "the database is read-only (a standby?)".into(),
                }))
            }
        })
    }

    fn leases(
        &self,
        replica: &str,
        accounts: &[String],
        lease: Duration,
    ) -> Result<Leases, StoreError> {
        let secs = seconds(lease);
        let names_hash = {
            let mut joined = Vec::new();
            for a in accounts {
                joined.extend_from_slice(a.as_bytes());
                joined.push(0);
            }
            super::content_hash(&joined)
        };
        let ensured = *self.ensured.lock().unwrap_or_else(|e| e.into_inner()) == Some(names_hash);
        let held = self.write(|tx| {
            // The heartbeat: every lease this replica holds stays valid while this row does.
            // One row, whatever the number of accounts.
            tx.execute(
                "INSERT INTO replicas (id, expires_at) VALUES ($1, now() + make_interval(secs => $2))
                 ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
                &[&replica, &secs],
            )?;
            if !ensured {
                // The configured accounts changed (or this process just started): a row for
                // each new one, and what this replica holds but no longer polls given back.
                tx.execute(
                    "INSERT INTO leases (account) SELECT unnest($1::text[]) ORDER BY 1
                     ON CONFLICT (account) DO NOTHING",
                    &[&accounts],
                )?;
                tx.execute(
                    "UPDATE leases SET holder = NULL
                     WHERE holder = $1 AND NOT (account = ANY($2))",
                    &[&replica, &accounts],
                )?;
            }
            let live: i64 = tx
                .query_one("SELECT count(*) FROM replicas WHERE expires_at > now()", &[])?
                .try_get(0)?;
            let live = usize::try_from(live.max(1)).unwrap_or(1);
            let share = accounts.len().div_ceil(live);
            let held: i64 = tx
                .query_one("SELECT count(*) FROM leases WHERE holder = $1", &[&replica])?
                .try_get(0)?;
            // At most CLAIM_BATCH a round: a replica starting beside a hundred thousand free
            // accounts takes them over several rounds, each bounded in time, rather than in
            // one that outlasts its bound (its pollers start as they are claimed anyway).
            let wanted = (i64::try_from(share).unwrap_or(i64::MAX) - held).min(CLAIM_BATCH);
            if wanted > 0 {
                // Free rows, and rows whose holder's heartbeat ran out (it died, or lost the
                // database for longer than the lease). SKIP LOCKED: replicas claiming at once
                // each take different rows, and a row a commit holds FOR SHARE is left alone.
                // The new token fences off the former holder's writes.
                tx.execute(
                    "UPDATE leases SET holder = $1, token = nextval('lease_tokens')
                     WHERE account IN (
                        SELECT l.account FROM leases l
                        WHERE l.account = ANY($2)
                          AND (l.holder IS NULL OR NOT EXISTS (
                                SELECT 1 FROM replicas r
                                WHERE r.id = l.holder AND r.expires_at > now()))
                        ORDER BY l.account LIMIT $3 FOR UPDATE OF l SKIP LOCKED)",
                    &[&replica, &accounts, &wanted],
                )?;
            }
            let held = tx
                .query(
                    "SELECT account, token FROM leases WHERE holder = $1
                     ORDER BY account COLLATE \"C\"",
                    &[&replica],
                )?
                .iter()
                .map(|r| {
                    Ok(Lease {
                        account: r.try_get(0)?,
                        token: r.try_get(1)?,
                    })
                })
                .collect::<Result<Vec<_>, postgres::Error>>()?;
            Ok(Leases {
                held,
                share,
                replicas: live,
            })
        })?;
        *self.ensured.lock().unwrap_or_else(|e| e.into_inner()) = Some(names_hash);
        Ok(held)
    }

    fn release(&self, replica: &str, accounts: &[String]) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE leases SET holder = NULL WHERE holder = $1 AND account = ANY($2)",
                &[&replica, &accounts],
            )?;
            // A replica left holding nothing (it is shutting down) stops counting as live at
            // once, so the others' fair shares grow at their next round, not after its
            // heartbeat runs out. Were it still running, its next round registers it again.
            tx.execute(
                "DELETE FROM replicas WHERE id = $1
                 AND NOT EXISTS (SELECT 1 FROM leases WHERE holder = $1)",
                &[&replica],
            )?;
            Ok(())
        })
    }

    fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::SeqCst)
    }

    fn runs_since(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredRun>, StoreError> {
        let since = since.map_or(i64::MIN, micros);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|tx| {
            let (account_id, _) = self.account(tx, key, false)?;
            tx.query(
                "SELECT id, at, score, findings, report FROM runs
                 WHERE account_id = $1 AND at >= $2 ORDER BY at, id LIMIT $3",
                &[&account_id, &since, &limit],
            )?
            .iter()
            .map(|row| {
                let run = self.run_from_row(row)?;
                let report = self.report_from_json(run.id, row.try_get(4)?)?;
                Ok(StoredRun { run, report })
            })
            .collect()
        })
    }

    fn import_run(
        &self,
        key: &AccountKey,
        at: DateTime<Utc>,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        let json = self.encode_report(report)?;
        let hash = super::content_hash(json.as_bytes());
        let findings = report.findings.len() as u64;
        let at_micros = micros(at);
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key, true)?;
            let row = tx.query_opt(
                "INSERT INTO runs (account_id, at, score, findings, report, content_hash)
                 SELECT $1, $2, $3, $4, $5, $6
                 WHERE NOT EXISTS (SELECT 1 FROM runs
                    WHERE account_id = $1 AND at = $2 AND content_hash = $6)
                 RETURNING id",
                &[
                    &account_id,
                    &at_micros,
                    &i64::from(report.score),
                    &i64::try_from(findings).unwrap_or(i64::MAX),
                    &json,
                    &hash,
                ],
            )?;
            match row {
                Some(r) => Ok(Some(Run {
                    id: r.try_get(0)?,
                    at: self.time("runs.at", "imported run", at_micros)?,
                    score: report.score,
                    findings,
                })),
                None => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_urls_never_show_the_password() {
        let config: postgres::Config = "postgres://app:s3cret@db.internal:6543/echo"
            .parse()
            .unwrap();
        let shown = redact(&config);
        assert_eq!(shown, "postgres://app@db.internal:6543/echo");
        assert!(!shown.contains("s3cret"));
        let bare: postgres::Config = "postgresql://localhost".parse().unwrap();
        assert_eq!(redact(&bare), "postgres://localhost:5432/");
    }

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_url("postgres://u@h/db"));
        assert!(is_url("postgresql://u@h/db"));
        assert!(!is_url("data/echoscope.db"));
        assert!(!is_url("/var/lib/echoscope/postgres.db"));
    }

    #[test]
    fn a_bad_url_is_an_error_that_does_not_echo_it() {
        let err = Postgres::open("postgres://app:s3cret@host:notaport/db").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("postgres URL"), "{text}");
    }

    #[test]
    fn migrations_are_numbered_like_their_files() {
        assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
        assert!(MIGRATIONS[0].contains("CREATE TABLE posts"));
        assert!(MIGRATIONS[0].contains("CREATE TABLE leases"));
    }
}
