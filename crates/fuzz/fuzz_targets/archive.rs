//! The zip container every archive reader opens (`sources::archive::Archive`), then detection
//! and the reader it picks (`sources::read` without a format), on raw zip bytes.
//! Property: never a panic, a hang or unbounded memory; no entry reads past the entry limit.
#![no_main]

use std::io::Read;

use echoscope::sources::{self, archive::Archive};
use echoscope_fuzz::{limits, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = limits();
    let path = Scratch::fresh().file("export.zip", data);
    if let Ok(Some(mut archive)) = Archive::open(&path) {
        let entries = archive.entries().to_vec();
        for entry in &entries {
            let _ = archive.entry(&entry.name);
            if let Ok(mut reader) = archive.open_entry(entry, limits.max_entry_bytes) {
                let mut sink = Vec::new();
                let _ = reader.read_to_end(&mut sink);
                assert!(
                    sink.len() as u64 <= limits.max_entry_bytes,
                    "{}",
                    entry.name
                );
            }
        }
    }
    let _ = sources::read(&path, None, &limits);
});
