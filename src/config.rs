//! The daemon's configuration: one typed struct read from TOML.
//!
//! Defaults live in one place (the `Default` impls), unknown keys are rejected so a typo is an
//! error rather than a silently ignored setting, and precedence is CLI > environment > file >
//! defaults. Secrets (the API token) can come from the environment so they stay out of files.
//! `deploy/echoscope.example.toml` documents every key and is parsed by a test. An account's
//! `source` is parsed here, once, into a [`Source`]: the rest of the daemon asks it for the
//! kind, platform and handle rather than reading the text again. A `file:` source holding
//! several accounts (a JSONL file of many handles) names the one to watch with the account's
//! own `handle` key, not with a mark inside the path: any character a selector could be told
//! by (`#`, `?`, `@`) may also be part of a file name, so the path stays exactly as written.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::detectors;
use crate::model::{Platform, SourceKind};
use crate::sources::live::LiveSpec;

/// Environment variable that sets (and overrides) `server.api_token`.
pub const TOKEN_ENV: &str = "ECHOSCOPE_API_TOKEN";

/// Environment variable that sets (and overrides) `store.url`, so a database password can stay
/// out of the file.
pub const STORE_URL_ENV: &str = "ECHOSCOPE_STORE_URL";

/// The oldest post time a retention of `days` keeps at `now`; `None` (0 days) keeps
/// everything. Pruning and analysis both cut here, so an analysis never sees less history than
/// the store keeps.
pub fn retention_cutoff(days: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (days > 0).then(|| now - chrono::Duration::days(i64::from(days)))
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub store: Store,
    pub poll: Poll,
    pub log: Log,
    pub metrics: Metrics,
    pub detectors: detectors::Config,
    pub cluster: Cluster,
    /// The monitored accounts.
    pub accounts: Vec<Account>,
}

/// Several replicas sharing one PostgreSQL store split the accounts through leases kept in the
/// database (see README "Running several replicas"). With SQLite there is one replica and it
/// holds every account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cluster {
    /// How long a replica's hold on an account lasts without renewal: a replica that dies has
    /// its accounts taken over by the others within this time (plus one lease round, a third
    /// of it). Renewed every third of it.
    pub lease_seconds: u64,
    /// This replica's name in the lease table. Empty: the host name and process id, which
    /// differ for every replica and every restart.
    pub replica_id: String,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            lease_seconds: 60,
            replica_id: String::new(),
        }
    }
}

impl Cluster {
    /// The lease time.
    pub fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lease_seconds)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    /// Address to listen on. Loopback by default: exposing the daemon is a deliberate choice.
    pub listen: SocketAddr,
    /// Bearer token for the endpoints that change state (`POST .../refresh`). Empty: those
    /// endpoints are off. `ECHOSCOPE_API_TOKEN` overrides it.
    pub api_token: String,
    /// Host names (and addresses) the API and the web pages answer to, checked against the
    /// `Host` header so that a web page cannot read the API through DNS rebinding. Empty: the
    /// listen address, plus `localhost`, `127.0.0.1` and `::1` when listening on loopback, or
    /// any IP address (no name) when listening on all interfaces. `"*"` turns the check off.
    /// `/healthz`, `/readyz` and `/metrics` answer any host (probes and scrapers send a pod IP
    /// or a service name).
    pub allowed_hosts: Vec<String>,
    /// Seconds a client has to send a request's headers, and that an idle keep-alive
    /// connection stays open between requests (slow-header attacks).
    pub header_timeout_seconds: u64,
    /// Seconds a connection may make no progress at all (neither reading nor writing, e.g.
    /// a client that stops reading a response) before it is closed.
    pub idle_timeout_seconds: u64,
    /// Connections served at once at most; more wait in the listen queue. Also capped at half
    /// the process's open-file limit, so that the poller keeps file descriptors to fetch with.
    pub max_connections: usize,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            api_token: String::new(),
            allowed_hosts: Vec::new(),
            header_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            max_connections: 256,
        }
    }
}

