//! Per-stage throughput of the pipeline, in posts per second, on generated timelines
//! (`echoscope_synth::scenario("mixed")`, seed 1) of 10,000 and 100,000 posts.
//!
//! Stages: JSONL parsing (`sources::jsonl::read` of a generated file), text normalisation,
//! near-duplicate clustering, each detector's `run` on a prepared context, and the whole
//! `scan::analyse`. Everything runs on one thread so that the numbers are per core; `scan`
//! spreads accounts over every core. Run with `cargo bench --bench pipeline`; sample size and
//! measurement time are kept small so that the whole run takes a minute or two.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use echoscope::detectors::{self, Context};
use echoscope::model::Timeline;
use echoscope::sources::{self, Limits};
use echoscope_synth as synth;

const SIZES: [u64; 2] = [10_000, 100_000];

fn corpus(posts: u64) -> Vec<Timeline> {
    let spec = synth::scenario("mixed")
        .expect("the mixed scenario exists")
        .resized(Some(posts), None);
    synth::stream(1, &spec).map(|(t, _)| t).collect()
}

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

fn stages(c: &mut Criterion) {
    let config = detectors::Config::default();
    let dir = tempfile::tempdir().expect("a temporary folder");
    for posts in SIZES {
        let timelines = corpus(posts);

        let mut group = c.benchmark_group("pipeline");
        group.throughput(Throughput::Elements(posts));

        // JSONL parsing, from a file like the one the `gen` binary writes.
        let path = dir.path().join(format!("mixed-{posts}.jsonl"));
        {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
            for t in &timelines {
                sources::jsonl::write_timeline(&mut out, t).expect("write");
            }
            std::io::Write::flush(&mut out).expect("flush");
        }
        match sources::jsonl::read(&path, &Limits::default()) {
            Ok(_) => {
                group.bench_with_input(BenchmarkId::new("jsonl_read", posts), &path, |b, p| {
                    b.iter(|| sources::jsonl::read(black_box(p), &Limits::default()))
                });
            }
            Err(e) => eprintln!("skipping jsonl_read/{posts}: {e}"),
        }

        group.bench_with_input(
            BenchmarkId::new("text_normalize", posts),
            &timelines,
            |b, ts| {
                b.iter(|| {
                    let mut bytes = 0usize;
                    for t in ts {
                        for p in &t.posts {
                            bytes += echoscope::text::normalize(black_box(&p.text)).len();
                        }
                    }
                    bytes
                })
            },
        );

        group.bench_with_input(
            BenchmarkId::new("near_duplicate_clusters", posts),
            &timelines,
            |b, ts| {
                b.iter(|| {
                    ts.iter()
                        .map(|t| {
                            detectors::context::clusters(&t.posts, &config.near_duplicate).len()
                        })
                        .sum::<usize>()
                })
            },
        );

        // Each detector on contexts prepared once (clustering is measured above).
        let contexts: Vec<Context<'_>> = timelines
            .iter()
            .map(|t| Context::new(t, &config, now()))
            .collect();
        for d in detectors::all() {
            group.bench_with_input(
                BenchmarkId::new(format!("detector_{}", d.id()), posts),
                &contexts,
                |b, cs| {
                    b.iter(|| {
                        cs.iter()
                            .map(|ctx| d.run(black_box(ctx)).findings.len())
                            .sum::<usize>()
                    })
                },
            );
        }

        group.bench_with_input(BenchmarkId::new("analyse", posts), &timelines, |b, ts| {
            b.iter(|| {
                ts.iter()
                    .map(|t| echoscope::scan::analyse(black_box(t), &config, now()).score)
                    .sum::<u32>()
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
