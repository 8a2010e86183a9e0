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
        count_tool_calls(&self.tool_facts())
    }

    /// What `tool_call_count` counts, fact by fact, in file order.
    pub fn tool_facts(&self) -> Vec<ToolFact<'_>> {
        let mut facts = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            let root = self.root_of(i);
            if let Some(id) = s.tool_call_id.as_deref() {
                facts.push(ToolFact::Ran(id));
            }
            if let Some(t) = &s.tool {
                let id = s.tool_call_id.as_deref();
                let name = t.name.as_str();
                facts.push(ToolFact::Tool { root, name, id });
            }
        }
        for i in self.model_calls() {
            for r in &self.spans[i].tool_calls {
                let (root, name, id) = (self.root_of(i), r.name.as_str(), r.id.as_deref());
                facts.push(ToolFact::Asked { root, name, id });
            }
        }
        facts
    }
}

/// One fact `Trace::tool_call_count` counts from; a trace read root by root
/// (`trace::stream`) gathers them across its roots to count the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ToolFact<'a> {
    /// Some span answered the call with this id.
    Ran(&'a str),
    /// A TOOL span named `name` ran under `root`, answering the call `id` when recorded.
    Tool {
        root: usize,
        name: &'a str,
        id: Option<&'a str>,
    },
    /// A model call under `root` asked for tool `name`, with the call's id when recorded.
    Asked {
        root: usize,
        name: &'a str,
        id: Option<&'a str>,
    },
}

/// The tool calls of a whole trace's facts: every TOOL span, plus, per root and tool name, the
/// requests no span answered by id beyond the TOOL spans of that name not linked to a request
/// by id (none recorded, or the framework's own id rather than the model's).
fn count_tool_calls(facts: &[ToolFact]) -> usize {
    let mut ran = HashSet::new();
    let mut requested = HashSet::new();
    for f in facts {
        match *f {
            ToolFact::Ran(id) => drop(ran.insert(id)),
            ToolFact::Asked { id: Some(id), .. } => drop(requested.insert(id)),
            _ => {}
        }
    }
    let mut spans_by_name: HashMap<(usize, &str), usize> = HashMap::new();
    let mut asked_by_name: HashMap<(usize, &str), usize> = HashMap::new();
    let mut tool_spans = 0;
    for f in facts {
        match *f {
            ToolFact::Tool { root, name, id } => {
                tool_spans += 1;
                if !id.is_some_and(|id| requested.contains(id)) {
                    *spans_by_name.entry((root, name)).or_default() += 1;
                }
            }
            ToolFact::Asked { root, name, id } if !id.is_some_and(|id| ran.contains(id)) => {
                *asked_by_name.entry((root, name)).or_default() += 1;
            }
            _ => {}
        }
    }
    let unanswered: usize = asked_by_name
        .iter()
        .map(|(k, n)| n.saturating_sub(spans_by_name.get(k).copied().unwrap_or(0)))
        .sum();
    tool_spans + unanswered
}
