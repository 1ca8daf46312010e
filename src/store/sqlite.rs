//! The embedded SQLite store: one database file, WAL mode, one writer and a few readers.
//!
//! Durability: WAL with `synchronous=NORMAL`. A commit is appended to the WAL with `write()`
//! before `COMMIT` returns, so it is in the operating system's cache: a crash of this process
//! (`kill -9`, a panic, the OOM killer) loses no committed transaction and never leaves a
//! half-written one (tested in `tests/store.rs` by SIGKILLing a writer). Only a power cut or
//! kernel crash can lose the last commits since the previous checkpoint, and even then the file
//! stays consistent. `synchronous=FULL` would cover that too at the cost of an fsync per commit;
//! history re-fetched from feeds is not worth that price.
//!
//! Concurrency: the trait is `Send + Sync` and called from tokio's blocking pool. Writes go
//! through one connection behind a mutex (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` plus a busy timeout handle a second process such as `echoscope export`).
//! Reads take a connection from a small pool, so in WAL mode they never wait for a writer.
//!
//! Failures in words: rusqlite's codes become a [`Problem`] (read-only, disk full, permission
//! denied, not a database, damaged, locked) naming what the operator has to fix, instead of
//! "Error code 14". A file found damaged (SQLITE_CORRUPT, SQLITE_NOTADB) while running switches
//! the store to a refused state: every later write fails at once with that problem rather than
//! writing into a damaged file, and [`Store::check`] fails, so readiness drops.
//!
//! One daemon per file: [`lock_instance`] takes an exclusive `flock` on `FILE.lock` (the
//! kernel releases it when the process dies, `kill -9` included). Read-only commands open the
//! file with [`Sqlite::open_read_only`], which neither locks, creates nor migrates.
//!
//! Schema: numbered migrations in `migrations/`, embedded in the binary, applied in order, each
//! in its own transaction together with the `user_version` it leads to. A database whose
//! version is newer than this binary knows is refused rather than guessed at; no migration
//! drops data.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    AccountKey, Backend, InstanceLock, Lease, Leases, Problem, Run, Store, StoreError, StoredRun,
};
use crate::model::AccountReport;
use crate::model::{DirectMessage, Platform, Post, PostKind, Timeline};
use crate::sources::live::FetchState;

/// The migrations, in order: migration `i` (0-based) brings the database to `user_version`
/// `i + 1`. Append only; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_direct_messages.sql"),
    include_str!("migrations/0003_replicas.sql"),
    include_str!("migrations/0004_identity.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Marks the file as an echoscope database (`PRAGMA application_id`, "ECHO" in ASCII), so that
/// some other program's SQLite file is refused instead of migrated.
const APPLICATION_ID: i32 = 0x4543_484F;

/// How long a statement waits for another connection's lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Read connections kept open between calls; more are opened under load and closed after.
const IDLE_READERS: usize = 4;

/// The WAL is truncated back to this size after a checkpoint, so one large write does not
/// leave a large file behind.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// The SQLite store. Open it once and share it (`Arc<Sqlite>`) between threads.
pub struct Sqlite {
    /// The path as given, for error messages (`:memory:` for an in-memory database).
    label: String,
    /// The database file; `None` in memory, where there is only the one connection.
    file: Option<PathBuf>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Set, with the error that showed it, once the file is found damaged: no more writes.
    refused: OnceLock<String>,
    /// Opened with [`Sqlite::open_read_only`]: reads only, through the one connection.
    read_only: bool,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.label).finish()
    }
}

/// Attaches the database path to rusqlite errors, which leave this file only boxed.
trait At<T> {
    fn at(self, path: &str) -> Result<T, StoreError>;
}

impl<T> At<T> for rusqlite::Result<T> {
    fn at(self, path: &str) -> Result<T, StoreError> {
        self.map_err(|source| classify(path, source))
    }
}

/// A rusqlite error as a [`StoreError`]: the failures an operator must fix outside echoscope
/// become [`StoreError::Unusable`] with a [`Problem`] in words, the rest stay boxed.
fn classify(path: &str, source: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let problem = match source.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) => Some(Problem::ReadOnly),
        Some(ErrorCode::DiskFull) => Some(Problem::DiskFull),
        Some(ErrorCode::PermissionDenied) => Some(Problem::PermissionDenied),
        Some(ErrorCode::NotADatabase) => Some(Problem::NotADatabase),
        Some(ErrorCode::DatabaseCorrupt) => Some(Problem::Damaged),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Some(Problem::Locked),
        Some(ErrorCode::SystemIoFailure) => Some(Problem::Io),
        // "unable to open database file" (code 14) says nothing of why: ask the file system.
        Some(ErrorCode::CannotOpen) => Some(why_cannot_open(Path::new(path))),
        // Everything else (constraint, misuse, schema...) is a bug or a foreign change, not an
        // operator's problem: kept as the backend's own error. rusqlite's enum is open.
        _ => None,
    };
    match problem {
        Some(problem) => StoreError::Unusable {
            path: path.to_string(),
            problem,
            source: Box::new(source),
        },
        None => StoreError::Backend {
            backend: Backend::Sqlite,
            path: path.to_string(),
            source: Box::new(source),
        },
    }
}

