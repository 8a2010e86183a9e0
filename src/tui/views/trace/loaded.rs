//! A trace file as the Trace view lists it: the span walk, the chunks and the tool calls, cut
//! into traces (one per root: a llama-index file holds an indexing and a query trace) with
//! each trace's answer, computed once when the file loads.

use crate::trace::{SpanKind, Trace};
use std::ops::Range;

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
}

/// A loaded trace file with what the panes list, computed once.
pub struct Loaded {
    pub trace: std::sync::Arc<Trace>,
    /// Pre-order (span index, depth); each trace's rows are contiguous.
    pub walk: Vec<(usize, usize)>,
    /// (span index, document index) of every retrieved chunk, in walk order.
    pub chunks: Vec<(usize, usize)>,
    /// Span indices of tool calls, in walk order.
    pub tools: Vec<usize>,
    /// The traces of the file, one per root, in the order of the roots.
    pub traces: Vec<TraceInfo>,
}

impl Loaded {
    pub(super) fn new(trace: std::sync::Arc<Trace>) -> Loaded {
        let walk = trace.walk();
        let mut chunks = Vec::new();
        let mut tools = Vec::new();
        let mut traces: Vec<TraceInfo> = Vec::new();
        for (row, &(i, depth)) in walk.iter().enumerate() {
            if depth == 0 {
                traces.push(TraceInfo {
                    root: i,
                    walk: row..row,
                    chunks: chunks.len()..chunks.len(),
                    tools: tools.len()..tools.len(),
                    answer: String::new(),
                    has_llm: false,
                });
            }
            let span = &trace.spans[i];
            chunks.extend((0..span.documents.len()).map(|d| (i, d)));
            if span.tool.is_some() || span.kind == SpanKind::Tool {
                tools.push(i);
            }
            if let Some(t) = traces.last_mut() {
                t.walk.end = row + 1;
                t.chunks.end = chunks.len();
                t.tools.end = tools.len();
                t.has_llm |= span.kind == SpanKind::Llm;
            }
        }
        for t in &mut traces {
            t.answer = answer_of(&trace, &walk[t.walk.clone()], t.root);
        }
        Loaded {
            trace,
            walk,
            chunks,
            tools,
            traces,
        }
    }

    /// The trace the view opens on: the first one with an LLM call (its answer is what the
    /// file is about), else the first.
    pub fn first_shown(&self) -> usize {
        self.traces.iter().position(|t| t.has_llm).unwrap_or(0)
    }

    /// Distinct problems: a flag repeated on every span of one problem (a tool loop flags each
    /// call) counts once.
    pub fn problems(&self) -> usize {
        distinct_problems(self.trace.flags.iter())
    }

    /// Distinct problems within trace `t` (see [`Loaded::problems`]).
    pub fn problems_in(&self, t: &TraceInfo) -> usize {
        let rows = &self.walk[t.walk.clone()];
        distinct_problems(
            rows.iter()
                .flat_map(|&(i, _)| self.trace.flags_of(i).iter()),
        )
    }
}

impl TraceInfo {
    /// Whether the answer cites chunk `id`.
    pub fn cited(&self, id: &str) -> bool {
        !id.is_empty() && self.answer.contains(id)
    }
}

fn distinct_problems<'a>(flags: impl Iterator<Item = &'a crate::trace::Flag>) -> usize {
    let mut seen: Vec<(&str, &str)> = flags
        .map(|f| (f.kind.as_str(), f.reason.as_str()))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// A trace's answer: its root's output (what the pipeline returned, e.g. llama-index's
/// `query`), else the output of its last LLM call (in a pre-order walk an LLM span that wraps
/// another comes first, so the last one with an output is the innermost, latest call).
fn answer_of(trace: &Trace, rows: &[(usize, usize)], root: usize) -> String {
    let text = |s: &crate::trace::Span| s.output.clone().filter(|o| !o.trim().is_empty());
    text(&trace.spans[root])
        .or_else(|| {
            rows.iter()
                .rev()
                .map(|&(i, _)| &trace.spans[i])
                .filter(|s| s.kind == SpanKind::Llm)
                .find_map(text)
        })
        .unwrap_or_default()
}
