//! The SVG charts of the HTML report and the daemon's pages, drawn by hand from the bounded
//! aggregates of [`Activity`]: a weekday × hour heatmap, an hour-of-day profile, a timeline with
//! a track per finding, a reply-latency histogram, promotion versus conversation per period,
//! and a score history.
//!
//! Hand-made SVG rather than `plotters`: these are a few rectangles and labels each, and
//! writing them directly keeps every chart inline (no fonts or files), lets each carry a
//! `<title>`, a `<desc>` and axis labels, and costs no dependency. Every chart draws a bounded
//! number of elements (bins, never posts), and says in its text alternative what it shows, so
//! that it reads without colour and without the picture.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

use crate::model::{Activity, Finding, LATENCY_BOUNDS};

/// Width of the wide charts, in SVG units (they scale down to the page).
const WIDE: f64 = 720.0;

/// Finding tracks drawn at most (the most severe first): an account with hundreds of repeated
/// clusters would otherwise get a chart taller than the page.
pub const MAX_TRACKS: usize = 24;

/// The weekdays, Monday first, as [`Activity::weekday_hour`] has its rows.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A shade class for a count relative to the largest: five steps, so that print and
/// grey-scale keep the order (each cell also carries its number).
fn shade(n: u64, max: u64) -> &'static str {
    if n == 0 || max == 0 {
        return "s0";
    }
    match (n * 4).div_ceil(max) {
        0 | 1 => "s1",
        2 => "s2",
        3 => "s3",
        _ => "s4",
    }
}

/// The hours (in the chart's zone) with no post at all, as ranges: "01:00–06:59".
fn quiet_hours(profile: &[u64; 24]) -> Vec<String> {
    let mut out = Vec::new();
    let mut h = 0;
    while h < 24 {
        if profile[h] == 0 {
            let from = h;
            while h < 24 && profile[h] == 0 {
                h += 1;
            }
            out.push(format!("{from:02}:00–{:02}:59", h - 1));
        } else {
            h += 1;
        }
    }
    out
}

/// Posts per hour of the day, summed over the weekdays.
pub fn hour_profile(a: &Activity) -> [u64; 24] {
    let mut out = [0u64; 24];
    for row in &a.weekday_hour {
        for (h, n) in row.iter().enumerate().take(24) {
            out[h] += n;
        }
    }
    out
}

/// Whether the account rests, in words, from its hour-of-day profile.
pub fn rest_in_words(a: &Activity) -> String {
    let profile = hour_profile(a);
    let quiet = quiet_hours(&profile);
    if profile.iter().all(|n| *n == 0) {
        "No posts to profile.".to_string()
    } else if quiet.is_empty() {
        format!(
            "Posts at every hour of the day ({} time): the account never rests.",
            a.time_zone
        )
    } else {
        format!(
            "No post at all {} ({} time): the account rests.",
            quiet.join(", "),
            a.time_zone
        )
    }
}

/// The weekday × hour heatmap: 168 cells, each with its count.
pub fn heatmap(a: &Activity) -> Markup {
    let max = a.weekday_hour.iter().flatten().copied().max().unwrap_or(0);
    let (left, top, cell_w, cell_h) = (36.0, 18.0, 28.0, 20.0);
    let width = left + 24.0 * cell_w;
    let height = top + 7.0 * cell_h + 18.0;
    let busiest = a
        .weekday_hour
        .iter()
        .enumerate()
        .flat_map(|(d, row)| row.iter().enumerate().map(move |(h, n)| (*n, d, h)))
        .max();
    let desc = match busiest {
        Some((n, d, h)) if n > 0 => format!(
            "Posts by weekday and hour ({} time). Busiest: {} {h:02}:00 with {n} posts. {}",
            a.time_zone,
            WEEKDAYS.get(d).copied().unwrap_or("?"),
            rest_in_words(a)
        ),
        _ => "No posts.".to_string(),
    };
    html! {
        svg.chart.heatmap width=(width) height=(height) viewBox=(format!("0 0 {width} {height}"))
            role="img" aria-label=(desc) {
            title { "Posting rhythm: weekday × hour (" (a.time_zone) ")" }
            desc { (desc) }
            @for h in (0..24).step_by(3) {
                text.axis x=(left + h as f64 * cell_w + cell_w / 2.0) y="12" text-anchor="middle" { (format!("{h:02}")) }
            }
            @for (d, row) in a.weekday_hour.iter().enumerate().take(7) {
                text.axis x=(left - 6.0) y=(top + d as f64 * cell_h + 14.0) text-anchor="end" { (WEEKDAYS[d]) }
                @for (h, n) in row.iter().enumerate().take(24) {
                    rect class=(shade(*n, max)) x=(left + h as f64 * cell_w) y=(top + d as f64 * cell_h)
                        width=(cell_w - 1.0) height=(cell_h - 1.0) {
                        title { (WEEKDAYS[d]) " " (format!("{h:02}:00")) ": " (n) " posts" }
                    }
                    @if *n > 0 {
                        text.cell x=(left + h as f64 * cell_w + cell_w / 2.0) y=(top + d as f64 * cell_h + 14.0)
                            text-anchor="middle" { (n) }
                    }
                }
            }
            text.axis x=(left + 12.0 * cell_w) y=(height - 2.0) text-anchor="middle" { "hour of day (" (a.time_zone) ")" }
        }
    }
}

