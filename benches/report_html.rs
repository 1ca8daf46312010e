//! The HTML report of one very large account: a generated timeline of 100,000 posts
//! (`echoscope_synth::scenario("mixed")`, seed 1, every post given to one account) is analysed
//! once, then criterion times what `scan --format html` adds: counting its activity for the
//! charts (`scan::activity`) and rendering the page (`report::html::render`), and the Markdown
//! for comparison. The charts draw bins, never posts, so the page stays small and fast whatever
//! the account's size; only the findings' post lists grow with it.
//!
//! Run with `cargo bench --bench report_html`; it prints the page's size once.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use echoscope::model::{Report, Timeline, Tool, SCHEMA_VERSION};
use echoscope::report::{html, markdown};
use echoscope_synth as synth;

const POSTS: u64 = 100_000;

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

/// One account holding every generated post, as `benches/scan_1m.sh` does with `ONE_ACCOUNT=1`.
fn one_account() -> Timeline {
    let spec = synth::scenario("mixed")
        .expect("the mixed scenario exists")
        .resized(Some(POSTS), None);
    let mut all = Timeline::new("one_account", echoscope::model::Platform::Twitter);
    for (t, _) in synth::stream(1, &spec) {
        all.posts.extend(t.posts);
    }
    all.finish();
    all
}

fn render(c: &mut Criterion) {
    let timeline = one_account();
    let account = echoscope::scan::analyse(&timeline, &Default::default(), now());
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        generated_at: now(),
        accounts: vec![account],
        inputs: Vec::new(),
    };
    let page = html::render(&report, Tz::UTC);
    eprintln!(
        "{} posts, {} findings listing {} posts: HTML page of {} bytes",
        timeline.posts.len(),
        report.accounts[0].findings.len(),
        report.accounts[0]
            .findings
            .iter()
            .map(|f| f.posts.len())
            .sum::<usize>(),
        page.len()
    );
    let mut group = c.benchmark_group("report_html");
    group.throughput(Throughput::Elements(timeline.posts.len() as u64));
    group.bench_function("activity/100000", |b| {
        b.iter(|| {
            echoscope::scan::activity(black_box(&timeline), &report.accounts[0].findings, Tz::UTC)
        })
    });
    group.bench_function("html_render/100000", |b| {
        b.iter(|| html::render(black_box(&report), Tz::UTC).len())
    });
    group.bench_function("markdown_render/100000", |b| {
        b.iter(|| markdown::render(black_box(&report), Tz::UTC).len())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = render
}
criterion_main!(benches);
