//! Unit tests of `diff.rs` (kept beside it so the module reads without them).

use super::*;

fn text_of(spans: &[Span], kind: SpanKind) -> String {
    spans
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| s.text.as_str())
        .collect()
}

#[test]
fn aligns_lines_and_marks_words() {
    let d = diff_texts(
        "a\nthe cat sat\nz\n",
        "a\nthe dog sat\nz\nextra\n",
        &DiffOptions::default(),
    );
    let kinds: Vec<RowKind> = d.rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            RowKind::Same,
            RowKind::Changed,
            RowKind::Same,
            RowKind::Added
        ]
    );
    assert_eq!(text_of(&d.rows[1].old, SpanKind::Removed), "cat");
    assert_eq!(text_of(&d.rows[1].new, SpanKind::Added), "dog");
    assert_eq!(d.rows[3].new_line, Some(4));
    assert_eq!((d.added_lines, d.removed_lines), (2, 1));
}

#[test]
fn char_granularity_marks_characters() {
    let opts = DiffOptions {
        granularity: Granularity::Char,
        ..DiffOptions::default()
    };
    let d = diff_texts("price 10", "price 19", &opts);
    assert_eq!(text_of(&d.rows[0].old, SpanKind::Removed), "0");
    assert_eq!(text_of(&d.rows[0].new, SpanKind::Added), "9");
}

#[test]
fn huge_outputs_degrade_to_lines() {
    let opts = DiffOptions {
        inline_limit_bytes: 10,
        ..DiffOptions::default()
    };
    let d = diff_texts("the cat sat", "the dog sat", &opts);
    assert_eq!(d.granularity, Granularity::Line);
    assert!(
        d.degraded
            .as_deref()
            .unwrap_or("")
            .contains("line granularity")
    );
    assert_eq!(text_of(&d.rows[0].old, SpanKind::Removed), "the cat sat");
}
