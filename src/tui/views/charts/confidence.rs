//! Token confidence: a sample's text coloured token by token by its logprob margin (the
//! probability of the chosen token minus the best alternative's, `crate::explain::margin`), so
//! the fragile tokens of an answer are seen at a glance; a sparkline of the margins along the
//! output; the token where the cell's samples split stands out. Works from the stored logprobs
//! only; a sample without them gets a sentence saying so.

use super::bars::{sparkline, squeeze_min};
use crate::explain::margin::{FRAGILE, margin};
use crate::provider::TokenLogprob;
use crate::tui::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Margins under this are shown as uncertain (muted emphasis); under [`FRAGILE`] as near-ties.
pub const UNSURE: f64 = 0.25;

/// The stored logprobs of a sample, decoded; None when it has none (or they cannot be read).
pub fn decode(blob: Option<&[u8]>) -> Option<Vec<TokenLogprob>> {
    crate::provider::logprob_codec::decode(blob?)
        .ok()
        .filter(|t| !t.is_empty())
}

/// The style of a token with `margin`: confident as plain text, uncertain in the flag colour,
/// a near-tie in the warning colour and underlined, a passed-over token in the error colour
/// and underlined (the underline keeps both visible without colour).
pub fn style(margin: Option<f64>, theme: &Theme) -> Style {
    match margin {
        Some(m) if m < 0.0 => theme
            .fg(theme.error)
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
        Some(m) if m < FRAGILE => theme
            .fg(theme.warning)
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
        Some(m) if m < UNSURE => theme.fg(theme.flag).add_modifier(Modifier::ITALIC),
        _ => theme.text(),
    }
}

/// The index of the token holding character `char_offset` of the text.
pub fn token_at(tokens: &[TokenLogprob], char_offset: usize) -> Option<usize> {
    let mut at = 0usize;
    tokens.iter().position(|t| {
        at += t.token.chars().count();
        at > char_offset
    })
}

/// The text of `tokens` as lines, each token styled by its margin; token `split` (where the
/// samples diverge) reversed on top of that.
pub fn lines(tokens: &[TokenLogprob], split: Option<usize>, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Vec::new()];
    for (i, t) in tokens.iter().enumerate() {
        let mut style = style(margin(t), theme);
        if Some(i) == split {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let text = crate::sanitize::for_display(&t.token).replace('\t', "    ");
        for (n, piece) in text.split('\n').enumerate() {
            if n > 0 {
                lines.push(Vec::new());
            }
            if let Some(line) = lines.last_mut().filter(|_| !piece.is_empty()) {
                line.push(Span::styled(piece.to_string(), style));
            }
        }
    }
    lines.into_iter().map(Line::from).collect()
}

/// One line `width` cells wide: `margins` then a sparkline of the margins along the output
/// (each column the smallest margin of its tokens, so a near-tie never vanishes), near-tie
/// columns in the warning colour; then how many tokens were near-ties.
pub fn sparkline_line(tokens: &[TokenLogprob], width: usize, theme: &Theme) -> Line<'static> {
    let margins: Vec<f64> = tokens
        .iter()
        .map(|t| margin(t).unwrap_or(1.0).clamp(0.0, 1.0))
        .collect();
    let ties = margins.iter().filter(|m| **m < FRAGILE).count();
    let tail = format!(" {ties} near-tie{}", if ties == 1 { "" } else { "s" });
    let head = "margins ";
    let room = width.saturating_sub(head.len() + tail.len());
    let columns = squeeze_min(&margins, room);
    let mut spans = vec![Span::styled(head, theme.muted())];
    for (m, c) in columns.iter().zip(sparkline(&columns, 0.0, 1.0).chars()) {
        let style = if *m < FRAGILE {
            theme.fg(theme.warning).add_modifier(Modifier::BOLD)
        } else {
            theme.muted()
        };
        spans.push(Span::styled(c.to_string(), style));
    }
    spans.push(Span::styled(tail, theme.muted()));
    Line::from(spans)
}

/// What a pane shows with confidence on: the sample's tokens by margin (`split` reversed) and
/// the sparkline for the pane's bottom border; without stored logprobs, no lines and a border
/// line saying why.
pub fn pane(
    row: &crate::store::SampleRow,
    split_char: Option<usize>,
    width: usize,
    theme: &Theme,
) -> (Option<Vec<Line<'static>>>, Line<'static>) {
    match decode(row.sample.logprobs.as_deref()) {
        Some(tokens) => {
            let split = split_char.and_then(|c| token_at(&tokens, c));
            (
                Some(lines(&tokens, split, theme)),
                sparkline_line(&tokens, width, theme),
            )
        }
        None => (
            None,
            Line::styled(
                " no token logprobs stored for this sample (m: off) ",
                theme.muted(),
            ),
        ),
    }
}

#[cfg(test)]
#[path = "confidence_tests.rs"]
mod tests;
