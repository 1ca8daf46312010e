//! The store itself, SQLite against PostgreSQL: inserting a batch of 1,000 posts, reading a
//! 10,000-post timeline back, and one poll's `commit_fetch` (a page of 20 new posts and the
//! cursor, in one transaction). PostgreSQL is a throwaway local cluster (the tests' harness,
//! `tests/support/postgres.rs`: `initdb`/`pg_ctl` must be installed, `.ci/install`), so its
//! figures include a loopback round trip per statement but no network. Run with
//! `cargo bench --bench store`; the README's Benchmarks section has the figures.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use echoscope::model::{Platform, Post, Timeline};
use echoscope::sources::live::FetchState;
use echoscope::store::{AccountKey, Store};

#[path = "../tests/support/postgres.rs"]
#[allow(dead_code)]
mod pg;

fn key(name: &str) -> AccountKey {
    AccountKey {
        name: name.to_string(),
        platform: Platform::Mastodon,
    }
}

/// `n` posts with ids that no earlier call used, a minute apart.
fn posts(n: usize) -> Vec<Post> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let first = NEXT.fetch_add(n as u64, Ordering::Relaxed);
    (first..first + n as u64)
        .map(|i| {
            let mut p = Post::new(
                format!("11{i:012}"),
                Utc.timestamp_opt(1_700_000_000 + i as i64 * 60, 0).unwrap(),
                format!("post {i}: our spring sale is on, buy now at https://shop.example/{i}"),
            );
            p.links = vec![format!("https://shop.example/{i}")];
            p.lang = Some("en".into());
            p
        })
        .collect()
}

fn backends(dir: &std::path::Path) -> Vec<(&'static str, Arc<dyn Store>)> {
    let sqlite = echoscope::store::open(&echoscope::config::Store {
        path: dir.join("bench.db"),
        ..Default::default()
    })
    .expect("opening SQLite");
    let postgres = echoscope::store::open(&echoscope::config::Store {
        url: Some(pg::database()),
        ..Default::default()
    })
    .expect("opening PostgreSQL");
    vec![("sqlite", sqlite), ("postgres", postgres)]
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let stores = backends(dir.path());

    let mut group = c.benchmark_group("store_insert_1000_posts");
    group.throughput(Throughput::Elements(1_000));
    for (name, store) in &stores {
        store.ensure_account(&key("insert"), "insert").unwrap();
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_batched(
                || posts(1_000),
                |batch| store.insert_posts(&key("insert"), &batch).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    let mut group = c.benchmark_group("store_timeline_10000_posts");
    group.throughput(Throughput::Elements(10_000));
    for (name, store) in &stores {
        store.ensure_account(&key("read"), "read").unwrap();
        store.insert_posts(&key("read"), &posts(10_000)).unwrap();
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| black_box(store.timeline(&key("read"), None).unwrap()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("store_commit_fetch_20_posts");
    group.throughput(Throughput::Elements(1));
    for (name, store) in &stores {
        store.ensure_account(&key("poll"), "poll").unwrap();
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_batched(
                || {
                    let mut page = Timeline::new("poll", Platform::Mastodon);
                    page.posts = posts(20);
                    let state = FetchState {
                        cursor: page.posts.last().map(|p| p.id.clone()),
                        ..FetchState::default()
                    };
                    (page, state)
                },
                |(page, state)| {
                    store
                        .commit_fetch(&key("poll"), Some(&page), &state, None)
                        .unwrap()
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    targets = store
}
criterion_main!(benches);
