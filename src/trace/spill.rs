//! Records sorted with bounded memory, for reading a trace whose index would not fit (see
//! docs/performance.md "Traces"): a [`Sorter`] keeps up to its budget of records in memory;
//! past it, each full buffer is sorted and written to an anonymous temporary file, and the
//! sorted files are merged into one when the sorter is finished. The result, a [`Run`], can be
//! read as often as needed. Input that fits the budget never touches the disk.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;

/// Bytes of records one sorter holds in memory before it writes them out.
#[derive(Debug, Clone, Copy)]
pub struct Budget(pub usize);

impl Default for Budget {
    /// 1 MiB: the few sorters alive at once hold less than pass one's parsed blocks, and a
    /// file of a million spans sorts through a few dozen temporary files.
    fn default() -> Budget {
        Budget(1 << 20)
    }
}

/// A value sorted by its `Ord` and written to temporary files as bytes.
pub(crate) trait Record: Ord + Clone + Sized {
    /// Append the record's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// The record `encode` wrote into `bytes`; None when they are not one.
    fn decode(bytes: &[u8]) -> Option<Self>;

    /// How many bytes `encode` writes (counted against the budget).
    fn encoded_len(&self) -> usize {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.len()
    }
}

/// A record struct of fixed-width numbers, sorted by its fields in the order declared.
macro_rules! record {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        $vis struct $name { $($(#[$fmeta])* pub $field: $ty),* }

        impl $crate::trace::spill::Record for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $(out.extend_from_slice(&self.$field.to_le_bytes());)*
            }

            fn encoded_len(&self) -> usize {
                0 $(+ std::mem::size_of::<$ty>())*
            }

            fn decode(mut bytes: &[u8]) -> Option<Self> {
                $(let $field = {
                    let (head, rest) = bytes.split_first_chunk()?;
                    bytes = rest;
                    <$ty>::from_le_bytes(*head)
                };)*
                bytes.is_empty().then_some($name { $($field),* })
            }
        }
    };
}
pub(crate) use record;

/// Records gathered in any order, given back sorted.
pub(crate) struct Sorter<T> {
    budget: usize,
    held: Vec<T>,
    /// Approximate bytes of `held`.
    bytes: usize,
    /// Sorted runs written so far, with how many merges made each.
    runs: Vec<(u32, Run<T>)>,
}

impl<T: Record> Sorter<T> {
    pub(crate) fn new(budget: Budget) -> Sorter<T> {
        Sorter {
            budget: budget.0.max(1),
            held: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
        }
    }

    /// Add a record; writes the buffer out when it reaches the budget.
    pub(crate) fn push(&mut self, record: T) -> io::Result<()> {
        self.bytes += record.encoded_len() + std::mem::size_of::<T>();
        self.held.push(record);
        if self.bytes >= self.budget {
            let run = Run::write(std::mem::take(&mut self.held))?;
            self.runs.push((0, run));
            self.bytes = 0;
            self.merge_full_levels()?;
        }
        Ok(())
    }

    /// Merge the last `FAN` runs while they are of one level (each merged `level` times), so
    /// the runs open at once stay few and each record is rewritten about log_FAN(runs) times.
    fn merge_full_levels(&mut self) -> io::Result<()> {
        while self.runs.len() >= FAN {
            let tail = &self.runs[self.runs.len() - FAN..];
            let level = tail[0].0;
            if tail.iter().any(|r| r.0 != level) {
                break;
            }
            let full = self.runs.split_off(self.runs.len() - FAN);
            let merged = merge(full.into_iter().map(|r| r.1).collect())?;
            self.runs.push((level + 1, merged));
        }
        Ok(())
    }

    /// Every record pushed, sorted.
    pub(crate) fn finish(mut self) -> io::Result<Run<T>> {
        if self.runs.is_empty() {
            self.held.sort_unstable();
            return Ok(Run::Held(self.held));
        }
        let mut runs: Vec<Run<T>> = self.runs.into_iter().map(|r| r.1).collect();
        if !self.held.is_empty() {
            runs.push(Run::write(self.held)?);
        }
        merge(runs)
    }
}

/// Runs of one level merged at once.
const FAN: usize = 16;

/// The records of sorted `runs` merged into one written run.
fn merge<T: Record>(runs: Vec<Run<T>>) -> io::Result<Run<T>> {
    let mut merged = Writer::new()?;
    let mut heap = BinaryHeap::new();
    let mut readers = Vec::with_capacity(runs.len());
    for (k, run) in runs.iter().enumerate() {
        let mut reader = run.iter()?;
        if let Some(first) = reader.next().transpose()? {
            heap.push(Reverse((first, k)));
        }
        readers.push(reader);
    }
    while let Some(Reverse((record, k))) = heap.pop() {
        merged.push(&record)?;
        if let Some(next) = readers[k].next().transpose()? {
            heap.push(Reverse((next, k)));
        }
    }
    merged.finish()
}

/// Sorted records: held in memory, or in a temporary file.
pub(crate) enum Run<T> {
    Held(Vec<T>),
    Written { file: File, count: u64 },
}

impl<T: Record> Run<T> {
    /// Sort `records` and write them to a temporary file.
    fn write(mut records: Vec<T>) -> io::Result<Run<T>> {
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

/// A run read in order with its next record in view, for merging sorted runs by key.
pub(crate) struct Cursor<'a, T> {
    rest: RunIter<'a, T>,
    head: Option<T>,
}

impl<'a, T: Record> Cursor<'a, T> {
    pub(crate) fn new(run: &'a Run<T>) -> io::Result<Cursor<'a, T>> {
        let mut rest = run.iter()?;
        let head = rest.next().transpose()?;
        Ok(Cursor { rest, head })
    }

    /// The next record, not taken.
    pub(crate) fn head(&self) -> Option<&T> {
        self.head.as_ref()
    }

    /// Take the next record (None at the end), reading the one after it.
    pub(crate) fn take(&mut self) -> io::Result<Option<T>> {
        let next = self.rest.next().transpose()?;
        Ok(std::mem::replace(&mut self.head, next))
    }

    /// Take the next record when `wanted` holds for it.
    pub(crate) fn take_if(&mut self, wanted: impl FnOnce(&T) -> bool) -> io::Result<Option<T>> {
        if self.head.as_ref().is_some_and(wanted) {
            self.take()
        } else {
            Ok(None)
        }
    }

    /// Skip the records for which `before` holds (they sort before what is sought).
    pub(crate) fn skip_while(&mut self, before: impl Fn(&T) -> bool) -> io::Result<()> {
        while self.head.as_ref().is_some_and(&before) {
            self.take()?;
        }
        Ok(())
    }
}

/// Bytes read at once from each written run.
const READ_BUFFER: usize = 16 << 10;

/// Records written one after the other to an anonymous temporary file.
struct Writer {
    out: BufWriter<File>,
    count: u64,
    scratch: Vec<u8>,
}

impl Writer {
    fn new() -> io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(64 << 10, temp_file("sort the trace's index")?),
            count: 0,
            scratch: Vec::new(),
        })
    }

    /// Each record as its length (u32) then its bytes.
    fn push<T: Record>(&mut self, record: &T) -> io::Result<()> {
        self.scratch.clear();
        record.encode(&mut self.scratch);
        let len = u32::try_from(self.scratch.len()).map_err(io::Error::other)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.scratch)?;
        self.count += 1;
        Ok(())
    }

    fn finish<T>(self) -> io::Result<Run<T>> {
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
    file: Option<BufWriter<File>>,
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

#[cfg(test)]
#[path = "spill_tests.rs"]
mod tests;
