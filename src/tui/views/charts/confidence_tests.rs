//! Unit tests of `confidence.rs` (kept beside it so the module reads without them).

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
        tok(" within", 0.55, 0.4),
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
