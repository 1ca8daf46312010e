//! Sources: turn exported archives and files into [`Timeline`]s.
//!
//! The set of input formats is closed ([`InputFormat`], matched exhaustively); each format is one
//! file here that keeps its loose `sniff` (does this input look like mine? a [`Verdict`] on the
//! [`Sniff`] that detection gathered once) beside its strict `read`. [`detect`] asks every
//! format in the order of [`InputFormat::ALL`], and [`read`] dispatches to the format's reader:
//! both through a `match` without wildcard, so a new format does not compile until it is wired.
//! Zips and extracted folders are opened through [`archive::Archive`], which bounds every entry.
//!
//! A source parses, it does not judge: damaged records are skipped and counted in [`Skipped`]
//! so that the report can say what was left out, while an input that cannot be read at all is a
//! [`SourceError`] that names the file. Memory is bounded by [`Limits`], whatever the input:
//! archives are streamed entry by entry, media is never read, records and lines are capped.

pub mod archive;
pub mod bluesky_appview;
pub mod bluesky_car;
pub mod csv;
pub mod export_csv;
pub mod facebook;
pub mod feed;
pub mod gaps;
pub mod html;
pub mod http;
pub mod instagram;
pub mod jsonl;
pub mod linkedin;
pub mod live;
pub mod mastodon_api;
pub mod mastodon_outbox;
pub mod meta;
pub mod reddit;
pub mod stdin;
pub mod threads;
pub mod tiktok;
pub mod tiktok_txt;
pub mod twitter_archive;
pub mod youtube_takeout;

use std::io::Read;
use std::path::{Path, PathBuf};

use archive::{Archive, ArchiveKind};

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
    /// What the input lacks or what was repaired, for the report ([`gaps`]); empty for the
    /// formats that lack nothing worth saying.
    pub notes: Vec<String>,
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
    /// Neither a regular file nor a folder (a named pipe, a socket, a device): echoscope looks
    /// at an input before it reads it, which such a file would not survive (or would block on).
    #[error(
        "{path}: not a regular file ({what}); give a file or folder, or pipe the data to \
         standard input as `-`"
    )]
    NotAFile { path: PathBuf, what: &'static str },
    /// No input held a single post: an audit of nothing would read as a clean bill of health.
    /// Each reason names an input and why nothing in it was used.
    #[error("nothing usable in the inputs: {}", .reasons.join("; "))]
    NothingUsable { reasons: Vec<String> },
    /// Standard input (`-`) named twice: it can be read only once.
    #[error("standard input (`-`) is given more than once")]
    StdinTwice,
}

impl SourceError {
    /// The same error, naming `to` where it named the file `from` (standard input's copy is
    /// named `-`, as the user gave it).
    pub fn renamed(self, from: &Path, to: &Path) -> SourceError {
        let swap = |path: PathBuf| if path == from { to.to_path_buf() } else { path };
        match self {
            SourceError::Io { path, source } => SourceError::Io {
                path: swap(path),
                source,
            },
            SourceError::Zip { path, source } => SourceError::Zip {
                path: swap(path),
                source,
            },
            SourceError::UnknownFormat { path, reason } => SourceError::UnknownFormat {
                path: swap(path),
                reason,
            },
            SourceError::Invalid {
                path,
                record,
                reason,
            } => SourceError::Invalid {
                path: swap(path),
                record,
                reason,
            },
            SourceError::TooLarge { path, what, limit } => SourceError::TooLarge {
                path: swap(path),
                what,
                limit,
            },
            SourceError::Empty { path, reason } => SourceError::Empty {
                path: swap(path),
                reason,
            },
            SourceError::NotAFile { path, what } => SourceError::NotAFile {
                path: swap(path),
                what,
            },
            SourceError::NothingUsable { reasons } => SourceError::NothingUsable { reasons },
            SourceError::StdinTwice => SourceError::StdinTwice,
        }
    }
}

