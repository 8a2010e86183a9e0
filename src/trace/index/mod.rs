//! Pass one of reading a JSONL trace without holding it (`temper --json trace`, see
//! docs/performance.md "Traces"): every line is parsed once, on every core, and a few numbers
//! per span go to sorters that write to temporary files past their budget (`trace::spill`):
//! a keyed hash of its id and of the parent it names, the place of its line and its start.
//! From them `links` joins each span to the first span of the id it names, `roots` finds the
//! root above each span and cuts cycles as `Trace::build` does, and `order` lists every span
//! in the order pass two (`trace::stream`) reads them. Memory holds the sorters' budgets and
//! the exceptions the document lists (orphans, cycles, duplicate ids), not a number per span.

mod links;
mod order;
mod roots;

use super::format::{Format, TraceError};
use super::lines::{self, Parsed};
use super::model::{LoadWarning, Usage};
use super::spill::{Budget, Run, Sorter, record};
use jiff::Timestamp;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufReader};
use std::path::Path;

/// No span (a root's parent).
pub(super) const NONE: u32 = u32::MAX;

/// Bytes of the file parsed per block in pass one.
const BLOCK: usize = 1 << 20;

record! {
    /// A hashed id (a span's own, or the one its parent link names) and the span's index in
    /// the file.
    pub(super) struct Keyed { key: u64, g: u32 }
}

record! {
    /// Where span `g`'s line is, which of the line's spans it is, its hashed id and its start
    /// (`nanos`).
    pub(super) struct Place { g: u32, offset: u64, len: u32, nth: u32, id: u64, start: i128 }
}

record! {
    /// A span as pass two reads it, sorted as it is read: roots by start then file order, each
    /// root's spans in file order. `parent` is the span its link names (NONE for a root or an
    /// orphan; a link that closes a cycle is cut again when the root's tree is built), `orphan`
    /// is 1 when the parent it names is not in the file.
    pub(crate) struct Member {
        start: i128, root: u32, g: u32, offset: u64, len: u32, nth: u32, id: u64, parent: u32,
        orphan: u8,
    }
}

/// What pass one found: the spans in reading order, and what the document lists apart.
pub struct Index {
    pub(super) format: Format,
    pub(super) hasher: RandomState,
    pub(super) members: Run<Member>,
    /// Spans whose parent id is not in the file, in file order.
    pub(super) orphans: Vec<u32>,
    /// Spans whose parent link closed a cycle, with the parent it named, in file order.
    pub(super) cycles: Vec<(u32, u32)>,
    /// (later occurrence, first occurrence) of every repeated id, in file order.
    pub(super) duplicates: Vec<(u32, u32)>,
    /// Bad lines (the first ones described) and how many there were.
    pub(super) warnings: Vec<LoadWarning>,
    pub(super) bad_lines: usize,
    /// Spans, earliest start and latest end.
    pub(super) spans: usize,
    pub(super) start: Option<Timestamp>,
    pub(super) end: Option<Timestamp>,
    /// Size and modification time of the file when pass one began.
    pub(super) stamp: Stamp,
}

