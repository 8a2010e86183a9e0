//! Retrieved chunks (and tool results) that speak to the model instead of informing it: the
//! classic indirect prompt injection. Patterns are plain regexes so results are deterministic.

use super::{clip, flag};
use crate::trace::model::{Flag, FlagKind};
use crate::trace::tree::Trace;
use regex::Regex;
use std::sync::OnceLock;

/// (pattern, what it means) pairs, compiled once.
fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            (
                r"(?i)\b(ignore|disregard|forget|override)\b[^.\n]{0,40}?\b(previous|prior|above|earlier|preceding|all|any|your|system)\b[^.\n]{0,20}?\b(instructions?|prompts?|rules|directions|guidelines|messages)\b",
                "tells the model to ignore its instructions",
            ),
            (r"(?i)\byou (must|should|will) now\b|\bfrom now on,? you\b|\byou are now\b", "tries to re-task the model"),
            (r"(?i)\b(new|updated|additional) (system )?instructions?\s*:", "announces new instructions"),
            (
                r"(?i)<\|\s*(system|im_start|im_end|user|assistant|endoftext)\s*\|>|\[/?INST\]|<</?SYS>>|</?(system|assistant)>",
                "contains a chat role tag",
            ),
            (r"(?im)^\s*(system|assistant|developer)\s*:", "contains a chat role prefix"),
            (r"(?s)<!--.*?-->", "contains a hidden HTML comment"),
            (r"(?m)^\s*\[(//|comment)\]:\s*[#<(]", "contains a hidden markdown comment"),
            (r"(?i)\bdo not (tell|inform|reveal (this )?to) the user\b", "asks the model to hide something from the user"),
        ]
        .into_iter()
        .filter_map(|(p, why)| Regex::new(p).ok().map(|r| (r, why)))
        .collect()
    })
}

/// The first instruction-like passage in `text`: what it means and the matched snippet.
pub fn find(text: &str) -> Option<(&'static str, String)> {
    patterns()
        .iter()
        .filter_map(|(re, why)| re.find(text).map(|m| (m.start(), *why, m.as_str())))
        .min_by_key(|(start, _, _)| *start)
        .map(|(_, why, snippet)| (why, clip(snippet, 80)))
}

pub(super) fn scan(trace: &Trace, out: &mut Vec<Flag>) {
    for (i, span) in trace.spans.iter().enumerate() {
        for (n, doc) in span.documents.iter().enumerate() {
            let Some((why, snippet)) = doc.content.as_deref().and_then(find) else {
                continue;
            };
            let id = doc.id.as_deref().unwrap_or("(no id)");
            let reason = format!(
                "possible injection: chunk {id} (#{}) {why}: {snippet:?}",
                n + 1
            );
            out.push(flag(trace, i, FlagKind::Injection, reason));
        }
        let Some(tool) = &span.tool else { continue };
        if let Some((why, snippet)) = tool.result.as_deref().and_then(find) {
            let name = &tool.name;
            let reason = format!("possible injection: result of tool {name} {why}: {snippet:?}");
            out.push(flag(trace, i, FlagKind::Injection, reason));
        }
    }
}

#[cfg(test)]
#[path = "injection_tests.rs"]
mod tests;
