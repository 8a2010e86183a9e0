//! A loaded trace packed for the TUI, so a trace of 1,000,000 spans fits in well under 150 MB
//! where `Trace` holds every `Span` whole (about 300 bytes a span with its tree). Per span it
//! keeps a small head in columns (tree links as 32-bit indices, the children in one list,
//! kind, status, a few bits the panes list by, start and end as nanoseconds) and everything
//! else as bytes in one arena (see `body`): read in place for a row of a pane, decoded to an
//! owned `Span` by [`PackedTrace::span`] for the one span the detail pane shows. Built once
//! from a `Trace` after the detectors ran ([`PackedTrace::pack`]), with the same walk order,
//! children order, roots and flags (docs/architecture.md, "A trace").

mod body;
mod encode;
mod pack;

pub use body::{DocRef, Documents, ExtraRef, SpanRef, Text, ToolRef};

use super::format::Format;
use super::model::{FlagKind, LoadWarning, Span, SpanKind, Status};
use jiff::Timestamp;

/// No index: a root's parent.
const NONE: u32 = u32::MAX;
/// No time recorded.
const NO_TIME: i64 = i64::MIN;
/// A time outside the nanoseconds an i64 holds (years before 1678 or after 2262): the exact
/// value is in [`PackedTrace::far`].
const FAR_TIME: i64 = i64::MIN + 1;

const KIND_MASK: u8 = 0b111;
const STATUS_SHIFT: u8 = 3;
const FAILED: u8 = 1 << 5;
const HAS_TOOL: u8 = 1 << 6;
const HAS_DOCUMENTS: u8 = 1 << 7;

const KINDS: [SpanKind; 8] = [
    SpanKind::Llm,
    SpanKind::Retriever,
    SpanKind::Reranker,
    SpanKind::Tool,
    SpanKind::Chain,
    SpanKind::Agent,
    SpanKind::Embedding,
    SpanKind::Unknown,
];
const STATUSES: [Status; 3] = [Status::Ok, Status::Error, Status::Unset];

/// A detector finding of a packed trace (its reason shared by every span it flags).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PackedFlag {
    span: u32,
    kind: FlagKind,
    reason: u32,
}

/// A detector finding on one span of a [`PackedTrace`], borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlagRef<'a> {
    /// Index of the span flagged.
    pub span: usize,
    pub kind: FlagKind,
    pub reason: &'a str,
}

/// A trace held as heads and an arena (see the module doc); indices are those of the `Trace`
/// it was packed from.
#[derive(Debug, Clone)]
pub struct PackedTrace {
    pub format: Format,
    /// Bad lines and other problems of the load.
    pub warnings: Vec<LoadWarning>,
    /// Lines that could not be read.
    pub bad_lines: usize,
    /// Where span i's bytes start in `arena` (and end: `at[i + 1]`).
    at: Vec<u64>,
    arena: Vec<u8>,
    /// Kind, status, failed, has a tool call, has documents (see the bit constants).
    meta: Vec<u8>,
    start: Vec<i64>,
    end: Vec<i64>,
    /// Exact times of the spans with a [`FAR_TIME`], sorted by span.
    far: Vec<(u32, Option<Timestamp>, Option<Timestamp>)>,
    parent: Vec<u32>,
    root: Vec<u32>,
    /// Span i's children are `children[children_at[i]..children_at[i + 1]]`.
    children_at: Vec<u32>,
    children: Vec<u32>,
    roots: Vec<u32>,
    /// Sorted by span, in the order `Trace::flags` had them.
    flags: Vec<PackedFlag>,
    reasons: Vec<Box<str>>,
}

fn index(i: u32) -> usize {
    i as usize
}

