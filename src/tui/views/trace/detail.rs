//! The detail pane of the Trace view: the answer (with the selected span's flags), the full
//! text of the selected chunk, or the selected tool call's arguments and result, following
//! the list pane last focused. Pure: builds lines from the loaded trace.

use super::{Loaded, TracePane, TraceView};
use crate::trace::Trace;
use crate::tui::text::lines;
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// The pane's title and lines for what the view's detail follows.
pub fn detail(view: &TraceView, loaded: &Loaded, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let t = &loaded.trace;
    match view.detail() {
        TracePane::Chunks => match view.selected_chunk() {
            Some((s, d)) => chunk(t, loaded, s, d, theme),
            None => (" Chunk ".into(), Vec::new()),
        },
        TracePane::Tools => match view.selected_tool() {
            Some(s) => tool(t, s, theme),
            None => (" Tool call ".into(), Vec::new()),
        },
        _ => {
            let mut body = lines(&loaded.answer, theme.text());
            if let Some(i) = view.selected_span() {
                body.extend(flag_lines(t, i, None, theme));
            }
            (" Answer ".into(), body)
        }
    }
}

/// A chunk's id, source, score and whether the answer cites it, its flags, then its text.
fn chunk(
    t: &Trace,
    loaded: &Loaded,
    s: usize,
    d: usize,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let doc = &t.spans[s].documents[d];
    let id = doc.id.clone().unwrap_or_default();
    let mut facts = vec![format!("from span {}", t.spans[s].id)];
    if let Some(source) = &doc.source {
        facts.push(source.clone());
    }
    if let Some(score) = doc.score {
        facts.push(format!("score {score:.2}"));
    }
    facts.push(if loaded.cited(&id) {
        "cited by the answer".into()
    } else {
        "not cited".into()
    });
    let mut body = lines(&facts.join(" · "), theme.muted());
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
        None => (span.name.clone(), None, span.output.clone()),
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
fn flag_lines(t: &Trace, i: usize, about: Option<&str>, theme: &Theme) -> Vec<Line<'static>> {
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

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        theme.muted().add_modifier(Modifier::BOLD),
    ))
}

/// JSON text indented for reading; anything else as it is.
fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}
