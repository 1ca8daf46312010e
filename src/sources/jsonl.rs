//! `jsonl` source: the echoscope JSONL format, one post per line (format version 1, described by
//! `src/schema/post.v1.json`), and its writer for exports.
//!
//! The format is the lingua franca for everything echoscope has no reader for, so it is strict
//! (unknown fields, non-RFC 3339 times and unknown kinds are errors: a typo must not silently
//! drop a field) but forgiving per line (a bad line is skipped and counted, the rest is read).
//! It is also the bulk path, so it is fast: the file is read in large chunks, each chunk is cut
//! into pieces at line ends and the pieces are parsed in parallel. No line is ever held longer
//! than `limits.max_record_bytes` plus one chunk: an oversized line is skipped while it streams
//! past, however long it is.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::Skipped;
use crate::model::{created_at_from_id, Platform, Post, PostKind, Timeline};

/// One line of echoscope JSONL (and one row of echoscope CSV): format version 1, described by
/// `src/schema/post.v1.json`. The first five fields are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub account: String,
    pub platform: String,
    pub id: String,
    #[serde(
        deserialize_with = "rfc3339",
        serialize_with = "crate::model::timestamp::serialize"
    )]
    pub created_at: DateTime<Utc>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PostKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_account: Option<String>,
    #[serde(
        default,
        deserialize_with = "rfc3339_opt",
        serialize_with = "crate::model::timestamp::serialize_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reply_to_created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Record {
    /// The record for one post of an account (what `echoscope export` and the store write).
    pub fn from_post(account: &str, platform: Platform, post: &Post) -> Record {
        Record {
            account: account.to_string(),
            platform: platform.as_str().to_string(),
            id: post.id.clone(),
            created_at: post.created_at,
            text: post.text.clone(),
            kind: Some(post.kind),
            reply_to_id: post.reply_to_id.clone(),
            reply_to_account: post.reply_to_account.clone(),
            reply_to_created_at: post.reply_to_created_at,
            client: post.client.clone(),
            links: post.links.clone(),
            lang: post.lang.clone(),
        }
    }

    /// The post this record describes, with its platform and account (without a leading `@`).
    /// A missing `kind` is `reply` when `reply_to_id` is set, else `original`; a missing
    /// `reply_to_created_at` is decoded from the parent id where the platform's ids carry time.
    /// Fails, with a lowercase reason, on an empty account, platform or id.
    pub fn into_post(self) -> Result<(Platform, String, Post), String> {
        let account = self
            .account
            .trim()
            .trim_start_matches('@')
            .trim()
            .to_string();
        if account.is_empty() {
            return Err("empty account".into());
        }
        if self.platform.trim().is_empty() {
            return Err("empty platform".into());
        }
        if self.id.trim().is_empty() {
            return Err("empty id".into());
        }
        let platform = Platform::parse(&self.platform);
        let reply_to_id = self.reply_to_id.filter(|s| !s.is_empty());
        let kind = self.kind.unwrap_or(if reply_to_id.is_some() {
            PostKind::Reply
        } else {
            PostKind::Original
        });
        let reply_to_created_at = self.reply_to_created_at.or_else(|| {
            reply_to_id
                .as_deref()
                .and_then(|id| created_at_from_id(platform, id))
        });
        let post = Post {
            id: self.id,
            created_at: self.created_at,
            text: self.text,
            kind,
            reply_to_id,
            reply_to_account: self
                .reply_to_account
                .map(|a| a.trim_start_matches('@').to_string())
                .filter(|a| !a.is_empty()),
            reply_to_created_at,
            client: self.client.filter(|s| !s.is_empty()),
            links: self.links,
            lang: self.lang.filter(|s| !s.is_empty()),
        };
        Ok((platform, account, post))
    }
}

/// Writes one record as one line (JSON escapes every newline inside strings, so a record never
/// spans lines).
pub fn write_record<W: Write>(w: &mut W, record: &Record) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, record)?;
    w.write_all(b"\n")
}

/// Writes a timeline as echoscope JSONL, one record per post, and returns the number of lines:
/// the one JSONL writer, used by `echoscope export` and the test-data generator alike.
pub fn write_timeline<W: Write>(w: &mut W, timeline: &Timeline) -> std::io::Result<u64> {
    for post in &timeline.posts {
        write_record(
            w,
            &Record::from_post(&timeline.account, timeline.platform, post),
        )?;
    }
    Ok(timeline.posts.len() as u64)
}

