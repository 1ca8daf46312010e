//! Prometheus metrics of the daemon, and the two formats `/metrics` speaks.
//!
//! Names follow `echoscope_<subsystem>_<name>_<unit>`. Service metrics have small fixed label
//! sets (`source`, `result`) and live in a `prometheus` registry; they survive reloads.
//! Per-account gauges carry `account` (only accounts the operator configured), `platform` and
//! the operator's own `metrics.account_labels`.
//!
//! Per-account series are most of a scrape (eleven families an account; ten thousand accounts
//! make 6 to 11 MB of text), and an account's values change only when it is fetched or
//! analysed, minutes apart, while Prometheus scrapes every 15 to 60 s. So each account's sample
//! lines are rendered when its values change and kept as text; a scrape copies them under one
//! header per family instead of formatting every sample again. Because the extra label names
//! can change on reload, [`Metrics::reset_accounts`] drops every account's text and the daemon
//! publishes each account again.
//!
//! A scrape is the Prometheus text format 0.0.4 by default, or OpenMetrics 1.0.0 when the
//! request's `Accept` prefers it ([`Format::negotiate`]). The `prometheus` crate (0.14) has no
//! OpenMetrics encoder, so [`Format::OpenMetrics`] is written here: counters are declared
//! without their `_total` suffix, help text escapes quotes and the exposition ends in `# EOF`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::RwLock;

use prometheus::proto::{Metric, MetricFamily, MetricType};
use prometheus::{
    Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use crate::config::{Account, Config};
use crate::detectors;
use crate::model::AccountReport;
use crate::model::Severity;

/// The git revision baked in at build time, when the build had one.
const REVISION: &str = match option_env!("ECHOSCOPE_REVISION") {
    Some(r) => r,
    None => "unknown",
};

/// How a scrape is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4 (what every scraper reads).
    Text,
    /// OpenMetrics 1.0.0 text, which Prometheus asks for first in its `Accept` header.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` of a scrape in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format an `Accept` header asks for: OpenMetrics 1.0.0 when the client rates it at
    /// least as high as plain text (Prometheus sends `application/openmetrics-text;
    /// version=1.0.0,...,text/plain;version=0.0.4;q=0.5,...`), else text (curl's `*/*`, no
    /// header, or only OpenMetrics versions other than 1.0.0).
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut openmetrics = 0.0f32;
        let mut text = 0.0f32;
        for entry in entries(accept) {
            let version = entry.param("version");
            match entry.value.as_str() {
                "application/openmetrics-text" if version.is_none_or(|v| v == "1.0.0") => {
                    openmetrics = openmetrics.max(entry.q);
                }
                "text/plain" if version.is_none_or(|v| v == "0.0.4") => text = text.max(entry.q),
                "text/*" | "*/*" => text = text.max(entry.q),
                _ => {}
            }
        }
        if openmetrics > 0.0 && openmetrics >= text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }
}

/// Whether an `Accept-Encoding` header accepts gzip (`gzip`, `x-gzip` or `*` with a non-zero
/// `q`; an explicit `gzip;q=0` refuses it even when `*` is accepted).
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let mut gzip = None;
    let mut any = None;
    for entry in entries(header) {
        match entry.value.as_str() {
            "gzip" | "x-gzip" => gzip = Some(entry.q),
            "*" => any = Some(entry.q),
            _ => {}
        }
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

/// A scrape compressed with gzip, at the fastest level: a 10,000-account scrape shrinks 13-fold
/// (10.9 MB to 0.82 MB) in about 13 ms (`cargo bench --bench metrics_scrape`).
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 8),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// One element of a comma-separated header such as `Accept`: its lowercase value, parameters
/// and quality.
struct Entry {
    value: String,
    params: Vec<(String, String)>,
    q: f32,
}

impl Entry {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn entries(header: &str) -> impl Iterator<Item = Entry> + '_ {
    header.split(',').filter_map(|part| {
        let mut pieces = part.split(';');
        let value = pieces.next()?.trim().to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        let mut q = 1.0;
        let mut params = Vec::new();
        for p in pieces {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().trim_matches('"').to_string();
            if k == "q" {
                // An unreadable quality counts as refusal rather than as a wish.
                q = v.parse().unwrap_or(0.0);
            } else {
                params.push((k, v));
            }
        }
        Some(Entry { value, params, q })
    })
}

