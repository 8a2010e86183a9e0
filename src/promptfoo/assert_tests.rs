//! Unit tests of `assert.rs` (kept beside it so the module reads without them).

use super::*;

fn at() -> At<'static> {
    At {
        path: Path::new("c.yaml"),
        line: 3,
    }
}

#[test]
fn shorthands_follow_promptfoo() {
    assert_eq!(
        from_shorthand("icontains:bonjour"),
        serde_json::json!({"type":"icontains","value":"bonjour"})
    );
    assert_eq!(
        from_shorthand("not-contains-any:a,b"),
        serde_json::json!({"type":"not-contains-any","value":"a,b"})
    );
    assert_eq!(
        from_shorthand("levenshtein(3):hello"),
        serde_json::json!({"type":"levenshtein","value":"hello","threshold":3.0})
    );
    assert_eq!(
        from_shorthand("is-json"),
        serde_json::json!({"type":"is-json","value":null})
    );
    assert_eq!(
        from_shorthand("grade: is polite"),
        serde_json::json!({"type":"llm-rubric","value":"is polite"})
    );
    assert_eq!(
        from_shorthand("Paris"),
        serde_json::json!({"type":"equals","value":"Paris"})
    );
}

#[test]
fn bad_regex_and_missing_threshold_name_the_line() {
    let e = compile(&serde_json::json!({"type":"regex","value":"(a"}), &at()).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("does not compile"));
    let e = compile(&serde_json::json!({"type":"latency"}), &at()).unwrap_err();
    assert!(e.message.contains("threshold"));
    let a = compile(&serde_json::json!({"type":"javascript","value":"1"}), &at()).unwrap();
    assert!(matches!(a.kind, Kind::Unsupported(ref t) if t == "javascript"));
}