/// Parses an RFC 3339 time strictly: `T` between date and time and an explicit offset (`Z` or
/// `±hh:mm`). chrono alone also takes a space and `+hhmm`, which the schema does not allow.
pub(crate) fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    let b = s.as_bytes();
    let separator_ok = matches!(b.get(10), Some(b'T' | b't'));
    let offset_ok = s.ends_with(['Z', 'z'])
        || (b.len() > 6
            && matches!(b.get(b.len() - 6), Some(b'+' | b'-'))
            && b.get(b.len() - 3) == Some(&b':'));
    if !separator_ok || !offset_ok {
        return Err(format!("{s:?} is not an RFC 3339 time"));
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time ({e})"))
}

fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(TimeVisitor)
}

fn rfc3339_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(OptionalTime)
}

/// Parses a time from the borrowed string where possible: serde's `Cow<str>` would allocate for
/// every record, and this is the hot path of a million-line file.
struct TimeVisitor;

impl serde::de::Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 time string")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
        parse_rfc3339(s).map_err(E::custom)
    }
}

struct OptionalTime;

impl<'de> serde::de::Visitor<'de> for OptionalTime {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 time string or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(TimeVisitor).map(Some)
    }
}

/// How much is read at once; pieces of about [`PIECE_BYTES`] are parsed in parallel.
const CHUNK_BYTES: usize = 16 << 20;
const PIECE_BYTES: usize = 256 << 10;

/// Recognises echoscope JSONL: a first line that is a JSON object with `account`, `platform`
/// and `id`. The name (`.jsonl`, `.ndjson`) decides only when the content does not, e.g. for an
/// empty file.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let first = text.first_line().filter(|l| l.starts_with(b"{"));
            let verdict = match first.map(serde_json::from_slice) {
                Some(Ok(serde_json::Value::Object(map))) => {
                    if ["account", "platform", "id"]
                        .iter()
                        .all(|k| map.contains_key(*k))
                    {
                        Verdict::Mine
                    } else {
                        Verdict::NearMiss(
                            "a JSON object without the echoscope fields account, platform, id"
                                .into(),
                        )
                    }
                }
                // A document spread over lines, or a first line longer than the window.
                Some(_) => Verdict::NearMiss(
                    "JSON whose first line is not a whole object (as in echoscope JSONL)".into(),
                ),
                None => Verdict::No,
            };
            verdict.or_name(input.name.ends_with(".jsonl") || input.name.ends_with(".ndjson"))
        }
        Content::Archive(_) => Verdict::No,
    }
}

/// Reads one echoscope JSONL file.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let file = std::fs::File::open(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_from(file, path, limits)
}

/// Reads echoscope JSONL from any reader; `path` names it in messages.
pub fn read_from<R: Read + Send>(
    reader: R,
    path: &Path,
    limits: &Limits,
) -> Result<Batch, SourceError> {
    read_chunked(reader, path, limits, CHUNK_BYTES)
}

fn read_chunked<R: Read + Send>(
    reader: R,
    path: &Path,
    limits: &Limits,
    chunk_bytes: usize,
) -> Result<Batch, SourceError> {
    let cap = limits.max_record_bytes.max(1);
    let mut chunks = LineChunks {
        inner: reader.take(limits.max_entry_bytes),
        chunk_bytes: chunk_bytes.max(1),
        spare: Vec::new(),
        cap,
        carry: Vec::new(),
        line: 1,
        skipping: false,
        eof: false,
        read_bytes: 0,
        dropped: Vec::new(),
    };
    let mut skipped = Skipped::default();
    let mut by_account: BTreeMap<(Platform, String), Timeline> = BTreeMap::new();
    let mut records: u64 = 0;
    let io_error = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    // The next chunk is read while this one is parsed. The reader's notes of the lines it
    // dropped travel with the chunk they came before or after, and are put in line order
    // with the parser's.
    let mut next = chunks.next().map_err(io_error)?;
    'chunks: while let Some(chunk) = next.take() {
        let data = chunk.data.get(chunk.start..chunk.end).unwrap_or_default();
        let pieces = split_pieces(data);
        let (outs, following) = rayon::join(
            || {
                pieces
                    .par_iter()
                    .map(|piece| parse_piece(piece, cap))
                    .collect::<Vec<PieceOut>>()
            },
            || chunks.next(),
        );
        let mut dropped = chunk.dropped.iter().peekable();
        let mut line = chunk.first_line;
        for out in outs {
            for (rel, reason) in out.problems {
                while let Some((at, why)) = dropped.next_if(|(at, _)| *at < line + rel) {
                    skipped.note(format!("line {at}"), why.as_str());
                }
                skipped.note(format!("line {}", line + rel), reason);
            }
            while let Some((at, why)) = dropped.next_if(|(at, _)| *at < line + out.lines) {
                skipped.note(format!("line {at}"), why.as_str());
            }
            skipped.count += out.unnoted;
            for run in out.runs {
                let mut posts = run.posts;
                let room = limits.max_records.saturating_sub(records);
                let over = posts.len() as u64 > room;
                if over {
                    posts.truncate(room as usize);
                }
                records += posts.len() as u64;
                match by_account.entry((run.platform, run.account)) {
                    std::collections::btree_map::Entry::Occupied(mut o) => {
                        o.get_mut().posts.extend(posts)
                    }
                    std::collections::btree_map::Entry::Vacant(v) => {
                        // The run's vector becomes the timeline's: no copy.
                        let mut t = Timeline::new(v.key().1.clone(), v.key().0);
                        t.posts = posts;
                        v.insert(t);
                    }
                }
                if over {
                    skipped.note(
                        format!("line {}", line + out.lines),
                        format!(
                            "the limit of {} records was reached; the rest was not read",
                            limits.max_records
                        ),
                    );
                    chunks.dropped.clear();
                    break 'chunks;
                }
            }
            line += out.lines;
        }
        for (at, why) in dropped {
            skipped.note(format!("line {at}"), why.as_str());
        }
        chunks.recycle(chunk);
        next = following.map_err(io_error)?;
    }
    // Lines dropped after the last chunk (an oversized last line).
    for (at, why) in chunks.dropped.drain(..) {
        skipped.note(format!("line {at}"), why);
    }
    if chunks.read_bytes >= limits.max_entry_bytes && limits.max_entry_bytes > 0 {
        skipped.note(
            format!("line {}", chunks.line),
            format!(
                "the file is larger than the limit of {} bytes; the rest was not read",
                limits.max_entry_bytes
            ),
        );
    }
    finish(path, by_account, skipped)
}

