//! Prometheus metrics of the daemon.
//!
//! Names follow `echoscope_<subsystem>_<name>_<unit>`. Service metrics have small fixed label
//! sets (`source`, `result`); per-account gauges carry `account` (only accounts the operator
//! configured), `platform` and the operator's own `metrics.account_labels`. Because those label
//! names can change on reload, per-account gauges live in their own registry that is rebuilt
//! when the configuration changes; service counters survive reloads.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge,
    Opts, Registry, TextEncoder,
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

/// Service-wide metrics plus the per-account gauges.
pub struct Metrics {
    registry: Registry,
    pub fetches: IntCounterVec,
    pub fetch_duration: HistogramVec,
    pub analysis_duration: Histogram,
    pub store_size: IntGauge,
    pub config_reload_success: IntGauge,
    pub config_reload_timestamp: Gauge,
    pub accounts_configured: IntGauge,
    accounts: RwLock<AccountGauges>,
}

/// Per-account gauges, built for one set of extra label names.
struct AccountGauges {
    registry: Registry,
    label_names: Vec<String>,
    score: GaugeVec,
    posts: GaugeVec,
    near_duplicate: GaugeVec,
    campaigns: GaugeVec,
    auto_reply: GaugeVec,
    promotion: GaugeVec,
    basis_level: GaugeVec,
    analysed_posts: GaugeVec,
    findings: GaugeVec,
    last_success: GaugeVec,
    fetch_ok: GaugeVec,
    /// The `platform` label each account's series carry now. An account's platform can become
    /// known only after its first successful fetch (a watched file says which platform it is
    /// from): the series under the old value are then removed, not left behind as stale
    /// duplicates.
    platforms: Mutex<HashMap<String, String>>,
}

fn gauge_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    let g = GaugeVec::new(Opts::new(name, help), labels).expect("valid metric definition");
    registry
        .register(Box::new(g.clone()))
        .expect("metric names are unique");
    g
}

impl AccountGauges {
    fn new(extra: &[String]) -> AccountGauges {
        let registry = Registry::new();
        let mut base: Vec<&str> = vec!["account", "platform"];
        base.extend(extra.iter().map(|s| s.as_str()));
        let mut with_finding = base.clone();
        with_finding.extend(["detector", "severity"]);
        let r = &registry;
        AccountGauges {
            score: gauge_vec(
                r,
                "echoscope_account_authenticity_score",
                "Authenticity score 0-100 of the latest analysis (100 reads as a person).",
                &base,
            ),
            posts: gauge_vec(
                r,
                "echoscope_account_posts_stored",
                "Posts stored for the account.",
                &base,
            ),
            near_duplicate: gauge_vec(
                r,
                "echoscope_account_near_duplicate_ratio",
                "Share of the account's posts that sit in near-duplicate clusters.",
                &base,
            ),
            campaigns: gauge_vec(
                r,
                "echoscope_account_scheduled_repeat_active_campaigns",
                "Scheduled repeat campaigns still running as of the latest analysis.",
                &base,
            ),
            auto_reply: gauge_vec(
                r,
                "echoscope_account_auto_reply_ratio",
                "Share of replies to others that are templated.",
                &base,
            ),
            promotion: gauge_vec(
                r,
                "echoscope_account_promotion_ratio",
                "Share of the account's own posts that are promotional.",
                &base,
            ),
            basis_level: gauge_vec(
                r,
                "echoscope_account_evidence_level",
                "How much evidence the score rests on: 0 thin (under 30 posts or 3 days), 1 limited (under 100 posts or 14 days), 2 ample.",
                &base,
            ),
            analysed_posts: gauge_vec(
                r,
                "echoscope_account_analysed_posts",
                "Posts the latest analysis read (within the account's retention).",
                &base,
            ),
            findings: gauge_vec(
                r,
                "echoscope_account_findings",
                "Findings of the latest analysis by detector and severity (absent when none).",
                &with_finding,
            ),
            last_success: gauge_vec(
                r,
                "echoscope_account_last_fetch_success_timestamp_seconds",
                "Unix time of the last successful fetch.",
                &base,
            ),
            fetch_ok: gauge_vec(
                r,
                "echoscope_account_fetch_success",
                "1 if the last fetch of the account succeeded, 0 if it failed.",
                &base,
            ),
            registry,
            label_names: extra.to_vec(),
            platforms: Mutex::new(HashMap::new()),
        }
    }

    /// Notes the platform an account is published under, removing its series under an older one.
    fn use_platform(&self, account: &Account, platform: &str) {
        let mut platforms = self.platforms.lock().unwrap_or_else(|e| e.into_inner());
        let old = platforms.insert(account.name.clone(), platform.to_string());
        let Some(old) = old.filter(|o| o != platform) else {
            return;
        };
        let v = self.values(account, &old);
        // Removing a series that was never set fails harmlessly.
        for g in [
            &self.score,
            &self.posts,
            &self.near_duplicate,
            &self.campaigns,
            &self.auto_reply,
            &self.promotion,
            &self.basis_level,
            &self.analysed_posts,
            &self.last_success,
            &self.fetch_ok,
        ] {
            let _ = g.remove_label_values(&v);
        }
        for id in detectors::ids() {
            for sev in Severity::ALL {
                let mut lv = v.clone();
                lv.push(id);
                lv.push(sev.as_str());
                let _ = self.findings.remove_label_values(&lv);
            }
        }
    }

