//! Unit tests of `mock_judge.rs` (kept beside it so the module reads without them).

use super::*;

fn ask(rubric: &str, response: &str) -> serde_json::Value {
    let user = format!(
        "<rubric>\n{rubric}\n</rubric>\n\n<input>\nq\n</input>\n\n<response>\n{response}\n</response>"
    );
    serde_json::from_str(&grade(&user)).unwrap()
}

#[test]
fn scores_the_share_of_quoted_phrases() {
    let rubric = r#"Mentions "refund" and "30 days"."#;
    assert_eq!(ask(rubric, "A Refund within 30 days.")["score"], 1.0);
    assert_eq!(ask(rubric, "A refund, soon.")["score"], 0.5);
    assert_eq!(ask(rubric, "No.")["score"], 0.0);
    assert_eq!(ask(rubric, "No."), ask(rubric, "No."), "deterministic");
}

#[test]
fn without_quotes_it_scores_shared_words_and_without_sections_zero() {
    let v = ask(
        "explains the billing policy",
        "Our billing policy is strict.",
    );
    assert_eq!(v["score"], 0.67, "{v}");
    let none: serde_json::Value = serde_json::from_str(&grade("grade this")).unwrap();
    assert_eq!(none["score"], 0.0);
}
