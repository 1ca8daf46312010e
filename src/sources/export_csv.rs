//! The CSV files of platform downloads (LinkedIn's `Shares.csv` and `Comments.csv` today), read
//! as tables whose columns are found by name, never by position: newer downloads add columns,
//! and some localise or re-case their names.
//!
//! Rows pass through `csv.rs`'s `CappedRecords` first, so no row is held beyond
//! [`Limits::max_record_bytes`] whatever the file, and a row over it is skipped and counted. A
//! row that is not UTF-8 (a file saved in another encoding) is skipped and counted too.
//! LinkedIn writes quotes inside quoted fields as `\"` instead of RFC 4180's `""`, which makes a
//! strict reader split or merge records: [`Table::open`] can turn every `\"` into `""` while
//! streaming (a field whose text really ends in a backslash is the price, and is rare).

use std::io::{self, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::archive::{Archive, Entry, EntryError};
use super::csv::CappedRecords;
use super::{Limits, SourceError};
use crate::model::{Post, Skipped};

/// An open table: its header, and rows to come.
pub struct Table<R: Read> {
    rows: ::csv::Reader<CappedRecords<Unescape<BufReader<R>>>>,
    header: Vec<String>,
    record: ::csv::ByteRecord,
    /// The row last read, numbered as a spreadsheet shows it (the header is row 1).
    pub row: u64,
}

/// Why a table stopped being read.
#[derive(Debug)]
pub enum TableError {
    /// The entry is larger than the entry limit.
    TooLarge,
    /// The file could not be read on (a damaged zip entry, an I/O error).
    Io(io::Error),
}

impl From<::csv::Error> for TableError {
    fn from(e: ::csv::Error) -> Self {
        match e.into_kind() {
            ::csv::ErrorKind::Io(io) => match EntryError::from(io) {
                EntryError::TooLarge => TableError::TooLarge,
                EntryError::Io(io) => TableError::Io(io),
            },
            other => TableError::Io(io::Error::other(format!("{other:?}"))),
        }
    }
}

impl<R: Read> Table<R> {
    /// Reads the header; `None` for an empty file. `backslash_quotes`: the file escapes quotes
    /// as `\"` (LinkedIn).
    pub fn open(
        reader: R,
        limits: &Limits,
        backslash_quotes: bool,
    ) -> Result<Option<Table<R>>, TableError> {
        let cap = limits.max_record_bytes.max(1);
        let source = Unescape {
            inner: BufReader::new(reader),
            active: backslash_quotes,
            held: None,
        };
        let mut rows = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(CappedRecords::new(source, cap));
        let mut record = ::csv::ByteRecord::new();
        if !rows.read_byte_record(&mut record)? {
            return Ok(None);
        }
        let header = record
            .iter()
            .map(|f| {
                let f = f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f);
                String::from_utf8_lossy(f).trim().to_lowercase()
            })
            .collect();
        Ok(Some(Table {
            rows,
            header,
            record,
            row: 1,
        }))
    }

    /// The position of the first column named any of `names` (letter case ignored).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// The header, lower-cased.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next row's fields as text; an oversized or non-UTF-8 row is noted in `skipped`
    /// (as `<name> row N`) and passed over. `Ok(None)` at the end.
    pub fn next_row(
        &mut self,
        name: &str,
        skipped: &mut Skipped,
    ) -> Result<Option<Vec<String>>, TableError> {
        loop {
            if !self.rows.read_byte_record(&mut self.record)? {
                return Ok(None);
            }
            self.row += 1;
            if let Some(reason) = self.rows.get_ref().marker(&self.record) {
                skipped.note(format!("{name} row {}", self.row), reason);
                continue;
            }
            let fields: Result<Vec<String>, _> = self
                .record
                .iter()
                .map(|f| std::str::from_utf8(f).map(str::to_string))
                .collect();
            match fields {
                Ok(fields) => return Ok(Some(fields)),
                Err(_) => skipped.note(
                    format!("{name} row {}", self.row),
                    "not UTF-8 text (a file saved in another encoding?)",
                ),
            }
        }
    }
}

/// Opens one entry of a download as a table; `None` for an empty file, or an unreadable one
/// (noted in `skipped`). Reading past the entry limit is an error naming the entry.
pub fn open_table<'a>(
    archive: &'a mut Archive,
    entry: &Entry,
    path: &Path,
    limits: &Limits,
    backslash_quotes: bool,
    skipped: &mut Skipped,
) -> Result<Option<Table<Box<dyn Read + 'a>>>, SourceError> {
    let reader = archive
        .open_entry(entry, limits.max_entry_bytes)
        .map_err(|e| e.into_source(path, entry, limits.max_entry_bytes))?;
    match Table::open(reader, limits, backslash_quotes) {
        Ok(table) => Ok(table),
        Err(TableError::TooLarge) => Err(too_large(path, entry, limits)),
        Err(TableError::Io(e)) => {
            skipped.note(entry.name.clone(), format!("unreadable CSV: {e}"));
            Ok(None)
        }
    }
}

