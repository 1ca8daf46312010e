//! The JSON report: the stable contract, pretty-printed with a trailing newline, except that
//! the records deep inside a finding (each evidence post, each of its posts) and the chart
//! counts' pairs and rows take one line each.
//!
//! Why one line each: a finding lists every post it rests on, and a scan of a million posts
//! lists hundreds of thousands of them. Pretty-printed, each `{id, created_at}` pair took four
//! lines and about 130 bytes; on one line it takes about 75, reads as one post per line, and
//! `grep`s as one. The document is the same JSON either way.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::model::Report;

/// Streams the report as JSON with a trailing newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Layout::default());
    report.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Containers opened at this depth or deeper are written on one line: in a report, the
/// entries of `accounts[].findings[].evidence` and `.posts` (root object 1, `accounts` 2,
/// account 3, `findings` 4, finding 5, `posts` 6, post 7).
const ONE_LINE_FROM: usize = 7;

/// serde_json's pretty layout (two-space indent), except that a container is written on one
/// line (`{"id": "1", "created_at": "…"}`, `[3, 1]`) when it opens at [`ONE_LINE_FROM`] or
/// deeper, when it is an array directly inside an array (the chart counts' pairs and rows), or
/// inside a container written on one line.
#[derive(Debug, Default)]
struct Layout {
    /// For each open container, outermost first: whether it is an array, and whether it is
    /// written on one line.
    open: Vec<(bool, bool)>,
    /// Whether the innermost open container has a value yet.
    has_value: bool,
}

impl Layout {
    fn one_line(&self) -> bool {
        self.open.last().is_some_and(|&(_, one_line)| one_line)
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, array: bool) -> io::Result<()> {
        let one_line = self.one_line()
            || self.open.len() + 1 >= ONE_LINE_FROM
            || (array && self.open.last().is_some_and(|&(is_array, _)| is_array));
        self.open.push((array, one_line));
        self.has_value = false;
        w.write_all(if array { b"[" } else { b"{" })
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let (array, one_line) = self.open.pop().unwrap_or((false, false));
        if self.has_value && !one_line {
            w.write_all(b"\n")?;
            indent(w, self.open.len())?;
        }
        w.write_all(if array { b"]" } else { b"}" })
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if self.one_line() {
            return w.write_all(if first { b"" } else { b", " });
        }
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.open.len())
    }
}

fn indent<W: ?Sized + Write>(w: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        w.write_all(b"  ")?;
    }
    Ok(())
}

impl Formatter for Layout {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, true)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, false)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        v.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            Layout::default(),
        ))
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shallow_is_serde_json_pretty() {
        let v = serde_json::json!({"a": [1, {"b": []}, {}], "c": {"d": null}, "e": []});
        assert_eq!(layout(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn arrays_in_arrays_take_one_line() {
        let v = serde_json::json!({"rows": [[1, 2], [3, [4]]], "pairs": [{"k": [[0, 1]]}]});
        assert_eq!(
            layout(&v),
            "{\n  \"pairs\": [\n    {\n      \"k\": [\n        [0, 1]\n      ]\n    }\n  ],\n  \"rows\": [\n    [1, 2],\n    [3, [4]]\n  ]\n}"
        );
    }

    #[test]
    fn deep_records_take_one_line_each() {
        let v = serde_json::json!({"accounts": [{"findings": [{"posts": [
            {"id": "1", "created_at": "2025-01-01T00:00:00Z"},
            {"id": "2", "created_at": "2025-01-02T00:00:00Z", "tags": ["a", {"x": 1}]}
        ]}]}]});
        let text = layout(&v);
        assert!(text.contains(
            // serde_json's maps sort their keys.
            "\n            {\"created_at\": \"2025-01-01T00:00:00Z\", \"id\": \"1\"},\n"
        ));
        assert!(text.contains("\"id\": \"2\", \"tags\": [\"a\", {\"x\": 1}]}\n"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
