//! Unit tests of `normalize.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn whitespace_mode_collapses_runs_and_trims() {
    assert_eq!(collapse_whitespace("  a \n\t b  c\n"), "a b c");
}

#[test]
fn json_mode_ignores_key_order_formatting_and_fences() {
    let a = normalize("{\"b\": 1, \"a\": [1, {\"y\":2,\"x\":1}]}", Mode::Json);
    let b = normalize(
        "```json\n{\"a\":[1,{\"x\":1,\"y\":2}],\n \"b\":1}\n```",
        Mode::Json,
    );
    assert_eq!(a, b);
    assert_eq!(a.text, "{\"a\":[1,{\"x\":1,\"y\":2}],\"b\":1}");
}

#[test]
fn json_mode_falls_back_to_exact_for_text() {
    let n = normalize("not json {", Mode::Json);
    assert!(n.fell_back);
    assert_eq!(n.text, "not json {");
    assert!(
        normalize("42", Mode::Json).fell_back,
        "scalars are not JSON outputs"
    );
}

#[test]
fn modes_parse_from_their_names() {
    for m in [Mode::Exact, Mode::Whitespace, Mode::Json] {
        assert_eq!(m.as_str().parse::<Mode>(), Ok(m));
    }
    assert!("fuzzy".parse::<Mode>().is_err());
}