/// Turns grouped timelines into a batch; a file where every record was bad is an error rather
/// than an empty result that would read as "nothing suspicious".
pub(crate) fn finish(
    path: &Path,
    by_account: BTreeMap<(Platform, String), Timeline>,
    skipped: Skipped,
) -> Result<Batch, SourceError> {
    if by_account.is_empty() && skipped.count > 0 {
        let (record, reason) = skipped
            .examples
            .first()
            .map(|p| (p.record.clone(), p.reason.clone()))
            .unwrap_or_default();
        return Err(SourceError::Invalid {
            path: path.to_path_buf(),
            record,
            reason: format!("{reason} (no usable record; {} skipped)", skipped.count),
        });
    }
    let mut timelines: Vec<Timeline> = by_account.into_values().collect();
    timelines.par_iter_mut().for_each(Timeline::finish);
    Ok(Batch {
        timelines,
        skipped,
        notes: Vec::new(),
    })
}

/// Complete lines read from the input: `data[start..end]`, the first of them numbered
/// `first_line`. The last line may lack its `\n` at the end of the input.
struct Chunk {
    data: Vec<u8>,
    start: usize,
    end: usize,
    first_line: u64,
    /// Lines the reader dropped (too long) since the previous chunk: (line, reason).
    dropped: Vec<(u64, String)>,
}

/// Cuts a byte stream into chunks of whole lines, dropping lines longer than `cap` without ever
/// holding more than `cap + chunk_bytes` bytes.
struct LineChunks<R> {
    inner: R,
    /// How much to read at once ([`CHUNK_BYTES`]; small in tests).
    chunk_bytes: usize,
    /// The previous chunk's buffer, reused so that every chunk does not fault in fresh pages.
    spare: Vec<u8>,
    cap: usize,
    /// The start of a line whose end has not been read yet (at most `cap` bytes).
    carry: Vec<u8>,
    /// The number of the line `carry` (or the next byte) starts.
    line: u64,
    /// Inside an oversized line: bytes are dropped up to its end.
    skipping: bool,
    eof: bool,
    read_bytes: u64,
    /// Lines dropped and not yet handed out with a chunk: (line, reason).
    dropped: Vec<(u64, String)>,
}

impl<R: Read> LineChunks<R> {
    /// Hands a processed chunk's buffer back for the next read.
    fn recycle(&mut self, chunk: Chunk) {
        self.spare = chunk.data;
    }

    fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        loop {
            if self.eof {
                return Ok(None);
            }
            let mut buf = std::mem::take(&mut self.spare);
            buf.clear();
            buf.extend_from_slice(&self.carry);
            self.carry.clear();
            let want = self.chunk_bytes;
            buf.reserve(want);
            let got = (&mut self.inner).take(want as u64).read_to_end(&mut buf)?;
            self.read_bytes += got as u64;
            if got < want {
                self.eof = true;
            }
            let mut start = 0;
            if self.skipping {
                match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.skipping = false;
                        self.line += 1;
                        start = i + 1;
                    }
                    None => {
                        self.spare = buf;
                        continue;
                    }
                }
            }
            let body = buf.get(start..).unwrap_or_default();
            if self.eof {
                let end = buf.len();
                let first_line = self.line;
                self.line += count_lines(body);
                return Ok(Some(Chunk {
                    data: buf,
                    start,
                    end,
                    first_line,
                    dropped: std::mem::take(&mut self.dropped),
                }));
            }
            let complete = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let end = start + complete;
            let rest_len = buf.len() - end;
            let first_line = self.line;
            let lines = count_lines(buf.get(start..end).unwrap_or_default());
            self.line += lines;
            if rest_len > self.cap {
                self.dropped.push((
                    self.line,
                    format!("longer than the limit of {} bytes", self.cap),
                ));
                self.skipping = true;
            } else {
                self.carry.clear();
                self.carry
                    .extend_from_slice(buf.get(end..).unwrap_or_default());
            }
            buf.truncate(end);
            if complete > 0 {
                return Ok(Some(Chunk {
                    data: buf,
                    start,
                    end,
                    first_line,
                    dropped: std::mem::take(&mut self.dropped),
                }));
            }
            self.spare = buf;
        }
    }
}

/// The number of lines that start in `bytes`: its newlines, plus one for a last line without
/// one.
fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Cuts whole lines into pieces of about [`PIECE_BYTES`], each ending at a line end.
fn split_pieces(data: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(data.len() / PIECE_BYTES + 1);
    let mut rest = data;
    while !rest.is_empty() {
        let cut = match rest.get(PIECE_BYTES..) {
            None => rest.len(),
            Some(after) => after
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| PIECE_BYTES + i + 1),
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Consecutive posts of one account (files are usually grouped by account, so runs are long and
/// merging them costs one map look-up per run, not per post).
struct Run {
    platform: Platform,
    account: String,
    posts: Vec<Post>,
}

struct PieceOut {
    runs: Vec<Run>,
    /// Bad lines, numbered from 0 within the piece; only the first few are kept.
    problems: Vec<(u64, String)>,
    /// Bad lines beyond those kept.
    unnoted: u64,
    lines: u64,
}

fn parse_piece(piece: &[u8], cap: usize) -> PieceOut {
    let mut out = PieceOut {
        runs: Vec::new(),
        problems: Vec::new(),
        unnoted: 0,
        lines: 0,
    };
    let body = piece.strip_suffix(b"\n").unwrap_or(piece);
    if piece.is_empty() {
        return out;
    }
    for (n, line) in body.split(|&b| b == b'\n').enumerate() {
        out.lines += 1;
        match parse_line(line, cap) {
            Ok(None) => {}
            Ok(Some((platform, account, post))) => match out.runs.last_mut() {
                Some(run) if run.platform == platform && run.account == account => {
                    run.posts.push(post)
                }
                _ => out.runs.push(Run {
                    platform,
                    account,
                    posts: vec![post],
                }),
            },
            Err(reason) => {
                if out.problems.len() < Skipped::MAX_EXAMPLES {
                    out.problems.push((n as u64, reason));
                } else {
                    out.unnoted += 1;
                }
            }
        }
    }
    out
}

/// One line: `Ok(None)` for blank and `#` comment lines.
fn parse_line(line: &[u8], cap: usize) -> Result<Option<(Platform, String, Post)>, String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > cap {
        return Err(format!("longer than the limit of {cap} bytes"));
    }
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let trimmed = line.trim_ascii();
    if trimmed.is_empty() || trimmed.starts_with(b"#") {
        return Ok(None);
    }
    let text = std::str::from_utf8(trimmed)
        .map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1))?;
    let record: Record = serde_json::from_str(text).map_err(|e| json_reason(&e))?;
    record.into_post().map(Some)
}

