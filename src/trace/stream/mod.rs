//! A JSONL trace read one root at a time instead of loaded whole, so memory does not grow with
//! the file (see docs/performance.md "Traces"): pass one builds an `Index` whose numbers per
//! span live in sorters that spill to temporary files; pass two re-reads each root's lines by
//! offset, in root order (in batches of roots that threads can read at once), and gives them
//! as a `Trace` of their own with the same tree, flags and order as in the trace `load`
//! builds, so detectors and writers run on it unchanged; `totals` counts the document's head
//! from them. Every span re-read is checked against pass one: the same id (else the file
//! changed) and, for a linked span, a parent whose real id is the one named (else two ids
//! shared a hash).

mod totals;

pub use totals::{RootFacts, Summary, Tally};

use super::format::{Format, TraceError};
use super::index::{Index, Member, NONE, Stamp};
use super::model::{LoadWarning, Span};
use super::reread::Reader;
use super::spill::{Budget, Cursor};
use super::tree::{Trace, duplicate_warning};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A root whose lines span at most this many bytes is read with one call.
const SPREAD: u64 = 4 << 20;

/// A trace file being read root by root, after pass one. Shared by the threads of pass two.
pub struct Stream {
    index: Index,
    path: PathBuf,
    /// Spans whose real id the tail needs (orphans, cycles, duplicates and their first
    /// occurrences), sorted.
    wanted: Vec<u32>,
    budget: Budget,
}

/// The real ids of the spans the tail needs, as a batch read them.
#[derive(Default)]
pub struct Seen(HashMap<u32, String>);

impl Seen {
    /// Add the ids another batch read.
    pub fn extend(&mut self, other: Seen) {
        self.0.extend(other.0);
    }
}

/// Spans per batch of roots in pass two (a root is never split).
const BATCH: usize = 2048;

/// Roots read together by one thread of pass two, in order.
pub struct Batch(Vec<Vec<Member>>);

/// The roots of a stream in batches, in the order of `Trace::roots`.
pub struct Batches<'a> {
    members: Cursor<'a, Member>,
    stream: &'a Stream,
}

impl Iterator for Batches<'_> {
    type Item = Result<Batch, TraceError>;

    fn next(&mut self) -> Option<Result<Batch, TraceError>> {
        let mut roots = Vec::new();
        let mut spans = 0;
        while spans < BATCH
            && let Some(root) = self.members.head().map(|m| m.root)
        {
            let mut members = Vec::new();
            loop {
                match self.members.take_if(|m| m.root == root) {
                    Ok(Some(m)) => members.push(m),
                    Ok(None) => break,
                    Err(e) => return Some(Err(self.stream.io(e))),
                }
            }
            spans += members.len();
            roots.push(members);
        }
        (!roots.is_empty()).then_some(Ok(Batch(roots)))
    }
}

/// One root's spans as a trace of their own.
pub struct Root {
    /// The spans in file order, their tree, and the orphan or cycle flag of the root.
    pub trace: Trace,
    /// `spans[i]`: the index in the whole file of `trace.spans[i]` (for `Flag::span`).
    pub spans: Vec<usize>,
}

/// What the document says after the spans, known once every root was read.
pub struct Tail {
    /// Bad lines (the first ones), how many more there were, and duplicate ids, as `load`
    /// lists them.
    pub warnings: Vec<LoadWarning>,
    pub bad_lines: usize,
    /// Ids of the orphans and of the spans whose link was cut, in file order.
    pub orphans: Vec<String>,
    pub cycles: Vec<String>,
}

impl Stream {
    /// Pass one over `path` when `load` would read it line by line as temper JSONL or
    /// OpenInference (one span per line); None for any other file, which `load` reads whole.
    pub fn open(path: &Path, format: Option<Format>) -> Result<Option<Stream>, TraceError> {
        Stream::open_within(path, format, Budget::default())
    }

    /// `open` with each sorter of pass one holding up to `budget` in memory.
    pub fn open_within(
        path: &Path,
        format: Option<Format>,
        budget: Budget,
    ) -> Result<Option<Stream>, TraceError> {
        let Some(format) = super::load::line_format(path, format)? else {
            return Ok(None);
        };
        if !matches!(format, Format::TemperJsonl | Format::OpenInference) {
            return Ok(None);
        }
        let index = Index::build(path, format, budget)?;
        let mut wanted: Vec<u32> = index.orphans.clone();
        wanted.extend(index.cycles.iter().map(|c| c.0));
        wanted.extend(index.duplicates.iter().flat_map(|d| [d.0, d.1]));
        wanted.sort_unstable();
        wanted.dedup();
        let stream = Stream {
            index,
            path: path.to_path_buf(),
            wanted,
            budget,
        };
        stream.unchanged()?;
        Ok(Some(stream))
    }

