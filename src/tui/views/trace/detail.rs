//! The detail pane of the Trace view, following the list pane last focused: from the tree, the
//! shown trace's answer (with the selected span's flags), an LLM call's input messages and
//! output, or a retriever's chunks with their text; from the lists, the full text of the
//! selected chunk or the selected tool call's arguments and result. Pure: builds lines from
//! the loaded trace.

use super::{Loaded, TraceInfo, TracePane, TraceView};
use crate::trace::{SpanKind, Trace};
use crate::tui::text::lines;
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// The pane's title and lines for what the view's detail follows.
pub fn detail(view: &TraceView, loaded: &Loaded, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let t = &loaded.trace;
    match view.detail() {
        TracePane::Chunks => match view.selected_chunk() {
            Some((s, d)) => chunk(view, t, s, d, theme),
            None => (" Chunk ".into(), Vec::new()),
        },
        TracePane::Tools => match view.selected_tool() {
            Some(s) => tool(t, s, theme),
            None => (" Tool call ".into(), Vec::new()),
        },
        _ => {
            let Some((_, shown)) = view.shown() else {
                return (" Answer ".into(), Vec::new());
            };
            match view.selected_span() {
                Some(i) if t.spans[i].kind == SpanKind::Llm => super::call::llm_call(t, i, theme),
                Some(i) if !t.spans[i].documents.is_empty() => retrieved(t, shown, i, theme),
                selected => {
                    let mut body = lines(&shown.answer, theme.text());
                    if let Some(i) = selected {
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
    t: &Trace,
    shown: &TraceInfo,
    s: usize,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let span = &t.spans[s];
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
    t: &Trace,
    s: usize,
    d: usize,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let doc = &t.spans[s].documents[d];
    let id = doc.id.clone().unwrap_or_default();
    let Some((_, shown)) = view.shown() else {
        return (" Chunk ".into(), Vec::new());
    };
    let facts = format!("from span {} · {}", t.spans[s].id, facts(doc, shown));
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
fn tool(t: &Trace, s: usize, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let span = &t.spans[s];
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
    t: &Trace,
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
        out.extend(lines(&f.reason, theme.fg(theme.flag)));
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
