//! How findings show their evidence and say their numbers: which posts of a long series a
//! finding lists ([`spread`]), and durations and counts in plain words. One place, so that every
//! detector's summaries read alike. Clock times in words go through [`local_clock`], so that
//! every schedule reads in the report's zone (`--tz`) while the analysis stays in UTC.

use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};

/// Positions `0..len` spread evenly, at most `max` of them, the first and last included: the
/// evidence of a long series shows its whole span.
pub fn spread(len: usize, max: usize) -> Vec<usize> {
    if len <= max {
        return (0..len).collect();
    }
    if max <= 1 {
        return (0..max.min(len)).collect();
    }
    (0..max).map(|j| j * (len - 1) / (max - 1)).collect()
}

/// At most `max` of `items`, evenly spread from first to last, in order (see [`spread`]).
pub fn spread_of<T: Clone>(items: &[T], max: usize) -> Vec<T> {
    spread(items.len(), max)
        .into_iter()
        .filter_map(|i| items.get(i).cloned())
        .collect()
}

/// A duration in plain words, as precise as a latency or a gap needs: "4 s", "12 min",
/// "3 h 5 min", "2.5 days".
pub fn duration(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 3600.0 * 1.5 {
        format!("{:.0} min", secs / 60.0)
    } else if secs < 86400.0 * 1.5 {
        let m = (secs / 60.0).round() as i64;
        if m % 60 == 0 {
            format!("{} h", m / 60)
        } else {
            format!("{} h {} min", m / 60, m % 60)
        }
    } else {
        format!("{:.1} days", secs / 86400.0)
    }
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;
const WEEK: f64 = 7.0 * DAY;

/// A long duration rounded to whole hours, days or weeks, as a schedule's span reads:
/// "3 days", "6 weeks", "5 hours".
pub fn rounded_duration(seconds: f64) -> String {
    let (v, unit) = if seconds >= 2.0 * WEEK {
        (seconds / WEEK, "week")
    } else if seconds >= 2.0 * DAY {
        (seconds / DAY, "day")
    } else {
        (seconds / HOUR, "hour")
    };
    let v = v.round() as u64;
    format!("{v} {}", plural(v, unit))
}

/// `word`, or its plural with an `s`, for `n` of them.
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// A UTC time of day as the report's zone reads it: see [`local_clock`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalClock {
    /// "09:00 Europe/Berlin" ("09:00 UTC" in UTC).
    pub clock: String,
    /// Empty, or, when the posts fall under more than one offset of the zone (daylight-saving
    /// time), how the same UTC time reads under the others: " (CET; 10:00 CEST)".
    pub note: String,
    /// Days the zone moves the time's date by (-1, 0 or 1): a weekday read in UTC moves by as
    /// much.
    pub day_shift: i64,
}

/// `minute` of the UTC day (a schedule's slot) read in `zone` on the date of `at` (a
/// representative post: the last), with that date's offset. A slot fixed in UTC reads as a
/// different local time under each offset, so when `times` (the posts kept on the slot) fall
/// under more than one, the note names the other readings rather than let one be taken for all.
pub fn local_clock(
    zone: Tz,
    minute: i64,
    at: DateTime<Utc>,
    times: impl IntoIterator<Item = DateTime<Utc>>,
) -> LocalClock {
    let m = minute.rem_euclid(1440);
    let utc = at.date_naive().and_time(chrono::NaiveTime::MIN).and_utc() + Duration::minutes(m);
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc());
    let local = utc.with_timezone(&zone);
    let day_shift = (local.date_naive() - utc.date_naive()).num_days();
    let mut others: Vec<_> = Vec::new();
    for t in times {
        let o = zone.offset_from_utc_datetime(&t.naive_utc());
        if o.fix() != offset.fix()
            && !others
                .iter()
                .any(|x: &chrono_tz::TzOffset| x.fix() == o.fix())
        {
            others.push(o);
        }
    }
    let note = if others.is_empty() {
        String::new()
    } else {
        others.sort_by_key(|o| o.fix().local_minus_utc());
        let readings: Vec<String> = others
            .iter()
            .map(|o| {
                let there =
                    utc.naive_utc() + Duration::seconds(i64::from(o.fix().local_minus_utc()));
                let shift = (there.date() - utc.date_naive()).num_days() - day_shift;
                let day = match shift {
                    s if s < 0 => " the day before",
                    s if s > 0 => " the day after",
                    _ => "",
                };
                format!("{} {}{day}", there.format("%H:%M"), abbreviation(o))
            })
            .collect();
        format!(" ({}; {})", abbreviation(&offset), readings.join("; "))
    };
    LocalClock {
        clock: format!("{} {}", local.format("%H:%M"), zone.name()),
        note,
        day_shift,
    }
}