/// Why SQLite could not open the file (or the `-wal`/`-shm` files beside it), asked of the
/// file system: a read-only mount, or permissions on the file or its folder.
fn why_cannot_open(file: &Path) -> Problem {
    use rustix::fs::{access, Access};
    use rustix::io::Errno;
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for target in [file, folder] {
        match access(target, Access::WRITE_OK) {
            Err(Errno::ROFS) => return Problem::ReadOnly,
            Err(Errno::ACCESS) | Err(Errno::PERM) => return Problem::PermissionDenied,
            Ok(()) | Err(_) => {}
        }
    }
    Problem::PermissionDenied
}

/// Takes the daemon's single-instance lock: an exclusive, non-blocking `flock` on `PATH.lock`,
/// with this process's id written in it so that a second daemon can say who holds it.
pub fn lock_instance(db: &Path) -> Result<InstanceLock, StoreError> {
    use std::io::{Read, Seek, Write};
    let mut lock_path = db.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let io_error = |source: std::io::Error| StoreError::Io {
        path: lock_path.display().to_string(),
        source,
    };
    if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_error)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io_error)?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            return Err(StoreError::InUse {
                path: db.display().to_string(),
                lock: lock_path.display().to_string(),
                holder: text.trim().parse().ok(),
            });
        }
        Err(e) => return Err(io_error(e.into())),
    }
    file.set_len(0).map_err(io_error)?;
    file.rewind().map_err(io_error)?;
    writeln!(file, "{}", std::process::id()).map_err(io_error)?;
    Ok(InstanceLock::new(file, lock_path))
}

