//! Real archives written by real people (copied into `fixtures/real/` with their licences) go
//! through the whole pipeline and must not be called automated. These are the hard negatives
//! echoscope answers to: a heavy human replier with a day/night rhythm.

use std::path::PathBuf;

use echoscope::detectors::Severity;
use echoscope::sources;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

#[test]
fn the_real_twitter_archive_reads_as_a_person() {
    let path = fixture("real/twitter-archive");
    let (format, batch) = sources::read(&path, None, &sources::Limits::default()).unwrap();
    assert_eq!(format, sources::InputFormat::TwitterArchive);
    assert_eq!(batch.timelines.len(), 1);
    let timeline = &batch.timelines[0];
    assert_eq!(timeline.posts.len(), 2045);
    let now = timeline.posts.last().unwrap().created_at;
    let report = echoscope::scan::analyse(timeline, &Default::default(), now);
    for f in &report.findings {
        eprintln!("{:?} {} {}", f.severity, f.detector, f.summary);
    }
    assert!(
        report.findings.iter().all(|f| f.severity == Severity::Info),
        "a real person got findings above info"
    );
    assert!(report.score >= 90, "score {}", report.score);
    let auto_reply = &report.detectors["auto_reply"].stats;
    assert_eq!(auto_reply["replies"], 1738.0);
    assert!(auto_reply["median_reply_latency_seconds"] > 3600.0);
}
