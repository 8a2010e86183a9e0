//! Records sorted with bounded memory, for reading a trace whose index would not fit (see
//! docs/performance.md "Traces"): a [`Sorter`] keeps up to its budget of records in memory;
//! past it, each full buffer is sorted and written to an anonymous temporary file, and the
//! sorted files are merged into one when the sorter is finished. The result, a [`Run`], can be
//! read as often as needed. Input that fits the budget never touches the disk.

mod files;

pub(crate) use files::{Run, RunIter, Spool};

use files::Writer;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;

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

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
