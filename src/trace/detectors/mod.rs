//! Deterministic failure detectors over a loaded trace. Each finding is a `Flag` on one span with
//! a reason a person can act on; the same trace always gives the same flags in the same order.

mod citation;
mod failures;
mod injection;
mod schema;
mod window;

pub use window::builtin_context_window;

use super::model::{Flag, FlagKind, SpanKind};
use super::tree::Trace;
use std::collections::BTreeMap;

/// Context window in tokens of a model name, when known (the cost module's table plugs in here).
pub type ContextWindow = Box<dyn Fn(&str) -> Option<u64> + Send + Sync>;

/// Thresholds of the detectors; `Default` gives the documented values.
pub struct Limits {
    /// Identical tool calls (same name and arguments) from this count on are a loop.
    pub loop_repeats: usize,
    /// LLM + tool calls under one agent (or trace root) above this are too many steps.
    pub max_steps: usize,
    /// Prompt tokens at or above this share of the context window are flagged.
    pub context_ratio: f64,
    /// A retrieval whose every score is below this is low-confidence grounding.
    pub min_score: f64,
    /// Context window in tokens of a model name, when known.
    pub context_window: ContextWindow,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            loop_repeats: 3,
            max_steps: 25,
            context_ratio: 0.9,
            min_score: 0.5,
            context_window: Box::new(builtin_context_window),
        }
    }
}

/// Run every detector and add their flags to `trace.flags`, which stays sorted by span index.
pub fn run(trace: &mut Trace, limits: &Limits) {
    let mut flags = Vec::new();
    tool_loops(trace, limits, &mut flags);
    tool_failures(trace, &mut flags);
    too_many_steps(trace, limits, &mut flags);
    injection::scan(trace, &mut flags);
    citation::scan(trace, &mut flags);
    context_near_limit(trace, limits, &mut flags);
    low_scores(trace, limits, &mut flags);
    schema::scan(trace, &mut flags);
    failures::scan(trace, limits, &mut flags);
    trace.flags.extend(flags);
    // Stable: per span, structure flags first, then detectors in the order above.
    trace.flags.sort_by_key(|f| f.span);
}

fn flag(trace: &Trace, span: usize, kind: FlagKind, reason: String) -> Flag {
    Flag {
        span,
        span_id: trace.spans[span].id.to_string(),
        kind,
        reason,
    }
}

fn tool_loops(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    let mut groups: BTreeMap<(usize, &str, String), Vec<usize>> = BTreeMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        if let Some(tool) = &span.tool {
            let args = canonical(tool.arguments.as_deref().unwrap_or(""));
            groups
                .entry((trace.root_of(i), tool.name.as_str(), args))
                .or_default()
                .push(i);
        }
    }
    for ((_, name, args), calls) in groups {
        if calls.len() < limits.loop_repeats.max(2) {
            continue;
        }
        let mut ids: Vec<&str> = calls
            .iter()
            .take(5)
            .map(|&c| trace.spans[c].id.as_str())
            .collect();
        if calls.len() > 5 {
            ids.push("…");
        }
        let reason = format!(
            "{name} called {} times with the same arguments {} (spans {})",
            calls.len(),
            clip(&args, 80),
            ids.join(", ")
        );
        for &c in &calls {
            out.push(flag(trace, c, FlagKind::ToolLoop, reason.clone()));
        }
    }
}

/// Arguments compared as JSON with sorted keys when they parse, else as trimmed text.
fn canonical(args: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(args) {
        Ok(v) => sorted(&v).to_string(),
        Err(_) => args.trim().to_string(),
    }
}

fn sorted(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let ordered: BTreeMap<&String, Value> = m.iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn tool_failures(trace: &Trace, out: &mut Vec<Flag>) {
    for (i, span) in trace.spans.iter().enumerate() {
        let Some(tool) = &span.tool else { continue };
        if span.failed() {
            let why = span.error.as_deref().unwrap_or("status error");
            out.push(flag(
                trace,
                i,
                FlagKind::ToolError,
                format!("tool {} failed: {}", tool.name, clip(why, 160)),
            ));
        } else if is_empty_result(tool.result.as_deref()) {
            out.push(flag(
                trace,
                i,
                FlagKind::ToolEmpty,
                format!("tool {} returned an empty result", tool.name),
            ));
        }
    }
}

fn is_empty_result(result: Option<&str>) -> bool {
    match result.map(str::trim) {
        None => true,
        Some(r) => matches!(r, "" | "null" | "[]" | "{}" | "\"\"" | "None"),
    }
}

fn too_many_steps(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    let kind = |d: usize| trace.spans[d].kind;
    // Bottom-up counts: O(n) however deeply agents nest.
    let agents_below = trace.count_below(|d| kind(d) == SpanKind::Agent);
    let llm_below = trace.llm_below();
    let steps_below = trace.count_below(|d| matches!(kind(d), SpanKind::Llm | SpanKind::Tool));
    let owners = trace
        .roots
        .iter()
        .copied()
        .filter(|&r| kind(r) != SpanKind::Agent && agents_below[r] == 0)
        .chain((0..trace.spans.len()).filter(|&i| kind(i) == SpanKind::Agent));
    for owner in owners {
        let (llm, steps) = (llm_below[owner], steps_below[owner]);
        if steps > limits.max_steps {
            let reason = format!(
                "{steps} steps ({}, {}) exceed the limit of {}",
                crate::plural::count(llm as u64, "LLM call"),
                crate::plural::count((steps - llm) as u64, "tool call"),
                limits.max_steps
            );
            out.push(flag(trace, owner, FlagKind::TooManySteps, reason));
        }
    }
}

fn context_near_limit(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    for (i, span) in trace.spans.iter().enumerate() {
        let (Some(model), Some(prompt)) = (
            &span.model,
            span.usage.as_ref().and_then(|u| u.prompt_tokens),
        ) else {
            continue;
        };
        let Some(window) = (limits.context_window)(model).filter(|w| *w > 0) else {
            continue;
        };
        let share = prompt as f64 / window as f64;
        if share >= limits.context_ratio {
            let reason = format!(
                "prompt of {prompt} tokens is {:.0}% of {model}'s {window}-token context window",
                share * 100.0
            );
            out.push(flag(trace, i, FlagKind::ContextNearLimit, reason));
        }
    }
}

fn low_scores(trace: &Trace, limits: &Limits, out: &mut Vec<Flag>) {
    for (i, span) in trace.spans.iter().enumerate() {
        let scores: Vec<f64> = span
            .documents
            .iter()
            .filter_map(|d| d.score)
            .filter(|s| s.is_finite())
            .collect();
        if scores.is_empty() || scores.len() < span.documents.len() {
            continue;
        }
        let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if best < limits.min_score {
            let reason = format!(
                "all {} retrieval scores are below {:.2} (best {best:.2}): low-confidence grounding",
                scores.len(),
                limits.min_score
            );
            out.push(flag(trace, i, FlagKind::LowRetrievalScores, reason));
        }
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
