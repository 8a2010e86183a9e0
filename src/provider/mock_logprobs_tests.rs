//! Unit tests of `mock_logprobs.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn tokens_rebuild_the_answer_and_identical_answers_agree() {
    let text = "Annual plans are refundable within 30 days [c2].";
    let a = synthesize("drift", text, text, 5, 0);
    let joined: String = a.iter().map(|t| t.token.as_str()).collect();
    assert_eq!(joined, text);
    assert_eq!(a, synthesize("drift", text, text, 5, 0));
    // "30" (o200k splits the space off numbers) and " within" are near-ties with their
    // drift counterparts as runners-up.
    let thirty = a.iter().find(|t| t.token == "30").unwrap();
    assert!((0.5..0.57).contains(&thirty.probability()));
    assert_eq!(thirty.top[1].token, "31");
    let within = a.iter().find(|t| t.token == " within").unwrap();
    assert_eq!(within.top[1].token, " in");
    let plans = a.iter().find(|t| t.token == " plans").unwrap();
    assert!(plans.probability() > 0.9);
    assert!(
        a.iter()
            .all(|t| t.top.len() <= 5 && t.top[0].token == t.token)
    );
}

#[test]
fn the_drifted_token_wins_by_a_hair_over_the_original() {
    let original = "Refunds within 30 days.";
    let drifted = "Refunds within 32 days.";
    let a = synthesize("drift", original, drifted, 2, 0);
    let changed = a.iter().find(|t| t.token == "32").unwrap();
    assert!((0.5..0.55).contains(&changed.probability()));
    assert_eq!(changed.top[1].token, "30");
    assert!(
        synthesize("drift", original, drifted, 0, 0)[0]
            .top
            .is_empty()
    );
}

#[test]
fn counterparts_are_the_next_number_or_the_swapped_word() {
    assert_eq!(counterpart(" 41").as_deref(), Some(" 42"));
    assert_eq!(counterpart(" must").as_deref(), Some(" should"));
    assert_eq!(counterpart(" should").as_deref(), Some(" must"));
    assert_eq!(counterpart(" refund"), None);
}

#[test]
fn words_attach_the_leading_space_like_a_bpe_split() {
    assert_eq!(words("it is, ok"), ["it", " is", ",", " ok"]);
    assert_eq!(words("é  x"), ["é", "  x"]);
}