    fn values<'a>(&self, account: &'a Account, platform: &'a str) -> Vec<&'a str> {
        let mut v = vec![account.name.as_str(), platform];
        for l in &self.label_names {
            v.push(account.labels.get(l).map(|s| s.as_str()).unwrap_or(""));
        }
        v
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
            Box::new(config_reload_success.clone()),
            Box::new(config_reload_timestamp.clone()),
            Box::new(accounts_configured.clone()),
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
            config_reload_success,
            config_reload_timestamp,
            accounts_configured,
            accounts: RwLock::new(AccountGauges::new(&config.metrics.account_labels)),
        }
    }

    /// Rebuilds the per-account gauges for a new configuration (accounts or label names may
    /// have changed); the caller re-publishes each account's latest state afterwards.
    pub fn reset_accounts(&self, config: &Config) {
        let mut g = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        *g = AccountGauges::new(&config.metrics.account_labels);
        self.accounts_configured.set(config.accounts.len() as i64);
    }

    /// Publishes an account's latest analysis.
    pub fn observe_report(&self, account: &Account, report: &AccountReport, posts_stored: u64) {
        let g = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        let platform = report.platform.as_str();
        g.use_platform(account, platform);
        let v = g.values(account, platform);
        g.score.with_label_values(&v).set(f64::from(report.score));
        g.posts.with_label_values(&v).set(posts_stored as f64);
        let stat = |detector: &str, key: &str| {
            report
                .detectors
                .get(detector)
                .and_then(|d| d.stats.get(key))
                .copied()
                .unwrap_or(0.0)
        };
        g.near_duplicate
            .with_label_values(&v)
            .set(stat(detectors::near_duplicate::ID, "near_duplicate_share"));
        g.campaigns
            .with_label_values(&v)
            .set(stat(detectors::scheduled_repeat::ID, "active_campaigns"));
        g.auto_reply
            .with_label_values(&v)
            .set(stat(detectors::auto_reply::ID, "auto_reply_share"));
        g.promotion
            .with_label_values(&v)
            .set(stat(detectors::promotion_ratio::ID, "promotion_ratio"));
        let level = report.basis.as_ref().map(|b| b.level);
        g.basis_level
            .with_label_values(&v)
            .set(level.map_or(0.0, |l| f64::from(l.rank())));
        g.analysed_posts
            .with_label_values(&v)
            .set(report.posts.total as f64);
        // Only non-zero counts are exported; a count that drops to zero is removed. With
        // every detector x severity pair set, findings made three quarters of all samples (24
        // per account) although nearly all were 0. `sum by (account)(...) or vector(0)`-style
        // queries and `> 0` alerts read the same either way.
        for id in detectors::ids() {
            for sev in Severity::ALL {
                let n = report
                    .findings
                    .iter()
                    .filter(|f| f.detector == id && f.severity == sev)
                    .count();
                let mut lv = v.clone();
                lv.push(id);
                lv.push(sev.as_str());
                if n > 0 {
                    g.findings.with_label_values(&lv).set(n as f64);
                } else {
                    // Removing a series that was never set is not an error worth reporting.
                    let _ = g.findings.remove_label_values(&lv);
                }
            }
        }
    }

    /// Records the outcome of one fetch of an account.
    pub fn observe_fetch(&self, account: &Account, platform: &str, ok: bool, at_unix: f64) {
        let g = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        g.use_platform(account, platform);
        let v = g.values(account, platform);
        g.fetch_ok
            .with_label_values(&v)
            .set(if ok { 1.0 } else { 0.0 });
        if ok {
            g.last_success.with_label_values(&v).set(at_unix);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut families = self.registry.gather();
        families.extend(
            self.accounts
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .registry
                .gather(),
        );
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed families.
        let _ = TextEncoder::new().encode(&families, &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
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
        let text = m.render();
        assert!(text.contains("echoscope_build_info{revision="), "{text}");
        assert!(text.contains(
            "echoscope_account_last_fetch_success_timestamp_seconds{account=\"acme\",client=\"acme-corp\",platform=\"bluesky\"} 1700000000"
        ), "{text}");
        assert!(
            text.contains("echoscope_fetches_total{result=\"ok\",source=\"bluesky_appview\"} 1")
        );
        m.reset_accounts(&Config::default());
        assert!(!m.render().contains("acme"));
    }

    /// A configured account without operator labels.
    fn account(name: &str, source: &str) -> Account {
        Account::new(name, source.parse().unwrap())
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
        let m = Metrics::new(&config);
        m.observe_report(&account, &with, 10);
        let text = m.render();
        let series: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("echoscope_account_findings{"))
            .collect();
        assert_eq!(series.len(), 1, "{text}");
        assert!(series[0].contains("detector=\"auto_reply\""), "{text}");
        assert!(series[0].contains("severity=\"medium\""), "{text}");
        assert!(series[0].ends_with(" 2"), "{text}");
        // The next analysis finds nothing: the series goes, the score stays.
        let without = crate::scan::account_report(&timeline, Vec::new());
        m.observe_report(&account, &without, 10);
        let text = m.render();
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
        let text = m.render();
        assert!(!text.contains("platform=\"other\""), "{text}");
        assert!(
            text.contains(
                "echoscope_account_fetch_success{account=\"lumen\",platform=\"twitter\"} 1"
            ),
            "{text}"
        );
    }
}
