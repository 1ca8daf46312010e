//! The echoscope JSONL reader (`sources::jsonl::read_from`).
//! Properties: never a panic, a hang or unbounded memory; and a round trip: what was read,
//! written back with `jsonl::write_timeline` and read again, gives the same timelines.
#![no_main]

use std::path::Path;

use echoscope::sources::jsonl;
use echoscope_fuzz::limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = limits();
    let Ok(batch) = jsonl::read_from(data, Path::new("fuzz.jsonl"), &limits) else {
        return;
    };
    let mut written = Vec::new();
    for timeline in &batch.timelines {
        jsonl::write_timeline(&mut written, timeline).expect("writing to memory");
    }
    let again = jsonl::read_from(written.as_slice(), Path::new("again.jsonl"), &limits)
        .expect("what echoscope writes, it reads");
    // What was dropped (repeated ids, implausible dates) is a note about the first input, not
    // content: it is not written, so the second read has nothing to drop. Compare the rest.
    let kept = |timelines: Vec<echoscope::model::Timeline>| {
        timelines
            .into_iter()
            .map(|mut t| {
                t.dropped = Default::default();
                t
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kept(again.timelines),
        kept(batch.timelines),
        "JSONL round trip"
    );
});
