//! The bounded container every archive source reads: a zip file, the folder it was extracted
//! to, or a few loose files of a folder, all seen the same way, as entries named by their
//! `/`-separated path inside it (`data/tweets.js`), each opened as a reader that stops at a
//! byte limit.
//!
//! Exports are zips (Twitter/X and Mastodon today; Meta, LinkedIn, Google Takeout, TikTok and
//! Reddit too), and people often extract them first, so a reader asks for `data/tweets.js` and
//! need not care which it got. Hostile input is bounded here, once for every source: an entry
//! whose declared size (zip header, or size on disk) is over the limit is refused before it is
//! opened, and every entry is read through a counter that fails one byte past the limit whatever
//! the header claimed, so a zip bomb or a lying header ends in [`EntryError::TooLarge`] (the zip
//! crate also refuses data longer than the declared size). Listing is bounded too: a folder is
//! listed breadth first, [`FOLDER_DEPTH`] levels down and at most [`MAX_LISTED`] files, so the
//! shallow files that exports are recognised by come first and a folder of media cannot flood
//! memory; hidden entries (`.git`, `.DS_Store`) are left out. Nothing is opened until a reader
//! asks for it, so media is never read.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::SourceError;

/// How many folder levels below an extracted archive are listed: enough for
/// `<archive>/data/tweets.js` when the folder given holds the extracted archive folder.
pub const FOLDER_DEPTH: usize = 3;
/// The most files listed in a folder; the rest is left out (an extracted export has hundreds,
/// media aside).
pub const MAX_LISTED: usize = 100_000;

/// What an [`Archive`] is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// A zip file.
    Zip,
    /// An extracted folder, or loose files of a folder ([`Archive::loose`]).
    Folder,
}

/// One file in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the archive, `/`-separated (`data/tweets.js`); how the file is named in
    /// messages.
    pub name: String,
    /// The size the zip header declares, or the size on disk.
    pub size: u64,
    place: Place,
}

impl Entry {
    /// An entry of nothing, named as given, for tests of name rules.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str) -> Entry {
        Entry {
            name: name.to_string(),
            size: 0,
            place: Place::File(PathBuf::from(name)),
        }
    }

    /// The name without its folders (`tweets.js`).
    pub fn file_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// The folders before the file name (`data` for `data/tweets.js`, empty at the top).
    pub fn folder(&self) -> &str {
        self.name.rsplit_once('/').map_or("", |(folder, _)| folder)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Zip(usize),
    File(PathBuf),
}

enum Container {
    Zip(zip::ZipArchive<BufReader<File>>),
    Folder,
}

/// An opened zip or folder and its listing.
pub struct Archive {
    container: Container,
    entries: Vec<Entry>,
}

impl fmt::Debug for Archive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Archive")
            .field("kind", &self.kind())
            .field("entries", &self.entries.len())
            .finish()
    }
}

/// True when a file starts like a zip: a local file header, an empty archive's end of central
/// directory, or a spanned archive's marker.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
}

