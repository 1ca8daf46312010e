//! Standard input as an input (`scan -`): copied once into a private temporary file, which the
//! usual detection and readers then open like any other.
//!
//! Detection looks at an input before its reader reads it, and every reader takes a path it
//! may open more than once (a zip is read by seeking): a pipe allows neither. Copying to a file
//! costs one write of the data, bounded by [`Limits::max_entry_bytes`], and keeps a single
//! code path for every format. The copy is deleted when the [`Spooled`] is dropped.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{Limits, SourceError};

/// Standard input, copied to a file in a folder only this user can read.
#[derive(Debug)]
pub struct Spooled {
    dir: PathBuf,
    file: PathBuf,
}

impl Spooled {
    /// Reads standard input to its end into a new temporary file.
    pub fn read(limits: &Limits) -> Result<Spooled, SourceError> {
        Spooled::copy(std::io::stdin().lock(), limits)
    }

    /// Copies `input` to its end into a new temporary file (what [`Spooled::read`] does with
    /// standard input).
    pub fn copy(input: impl Read, limits: &Limits) -> Result<Spooled, SourceError> {
        let stdin_path = || PathBuf::from("-");
        let dir = private_dir().map_err(|source| SourceError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        // From here on the folder is removed on every path out, by `Drop`.
        let spooled = Spooled {
            file: dir.join("stdin"),
            dir,
        };
        let io = |source| SourceError::Io {
            path: stdin_path(),
            source,
        };
        let mut out = std::fs::File::create(&spooled.file).map_err(io)?;
        let copied = std::io::copy(&mut input.take(limits.max_entry_bytes + 1), &mut out)
            .and_then(|n| out.flush().map(|()| n))
            .map_err(io)?;
        if copied > limits.max_entry_bytes {
            return Err(SourceError::TooLarge {
                path: stdin_path(),
                what: "standard input".into(),
                limit: limits.max_entry_bytes,
            });
        }
        Ok(spooled)
    }

    /// The file holding the copy.
    pub fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        // Best effort: a copy left behind in the temporary folder is not worth failing over.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new folder under the system's temporary folder, readable by this user only.
fn private_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last = None;
    for attempt in 0..16u32 {
        let dir = base.join(format!(
            "echoscope-stdin-{}-{nanos:x}-{attempt}",
            std::process::id()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary folder name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_readable_and_removed_when_dropped() {
        let spooled = Spooled::copy(&b"hello"[..], &Limits::default()).unwrap();
        let path = spooled.path().to_path_buf();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        drop(spooled);
        assert!(!path.exists());
    }

    #[test]
    fn more_than_the_entry_limit_is_refused() {
        let limits = Limits {
            max_entry_bytes: 4,
            ..Limits::default()
        };
        let err = Spooled::copy(&b"hello"[..], &limits).unwrap_err();
        assert!(matches!(err, SourceError::TooLarge { .. }), "{err}");
    }
}