/// An instant's time of day in `zone`, named as [`local_clock`] names it: "09:00 Europe/Berlin".
pub fn clock_at(zone: Tz, at: DateTime<Utc>) -> String {
    format!(
        "{} {}",
        at.with_timezone(&zone).format("%H:%M"),
        zone.name()
    )
}

/// An instant's time to the second in `zone`, as evidence notes give it ("09:00:05"): UTC
/// unnamed, as the reports always gave it, any other zone named ("10:00:05 Europe/Berlin").
pub fn seconds_at(zone: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone).format("%H:%M:%S");
    if zone == Tz::UTC {
        local.to_string()
    } else {
        format!("{local} {}", zone.name())
    }
}

/// An offset's abbreviation ("CEST"), or its hours ("+03") when the zone has none.
fn abbreviation(offset: &chrono_tz::TzOffset) -> String {
    match offset.abbreviation() {
        Some(a) => a.to_string(),
        None => offset.fix().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spread_keeps_first_and_last() {
        assert_eq!(spread(3, 12), vec![0, 1, 2]);
        let s = spread(100, 5);
        assert_eq!(s, vec![0, 24, 49, 74, 99]);
        assert!(spread(5, 0).is_empty());
        assert_eq!(spread_of(&[7, 8, 9, 10, 11], 3), vec![7, 9, 11]);
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration(3.0), "3 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3600.0 * 3.0 + 300.0), "3 h 5 min");
        assert_eq!(duration(86400.0 * 3.0), "3.0 days");
        assert_eq!(rounded_duration(40.0 * DAY), "6 weeks");
        assert_eq!(rounded_duration(3.0 * DAY), "3 days");
        assert_eq!(plural(1, "slot"), "slot");
        assert_eq!(plural(2, "slot"), "slots");
    }

    #[test]
    fn local_clock_reads_a_utc_slot_in_the_zone() {
        use chrono_tz::Europe::Berlin;
        let january = Utc.with_ymd_and_hms(2024, 1, 15, 8, 0, 0).unwrap();
        let july = Utc.with_ymd_and_hms(2024, 7, 15, 8, 0, 0).unwrap();
        let utc = local_clock(Tz::UTC, 8 * 60, july, [january, july]);
        assert_eq!((utc.clock.as_str(), utc.note.as_str()), ("08:00 UTC", ""));
        let winter = local_clock(Berlin, 8 * 60, january, [january]);
        assert_eq!(winter.clock, "09:00 Europe/Berlin");
        assert_eq!((winter.note.as_str(), winter.day_shift), ("", 0));
        let summer = local_clock(Berlin, 8 * 60, july, [january, july]);
        assert_eq!(summer.clock, "10:00 Europe/Berlin");
        assert_eq!(summer.note, " (CEST; 09:00 CET)");
        // 23:30 UTC is past midnight in Berlin: the date, and so the weekday, moves a day on.
        let late = local_clock(Berlin, 23 * 60 + 30, january, [january]);
        assert_eq!(
            (late.clock.as_str(), late.day_shift),
            ("00:30 Europe/Berlin", 1)
        );
        // 22:30 UTC: 23:30 in winter, 00:30 the next day in summer.
        let edge = local_clock(Berlin, 22 * 60 + 30, july, [january, july]);
        assert_eq!(edge.note, " (CEST; 23:30 CET the day before)");
        assert_eq!(clock_at(Berlin, july), "10:00 Europe/Berlin");
        assert_eq!(clock_at(Tz::UTC, july), "08:00 UTC");
        assert_eq!(seconds_at(Tz::UTC, july), "08:00:00");
        assert_eq!(seconds_at(Berlin, july), "10:00:00 Europe/Berlin");
    }
}
