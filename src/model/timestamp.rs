//! Per-post times as JSON writes them: the same RFC 3339 text as chrono's own `Serialize`
//! ("2025-07-06T21:00:01Z", fractions in groups of 3, 6 or 9 digits when there are any), written
//! digit by digit instead of through `core::fmt`.
//!
//! Why: a JSON report lists every post of every finding (their ids and times) and an export
//! writes every post, so a 1,000,000-post scan formats about a million times; through
//! `core::fmt` that was about half of the time spent writing the report. Times chrono writes
//! another way (years outside 0..=9999, leap seconds) go through chrono itself, and a test
//! compares both writers.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// `serialize_with` for a `DateTime<Utc>`.
pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match write(t, &mut buf) {
        // Only ASCII digits and separators are written, so this never falls through.
        Some(n) => match std::str::from_utf8(&buf[..n]) {
            Ok(text) => s.serialize_str(text),
            Err(_) => serde::Serialize::serialize(t, s),
        },
        None => serde::Serialize::serialize(t, s),
    }
}

/// `serialize_with` for an `Option<DateTime<Utc>>`.
pub fn serialize_option<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, s),
        None => s.serialize_none(),
    }
}

/// Writes the last `digits` decimal digits of `value` at `buf[at..]`; returns `digits`.
fn put(buf: &mut [u8; 30], at: usize, mut value: u32, digits: usize) -> usize {
    for i in (at..at + digits).rev() {
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    digits
}

/// Writes `t` into `buf` and returns the length, or `None` for what chrono writes another way.
fn write(t: &DateTime<Utc>, buf: &mut [u8; 30]) -> Option<usize> {
    let year = t.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    put(buf, 0, year as u32, 4);
    buf[4] = b'-';
    put(buf, 5, t.month(), 2);
    buf[7] = b'-';
    put(buf, 8, t.day(), 2);
    buf[10] = b'T';
    put(buf, 11, t.hour(), 2);
    buf[13] = b':';
    put(buf, 14, t.minute(), 2);
    buf[16] = b':';
    put(buf, 17, t.second(), 2);
    let mut n = 19;
    if nanos != 0 {
        buf[n] = b'.';
        n += 1;
        n += if nanos % 1_000_000 == 0 {
            put(buf, n, nanos / 1_000_000, 3)
        } else if nanos % 1_000 == 0 {
            put(buf, n, nanos / 1_000, 6)
        } else {
            put(buf, n, nanos, 9)
        };
    }
    buf[n] = b'Z';
    Some(n + 1)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn ours(t: DateTime<Utc>) -> String {
        let mut out = Vec::new();
        serialize(&t, &mut serde_json::Serializer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc.with_ymd_and_hms(2025, 7, 6, 21, 0, 1).unwrap();
        let mut times = vec![
            base,
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
        ];
        for nanos in [
            1,
            999,
            1_000,
            120_000,
            1_000_000,
            5_000_000,
            154_066_552,
            999_999_999,
        ] {
            times.push(base + chrono::Duration::nanoseconds(nanos));
        }
        // A spread of dates, seconds and fractions, deterministic.
        let mut x: i64 = 88172645463325252;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = x.rem_euclid(4_000_000_000);
            let nanos = (x >> 20).rem_euclid(1_000_000_000) as u32;
            let nanos = match x.rem_euclid(4) {
                0 => 0,
                1 => nanos / 1_000_000 * 1_000_000,
                2 => nanos / 1_000 * 1_000,
                _ => nanos,
            };
            times.push(Utc.timestamp_opt(secs, nanos).unwrap());
        }
        for t in times {
            assert_eq!(ours(t), serde_json::to_string(&t).unwrap(), "{t:?}");
        }
    }

    #[test]
    fn options_are_null_or_the_time() {
        let t = Utc.with_ymd_and_hms(2025, 7, 6, 21, 0, 1).unwrap();
        let mut out = Vec::new();
        serialize_option(&None, &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, b"null");
        out.clear();
        serialize_option(&Some(t), &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, b"\"2025-07-06T21:00:01Z\"");
    }
}
