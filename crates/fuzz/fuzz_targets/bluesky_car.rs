//! The Bluesky repository reader (`sources::bluesky_car::read`): a CARv1 `repo.car`.
//! Property: never a panic, a hang or unbounded memory.
#![no_main]

use echoscope::sources::bluesky_car;
use echoscope_fuzz::{limits, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Scratch::fresh().file("repo.car", data);
    let _ = bluesky_car::read(&path, &limits());
});