impl Sqlite {
    /// Opens (creating it and its parent folders if needed) the database at `path`, and brings
    /// its schema up to date.
    ///
    /// Fails with a message naming the path when the file is not a SQLite database, is another
    /// program's database, or was written by a newer echoscope.
    pub fn open(path: impl AsRef<Path>) -> Result<Sqlite, StoreError> {
        let path = path.as_ref();
        let label = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path).at(&label)?;
        configure_writer(&conn, &label, true)?;
        migrate(&mut conn, &label)?;
        Ok(Sqlite {
            label,
            file: Some(path.to_path_buf()),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            refused: OnceLock::new(),
            read_only: false,
        })
    }

    /// Opens an existing database for reading only: nothing is created, locked or migrated,
    /// so this works on a read-only file or mount and while a daemon writes to it. A schema
    /// older or newer than this binary's is refused, saying which.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Sqlite, StoreError> {
        use rusqlite::OpenFlags;
        let path = path.as_ref();
        let label = path.display().to_string();
        // Read-only opening never creates: say "not found" rather than a guess at permissions.
        if let Err(source) = std::fs::metadata(path) {
            return Err(StoreError::Io {
                path: label,
                source,
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).at(&label)?;
        conn.busy_timeout(BUSY_TIMEOUT).at(&label)?;
        // A WAL database on a read-only mount cannot get its shared-memory file: read it as
        // immutable there (nothing can be writing to a read-only mount).
        let conn = match schema_version(&conn, &label) {
            Err(StoreError::Unusable {
                problem: Problem::ReadOnly | Problem::PermissionDenied,
                ..
            }) => {
                let uri = format!(
                    "file:{}?immutable=1",
                    path.display()
                        .to_string()
                        .replace('?', "%3f")
                        .replace('#', "%23")
                );
                Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI).at(&label)?
            }
            Ok(_) | Err(_) => conn,
        };
        let (version, app_id) = schema_version(&conn, &label)?;
        let refuse = |reason: String| StoreError::Schema {
            path: label.clone(),
            reason,
        };
        if app_id != APPLICATION_ID && !(app_id == 0 && version > 0) {
            return Err(refuse("not an echoscope database".into()));
        }
        if version > SCHEMA_VERSION as i64 {
            return Err(refuse(format!(
                "schema version {version} is newer than this echoscope reads ({SCHEMA_VERSION}); \
                 use a newer echoscope"
            )));
        }
        if version < SCHEMA_VERSION as i64 {
            return Err(refuse(format!(
                "schema version {version} is older than this echoscope reads ({SCHEMA_VERSION}); \
                 run `echoscope serve` on it once (with write access) to bring it up to date"
            )));
        }
        Ok(Sqlite {
            label,
            file: None,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            refused: OnceLock::new(),
            read_only: true,
        })
    }

    /// A private in-memory database (for tests): same schema, gone when dropped.
    pub fn open_in_memory() -> Result<Sqlite, StoreError> {
        let label = ":memory:".to_string();
        let mut conn = Connection::open_in_memory().at(&label)?;
        configure_writer(&conn, &label, false)?;
        migrate(&mut conn, &label)?;
        Ok(Sqlite {
            label,
            file: None,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            refused: OnceLock::new(),
            read_only: false,
        })
    }

    /// The database path as given to [`Sqlite::open`].
    pub fn path(&self) -> &str {
        &self.label
    }

    /// The write connection. A panic while it was held cannot have left a transaction open
    /// (rusqlite rolls back on drop), so a poisoned lock is still safe to use.
    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a read on a pooled read connection (the writer, in memory).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Some(file) = &self.file else {
            return self.noting_damage(f(&self.writer()));
        };
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_reader(file, &self.label)?,
        };
        let result = self.noting_damage(f(&conn));
        // A connection left inside a transaction (a failed COMMIT) would pin an old snapshot
        // and block checkpoints: close it instead of pooling it.
        if !conn.is_autocommit() {
            return result;
        }
        let mut pool = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < IDLE_READERS {
            pool.push(conn);
        }
        result
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer: all of it commits or none.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.refuse_writes()?;
        let mut conn = self.writer();
        let result = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .at(&self.label)?;
            let value = f(&tx)?;
            tx.commit().at(&self.label)?;
            Ok(value)
        })();
        self.noting_damage(result)
    }

    /// Fails when the store must not be written: opened read-only, or found damaged.
    fn refuse_writes(&self) -> Result<(), StoreError> {
        if let Some(first) = self.refused.get() {
            return Err(StoreError::Unusable {
                path: self.label.clone(),
                problem: Problem::Damaged,
                source: format!("refused since: {first}").into(),
            });
        }
        if self.read_only {
            return Err(StoreError::Unusable {
                path: self.label.clone(),
                problem: Problem::ReadOnly,
                source: "opened for reading only".into(),
            });
        }
        Ok(())
    }

    /// Switches the store to the refused state when `result` shows the file damaged.
    fn noting_damage<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(StoreError::Unusable {
            problem: Problem::Damaged | Problem::NotADatabase,
            source,
            ..
        }) = &result
        {
            let detail = source.to_string();
            if self.refused.set(detail.clone()).is_ok() {
                tracing::error!(
                    store = %self.label,
                    error = %detail,
                    "the database file is damaged: refusing every further write into it"
                );
            }
        }
        result
    }

    /// Inserts posts inside a write transaction, ignoring ones already stored.
    fn insert_posts_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        account_id: i64,
        posts: &[Post],
    ) -> Result<usize, StoreError> {
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO posts (account_id, post_id, created_at, kind, text,
                        reply_to_id, reply_to_account, reply_to_created_at, client, links, lang)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .at(&self.label)?;
        let mut new = 0;
        for p in posts {
            let links = serde_json::to_string(&p.links)
                .map_err(|e| self.corrupt("posts.links", format!("post {}: {e}", p.id)))?;
            new += stmt
                .execute(params![
                    account_id,
                    p.id,
                    micros(p.created_at),
                    p.kind.as_str(),
                    p.text,
                    p.reply_to_id,
                    p.reply_to_account,
                    p.reply_to_created_at.map(micros),
                    p.client,
                    links,
                    p.lang,
                ])
                .at(&self.label)?;
        }
        Ok(new)
    }

    /// Inserts direct messages inside a write transaction, ignoring ones already stored.
    fn insert_direct_messages_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        account_id: i64,
        messages: &[DirectMessage],
    ) -> Result<usize, StoreError> {
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO direct_messages (account_id, message_id,
                        conversation_id, sender, recipient, created_at, text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .at(&self.label)?;
        let mut new = 0;
        for m in messages {
            new += stmt
                .execute(params![
                    account_id,
                    m.id,
                    m.conversation_id,
                    m.sender,
                    m.recipient,
                    micros(m.created_at),
                    m.text,
                ])
                .at(&self.label)?;
        }
        Ok(new)
    }

    /// Writes the fetch cursor inside a write transaction.
    fn set_fetch_state_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        account_id: i64,
        state: &FetchState,
    ) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO fetch_state (account_id, etag, last_modified, cursor, backfilled,
                    last_success)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account_id) DO UPDATE SET etag = excluded.etag,
                    last_modified = excluded.last_modified, cursor = excluded.cursor,
                    backfilled = excluded.backfilled, last_success = excluded.last_success",
            params![
                account_id,
                state.etag,
                state.last_modified,
                state.cursor,
                state.backfilled,
                state.last_success.map(micros),
            ],
        )
        .at(&self.label)?;
        Ok(())
    }

    fn corrupt(&self, what: &str, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.label.clone(),
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }

    /// The account's row id and handle.
    fn account(&self, conn: &Connection, key: &AccountKey) -> Result<(i64, String), StoreError> {
        conn.prepare_cached("SELECT id, handle FROM accounts WHERE name = ?1 AND platform = ?2")
            .and_then(|mut s| {
                s.query_row(params![key.name, key.platform.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .at(&self.label)?
            .ok_or_else(|| StoreError::UnknownAccount(key.name.clone()))
    }

    fn post_from_row(&self, row: &rusqlite::Row<'_>) -> Result<Post, StoreError> {
        let label = self.label.as_str();
        let id: String = row.get(0).at(label)?;
        let created_at = from_micros(row.get(1).at(label)?)
            .ok_or_else(|| self.corrupt("posts.created_at", format!("post {id}: out of range")))?;
        let kind_text: String = row.get(2).at(label)?;
        let kind = parse_kind(&kind_text).ok_or_else(|| {
            self.corrupt(
                "posts.kind",
                format!("post {id}: unknown kind {kind_text:?}"),
            )
        })?;
        let reply_to_created_at = match row.get::<_, Option<i64>>(5).at(label)? {
            Some(v) => Some(from_micros(v).ok_or_else(|| {
                self.corrupt(
                    "posts.reply_to_created_at",
                    format!("post {id}: out of range"),
                )
            })?),
            None => None,
        };
        let links_json: String = row.get(8).at(label)?;
        let links: Vec<String> = serde_json::from_str(&links_json)
            .map_err(|e| self.corrupt("posts.links", format!("post {id}: {e}")))?;
        Ok(Post {
            text: row.get(3).at(label)?,
            reply_to_id: row.get(4).at(label)?,
            reply_to_created_at,
            reply_to_account: row.get(6).at(label)?,
            client: row.get(7).at(label)?,
            lang: row.get(9).at(label)?,
            id,
            created_at,
            kind,
            links,
        })
    }

    /// Runs a query taking an account id (`?1`) and a time (`?2`, everything when `since` is
    /// `None`) and decodes its rows.
    fn rows_since<T>(
        &self,
        conn: &Connection,
        sql: &str,
        account_id: i64,
        since: Option<DateTime<Utc>>,
        decode: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = conn.prepare_cached(sql).at(&self.label)?;
        let mut rows = stmt
            .query(params![account_id, since.map_or(i64::MIN, micros)])
            .at(&self.label)?;
        let mut decoded = Vec::new();
        while let Some(row) = rows.next().at(&self.label)? {
            decoded.push(decode(row)?);
        }
        Ok(decoded)
    }

    fn direct_message_from_row(
        &self,
        row: &rusqlite::Row<'_>,
    ) -> Result<DirectMessage, StoreError> {
        let label = self.label.as_str();
        let id: String = row.get(0).at(label)?;
        let created_at = from_micros(row.get(4).at(label)?).ok_or_else(|| {
            self.corrupt(
                "direct_messages.created_at",
                format!("message {id}: out of range"),
            )
        })?;
        Ok(DirectMessage {
            conversation_id: row.get(1).at(label)?,
            sender: row.get(2).at(label)?,
            recipient: row.get(3).at(label)?,
            text: row.get(5).at(label)?,
            id,
            created_at,
        })
    }

    fn run_from_row(&self, row: &rusqlite::Row<'_>) -> Result<Run, StoreError> {
        let label = self.label.as_str();
        let id: i64 = row.get(0).at(label)?;
        let at = from_micros(row.get(1).at(label)?)
            .ok_or_else(|| self.corrupt("runs.at", format!("run {id}: out of range")))?;
        let score: i64 = row.get(2).at(label)?;
        let findings: i64 = row.get(3).at(label)?;
        Ok(Run {
            id,
            at,
            score: u32::try_from(score)
                .map_err(|_| self.corrupt("runs.score", format!("run {id}: {score}")))?,
            findings: u64::try_from(findings)
                .map_err(|_| self.corrupt("runs.findings", format!("run {id}: {findings}")))?,
        })
    }
}

/// Settings of the write connection. `file` is false in memory, where WAL does not apply.
fn configure_writer(conn: &Connection, label: &str, file: bool) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).at(label)?;
    // The first statement that reads the file: a non-SQLite file fails here with
    // "file is not a database", which the error names with the path.
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(label)?;
    if version == 0 {
        // Only takes effect before the first table exists: lets `prune` give space back.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .at(label)?;
    }
    if file {
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .at(label)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Schema {
                path: label.to_string(),
                reason: format!("could not switch to WAL mode (journal_mode is {mode})"),
            });
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .at(label)?;
    conn.pragma_update(None, "foreign_keys", "ON").at(label)?;
    conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)
        .at(label)?;
    Ok(())
}

