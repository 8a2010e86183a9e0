//! A JSONL trace read one root at a time instead of loaded whole, so memory does not grow with
//! the file (see docs/architecture.md "Traces read in two passes"): pass one builds an `Index`;
//! pass two re-reads each root's lines by offset, in root order, and gives them as a `Trace` of
//! their own with the same tree, flags and order as in the trace `load` builds, so detectors
//! and writers run on it unchanged. Every span re-read is checked against pass one: the same
//! id (else the file changed) and, for a linked span, a parent whose real id is the one named
//! (else two ids shared a hash).

use super::format::{Format, TraceError};
use super::index::{Index, NONE, Price, Stamp, Summary};
use super::model::{LoadWarning, Span};
use super::tree::{Trace, duplicate_warning};
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bytes read at a time in pass two (more when a line is longer).
const WINDOW: usize = 1 << 20;

/// A trace file being read root by root.
pub struct Stream {
    index: Index,
    path: PathBuf,
    window: Window,
    /// The next root to read.
    next: usize,
    /// Spans whose real id the tail needs (orphans, cycles, duplicates and their first
    /// occurrences), sorted, and their ids once read.
    wanted: Vec<u32>,
    ids: HashMap<u32, String>,
    /// The last line parsed and its spans not yet taken (a line may hold several).
    line: Option<(u64, Vec<Option<Span>>)>,
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
    pub warnings: Vec<LoadWarning>,
    pub bad_lines: usize,
    /// Ids of the orphans and of the spans whose link was cut, in file order.
    pub orphans: Vec<String>,
    pub cycles: Vec<String>,
}

impl Stream {
    /// Pass one over `path` when `load` would read it line by line as temper JSONL or
    /// OpenInference (one span per line); None for any other file, which `load` reads whole.
    pub fn open(
        path: &Path,
        format: Option<Format>,
        price: Price,
    ) -> Result<Option<Stream>, TraceError> {
        let Some(format) = super::load::line_format(path, format)? else {
            return Ok(None);
        };
        if !matches!(format, Format::TemperJsonl | Format::OpenInference) {
            return Ok(None);
        }
        let index = Index::build(path, format, price)?;
        let io = |source| TraceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let window = Window::new(crate::fsio::open_regular(path).map_err(io)?);
        let mut wanted: Vec<u32> = index.orphans.clone();
        wanted.extend(index.cycles.iter().map(|c| c.0));
        wanted.extend(index.duplicates.iter().flat_map(|d| [d.0, d.1]));
        wanted.sort_unstable();
        wanted.dedup();
        let stream = Stream {
            index,
            path: path.to_path_buf(),
            window,
            next: 0,
            wanted,
            ids: HashMap::new(),
            line: None,
        };
        stream.unchanged()?;
        Ok(Some(stream))
    }

    /// The format the file was read as.
    pub fn format(&self) -> Format {
        self.index.format
    }

    /// The whole trace's totals, from pass one.
    pub fn summary(&self) -> &Summary {
        &self.index.summary
    }

    /// The next root's spans, in the order of `Trace::roots`; None after the last.
    pub fn next_root(&mut self) -> Option<Result<Root, TraceError>> {
        let k = self.next;
        let range = self.index.first.get(k..k + 2)?;
        let members = self.index.members[range[0] as usize..range[1] as usize].to_vec();
        self.next += 1;
        Some(self.read_root(&members))
    }

    /// Bad lines, duplicate ids, orphans and cycles, once every root was read; fails when the
    /// file changed during pass two or two different ids shared a hash.
    pub fn finish(mut self) -> Result<Tail, TraceError> {
        while let Some(root) = self.next_root() {
            root?;
        }
        self.unchanged()?;
        let mut warnings = std::mem::take(&mut self.index.warnings);
        for &(later, first) in &self.index.duplicates {
            let (a, b) = (self.id(first), self.id(later));
            if a != b {
                return Err(self.clash(a, b));
            }
            warnings.push(duplicate_warning(b));
        }
        let ids = |list: Vec<u32>| list.into_iter().map(|i| self.id(i).to_string()).collect();
        Ok(Tail {
            warnings,
            bad_lines: self.index.bad_lines,
            orphans: ids(self.index.orphans.clone()),
            cycles: ids(self.index.cycles.iter().map(|c| c.0).collect()),
        })
    }

