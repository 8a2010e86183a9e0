//! Word-level diffs of two texts (similar crate), as spans a CLI or TUI can colour.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// What a span of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Same,
    Removed,
    Added,
}

/// A run of text with one kind; consecutive words of a kind are merged into one span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub kind: SpanKind,
    pub text: String,
}

/// Diff `old` and `new` word by word, in reading order (removed text before added text).
pub fn word_diff(old: &str, new: &str) -> Vec<Span> {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(500))
        .diff_words(old, new);
    let mut spans: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Same,
            ChangeTag::Delete => SpanKind::Removed,
            ChangeTag::Insert => SpanKind::Added,
        };
        match spans.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => spans.push(Span {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    spans
}

/// True when a diff has any change.
pub fn has_changes(spans: &[Span]) -> bool {
    spans.iter().any(|s| s.kind != SpanKind::Same)
}

#[cfg(test)]
#[path = "worddiff_tests.rs"]
mod tests;
