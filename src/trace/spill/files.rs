//! The files of `trace::spill`: sorted runs written to anonymous temporary files and read
//! back any number of times, and a spool of bytes that moves to a file past its budget.

use super::{Budget, Record};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;

/// Sorted records: held in memory, or in a temporary file.
pub(crate) enum Run<T> {
    Held(Vec<T>),
    Written { file: File, count: u64 },
}

impl<T: Record> Run<T> {
    /// Sort `records` and write them to a temporary file.
    pub(super) fn write(mut records: Vec<T>) -> io::Result<Run<T>> {
        records.sort_unstable();
        let mut out = Writer::new()?;
        for r in &records {
            out.push(r)?;
        }
        out.finish()
    }

    /// How many records the run holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        match self {
            Run::Held(v) => v.len() as u64,
            Run::Written { count, .. } => *count,
        }
    }

    /// The records in order, from the first; a run may be read any number of times.
    pub(crate) fn iter(&self) -> io::Result<RunIter<'_, T>> {
        Ok(match self {
            Run::Held(v) => RunIter::Held(v.iter()),
            Run::Written { file, count } => RunIter::Written {
                reader: BufReader::with_capacity(READ_BUFFER, At { file, offset: 0 }),
                left: *count,
                scratch: Vec::new(),
                _record: std::marker::PhantomData,
            },
        })
    }
}

/// Bytes read at once from each written run.
const READ_BUFFER: usize = 16 << 10;

/// Records written one after the other to an anonymous temporary file.
pub(super) struct Writer {
    out: BufWriter<File>,
    count: u64,
    scratch: Vec<u8>,
}

impl Writer {
    pub(super) fn new() -> io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(64 << 10, temp_file("sort the trace's index")?),
            count: 0,
            scratch: Vec::new(),
        })
    }

    /// Each record as its length (u32) then its bytes.
    pub(super) fn push<T: Record>(&mut self, record: &T) -> io::Result<()> {
        self.scratch.clear();
        record.encode(&mut self.scratch);
        let len = u32::try_from(self.scratch.len()).map_err(io::Error::other)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.scratch)?;
        self.count += 1;
        Ok(())
    }

    pub(super) fn finish<T>(self) -> io::Result<Run<T>> {
        let file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        Ok(Run::Written {
            file,
            count: self.count,
        })
    }
}

/// Bytes written in order and read back once: held in memory up to the budget, then in a
/// temporary file.
pub(crate) struct Spool {
    budget: usize,
    held: Vec<u8>,
    pub(super) file: Option<BufWriter<File>>,
    purpose: &'static str,
}

impl Spool {
    /// An empty spool; `purpose` names it in the error when no temporary file can be made.
    pub(crate) fn new(budget: Budget, purpose: &'static str) -> Spool {
        Spool {
            budget: budget.0,
            held: Vec::new(),
            file: None,
            purpose,
        }
    }

    /// True when nothing was written yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.file.is_none() && self.held.is_empty()
    }

    /// Copy everything written to `out`.
    pub(crate) fn copy_to(self, out: &mut impl Write) -> io::Result<()> {
        match self.file {
            None => out.write_all(&self.held),
            Some(file) => {
                let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                let mut from = BufReader::with_capacity(
                    64 << 10,
                    At {
                        file: &file,
                        offset: 0,
                    },
                );
                io::copy(&mut from, out).map(drop)
            }
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.held.len() + buf.len() > self.budget {
            let mut file = BufWriter::with_capacity(64 << 10, temp_file(self.purpose)?);
            file.write_all(&std::mem::take(&mut self.held))?;
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write(buf),
            None => self.held.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// An anonymous temporary file (gone when closed), to `purpose`; the error says where it was
/// tried and how to choose another place.
fn temp_file(purpose: &str) -> io::Result<File> {
    tempfile::tempfile().map_err(|e| {
        let dir = std::env::temp_dir();
        io::Error::new(
            e.kind(),
            format!(
                "cannot create a temporary file in {} to {purpose} ({e}); set TMPDIR to a writable directory",
                dir.display()
            ),
        )
    })
}

/// A file read from an offset of its own, so several readers share one file.
pub(crate) struct At<'a> {
    file: &'a File,
    offset: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// The records of a run, in order.
pub(crate) enum RunIter<'a, T> {
    Held(std::slice::Iter<'a, T>),
    Written {
        reader: BufReader<At<'a>>,
        left: u64,
        scratch: Vec<u8>,
        _record: std::marker::PhantomData<T>,
    },
}

impl<T: Record> Iterator for RunIter<'_, T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        match self {
            RunIter::Held(it) => it.next().cloned().map(Ok),
            RunIter::Written {
                reader,
                left,
                scratch,
                ..
            } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                Some(read_record(reader, scratch))
            }
        }
    }
}

fn read_record<T: Record>(reader: &mut impl Read, scratch: &mut Vec<u8>) -> io::Result<T> {
    let mut len = [0u8; 4];
    reader.read_exact(&mut len)?;
    scratch.resize(u32::from_le_bytes(len) as usize, 0);
    reader.read_exact(scratch)?;
    T::decode(scratch).ok_or_else(|| io::Error::other("a temporary sort file was corrupted"))
}
