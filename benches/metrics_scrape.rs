//! One `/metrics` scrape of the daemon with 1,000 and 10,000 monitored accounts: the time to
//! render the Prometheus text exposition (`Metrics::render`), the OpenMetrics one, and the text
//! gzip-compressed as the `/metrics` handler sends it to a client that accepts gzip.
//!
//! Each account has a real analysis: 60 generated accounts (`mixed` scenario, seed 1, 200 posts
//! each) are analysed once and their reports spread over the configured accounts, each with a
//! `client` label, as an agency runs the daemon. Run with
//! `cargo bench --bench metrics_scrape`; the README's Benchmarks section has the figures.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use echoscope::config::{Account, Config};
use echoscope::detectors;
use echoscope::model::AccountReport;
use echoscope::server::metrics::{Format, Metrics};
use echoscope_synth as synth;

const SIZES: [usize; 2] = [1_000, 10_000];

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

fn reports() -> Vec<AccountReport> {
    let spec = synth::scenario("mixed")
        .expect("the mixed scenario exists")
        .resized(Some(12_000), Some(60));
    let config = detectors::Config::default();
    synth::stream(1, &spec)
        .map(|(t, _)| echoscope::scan::analyse(&t, &config, now()))
        .collect()
}

/// A daemon's metrics after every one of `n` accounts was fetched and analysed once.
fn daemon(n: usize, reports: &[AccountReport]) -> Metrics {
    let mut config = Config::default();
    config.metrics.account_labels = vec!["client".into()];
    config.accounts = (0..n)
        .map(|i| {
            let mut a = Account::new(
                format!("account-{i:05}"),
                format!("bsky:user{i}.example")
                    .parse()
                    .expect("a bsky source"),
            );
            a.labels
                .insert("client".into(), format!("client-{:02}", i % 40));
            a
        })
        .collect();
    let m = Metrics::new(&config);
    for (i, a) in config.accounts.iter().enumerate() {
        let report = &reports[i % reports.len()];
        m.observe_fetch(a, report.platform.as_str(), true, 1_767_225_600.0);
        m.observe_report(a, report, report.posts.total);
    }
    m
}

fn scrape(c: &mut Criterion) {
    let reports = reports();
    let mut group = c.benchmark_group("metrics_scrape");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    for n in SIZES {
        let m = daemon(n, &reports);
        let text = m.render(Format::Text);
        eprintln!(
            "metrics_scrape/{n}: text {} bytes, gzip {} bytes",
            text.len(),
            echoscope::server::metrics::gzip(text.as_bytes()).len()
        );
        group.bench_with_input(BenchmarkId::new("text", n), &m, |b, m| {
            b.iter(|| black_box(m.render(Format::Text)))
        });
        group.bench_with_input(BenchmarkId::new("openmetrics", n), &m, |b, m| {
            b.iter(|| black_box(m.render(Format::OpenMetrics)))
        });
        group.bench_with_input(BenchmarkId::new("text_gzip", n), &m, |b, m| {
            b.iter(|| {
                black_box(echoscope::server::metrics::gzip(
                    m.render(Format::Text).as_bytes(),
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scrape);
criterion_main!(benches);
