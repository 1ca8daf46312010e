//! Sources: turn exported archives and files into [`Timeline`]s.
//!
//! The set of input formats is closed ([`InputFormat`], matched exhaustively); each format is one
//! file here. A source parses, it does not judge: damaged records are skipped and counted in
//! [`Skipped`] so that the report can say what was left out, while an input that cannot be read
//! at all is a [`SourceError`] that names the file. Memory is bounded by [`Limits`], whatever the
//! input: archives are streamed entry by entry, media is never read, records and lines are capped.

pub mod bluesky_appview;
pub mod csv;
pub mod feed;
pub mod html;
pub mod http;
pub mod jsonl;
pub mod live;
pub mod mastodon_api;
pub mod mastodon_outbox;
pub mod twitter_archive;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::{InputFormat, Skipped, Timeline};
use crate::text::shorten;

/// Bounds that keep hostile input from exhausting memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size read from one archive entry or file (zip bombs stop here).
    pub max_entry_bytes: u64,
    /// Largest single record (a JSONL line, a CSV row, one tweet object); longer ones are
    /// skipped and counted.
    pub max_record_bytes: usize,
    /// Largest number of records read from one input.
    pub max_records: u64,
    /// How deep a folder given as input is walked.
    pub max_dir_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 4 << 30,
            max_record_bytes: 1 << 20,
            max_records: 50_000_000,
            max_dir_depth: 8,
        }
    }
}

/// What one source read from one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// One timeline per account found, each already [`Timeline::finish`]ed.
    pub timelines: Vec<Timeline>,
    pub skipped: Skipped,
}

/// An input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file or folder could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The zip archive is damaged or truncated.
    #[error("{path}: not a readable zip archive: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    /// Nothing in the input looks like a supported format.
    #[error("{path}: unsupported input ({reason}); use --input-format to say what it is")]
    UnknownFormat { path: PathBuf, reason: String },
    /// The input is of the expected format but broken beyond use.
    #[error("{path}: {record}: {reason}")]
    Invalid {
        path: PathBuf,
        record: String,
        reason: String,
    },
    /// A bound in [`Limits`] was hit where skipping cannot help.
    #[error("{path}: {what} is larger than the limit of {limit} bytes")]
    TooLarge {
        path: PathBuf,
        what: String,
        limit: u64,
    },
    /// The input holds no posts at all.
    #[error("{path}: no posts found ({reason})")]
    Empty { path: PathBuf, reason: String },
}

/// How many bytes of a file [`detect`] looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// The columns every echoscope CSV header (and JSONL record) has.
pub(crate) const REQUIRED_FIELDS: [&str; 5] = ["account", "platform", "id", "created_at", "text"];

/// Guesses the format of a file or folder from its content: zip entry names, the first bytes of
/// a file, the files inside a folder. The name decides only when the content fits no format
/// clearly (an empty `posts.jsonl`, a pretty-printed `outbox.json` whose first 64 KiB say
/// nothing), so that a stray `.csv` in a folder is not mistaken for echoscope CSV.
pub fn detect(path: &Path) -> Result<InputFormat, SourceError> {
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let unknown = |reason: String| SourceError::UnknownFormat {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return detect_folder(path).ok_or_else(|| {
            unknown(
                "a folder that is neither an extracted Twitter archive nor a Mastodon export"
                    .into(),
            )
        });
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES.min(meta.len() as usize));
    std::fs::File::open(path)
        .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
        .map_err(io)?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return detect_zip(path);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let by_name = format_from_name(&name);
    let text = strip_bom(&head);
    let body = trim_ascii_start(text);
    if twitter_archive::sniff_file_start(&head) {
        return Ok(InputFormat::TwitterArchive);
    }
    if body.is_empty() {
        return by_name.ok_or_else(|| unknown("the file is empty".into()));
    }
    match sniff_text(text, head.len() == SNIFF_BYTES) {
        Sniffed::Format(f) => Ok(f),
        Sniffed::Unclear(reason) => by_name.ok_or_else(|| unknown(reason)),
    }
}

/// What the first bytes of a text file say.
enum Sniffed {
    Format(InputFormat),
    /// No format fits; the reason says what the content looked like.
    Unclear(String),
}

