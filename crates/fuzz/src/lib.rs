//! What the fuzz targets share: a scratch folder per process (most readers take a path, so a
//! target writes its input to a file and calls the public path-based `read`), a small text
//! format that lets one fuzz input hold several files of an export, and the limits the targets
//! read with.
//!
//! The several-file format is the one `head` prints: a line `==> path/in/export <==` starts a
//! file, and whatever comes before the first such line is the target's default file. So a seed
//! built from a fixture folder keeps its layout, the mutator can change names as well as
//! contents (the marker and the file names are in the dictionaries), and an input without
//! markers is simply the content of the one file the reader looks for first. Every file is
//! written twice, as an extracted folder and as a zip (stored, so the bytes stay as mutated),
//! because the readers take both through `Archive`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use echoscope::sources::{Batch, Limits, SourceError};

/// The most files one input may hold, and the deepest path: enough for every export's layout,
/// and within what a folder's listing takes (`archive::FOLDER_DEPTH`), so that the folder and
/// the zip hold the same files.
const MAX_FILES: usize = 16;
const MAX_DEPTH: usize = 3;

/// The limits the targets read with: the defaults, except an entry limit that a zip bomb
/// reaches quickly, so that the limit's path is fuzzed too.
pub fn limits() -> Limits {
    Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    }
}

/// A folder of this process's own (`/dev/shm` when there is one: no disk writes per run),
/// emptied before every input.
pub struct Scratch {
    root: PathBuf,
}

impl Scratch {
    /// The scratch folder of this process, emptied.
    pub fn fresh() -> &'static Scratch {
        static SCRATCH: OnceLock<Scratch> = OnceLock::new();
        let scratch = SCRATCH.get_or_init(|| {
            let base = Path::new("/dev/shm");
            let base = if base.is_dir() {
                base.to_path_buf()
            } else {
                std::env::temp_dir()
            };
            Scratch {
                root: base.join(format!("echoscope-fuzz-{}", std::process::id())),
            }
        });
        let _ = std::fs::remove_dir_all(&scratch.root);
        std::fs::create_dir_all(&scratch.root).expect("scratch folder");
        scratch
    }

    /// Writes `bytes` to the file `name` in the scratch folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.root.join(name);
        std::fs::write(&path, bytes).expect("scratch file");
        path
    }

    /// Writes the files of a several-file input (see the module comment), `default_name` being
    /// the name of the content before the first marker, as a folder `export/` and a zip
    /// `export.zip`.
    pub fn tree(&self, default_name: &str, data: &[u8]) -> Tree {
        let files = split(default_name, data);
        let folder = self.root.join("export");
        let mut written = Vec::new();
        let mut zipped = Vec::new();
        for (name, content) in &files {
            let path = folder.join(name);
            if let Some(parent) = path.parent() {
                if std::fs::create_dir_all(parent).is_err() {
                    continue; // a file already has the folder's name
                }
            }
            // A name given twice, or a file where a folder of that name is: the folder keeps
            // one of them, and so does the zip.
            if !path.exists() && std::fs::write(&path, content).is_ok() {
                written.push(path);
                zipped.push((name.clone(), *content));
            }
        }
        std::fs::create_dir_all(&folder).expect("scratch folder");
        let zip = self.root.join("export.zip");
        std::fs::write(&zip, zip_of(&zipped)).expect("scratch zip");
        Tree {
            folder,
            zip,
            files: written,
        }
    }
}

/// A several-file input written out.
pub struct Tree {
    pub folder: PathBuf,
    pub zip: PathBuf,
    /// The files written into `folder`, in input order.
    pub files: Vec<PathBuf>,
}

/// The consistency property of the tree targets: a folder and the zip of the same files are
/// both read or both refused, and give the same posts (by id: which of two posts with one id
/// is kept may follow the listing order, which differs between a folder and a zip).
///
/// Checked only with `ECHOSCOPE_FUZZ_SAME_POSTS=1`: the first runs found folders and zips that
/// differ in edge cases (a misspelt top folder taken as the zip's wrapping folder; a damaged
/// file read first in one listing order and not the other, see README "Reliability"), which
/// would stop every run of those targets in seconds before they are settled.
pub fn same_posts(folder: &Result<Batch, SourceError>, zip: &Result<Batch, SourceError>) {
    static CHECK: OnceLock<bool> = OnceLock::new();
    if !*CHECK
        .get_or_init(|| std::env::var_os("ECHOSCOPE_FUZZ_SAME_POSTS").is_some_and(|v| v == "1"))
    {
        return;
    }
    let ids = |batch: &Batch| {
        let mut ids: Vec<String> = batch
            .timelines
            .iter()
            .flat_map(|t| t.posts.iter().map(|p| p.id.clone()))
            .collect();
        ids.sort();
        ids
    };
    match (folder, zip) {
        (Ok(f), Ok(z)) => assert_eq!(ids(f), ids(z), "the folder and the zip give other posts"),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => panic!("the folder is read, the zip is not: {e}"),
        (Err(e), Ok(_)) => panic!("the zip is read, the folder is not: {e}"),
    }
}

/// Splits a several-file input into (relative path, content); unusable names are dropped.
pub fn split<'a>(default_name: &str, data: &'a [u8]) -> Vec<(String, &'a [u8])> {
    const OPEN: &[u8] = b"==> ";
    const CLOSE: &[u8] = b" <==";
    let mut files = Vec::new();
    let mut name = Some(default_name.to_string());
    let mut start = 0;
    let mut line_start = 0;
    while line_start <= data.len() {
        let line_end = data[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| line_start + i);
        let line = &data[line_start..line_end];
        if line.starts_with(OPEN) && line.ends_with(CLOSE) && line.len() >= OPEN.len() + CLOSE.len()
        {
            let body = &data[start..line_start];
            if let Some(n) = name.take() {
                if !(n == default_name && body.is_empty() && files.is_empty()) {
                    files.push((n, body));
                }
            }
            name = clean(&line[OPEN.len()..line.len() - CLOSE.len()]);
            start = (line_end + 1).min(data.len());
        }
        line_start = line_end + 1;
    }
    if let Some(n) = name {
        files.push((n, &data[start..]));
    }
    files.truncate(MAX_FILES);
    files
}

/// A relative path safe to write under the scratch folder, or `None`.
fn clean(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?;
    let parts: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    // Hidden names are left out of a folder's listing, not of a zip's.
    let ok = !parts.is_empty()
        && parts.len() <= MAX_DEPTH
        && parts
            .iter()
            .all(|p| p.len() <= 100 && !p.starts_with('.') && !p.contains(['\0', '\\']));
    ok.then(|| parts.join("/"))
}

/// The files as a zip, stored without compression.
pub fn zip_of(files: &[(String, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in files {
        if zip.start_file(name.as_str(), options).is_ok() {
            let _ = zip.write_all(content);
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_reads_markers_and_the_default_file() {
        let files = split("a.json", b"top\n==> x/y.csv <==\n1,2\n==> ../z <==\n");
        assert_eq!(
            files,
            vec![
                ("a.json".to_string(), &b"top\n"[..]),
                ("x/y.csv".to_string(), &b"1,2\n"[..]),
                ("z".to_string(), &b""[..]),
            ]
        );
        assert_eq!(split("a", b"plain"), vec![("a".to_string(), &b"plain"[..])]);
    }
}
