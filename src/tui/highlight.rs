//! Syntax highlighting of model outputs (JSON, Markdown) with syntect, in the theme's syntect
//! theme. The syntax and theme sets load once, lazily; [`warm_up`] loads them on a background
//! thread at start so the first highlighted frame does not pay for it.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::sync::OnceLock;
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, ThemeSet};
use syntect::parsing::SyntaxSet;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
static THEMES: OnceLock<ThemeSet> = OnceLock::new();

/// Above this size text is drawn plain: highlighting must never make a frame slow.
const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    THEMES.get_or_init(ThemeSet::load_defaults)
}

/// Load the syntax and theme sets on a background thread.
pub fn warm_up() {
    let _ = std::thread::Builder::new()
        .name("temper-syntect".into())
        .spawn(|| {
            syntaxes();
            themes();
        });
}

/// What kind of text an output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Json,
    Markdown,
    Plain,
}

/// Guess the language of a model output.
pub fn detect(text: &str) -> Lang {
    let t = text.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(text).is_ok()
    {
        return Lang::Json;
    }
    let markdown = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("```") || l.starts_with("# ") || l.starts_with("## ") || l.starts_with("- ")
    });
    if markdown {
        Lang::Markdown
    } else {
        Lang::Plain
    }
}

/// `text` (sanitised) as highlighted lines; plain lines in `fallback` when the language is
/// plain, the text is large, or the theme is unknown.
pub fn highlight(text: &str, lang: Lang, theme_name: &str, fallback: Style) -> Vec<Line<'static>> {
    let clean = crate::sanitize::for_display(text).replace('\t', "    ");
    let plain = |clean: &str| {
        clean
            .split('\n')
            .map(|l| Line::styled(l.to_string(), fallback))
            .collect()
    };
    let extension = match lang {
        Lang::Json => "json",
        Lang::Markdown => "md",
        Lang::Plain => return plain(&clean),
    };
    if clean.len() > MAX_HIGHLIGHT_BYTES {
        return plain(&clean);
    }
    let set = syntaxes();
    let (Some(syntax), Some(theme)) = (
        set.find_syntax_by_extension(extension),
        themes().themes.get(theme_name),
    ) else {
        return plain(&clean);
    };
    let mut h = HighlightLines::new(syntax, theme);
    let mut out = Vec::new();
    for line in syntect::util::LinesWithEndings::from(&clean) {
        let Ok(ranges) = h.highlight_line(line, set) else {
            return plain(&clean);
        };
        let spans: Vec<Span<'static>> = ranges
            .into_iter()
            .map(|(style, piece)| {
                let fg = style.foreground;
                let mut s = fallback.fg(Color::Rgb(fg.r, fg.g, fg.b));
                if style.font_style.contains(FontStyle::BOLD) {
                    s = s.add_modifier(Modifier::BOLD);
                }
                if style.font_style.contains(FontStyle::ITALIC) {
                    s = s.add_modifier(Modifier::ITALIC);
                }
                Span::styled(piece.trim_end_matches(['\n', '\r']).to_string(), s)
            })
            .collect();
        out.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_colours_json() {
        assert_eq!(detect("{\"a\": 1}"), Lang::Json);
        assert_eq!(detect("# Title\ntext"), Lang::Markdown);
        assert_eq!(detect("just words"), Lang::Plain);
        let lines = highlight(
            "{\"a\": 1}",
            Lang::Json,
            "base16-ocean.dark",
            Style::default(),
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].to_string(), "{\"a\": 1}");
        assert!(
            lines[0].spans.len() > 1,
            "JSON should be split into coloured tokens"
        );
    }

    #[test]
    fn hostile_output_is_sanitised_and_unknown_theme_is_plain() {
        let lines = highlight(
            "{\"a\": \"\u{1b}[2J\"}",
            Lang::Json,
            "nope",
            Style::default(),
        );
        assert_eq!(lines[0].to_string(), "{\"a\": \"\"}");
        assert_eq!(lines[0].spans.len(), 1);
    }
}
