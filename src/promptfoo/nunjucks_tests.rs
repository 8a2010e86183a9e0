//! Unit tests of `nunjucks.rs` (kept beside it so the module reads without them).

use super::*;

fn vars(json: &str) -> Map<String, Value> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn spaces_filters_and_fields_become_derived_vars() {
    let t = compile(
        "Hi {{ name | upper }} from {{city}} ({{ user.id }}) {{ tags|dump }}",
        Path::new("p.txt"),
        1,
    )
    .unwrap();
    assert_eq!(
        t.text,
        "Hi {{name__upper}} from {{city}} ({{user.id}}) {{tags__dump}}"
    );
    let v = vars(r#"{"name":"ada","city":"Paris","user":{"id":7},"tags":["a","b"]}"#);
    let got: Vec<String> = t.exprs.iter().map(|e| e.value(&v).unwrap()).collect();
    assert_eq!(got, ["ADA", "Paris", "7", r#"["a","b"]"#]);
}

#[test]
fn dump_of_a_string_quotes_it_and_trim_lower_chain() {
    let t = compile("{{ s | dump }} {{ s | trim | lower }}", Path::new("p"), 1).unwrap();
    let v = vars(r#"{"s":"  Hey "}"#);
    assert_eq!(t.exprs[0].value(&v).unwrap(), r#""  Hey ""#);
    assert_eq!(t.exprs[1].value(&v).unwrap(), "hey");
}

#[test]
fn loops_and_unknown_filters_are_errors_with_the_line() {
    let e = compile(
        "a\nb\n{% for x in xs %}{{x}}{% endfor %}",
        Path::new("p.txt"),
        10,
    )
    .unwrap_err();
    assert_eq!(e.line, 12);
    assert!(e.message.contains("{% for x in xs %}"), "{}", e.message);
    let e = compile("x\n{{ (style | load).tone }}", Path::new("p.txt"), 1).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("(style | load).tone"), "{}", e.message);
    let e = compile("{{ x | replace('a','b') }}", Path::new("p.txt"), 1).unwrap_err();
    assert!(e.message.contains("beyond the subset"));
    assert!(
        compile("{{ x ", Path::new("p"), 1)
            .unwrap_err()
            .message
            .contains("never closed")
    );
}

#[test]
fn comments_vanish_and_missing_vars_are_none() {
    let t = compile("a{# note #}b {{x}}", Path::new("p"), 1).unwrap();
    assert_eq!(t.text, "ab {{x}}");
    assert_eq!(t.exprs[0].value(&Map::new()), None);
}