/// The hour-of-day profile: 24 bars, the hours without any post marked.
pub fn hours(a: &Activity) -> Markup {
    let profile = hour_profile(a);
    let max = profile.iter().copied().max().unwrap_or(0).max(1);
    let (left, top, bar_w, plot_h) = (36.0, 10.0, 28.0, 100.0);
    let width = left + 24.0 * bar_w;
    let height = top + plot_h + 34.0;
    let desc = rest_in_words(a);
    html! {
        svg.chart.hours width=(width) height=(height) viewBox=(format!("0 0 {width} {height}"))
            role="img" aria-label=(desc) {
            title { "Posts by hour of day (" (a.time_zone) ")" }
            desc { (desc) }
            line.grid x1=(left) y1=(top + plot_h) x2=(width) y2=(top + plot_h) {}
            text.axis x=(left - 6.0) y=(top + 8.0) text-anchor="end" { (max) }
            text.axis x=(left - 6.0) y=(top + plot_h) text-anchor="end" { "0" }
            @for (h, n) in profile.iter().enumerate() {
                @let bar = *n as f64 / max as f64 * plot_h;
                @if *n == 0 {
                    text.quiet x=(left + h as f64 * bar_w + bar_w / 2.0) y=(top + plot_h - 4.0) text-anchor="middle" { "–" }
                } @else {
                    rect.bar x=(left + h as f64 * bar_w + 2.0) y=(top + plot_h - bar) width=(bar_w - 4.0) height=(bar) {
                        title { (format!("{h:02}:00")) ": " (n) " posts" }
                    }
                }
                @if h % 3 == 0 {
                    text.axis x=(left + h as f64 * bar_w + bar_w / 2.0) y=(top + plot_h + 14.0) text-anchor="middle" { (format!("{h:02}")) }
                }
            }
            text.axis x=(left + 12.0 * bar_w) y=(height - 4.0) text-anchor="middle" { "hour of day (" (a.time_zone) "); – marks an hour without any post" }
        }
    }
}

/// A short label for a track: the finding's detector and the start of its template or summary.
pub fn track_label(f: &Finding) -> String {
    let text = f.template.as_deref().unwrap_or(&f.summary);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // About 42 characters fit the label column at the chart's font size.
    crate::text::shorten(&format!("{}: {flat}", f.detector), 42)
}

