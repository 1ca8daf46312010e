//! `csv` source: echoscope CSV, the fields of echoscope JSONL as columns, one post per row.
//!
//! For people who keep timelines in spreadsheets. The header row names the columns, in any
//! order and any letter case; only `account`, `platform`, `id`, `created_at` and `text` must be
//! present, an empty cell is an absent value and `links` holds space-separated URLs. Unknown
//! columns are refused, as unknown JSONL fields are, so that a misspelt column is not silently
//! ignored. Rows are numbered as a spreadsheet shows them: the header is row 1.
//!
//! The `csv` crate grows a record's buffer to whatever the row needs, so the input passes first
//! through `CappedRecords`, which cuts it into records itself (a line end outside quotes ends a
//! record) and replaces any record longer than `limits.max_record_bytes` by a marker row while
//! it streams past: no row is ever held whole beyond the cap.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::jsonl::{parse_rfc3339, Record};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict, REQUIRED_FIELDS};
use crate::model::Skipped;
use crate::model::{Platform, PostKind, Timeline};
use crate::text::shorten;

/// Every column echoscope CSV knows, in the JSONL field order.
const COLUMNS: [&str; 12] = [
    "account",
    "platform",
    "id",
    "created_at",
    "text",
    "kind",
    "reply_to_id",
    "reply_to_account",
    "reply_to_created_at",
    "client",
    "links",
    "lang",
];

/// The single field of the row [`CappedRecords`] puts in place of an oversized record. A NUL
/// byte cannot come from a spreadsheet, so no real row looks like this.
pub(crate) const OVERSIZED: &[u8] = b"\0echoscope:oversized-record\0";

/// The single field of the row [`CappedRecords`] puts in place of a last record whose quoted
/// field is never closed: it swallowed the rest of the file, which must not pass for one post.
pub(crate) const UNTERMINATED: &[u8] = b"\0echoscope:unterminated-quote\0";

/// Recognises echoscope CSV by its header: comma-separated columns that include `account`,
/// `platform`, `id`, `created_at` and `text`. A header without them is a near miss that names what it has; the file
/// name never decides, so that a stray `.csv` is not taken for echoscope CSV.
pub fn sniff(input: &Sniff) -> Verdict {
    let Content::Text(text) = &input.content else {
        return Verdict::No;
    };
    let Some(first) = text.first_line() else {
        return Verdict::No;
    };
    // XML and JSON are other formats' to judge, whatever commas they hold.
    if first.starts_with(b"<") || first.starts_with(b"{") {
        return Verdict::No;
    }
    let Ok(header) = std::str::from_utf8(first) else {
        return Verdict::No;
    };
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    if columns.len() < 2 {
        return Verdict::No;
    }
    if REQUIRED_FIELDS
        .iter()
        .all(|f| columns.iter().any(|c| c == f))
    {
        return Verdict::Mine;
    }
    Verdict::NearMiss(format!(
        "a CSV header without the echoscope columns {} (found: {})",
        REQUIRED_FIELDS.join(", "),
        shorten(header, 120)
    ))
}

/// Reads one echoscope CSV file.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let file = std::fs::File::open(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_from(file, path, limits)
}

/// Reads echoscope CSV from any reader; `path` names it in messages.
pub fn read_from<R: Read>(reader: R, path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let cap = limits.max_record_bytes.max(1);
    let capped = CappedRecords::new(reader.take(limits.max_entry_bytes), cap);
    let mut rows = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(capped);
    let io_error = |e: ::csv::Error| match e.into_kind() {
        ::csv::ErrorKind::Io(source) => SourceError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => SourceError::Invalid {
            path: path.to_path_buf(),
            record: "csv".into(),
            reason: format!("{other:?}"),
        },
    };
    let mut record = ::csv::ByteRecord::new();
    if !rows.read_byte_record(&mut record).map_err(io_error)? {
        // An empty file holds no posts, which is not an error.
        return Ok(Batch::default());
    }
    let columns = match rows.get_ref().marker(&record) {
        Some(reason) => Err(reason),
        None => header(&record, cap),
    }
    .map_err(|reason| SourceError::Invalid {
        path: path.to_path_buf(),
        record: "row 1 (header)".into(),
        reason,
    })?;
    let mut skipped = Skipped::default();
    let mut by_account: BTreeMap<(Platform, String), Timeline> = BTreeMap::new();
    let mut row: u64 = 1;
    let mut records: u64 = 0;
    while rows.read_byte_record(&mut record).map_err(io_error)? {
        row += 1;
        if records >= limits.max_records {
            skipped.note(
                format!("row {row}"),
                format!(
                    "the limit of {} records was reached; the rest was not read",
                    limits.max_records
                ),
            );
            break;
        }
        let parsed = if let Some(reason) = rows.get_ref().marker(&record) {
            Err(reason)
        } else {
            parse_row(&record, &columns).and_then(Record::into_post)
        };
        match parsed {
            Ok((platform, account, post)) => {
                records += 1;
                by_account
                    .entry((platform, account.clone()))
                    .or_insert_with(|| Timeline::new(account, platform))
                    .posts
                    .push(post);
            }
            Err(reason) => skipped.note(format!("row {row}"), reason),
        }
    }
    super::jsonl::finish(path, by_account, skipped)
}