/// Reads a table's rows through `convert` into `posts`: a row that does not convert is skipped
/// and named ("Comments.csv row 4: …"), damage further on ends the file (noted), and past
/// [`Limits::max_records`] posts in all the rest is left (noted).
pub fn read_rows<R: Read>(
    table: &mut Table<R>,
    entry: &Entry,
    path: &Path,
    limits: &Limits,
    posts: &mut Vec<Post>,
    skipped: &mut Skipped,
    convert: &mut dyn FnMut(&[String]) -> Result<Post, String>,
) -> Result<(), SourceError> {
    loop {
        let row = match table.next_row(&entry.name, skipped) {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(()),
            Err(TableError::TooLarge) => return Err(too_large(path, entry, limits)),
            Err(TableError::Io(e)) => {
                skipped.note(
                    format!("{} row {}", entry.name, table.row + 1),
                    format!("unreadable CSV ({e}); the rest was not read"),
                );
                return Ok(());
            }
        };
        if posts.len() as u64 >= limits.max_records {
            skipped.note(
                format!("{} row {}", entry.name, table.row),
                format!(
                    "more than {} records; the rest was not read",
                    limits.max_records
                ),
            );
            return Ok(());
        }
        match convert(&row) {
            Ok(post) => posts.push(post),
            Err(reason) => skipped.note(format!("{} row {}", entry.name, table.row), reason),
        }
    }
}

fn too_large(path: &Path, entry: &Entry, limits: &Limits) -> SourceError {
    SourceError::TooLarge {
        path: path.to_path_buf(),
        what: entry.name.clone(),
        limit: limits.max_entry_bytes,
    }
}

/// The column names of a CSV header line as a sniff compares them: split at commas, unquoted,
/// trimmed and lowercased (a loose look; `Table` reads the header properly).
pub fn header_names(first_line: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(first_line)
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_lowercase())
        .collect()
}

/// A zone-less time in `format` read as UTC, or an RFC 3339 time.
pub fn parse_utc(s: &str, format: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, format)
        .map(|t| t.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

/// The field at `column` of a row, trimmed; `None` when the column is absent or the cell empty.
pub fn cell(fields: &[String], column: Option<usize>) -> Option<&str> {
    column
        .and_then(|c| fields.get(c))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
}

/// Passes bytes through, turning `\"` into `""` when active (byte by byte from a buffered
/// reader).
struct Unescape<R> {
    inner: R,
    active: bool,
    /// A byte read but not yet handed out (the second `"` of a rewrite, or a byte after `\`).
    held: Option<u8>,
}

impl<R: Read> Read for Unescape<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.active {
            return self.inner.read(buf);
        }
        let mut n = 0;
        while n < buf.len() {
            if let Some(b) = self.held.take() {
                buf[n] = b;
                n += 1;
                continue;
            }
            let mut one = [0u8; 1];
            if self.inner.read(&mut one)? == 0 {
                break;
            }
            if one[0] == b'\\' {
                let mut next = [0u8; 1];
                if self.inner.read(&mut next)? == 0 {
                    buf[n] = b'\\';
                    n += 1;
                    break;
                }
                if next[0] == b'"' {
                    buf[n] = b'"';
                    self.held = Some(b'"');
                } else {
                    buf[n] = b'\\';
                    self.held = Some(next[0]);
                }
                n += 1;
                continue;
            }
            buf[n] = one[0];
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, backslash: bool) -> (Vec<String>, Vec<Vec<String>>, Skipped) {
        let limits = Limits {
            max_record_bytes: 200,
            ..Limits::default()
        };
        let mut table = Table::open(text.as_bytes(), &limits, backslash)
            .unwrap()
            .unwrap();
        let mut skipped = Skipped::default();
        let mut out = Vec::new();
        while let Some(r) = table.next_row("t.csv", &mut skipped).unwrap() {
            out.push(r);
        }
        (table.header().to_vec(), out, skipped)
    }

    #[test]
    fn backslash_quotes_are_read_as_quotes() {
        let text = "Date,Link,Message\n2024-01-01 10:00:00,urn:li:activity:1,\"She said \\\"hi\\\", then left\"\n";
        let (header, out, _) = rows(text, true);
        assert_eq!(header, ["date", "link", "message"]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0][2], "She said \"hi\", then left");
        // A strict reader splits that row at the inner comma.
        let (_, strict, _) = rows(text, false);
        assert_ne!(
            strict[0].get(2).map(String::as_str),
            Some("She said \"hi\", then left")
        );
    }

    #[test]
    fn long_and_non_utf8_rows_are_skipped_and_named() {
        let long = "x".repeat(300);
        let text = format!("a,b\n1,{long}\n2,ok\n");
        let (_, out, skipped) = rows(&text, false);
        assert_eq!(out, [["2", "ok"]]);
        assert_eq!(skipped.examples[0].record, "t.csv row 2");
        let mut bytes = b"a,b\n1,caf\xe9\n2,ok\n".to_vec();
        bytes.extend_from_slice(b"");
        let limits = Limits::default();
        let mut table = Table::open(&bytes[..], &limits, false).unwrap().unwrap();
        let mut skipped = Skipped::default();
        let mut n = 0;
        while table.next_row("t.csv", &mut skipped).unwrap().is_some() {
            n += 1;
        }
        assert_eq!((n, skipped.count), (1, 1));
        assert!(skipped.examples[0].reason.contains("UTF-8"));
    }
}
