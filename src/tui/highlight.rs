//! Syntax highlighting of model outputs (JSON, Markdown, bare code) with syntect, in the theme's syntect
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
    /// Code without a Markdown fence, by syntect's file extension (`py`, `rs`, `js`, `sql`, `html`).
    Code(&'static str),
    Plain,
}

/// How a bare code answer starts, per language: the first non-empty line is checked.
const CODE_STARTS: &[(&str, &[&str])] = &[
    (
        "py",
        &["def ", "import ", "from ", "class ", "async def ", "@"],
    ),
    (
        "rs",
        &[
            "fn ", "pub ", "use ", "impl ", "struct ", "enum ", "#[", "mod ",
        ],
    ),
    (
        "js",
        &[
            "function ",
            "const ",
            "export ",
            "import {",
            "let ",
            "async function ",
        ],
    ),
    (
        "sql",
        &[
            "SELECT ", "WITH ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ",
        ],
    ),
    ("html", &["<!DOCTYPE", "<html", "<div", "<?xml"]),
];

/// The language of a bare code answer, if its first line looks like one.
fn code_language(text: &str) -> Option<&'static str> {
    let first = text.lines().find(|l| !l.trim().is_empty())?.trim_start();
    let upper = first.to_ascii_uppercase();
    CODE_STARTS.iter().find_map(|(ext, starts)| {
        starts
            .iter()
            .any(|s| first.starts_with(s) || (*ext == "sql" && upper.starts_with(s)))
            .then_some(*ext)
    })
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
        return Lang::Markdown;
    }
    // One line of prose ("From the context, ...") is not code: ask for a second line too.
    match code_language(text) {
        Some(ext) if text.trim().lines().count() > 1 => Lang::Code(ext),
        _ => Lang::Plain,
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
        Lang::Code(ext) => ext,
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

/// Syntax colours under a word diff: characters the diff left in `plain` (unchanged words) take
/// the colours of `syntax` (the same text highlighted), changed words keep the diff's colours.
/// The diff is returned as is when the two disagree on the text (it is the source of truth).
pub fn overlay_syntax(
    diff: Vec<Line<'static>>,
    syntax: &[Line<'static>],
    plain: Style,
) -> Vec<Line<'static>> {
    let chars = |line: &Line<'static>| -> Vec<(char, Style)> {
        line.spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect()
    };
    if diff.len() != syntax.len() {
        return diff;
    }
    let mut out = Vec::with_capacity(diff.len());
    for (d, h) in diff.iter().zip(syntax) {
        let (d, h) = (chars(d), chars(h));
        if d.len() != h.len() || d.iter().zip(&h).any(|(a, b)| a.0 != b.0) {
            return diff;
        }
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut run = String::new();
        let mut current: Option<Style> = None;
        for ((c, diff_style), (_, syntax_style)) in d.into_iter().zip(h) {
            let style = if diff_style == plain {
                syntax_style
            } else {
                diff_style
            };
            if current.is_some_and(|s| s != style) {
                spans.push(Span::styled(
                    std::mem::take(&mut run),
                    current.unwrap_or(plain),
                ));
            }
            current = Some(style);
            run.push(c);
        }
        if let Some(style) = current {
            spans.push(Span::styled(run, style));
        }
        out.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
#[path = "highlight_tests.rs"]
mod tests;
