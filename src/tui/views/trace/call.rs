//! The detail pane for an LLM span selected in the tree: what the call was sent (its input
//! messages, rebuilt by `crate::trace::request::reconstruct` as `temper replay` sees them, else
//! the recorded input as it is) and what it answered (its output and the tool calls it asked
//! for), with its model, tokens, duration, error and flags.

use super::detail::{flag_lines, heading, pretty};
use crate::trace::request::reconstruct;
use crate::trace::{PackedTrace, Span as TraceSpan};
use crate::tui::text::lines;
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Title and lines for the LLM span `i` of `t`, decoded as `span`.
pub fn llm_call(
    t: &PackedTrace,
    i: usize,
    span: &TraceSpan,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let mut body = Vec::new();
    let facts = facts(span);
    if !facts.is_empty() {
        body.extend(lines(&facts, theme.muted()));
        body.push(Line::default());
    }
    body.push(heading("input", theme));
    match reconstruct(span) {
        Ok(request) => {
            for m in &request.messages {
                body.extend(message(m, theme));
            }
        }
        Err(_) => body.extend(lines(
            &pretty(span.input.as_deref().unwrap_or("(not recorded)")),
            theme.text(),
        )),
    }
    body.push(Line::default());
    body.push(heading("output", theme));
    match (&span.output, span.tool_calls.is_empty()) {
        (Some(out), _) if !out.is_empty() => body.extend(lines(out, theme.text())),
        (_, false) => {}
        _ => body.extend(lines("(none)", theme.muted())),
    }
    for call in &span.tool_calls {
        let text = format!(
            "→ {}({})",
            call.name,
            call.arguments.as_deref().unwrap_or("")
        );
        body.extend(lines(&text, theme.fg(theme.accent)));
    }
    if let Some(e) = &span.error {
        body.push(Line::default());
        body.push(heading("error", theme));
        body.extend(lines(e, theme.fg(theme.error)));
    }
    body.extend(flag_lines(t, i, None, theme));
    (format!(" LLM call {} · span {} ", span.name, span.id), body)
}

/// "model smollm2 · 412→38 tok · 812ms", what is known of it.
fn facts(span: &crate::trace::Span) -> String {
    let mut facts = Vec::new();
    if let Some(model) = &span.model {
        facts.push(format!("model {model}"));
    }
    if let Some(u) = &span.usage {
        match (u.prompt_tokens, u.completion_tokens) {
            (Some(i), Some(o)) => facts.push(format!("{i}→{o} tok")),
            _ => facts.extend(u.total().map(|n| format!("{n} tok"))),
        }
    }
    if let Some(ms) = span.duration_ms() {
        facts.push(format!("{ms:.0}ms"));
    }
    facts.join(" · ")
}

/// One message: its role in bold, its text, and the tool calls it made.
fn message(m: &crate::prompt::Message, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!("{}:", m.role.as_str()),
        theme.fg(theme.label).add_modifier(Modifier::BOLD),
    ))];
    if !m.content.is_empty() {
        out.extend(lines(&m.content, theme.text()));
    }
    for call in &m.tool_calls {
        let text = format!("→ {}({})", call.name, call.arguments);
        out.extend(lines(&text, theme.fg(theme.accent)));
    }
    out
}
