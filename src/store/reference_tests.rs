//! Unit tests of `reference.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn parses_the_three_forms() {
    assert_eq!(
        Reference::parse("a").unwrap(),
        Reference::Latest("a".into())
    );
    assert_eq!(
        Reference::parse("a@3").unwrap(),
        Reference::Number("a".into(), 3)
    );
    assert_eq!(
        Reference::parse("team/a:prod").unwrap(),
        Reference::Label("team/a".into(), "prod".into())
    );
}

#[test]
fn rejects_malformed() {
    for bad in ["", "a@", "a@x", "@3", "a@0", "a:", ":prod"] {
        assert!(Reference::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn suggests_close_names() {
    let names = ["support-answer", "extract-invoice", "classify-ticket"];
    assert_eq!(
        close_matches("suport-answer", names.iter().copied()),
        vec!["support-answer"]
    );
    assert!(close_matches("zzz", names.iter().copied()).is_empty());
}