/// The identity of the file's content between the passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    /// The stamp of the file at `path` now.
    pub(super) fn of(path: &Path) -> io::Result<Stamp> {
        let meta = std::fs::metadata(path)?;
        Ok(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The price of a model span's tokens (model, usage), called from the threads of pass two.
pub type Price<'a> = &'a (dyn Fn(&str, &Usage) -> Option<f64> + Sync);

/// What pass one keeps of one span, made on the thread that parsed its block.
struct Digested {
    id: u64,
    parent: u64,
    start: i128,
    offset: u64,
    len: u64,
    nth: u32,
}

/// What pass one keeps of one block.
#[derive(Default)]
struct Part {
    spans: Vec<Digested>,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    warnings: Vec<LoadWarning>,
    bad: usize,
}

/// Everything pass one gathers before the tree is built.
struct Gathered {
    ids: Sorter<Keyed>,
    parents: Sorter<Keyed>,
    places: Sorter<Place>,
    spans: u64,
    warnings: Vec<LoadWarning>,
    bad: usize,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    too_big: bool,
    failed: Option<io::Error>,
}

impl Index {
    /// Pass one over `path`, a JSONL trace in `format` (see `load::line_format`), each sorter
    /// holding up to `budget` in memory.
    pub fn build(path: &Path, format: Format, budget: Budget) -> Result<Index, TraceError> {
        let io = |source| TraceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let stamp = Stamp::of(path).map_err(io)?;
        let reader =
            BufReader::with_capacity(1 << 20, crate::fsio::open_regular(path).map_err(io)?);
        let hasher = RandomState::new();
        let mut all = Gathered::new(budget);
        let digest = |parsed: Parsed| digest(parsed, &hasher);
        lines::for_each_block(reader, format, BLOCK, digest, |part| all.add(part)).map_err(io)?;
        // The parsed blocks' pages, scattered over the threads' heaps, are not needed again.
        super::release_freed_memory();
        if all.too_big {
            return Err(io(io::Error::other(
                "a line longer than 4 GiB or more than 4 billion spans; temper cannot index it",
            )));
        }
        if let Some(e) = all.failed.take() {
            return Err(io(e));
        }
        all.into_index(format, hasher, stamp, budget).map_err(io)
    }
}

/// Keyed 64-bit hash of an id; 0 is kept for "no parent".
pub(super) fn hash(hasher: &RandomState, id: &str) -> u64 {
    hasher.hash_one(id).max(1)
}

/// Reduce one parsed block to what the index keeps.
fn digest(parsed: Parsed, hasher: &RandomState) -> Part {
    let mut part = Part {
        warnings: parsed.warnings,
        bad: parsed.bad,
        ..Part::default()
    };
    let mut previous: Option<(u64, u32)> = None;
    for (span, at) in parsed.spans.iter().zip(&parsed.at) {
        // Spans of one line (a Phoenix array) are consecutive.
        let nth = match previous {
            Some((offset, nth)) if offset == at.offset => nth + 1,
            _ => 0,
        };
        previous = Some((at.offset, nth));
        let parent = span.parent.as_deref().filter(|p| !p.is_empty());
        part.spans.push(Digested {
            id: hash(hasher, &span.id),
            parent: parent.map_or(0, |p| hash(hasher, p)),
            start: nanos(span.start),
            offset: at.offset,
            len: at.len,
            nth,
        });
        part.start = earliest(part.start, span.start);
        part.end = part.end.max(span.end);
    }
    part
}

/// A start time as the tree orders it (unknown first).
fn nanos(start: Option<Timestamp>) -> i128 {
    start.map_or(i128::MIN, Timestamp::as_nanosecond)
}

/// The earlier of two optional times (None only when both are).
fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Gathered {
    fn new(budget: Budget) -> Gathered {
        Gathered {
            ids: Sorter::new(budget),
            parents: Sorter::new(budget),
            places: Sorter::new(budget),
            spans: 0,
            warnings: Vec::new(),
            bad: 0,
            start: None,
            end: None,
            too_big: false,
            failed: None,
        }
    }

    /// Append one block's part (the first error is kept for `build`).
    fn add(&mut self, part: Part) {
        if let Err(e) = self.push(part.spans) {
            self.failed.get_or_insert(e);
        }
        self.start = earliest(self.start, part.start);
        self.end = self.end.max(part.end);
        let room = lines::MAX_WARNINGS.saturating_sub(self.warnings.len());
        self.warnings.extend(part.warnings.into_iter().take(room));
        self.bad += part.bad;
    }

    fn push(&mut self, spans: Vec<Digested>) -> io::Result<()> {
        for s in spans {
            // NONE is kept for "no span".
            if self.spans >= u64::from(NONE) {
                self.too_big = true;
                return Ok(());
            }
            let g = self.spans as u32;
            self.too_big |= s.len > u64::from(u32::MAX);
            self.spans += 1;
            self.ids.push(Keyed { key: s.id, g })?;
            if s.parent != 0 {
                self.parents.push(Keyed { key: s.parent, g })?;
            }
            self.places.push(Place {
                g,
                offset: s.offset,
                len: s.len.min(u64::from(u32::MAX)) as u32,
                nth: s.nth,
                id: s.id,
                start: s.start,
            })?;
        }
        Ok(())
    }

    /// Link the spans, cut cycles and order them for pass two.
    fn into_index(
        self,
        format: Format,
        hasher: RandomState,
        stamp: Stamp,
        budget: Budget,
    ) -> io::Result<Index> {
        let mut warnings = self.warnings;
        warnings.extend(super::load::more_bad_lines(self.bad));
        let links = links::link(&self.ids.finish()?, &self.parents.finish()?, budget)?;
        let n = self.spans as u32;
        let roots = roots::roots(n, &links.parents, budget)?;
        let members = order::order(&self.places.finish()?, &links, &roots, budget)?;
        Ok(Index {
            format,
            hasher,
            members,
            orphans: links.orphans,
            cycles: roots.cycles,
            duplicates: links.duplicates,
            warnings,
            bad_lines: self.bad,
            spans: self.spans as usize,
            start: self.start,
            end: self.end,
            stamp,
        })
    }
}

/// An error for a temporary file that does not hold what was written to it.
pub(super) fn corrupt() -> io::Error {
    io::Error::other("a temporary file of the trace's index was changed while it was read")
}

/// The error for a line that no longer holds the span the first pass read there.
pub(super) fn line_changed(path: &Path, offset: u64) -> TraceError {
    TraceError::Changed {
        path: path.to_path_buf(),
        what: format!("the line at byte {offset} no longer holds the same span"),
    }
}
