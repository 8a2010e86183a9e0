//! A trace file as the Trace view lists it: the span walk, the chunks and the tool calls, cut
//! into traces (one per root: a llama-index file holds an indexing and a query trace) with
//! each trace's answer, computed once when the file loads. It reads the packed trace's heads
//! only (and each trace's answer from the arena): no span is decoded.

use crate::trace::{PackedTrace, SpanKind};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// One trace of the file (a root and everything under it): its slices of the walk, chunks and
/// tool calls, and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceInfo {
    /// Index of the root span.
    pub root: usize,
    /// Its rows in [`Loaded::walk`].
    pub walk: Range<usize>,
    /// Its entries in [`Loaded::chunks`].
    pub chunks: Range<usize>,
    /// Its entries in [`Loaded::tools`].
    pub tools: Range<usize>,
    /// Its root's output, else its last LLM call's (see [`answer_of`]).
    pub answer: String,
    /// Whether it holds an LLM call (the view opens on the first trace that does).
    pub has_llm: bool,
    /// Distinct problems within it (see [`Loaded::problems`]), counted once at load: the tree's
    /// title shows it in every frame.
    pub problems: usize,
}

/// A loaded trace file with what the panes list, computed once (off the UI thread for a live
/// feed: see `tui::live`).
#[derive(Debug)]
pub struct Loaded {
    pub trace: std::sync::Arc<PackedTrace>,
    /// Pre-order (span index, depth); each trace's rows are contiguous. 32-bit, as the packed
    /// trace's indices: 8 bytes a span.
    pub walk: Vec<(u32, u32)>,
    /// (span index, document index) of every retrieved chunk, in walk order.
    pub chunks: Vec<(u32, u32)>,
    /// Span indices of tool calls, in walk order.
    pub tools: Vec<u32>,
    /// The traces of the file, one per root, in the order of the roots.
    pub traces: Vec<TraceInfo>,
    /// Tree row of each span by a hash of its id (see [`Loaded::with_rows`]); empty for a file.
    rows_by_id: HashMap<u64, usize>,
}

impl Loaded {
    /// Index `trace` for the panes: the walk, chunks, tools and traces with their answers.
    pub fn new(trace: std::sync::Arc<PackedTrace>) -> Loaded {
        let walk = trace.walk();
        let mut chunks = Vec::new();
        let mut tools = Vec::new();
        let mut traces: Vec<TraceInfo> = Vec::new();
        for (row, &(span, depth)) in walk.iter().enumerate() {
            let i = span as usize;
            if depth == 0 {
                traces.push(TraceInfo {
                    root: i,
                    walk: row..row,
                    chunks: chunks.len()..chunks.len(),
                    tools: tools.len()..tools.len(),
                    answer: String::new(),
                    has_llm: false,
                    problems: 0,
                });
            }
            if trace.has_documents(i) {
                let n = trace.documents(i).len() as u32;
                chunks.extend((0..n).map(|d| (span, d)));
            }
            if trace.is_tool(i) {
                tools.push(span);
            }
            if let Some(t) = traces.last_mut() {
                t.walk.end = row + 1;
                t.chunks.end = chunks.len();
                t.tools.end = tools.len();
                t.has_llm |= trace.kind(i) == SpanKind::Llm;
            }
        }
        for t in &mut traces {
            t.answer = answer_of(&trace, &walk[t.walk.clone()], t.root);
        }
        count_problems(&trace, &mut traces);
        Loaded {
            trace,
            walk,
            chunks,
            tools,
            traces,
            rows_by_id: HashMap::new(),
        }
    }

    /// [`Loaded::new`] plus a span-id index, so a live view finds its selected span again in
    /// O(1) when a new frame comes (built on the feed thread, not on the UI thread).
    pub fn with_rows(trace: std::sync::Arc<PackedTrace>) -> Loaded {
        let mut loaded = Loaded::new(trace);
        let mut rows = HashMap::with_capacity(loaded.walk.len());
        for (row, &(i, _)) in loaded.walk.iter().enumerate() {
            rows.entry(id_hash(loaded.trace.id(i as usize)))
                .or_insert(row);
        }
        loaded.rows_by_id = rows;
        loaded
    }

    /// The tree row of the span with this id: the index when there is one (a hash collision
    /// or no index falls back to a scan), else a scan of the walk.
    pub fn row_of(&self, id: &str) -> Option<usize> {
        let is = |row: &usize| {
            self.walk
                .get(*row)
                .is_some_and(|&(i, _)| self.trace.id(i as usize) == id)
        };
        match self.rows_by_id.get(&id_hash(id)) {
            Some(row) if is(row) => Some(*row),
            Some(_) => (0..self.walk.len()).find(is),
            None if self.rows_by_id.is_empty() => (0..self.walk.len()).find(is),
            None => None,
        }
    }

    /// The trace whose rows hold tree row `row` (traces are contiguous, in walk order).
    pub fn trace_at(&self, row: usize) -> Option<usize> {
        let t = self.traces.partition_point(|t| t.walk.end <= row);
        self.traces
            .get(t)
            .filter(|info| info.walk.contains(&row))
            .map(|_| t)
    }

    /// The trace the view opens on: the first one with an LLM call (its answer is what the
    /// file is about), else the first.
    pub fn first_shown(&self) -> usize {
        self.traces.iter().position(|t| t.has_llm).unwrap_or(0)
    }

    /// Distinct problems: a flag repeated on every span of one problem (a tool loop flags each
    /// call) counts once.
    pub fn problems(&self) -> usize {
        distinct_problems(self.trace.flags())
    }
}

/// Each trace's distinct problems, from one pass over the flags (each flag's span belongs to
/// the trace of its root), not over the rows.
fn count_problems(trace: &PackedTrace, traces: &mut [TraceInfo]) {
    let of_root: HashMap<usize, usize> = traces
        .iter()
        .enumerate()
        .map(|(k, t)| (t.root, k))
        .collect();
    let mut flags: Vec<Vec<crate::trace::packed::FlagRef>> = vec![Vec::new(); traces.len()];
    for f in trace.flags() {
        if let Some(&k) = of_root.get(&trace.root_of(f.span)) {
            flags[k].push(f);
        }
    }
    for (t, flags) in traces.iter_mut().zip(flags) {
        t.problems = distinct_problems(flags.into_iter());
    }
}

impl TraceInfo {
    /// Whether the answer cites chunk `id`.
    pub fn cited(&self, id: &str) -> bool {
        !id.is_empty() && self.answer.contains(id)
    }
}

fn distinct_problems<'a>(flags: impl Iterator<Item = crate::trace::packed::FlagRef<'a>>) -> usize {
    let mut seen: Vec<(&str, &str)> = flags.map(|f| (f.kind.as_str(), f.reason)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// A trace's answer: its root's output (what the pipeline returned, e.g. llama-index's
/// `query`), else the output of its last LLM call (in a pre-order walk an LLM span that wraps
/// another comes first, so the last one with an output is the innermost, latest call).
fn answer_of(trace: &PackedTrace, rows: &[(u32, u32)], root: usize) -> String {
    let text = |i: usize| {
        let output = trace.span_ref(i).output?.str();
        (!output.trim().is_empty()).then(|| output.to_string())
    };
    text(root)
        .or_else(|| {
            rows.iter()
                .rev()
                .map(|&(i, _)| i as usize)
                .filter(|&i| trace.kind(i) == SpanKind::Llm)
                .find_map(text)
        })
        .unwrap_or_default()
}