/// `Debug` is written by hand: it shows the URL without its password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Store {
    /// Which implementation keeps the history; a `url` selects `postgres` by itself.
    pub backend: crate::store::Backend,
    /// The database file (backend `sqlite`).
    pub path: PathBuf,
    /// The PostgreSQL database (`postgres://user:password@host:5432/echoscope`), shared by the
    /// daemon's replicas; `ECHOSCOPE_STORE_URL` overrides it. Shown without the password.
    pub url: Option<String>,
    /// Posts and analysis runs older than this many days are deleted (0 keeps everything).
    pub retention_days: u32,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            backend: crate::store::Backend::Sqlite,
            path: PathBuf::from("data/echoscope.db"),
            url: None,
            retention_days: 365,
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("path", &self.path)
            .field("url", &self.url.as_ref().map(|_| self.location()))
            .field("retention_days", &self.retention_days)
            .finish()
    }
}

impl Store {
    /// The backend in use: PostgreSQL when a `url` is set, else `backend`.
    pub fn selected_backend(&self) -> crate::store::Backend {
        match self.url {
            Some(_) => crate::store::Backend::Postgres,
            None => self.backend,
        }
    }

    /// Where the history is, for logs and errors: the SQLite path, or the database as
    /// `postgres://user@host:port/db` (never the password).
    pub fn location(&self) -> String {
        match (self.selected_backend(), self.url.as_deref()) {
            (crate::store::Backend::Postgres, Some(url)) => match url.parse() {
                Ok(config) => crate::store::postgres::redact(&config),
                Err(_) => "postgres (invalid store.url)".to_string(),
            },
            (crate::store::Backend::Postgres, None) => "postgres (no store.url)".to_string(),
            (crate::store::Backend::Sqlite, _) => self.path.display().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Poll {
    /// Seconds between two polls of one account.
    pub interval_seconds: u64,
    /// Each wait is stretched or shrunk by up to this share at random, so that thousands of
    /// accounts do not hit their servers in lockstep.
    pub jitter: f64,
    /// How many posts the first poll of an account pages back through.
    pub backfill_posts: usize,
    /// Total time one HTTP request may take.
    pub timeout_seconds: u64,
    /// Largest response body accepted.
    pub max_body_bytes: u64,
    /// Requests in flight to one host at most.
    pub per_host_concurrency: usize,
    /// Retries of a failed request (timeouts, 5xx, 429), with exponential backoff and jitter.
    pub retries: usize,
    /// Longest a host's `Retry-After` (or spent rate-limit budget) is honoured, in seconds.
    /// While a host asks to wait, no account on that host is fetched; a longer request (a
    /// broken or hostile `Retry-After: 999999`) is cut to this.
    pub max_retry_after_seconds: u64,
    /// Contact URL or e-mail added to the User-Agent, so server operators can reach you.
    pub contact: String,
    /// Base URL of the Bluesky AppView.
    pub bluesky_appview: String,
}

impl Default for Poll {
    fn default() -> Self {
        Poll {
            interval_seconds: 900,
            jitter: 0.1,
            backfill_posts: 200,
            timeout_seconds: 20,
            max_body_bytes: 8 << 20,
            per_host_concurrency: 4,
            retries: 3,
            max_retry_after_seconds: 3600,
            contact: String::new(),
            bluesky_appview: "https://public.api.bsky.app".to_string(),
        }
    }
}

/// Log output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `echoscope=debug`. `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            format: LogFormat::Text,
            level: "info".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metrics {
    /// Extra label names on every per-account metric (e.g. `["client"]`); each account sets
    /// their values in its `labels` table. A fixed list, so that every series has the same
    /// label names.
    pub account_labels: Vec<String>,
}

/// One monitored account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AccountToml", into = "AccountToml")]
pub struct Account {
    /// The operator's name for it: unique, used in the API path and the `account` label.
    pub name: String,
    /// Where to read it, parsed when the configuration is loaded.
    pub source: Source,
    /// Values for `metrics.account_labels`.
    pub labels: BTreeMap<String, String>,
    /// Overrides `poll.interval_seconds` for this account.
    pub interval_seconds: Option<u64>,
    /// Overrides `store.retention_days` for this account, for pruning and analysis alike; 0
    /// keeps and analyses its whole history (an archive whose posts are all old).
    pub retention_days: Option<u32>,
}

impl Account {
    /// An account with no labels and the global interval and retention.
    pub fn new(name: impl Into<String>, source: Source) -> Account {
        Account {
            name: name.into(),
            source,
            labels: BTreeMap::new(),
            interval_seconds: None,
            retention_days: None,
        }
    }
}

/// An `[[accounts]]` table as written, before its source is parsed: parsing it here rather
/// than in [`Source`]'s own deserializer lets the error name the account. An account
/// serializes back to it, so that the `handle` of a `file:` source is not lost.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountToml {
    name: String,
    source: String,
    /// For a `file:` source: which of the file's accounts to watch (its handle as the file
    /// names it). Kept in [`SourceSpec::File`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handle: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    interval_seconds: Option<u64>,
    #[serde(default)]
    retention_days: Option<u32>,
}

impl From<Account> for AccountToml {
    fn from(a: Account) -> AccountToml {
        let handle = match a.source.spec() {
            SourceSpec::File { handle, .. } => handle.clone(),
            SourceSpec::Live(_) => None,
        };
        AccountToml {
            name: a.name,
            source: a.source.text,
            handle,
            labels: a.labels,
            interval_seconds: a.interval_seconds,
            retention_days: a.retention_days,
        }
    }
}

impl TryFrom<AccountToml> for Account {
    type Error = String;
    fn try_from(a: AccountToml) -> Result<Account, String> {
        let mut source =
            Source::parse(&a.source).map_err(|e| format!("account {:?}: {e}", a.name))?;
        if let Some(handle) = a.handle {
            source = source
                .selecting(&handle)
                .map_err(|reason| format!("account {:?}: handle {handle:?}: {reason}", a.name))?;
        }
        Ok(Account {
            name: a.name,
            source,
            labels: a.labels,
            interval_seconds: a.interval_seconds,
            retention_days: a.retention_days,
        })
    }
}

/// An account's `source`: parsed once, when the configuration is loaded, into what it names.
/// Its kind, platform and handle are asked of it everywhere (the store key, the metric labels,
/// the API, the fetch), so no part of the daemon reads the text again. It displays and
/// serializes as the operator wrote it; it displays so too, but with credentials in a URL
/// masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    spec: SourceSpec,
    /// As configured (trimmed), for logs and the API.
    text: String,
}

/// What a source names. A closed set: a new kind of source is a variant here, and the
/// compiler then names every place to wire it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `file:PATH`: an archive or JSONL file, re-read when it changes. `handle` (the account's
    /// `handle` key) picks one account of a file holding several; without it, such a file is
    /// refused rather than its accounts analysed as one.
    File {
        path: PathBuf,
        handle: Option<String>,
    },
    /// A feed URL, `mastodon:@user@host` or `bsky:handle`: the live reader's own spec, so the
    /// daemon and `echoscope scan` read a source the same way.
    Live(LiveSpec),
}