/// The timeline: all posts on the first track, then one track per finding that lists its posts,
/// each a row of marks at the bins holding posts, so a scheduler's beat shows as evenly spaced
/// marks.
pub fn timeline(a: &Activity, findings: &[Finding], zone: Tz) -> Markup {
    let (label_w, row_h, top) = (268.0, 24.0, 8.0);
    let plot_w = WIDE - label_w;
    let bins = f64::from(a.axis.bins.max(1));
    let bin_w = plot_w / bins;
    let mut rows: Vec<(String, &[[u64; 2]], &'static str)> =
        vec![("all posts".to_string(), &a.posts, "all")];
    for t in a.tracks.iter().take(MAX_TRACKS) {
        if let Some(f) = findings.get(t.finding) {
            rows.push((track_label(f), &t.bins, f.severity.as_str()));
        }
    }
    let undrawn = a.tracks.len().saturating_sub(MAX_TRACKS);
    let height = top + rows.len() as f64 * row_h + 30.0;
    let end = a.axis.start
        + chrono::Duration::seconds((a.axis.bin_seconds * u64::from(a.axis.bins)) as i64);
    let date = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d").to_string();
    let mid = a.axis.start + (end - a.axis.start) / 2;
    let mut desc = format!(
        "Timeline from {} to {}: {} tracks, all posts first, then one per finding; each mark is \
         a bin of {} holding posts of that track.",
        date(a.axis.start),
        date(end),
        rows.len(),
        duration_words(a.axis.bin_seconds)
    );
    if undrawn > 0 {
        desc.push_str(&format!(
            " The {undrawn} least severe findings have no track here; they are listed below."
        ));
    }
    html! {
        svg.chart.timeline width=(WIDE) height=(height) viewBox=(format!("0 0 {WIDE} {height}"))
            role="img" aria-label=(desc) {
            title { "Timeline of posts, one track per finding" }
            desc { (desc) }
            @for (i, (label, marks, class)) in rows.iter().enumerate() {
                @let y = top + i as f64 * row_h;
                @let max = marks.iter().map(|m| m[1]).max().unwrap_or(1).max(1);
                text.axis x="0" y=(y + 15.0) { (label) }
                line.grid x1=(label_w) y1=(y + row_h - 2.0) x2=(WIDE) y2=(y + row_h - 2.0) {}
                @for m in marks.iter() {
                    @let h = 4.0 + (row_h - 8.0) * (m[1] as f64 / max as f64);
                    rect class=(format!("mark {class}")) x=(label_w + m[0] as f64 * bin_w) y=(y + row_h - 2.0 - h)
                        width=(bin_w.max(1.5)) height=(h) {}
                }
            }
            @let axis_y = top + rows.len() as f64 * row_h + 14.0;
            text.axis x=(label_w) y=(axis_y) { (date(a.axis.start)) }
            text.axis x=(label_w + plot_w / 2.0) y=(axis_y) text-anchor="middle" { (date(mid)) }
            text.axis x=(WIDE) y=(axis_y) text-anchor="end" { (date(end)) }
            text.axis x=(label_w + plot_w / 2.0) y=(axis_y + 14.0) text-anchor="middle" { "date (" (zone.name()) "), one mark per " (duration_words(a.axis.bin_seconds)) " with posts" }
        }
    }
}

/// A duration in the largest whole unit that fits: "12 h", "3 days".
pub fn duration_words(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7_199 => format!("{} min", seconds / 60),
        7_200..=172_799 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// The label of a latency bucket: "≤ 10 s", "> 1 week".
pub fn latency_label(up_to: Option<u64>) -> String {
    let words = |s: u64| match s {
        604_800 => "1 week".to_string(),
        86_400 => "1 day".to_string(),
        s if s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    };
    match up_to {
        Some(s) => format!("≤ {}", words(s)),
        None => format!("> {}", words(LATENCY_BOUNDS[LATENCY_BOUNDS.len() - 1])),
    }
}

/// The reply-latency histogram.
pub fn latency(a: &Activity) -> Markup {
    let total: u64 = a.reply_latency.iter().map(|b| b.replies).sum();
    let max = a
        .reply_latency
        .iter()
        .map(|b| b.replies)
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, top, plot_h) = (36.0, 16.0, 100.0);
    let bar_w = (WIDE - left) / a.reply_latency.len().max(1) as f64;
    let height = top + plot_h + 36.0;
    let within_minute: u64 = a
        .reply_latency
        .iter()
        .filter(|b| b.up_to_seconds.is_some_and(|s| s <= 60))
        .map(|b| b.replies)
        .sum();
    let desc = if total == 0 {
        "No replies with a known parent time.".to_string()
    } else {
        format!(
            "{total} replies with a known parent time; {within_minute} ({:.0}%) came within a minute.",
            within_minute as f64 * 100.0 / total as f64
        )
    };
    html! {
        svg.chart.latency width=(WIDE) height=(height) viewBox=(format!("0 0 {WIDE} {height}"))
            role="img" aria-label=(desc) {
            title { "Reply latency: how long after the post it answers" }
            desc { (desc) }
            line.grid x1=(left) y1=(top + plot_h) x2=(WIDE) y2=(top + plot_h) {}
            @for (i, b) in a.reply_latency.iter().enumerate() {
                @let h = b.replies as f64 / max as f64 * plot_h;
                @let x = left + i as f64 * bar_w;
                rect.bar x=(x + 4.0) y=(top + plot_h - h) width=(bar_w - 8.0) height=(h) {
                    title { (latency_label(b.up_to_seconds)) ": " (b.replies) " replies" }
                }
                text.axis x=(x + bar_w / 2.0) y=(top + plot_h - h - 3.0) text-anchor="middle" { (b.replies) }
                text.axis x=(x + bar_w / 2.0) y=(top + plot_h + 14.0) text-anchor="middle" { (latency_label(b.up_to_seconds)) }
            }
            text.axis x=(left + (WIDE - left) / 2.0) y=(height - 4.0) text-anchor="middle" { "time from the parent post to the reply (replies per bucket)" }
        }
    }
}

/// Promotion versus conversation per period: promotional own posts above the axis, replies to
/// other accounts below, so the two read apart without colour.
pub fn promotion(a: &Activity, zone: Tz) -> Markup {
    let n = a.periods.len().max(1);
    let max = a
        .periods
        .iter()
        .map(|p| p.promotional.max(p.conversation))
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, top, half) = (90.0, 14.0, 60.0);
    let bar_w = (WIDE - left) / n as f64;
    let mid = top + half;
    let height = top + 2.0 * half + 34.0;
    let promotional: u64 = a.periods.iter().map(|p| p.promotional).sum();
    let conversation: u64 = a.periods.iter().map(|p| p.conversation).sum();
    let date = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d").to_string();
    let desc = format!(
        "Per period: {promotional} promotional posts in all (bars up) and {conversation} replies \
         to others (bars down), over {} periods.",
        a.periods.len()
    );
    html! {
        svg.chart.promotion width=(WIDE) height=(height) viewBox=(format!("0 0 {WIDE} {height}"))
            role="img" aria-label=(desc) {
            title { "Promotion versus conversation over time" }
            desc { (desc) }
            text.axis x=(left - 6.0) y=(top + 10.0) text-anchor="end" { "promotional ↑" }
            text.axis x=(left - 6.0) y=(mid + half) text-anchor="end" { "replies ↓" }
            line.grid x1=(left) y1=(mid) x2=(WIDE) y2=(mid) {}
            @for (i, p) in a.periods.iter().enumerate() {
                @let x = left + i as f64 * bar_w;
                @let up = p.promotional as f64 / max as f64 * half;
                @let down = p.conversation as f64 / max as f64 * half;
                @if p.promotional > 0 {
                    rect.promo x=(x + 1.0) y=(mid - up) width=(bar_w - 2.0) height=(up) {
                        title { "from " (date(p.start)) ": " (p.promotional) " promotional of " (p.posts) " posts" }
                    }
                }
                @if p.conversation > 0 {
                    rect.talk x=(x + 1.0) y=(mid) width=(bar_w - 2.0) height=(down) {
                        title { "from " (date(p.start)) ": " (p.conversation) " replies of " (p.posts) " posts" }
                    }
                }
            }
            @if let (Some(first), Some(last)) = (a.periods.first(), a.periods.last()) {
                text.axis x=(left) y=(height - 4.0) { (date(first.start)) }
                text.axis x=(WIDE) y=(height - 4.0) text-anchor="end" { (date(last.start)) }
            }
        }
    }
}