    fn read_root(&mut self, members: &[u32]) -> Result<Root, TraceError> {
        let mut spans = Vec::with_capacity(members.len());
        for &g in members {
            let span = self.span(g)?;
            if self.wanted.binary_search(&g).is_ok() {
                self.ids.insert(g, span.id.clone());
            }
            spans.push(span);
        }
        let local = |g: u32| members.binary_search(&g).ok();
        let mut parent = Vec::with_capacity(members.len());
        let mut orphans = Vec::new();
        for (i, &g) in members.iter().enumerate() {
            let linked = match self.index.parent[g as usize] {
                NONE => self.cut_link(g),
                p => Some(p),
            };
            let p = linked.and_then(local);
            if let Some(p) = p
                && spans[i].parent.as_deref() != Some(spans[p].id.as_str())
            {
                return Err(self.clash(&spans[p].id, spans[i].parent.as_deref().unwrap_or("")));
            }
            if linked.is_none() && self.index.orphans.binary_search(&g).is_ok() {
                orphans.push(i);
            }
            parent.push(p);
        }
        let trace = Trace::from_links(self.index.format, spans, parent, orphans, Vec::new());
        Ok(Root {
            trace,
            spans: members.iter().map(|&g| g as usize).collect(),
        })
    }

    /// The parent a cut link named (the cycle is cut again, at the same link, when the root's
    /// trace is built).
    fn cut_link(&self, g: u32) -> Option<u32> {
        let cycles = &self.index.cycles;
        let k = cycles.binary_search_by_key(&g, |c| c.0).ok()?;
        Some(cycles[k].1)
    }

    /// Span `g` re-read from its line, checked to have the id pass one saw.
    fn span(&mut self, g: u32) -> Result<Span, TraceError> {
        let i = g as usize;
        let offset = self.index.offsets[i];
        // Spans of one line are consecutive: this is the n-th of its line.
        let nth = self.index.offsets[..i]
            .iter()
            .rev()
            .take_while(|&&o| o == offset)
            .count();
        if self.line.as_ref().is_none_or(|l| l.0 != offset) {
            let mut spans = Vec::new();
            match self.window.bytes(offset, self.index.lens[i] as usize) {
                // A line that held a bad span after good ones fails again the same way.
                Ok(bytes) => {
                    let _ = super::lines::parse_line(bytes, self.index.format, &mut spans);
                }
                Err(_) => return Err(self.changed(offset)),
            }
            self.line = Some((offset, spans.into_iter().map(Some).collect()));
        }
        let span = self
            .line
            .as_mut()
            .and_then(|l| l.1.get_mut(nth))
            .and_then(Option::take)
            .ok_or_else(|| self.changed(offset))?;
        let hash = super::index::hash(&self.index.hasher, &span.id);
        if hash != self.index.ids[i] {
            return Err(self.changed(offset));
        }
        Ok(span)
    }

    fn id(&self, g: u32) -> &str {
        self.ids.get(&g).map_or("", String::as_str)
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
        TraceError::Changed {
            path: self.path.clone(),
            what: format!("the line at byte {offset} no longer holds the same span"),
        }
    }

    fn clash(&self, first: &str, second: &str) -> TraceError {
        TraceError::HashClash {
            path: self.path.clone(),
            first: first.to_string(),
            second: second.to_string(),
        }
    }
}

/// Reads of a file at any offset through one buffer: a root's lines usually follow each other,
/// so most are already in it.
struct Window {
    file: File,
    start: u64,
    buf: Vec<u8>,
}

impl Window {
    fn new(file: File) -> Window {
        Window {
            file,
            start: 0,
            buf: Vec::new(),
        }
    }

    /// The `len` bytes at `offset`; an error when the file ends before them.
    fn bytes(&mut self, offset: u64, len: usize) -> std::io::Result<&[u8]> {
        let inside =
            offset >= self.start && offset + len as u64 <= self.start + self.buf.len() as u64;
        if !inside {
            self.buf.resize(len.max(WINDOW), 0);
            let mut got = 0;
            while got < self.buf.len() {
                match self
                    .file
                    .read_at(&mut self.buf[got..], offset + got as u64)?
                {
                    0 => break,
                    n => got += n,
                }
            }
            if got < len {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.truncate(got);
            self.start = offset;
        }
        let from = (offset - self.start) as usize;
        Ok(&self.buf[from..from + len])
    }
}
