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
            if !piece.is_empty() {
                if let Some(line) = lines.last_mut() {
                    line.push(Span::styled(piece.to_string(), style));
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Alternative;

    fn tok(text: &str, p: f32, other: f32) -> TokenLogprob {
        TokenLogprob {
            token: text.into(),
            logprob: p.ln(),
            top: vec![
                Alternative {
                    token: text.into(),
                    logprob: p.ln(),
                },
                Alternative {
                    token: "~".into(),
                    logprob: other.ln(),
                },
            ],
        }
    }

    #[test]
    fn tokens_are_styled_by_margin_and_the_split_is_reversed() {
        let theme = Theme::default();
        let tokens = [
            tok("Refunds", 0.99, 0.01),
            tok(" within", 0.6, 0.3),
            tok(" 30", 0.49, 0.47),
            tok("\ndays", 0.3, 0.6),
        ];
        let lines = lines(&tokens, token_at(&tokens, 16), &theme);
        assert_eq!(lines.len(), 2);
        let spans = &lines[0].spans;
        assert_eq!(spans[0].style, theme.text());
        assert_eq!(spans[1].style.fg, Some(theme.flag));
        assert_eq!(spans[2].content, " 30");
        assert_eq!(spans[2].style.fg, Some(theme.warning));
        assert!(spans[2].style.add_modifier.contains(Modifier::UNDERLINED));
        assert!(
            spans[2].style.add_modifier.contains(Modifier::REVERSED),
            "the split token"
        );
        assert_eq!(lines[1].spans[0].style.fg, Some(theme.error), "passed over");
    }

    #[test]
    fn the_sparkline_keeps_a_single_near_tie_visible() {
        let theme = Theme::default();
        let mut tokens: Vec<TokenLogprob> = (0..500).map(|_| tok("a", 0.99, 0.01)).collect();
        tokens[250] = tok("b", 0.5, 0.49);
        let line = sparkline_line(&tokens, 40, &theme);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(
            text.starts_with("margins ") && text.ends_with(" 1 near-tie"),
            "{text}"
        );
        assert_eq!(text.chars().count(), 40);
        let warned: Vec<&Span> = line
            .spans
            .iter()
            .filter(|s| s.style.fg == Some(theme.warning))
            .collect();
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].content, "▁");
    }

    #[test]
    fn no_logprobs_decode_to_none() {
        assert!(decode(None).is_none());
        assert!(decode(Some(b"not a blob")).is_none());
        let blob = crate::provider::logprob_codec::encode(&[tok("a", 0.9, 0.1)]);
        assert_eq!(decode(Some(&blob)).map(|t| t.len()), Some(1));
    }
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