    /// The format the file was read as.
    pub fn format(&self) -> Format {
        self.index.format
    }

    /// What each sorter of the stream may hold in memory, for those of pass two.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// The roots in the order of `Trace::roots`, cut into batches of a few thousand spans.
    pub fn batches(&self) -> Result<Batches<'_>, TraceError> {
        let members = Cursor::new(&self.index.members).map_err(|e| self.io(e))?;
        Ok(Batches {
            members,
            stream: self,
        })
    }

    /// Read the roots of `batch` in order, handing each to `each`; the ids the tail needs.
    pub fn read(&self, batch: Batch, mut each: impl FnMut(Root)) -> Result<Seen, TraceError> {
        let mut reader = Reader::open(&self.path).map_err(|e| self.io(e))?;
        let mut seen = Seen::default();
        for members in &batch.0 {
            each(self.read_root(&mut reader, members, &mut seen)?);
        }
        Ok(seen)
    }

    /// The totals of the head, once `totals` holds every root's facts.
    pub fn summary(&self, totals: Tally) -> Result<Summary, TraceError> {
        let index = &self.index;
        totals
            .finish(index.spans, index.start, index.end)
            .map_err(|e| self.io(e))
    }

    fn io(&self, source: std::io::Error) -> TraceError {
        TraceError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Bad lines, duplicate ids, orphans and cycles, once every batch was read (`seen`: the
    /// ids they saw); fails when the file changed during pass two or two different ids shared
    /// a hash.
    pub fn finish(self, seen: Seen) -> Result<Tail, TraceError> {
        self.unchanged()?;
        let id = |g: u32| seen.0.get(&g).map_or("", String::as_str);
        let mut warnings = self.index.warnings.clone();
        for &(later, first) in &self.index.duplicates {
            let (a, b) = (id(first), id(later));
            if a != b {
                return Err(self.clash(a, b));
            }
            warnings.push(duplicate_warning(b));
        }
        let ids = |list: &mut dyn Iterator<Item = u32>| list.map(|g| id(g).to_string()).collect();
        Ok(Tail {
            warnings,
            bad_lines: self.index.bad_lines,
            orphans: ids(&mut self.index.orphans.iter().copied()),
            cycles: ids(&mut self.index.cycles.iter().map(|c| c.0)),
        })
    }

    fn read_root(
        &self,
        reader: &mut Reader,
        members: &[Member],
        seen: &mut Seen,
    ) -> Result<Root, TraceError> {
        let from = members.iter().map(|m| m.offset).min().unwrap_or(0);
        let to = members.iter().map(|m| m.offset + u64::from(m.len));
        let to = to.max().unwrap_or(0);
        // The root's lines in one read when they lie close together.
        if to - from <= SPREAD {
            reader.load(from, to).map_err(|_| self.changed(from))?;
        }
        let mut spans = Vec::with_capacity(members.len());
        for m in members {
            let span = self.span(reader, m)?;
            if self.wanted.binary_search(&m.g).is_ok() {
                seen.0.insert(m.g, span.id.to_string());
            }
            spans.push(span);
        }
        let local = |g: u32| members.binary_search_by_key(&g, |m| m.g).ok();
        let mut parent = Vec::with_capacity(members.len());
        let mut orphans = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let p = (m.parent != NONE).then_some(m.parent).and_then(local);
            if let Some(p) = p
                && spans[i].parent.as_deref() != Some(spans[p].id.as_str())
            {
                return Err(self.clash(&spans[p].id, spans[i].parent.as_deref().unwrap_or("")));
            }
            if m.orphan == 1 {
                orphans.push(i);
            }
            parent.push(p);
        }
        let trace = Trace::from_links(self.index.format, spans, parent, orphans, Vec::new());
        Ok(Root {
            trace,
            spans: members.iter().map(|m| m.g as usize).collect(),
        })
    }

    /// The span of `m` re-read from its line, checked to have the id pass one saw.
    fn span(&self, reader: &mut Reader, m: &Member) -> Result<Span, TraceError> {
        let index = &self.index;
        reader
            .span(m.offset, m.len, m.nth, index.format)
            .filter(|span| super::index::hash(&index.hasher, &span.id) == m.id)
            .ok_or_else(|| self.changed(m.offset))
    }

    fn unchanged(&self) -> Result<(), TraceError> {
        match Stamp::of(&self.path) {
            Ok(now) if now == self.index.stamp => Ok(()),
            _ => Err(TraceError::Changed {
                path: self.path.clone(),
                what: "its size or modification time differ between the passes".into(),
            }),
        }
    }

    fn changed(&self, offset: u64) -> TraceError {
        super::index::line_changed(&self.path, offset)
    }

    fn clash(&self, first: &str, second: &str) -> TraceError {
        TraceError::HashClash {
            path: self.path.clone(),
            first: first.to_string(),
            second: second.to_string(),
        }
    }
}
