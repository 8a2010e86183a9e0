//! Unit tests of `expect.rs` (kept beside it so the module reads without them).

use super::*;

fn must(prompt: Option<&str>, output: &str, min_similarity: f64) -> MustEqual {
    MustEqual {
        prompt: prompt.map(str::to_string),
        output: output.into(),
        min_similarity,
    }
}

#[test]
fn equality_ignores_whitespace_and_json_formatting() {
    let m = must(None, "Paris is  the capital.", 1.0);
    let ok = [(0, "Paris is the capital.\n"), (1, "Lyon is the capital.")];
    let miss = m.mismatches(&ok);
    assert_eq!(miss.len(), 1);
    assert_eq!(miss[0].sample, 1);
    assert!(miss[0].similarity > 0.5 && miss[0].similarity < 1.0);
    let json = must(None, r#"{"a": 1, "b": [2]}"#, 1.0);
    assert_eq!(json.mode(), Mode::Json);
    assert!(json.mismatches(&[(0, r#"{"b":[2],"a":1}"#)]).is_empty());
    assert_eq!(json.mismatches(&[(0, r#"{"b":[3],"a":1}"#)]).len(), 1);
}

#[test]
fn similarity_loosens_equality() {
    let text = "the answer is forty two and that is final";
    let close = "the answer is forty three and that is final";
    assert_eq!(must(None, text, 1.0).mismatches(&[(0, close)]).len(), 1);
    assert!(must(None, text, 0.8).mismatches(&[(0, close)]).is_empty());
    assert_eq!(
        must(None, text, 0.8)
            .mismatches(&[(0, "something else entirely")])
            .len(),
        1
    );
}

#[test]
fn prompt_matches_a_name_or_one_version() {
    assert!(must(Some("replay-ab"), "x", 1.0).applies_to("replay-ab@3"));
    assert!(!must(Some("replay-ab"), "x", 1.0).applies_to("replay-abc@3"));
    assert!(must(Some("replay-ab@3"), "x", 1.0).applies_to("replay-ab@3"));
    assert!(!must(Some("replay-ab@2"), "x", 1.0).applies_to("replay-ab@3"));
    assert!(must(None, "x", 1.0).applies_to("anything@1"));
}
