//! The echoscope CSV reader (`sources::csv::read_from`).
//! Property: never a panic, a hang or unbounded memory.
#![no_main]

use std::path::Path;

use echoscope::sources::csv;
use echoscope_fuzz::limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = csv::read_from(data, Path::new("fuzz.csv"), &limits());
});
