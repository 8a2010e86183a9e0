//! A trace as the Trace view lists it: the span walk, the chunks and the tool calls, and the
//! final answer, computed once when the trace loads.

use crate::trace::{SpanKind, Trace};

/// A loaded trace with what the panes list, computed once.
pub struct Loaded {
    pub trace: std::sync::Arc<Trace>,
    /// Pre-order (span index, depth).
    pub walk: Vec<(usize, usize)>,
    /// (span index, document index) of every retrieved chunk.
    pub chunks: Vec<(usize, usize)>,
    /// Span indices of tool calls.
    pub tools: Vec<usize>,
    /// The final answer: the root's output, else the last LLM output.
    pub answer: String,
}

impl Loaded {
    pub(super) fn new(trace: std::sync::Arc<Trace>) -> Loaded {
        let walk = trace.walk();
        let mut chunks = Vec::new();
        let mut tools = Vec::new();
        for &(i, _) in &walk {
            let span = &trace.spans[i];
            chunks.extend((0..span.documents.len()).map(|d| (i, d)));
            if span.tool.is_some() || span.kind == SpanKind::Tool {
                tools.push(i);
            }
        }
        let root_output = trace
            .roots
            .iter()
            .find_map(|&r| trace.spans[r].output.clone());
        let last_llm = walk
            .iter()
            .rev()
            .find(|(i, _)| {
                trace.spans[*i].kind == SpanKind::Llm && trace.spans[*i].output.is_some()
            })
            .and_then(|(i, _)| trace.spans[*i].output.clone());
        Loaded {
            answer: root_output.or(last_llm).unwrap_or_default(),
            trace,
            walk,
            chunks,
            tools,
        }
    }

    /// Distinct problems: a flag repeated on every span of one problem (a tool loop flags each
    /// call) counts once.
    pub fn problems(&self) -> usize {
        let mut seen: Vec<(&str, &str)> = self
            .trace
            .flags
            .iter()
            .map(|f| (f.kind.as_str(), f.reason.as_str()))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    /// Whether the answer cites chunk `id`.
    pub fn cited(&self, id: &str) -> bool {
        !id.is_empty() && self.answer.contains(id)
    }
}
