//! How findings show their evidence and say their numbers: which posts of a long series a
//! finding lists ([`spread`]), and durations and counts in plain words. One place, so that every
//! detector's summaries read alike.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