/// A score history: a line over time from 0 to 100, `small` for a sparkline in a table row.
pub fn score_history(points: &[(DateTime<Utc>, u32)], zone: Tz, small: bool) -> Markup {
    let (width, height, pad) = if small {
        (120.0, 28.0, 2.0)
    } else {
        (WIDE, 160.0, 30.0)
    };
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return html! { span.muted { "no history yet" } };
    };
    let span = (last.0 - first.0).num_seconds().max(1) as f64;
    let x =
        |t: DateTime<Utc>| pad + (t - first.0).num_seconds() as f64 / span * (width - 2.0 * pad);
    let y = |s: u32| pad + (100.0 - f64::from(s.min(100))) / 100.0 * (height - 2.0 * pad);
    let path: String = points
        .iter()
        .enumerate()
        .map(|(i, (t, s))| {
            let (px, py) = if points.len() == 1 {
                (width / 2.0, y(*s))
            } else {
                (x(*t), y(*s))
            };
            format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { " L" })
        })
        .collect();
    let low = points.iter().map(|p| p.1).min().unwrap_or(0);
    let high = points.iter().map(|p| p.1).max().unwrap_or(0);
    let date = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let desc = format!(
        "Score over {} analyses from {} to {}: now {}, lowest {low}, highest {high}.",
        points.len(),
        date(first.0),
        date(last.0),
        last.1
    );
    html! {
        svg.chart.history.small[small] width=(width) height=(height) viewBox=(format!("0 0 {width} {height}"))
            role="img" aria-label=(desc) {
            title { "Score history" }
            desc { (desc) }
            @if !small {
                text.axis x=(pad - 4.0) y=(y(100) + 4.0) text-anchor="end" { "100" }
                text.axis x=(pad - 4.0) y=(y(0)) text-anchor="end" { "0" }
                line.grid x1=(pad) y1=(y(0)) x2=(width - pad) y2=(y(0)) {}
                text.axis x=(pad) y=(height - 4.0) { (date(first.0)) }
                text.axis x=(width - pad) y=(height - 4.0) text-anchor="end" { (date(last.0)) }
            }
            path.line d=(path) {}
            circle.dot cx=(if points.len() == 1 { width / 2.0 } else { x(last.0) }) cy=(y(last.1)) r=(if small { 2.0 } else { 3.5 }) {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_are_ranges() {
        let mut p = [1u64; 24];
        p[1] = 0;
        p[2] = 0;
        p[23] = 0;
        assert_eq!(quiet_hours(&p), ["01:00–02:59", "23:00–23:59"]);
        assert!(quiet_hours(&[1; 24]).is_empty());
    }

    #[test]
    fn latency_labels_read_as_words() {
        assert_eq!(latency_label(Some(10)), "≤ 10 s");
        assert_eq!(latency_label(Some(300)), "≤ 5 min");
        assert_eq!(latency_label(Some(7_200)), "≤ 2 h");
        assert_eq!(latency_label(None), "> 1 week");
    }
}