/// Service-wide metrics plus the per-account series.
pub struct Metrics {
    registry: Registry,
    pub fetches: IntCounterVec,
    pub fetch_duration: HistogramVec,
    pub analysis_duration: Histogram,
    pub store_size: IntGauge,
    /// Failed store calls by operation (`op`: the store method, a fixed set).
    pub store_errors: IntCounterVec,
    /// 1 while the store answers and takes writes, 0 once it failed (read-only, full, damaged).
    pub store_up: IntGauge,
    pub config_reload_success: IntGauge,
    pub config_reload_timestamp: Gauge,
    pub accounts_configured: IntGauge,
    /// Accounts this replica holds a lease on and polls now (all of them with SQLite).
    pub accounts_held: IntGauge,
    /// Accounts this replica started (`acquired`) or stopped polling: handed back above its
    /// share or at shutdown (`released`), or found taken over or run out (`lost`).
    pub lease_handovers: IntCounterVec,
    /// Lease rounds the store did not answer.
    pub lease_rounds_failed: prometheus::IntCounter,
    /// Connections to the store lost and re-made (PostgreSQL), copied from the store at scrape.
    pub store_reconnects: prometheus::IntCounter,
    /// Account pollers that ended on a panic (a bug) and were started again.
    pub poller_panics: prometheus::IntCounter,
    accounts: RwLock<AccountGauges>,
}

/// A per-account metric family. Variants are in the order of their names, the order a scrape
/// lists them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    AnalysedPosts,
    AuthenticityScore,
    AutoReplyRatio,
    EvidenceLevel,
    FetchSuccess,
    Findings,
    LastFetchSuccessTimestamp,
    NearDuplicateRatio,
    PostsStored,
    PromotionRatio,
    ScheduledRepeatActiveCampaigns,
}

impl Family {
    const ALL: [Family; 11] = [
        Family::AnalysedPosts,
        Family::AuthenticityScore,
        Family::AutoReplyRatio,
        Family::EvidenceLevel,
        Family::FetchSuccess,
        Family::Findings,
        Family::LastFetchSuccessTimestamp,
        Family::NearDuplicateRatio,
        Family::PostsStored,
        Family::PromotionRatio,
        Family::ScheduledRepeatActiveCampaigns,
    ];

    fn name(self) -> &'static str {
        match self {
            Family::AnalysedPosts => "echoscope_account_analysed_posts",
            Family::AuthenticityScore => "echoscope_account_authenticity_score",
            Family::AutoReplyRatio => "echoscope_account_auto_reply_ratio",
            Family::EvidenceLevel => "echoscope_account_evidence_level",
            Family::FetchSuccess => "echoscope_account_fetch_success",
            Family::Findings => "echoscope_account_findings",
            Family::LastFetchSuccessTimestamp => {
                "echoscope_account_last_fetch_success_timestamp_seconds"
            }
            Family::NearDuplicateRatio => "echoscope_account_near_duplicate_ratio",
            Family::PostsStored => "echoscope_account_posts_stored",
            Family::PromotionRatio => "echoscope_account_promotion_ratio",
            Family::ScheduledRepeatActiveCampaigns => {
                "echoscope_account_scheduled_repeat_active_campaigns"
            }
        }
    }

    fn help(self) -> &'static str {
        match self {
            Family::AnalysedPosts => {
                "Posts the latest analysis read (within the account's retention)."
            }
            Family::AuthenticityScore => {
                "Authenticity score 0-100 of the latest analysis (100 reads as a person)."
            }
            Family::AutoReplyRatio => "Share of replies to others that are templated.",
            Family::EvidenceLevel => "How much evidence the score rests on: 0 thin (under 30 posts or 3 days), 1 limited (under 100 posts or 14 days), 2 ample.",
            Family::FetchSuccess => "1 if the last fetch of the account succeeded, 0 if it failed.",
            Family::Findings => {
                "Findings of the latest analysis by detector and severity (absent when none)."
            }
            Family::LastFetchSuccessTimestamp => "Unix time of the last successful fetch.",
            Family::NearDuplicateRatio => {
                "Share of the account's posts that sit in near-duplicate clusters."
            }
            Family::PostsStored => "Posts stored for the account.",
            Family::PromotionRatio => "Share of the account's own posts that are promotional.",
            Family::ScheduledRepeatActiveCampaigns => {
                "Scheduled repeat campaigns still running as of the latest analysis."
            }
        }
    }
}

