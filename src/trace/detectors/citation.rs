//! Answers that cite a chunk id no retriever returned: the model invented or misremembered a
//! source. A bracketed token counts as a citation when it has an explicit prefix (`[source: x]`,
//! `[doc: x]`) or the same shape as the retrieved ids (`kb-0042` next to `kb-0017`).

use super::flag;
use crate::trace::model::{Flag, FlagKind, SpanKind};
use crate::trace::tree::Trace;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

fn bracket() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\[\^?([^\[\]\n]{1,120})\]").ok())
        .as_ref()
}

const PREFIXES: [&str; 6] = ["source:", "doc:", "chunk:", "id:", "ref:", "document:"];

/// The id with its trailing digits removed (`kb-0042` → `kb-`), when it has both parts.
fn stem(id: &str) -> Option<&str> {
    let s = id.trim_end_matches(|c: char| c.is_ascii_digit());
    (s.len() >= 2 && s.len() < id.len()).then_some(s)
}

/// Citation tokens in `answer` that look like chunk ids given the retrieved ones.
pub fn citations(answer: &str, retrieved: &BTreeSet<&str>) -> Vec<String> {
    let Some(re) = bracket() else {
        return Vec::new();
    };
    let stems: BTreeSet<&str> = retrieved.iter().filter_map(|id| stem(id)).collect();
    let mut out = Vec::new();
    for cap in re.captures_iter(answer) {
        let Some(inner) = cap.get(1) else { continue };
        for part in inner.as_str().split([',', ';']) {
            let part = part.trim();
            let lower = part.to_ascii_lowercase();
            let explicit = PREFIXES.iter().find(|p| lower.starts_with(*p));
            let token = match explicit {
                Some(p) => part[p.len()..].trim(),
                None => part,
            };
            let shaped = stem(token).is_some_and(|s| stems.contains(s));
            if !token.is_empty() && (explicit.is_some() || shaped || retrieved.contains(token)) {
                out.push(token.to_string());
            }
        }
    }
    out
}

pub(super) fn scan(trace: &Trace, out: &mut Vec<Flag>) {
    let mut retrieved: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    let mut answers: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        let root = trace.root_of(i);
        let ids = span.documents.iter().filter_map(|d| d.id.as_deref());
        retrieved.entry(root).or_default().extend(ids);
        if span.kind == SpanKind::Llm && span.output.is_some() {
            answers.entry(root).or_default().push(i);
        }
    }
    for (&root, ids) in &retrieved {
        let speakers = answers.get(&root).cloned().unwrap_or_else(|| vec![root]);
        for i in speakers {
            let Some(answer) = trace.spans[i].output.as_deref() else {
                continue;
            };
            let mut missing: Vec<String> = citations(answer, ids)
                .into_iter()
                .filter(|c| !ids.contains(c.as_str()))
                .collect();
            missing.dedup();
            if missing.is_empty() {
                continue;
            }
            let known: Vec<&str> = ids.iter().copied().take(8).collect();
            let reason = format!(
                "answer cites {} but no retriever in this trace returned {} (retrieved: {})",
                missing
                    .iter()
                    .map(|m| format!("[{m}]"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 {
                    "that chunk"
                } else {
                    "those chunks"
                },
                if known.is_empty() {
                    "nothing".to_string()
                } else {
                    known.join(", ")
                }
            );
            out.push(flag(trace, i, FlagKind::UnretrievedCitation, reason));
        }
    }
}

#[cfg(test)]
#[path = "citation_tests.rs"]
mod tests;