/// A source text that names nothing echoscope can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "source {text:?}: {reason} (expected a feed URL, mastodon:@user@host, bsky:handle or file:PATH)"
)]
pub struct SourceError {
    pub text: String,
    pub reason: String,
}

impl Source {
    /// Parses `file:PATH`, or anything [`LiveSpec::parse`] accepts.
    pub fn parse(text: &str) -> Result<Source, SourceError> {
        let text = text.trim();
        let error = |reason: String| SourceError {
            text: text.to_string(),
            reason,
        };
        let spec = match text.strip_prefix("file:") {
            Some("") => return Err(error("the file path is empty".into())),
            Some(path) => SourceSpec::File {
                path: PathBuf::from(path),
                handle: None,
            },
            None => SourceSpec::Live(LiveSpec::parse(text).map_err(|e| error(e.reason))?),
        };
        Ok(Source {
            spec,
            text: text.to_string(),
        })
    }

    /// A watched file, as `file:PATH` would name it.
    pub fn file(path: impl Into<PathBuf>) -> Source {
        let path = path.into();
        Source {
            text: format!("file:{}", path.display()),
            spec: SourceSpec::File { path, handle: None },
        }
    }

    /// This `file:` source, watching only the account of the file whose handle is `handle`
    /// (the account's `handle` key). Refused, with the reason, when `handle` is empty or the
    /// source is not a file: a live source names its one account itself.
    pub fn selecting(self, handle: &str) -> Result<Source, String> {
        let handle = handle.trim();
        if handle.trim_start_matches('@').is_empty() {
            return Err(
                "the handle is empty; name the account of the file to watch, or leave \
                        `handle` out"
                    .into(),
            );
        }
        if handle.chars().any(char::is_control) {
            return Err("the handle holds a control character".into());
        }
        match self.spec {
            SourceSpec::File { path, .. } => Ok(Source {
                spec: SourceSpec::File {
                    path,
                    handle: Some(handle.to_string()),
                },
                text: self.text,
            }),
            SourceSpec::Live(_) => Err(format!(
                "`handle` picks an account of a `file:` source; source {:?} names its account \
                 itself",
                crate::redact::url(&self.text)
            )),
        }
    }

