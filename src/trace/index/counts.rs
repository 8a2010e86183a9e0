//! The totals of an index, counted as `Trace::model_calls`, `Trace::tool_call_count` and
//! `pricing::billed_spans` count them on a loaded trace, from the few numbers pass one kept per
//! model and tool span. A test in `cli/trace/json` checks both give the same document.

use super::links::Links;
use super::{ModelSpan, NONE, Summary};
use crate::trace::pricing::CostSource;
use std::collections::{HashMap, HashSet};

/// Model calls, tokens, costs and tool calls of the whole trace.
pub(super) fn count(
    links: &Links,
    models: &[ModelSpan],
    tools: &[(u32, u32, Option<u64>)],
    ran: &[u64],
) -> Summary {
    let llm = || models.iter().filter(|m| m.llm);
    let llm_below = above(&links.parent, llm().map(|m| m.span));
    let costed_below = above(
        &links.parent,
        llm().filter(|m| m.cost.is_some()).map(|m| m.span),
    );
    let calls: Vec<&ModelSpan> = llm().filter(|m| !llm_below[m.span as usize]).collect();
    let billed = models.iter().filter(|m| {
        let i = m.span as usize;
        !m.llm || !llm_below[i] || !costed_below[i]
    });
    let costs = |source: CostSource| {
        let picked: Vec<f64> = billed
            .clone()
            .filter_map(|m| m.cost.filter(|c| c.source == source).map(|c| c.usd))
            .collect();
        (!picked.is_empty()).then(|| picked.iter().sum())
    };
    let tokens = |f: fn(&ModelSpan) -> Option<u64>| {
        calls
            .iter()
            .filter_map(|m| f(m))
            .fold(0u64, u64::saturating_add)
    };
    Summary {
        llm_calls: calls.len(),
        tool_calls: tool_calls(links, &calls, tools, ran),
        prompt_tokens: tokens(|m| m.prompt),
        completion_tokens: tokens(|m| m.completion),
        cost_from_file: costs(CostSource::File),
        cost_estimated: costs(CostSource::PriceTable),
        ..Summary::default()
    }
}

/// `marked[i]`: some span of `from` is strictly below span i. Each span is marked once, so
/// O(n) whatever the depth.
fn above(parent: &[u32], from: impl Iterator<Item = u32>) -> Vec<bool> {
    let mut marked = vec![false; parent.len()];
    for span in from {
        let mut p = parent[span as usize];
        while p != NONE && !marked[p as usize] {
            marked[p as usize] = true;
            p = parent[p as usize];
        }
    }
    marked
}

/// Every tool span, plus each call a model call asked for that no span ran (by call id), less
/// the tool spans of the same name and root not linked by id (see `Trace::tool_call_count`).
fn tool_calls(
    links: &Links,
    calls: &[&ModelSpan],
    tools: &[(u32, u32, Option<u64>)],
    ran: &[u64],
) -> usize {
    let ran: HashSet<u64> = ran.iter().copied().collect();
    let requested: HashSet<u64> = calls
        .iter()
        .flat_map(|m| m.requests.iter().filter_map(|r| r.1))
        .collect();
    let root = |span: u32| links.root[span as usize];
    let mut spans_by_name: HashMap<(u32, u32), usize> = HashMap::new();
    for &(span, name, call) in tools {
        if !call.is_some_and(|id| requested.contains(&id)) {
            *spans_by_name.entry((root(span), name)).or_default() += 1;
        }
    }
    let mut asked_by_name: HashMap<(u32, u32), usize> = HashMap::new();
    for m in calls {
        for &(name, id) in &m.requests {
            if !id.is_some_and(|id| ran.contains(&id)) {
                *asked_by_name.entry((root(m.span), name)).or_default() += 1;
            }
        }
    }
    let unanswered: usize = asked_by_name
        .iter()
        .map(|(k, n)| n.saturating_sub(spans_by_name.get(k).copied().unwrap_or(0)))
        .sum();
    tools.len() + unanswered
}
