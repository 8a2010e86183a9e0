//! Unit tests of `render.rs` (kept beside it so the module reads without them).

use super::*;
use crate::analysis::diff::{DiffOptions, diff_texts};

fn plain(line: &Line) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}

#[test]
fn unified_folds_unchanged_lines_and_emphasises_changed_words() {
    let old = "1\n2\n3\n4\n5\nthe cat\n";
    let new = "1\n2\n3\n4\n5\nthe dog\n";
    let lines = unified(&diff_texts(old, new, &DiffOptions::default()), 1, false);
    let text: Vec<String> = lines.iter().map(plain).collect();
    assert_eq!(
        text,
        ["⋯ 4 unchanged lines", "  5", "- the cat", "+ the dog"]
    );
    assert!(
        lines[2]
            .iter()
            .any(|s| s.tint == Tint::RemovedEmph && s.text == "cat")
    );
}

#[test]
fn side_by_side_wraps_to_width_and_sanitises() {
    let d = diff_texts(
        "short",
        "a much longer line \u{1b}[31mthat wraps",
        &DiffOptions::default(),
    );
    let lines = side_by_side(&d, 40, 3, true);
    assert!(lines.len() > 1, "{lines:?}");
    for l in &lines {
        assert!(!plain(l).contains('\u{1b}'));
        assert!(display_width(&plain(l)) <= 40, "{}", plain(l));
    }
    assert!(plain(&lines[0]).starts_with("   1 short"));
    let bar = |l: &Line| plain(l).find('│');
    assert!(
        lines.iter().all(|l| bar(l) == bar(&lines[0])),
        "columns stay aligned"
    );
}