impl Archive {
    /// Opens `path` as a folder or a zip and lists it; `None` when it is a plain file. Errors
    /// name the path: [`SourceError::Io`] when it cannot be read, [`SourceError::Zip`] when it
    /// starts like a zip but is not a readable one.
    pub fn open(path: &Path) -> Result<Option<Archive>, SourceError> {
        let io_err = |source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io_err)?;
        // Opening a named pipe would block until a writer comes, and it can be read only once.
        if let Some(what) = super::not_a_file(&meta) {
            return Err(SourceError::NotAFile {
                path: path.to_path_buf(),
                what,
            });
        }
        if meta.is_dir() {
            return Ok(Some(Archive {
                container: Container::Folder,
                entries: list_folder(path).map_err(io_err)?,
            }));
        }
        let mut file = File::open(path).map_err(io_err)?;
        let mut magic = [0u8; 4];
        let n = read_up_to(&mut file, &mut magic).map_err(io_err)?;
        if !is_zip(&magic[..n]) {
            return Ok(None);
        }
        let zip =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|source| SourceError::Zip {
                path: path.to_path_buf(),
                source,
            })?;
        let mut entries = Vec::with_capacity(zip.len());
        for index in 0..zip.len() {
            let Ok(data) = zip.by_index_data(index) else {
                continue;
            };
            if data.is_dir() {
                continue;
            }
            // A name that does not decode is kept, lossily: it still counts, it matches nothing.
            let name = match data.name() {
                Ok(name) => name.into_owned(),
                Err(_) => String::from_utf8_lossy(data.name_raw()).into_owned(),
            };
            entries.push(Entry {
                name,
                size: data.size(),
                place: Place::Zip(index),
            });
        }
        Ok(Some(Archive {
            container: Container::Zip(zip),
            entries,
        }))
    }

    /// Opens what a reader was given and the entry it reads: in a zip or folder the one `find`
    /// picks (else [`SourceError::UnknownFormat`], "a folder without `what`"); a plain file as
    /// a [`Archive::loose`] archive of itself and the files `beside` it that complete it, the
    /// file itself being the entry. Errors name the path.
    pub fn open_with(
        path: &Path,
        beside: &[&str],
        find: impl FnOnce(&Archive) -> Option<&Entry>,
        what: &str,
    ) -> Result<(Archive, Entry), SourceError> {
        if let Some(archive) = Archive::open(path)? {
            let Some(entry) = find(&archive).cloned() else {
                return Err(SourceError::UnknownFormat {
                    path: path.to_path_buf(),
                    reason: match archive.kind() {
                        ArchiveKind::Zip => format!("a zip archive without {what}"),
                        ArchiveKind::Folder => format!("a folder without {what}"),
                    },
                });
            };
            return Ok((archive, entry));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut names = vec![name.as_str()];
        names.extend_from_slice(beside);
        let archive = Archive::loose(path.parent().unwrap_or(Path::new("")), &names);
        let Some(entry) = archive.entry(&name).cloned() else {
            return Err(SourceError::Io {
                path: path.to_path_buf(),
                source: io::Error::other("not a regular file"),
            });
        };
        Ok((archive, entry))
    }

    /// Some files of a folder, named as given, without listing the folder: a lone data file
    /// and the files beside it that complete it (`manifest.js`, `actor.json`). Names that are
    /// not files there, and names given twice, are left out.
    pub fn loose(folder: &Path, names: &[&str]) -> Archive {
        let mut entries: Vec<Entry> = Vec::with_capacity(names.len());
        for name in names {
            let file = folder.join(name);
            let Some(meta) = std::fs::metadata(&file).ok().filter(|m| m.is_file()) else {
                continue;
            };
            if entries.iter().all(|e| e.name != *name) {
                entries.push(Entry {
                    name: name.to_string(),
                    size: meta.len(),
                    place: Place::File(file),
                });
            }
        }
        Archive {
            container: Container::Folder,
            entries,
        }
    }

    pub fn kind(&self) -> ArchiveKind {
        match self.container {
            Container::Zip(_) => ArchiveKind::Zip,
            Container::Folder => ArchiveKind::Folder,
        }
    }

    /// Every file: in archive order for a zip, breadth first and by name for a folder.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The file with exactly this name.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Opens one entry for reading, at most `limit` bytes: an entry declared larger is refused
    /// here, and reading past the limit fails (see [`EntryError::from`]).
    pub fn open_entry(
        &mut self,
        entry: &Entry,
        limit: u64,
    ) -> Result<Box<dyn Read + '_>, EntryError> {
        if entry.size > limit {
            return Err(EntryError::TooLarge);
        }
        match (&entry.place, &mut self.container) {
            (Place::File(file), _) => Ok(Box::new(open_file(file, limit)?)),
            (Place::Zip(index), Container::Zip(zip)) => {
                let file = zip
                    .by_index(*index)
                    .map_err(|e| EntryError::Io(io::Error::other(e)))?;
                // The header's size can lie; the counter is what really bounds reading.
                Ok(Box::new(Bounded::new(file, limit)))
            }
            (Place::Zip(_), Container::Folder) => Err(EntryError::Io(io::Error::other(
                "a zip entry asked of a folder",
            ))),
        }
    }
}

/// Opens a file for reading, at most `limit` bytes (a file that grows while it is read stops
/// there too).
pub fn open_file(path: &Path, limit: u64) -> Result<impl Read, EntryError> {
    let file = File::open(path).map_err(EntryError::Io)?;
    if file.metadata().map_err(EntryError::Io)?.len() > limit {
        return Err(EntryError::TooLarge);
    }
    Ok(Bounded::new(file, limit))
}

/// Why one entry could not be opened or read to its end.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    /// The entry is larger than the limit it was opened with, by its header or by counting.
    #[error("larger than the entry size limit")]
    TooLarge,
    /// The entry could not be opened or read (a damaged zip entry, an I/O error).
    #[error("read error: {0}")]
    Io(io::Error),
}

impl From<io::Error> for EntryError {
    /// Sorts out an error from an entry's reader, or from anything reading through it
    /// (`serde_json` hands the reader's own error back): one byte past the limit is
    /// [`EntryError::TooLarge`], anything else [`EntryError::Io`].
    fn from(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<LimitHit>()) {
            EntryError::TooLarge
        } else {
            EntryError::Io(e)
        }
    }
}

impl EntryError {
    /// The error of the whole input `path`, naming the entry: a zip entry's size is called
    /// decompressed, since the zip itself can be small.
    pub fn into_source(self, path: &Path, entry: &Entry, limit: u64) -> SourceError {
        match self {
            EntryError::TooLarge => SourceError::TooLarge {
                path: path.to_path_buf(),
                what: match entry.place {
                    Place::Zip(_) => format!("{} (decompressed)", entry.name),
                    Place::File(_) => entry.name.clone(),
                },
                limit,
            },
            EntryError::Io(e) => SourceError::Invalid {
                path: path.to_path_buf(),
                record: entry.name.clone(),
                reason: format!("read error: {e}"),
            },
        }
    }
}

