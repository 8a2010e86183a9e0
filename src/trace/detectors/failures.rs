//! Failures that are not a tool's own error: a model request that failed (HTTP 500, an
//! exception event), an agent stopped by its turn limit, and one tool failing again and again
//! in a run (different arguments each time, so `tool-loop`'s same-arguments rule misses it).

use super::{Limits, clip, flag};
use crate::trace::model::{Flag, FlagKind, SpanKind};
use crate::trace::tree::Trace;
use std::collections::{BTreeMap, HashSet};

/// Error texts frameworks use when an agent hits its step budget (openai-agents, LangGraph,
/// LangChain, CrewAI, smolagents).
const TURN_LIMIT: [&str; 6] = [
    "max turns",
    "max_turns",
    "turn limit",
    "recursion limit",
    "max iterations",
    "max steps",
];

/// Add the three failure flags to `out`.
pub fn scan(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    let llm_below = trace.llm_below();
    for (i, span) in trace.spans.iter().enumerate() {
        let Some(error) = span.error.as_deref().filter(|_| span.failed()) else {
            continue;
        };
        if span.kind == SpanKind::Llm && llm_below[i] == 0 {
            let reason = format!("LLM call failed: {}", clip(error, 200));
            out.push(flag(trace, i, FlagKind::LlmError, reason));
        }
        let lower = error.to_ascii_lowercase();
        if TURN_LIMIT.iter().any(|t| lower.contains(t)) {
            let reason = format!("agent stopped at its turn limit: {}", clip(error, 160));
            out.push(flag(trace, i, FlagKind::TurnLimit, reason));
        }
    }
    repeated_tool_failures(trace, limits, out);
}

fn repeated_tool_failures(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    let mut groups: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        if let Some(tool) = span.tool.as_ref().filter(|_| span.failed()) {
            groups
                .entry((trace.root_of(i), tool.name.as_str()))
                .or_default()
                .push(i);
        }
    }
    let already: HashSet<usize> = out
        .iter()
        .filter(|f| f.kind == FlagKind::ToolLoop)
        .map(|f| f.span)
        .collect();
    for ((_, name), calls) in groups {
        if calls.len() < limits.loop_repeats.max(2) {
            continue;
        }
        let ids: Vec<&str> = calls
            .iter()
            .take(5)
            .map(|&c| trace.spans[c].id.as_str())
            .collect();
        let more = if calls.len() > 5 { ", …" } else { "" };
        let reason = format!(
            "{name} failed {} times in one run and was called again each time (spans {}{more})",
            calls.len(),
            ids.join(", ")
        );
        for &c in &calls {
            if !already.contains(&c) {
                out.push(flag(trace, c, FlagKind::ToolLoop, reason.clone()));
            }
        }
    }
}
