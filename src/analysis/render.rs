//! Terminal layouts of a [`Diff`]: unified and side by side, as lines of tinted segments.
//!
//! Pure layout with sanitised text: the CLI maps tints to ANSI colours (or to `[-…-]`/`{+…+}`
//! markers without colour); the TUI can map them to ratatui styles.

use super::diff::{Diff, Row, RowKind};
use super::worddiff::{Span, SpanKind};
use crate::sanitize::for_display;
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

/// The meaning of a segment's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tint {
    Plain,
    Muted,
    /// On a removed line, text that is also in the new line.
    Removed,
    Added,
    /// The part of a changed line that actually changed.
    RemovedEmph,
    AddedEmph,
}

/// A piece of display-safe text with a tint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub tint: Tint,
    pub text: String,
}

/// One terminal line.
pub type Line = Vec<Segment>;

fn seg(tint: Tint, text: impl Into<String>) -> Segment {
    Segment {
        tint,
        text: text.into(),
    }
}

/// Rows to show: long unchanged stretches fold to `context` lines around each change.
enum Shown<'a> {
    Row(&'a Row),
    Folded(usize),
}

fn fold(rows: &[Row], context: usize) -> Vec<Shown<'_>> {
    let changed: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].kind != RowKind::Same)
        .collect();
    let near = |i: usize| changed.iter().any(|&c| c.abs_diff(i) <= context);
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, row) in rows.iter().enumerate() {
        if row.kind == RowKind::Same && !near(i) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            out.push(Shown::Folded(skipped));
            skipped = 0;
        }
        out.push(Shown::Row(row));
    }
    if skipped > 0 {
        out.push(Shown::Folded(skipped));
    }
    out
}

fn folded_line(n: usize) -> Line {
    let s = if n == 1 { "" } else { "s" };
    vec![seg(Tint::Muted, format!("⋯ {n} unchanged line{s}"))]
}

/// Tints of a side: emphasis only when part of the line stayed the same. With `markers`
/// (output without colour), emphasised text is wrapped in `[-…-]` / `{+…+}` before layout, so
/// columns stay aligned.
fn tinted(spans: &[Span], base: Tint, emph: Tint, markers: bool) -> Vec<Segment> {
    let partial = spans.iter().any(|s| s.kind == SpanKind::Same);
    spans
        .iter()
        .map(|s| {
            let tint = match s.kind {
                SpanKind::Same if base == Tint::Plain => Tint::Plain,
                SpanKind::Same => base,
                _ if partial => emph,
                _ => base,
            };
            let text = for_display(&s.text).replace('\t', "    ");
            match tint {
                Tint::RemovedEmph if markers => seg(tint, format!("[-{text}-]")),
                Tint::AddedEmph if markers => seg(tint, format!("{{+{text}+}}")),
                _ => seg(tint, text),
            }
        })
        .collect()
}

/// `-`/`+` lines, with unchanged stretches folded to `context` lines.
pub fn unified(diff: &Diff, context: usize, markers: bool) -> Vec<Line> {
    let mut out = Vec::new();
    for shown in fold(&diff.rows, context) {
        let row = match shown {
            Shown::Folded(n) => {
                out.push(folded_line(n));
                continue;
            }
            Shown::Row(row) => row,
        };
        if row.kind == RowKind::Same {
            let mut line = vec![seg(Tint::Plain, "  ")];
            line.extend(tinted(&row.old, Tint::Plain, Tint::Plain, markers));
            out.push(line);
            continue;
        }
        if !row.old.is_empty() || row.kind == RowKind::Removed || row.kind == RowKind::Changed {
            let mut line = vec![seg(Tint::Removed, "- ")];
            line.extend(tinted(&row.old, Tint::Removed, Tint::RemovedEmph, markers));
            out.push(line);
        }
        if !row.new.is_empty() || row.kind == RowKind::Added || row.kind == RowKind::Changed {
            let mut line = vec![seg(Tint::Added, "+ ")];
            line.extend(tinted(&row.new, Tint::Added, Tint::AddedEmph, markers));
            out.push(line);
        }
    }
    out
}

/// Two columns (old left, new right) with line numbers, wrapped to `width` terminal columns.
pub fn side_by_side(diff: &Diff, width: usize, context: usize, markers: bool) -> Vec<Line> {
    // "1234 " + left + " │ " + "1234 " + right
    let column = (width.saturating_sub(13) / 2).max(10);
    let mut out = Vec::new();
    for shown in fold(&diff.rows, context) {
        let row = match shown {
            Shown::Folded(n) => {
                out.push(folded_line(n));
                continue;
            }
            Shown::Row(row) => row,
        };
        let (lb, le, rb, re) = match row.kind {
            RowKind::Same => (Tint::Plain, Tint::Plain, Tint::Plain, Tint::Plain),
            _ => (
                Tint::Removed,
                Tint::RemovedEmph,
                Tint::Added,
                Tint::AddedEmph,
            ),
        };
        let left = wrap(&tinted(&row.old, lb, le, markers), column);
        let right = wrap(&tinted(&row.new, rb, re, markers), column);
        for k in 0..left.len().max(right.len()).max(1) {
            let number = |n: Option<usize>| match (k, n) {
                (0, Some(n)) => format!("{n:>4} "),
                _ => "     ".to_string(),
            };
            let mut line = vec![seg(Tint::Muted, number(row.old_line))];
            let cell = left.get(k).cloned().unwrap_or_default();
            let used: usize = cell.iter().map(|s| display_width(&s.text)).sum();
            line.extend(cell);
            line.push(seg(Tint::Plain, " ".repeat(column.saturating_sub(used))));
            line.push(seg(Tint::Muted, " │ "));
            line.push(seg(Tint::Muted, number(row.new_line)));
            line.extend(right.get(k).cloned().unwrap_or_default());
            out.push(line);
        }
    }
    out
}

fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Break segments into lines of at most `column` display columns.
fn wrap(segments: &[Segment], column: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut line: Line = Vec::new();
    let mut used = 0;
    for s in segments {
        let mut piece = String::new();
        for c in s.text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > column {
                if !piece.is_empty() {
                    line.push(seg(s.tint, std::mem::take(&mut piece)));
                }
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            line.push(seg(s.tint, piece));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
