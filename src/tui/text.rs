//! Turning untrusted text into drawable lines. Every string from prompts, models or traces
//! passes through `crate::sanitize` here before it becomes a ratatui `Span`.

use super::theme::Theme;
use crate::analysis::worddiff::{Span as DiffSpan, SpanKind};
use crate::prompt::PromptBody;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Sanitised text as owned lines of one style (tabs shown as spaces, one `Line` per `\n`).
pub fn lines(text: &str, style: Style) -> Vec<Line<'static>> {
    let clean = crate::sanitize::for_display(text).replace('\t', "    ");
    clean
        .split('\n')
        .map(|l| Line::styled(l.to_string(), style))
        .collect()
}

/// A one-line sanitised span (for list rows and titles).
pub fn one_line(text: &str, style: Style) -> Span<'static> {
    Span::styled(crate::sanitize::one_line(text), style)
}

fn params_line(body: &PromptBody) -> String {
    let p = &body.params;
    let mut parts = Vec::new();
    if let Some(t) = p.temperature {
        parts.push(format!("temperature={t}"));
    }
    if let Some(t) = p.top_p {
        parts.push(format!("top_p={t}"));
    }
    if let Some(t) = p.max_tokens {
        parts.push(format!("max_tokens={t}"));
    }
    if let Some(s) = p.seed {
        parts.push(format!("seed={s}"));
    }
    if !p.stop.is_empty() {
        parts.push(format!("stop={:?}", p.stop));
    }
    if p.response_schema.is_some() {
        parts.push("response_schema".into());
    }
    if parts.is_empty() {
        "(defaults)".into()
    } else {
        parts.join(" ")
    }
}

/// The body as plain text, the form both the body pane and the version diff show.
pub fn body_text(body: &PromptBody) -> String {
    let mut out = format!("params: {}\n", params_line(body));
    for (k, v) in &body.vars {
        out.push_str(&format!("var {k} = {v}\n"));
    }
    if !body.tools.is_empty() {
        out.push_str(&format!("tools: {}\n", body.tools.len()));
    }
    for m in &body.messages {
        out.push_str(&format!(
            "\n── {} ──\n{}\n",
            m.role.as_str(),
            m.display_text()
        ));
    }
    out
}

/// The body as styled lines: params muted, each message under a role-coloured header.
pub fn styled_body(body: &PromptBody, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(vec![
        Span::styled("params ", theme.muted()),
        one_line(&params_line(body), theme.text()),
    ])];
    for (k, v) in &body.vars {
        out.push(Line::from(vec![
            Span::styled("var ", theme.muted()),
            one_line(k, theme.fg(theme.accent)),
            Span::styled(" = ", theme.muted()),
            one_line(v, theme.text()),
        ]));
    }
    if !body.tools.is_empty() {
        out.push(Line::styled(
            format!("tools  {}", body.tools.len()),
            theme.muted(),
        ));
    }
    for m in &body.messages {
        out.push(Line::default());
        out.push(Line::styled(
            format!("── {} ──", m.role.as_str()),
            theme.role(m.role),
        ));
        out.extend(lines(&m.display_text(), theme.text()));
    }
    out
}

/// Which half of a side-by-side diff to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    Old,
    #[default]
    New,
}

/// One side of a word diff as lines: the old side shows removed words, the new side added ones.
pub fn diff_side(spans: &[DiffSpan], side: Side, theme: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = vec![Line::default()];
    for span in spans {
        let style = match (span.kind, side) {
            (SpanKind::Same, _) => theme.text(),
            (SpanKind::Removed, Side::Old) => theme
                .fg(theme.removed)
                .add_modifier(Modifier::BOLD | Modifier::CROSSED_OUT),
            (SpanKind::Added, Side::New) => theme
                .fg(theme.added)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            _ => continue,
        };
        let clean = crate::sanitize::for_display(&span.text).replace('\t', "    ");
        for (i, piece) in clean.split('\n').enumerate() {
            if i > 0 {
                out.push(Line::default());
            }
            if !piece.is_empty()
                && let Some(last) = out.last_mut()
            {
                last.spans.push(Span::styled(piece.to_string(), style));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
