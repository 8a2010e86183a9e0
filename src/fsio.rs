//! Reading and writing the files a user points temper at, safely: only regular files are read
//! (a FIFO would hang, `/dev/zero` would eat memory), files read whole are capped at a documented
//! size, a UTF-8 byte order mark is dropped, and output files are replaced atomically, never
//! over a SQLite database (see docs/hardening.md).
//!
//! Errors are `std::io::Error`s with a message that says what and how to fix, so every reader
//! keeps its own error type (`cannot read config F: …`).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// The most temper reads whole from a config, prompt, session, schema or price file: 16 MiB.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The most temper reads whole from a trace that is one JSON document (OTLP, Langfuse): 1 GiB.
/// JSONL traces are read line by line and have no overall cap.
pub const MAX_TRACE_BYTES: u64 = 1 << 30;

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: &str = "\u{feff}";

/// Open `path` for reading, refusing anything but a regular file (directory, FIFO, socket,
/// device) before a read could block or never end.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(not_regular(kind));
    }
    let file = File::open(path)?;
    // The path may have been swapped between the two calls: check what was opened.
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(not_regular(kind));
    }
    Ok(file)
}

fn not_regular(kind: std::fs::FileType) -> io::Error {
    use std::os::unix::fs::FileTypeExt;
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{what}; temper reads only regular files: save the content to a file first"),
    )
}

/// The bytes of a regular file of at most `cap` bytes.
pub fn read_bytes(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "larger than {} MiB, the most temper reads from such a file",
                cap >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// A UTF-8 text file of at most [`MAX_FILE_BYTES`], without a leading byte order mark.
pub fn read_text(path: &Path) -> io::Result<String> {
    let bytes = read_bytes(path, MAX_FILE_BYTES)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))?;
    Ok(strip_bom(&text).to_string())
}

/// `bytes` without a leading UTF-8 byte order mark (for readers that work on bytes).
pub fn strip_bom_bytes(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes)
}

/// `text` without a leading UTF-8 byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} is the open database (or one of its files); pick another output file")]
    IsDatabase { path: String },
    #[error("{path} is a SQLite database; temper never overwrites one: pick another output file")]
    IsSqlite { path: String },
    #[error(
        "{path} exists and does not look like a {what}; pass --force to overwrite it, or pick another file"
    )]
    NotOurs { path: String, what: &'static str },
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: io::Error },
}

/// Check that `path` may be (over)written with a file of kind `what`, before any work is done:
/// never the open database `db` or its `-wal`/`-shm`/`-journal`, never any SQLite file or
/// special file, and an existing file that `looks_ours` rejects only with `force`.
pub fn check_output(
    path: &Path,
    db: &Path,
    force: bool,
    what: &'static str,
    looks_ours: impl Fn(&[u8]) -> bool,
) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(()); // absent (or unreadable: the write says why)
    };
    let db_files = ["", "-wal", "-shm", "-journal"].map(|s| {
        let mut p = db.as_os_str().to_owned();
        p.push(s);
        std::path::PathBuf::from(p)
    });
    if db_files.iter().any(|f| same_file(f, path)) {
        return Err(WriteError::IsDatabase { path: shown });
    }
    if !meta.is_file() {
        return Err(WriteError::Io {
            path: shown,
            source: not_regular(meta.file_type()),
        });
    }
    let mut head = Vec::new();
    let read = File::open(path).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
    read.map_err(|source| WriteError::Io {
        path: shown.clone(),
        source,
    })?;
    if head.starts_with(b"SQLite format 3\0") {
        return Err(WriteError::IsSqlite { path: shown });
    }
    if !force && !head.is_empty() && !looks_ours(&head) {
        return Err(WriteError::NotOurs { path: shown, what });
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Write `path` atomically: `write` fills a temp file in the same directory, which then replaces
/// `path` in one rename, so a failure or a kill leaves the old file whole.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut out = io::BufWriter::new(tmp);
    write(&mut out).map_err(io)?;
    let tmp = out.into_inner().map_err(|e| io(e.into_error()))?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Whether the start of a file looks like a trace temper writes or reads: JSON (one document,
/// or JSONL whose first line is an object), after an optional byte order mark.
pub fn looks_like_trace(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = strip_bom(text.trim_start());
    text.starts_with('{') || text.starts_with('[')
}

#[cfg(test)]
#[path = "fsio_tests.rs"]
mod tests;