fn sniff_text(text: &[u8], truncated: bool) -> Sniffed {
    let mut lines = text.split(|&b| b == b'\n');
    // The first line that is neither blank nor a JSONL comment.
    let first = lines
        .by_ref()
        .map(|l| trim_ascii_start(l.strip_suffix(b"\r").unwrap_or(l)))
        .find(|l| !l.is_empty() && !l.starts_with(b"#"));
    let Some(first) = first else {
        return Sniffed::Unclear("only blank or comment lines at the start".into());
    };
    if first.starts_with(b"<") {
        // An XML feed names its root element near the top, after any declaration, comments
        // or stylesheet instructions.
        let window = String::from_utf8_lossy(text);
        if ["<rss", "<feed", "<rdf:RDF"]
            .iter()
            .any(|t| window.contains(t))
        {
            return Sniffed::Format(InputFormat::Feed);
        }
        return Sniffed::Unclear("XML that is not an RSS, Atom or RDF feed".into());
    }
    if first.starts_with(b"{") && String::from_utf8_lossy(text).contains("jsonfeed.org/version/") {
        return Sniffed::Format(InputFormat::Feed);
    }
    if first.starts_with(b"{") {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(first) {
            if ["account", "platform", "id"]
                .iter()
                .all(|k| map.contains_key(*k))
            {
                return Sniffed::Format(InputFormat::Jsonl);
            }
            if is_outbox_object(&map) {
                return Sniffed::Format(InputFormat::MastodonOutbox);
            }
            return Sniffed::Unclear(
                "a JSON object without the echoscope fields account, platform, id".into(),
            );
        }
        // A multi-line JSON document (or a first line longer than the window): Mastodon's
        // outbox names its type and items near the top.
        let window = String::from_utf8_lossy(text);
        if window.contains("\"OrderedCollection\"") || window.contains("\"orderedItems\"") {
            return Sniffed::Format(InputFormat::MastodonOutbox);
        }
        return Sniffed::Unclear(if truncated {
            "JSON whose first 64 KiB name neither an OrderedCollection nor echoscope fields".into()
        } else {
            "JSON that is neither a Mastodon outbox nor echoscope JSONL".into()
        });
    }
    let Ok(header) = std::str::from_utf8(first) else {
        return Sniffed::Unclear("binary or non-UTF-8 content".into());
    };
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    if columns.len() > 1 {
        if REQUIRED_FIELDS
            .iter()
            .all(|f| columns.iter().any(|c| c == f))
        {
            return Sniffed::Format(InputFormat::Csv);
        }
        return Sniffed::Unclear(format!(
            "a CSV header without the echoscope columns {} (found: {})",
            REQUIRED_FIELDS.join(", "),
            shorten(header, 120)
        ));
    }
    Sniffed::Unclear(format!("text starting with {:?}", shorten(header, 40)))
}

/// A JSON object shaped like an ActivityStreams outbox.
fn is_outbox_object(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    map.contains_key("orderedItems")
        || map
            .get("type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t == "OrderedCollection" || t == "OrderedCollectionPage")
}

/// The format a file name suggests, used only when the content is unclear.
fn format_from_name(name: &str) -> Option<InputFormat> {
    if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Some(InputFormat::Jsonl)
    } else if name == "outbox.json" {
        Some(InputFormat::MastodonOutbox)
    } else if is_twitter_file_name(name) {
        Some(InputFormat::TwitterArchive)
    } else {
        None
    }
}

/// `tweets.js`, `tweet.js`, `tweets-part1.js`, `manifest.js`: the files that make a folder or zip
/// a Twitter archive.
fn is_twitter_file_name(name: &str) -> bool {
    name == "tweets.js"
        || name == "tweet.js"
        || name == "manifest.js"
        || (name.starts_with("tweets-part") && name.ends_with(".js"))
}

/// A zip entry name that marks a Mastodon export: `outbox.json` at the top or one folder down.
fn is_outbox_entry(entry: &str) -> bool {
    let parts: Vec<&str> = entry.split('/').collect();
    parts.len() <= 2
        && parts
            .last()
            .is_some_and(|f| f.eq_ignore_ascii_case("outbox.json"))
}

