//! The detail pane of the Trace view, following the list pane last focused: from the tree, the
//! shown trace's answer (with the selected span's flags), an LLM call's input messages and
//! output, or a retriever's chunks with their text; from the lists, the full text of the
//! selected chunk or the selected tool call's arguments and result. Pure: builds lines from
//! the span the view decoded when it was selected (see `body`) and the trace's flags.

use super::{Loaded, TraceInfo, TracePane, TraceView};
use crate::trace::{PackedTrace, Span as TraceSpan, SpanKind};
use crate::tui::text::lines;
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// The pane's title and lines for what the view's detail follows.
pub fn detail(view: &TraceView, loaded: &Loaded, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let t = &loaded.trace;
    let span = |i| view.decoded(i);
    match view.detail() {
        TracePane::Chunks => match view.selected_chunk() {
            Some((s, d)) if let Some(span) = span(s) => chunk(view, t, (s, &span), d, theme),
            _ => (" Chunk ".into(), Vec::new()),
        },
        TracePane::Tools => match view.selected_tool() {
            Some(s) if let Some(span) = span(s) => tool(t, s, &span, theme),
            _ => (" Tool call ".into(), Vec::new()),
        },
        _ => {
            let Some((_, shown)) = view.shown() else {
                return (" Answer ".into(), Vec::new());
            };
            let decoded = view.selected_span().and_then(|i| Some((i, span(i)?)));
            match decoded {
                Some((i, s)) if s.kind == SpanKind::Llm => super::call::llm_call(t, i, &s, theme),
                Some((i, s)) if !s.documents.is_empty() => retrieved(t, shown, (i, &s), theme),
                selected => {
                    let mut body = lines(&shown.answer, theme.text());
                    if let Some((i, _)) = selected {
                        body.extend(flag_lines(t, i, None, theme));
                    }
                    (" Answer ".into(), body)
                }
            }
        }
    }
}

/// A retriever's chunks, each with its id, source, score and whether the answer cites it, then
/// its text.
fn retrieved(
    t: &PackedTrace,
    shown: &TraceInfo,
    (s, span): (usize, &TraceSpan),
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let mut body = flag_lines(t, s, None, theme);
    for doc in &span.documents {
        if !body.is_empty() {
            body.push(Line::default());
        }
        body.extend(lines(&facts(doc, shown), theme.muted()));
        body.extend(lines(
            doc.content.as_deref().unwrap_or("(no text)"),
            theme.text(),
        ));
    }
    let title = format!(
        " {} · {} ",
        crate::plural::count(span.documents.len() as u64, "chunk"),
        span.name
    );
    (title, body)
}

/// "kb-0017 · faq.md · score 0.82 · cited by the answer": what a chunk list shows of a chunk.
fn facts(doc: &crate::trace::Document, shown: &TraceInfo) -> String {
    let id = doc.id.clone().unwrap_or_default();
    let mut facts = Vec::new();
    if !id.is_empty() {
        facts.push(id.clone());
    }
    if let Some(source) = &doc.source {
        facts.push(source.clone());
    }
    if let Some(score) = doc.score {
        facts.push(format!("score {score:.2}"));
    }
    facts.push(if shown.cited(&id) {
        "cited by the answer".into()
    } else {
        "not cited".into()
    });
    facts.join(" · ")
}

/// A chunk's id, source, score and whether the answer cites it, its flags, then its text.
fn chunk(
    view: &TraceView,
    t: &PackedTrace,
    (s, span): (usize, &TraceSpan),
    d: usize,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let (Some(doc), Some((_, shown))) = (span.documents.get(d), view.shown()) else {
        return (" Chunk ".into(), Vec::new());
    };
    let id = doc.id.clone().unwrap_or_default();
    let facts = format!("from span {} · {}", span.id, facts(doc, shown));
    let mut body = lines(&facts, theme.muted());
    // Only the flags about this chunk: an injection names the chunk it sits in.
    body.extend(flag_lines(t, s, Some(&id), theme));
    body.push(Line::default());
    body.extend(lines(
        doc.content.as_deref().unwrap_or("(no text)"),
        theme.text(),
    ));
    (format!(" Chunk {id} "), body)
}

/// A tool call's arguments (JSON pretty-printed), its result or error, and its flags.
fn tool(
    t: &PackedTrace,
    s: usize,
    span: &TraceSpan,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let (name, args, result) = match &span.tool {
        Some(tc) => (tc.name.clone(), tc.arguments.clone(), tc.result.clone()),
        None => (span.name.to_string(), None, span.output.clone()),
    };
    let mut body = vec![heading("arguments", theme)];
    body.extend(lines(
        &pretty(args.as_deref().unwrap_or("(none)")),
        theme.text(),
    ));
    body.push(Line::default());
    match &span.error {
        Some(e) => {
            body.push(heading("error", theme));
            body.extend(lines(e, theme.fg(theme.error)));
        }
        None => {
            body.push(heading("result", theme));
            body.extend(lines(
                &pretty(result.as_deref().unwrap_or("(none)")),
                theme.text(),
            ));
        }
    }
    body.extend(flag_lines(t, s, None, theme));
    (format!(" Tool call {name} · span {} ", span.id), body)
}

/// The flags of span `i` (only those naming `about`, when given), each after a blank line.
pub(super) fn flag_lines(
    t: &PackedTrace,
    i: usize,
    about: Option<&str>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for f in t.flags_of(i) {
        if about.is_some_and(|id| id.is_empty() || !f.reason.contains(id)) {
            continue;
        }
        out.push(Line::default());
        out.push(Line::styled(
            format!("[{}] ", f.kind.as_str()),
            theme.fg(theme.flag),
        ));
        out.extend(lines(f.reason, theme.fg(theme.flag)));
    }
    out
}

pub(super) fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        theme.muted().add_modifier(Modifier::BOLD),
    ))
}

/// JSON text indented for reading; anything else as it is.
pub(super) fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}