/// One account's series, rendered.
struct AccountSeries {
    /// The `platform` label its series carry now. An account's platform can become known only
    /// after its first successful fetch (a watched file says which platform it is from): its
    /// series under the old value are then dropped, not left behind as stale duplicates.
    platform: String,
    /// Each family's sample lines for this account (empty: no series), by `Family as usize`.
    text: [String; Family::ALL.len()],
}

/// Per-account series for one set of extra label names, by account name (so that a scrape
/// lists accounts in a stable order).
struct AccountGauges {
    label_names: Vec<String>,
    accounts: BTreeMap<String, AccountSeries>,
}

impl AccountGauges {
    fn new(extra: &[String]) -> AccountGauges {
        AccountGauges {
            label_names: extra.to_vec(),
            accounts: BTreeMap::new(),
        }
    }
}

/// The account's series under `platform`, dropping what it had under another platform.
fn series<'a>(
    accounts: &'a mut BTreeMap<String, AccountSeries>,
    account: &Account,
    platform: &str,
) -> &'a mut AccountSeries {
    let series = accounts
        .entry(account.name.clone())
        .or_insert_with(|| AccountSeries {
            platform: platform.to_string(),
            text: Default::default(),
        });
    if series.platform != platform {
        series.platform = platform.to_string();
        series.text = Default::default();
    }
    series
}

/// The account's label pairs (without `detector` and `severity`).
fn labels<'a>(
    names: &'a [String],
    account: &'a Account,
    platform: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![("account", account.name.as_str()), ("platform", platform)];
    for l in names {
        let value = account.labels.get(l).map(|s| s.as_str()).unwrap_or("");
        v.push((l.as_str(), value));
    }
    v
}

/// Appends one sample line, labels sorted by name as the `prometheus` crate writes them.
fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    let mut sorted = labels.to_vec();
    sorted.sort_unstable_by_key(|(k, _)| *k);
    out.push_str(name);
    let mut separator = '{';
    for (k, v) in &sorted {
        out.push(separator);
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape(v, true));
        out.push('"');
        separator = ',';
    }
    if !sorted.is_empty() {
        out.push('}');
    }
    out.push(' ');
    out.push_str(&number(value));
    out.push('\n');
}

/// A sample value as both formats spell it.
fn number(v: f64) -> Cow<'static, str> {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        v.to_string().into()
    }
}

/// Escapes a label value (`quotes`) or help text: backslash and newline always, double quotes
/// in label values and in OpenMetrics help text.
fn escape(v: &str, quotes: bool) -> Cow<'_, str> {
    if !v.contains(['\\', '\n', '"']) {
        return v.into();
    }
    let mut out = String::with_capacity(v.len() + 8);
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.into()
}

/// Appends a family's `# HELP` and `# TYPE` lines.
fn header(out: &mut String, format: Format, name: &str, help: &str, kind: &str) {
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    out.push_str(&escape(help, format == Format::OpenMetrics));
    out.push_str("\n# TYPE ");
    out.push_str(name);
    out.push(' ');
    out.push_str(kind);
    out.push('\n');
}