/// `user_version` and `application_id` of an open database.
fn schema_version(conn: &Connection, label: &str) -> Result<(i64, i32), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(label)?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .at(label)?;
    Ok((version, app_id))
}

/// A read connection to an already opened and migrated file.
fn open_reader(file: &Path, label: &str) -> Result<Connection, StoreError> {
    let conn = Connection::open(file).at(label)?;
    conn.busy_timeout(BUSY_TIMEOUT).at(label)?;
    // A read connection must never write, whatever a future change asks of it.
    conn.pragma_update(None, "query_only", "ON").at(label)?;
    Ok(conn)
}

/// Brings the schema to [`SCHEMA_VERSION`], one migration per transaction.
fn migrate(conn: &mut Connection, label: &str) -> Result<(), StoreError> {
    let schema_error = |reason: String| StoreError::Schema {
        path: label.to_string(),
        reason,
    };
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        // IMMEDIATE takes the write lock first, so two processes opening a new database at once
        // cannot both apply a migration: the second sees the first one's version and skips.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(label)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .at(label)?;
        let app_id: i32 = tx
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .at(label)?;
        if version > SCHEMA_VERSION as i64 {
            return Err(schema_error(format!(
                "schema version {version} is newer than this echoscope supports \
                 ({SCHEMA_VERSION}); use a newer echoscope or another database file"
            )));
        }
        if app_id != 0 && app_id != APPLICATION_ID {
            return Err(schema_error(format!(
                "not an echoscope database (application_id {app_id:#x})"
            )));
        }
        if version == 0 {
            let tables: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )
                .at(label)?;
            if tables > 0 {
                return Err(schema_error(
                    "not an echoscope database (it has tables but no echoscope schema version)"
                        .into(),
                ));
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .at(label)?;
        }
        if version >= target {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| schema_error(format!("migration {target} failed: {e}")))?;
        tx.pragma_update(None, "user_version", target).at(label)?;
        tx.commit().at(label)?;
    }
    Ok(())
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