impl PackedTrace {
    /// How many spans.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// Whether it holds no span.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    fn bytes(&self, i: usize) -> &[u8] {
        let span = |k: usize| self.at.get(k).map_or(0, |&a| a as usize);
        self.arena.get(span(i)..span(i + 1)).unwrap_or_default()
    }

    /// Span `i`'s fields in the arena, read in place (strings checked only when read).
    pub fn span_ref(&self, i: usize) -> SpanRef<'_> {
        SpanRef::read(self.bytes(i))
    }

    /// Span `i` decoded whole, equal to the span packed.
    pub fn span(&self, i: usize) -> Span {
        let head = Span {
            kind: self.kind(i),
            status: self.status(i),
            start: self.start(i),
            end: self.end(i),
            ..Span::default()
        };
        let linked = self.parent(i).map(|p| self.id(p));
        self.span_ref(i).to_span(head, linked)
    }

    /// Span `i`'s id.
    pub fn id(&self, i: usize) -> &str {
        body::Reader::new(self.bytes(i)).text().str()
    }

    /// Span `i`'s name.
    pub fn name(&self, i: usize) -> &str {
        let mut r = body::Reader::new(self.bytes(i));
        r.text();
        r.text().str()
    }

    fn meta(&self, i: usize) -> u8 {
        self.meta.get(i).copied().unwrap_or(KIND_MASK)
    }

    /// What span `i` did.
    pub fn kind(&self, i: usize) -> SpanKind {
        KINDS[usize::from(self.meta(i) & KIND_MASK)]
    }

    /// Span `i`'s status as recorded.
    pub fn status(&self, i: usize) -> Status {
        let s = usize::from((self.meta(i) >> STATUS_SHIFT) & 0b11);
        STATUSES.get(s).copied().unwrap_or_default()
    }

    /// Whether span `i` failed (`Span::failed`).
    pub fn failed(&self, i: usize) -> bool {
        self.meta(i) & FAILED != 0
    }

    /// Whether span `i` is a tool call: it records one, or it is a TOOL span.
    pub fn is_tool(&self, i: usize) -> bool {
        self.meta(i) & HAS_TOOL != 0 || self.kind(i) == SpanKind::Tool
    }

    /// Whether span `i` returned retrieved chunks.
    pub fn has_documents(&self, i: usize) -> bool {
        self.meta(i) & HAS_DOCUMENTS != 0
    }

    /// Span `i`'s retrieved chunks, read in place.
    pub fn documents(&self, i: usize) -> Documents<'_> {
        if !self.has_documents(i) {
            return Documents::default();
        }
        self.span_ref(i).extra().documents
    }

    fn time(&self, i: usize, column: &[i64], end: bool) -> Option<Timestamp> {
        match column.get(i).copied().unwrap_or(NO_TIME) {
            NO_TIME => None,
            FAR_TIME => {
                let k = self.far.binary_search_by_key(&(i as u32), |f| f.0).ok()?;
                self.far.get(k).and_then(|f| if end { f.2 } else { f.1 })
            }
            ns => Timestamp::from_nanosecond(i128::from(ns)).ok(),
        }
    }

    /// When span `i` started.
    pub fn start(&self, i: usize) -> Option<Timestamp> {
        self.time(i, &self.start, false)
    }

    /// When span `i` ended.
    pub fn end(&self, i: usize) -> Option<Timestamp> {
        self.time(i, &self.end, true)
    }

    /// Span `i`'s start and end in nanoseconds, when it has both and they are in order.
    pub fn bounds(&self, i: usize) -> Option<(i128, i128)> {
        let (s, e) = (self.start(i)?.as_nanosecond(), self.end(i)?.as_nanosecond());
        (e >= s).then_some((s, e))
    }

    /// Span `i`'s wall time in milliseconds (`Span::duration_ms`).
    pub fn duration_ms(&self, i: usize) -> Option<f64> {
        self.bounds(i).map(|(s, e)| (e - s) as f64 / 1e6)
    }

    /// Index of span `i`'s parent; None for roots (orphans and cut cycles included).
    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parent
            .get(i)
            .filter(|&&p| p != NONE)
            .map(|&p| index(p))
    }

    /// Span `i`'s children, ordered by start time then index (as `Trace::children`).
    pub fn children(&self, i: usize) -> &[u32] {
        let at = |k: usize| self.children_at.get(k).map_or(0, |&a| index(a));
        self.children.get(at(i)..at(i + 1)).unwrap_or_default()
    }

    /// Spans without a parent, ordered as `Trace::roots`.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// Index of the root above span `i` (`Trace::root_of`).
    pub fn root_of(&self, i: usize) -> usize {
        self.root.get(i).map_or(i, |&r| index(r))
    }

    /// Pre-order walk of the whole tree as (span index, depth), in `Trace::walk`'s order.
    pub fn walk(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::with_capacity(self.len());
        let mut stack: Vec<(u32, u32)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            let kids = self.children(index(i));
            stack.extend(kids.iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }

    /// Index of the first span with this id (`Trace::find`).
    pub fn find(&self, id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.id(i) == id)
    }

    /// The spans for which `keep(index)` holds, decoded, in index order.
    pub fn spans_where(&self, keep: impl Fn(usize) -> bool) -> Vec<Span> {
        (0..self.len())
            .filter(|&i| keep(i))
            .map(|i| self.span(i))
            .collect()
    }

    fn flag(&self, f: &PackedFlag) -> FlagRef<'_> {
        FlagRef {
            span: index(f.span),
            kind: f.kind,
            reason: self.reasons.get(index(f.reason)).map_or("", |r| r),
        }
    }

    /// Every detector finding, sorted by span (`Trace::flags`).
    pub fn flags(&self) -> impl Iterator<Item = FlagRef<'_>> {
        self.flags.iter().map(|f| self.flag(f))
    }

    /// The findings on span `i` (a binary search, as `Trace::flags_of`).
    pub fn flags_of(&self, i: usize) -> impl Iterator<Item = FlagRef<'_>> {
        let from = self.flags.partition_point(|f| index(f.span) < i);
        let to = self.flags.partition_point(|f| index(f.span) <= i);
        self.flags
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .map(|f| self.flag(f))
    }

    /// Whether span `i` carries a finding.
    pub fn flagged(&self, i: usize) -> bool {
        self.flags_of(i).next().is_some()
    }

    /// Bytes held, for the figures in docs/performance.md (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.at.capacity() * 8
            + self.arena.capacity()
            + self.meta.capacity()
            + (self.start.capacity() + self.end.capacity()) * 8
            + self.far.capacity() * size_of::<(u32, Option<Timestamp>, Option<Timestamp>)>()
            + (self.parent.capacity() + self.root.capacity()) * 4
            + (self.children_at.capacity() + self.children.capacity() + self.roots.capacity()) * 4
            + self.flags.capacity() * size_of::<PackedFlag>()
            + self.reasons.iter().map(|r| r.len() + 16).sum::<usize>()
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