/// Appends service families in OpenMetrics 1.0.0: a counter's family name drops `_total`
/// (its sample keeps it), and histogram bounds are written as floats (`1.0`, `+Inf`).
fn openmetrics(families: &[MetricFamily], out: &mut String) {
    for mf in families {
        let name = mf.name();
        let kind = mf.get_field_type();
        let (family, type_name) = match kind {
            MetricType::COUNTER => (name.strip_suffix("_total").unwrap_or(name), "counter"),
            MetricType::GAUGE => (name, "gauge"),
            MetricType::HISTOGRAM => (name, "histogram"),
            MetricType::SUMMARY => (name, "summary"),
            MetricType::UNTYPED => (name, "unknown"),
        };
        header(out, Format::OpenMetrics, family, mf.help(), type_name);
        for m in mf.get_metric() {
            let labels = pairs(m);
            match kind {
                MetricType::COUNTER => sample(
                    out,
                    &format!("{family}_total"),
                    &labels,
                    m.get_counter().get_value(),
                ),
                MetricType::GAUGE => sample(out, name, &labels, m.get_gauge().get_value()),
                // The crate makes no untyped metrics (its own text encoder panics on them),
                // and its accessor for their value is deprecated: the family stays empty.
                MetricType::UNTYPED => {}
                MetricType::HISTOGRAM => {
                    let h = m.get_histogram();
                    let bucket = format!("{name}_bucket");
                    let mut inf_seen = false;
                    for b in h.get_bucket() {
                        let bound = b.upper_bound();
                        inf_seen |= bound == f64::INFINITY;
                        let le = float(bound);
                        let mut with_le = labels.clone();
                        with_le.push(("le", &le));
                        sample(out, &bucket, &with_le, b.cumulative_count() as f64);
                    }
                    if !inf_seen {
                        let mut with_le = labels.clone();
                        with_le.push(("le", "+Inf"));
                        sample(out, &bucket, &with_le, h.get_sample_count() as f64);
                    }
                    sample(out, &format!("{name}_sum"), &labels, h.get_sample_sum());
                    sample(
                        out,
                        &format!("{name}_count"),
                        &labels,
                        h.get_sample_count() as f64,
                    );
                }
                MetricType::SUMMARY => {
                    let s = m.get_summary();
                    for q in s.get_quantile() {
                        let quantile = float(q.quantile());
                        let mut with_q = labels.clone();
                        with_q.push(("quantile", &quantile));
                        sample(out, name, &with_q, q.value());
                    }
                    sample(out, &format!("{name}_sum"), &labels, s.sample_sum());
                    sample(
                        out,
                        &format!("{name}_count"),
                        &labels,
                        s.sample_count() as f64,
                    );
                }
            }
        }
    }
}

fn pairs(m: &Metric) -> Vec<(&str, &str)> {
    m.get_label()
        .iter()
        .map(|l| (l.name(), l.value()))
        .collect()
}

/// A bound as OpenMetrics spells floats in `le` and `quantile`: `1.0`, not `1`.
fn float(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        number(v).into_owned()
    }
}