    /// What the source names.
    pub fn spec(&self) -> &SourceSpec {
        &self.spec
    }

    /// The kind of source: the `source` label of fetch metrics.
    pub fn kind(&self) -> SourceKind {
        match &self.spec {
            SourceSpec::File { .. } => SourceKind::File,
            SourceSpec::Live(live) => live.kind(),
        }
    }

    /// The platform, as far as the source tells before anything is read: a file says which
    /// platform it is from only when read, so it is `other` until then.
    pub fn platform(&self) -> Platform {
        match &self.spec {
            SourceSpec::File { .. } => Platform::Other,
            SourceSpec::Live(live) => live.platform(),
        }
    }

    /// The account's handle as the source names it (`user@host`, the Bluesky handle, the
    /// feed's account, or the file's path): the store's `handle`.
    pub fn handle(&self) -> String {
        match &self.spec {
            SourceSpec::File { path, .. } => path.display().to_string(),
            SourceSpec::Live(live) => live.account(),
        }
    }

    /// The platform under which echoscope 0.1 filed this account's history in the store. It
    /// guessed the platform from pieces of the text, so it filed `bluesky:handle` under `feed`
    /// and any feed URL with `/@` in it (`https://medium.com/feed/@user`) under `mastodon`.
    /// The poller moves such history to [`Source::platform`] once; nothing else may use this.
    pub fn platform_in_0_1_stores(&self) -> Platform {
        match &self.spec {
            SourceSpec::File { .. } => Platform::Other,
            SourceSpec::Live(LiveSpec::Mastodon { .. }) => Platform::Mastodon,
            SourceSpec::Live(LiveSpec::Bluesky { .. }) if self.text.starts_with("bluesky:") => {
                Platform::Feed
            }
            SourceSpec::Live(LiveSpec::Bluesky { .. }) => Platform::Bluesky,
            SourceSpec::Live(LiveSpec::Feed { url }) if url.contains("bsky.app/profile/") => {
                Platform::Bluesky
            }
            SourceSpec::Live(LiveSpec::Feed { url }) if url.contains("/@") => Platform::Mastodon,
            SourceSpec::Live(LiveSpec::Feed { url }) if url.contains("youtube.com/feeds/") => {
                Platform::Youtube
            }
            SourceSpec::Live(LiveSpec::Feed { url }) if url.contains("reddit.com/") => {
                Platform::Reddit
            }
            SourceSpec::Live(LiveSpec::Feed { .. }) => Platform::Feed,
        }
    }
}