/// What kind of file a non-regular, non-folder file is, for [`SourceError::NotAFile`]; `None`
/// for a regular file or a folder.
pub fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() || kind.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return Some("a pipe or FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Whether a path the user gave means standard input: `-`, as most tools take it, and the
/// names the system gives it (`/dev/stdin`, `/dev/fd/0`), which a pipe makes unreadable twice.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdin") || path == Path::new("/dev/fd/0")
}

/// How many bytes of a file [`detect`] looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// The columns every echoscope CSV header (and JSONL record) has.
pub(crate) const REQUIRED_FIELDS: [&str; 5] = ["account", "platform", "id", "created_at", "text"];

// ---------------------------------------------------------------------------------------------
// Detection: each source's `sniff`, tried in the order of `InputFormat::ALL`.

/// What [`detect`] gathers about one input, once, for every source's `sniff`.
#[derive(Debug)]
pub struct Sniff {
    /// The file or folder name in lower case: it decides only when no content does.
    pub name: String,
    pub content: Content,
}

/// What an input holds, as far as detection looks.
#[derive(Debug)]
pub enum Content {
    /// A file that is not a zip: its first bytes.
    Text(Text),
    /// A zip archive or a folder, listed but not opened.
    Archive(Archive),
}

/// The first 64 KiB of a file, without a UTF-8 byte order mark.
#[derive(Debug)]
pub struct Text {
    pub head: Vec<u8>,
    /// The file goes on past `head`.
    pub truncated: bool,
}

impl Text {
    /// The first line that is neither blank nor a `#` comment (JSONL allows those), without
    /// leading whitespace and line end: the line formats are told apart by.
    pub fn first_line(&self) -> Option<&[u8]> {
        self.head
            .split(|&b| b == b'\n')
            .map(|l| trim_ascii_start(l.strip_suffix(b"\r").unwrap_or(l)))
            .find(|l| !l.is_empty() && !l.starts_with(b"#"))
    }

    /// `head` as text, for searching it.
    pub fn lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.head)
    }
}

/// What one source's `sniff` says about an input.
///
/// The contract: a `sniff` is cheap and looks only at the [`Sniff`]; it says [`Verdict::Mine`]
/// only when the content is clearly its format, since [`detect`] takes the first format in
/// [`InputFormat::ALL`] that says so. [`Verdict::NameFits`] lets the name decide when no
/// content does (an empty `posts.jsonl`, a pretty-printed `outbox.json` whose first 64 KiB
/// say nothing). [`Verdict::NearMiss`] says what is missing from an input of the kind the
/// source reads (XML, JSON, a zip, a folder), and becomes the reason of
/// [`SourceError::UnknownFormat`] when no format takes the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The content is this source's format.
    Mine,
    /// The content is not clearly this format, but the name is its usual one.
    NameFits,
    /// Not this format, though of its kind: what is missing, for the user.
    NearMiss(String),
    /// Not this format.
    No,
}

impl Verdict {
    /// This verdict, or [`Verdict::NameFits`] when it is not [`Verdict::Mine`] and the name
    /// `fits`.
    pub fn or_name(self, fits: bool) -> Verdict {
        match self {
            Verdict::Mine => Verdict::Mine,
            Verdict::NameFits => Verdict::NameFits,
            Verdict::NearMiss(_) | Verdict::No if fits => Verdict::NameFits,
            Verdict::NearMiss(why) => Verdict::NearMiss(why),
            Verdict::No => Verdict::No,
        }
    }
}

impl Sniff {
    /// Looks at `path` once: a folder or zip is listed, a file's first 64 KiB are read.
    pub fn gather(path: &Path) -> Result<Sniff, SourceError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if let Some(archive) = Archive::open(path)? {
            return Ok(Sniff {
                name,
                content: Content::Archive(archive),
            });
        }
        let mut head = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
            .map_err(|source| SourceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        let truncated = head.len() == SNIFF_BYTES;
        if head.starts_with(b"\xEF\xBB\xBF") {
            head.drain(..3);
        }
        Ok(Sniff {
            name,
            content: Content::Text(Text { head, truncated }),
        })
    }