/// serde_json's message without its "at line 1 column N" (always line 1 here), with the column.
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg);
    format!("{msg} (column {})", e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str, limits: &Limits) -> Result<Batch, SourceError> {
        read_from(s.as_bytes(), Path::new("t.jsonl"), limits)
    }

    /// Reads with chunks of `chunk` bytes, so that lines cross chunk ends.
    fn read_small_chunks(s: &str, limits: &Limits, chunk: usize) -> Batch {
        read_chunked(s.as_bytes(), Path::new("t.jsonl"), limits, chunk).unwrap()
    }

    const LINE: &str = r#"{"account":"a","platform":"mastodon","id":"1","created_at":"2024-01-01T00:00:00Z","text":"hi"}"#;

    #[test]
    fn record_round_trips_through_write_record() {
        let (_, _, post) = serde_json::from_str::<Record>(LINE)
            .unwrap()
            .into_post()
            .unwrap();
        let rec = Record::from_post("a", Platform::Mastodon, &post);
        let mut out = Vec::new();
        write_record(&mut out, &rec).unwrap();
        assert!(out.ends_with(b"\n"));
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        let back: Record = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, rec);
    }

    #[test]
    fn strict_times() {
        assert!(parse_rfc3339("2024-01-01T00:00:00Z").is_ok());
        assert!(parse_rfc3339("2024-01-01T02:00:00.5+02:00").is_ok());
        assert!(parse_rfc3339("2024-01-01 00:00:00Z").is_err());
        assert!(parse_rfc3339("2024-01-01T00:00:00+0000").is_err());
        assert!(parse_rfc3339("2024-01-01T00:00:00").is_err());
        assert!(parse_rfc3339("1704067200").is_err());
    }

    #[test]
    fn a_long_line_is_skipped_and_reading_goes_on() {
        let limits = Limits {
            max_record_bytes: 200,
            ..Limits::default()
        };
        let long = format!(
            r#"{{"account":"a","platform":"x","id":"2","created_at":"2024-01-01T00:00:00Z","text":"{}"}}"#,
            "y".repeat(5000)
        );
        let input = format!("{LINE}\n{long}\n{}\n", LINE.replace("\"1\"", "\"3\""));
        // Whole in one chunk (checked per line), and streamed past in chunks smaller than it
        // (dropped while reading), with the last line with or without its newline.
        for (chunk, input) in [
            (CHUNK_BYTES, input.clone()),
            (300, input.clone()),
            (64, input.clone()),
            (300, input.trim_end().to_string()),
        ] {
            let batch = read_small_chunks(&input, &limits, chunk);
            assert_eq!(batch.skipped.count, 1, "chunk {chunk}");
            assert_eq!(batch.skipped.examples[0].record, "line 2", "chunk {chunk}");
            let ids: Vec<_> = batch
                .timelines
                .iter()
                .flat_map(|t| t.posts.iter().map(|p| p.id.as_str()))
                .collect();
            assert_eq!(ids, ["1", "3"], "chunk {chunk}");
        }
    }

    /// The records the skipped examples name ("line 3").
    fn example_records(batch: &Batch) -> Vec<&str> {
        batch
            .skipped
            .examples
            .iter()
            .map(|p| p.record.as_str())
            .collect()
    }

    #[test]
    fn skipped_lines_are_listed_in_file_order() {
        // A long line is dropped by the reader (which runs ahead, reading the next chunk while
        // this one is parsed) and broken lines by the parser: the notes still come in order.
        let limits = Limits {
            max_record_bytes: 200,
            ..Limits::default()
        };
        let long = format!("{{\"text\":\"{}\"}}", "y".repeat(5000));
        let input = format!("{{broken\n{LINE}\n{long}\n{{broken\n{long}\n{LINE}\n");
        for chunk in [CHUNK_BYTES, 300, 64] {
            let batch = read_small_chunks(&input, &limits, chunk);
            let lines = example_records(&batch);
            assert_eq!(
                lines,
                ["line 1", "line 3", "line 4", "line 5"],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn line_numbers_survive_chunk_and_piece_boundaries() {
        // Enough lines to span several pieces; every 1000th line is broken.
        let mut input = String::new();
        for i in 1..=5000u32 {
            if i % 1000 == 0 {
                input.push_str("{broken\n");
            } else {
                input.push_str(&LINE.replace("\"1\"", &format!("\"{i}\"")));
                input.push('\n');
            }
        }
        for chunk in [CHUNK_BYTES, 4096, 333] {
            let batch = read_small_chunks(&input, &Limits::default(), chunk);
            assert_eq!(batch.skipped.count, 5);
            let lines = example_records(&batch);
            assert_eq!(
                lines,
                [
                    "line 1000",
                    "line 2000",
                    "line 3000",
                    "line 4000",
                    "line 5000"
                ]
            );
            assert_eq!(batch.timelines[0].posts.len(), 4995);
        }
    }

    #[test]
    fn max_records_stops_reading() {
        let input = format!("{LINE}\n{}\n", LINE.replace("\"1\"", "\"2\""));
        let limits = Limits {
            max_records: 1,
            ..Limits::default()
        };
        let batch = read_str(&input, &limits).unwrap();
        assert_eq!(batch.timelines[0].posts.len(), 1);
        assert_eq!(batch.skipped.count, 1);
    }
}