/// Lists the files of a folder breadth first, children by name, without hidden entries,
/// [`FOLDER_DEPTH`] levels down and at most [`MAX_LISTED`] files. Only the top folder must be
/// readable; a subfolder that cannot be read is left out. Links are followed: the depth bound
/// keeps a link loop from trapping the listing.
fn list_folder(root: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    // Folders to list, by their name below the root ("" for the root).
    let mut level = vec![String::new()];
    for depth in 0..FOLDER_DEPTH {
        let mut next = Vec::new();
        for folder in level {
            let dir = if folder.is_empty() {
                root.to_path_buf()
            } else {
                root.join(&folder)
            };
            let items = match std::fs::read_dir(&dir) {
                Ok(items) => items,
                Err(e) if depth == 0 => return Err(e),
                Err(_) => continue,
            };
            let mut children: Vec<(String, PathBuf)> = items
                .flatten()
                .filter_map(|item| {
                    let name = item.file_name().to_str()?.to_string();
                    (!name.starts_with('.')).then(|| (name, item.path()))
                })
                .collect();
            children.sort();
            for (name, path) in children {
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                let name = if folder.is_empty() {
                    name
                } else {
                    format!("{folder}/{name}")
                };
                if meta.is_dir() {
                    next.push(name);
                } else if entries.len() < MAX_LISTED {
                    entries.push(Entry {
                        name,
                        size: meta.len(),
                        place: Place::File(path),
                    });
                } else {
                    return Ok(entries);
                }
            }
        }
        level = next;
    }
    Ok(entries)
}

/// Reads until `buf` is full or the file ends.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Raised (inside an `io::Error`) when an entry reads past its limit.
#[derive(Debug)]
struct LimitHit;

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("size limit reached")
    }
}

impl std::error::Error for LimitHit {}

/// A reader that fails with [`LimitHit`] once more than `limit` bytes come out of it.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Bounded<R> {
    fn new(inner: R, limit: u64) -> Self {
        Bounded { inner, left: limit }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // Exactly at the limit is fine; one byte more is not.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(LimitHit)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn bounded_reader_stops_an_endless_stream() {
        let mut r = BufReader::new(Bounded::new(io::repeat(b' '), 1 << 16));
        let mut sink = Vec::new();
        let err = io::copy(&mut r, &mut sink).unwrap_err();
        assert!(matches!(EntryError::from(err), EntryError::TooLarge));
        assert_eq!(sink.len(), 1 << 16);
        // Exactly the limit is fine.
        let mut r = Bounded::new(io::Cursor::new(vec![1u8; 10]), 10);
        let mut all = Vec::new();
        assert_eq!(r.read_to_end(&mut all).unwrap(), 10);
    }

    fn write(path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_folder_is_listed_breadth_first_bounded_and_without_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(&d.join("z.txt"), b"top");
        write(&d.join("a/data/tweets.js"), b"x");
        write(&d.join("a/data/media/deep.jpg"), b"too deep");
        write(&d.join("b/one.txt"), b"1");
        write(&d.join(".git/config"), b"hidden");
        let archive = Archive::open(d).unwrap().unwrap();
        assert_eq!(archive.kind(), ArchiveKind::Folder);
        let names: Vec<&str> = archive.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["z.txt", "b/one.txt", "a/data/tweets.js"]);
        let e = archive.entry("a/data/tweets.js").unwrap();
        assert_eq!(
            (e.folder(), e.file_name(), e.size),
            ("a/data", "tweets.js", 1)
        );
        // A plain file is no archive.
        assert!(Archive::open(&d.join("z.txt")).unwrap().is_none());
    }

    #[test]
    fn entries_are_refused_by_declared_size_and_stopped_by_counting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        z.add_directory("data/", opts).unwrap();
        z.start_file("data/big.txt", opts).unwrap();
        z.write_all(&[b' '; 5000]).unwrap();
        z.start_file("small.txt", opts).unwrap();
        z.write_all(b"hello").unwrap();
        z.finish().unwrap();

        let mut archive = Archive::open(&path).unwrap().unwrap();
        assert_eq!(archive.kind(), ArchiveKind::Zip);
        // Folders are not entries.
        assert_eq!(archive.entries().len(), 2);
        let big = archive.entry("data/big.txt").unwrap().clone();
        assert!(matches!(
            archive.open_entry(&big, 1000),
            Err(EntryError::TooLarge)
        ));
        let err = EntryError::TooLarge.into_source(&path, &big, 1000);
        assert!(
            err.to_string().contains("data/big.txt (decompressed)"),
            "{err}"
        );
        let small = archive.entry("small.txt").unwrap().clone();
        let mut text = String::new();
        archive
            .open_entry(&small, 1000)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello");

        let loose = Archive::loose(dir.path(), &["a.zip", "missing.json", "a.zip"]);
        assert_eq!(loose.entries().len(), 1);
        assert!(matches!(
            open_file(&path, 10).err(),
            Some(EntryError::TooLarge)
        ));
    }
}