    /// The format that takes this input: the first in [`InputFormat::ALL`] whose content fits,
    /// else the first whose name fits; else why none does.
    pub fn format(&self) -> Result<InputFormat, String> {
        let mut by_name = None;
        let mut near_misses = Vec::new();
        for format in InputFormat::ALL {
            match sniff(format, self) {
                Verdict::Mine => return Ok(format),
                Verdict::NameFits => {
                    by_name.get_or_insert(format);
                }
                Verdict::NearMiss(why) => near_misses.push(why),
                Verdict::No => {}
            }
        }
        by_name.ok_or_else(|| self.unsupported(&near_misses))
    }

    /// Why no format takes this input: what it is, and what each near miss lacks.
    fn unsupported(&self, near_misses: &[String]) -> String {
        match &self.content {
            Content::Archive(archive) => {
                let what = match archive.kind() {
                    ArchiveKind::Zip => {
                        let n = archive.entries().len();
                        format!("a zip archive of {n} file{}", if n == 1 { "" } else { "s" })
                    }
                    ArchiveKind::Folder => "a folder".to_string(),
                };
                if near_misses.is_empty() {
                    format!("{what} that is no export echoscope reads")
                } else {
                    format!("{what} with {}", near_misses.join(", "))
                }
            }
            Content::Text(_) if !near_misses.is_empty() => near_misses.join("; "),
            Content::Text(text) => describe(text),
        }
    }
}

/// What a file that no format takes (and none comes close to) looks like.
fn describe(text: &Text) -> String {
    if trim_ascii_start(&text.head).is_empty() {
        return "the file is empty".into();
    }
    let Some(first) = text.first_line() else {
        return "only blank or comment lines at the start".into();
    };
    match std::str::from_utf8(first) {
        Ok(line) => format!("text starting with {:?}", shorten(line, 40)),
        Err(_) => "binary or non-UTF-8 content".into(),
    }
}

/// One source's `sniff`: every format is wired here, and a new [`InputFormat`] variant does
/// not compile until it is.
fn sniff(format: InputFormat, input: &Sniff) -> Verdict {
    match format {
        InputFormat::TwitterArchive => twitter_archive::sniff(input),
        InputFormat::MastodonOutbox => mastodon_outbox::sniff(input),
        InputFormat::Jsonl => jsonl::sniff(input),
        InputFormat::Csv => csv::sniff(input),
        InputFormat::Feed => feed::sniff(input),
        InputFormat::BlueskyCar => bluesky_car::sniff(input),
        InputFormat::Facebook => facebook::sniff(input),
        InputFormat::Instagram => instagram::sniff(input),
        InputFormat::Linkedin => linkedin::sniff(input),
        InputFormat::YoutubeTakeout => youtube_takeout::sniff(input),
        InputFormat::Reddit => reddit::sniff(input),
        InputFormat::Tiktok => tiktok::sniff(input),
    }
}

/// Guesses the format of a file or folder from its content: zip entry names, the files inside
/// a folder, the first 64 KiB of a file. Each source judges for itself ([`Verdict`]); the name
/// decides only when no content does, so that a stray `.csv` in a folder is not mistaken for
/// echoscope CSV.
pub fn detect(path: &Path) -> Result<InputFormat, SourceError> {
    Sniff::gather(path)?
        .format()
        .map_err(|reason| SourceError::UnknownFormat {
            path: path.to_path_buf(),
            reason,
        })
}