impl Store for Sqlite {
    fn ensure_account(&self, key: &AccountKey, handle: &str) -> Result<(), StoreError> {
        let now = micros(Utc::now());
        self.write(|tx| {
            // The configured handle may change (an account renamed on its platform): the
            // newest one wins, the history stays.
            tx.execute(
                "INSERT INTO accounts (name, platform, handle, created) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name, platform) DO UPDATE SET handle = excluded.handle
                 WHERE handle <> excluded.handle",
                params![key.name, key.platform.as_str(), handle, now],
            )
            .at(&self.label)?;
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
            let updated = tx
                .execute(
                    "UPDATE accounts SET seen_handle = ?3, seen_platform = ?4
                     WHERE name = ?1 AND platform = ?2",
                    params![key.name, key.platform.as_str(), handle, platform.as_str()],
                )
                .at(&self.label)?;
            if updated == 0 {
                return Err(StoreError::UnknownAccount(key.name.clone()));
            }
            Ok(())
        })
    }

    fn move_account(&self, from: &AccountKey, to: &AccountKey) -> Result<bool, StoreError> {
        self.write(|tx| {
            // Posts, fetch state and runs hang off the account's row id: renaming the row
            // moves them all.
            let moved = tx
                .execute(
                    "UPDATE accounts SET name = ?3, platform = ?4
                     WHERE name = ?1 AND platform = ?2
                     AND NOT EXISTS (SELECT 1 FROM accounts WHERE name = ?3 AND platform = ?4)",
                    params![
                        from.name,
                        from.platform.as_str(),
                        to.name,
                        to.platform.as_str()
                    ],
                )
                .at(&self.label)?;
            Ok(moved > 0)
        })
    }