impl std::str::FromStr for Source {
    type Err = SourceError;
    fn from_str(s: &str) -> Result<Source, SourceError> {
        Source::parse(s)
    }
}

/// Shows the source as the operator wrote it, with credentials masked ([`crate::redact::url`]):
/// logs and the API display it, and neither may show a password or token.
impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::redact::url(&self.text))
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for this struct (unknown key, wrong type...).
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// The values do not make sense together.
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Label names echoscope itself puts on per-account series (and on the families' own
/// samples): an operator label with one of these names would make two labels of one name.
pub const RESERVED_LABELS: [&str; 6] = [
    "account", "platform", "detector", "severity", "le", "quantile",
];

/// Whether `name` can be an operator's extra label: Prometheus label-name syntax
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), not reserved by Prometheus (`__` prefix, `le` and `quantile` on
/// histograms and summaries) nor set by echoscope itself ([`RESERVED_LABELS`]).
fn check_label_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("it is empty");
    };
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err("a label name is letters, digits and '_', not starting with a digit");
    }
    if name.starts_with("__") {
        return Err("names starting with '__' are reserved by Prometheus");
    }
    if RESERVED_LABELS.contains(&name) {
        return Err("echoscope or Prometheus sets a label of that name itself");
    }
    Ok(())
}

