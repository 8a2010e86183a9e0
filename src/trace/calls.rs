//! What a trace did, counted the way a person counts it: one LLM call per model request (a span
//! that only wraps another LLM span, like llama-index's `predict → chat`, is not a second call),
//! and one tool call per call, whether a TOOL span ran it or only the model's output asked for it.

use super::model::SpanKind;
use super::tree::Trace;
use std::collections::{HashMap, HashSet};

impl Trace {
    /// True when span `i` is a model request: an LLM span with no LLM span below it.
    pub fn is_model_call(&self, i: usize) -> bool {
        self.spans[i].kind == SpanKind::Llm
            && !self
                .descendants(i)
                .iter()
                .any(|&d| self.spans[d].kind == SpanKind::Llm)
    }

    /// Indices of the model requests (see `is_model_call`), in file order. O(n) whatever the
    /// depth: one bottom-up count of the LLM spans below each span.
    pub fn model_calls(&self) -> Vec<usize> {
        let below = self.llm_below();
        (0..self.spans.len())
            .filter(|&i| self.spans[i].kind == SpanKind::Llm && below[i] == 0)
            .collect()
    }

    /// For every span, how many LLM spans are below it (see `count_below`).
    pub fn llm_below(&self) -> Vec<usize> {
        self.count_below(|d| self.spans[d].kind == SpanKind::Llm)
    }

    /// Tool calls: every TOOL span, plus each call an LLM output asked for that no TOOL span ran
    /// (linked by call id, else by tool name within the same root).
    pub fn tool_call_count(&self) -> usize {
        let ran: HashSet<&str> = self
            .spans
            .iter()
            .filter_map(|s| s.tool_call_id.as_deref())
            .collect();
        let calls = self.model_calls();
        let requested: HashSet<&str> = calls
            .iter()
            .flat_map(|&i| self.spans[i].tool_calls.iter())
            .filter_map(|r| r.id.as_deref())
            .collect();
        // A TOOL span not linked to a request by id (none recorded, or the framework's own id
        // rather than the model's) answers a request of the same name.
        let mut spans_by_name: HashMap<(usize, &str), usize> = HashMap::new();
        let mut tool_spans = 0;
        for (i, s) in self.spans.iter().enumerate() {
            if let Some(t) = &s.tool {
                tool_spans += 1;
                if !s
                    .tool_call_id
                    .as_deref()
                    .is_some_and(|id| requested.contains(id))
                {
                    *spans_by_name
                        .entry((self.root_of(i), t.name.as_str()))
                        .or_default() += 1;
                }
            }
        }
        let mut asked_by_name: HashMap<(usize, &str), usize> = HashMap::new();
        for &i in &calls {
            for r in &self.spans[i].tool_calls {
                if r.id.as_deref().is_some_and(|id| ran.contains(id)) {
                    continue;
                }
                *asked_by_name
                    .entry((self.root_of(i), r.name.as_str()))
                    .or_default() += 1;
            }
        }
        let unanswered: usize = asked_by_name
            .iter()
            .map(|(k, n)| n.saturating_sub(spans_by_name.get(k).copied().unwrap_or(0)))
            .sum();
        tool_spans + unanswered
    }
}
