//! Diffs of two texts as rows of spans: the one model the CLI (unified, side by side, JSON) and
//! the TUI (ratatui lines) both render.
//!
//! Lines are aligned first; each changed line pair then gets word or char spans. A deadline
//! bounds the work: huge outputs (over [`DiffOptions::inline_limit_bytes`]) or a deadline hit
//! degrade to line granularity instead of hanging, and the diff says so in `degraded`.

use super::worddiff::{Span, SpanKind};
use serde::{Deserialize, Serialize};
use similar::{ChangeTag, DiffOp, TextDiff};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How finely changed lines are split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Line,
    #[default]
    Word,
    Char,
}

impl FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "line" => Ok(Granularity::Line),
            "word" => Ok(Granularity::Word),
            "char" => Ok(Granularity::Char),
            other => Err(format!(
                "unknown granularity {other:?}: use line, word or char"
            )),
        }
    }
}

/// Knobs of [`diff_texts`].
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    pub granularity: Granularity,
    /// Total time budget; past it, remaining lines are diffed at line granularity.
    pub deadline: Duration,
    /// Above this many bytes (both texts together) only line granularity is attempted.
    pub inline_limit_bytes: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            granularity: Granularity::Word,
            deadline: Duration::from_millis(500),
            inline_limit_bytes: 256 * 1024,
        }
    }
}

/// What a row of the diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// The line is on both sides unchanged.
    Same,
    /// A line on each side, with spans marking what changed inside.
    Changed,
    /// Only on the old side.
    Removed,
    /// Only on the new side.
    Added,
}

/// One aligned line pair. Spans hold the line's text without its line ending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub kind: RowKind,
    /// 1-based line numbers; absent on the side the row does not exist on.
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
    pub old: Vec<Span>,
    pub new: Vec<Span>,
}

/// A diff of two texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The granularity asked for.
    pub requested: Granularity,
    /// The granularity delivered for every changed line (coarser when degraded).
    pub granularity: Granularity,
    /// Why the diff is coarser than asked, if it is.
    pub degraded: Option<String>,
    pub rows: Vec<Row>,
    /// Lines only in the new text, and only in the old (changed pairs count on both sides).
    pub added_lines: usize,
    pub removed_lines: usize,
}

impl Diff {
    /// True when the texts differ.
    pub fn has_changes(&self) -> bool {
        self.rows.iter().any(|r| r.kind != RowKind::Same)
    }
}

/// Diff `old` against `new`.
pub fn diff_texts(old: &str, new: &str, options: &DiffOptions) -> Diff {
    let deadline = Instant::now() + options.deadline;
    let mut granularity = options.granularity;
    let mut degraded = None;
    let total = old.len() + new.len();
    if granularity != Granularity::Line && total > options.inline_limit_bytes {
        granularity = Granularity::Line;
        degraded = Some(format!(
            "outputs total {} KB (over {} KB): shown at line granularity",
            total / 1024,
            options.inline_limit_bytes / 1024
        ));
    }
    let lines = TextDiff::configure()
        .deadline(deadline)
        .diff_lines(old, new);
    let old_line = |i: usize| strip_eol(lines.old_slice(i).unwrap_or_default());
    let new_line = |j: usize| strip_eol(lines.new_slice(j).unwrap_or_default());
    let mut rows = Vec::new();
    for op in lines.ops() {
        let (o, n) = (op.old_range(), op.new_range());
        match op {
            DiffOp::Equal { .. } => {
                for (i, j) in o.zip(n) {
                    let text = old_line(i);
                    rows.push(row(RowKind::Same, Some(i), Some(j), same(text), same(text)));
                }
            }
            _ => {
                let paired = o.len().min(n.len());
                for k in 0..paired {
                    let (i, j) = (o.start + k, n.start + k);
                    let (a, b) = (old_line(i), new_line(j));
                    if granularity != Granularity::Line && Instant::now() > deadline {
                        granularity = Granularity::Line;
                        degraded = Some(format!(
                            "diff deadline of {} ms reached: shown at line granularity",
                            options.deadline.as_millis()
                        ));
                    }
                    let (old_spans, new_spans) = inline(a, b, granularity, deadline);
                    rows.push(row(
                        RowKind::Changed,
                        Some(i),
                        Some(j),
                        old_spans,
                        new_spans,
                    ));
                }
                for i in o.clone().skip(paired) {
                    let text = old_line(i);
                    rows.push(row(
                        RowKind::Removed,
                        Some(i),
                        None,
                        changed(text, SpanKind::Removed),
                        vec![],
                    ));
                }
                for j in n.clone().skip(paired) {
                    let text = new_line(j);
                    rows.push(row(
                        RowKind::Added,
                        None,
                        Some(j),
                        vec![],
                        changed(text, SpanKind::Added),
                    ));
                }
            }
        }
    }
    let count = |kinds: &[RowKind]| rows.iter().filter(|r| kinds.contains(&r.kind)).count();
    Diff {
        requested: options.granularity,
        granularity,
        degraded,
        added_lines: count(&[RowKind::Added, RowKind::Changed]),
        removed_lines: count(&[RowKind::Removed, RowKind::Changed]),
        rows,
    }
}

fn row(kind: RowKind, old: Option<usize>, new: Option<usize>, o: Vec<Span>, n: Vec<Span>) -> Row {
    Row {
        kind,
        old_line: old.map(|i| i + 1),
        new_line: new.map(|j| j + 1),
        old: o,
        new: n,
    }
}

fn strip_eol(line: &str) -> &str {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
}

fn same(text: &str) -> Vec<Span> {
    vec![Span {
        kind: SpanKind::Same,
        text: text.to_string(),
    }]
}

fn changed(text: &str, kind: SpanKind) -> Vec<Span> {
    vec![Span {
        kind,
        text: text.to_string(),
    }]
}

/// Spans of a changed line pair at `granularity`.
fn inline(a: &str, b: &str, granularity: Granularity, deadline: Instant) -> (Vec<Span>, Vec<Span>) {
    let mut config = TextDiff::configure();
    config.deadline(deadline);
    let diff = match granularity {
        Granularity::Line => {
            return (changed(a, SpanKind::Removed), changed(b, SpanKind::Added));
        }
        Granularity::Word => config.diff_words(a, b),
        Granularity::Char => config.diff_chars(a, b),
    };
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for change in diff.iter_all_changes() {
        let value = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut old, SpanKind::Same, value);
                push(&mut new, SpanKind::Same, value);
            }
            ChangeTag::Delete => push(&mut old, SpanKind::Removed, value),
            ChangeTag::Insert => push(&mut new, SpanKind::Added, value),
        }
    }
    (old, new)
}

fn push(spans: &mut Vec<Span>, kind: SpanKind, text: &str) {
    match spans.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(text),
        _ => spans.push(Span {
            kind,
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