    fn insert_posts(&self, key: &AccountKey, posts: &[Post]) -> Result<usize, StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            self.insert_posts_in(tx, account_id, posts)
        })
    }

    fn insert_direct_messages(
        &self,
        key: &AccountKey,
        messages: &[DirectMessage],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            self.insert_direct_messages_in(tx, account_id, messages)
        })
    }

    fn commit_fetch(
        &self,
        key: &AccountKey,
        timeline: Option<&Timeline>,
        state: &FetchState,
        // One process holds every account (the daemon's single-instance lock): there is no
        // other holder to lose a lease to.
        _lease: Option<&Lease>,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
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
    fn timeline(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
    ) -> Result<Timeline, StoreError> {
        self.read(|conn| {
            // One read transaction, so the account, its posts and its direct messages come from
            // the same snapshot.
            conn.execute_batch("BEGIN").at(&self.label)?;
            let result = (|| {
                let (account_id, handle) = self.account(conn, key)?;
                let (seen_handle, seen_platform): (Option<String>, Option<String>) = conn
                    .prepare_cached("SELECT seen_handle, seen_platform FROM accounts WHERE id = ?1")
                    .and_then(|mut s| s.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?))))
                    .at(&self.label)?;
                let mut timeline = Timeline::new(
                    seen_handle.unwrap_or(handle),
                    seen_platform.map_or(key.platform, |p| Platform::parse(&p)),
                );
                timeline.posts = self.rows_since(
                    conn,
                    "SELECT post_id, created_at, kind, text, reply_to_id, reply_to_created_at,
                        reply_to_account, client, links, lang
                     FROM posts WHERE account_id = ?1 AND created_at >= ?2
                     ORDER BY created_at, post_id",
                    account_id,
                    since,
                    |row| self.post_from_row(row),
                )?;
                timeline.direct_messages = self.rows_since(
                    conn,
                    "SELECT message_id, conversation_id, sender, recipient, created_at, text
                     FROM direct_messages WHERE account_id = ?1 AND created_at >= ?2
                     ORDER BY created_at, message_id",
                    account_id,
                    since,
                    |row| self.direct_message_from_row(row),
                )?;
                timeline.finish();
                Ok(timeline)
            })();
            // Ending a read transaction cannot lose anything; an error here only matters if
            // the read itself succeeded.
            let end = conn.execute_batch("COMMIT").at(&self.label);
            let timeline = result?;
            end?;
            Ok(timeline)
        })
    }

    fn post_count(&self, key: &AccountKey) -> Result<u64, StoreError> {
        self.read(|conn| {
            let (account_id, _) = self.account(conn, key)?;
            let n: i64 = conn
                .prepare_cached("SELECT count(*) FROM posts WHERE account_id = ?1")
                .and_then(|mut s| s.query_row([account_id], |r| r.get(0)))
                .at(&self.label)?;
            Ok(n.max(0) as u64)
        })
    }

    fn fetch_state(&self, key: &AccountKey) -> Result<FetchState, StoreError> {
        self.read(|conn| {
            let (account_id, _) = self.account(conn, key)?;
            let row = conn
                .prepare_cached(
                    "SELECT etag, last_modified, cursor, backfilled, last_success
                     FROM fetch_state WHERE account_id = ?1",
                )
                .and_then(|mut s| {
                    s.query_row([account_id], |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, bool>(3)?,
                            r.get::<_, Option<i64>>(4)?,
                        ))
                    })
                    .optional()
                })
                .at(&self.label)?;
            let Some((etag, last_modified, cursor, backfilled, last_success)) = row else {
                return Ok(FetchState::default());
            };
            let last_success = match last_success {
                Some(v) => Some(from_micros(v).ok_or_else(|| {
                    self.corrupt("fetch_state.last_success", format!("{v} out of range"))
                })?),
                None => None,
            };
            Ok(FetchState {
                etag,
                last_modified,
                cursor,
                backfilled,
                last_success,
            })
        })
    }

    fn set_fetch_state(&self, key: &AccountKey, state: &FetchState) -> Result<(), StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            self.set_fetch_state_in(tx, account_id, state)
        })
    }

    fn record_run(
        &self,
        key: &AccountKey,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        let json = serde_json::to_string(report)
            .map_err(|e| self.corrupt("runs.report", format!("cannot encode report: {e}")))?;
        let hash = super::content_hash(json.as_bytes());
        // Stored at microsecond precision: return what a later `runs()` will read back.
        let at_micros = micros(Utc::now());
        let at = from_micros(at_micros).unwrap_or_else(Utc::now);
        let findings = report.findings.len() as u64;
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            let newest: Option<Option<i64>> = tx
                .prepare_cached(
                    "SELECT content_hash FROM runs WHERE account_id = ?1
                     ORDER BY at DESC, id DESC LIMIT 1",
                )
                .and_then(|mut s| s.query_row([account_id], |r| r.get(0)).optional())
                .at(&self.label)?;
            if newest == Some(Some(hash)) {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO runs (account_id, at, score, findings, report, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    account_id,
                    at_micros,
                    i64::from(report.score),
                    i64::try_from(findings).unwrap_or(i64::MAX),
                    json,
                    hash
                ],
            )
            .at(&self.label)?;
            Ok(Some(Run {
                id: tx.last_insert_rowid(),
                at,
                score: report.score,
                findings,
            }))
        })
    }

    fn latest_report(&self, key: &AccountKey) -> Result<Option<AccountReport>, StoreError> {
        self.read(|conn| {
            let (account_id, _) = self.account(conn, key)?;
            let row: Option<(i64, String)> = conn
                .prepare_cached(
                    "SELECT id, report FROM runs WHERE account_id = ?1
                     ORDER BY at DESC, id DESC LIMIT 1",
                )
                .and_then(|mut s| {
                    s.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .at(&self.label)?;
            row.map(|(id, json)| {
                serde_json::from_str(&json)
                    .map_err(|e| self.corrupt("runs.report", format!("run {id}: {e}")))
            })
            .transpose()
        })
    }

    fn runs(&self, key: &AccountKey, limit: usize) -> Result<Vec<Run>, StoreError> {
        self.read(|conn| {
            let (account_id, _) = self.account(conn, key)?;
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, at, score, findings FROM runs WHERE account_id = ?1
                     ORDER BY at DESC, id DESC LIMIT ?2",
                )
                .at(&self.label)?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut rows = stmt.query(params![account_id, limit]).at(&self.label)?;
            let mut runs = Vec::new();
            while let Some(row) = rows.next().at(&self.label)? {
                runs.push(self.run_from_row(row)?);
            }
            Ok(runs)
        })
    }

    fn accounts(&self) -> Result<Vec<AccountKey>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT name, platform FROM accounts ORDER BY name, platform")
                .at(&self.label)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(AccountKey {
                        name: r.get(0)?,
                        platform: Platform::parse(&r.get::<_, String>(1)?),
                    })
                })
                .at(&self.label)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.label)
        })
    }

    fn prune(
        &self,
        cutoff: &dyn Fn(&AccountKey) -> Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        let removed = self.write(|tx| {
            let accounts = {
                let mut stmt = tx
                    .prepare_cached("SELECT id, name, platform FROM accounts")
                    .at(&self.label)?;
                let rows = stmt
                    .query_map([], |r| {
                        let key = AccountKey {
                            name: r.get(1)?,
                            platform: Platform::parse(&r.get::<_, String>(2)?),
                        };
                        Ok((r.get::<_, i64>(0)?, key))
                    })
                    .at(&self.label)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.label)?
            };
            let mut removed = 0;
            // Account by account, each delete walks its (account_id, time) index.
            for (id, key) in accounts {
                let Some(before) = cutoff(&key) else {
                    continue;
                };
                for sql in [
                    "DELETE FROM posts WHERE account_id = ?1 AND created_at < ?2",
                    "DELETE FROM direct_messages WHERE account_id = ?1 AND created_at < ?2",
                    "DELETE FROM runs WHERE account_id = ?1 AND at < ?2",
                ] {
                    removed += tx
                        .prepare_cached(sql)
                        .and_then(|mut s| s.execute(params![id, micros(before)]))
                        .at(&self.label)? as u64;
                }
            }
            Ok(removed)
        })?;
        if removed > 0 {
            // Give the freed pages back to the file system and shrink the WAL. Both are
            // housekeeping: the prune itself has committed, so their failure is not reported.
            let conn = self.writer();
            let _ = conn.execute_batch("PRAGMA incremental_vacuum;");
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Ok(removed)
    }

    fn size_bytes(&self) -> Result<u64, StoreError> {
        let pages = self.read(|conn| {
            let count: i64 = conn
                .pragma_query_value(None, "page_count", |r| r.get(0))
                .at(&self.label)?;
            let size: i64 = conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .at(&self.label)?;
            Ok(count.max(0) as u64 * size.max(0) as u64)
        })?;
        let wal = match &self.file {
            Some(file) => {
                let mut wal = file.clone().into_os_string();
                wal.push("-wal");
                match std::fs::metadata(&wal) {
                    Ok(m) => m.len(),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
                    Err(source) => {
                        return Err(StoreError::Io {
                            path: PathBuf::from(wal).display().to_string(),
                            source,
                        })
                    }
                }
            }
            None => 0,
        };
        Ok(pages + wal)
    }

    fn save_status(&self, key: &AccountKey, status_json: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            tx.execute(
                "UPDATE accounts SET status = ?2 WHERE id = ?1",
                params![account_id, status_json],
            )
            .at(&self.label)?;
            Ok(())
        })
    }

    fn statuses(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT name, status FROM accounts WHERE status IS NOT NULL")
                .at(&self.label)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .at(&self.label)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.label)
        })
    }

    fn check(&self) -> Result<(), StoreError> {
        // A write transaction that changes nothing: proves the file answers and is writable.
        // A store found damaged or opened read-only fails here without touching the file.
        self.write(|tx| {
            tx.query_row("SELECT count(*) FROM accounts", [], |_| Ok(()))
                .at(&self.label)
        })
    }

    fn leases(
        &self,
        _replica: &str,
        accounts: &[String],
        _lease: Duration,
    ) -> Result<Leases, StoreError> {
        // One process uses the file (the daemon takes a single-instance lock): it holds every
        // account for as long as it runs.
        Ok(Leases {
            held: accounts
                .iter()
                .map(|a| Lease {
                    account: a.clone(),
                    token: 0,
                })
                .collect(),
            share: accounts.len(),
            replicas: 1,
        })
    }

    fn release(&self, _replica: &str, _accounts: &[String]) -> Result<(), StoreError> {
        Ok(())
    }

    fn reconnects(&self) -> u64 {
        0
    }

    fn runs_since(
        &self,
        key: &AccountKey,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredRun>, StoreError> {
        self.read(|conn| {
            let (account_id, _) = self.account(conn, key)?;
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, at, score, findings, report FROM runs
                     WHERE account_id = ?1 AND at >= ?2 ORDER BY at, id LIMIT ?3",
                )
                .at(&self.label)?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut rows = stmt
                .query(params![account_id, since.map_or(i64::MIN, micros), limit])
                .at(&self.label)?;
            let mut runs = Vec::new();
            while let Some(row) = rows.next().at(&self.label)? {
                let run = self.run_from_row(row)?;
                let json: String = row.get(4).at(&self.label)?;
                let report = serde_json::from_str(&json)
                    .map_err(|e| self.corrupt("runs.report", format!("run {}: {e}", run.id)))?;
                runs.push(StoredRun { run, report });
            }
            Ok(runs)
        })
    }

    fn import_run(
        &self,
        key: &AccountKey,
        at: DateTime<Utc>,
        report: &AccountReport,
    ) -> Result<Option<Run>, StoreError> {
        let json = serde_json::to_string(report)
            .map_err(|e| self.corrupt("runs.report", format!("cannot encode report: {e}")))?;
        let hash = super::content_hash(json.as_bytes());
        let findings = report.findings.len() as u64;
        self.write(|tx| {
            let (account_id, _) = self.account(tx, key)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO runs (account_id, at, score, findings, report, content_hash)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6
                     WHERE NOT EXISTS (SELECT 1 FROM runs
                        WHERE account_id = ?1 AND at = ?2 AND content_hash = ?6)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        account_id,
                        micros(at),
                        i64::from(report.score),
                        i64::try_from(findings).unwrap_or(i64::MAX),
                        json,
                        hash
                    ])
                })
                .at(&self.label)?;
            Ok((inserted > 0).then(|| Run {
                id: tx.last_insert_rowid(),
                at,
                score: report.score,
                findings,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_like_their_files() {
        // `SCHEMA_VERSION` is the number of migrations; the files say which is which.
        assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
        assert!(MIGRATIONS[0].contains("CREATE TABLE posts"));
        assert!(MIGRATIONS[1].contains("CREATE TABLE direct_messages"));
    }

    #[test]
    fn store_errors_are_named_in_words_not_codes() {
        let failure =
            |code: i32| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        for (code, problem, words) in [
            (
                rusqlite::ffi::SQLITE_READONLY,
                Problem::ReadOnly,
                "read-only",
            ),
            (
                rusqlite::ffi::SQLITE_FULL,
                Problem::DiskFull,
                "the disk is full",
            ),
            (
                rusqlite::ffi::SQLITE_PERM,
                Problem::PermissionDenied,
                "permission denied",
            ),
            (
                rusqlite::ffi::SQLITE_NOTADB,
                Problem::NotADatabase,
                "not a SQLite database",
            ),
            (rusqlite::ffi::SQLITE_CORRUPT, Problem::Damaged, "damaged"),
            (
                rusqlite::ffi::SQLITE_BUSY,
                Problem::Locked,
                "locked by another process",
            ),
        ] {
            let e = classify("/data/e.db", failure(code));
            let text = e.to_string();
            assert!(
                matches!(&e, StoreError::Unusable { problem: p, .. } if *p == problem),
                "{code}: {e:?}"
            );
            assert!(text.starts_with("store /data/e.db: "), "{text}");
            assert!(text.contains(words), "{text}");
        }
        // "unable to open database file" (14) is explained from the file system: a folder that
        // does not exist and cannot be written is a permission problem, not "Error code 14".
        let e = classify(
            "/nonexistent-folder/e.db",
            failure(rusqlite::ffi::SQLITE_CANTOPEN),
        );
        assert!(
            matches!(
                &e,
                StoreError::Unusable {
                    problem: Problem::PermissionDenied | Problem::ReadOnly,
                    ..
                }
            ),
            "{e:?}"
        );
        // Anything else stays the backend's own error.
        assert!(matches!(
            classify("x", failure(rusqlite::ffi::SQLITE_CONSTRAINT)),
            StoreError::Backend { .. }
        ));
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            PostKind::Original,
            PostKind::Reply,
            PostKind::Repost,
            PostKind::Quote,
        ] {
            assert_eq!(parse_kind(k.as_str()), Some(k));
        }
        assert_eq!(parse_kind("boost"), None);
    }

    #[test]
    fn times_keep_microseconds() {
        let t = DateTime::parse_from_rfc3339("2024-02-29T23:59:59.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(from_micros(micros(t)), Some(t));
        let old = DateTime::parse_from_rfc3339("1901-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(from_micros(micros(old)), Some(old));
    }
}