impl Config {
    /// Reads a config file, applies environment overrides and checks it.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        config.apply_env();
        config.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(config)
    }

    /// Parses TOML text (no environment, no checks).
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// Environment overrides: secrets only (the API token, the database URL).
    pub fn apply_env(&mut self) {
        if let Ok(token) = std::env::var(TOKEN_ENV) {
            if !token.is_empty() {
                self.server.api_token = token;
            }
        }
        if let Ok(url) = std::env::var(STORE_URL_ENV) {
            if !url.is_empty() {
                self.store.url = Some(url);
            }
        }
        self.store.backend = self.store.selected_backend();
    }

    /// Checks what serde cannot: unique names, known label names, sane numbers.
    pub fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::HashSet::new();
        for a in &self.accounts {
            if a.name.trim().is_empty() {
                return Err("an account has an empty name".into());
            }
            if !names.insert(a.name.as_str()) {
                return Err(format!("account name {:?} is used twice", a.name));
            }
            for k in a.labels.keys() {
                if !self.metrics.account_labels.contains(k) {
                    return Err(format!(
                        "account {:?} sets label {k:?}, which is not in metrics.account_labels",
                        a.name
                    ));
                }
            }
            if a.interval_seconds == Some(0) {
                return Err(format!(
                    "account {:?}: interval_seconds must be > 0",
                    a.name
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for l in &self.metrics.account_labels {
            check_label_name(l).map_err(|why| {
                format!("metrics.account_labels: {l:?} is not a usable label name: {why}")
            })?;
            if !seen.insert(l.as_str()) {
                return Err(format!("metrics.account_labels: {l:?} is listed twice"));
            }
        }
        if !self.server.api_token.is_empty() && self.server.api_token.trim().is_empty() {
            return Err(
                "server.api_token is only whitespace: no request could match it (leave it empty \
                 to turn the state-changing endpoints off)"
                    .into(),
            );
        }
        if self.server.header_timeout_seconds == 0 || self.server.idle_timeout_seconds == 0 {
            return Err(
                "server.header_timeout_seconds and server.idle_timeout_seconds must be > 0".into(),
            );
        }
        if self.server.max_connections == 0 {
            return Err("server.max_connections must be > 0".into());
        }
        for h in &self.server.allowed_hosts {
            if h.trim().is_empty() || h.contains(['/', ' ', '@']) {
                return Err(format!(
                    "server.allowed_hosts: {h:?} is not a host name or address"
                ));
            }
        }
        if self.poll.interval_seconds == 0 {
            return Err("poll.interval_seconds must be > 0".into());
        }
        if !(0.0..=0.5).contains(&self.poll.jitter) {
            return Err("poll.jitter must be between 0 and 0.5".into());
        }
        if self.poll.per_host_concurrency == 0 {
            return Err("poll.per_host_concurrency must be > 0".into());
        }
        // Renewal every third of the lease needs a round trip to the database to fit well
        // inside it; a day-long lease would leave dead replicas' accounts unpolled for a day.
        if !(3..=3600).contains(&self.cluster.lease_seconds) {
            return Err("cluster.lease_seconds must be between 3 and 3600".into());
        }
        if self.cluster.replica_id.chars().any(char::is_control)
            || self.cluster.replica_id.len() > 200
        {
            return Err("cluster.replica_id must be at most 200 characters, none of them control characters".into());
        }
        self.validate_store()?;
        Ok(())
    }

    /// The `[store]` checks: a URL must be a PostgreSQL one (errors never show it: it may hold
    /// a password), and the postgres backend needs one.
    fn validate_store(&self) -> Result<(), String> {
        match (&self.store.url, self.store.backend) {
            (Some(url), _) => {
                if !crate::store::postgres::is_url(url) {
                    return Err(format!(
                        "store.url must start with postgres:// or postgresql:// (or come from \
                         {STORE_URL_ENV})"
                    ));
                }
                if url.parse::<postgres::Config>().is_err() {
                    return Err("store.url is not a valid PostgreSQL URL".into());
                }
                Ok(())
            }
            (None, crate::store::Backend::Postgres) => Err(format!(
                "store.backend = \"postgres\" needs store.url (or {STORE_URL_ENV})"
            )),
            (None, crate::store::Backend::Sqlite) => Ok(()),
        }
    }

    /// How many days of one account's history are kept and analysed: its own
    /// `retention_days`, else `store.retention_days`; 0 keeps everything.
    pub fn retention_days(&self, account: &Account) -> u32 {
        account.retention_days.unwrap_or(self.store.retention_days)
    }

    /// The poll interval of one account.
    pub fn interval(&self, account: &Account) -> std::time::Duration {
        std::time::Duration::from_secs(
            account
                .interval_seconds
                .unwrap_or(self.poll.interval_seconds),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let err = Config::parse("[server]\nlisten = \"127.0.0.1:1\"\nlistne = 1\n").unwrap_err();
        assert!(err.contains("listne"), "{err}");
    }

    #[test]
    fn labels_must_be_declared() {
        let mut c = Config::parse(
            "[[accounts]]\nname = \"a\"\nsource = \"bsky:a.bsky.social\"\nlabels = { client = \"x\" }\n",
        )
        .unwrap();
        assert!(c
            .validate()
            .unwrap_err()
            .contains("not in metrics.account_labels"));
        c.metrics.account_labels = vec!["client".into()];
        c.validate().unwrap();
        c.accounts.push(c.accounts[0].clone());
        assert!(c.validate().unwrap_err().contains("used twice"));
    }

    #[test]
    fn the_documented_example_parses_and_validates() {
        let text = include_str!("../deploy/echoscope.example.toml");
        let c = Config::parse(text).unwrap();
        c.validate().unwrap();
        assert_eq!(c.accounts.len(), 4);
        // The example documents the defaults: apart from the example values, it equals them.
        assert_eq!(c.server, Server::default());
        assert_eq!(c.store, Store::default());
        assert_eq!(c.poll, Poll::default());
        assert_eq!(c.log, Log::default());
    }

    #[test]
    fn sources_know_their_kind_platform_and_handle() {
        for (text, kind, platform, handle) in [
            (
                "https://mastodon.social/@acme.rss",
                SourceKind::Feed,
                Platform::Mastodon,
                "acme@mastodon.social",
            ),
            (
                "https://bsky.app/profile/acme.bsky.social/rss",
                SourceKind::Feed,
                Platform::Bluesky,
                "acme.bsky.social",
            ),
            (
                "https://example.com/feed.xml",
                SourceKind::Feed,
                Platform::Feed,
                "https://example.com/feed.xml",
            ),
            (
                " mastodon:@Acme@Mastodon.Social ",
                SourceKind::MastodonApi,
                Platform::Mastodon,
                "Acme@mastodon.social",
            ),
            (
                "bsky:@Acme.bsky.social",
                SourceKind::BlueskyAppview,
                Platform::Bluesky,
                "acme.bsky.social",
            ),
            (
                "file:/archives/acme.zip",
                SourceKind::File,
                Platform::Other,
                "/archives/acme.zip",
            ),
        ] {
            let s = Source::parse(text).unwrap();
            assert_eq!(
                (s.kind(), s.platform(), s.handle().as_str()),
                (kind, platform, handle),
                "{text}"
            );
            // Logs and the API show what the operator wrote.
            assert_eq!(s.to_string(), text.trim());
        }
        let f = Source::file("/a b/c.jsonl");
        assert_eq!(f, Source::parse("file:/a b/c.jsonl").unwrap());
    }

    #[test]
    fn a_bad_source_is_rejected_at_load_naming_the_account_and_the_value() {
        for bad in [
            "bluesky",
            "mastodon:@nohost",
            "bsky:a/b",
            "file:",
            "ftp://x",
            "",
        ] {
            let text = format!("[[accounts]]\nname = \"acme\"\nsource = \"{bad}\"\n");
            let err = Config::parse(&text).unwrap_err();
            assert!(err.contains("account \"acme\""), "{bad}: {err}");
            assert!(err.contains(&format!("source {bad:?}")), "{bad}: {err}");
            assert!(err.contains("expected a feed URL"), "{bad}: {err}");
        }
        // Unknown keys in an account are still rejected, by name.
        let err = Config::parse("[[accounts]]\nname = \"a\"\nsource = \"bsky:a.b\"\nlabel = 1\n")
            .unwrap_err();
        assert!(err.contains("label"), "{err}");
    }

    #[test]
    fn a_file_source_takes_a_handle_picking_one_account_of_the_file() {
        let c = Config::parse(
            "[[accounts]]\nname = \"chloe\"\nsource = \"file:/data/a#b.jsonl\"\nhandle = \" @chloe \"\n",
        )
        .unwrap();
        // The path is kept whole, `#` and all; the handle is trimmed.
        assert_eq!(
            c.accounts[0].source.spec(),
            &SourceSpec::File {
                path: PathBuf::from("/data/a#b.jsonl"),
                handle: Some("@chloe".into()),
            }
        );
        // Without the key, no handle: a path's `#` is never read as one.
        let c = Config::parse("[[accounts]]\nname = \"a\"\nsource = \"file:/d/a#b\"\n").unwrap();
        assert_eq!(
            c.accounts[0].source.spec(),
            &SourceSpec::File {
                path: PathBuf::from("/d/a#b"),
                handle: None,
            }
        );
        // The account serializes back with its handle.
        let back: Account = toml::from_str(
            &toml::to_string(&Account::new(
                "x",
                Source::file("/d/f.jsonl").selecting("lucas").unwrap(),
            ))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            back.source.spec(),
            &SourceSpec::File {
                path: PathBuf::from("/d/f.jsonl"),
                handle: Some("lucas".into()),
            }
        );
    }

    #[test]
    fn an_empty_handle_or_a_handle_on_a_live_source_is_refused_naming_the_account() {
        for (source, handle, expect) in [
            ("file:/d/f.jsonl", "", "the handle is empty"),
            ("file:/d/f.jsonl", "  ", "the handle is empty"),
            ("file:/d/f.jsonl", "@", "the handle is empty"),
            ("bsky:acme.bsky.social", "acme", "names its account itself"),
            (
                "https://u:s3cret@example.com/feed.xml",
                "acme",
                "names its account itself",
            ),
        ] {
            let text = format!(
                "[[accounts]]\nname = \"acme\"\nsource = \"{source}\"\nhandle = \"{handle}\"\n"
            );
            let err = Config::parse(&text).unwrap_err();
            assert!(err.contains("account \"acme\""), "{source}: {err}");
            assert!(err.contains("handle"), "{source}: {err}");
            assert!(err.contains(expect), "{source}: {err}");
            assert!(!err.contains("s3cret"), "{source}: {err}");
        }
    }

    #[test]
    fn account_labels_reject_duplicates_reserved_and_invalid_names() {
        for (labels, expect) in [
            (vec!["client", "client"], "listed twice"),
            (vec!["le"], "sets a label of that name itself"),
            (vec!["quantile"], "sets a label of that name itself"),
            (vec!["account"], "sets a label of that name itself"),
            (vec!["platform"], "sets a label of that name itself"),
            (vec!["severity"], "sets a label of that name itself"),
            (vec!["__name__"], "reserved by Prometheus"),
            (vec!["9lives"], "letters, digits"),
            (vec!["team-a"], "letters, digits"),
            (vec!["é"], "letters, digits"),
            (vec![""], "empty"),
        ] {
            let mut c = Config::default();
            c.metrics.account_labels = labels.iter().map(|l| l.to_string()).collect();
            let err = c.validate().unwrap_err();
            assert!(err.contains(expect), "{labels:?}: {err}");
            assert!(err.contains("metrics.account_labels"), "{labels:?}: {err}");
        }
        let mut c = Config::default();
        c.metrics.account_labels = vec!["client".into(), "_team".into(), "Env2".into()];
        c.validate().unwrap();
    }

    #[test]
    fn a_whitespace_only_api_token_is_rejected_at_load() {
        let mut c = Config::default();
        c.server.api_token = "  \t ".into();
        let err = c.validate().unwrap_err();
        assert!(err.contains("server.api_token"), "{err}");
        c.server.api_token = "s3cret".into();
        c.validate().unwrap();
    }

    #[test]
    fn defaults_listen_on_loopback() {
        let c = Config::default();
        assert!(c.server.listen.ip().is_loopback());
        assert!(c.server.api_token.is_empty());
        c.validate().unwrap();
    }

    #[test]
    fn a_store_url_selects_postgres_and_is_checked_without_showing_it() {
        let mut c =
            Config::parse("[store]\nurl = \"postgres://app:s3cret@db.internal:5433/echo\"\n")
                .unwrap();
        assert_eq!(c.store.selected_backend(), crate::store::Backend::Postgres);
        assert_eq!(c.store.location(), "postgres://app@db.internal:5433/echo");
        c.validate().unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("app@db.internal:5433/echo"), "{debug}");

        c.store.url = Some("mysql://app:s3cret@db/echo".into());
        let err = c.validate().unwrap_err();
        assert!(err.contains("postgres://"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");

        c.store.url = Some("postgres://app:s3cret@db:notaport/echo".into());
        let err = c.validate().unwrap_err();
        assert!(err.contains("not a valid PostgreSQL URL"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");

        let c = Config::parse("[store]\nbackend = \"postgres\"\n").unwrap();
        let err = c.validate().unwrap_err();
        assert!(err.contains("needs store.url"), "{err}");
        assert!(err.contains(STORE_URL_ENV), "{err}");

        // Without a URL, SQLite at store.path as before.
        let c = Config::default();
        assert_eq!(c.store.selected_backend(), crate::store::Backend::Sqlite);
        assert_eq!(c.store.location(), "data/echoscope.db");
    }
}