/// True when a folder is an extracted export that some source reads whole.
fn is_export_folder(path: &Path) -> bool {
    Sniff::gather(path)
        .is_ok_and(|s| matches!(s.content, Content::Archive(_)) && s.format().is_ok())
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
    if let Some(what) = not_a_file(&meta) {
        return Err(SourceError::NotAFile {
            path: path.to_path_buf(),
            what,
        });
    }
    let mut out = Expanded::default();
    if !meta.is_dir() || is_export_folder(path) {
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
            match std::fs::metadata(&entry) {
                Ok(target) if target.is_dir() => {
                    out.unsupported.push(Unsupported {
                        path: entry,
                        reason: "a symbolic link to a folder (not followed)".into(),
                    });
                    continue;
                }
                Ok(target) => {
                    if let Some(what) = not_a_file(&target) {
                        out.unsupported.push(Unsupported {
                            path: entry,
                            reason: format!("a symbolic link to {what}, not a regular file"),
                        });
                        continue;
                    }
                    false
                }
                // A dangling link: `detect` below says so.
                Err(_) => false,
            }
        } else {
            meta.is_dir()
        };
        // A named pipe would block detection forever, a device never ends: never opened.
        if let Some(what) = not_a_file(&meta).filter(|_| !meta.file_type().is_symlink()) {
            out.unsupported.push(Unsupported {
                path: entry,
                reason: format!("{what}, not a regular file"),
            });
            continue;
        }
        if is_dir {
            if is_export_folder(&entry) {
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

/// Reads one input in the given format (detected when `None`), as of now: [`read_at`] with the
/// clock's time.
pub fn read(
    path: &Path,
    format: Option<InputFormat>,
    limits: &Limits,
) -> Result<(InputFormat, Batch), SourceError> {
    read_at(path, format, limits, chrono::Utc::now())
}

/// Reads one input in the given format (detected when `None`) for an analysis at `now`.
///
/// Whatever the format, the posts then pass the one date rule ([`Timeline::vet`]: none before
/// the platform existed, none days after `now`), and what the reader's [`Timeline::finish`]
/// merged (repeated post ids) and the rule refused is counted, each record named, in the
/// batch's skipped records: nothing leaves a timeline unsaid.
pub fn read_at(
    path: &Path,
    format: Option<InputFormat>,
    limits: &Limits,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(InputFormat, Batch), SourceError> {
    let (format, mut batch) = read_unvetted(path, format, limits)?;
    for t in &mut batch.timelines {
        t.vet(now);
        batch.skipped.absorb(std::mem::take(&mut t.dropped));
    }
    batch
        .timelines
        .retain(|t| !t.posts.is_empty() || !t.direct_messages.is_empty());
    Ok((format, batch))
}

fn read_unvetted(
    path: &Path,
    format: Option<InputFormat>,
    limits: &Limits,
) -> Result<(InputFormat, Batch), SourceError> {
    let format = match format {
        Some(f) => f,
        None => detect(path)?,
    };
    // Every format is wired here as in `sniff`: a new variant does not compile until it is.
    let batch = match format {
        InputFormat::TwitterArchive => twitter_archive::read(path, limits)?,
        InputFormat::MastodonOutbox => mastodon_outbox::read(path, limits)?,
        InputFormat::Jsonl => jsonl::read(path, limits)?,
        InputFormat::Csv => csv::read(path, limits)?,
        InputFormat::Feed => feed::read(path, limits)?,
        InputFormat::BlueskyCar => bluesky_car::read(path, limits)?,
        InputFormat::Facebook => facebook::read(path, limits)?,
        InputFormat::Instagram => instagram::read(path, limits)?,
        InputFormat::Linkedin => linkedin::read(path, limits)?,
        InputFormat::YoutubeTakeout => youtube_takeout::read(path, limits)?,
        InputFormat::Reddit => reddit::read(path, limits)?,
        InputFormat::Tiktok => tiktok::read(path, limits)?,
    };
    Ok((format, batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `InputFormat::ALL` is written by hand (its order is detection's priority): a format
    /// missing from it would never be detected.
    #[test]
    fn detection_tries_every_format_once() {
        for format in <InputFormat as clap::ValueEnum>::value_variants() {
            let tried = InputFormat::ALL.iter().filter(|f| *f == format).count();
            assert_eq!(tried, 1, "{format}");
        }
    }
}
