//! Unit tests of `sanitize.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn clean_text_is_borrowed() {
    assert!(matches!(for_display("hello\nworld\t!"), Cow::Borrowed(_)));
}

#[test]
fn strips_csi_osc_and_controls() {
    let hostile = "a\u{1b}[2Jb\u{1b}[10;20Hc\u{1b}]52;c;ZXZpbA==\u{07}d\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\e\u{0}\u{7}\u{85}f";
    assert_eq!(for_display(hostile), "abcdlinkef");
}

#[test]
fn bidi_is_made_visible() {
    assert_eq!(for_display("x\u{202E}y"), "x<U+202E>y");
}

#[test]
fn c1_csi_is_stripped() {
    assert_eq!(for_display("a\u{9b}31mb"), "ab");
}

#[test]
fn truncated_sequences_do_not_panic() {
    for s in ["\u{1b}", "\u{1b}[", "\u{1b}]52;", "x\u{1b}[1;"] {
        let _ = for_display(s);
    }
}

#[test]
fn one_line_folds_newlines() {
    assert_eq!(one_line("a\nb\tc"), "a b c");
}