impl Metrics {
    pub fn new(config: &Config) -> Metrics {
        let registry = Registry::new();
        let fetches = IntCounterVec::new(
            Opts::new(
                "echoscope_fetches_total",
                "Fetches by source kind and result.",
            ),
            &["source", "result"],
        )
        .expect("valid metric definition");
        let fetch_duration = HistogramVec::new(
            HistogramOpts::new(
                "echoscope_fetch_duration_seconds",
                "Time one fetch took, retries included.",
            )
            .buckets(vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0]),
            &["source"],
        )
        .expect("valid metric definition");
        let analysis_duration = Histogram::with_opts(
            HistogramOpts::new(
                "echoscope_analysis_duration_seconds",
                "Time one account's analysis took.",
            )
            .buckets(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0]),
        )
        .expect("valid metric definition");
        let store_size = IntGauge::new("echoscope_store_size_bytes", "Size of the store on disk.")
            .expect("valid metric definition");
        let store_errors = IntCounterVec::new(
            Opts::new(
                "echoscope_store_errors_total",
                "Failed store calls by operation.",
            ),
            &["op"],
        )
        .expect("valid metric definition");
        let store_up = IntGauge::new(
            "echoscope_store_up",
            "1 if the store answers and takes writes, 0 if its last write or check failed.",
        )
        .expect("valid metric definition");
        store_up.set(1);
        let config_reload_success = IntGauge::new(
            "echoscope_config_last_reload_successful",
            "1 if the last configuration (re)load succeeded, 0 if it was rejected.",
        )
        .expect("valid metric definition");
        let config_reload_timestamp = Gauge::new(
            "echoscope_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful configuration load.",
        )
        .expect("valid metric definition");
        let accounts_configured = IntGauge::new(
            "echoscope_accounts_configured",
            "Accounts in the configuration.",
        )
        .expect("valid metric definition");
        let accounts_held = IntGauge::new(
            "echoscope_replica_accounts_held",
            "Accounts this replica holds a lease on and polls now.",
        )
        .expect("valid metric definition");
        let lease_handovers = IntCounterVec::new(
            Opts::new(
                "echoscope_lease_handovers_total",
                "Accounts this replica started polling (acquired) or stopped polling (released: handed back above its share or at shutdown; lost: taken over or run out).",
            ),
            &["event"],
        )
        .expect("valid metric definition");
        for event in ["acquired", "released", "lost"] {
            lease_handovers.with_label_values(&[event]);
        }
        let lease_rounds_failed = prometheus::IntCounter::new(
            "echoscope_lease_rounds_failed_total",
            "Lease rounds the store did not answer in time.",
        )
        .expect("valid metric definition");
        let store_reconnects = prometheus::IntCounter::new(
            "echoscope_store_reconnects_total",
            "Times a store call found its database connection broken and reconnected (PostgreSQL).",
        )
        .expect("valid metric definition");
        let poller_panics = prometheus::IntCounter::new(
            "echoscope_poller_panics_total",
            "Account pollers that ended on a panic (a bug: see the log); each starts again after its poll interval.",
        )
        .expect("valid metric definition");
        let build_info = GaugeVec::new(
            Opts::new(
                "echoscope_build_info",
                "Build information; the value is always 1.",
            ),
            &["version", "revision"],
        )
        .expect("valid metric definition");
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), REVISION])
            .set(1.0);
        for c in [
            Box::new(fetches.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(fetch_duration.clone()),
            Box::new(analysis_duration.clone()),
            Box::new(store_size.clone()),
            Box::new(store_errors.clone()),
            Box::new(store_up.clone()),
            Box::new(config_reload_success.clone()),
            Box::new(config_reload_timestamp.clone()),
            Box::new(accounts_configured.clone()),
            Box::new(accounts_held.clone()),
            Box::new(lease_handovers.clone()),
            Box::new(lease_rounds_failed.clone()),
            Box::new(store_reconnects.clone()),
            Box::new(poller_panics.clone()),
            Box::new(build_info),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("process collector registers once");
        Metrics {
            registry,
            fetches,
            fetch_duration,
            analysis_duration,
            store_size,
            store_errors,
            store_up,
            config_reload_success,
            config_reload_timestamp,
            accounts_configured,
            accounts_held,
            lease_handovers,
            lease_rounds_failed,
            store_reconnects,
            poller_panics,
            accounts: RwLock::new(AccountGauges::new(&config.metrics.account_labels)),
        }
    }

    /// Rebuilds the per-account series for a new configuration (accounts or label names may
    /// have changed); the caller re-publishes each account's latest state afterwards.
    pub fn reset_accounts(&self, config: &Config) {
        let mut g = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        *g = AccountGauges::new(&config.metrics.account_labels);
        self.accounts_configured.set(config.accounts.len() as i64);
    }

    /// Drops an account's series: another replica polls it now and exports them, so that a
    /// sum over replicas counts each account once.
    pub fn forget_account(&self, name: &str) {
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .accounts
            .remove(name);
    }

    /// Publishes an account's latest analysis: renders its analysis series once, here.
    pub fn observe_report(&self, account: &Account, report: &AccountReport, posts_stored: u64) {
        let platform = report.platform.as_str();
        let stat = |detector: &str, key: &str| {
            report
                .detectors
                .get(detector)
                .and_then(|d| d.stats.get(key))
                .copied()
                .unwrap_or(0.0)
        };
        let level = report.basis.as_ref().map(|b| b.level);
        let mut g = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        let g = &mut *g;
        let labels = labels(&g.label_names, account, platform);
        let series = series(&mut g.accounts, account, platform);
        for family in Family::ALL {
            let value = match family {
                Family::AnalysedPosts => report.posts.total as f64,
                // No posts analysed: no score series at all (absent, not a clean 100), so a
                // dashboard shows "no data" and no alert reads it as a person.
                Family::AuthenticityScore if !report.scored() => {
                    series.text[family as usize].clear();
                    continue;
                }
                Family::AuthenticityScore => f64::from(report.score),
                Family::AutoReplyRatio => stat(detectors::auto_reply::ID, "auto_reply_share"),
                Family::EvidenceLevel => level.map_or(0.0, |l| f64::from(l.rank())),
                Family::NearDuplicateRatio => {
                    stat(detectors::near_duplicate::ID, "near_duplicate_share")
                }
                Family::PostsStored => posts_stored as f64,
                Family::PromotionRatio => stat(detectors::promotion_ratio::ID, "promotion_ratio"),
                Family::ScheduledRepeatActiveCampaigns => {
                    stat(detectors::scheduled_repeat::ID, "active_campaigns")
                }
                Family::Findings => {
                    series.text[family as usize] = findings(report, &labels);
                    continue;
                }
                Family::FetchSuccess | Family::LastFetchSuccessTimestamp => continue,
            };
            let text = &mut series.text[family as usize];
            text.clear();
            sample(text, family.name(), &labels, value);
        }
    }

    /// Records the outcome of one fetch of an account.
    pub fn observe_fetch(&self, account: &Account, platform: &str, ok: bool, at_unix: f64) {
        let mut g = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        let g = &mut *g;
        let labels = labels(&g.label_names, account, platform);
        let series = series(&mut g.accounts, account, platform);
        let ok_text = &mut series.text[Family::FetchSuccess as usize];
        ok_text.clear();
        sample(
            ok_text,
            Family::FetchSuccess.name(),
            &labels,
            if ok { 1.0 } else { 0.0 },
        );
        if ok {
            let at = &mut series.text[Family::LastFetchSuccessTimestamp as usize];
            at.clear();
            sample(
                at,
                Family::LastFetchSuccessTimestamp.name(),
                &labels,
                at_unix,
            );
        }
    }

    /// One scrape: the service families, then each per-account family with every account's
    /// lines as they were rendered when its values last changed.
    pub fn render(&self, format: Format) -> String {
        let families = self.registry.gather();
        let g = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        let per_account: usize = g
            .accounts
            .values()
            .flat_map(|s| s.text.iter())
            .map(String::len)
            .sum();
        let mut out = String::with_capacity(per_account + 16 * 1024);
        match format {
            // Encoding into a String cannot fail for families the registry checked.
            Format::Text => {
                let _ = TextEncoder::new().encode_utf8(&families, &mut out);
            }
            Format::OpenMetrics => openmetrics(&families, &mut out),
        }
        for family in Family::ALL {
            let i = family as usize;
            // A family without series is left out, as the registry leaves out an empty vector.
            if g.accounts.values().all(|s| s.text[i].is_empty()) {
                continue;
            }
            header(&mut out, format, family.name(), family.help(), "gauge");
            for s in g.accounts.values() {
                out.push_str(&s.text[i]);
            }
        }
        match format {
            Format::Text => {}
            Format::OpenMetrics => out.push_str("# EOF\n"),
        }
        out
    }
}