/// The known column at each position of the header.
fn header(record: &::csv::ByteRecord, cap: usize) -> Result<Vec<&'static str>, String> {
    if record.len() == 1 && record.get(0) == Some(OVERSIZED) {
        return Err(format!("longer than the limit of {cap} bytes"));
    }
    let mut columns = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let raw = if i == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let name = String::from_utf8_lossy(raw).trim().to_ascii_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(format!(
                "unknown column {name:?} (known columns: {})",
                COLUMNS.join(", ")
            ));
        };
        if columns.contains(known) {
            return Err(format!("column {name:?} appears twice"));
        }
        columns.push(*known);
    }
    let missing: Vec<&str> = REQUIRED_FIELDS
        .iter()
        .filter(|f| !columns.contains(*f))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing required columns: {}", missing.join(", ")));
    }
    Ok(columns)
}

/// One data row as a [`Record`]: empty cells are absent values.
fn parse_row(record: &::csv::ByteRecord, columns: &[&'static str]) -> Result<Record, String> {
    if record.len() != columns.len() {
        return Err(format!(
            "{} fields, the header has {}",
            record.len(),
            columns.len()
        ));
    }
    let mut rec = Record {
        account: String::new(),
        platform: String::new(),
        id: String::new(),
        created_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        text: String::new(),
        kind: None,
        reply_to_id: None,
        reply_to_account: None,
        reply_to_created_at: None,
        client: None,
        links: Vec::new(),
        lang: None,
    };
    let mut created_at = false;
    for (raw, &column) in record.iter().zip(columns) {
        let cell = std::str::from_utf8(raw).map_err(|e| {
            format!(
                "column {column} is not valid UTF-8 (byte {})",
                e.valid_up_to() + 1
            )
        })?;
        // `text` keeps its spaces and line breaks; every other cell is a token.
        let value = if column == "text" { cell } else { cell.trim() };
        if value.is_empty() {
            continue;
        }
        let owned = || Some(value.to_string());
        match column {
            "account" => rec.account = value.to_string(),
            "platform" => rec.platform = value.to_string(),
            "id" => rec.id = value.to_string(),
            "created_at" => {
                rec.created_at = parse_rfc3339(value).map_err(|e| format!("created_at: {e}"))?;
                created_at = true;
            }
            "text" => rec.text = value.to_string(),
            "kind" => rec.kind = Some(parse_kind(value)?),
            "reply_to_id" => rec.reply_to_id = owned(),
            "reply_to_account" => rec.reply_to_account = owned(),
            "reply_to_created_at" => {
                rec.reply_to_created_at =
                    Some(parse_rfc3339(value).map_err(|e| format!("reply_to_created_at: {e}"))?)
            }
            "client" => rec.client = owned(),
            "links" => rec.links = value.split_whitespace().map(str::to_string).collect(),
            "lang" => rec.lang = owned(),
            _ => {}
        }
    }
    if !created_at {
        return Err("empty created_at".into());
    }
    Ok(rec)
}

fn parse_kind(value: &str) -> Result<PostKind, String> {
    match value.to_ascii_lowercase().as_str() {
        "original" => Ok(PostKind::Original),
        "reply" => Ok(PostKind::Reply),
        "repost" => Ok(PostKind::Repost),
        "quote" => Ok(PostKind::Quote),
        _ => Err(format!(
            "kind {value:?} is not one of original, reply, repost, quote"
        )),
    }
}

/// A reader that passes CSV through record by record, replacing each record longer than `cap`
/// bytes by the [`OVERSIZED`] marker row. Records end at a line end (`\n` or `\r`) outside
/// double quotes; RFC 4180's doubled quotes toggle twice, so the parity stays right.
pub(crate) struct CappedRecords<R> {
    inner: R,
    cap: usize,
    block: Vec<u8>,
    /// The record being read (at most `cap` bytes).
    pending: Vec<u8>,
    /// Complete records ready to hand out, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    in_quotes: bool,
    /// Inside an oversized record: bytes are dropped up to its end.
    skipping: bool,
    /// Line ends inside quotes in the record being read: the lines a never-closed quote took.
    quoted_lines: u64,
    eof: bool,
}

impl<R: Read> CappedRecords<R> {
    pub(crate) fn new(inner: R, cap: usize) -> Self {
        CappedRecords {
            inner,
            cap,
            block: vec![0; 64 << 10],
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            in_quotes: false,
            skipping: false,
            quoted_lines: 0,
            eof: false,
        }
    }

    /// Why a row is one of the marker rows put in place of a record ([`OVERSIZED`],
    /// [`UNTERMINATED`]), for the skipped record's reason; `None` for a real row.
    pub(crate) fn marker(&self, record: &::csv::ByteRecord) -> Option<String> {
        if record.len() != 1 {
            return None;
        }
        match record.get(0) {
            Some(OVERSIZED) => Some(format!("longer than the limit of {} bytes", self.cap)),
            Some(UNTERMINATED) => Some(format!(
                "a quote opened in this row is never closed, so the row runs on to the end of \
                 the file ({} line end{} later) and nothing after it could be read",
                self.quoted_lines,
                if self.quoted_lines == 1 { "" } else { "s" }
            )),
            _ => None,
        }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.block) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            if self.in_quotes {
                // The last record never closed its quote: it holds every line after its
                // start, which no reader may take for one field.
                self.pending.clear();
                self.out.extend_from_slice(UNTERMINATED);
                self.out.push(b'\n');
            } else if self.skipping {
                self.out.extend_from_slice(OVERSIZED);
                self.out.push(b'\n');
            } else {
                self.out.append(&mut self.pending);
            }
            return Ok(());
        }
        for &b in self.block.get(..n).unwrap_or_default() {
            if b == b'"' {
                self.in_quotes = !self.in_quotes;
            }
            if self.in_quotes && b == b'\n' {
                self.quoted_lines += 1;
            }
            if !self.in_quotes && (b == b'\n' || b == b'\r') {
                self.quoted_lines = 0;
                if self.skipping {
                    self.skipping = false;
                    self.out.extend_from_slice(OVERSIZED);
                } else {
                    self.out.append(&mut self.pending);
                }
                self.out.push(b);
                continue;
            }
            if self.skipping {
                continue;
            }
            self.pending.push(b);
            if self.pending.len() > self.cap {
                self.skipping = true;
                self.pending = Vec::new();
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for CappedRecords<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let ready = self.out.get(self.out_pos..).unwrap_or_default();
        let n = ready.len().min(buf.len());
        buf[..n].copy_from_slice(&ready[..n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str, limits: &Limits) -> Result<Batch, SourceError> {
        read_from(s.as_bytes(), Path::new("t.csv"), limits)
    }

    #[test]
    fn capped_reader_replaces_long_records_only() {
        let input = b"a,b\n\"long\nquoted, field\",x\nc,d\n";
        let mut out = Vec::new();
        CappedRecords::new(&input[..], 10)
            .read_to_end(&mut out)
            .unwrap();
        let expected = [&b"a,b\n"[..], OVERSIZED, b"\nc,d\n"].concat();
        assert_eq!(out, expected);
        let mut out = Vec::new();
        CappedRecords::new(&input[..], 100)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, input);
    }

    #[test]
    fn header_is_case_insensitive_and_order_free() {
        let csv = "TEXT,Created_At,id,Platform,account,links\n\
                   \"hello, world\",2024-01-01T00:00:00Z,7,mastodon,@al,https://a.example https://b.example\n";
        let batch = read_str(csv, &Limits::default()).unwrap();
        let t = &batch.timelines[0];
        assert_eq!(t.account, "al");
        assert_eq!(t.posts[0].text, "hello, world");
        assert_eq!(t.posts[0].links.len(), 2);
    }

    #[test]
    fn bad_header_is_an_error_naming_the_column() {
        let err = read_str("account,platform,id,created_at,txt\n", &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"txt\""), "{err}");
        let err = read_str("account,platform,id,created_at\n", &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing required columns: text"), "{err}");
    }
}