fn detect_zip(path: &Path) -> Result<InputFormat, SourceError> {
    let file = std::fs::File::open(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|source| SourceError::Zip {
            path: path.to_path_buf(),
            source,
        })?;
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let twitter = twitter_archive::sniff_zip_names(&names);
    let mastodon = names.iter().any(|n| is_outbox_entry(n));
    match (twitter, mastodon) {
        (true, _) => Ok(InputFormat::TwitterArchive),
        (false, true) => Ok(InputFormat::MastodonOutbox),
        (false, false) => Err(SourceError::UnknownFormat {
            path: path.to_path_buf(),
            reason: format!(
                "a zip archive of {} entries with neither data/tweets.js nor outbox.json",
                archive.len()
            ),
        }),
    }
}

/// The format of a folder that is an extracted archive, `None` for any other folder.
fn detect_folder(path: &Path) -> Option<InputFormat> {
    if twitter_archive::sniff_dir(path) {
        return Some(InputFormat::TwitterArchive);
    }
    if path.join("outbox.json").is_file() {
        return Some(InputFormat::MastodonOutbox);
    }
    None
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// What [`expand`] found under one path the user gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expanded {
    /// Inputs to read, in a stable order: files `detect` recognises and extracted archives.
    pub inputs: Vec<PathBuf>,
    /// Files (and folders too deep to walk) left out, with why.
    pub unsupported: Vec<Unsupported>,
}

/// One path [`expand`] left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    pub path: PathBuf,
    pub reason: String,
}

/// Turns one path the user gave into the inputs to read. A file is itself (reading it says
/// what is wrong with it, so nothing the user named is dropped silently); a folder that is an
/// extracted Twitter archive or Mastodon export stays one input; any other folder is walked,
/// sorted, at most `limits.max_dir_depth` levels down, without following symbolic links to
/// folders (so no link loop can trap the walk) and without hidden entries (`.git`, `.DS_Store`),
/// and yields the files [`detect`] recognises. The rest is listed in
/// [`Expanded::unsupported`] for the report.
pub fn expand(path: &Path, limits: &Limits) -> Result<Expanded, SourceError> {
    let meta = std::fs::metadata(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Expanded::default();
    if !meta.is_dir() || detect_folder(path).is_some() {
        out.inputs.push(path.to_path_buf());
        return Ok(out);
    }
    walk(path, 0, limits, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, depth: usize, limits: &Limits, out: &mut Expanded) -> Result<(), SourceError> {
    let io = |source| SourceError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        // symlink_metadata: a link is not followed here; a link to a file is read below
        // through `detect` (files cannot loop), a link to a folder is left out.
        let Ok(meta) = std::fs::symlink_metadata(&entry) else {
            continue;
        };
        let is_dir = if meta.file_type().is_symlink() {
            if std::fs::metadata(&entry).is_ok_and(|m| m.is_dir()) {
                out.unsupported.push(Unsupported {
                    path: entry,
                    reason: "a symbolic link to a folder (not followed)".into(),
                });
                continue;
            }
            false
        } else {
            meta.is_dir()
        };
        if is_dir {
            if detect_folder(&entry).is_some() {
                out.inputs.push(entry);
            } else if depth + 1 > limits.max_dir_depth {
                out.unsupported.push(Unsupported {
                    path: entry,
                    reason: format!(
                        "a folder deeper than the limit of {} levels",
                        limits.max_dir_depth
                    ),
                });
            } else {
                walk(&entry, depth + 1, limits, out)?;
            }
            continue;
        }
        match detect(&entry) {
            Ok(_) => out.inputs.push(entry),
            Err(e) => out.unsupported.push(Unsupported {
                reason: match e {
                    SourceError::UnknownFormat { reason, .. } => reason,
                    other => other.to_string(),
                },
                path: entry,
            }),
        }
    }
    Ok(())
}

/// Reads one input in the given format (detected when `None`).
pub fn read(
    path: &Path,
    format: Option<InputFormat>,
    limits: &Limits,
) -> Result<(InputFormat, Batch), SourceError> {
    let format = match format {
        Some(f) => f,
        None => detect(path)?,
    };
    let batch = match format {
        InputFormat::TwitterArchive => twitter_archive::read(path, limits)?,
        InputFormat::MastodonOutbox => mastodon_outbox::read(path, limits)?,
        InputFormat::Jsonl => jsonl::read(path, limits)?,
        InputFormat::Csv => csv::read(path, limits)?,
        InputFormat::Feed => feed::read(path, limits)?,
    };
    Ok((format, batch))
}
