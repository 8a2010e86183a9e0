//! Unit tests of `highlight.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn detects_and_colours_json() {
    assert_eq!(detect("{\"a\": 1}"), Lang::Json);
    assert_eq!(detect("# Title\ntext"), Lang::Markdown);
    assert_eq!(detect("just words"), Lang::Plain);
    assert_eq!(detect("def f(x):\n    return x + 1\n"), Lang::Code("py"));
    assert_eq!(detect("select id\nfrom t;"), Lang::Code("sql"));
    assert_eq!(detect("fn main() {\n}"), Lang::Code("rs"));
    assert_eq!(
        detect("From the context, yes."),
        Lang::Plain,
        "one line of prose"
    );
    assert_eq!(detect("From the context:\nyes."), Lang::Plain);
    let python = highlight(
        "def f(x):\n    return x",
        Lang::Code("py"),
        "base16-ocean.dark",
        Style::default(),
    );
    assert!(
        python[0].spans.len() > 1,
        "keywords are coloured: {python:?}"
    );
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
fn syntax_colours_fill_unchanged_words_and_changes_keep_the_diff_style() {
    let plain = Style::default();
    let changed = Style::default().fg(Color::Red);
    let diff = vec![Line::from(vec![
        Span::styled("{\"a\": ", plain),
        Span::styled("1", changed),
        Span::styled("}", plain),
    ])];
    let syntax = highlight("{\"a\": 2}", Lang::Json, "base16-ocean.dark", plain);
    // Different text (2 vs 1): the diff wins untouched.
    assert_eq!(overlay_syntax(diff.clone(), &syntax, plain), diff);
    let syntax = highlight("{\"a\": 1}", Lang::Json, "base16-ocean.dark", plain);
    let merged = overlay_syntax(diff, &syntax, plain);
    assert_eq!(merged[0].to_string(), "{\"a\": 1}");
    let style_of = |text: &str| {
        merged[0]
            .spans
            .iter()
            .find(|s| s.content.contains(text))
            .map(|s| s.style)
    };
    assert_eq!(style_of("1"), Some(changed), "the change keeps its colour");
    let key = style_of("a").unwrap();
    assert!(
        key.fg.is_some() && key != plain,
        "the key is syntax-coloured"
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