/// An account's finding counts by detector and severity. Only non-zero counts are exported:
/// with every detector x severity pair present, findings made three quarters of all samples (24
/// per account) although nearly all were 0. `sum by (account)(...) or vector(0)`-style queries
/// and `> 0` alerts read the same either way.
fn findings(report: &AccountReport, labels: &[(&str, &str)]) -> String {
    let mut text = String::new();
    for id in detectors::ids() {
        for sev in Severity::ALL {
            let n = report
                .findings
                .iter()
                .filter(|f| f.detector == id && f.severity == sev)
                .count();
            if n > 0 {
                let mut lv = labels.to_vec();
                lv.push(("detector", id));
                lv.push(("severity", sev.as_str()));
                sample(&mut text, Family::Findings.name(), &lv, n as f64);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_service_and_account_metrics() {
        let mut config = Config::default();
        config.metrics.account_labels = vec!["client".into()];
        let account = Account {
            labels: [("client".to_string(), "acme-corp".to_string())].into(),
            ..account("acme", "bsky:acme.example")
        };
        let m = Metrics::new(&config);
        m.observe_fetch(&account, "bluesky", true, 1_700_000_000.0);
        m.fetches
            .with_label_values(&["bluesky_appview", "ok"])
            .inc();
        let text = m.render(Format::Text);
        assert!(text.contains("echoscope_build_info{revision="), "{text}");
        assert!(text.contains(
            "echoscope_account_last_fetch_success_timestamp_seconds{account=\"acme\",client=\"acme-corp\",platform=\"bluesky\"} 1700000000"
        ), "{text}");
        assert!(
            text.contains("echoscope_fetches_total{result=\"ok\",source=\"bluesky_appview\"} 1")
        );
        m.reset_accounts(&Config::default());
        assert!(!m.render(Format::Text).contains("acme"));
    }

    /// A configured account without operator labels.
    fn account(name: &str, source: &str) -> Account {
        Account::new(name, source.parse().unwrap())
    }

    /// A report that analysed posts (a score needs some).
    fn with_posts(mut report: AccountReport) -> AccountReport {
        report.posts.total = 10;
        report
    }

    #[test]
    fn an_account_without_posts_exports_no_score() {
        let m = Metrics::new(&Config::default());
        let acme = account("acme", "bsky:acme.example");
        let timeline =
            crate::model::Timeline::new("acme".to_string(), crate::model::Platform::Bluesky);
        let scored = with_posts(crate::scan::account_report(&timeline, Vec::new()));
        m.observe_report(&acme, &scored, 10);
        assert!(m
            .render(Format::Text)
            .contains("echoscope_account_authenticity_score{"));
        // Every post left the analysis window: the score series goes (no data, not 100).
        let empty = crate::scan::account_report(&timeline, Vec::new());
        m.observe_report(&acme, &empty, 10);
        let text = m.render(Format::Text);
        assert!(
            !text.contains("echoscope_account_authenticity_score{"),
            "{text}"
        );
        assert!(
            text.contains(
                "echoscope_account_analysed_posts{account=\"acme\",platform=\"bluesky\"} 0"
            ),
            "{text}"
        );
    }

    #[test]
    fn only_nonzero_finding_counts_are_exported() {
        let config = Config::default();
        let account = account("acme", "bsky:acme.example");
        let timeline =
            crate::model::Timeline::new("acme".to_string(), crate::model::Platform::Bluesky);
        let finding = crate::model::Finding {
            detector: detectors::auto_reply::ID.to_string(),
            severity: Severity::Medium,
            summary: "templated replies".into(),
            template: None,
            schedule: None,
            numbers: Default::default(),
            evidence: Vec::new(),
            posts: Vec::new(),
        };
        let with = crate::scan::account_report(
            &timeline,
            vec![crate::scan::Ran {
                id: detectors::auto_reply::ID,
                enabled: true,
                needs_posts: 1,
                outcome: crate::model::Outcome {
                    findings: vec![finding.clone(), finding],
                    stats: Default::default(),
                },
            }],
        );
        let with = with_posts(with);
        let m = Metrics::new(&config);
        m.observe_report(&account, &with, 10);
        let text = m.render(Format::Text);
        let series: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("echoscope_account_findings{"))
            .collect();
        assert_eq!(series.len(), 1, "{text}");
        assert!(series[0].contains("detector=\"auto_reply\""), "{text}");
        assert!(series[0].contains("severity=\"medium\""), "{text}");
        assert!(series[0].ends_with(" 2"), "{text}");
        // The next analysis finds nothing: the series goes, the score stays.
        let without = with_posts(crate::scan::account_report(&timeline, Vec::new()));
        m.observe_report(&account, &without, 10);
        let text = m.render(Format::Text);
        assert!(!text.contains("echoscope_account_findings{"), "{text}");
        assert!(
            text.contains("echoscope_account_authenticity_score{"),
            "{text}"
        );
    }

    #[test]
    fn a_platform_learnt_later_replaces_the_old_series() {
        let config = Config::default();
        let account = account("lumen", "file:/archives/lumen.zip");
        let m = Metrics::new(&config);
        // The first fetch fails before the file says which platform it is from.
        m.observe_fetch(&account, "other", false, 0.0);
        m.observe_fetch(&account, "twitter", true, 1_700_000_000.0);
        let text = m.render(Format::Text);
        assert!(!text.contains("platform=\"other\""), "{text}");
        assert!(
            text.contains(
                "echoscope_account_fetch_success{account=\"lumen\",platform=\"twitter\"} 1"
            ),
            "{text}"
        );
    }

    /// What Prometheus 2.x sends when it scrapes.
    const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    #[test]
    fn negotiates_the_format_the_client_prefers() {
        assert_eq!(
            Format::negotiate(Some(PROMETHEUS_ACCEPT)),
            Format::OpenMetrics
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text")),
            Format::OpenMetrics
        );
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        // Only a version we do not write, or rated below text: text.
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;version=0.0.1")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some(
                "text/plain;version=0.0.4, application/openmetrics-text;q=0.5"
            )),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0")),
            Format::Text
        );
    }

    #[test]
    fn gzip_only_when_accepted() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("br;q=1.0, gzip;q=0.8, *;q=0.1")));
        assert!(accepts_gzip(Some("*")));
        assert!(!accepts_gzip(None));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(Some("gzip;q=0, *")));
    }

    #[test]
    fn gzip_round_trips() {
        let m = Metrics::new(&Config::default());
        m.observe_fetch(&account("acme", "bsky:acme.example"), "bluesky", true, 1.0);
        let text = m.render(Format::Text);
        let packed = gzip(text.as_bytes());
        assert!(packed.starts_with(&[0x1f, 0x8b]), "a gzip header");
        let mut unpacked = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .unwrap();
        assert_eq!(unpacked, text);
    }

    #[test]
    fn openmetrics_names_counters_without_total_and_ends_with_eof() {
        let m = Metrics::new(&Config::default());
        m.fetches.with_label_values(&["feed", "ok"]).inc();
        m.analysis_duration.observe(0.02);
        m.observe_fetch(&account("acme", "bsky:acme.example"), "bluesky", true, 5.0);
        let text = m.render(Format::OpenMetrics);
        assert!(text.ends_with("\n# EOF\n"), "{text}");
        assert!(
            text.contains("# TYPE echoscope_fetches counter\n"),
            "{text}"
        );
        assert!(
            text.contains("echoscope_fetches_total{result=\"ok\",source=\"feed\"} 1\n"),
            "{text}"
        );
        assert!(!text.contains("# TYPE echoscope_fetches_total"), "{text}");
        assert!(
            text.contains("echoscope_analysis_duration_seconds_bucket{le=\"1.0\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("echoscope_analysis_duration_seconds_bucket{le=\"+Inf\"} 1\n"),
            "{text}"
        );
        assert!(text.contains(
            "echoscope_account_fetch_success{account=\"acme\",platform=\"bluesky\"} 1\n"
        ));
        // The text format keeps the classic names and has no EOF marker.
        let classic = m.render(Format::Text);
        assert!(classic.contains("# TYPE echoscope_fetches_total counter\n"));
        assert!(!classic.contains("# EOF"));
    }

    #[test]
    fn a_reanalysed_account_is_rendered_again_and_only_it() {
        let config = Config::default();
        let acme = account("acme", "bsky:acme.example");
        let other = account("other", "bsky:other.example");
        let timeline =
            crate::model::Timeline::new("acme".to_string(), crate::model::Platform::Bluesky);
        let mut report = with_posts(crate::scan::account_report(&timeline, Vec::new()));
        let m = Metrics::new(&config);
        report.score = 91;
        m.observe_report(&acme, &report, 10);
        report.score = 77;
        m.observe_report(&other, &report, 10);
        let score = |text: &str, name: &str| {
            let prefix = format!(
                "echoscope_account_authenticity_score{{account=\"{name}\",platform=\"bluesky\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_string))
        };
        let before = m.render(Format::Text);
        assert_eq!(score(&before, "acme").as_deref(), Some("91"), "{before}");
        report.score = 40;
        m.observe_report(&acme, &report, 12);
        let after = m.render(Format::Text);
        assert_eq!(score(&after, "acme").as_deref(), Some("40"), "{after}");
        assert_eq!(score(&after, "other").as_deref(), Some("77"), "{after}");
        assert!(after.contains(
            "echoscope_account_posts_stored{account=\"acme\",platform=\"bluesky\"} 12\n"
        ));
        // One header per family, however many accounts.
        assert_eq!(
            after
                .matches("# TYPE echoscope_account_authenticity_score gauge")
                .count(),
            1
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let mut config = Config::default();
        config.metrics.account_labels = vec!["client".into()];
        let account = Account {
            labels: [("client".to_string(), "say \"hi\"\\".to_string())].into(),
            ..account("acme", "bsky:acme.example")
        };
        let m = Metrics::new(&config);
        m.observe_fetch(&account, "bluesky", false, 0.0);
        let text = m.render(Format::Text);
        assert!(
            text.contains(r#"echoscope_account_fetch_success{account="acme",client="say \"hi\"\\",platform="bluesky"} 0"#),
            "{text}"
        );
    }
}
