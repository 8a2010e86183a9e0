//! Unit tests of `file.rs` (kept beside it so the module reads without them).

use super::*;

const GOOD: &str = r#"
name = "support-answer"
message = "first"
[params]
temperature = 0.0
max_tokens = 400
[[messages]]
role = "system"
content = "Answer only from the context."
[[messages]]
role = "user"
content = "Q: {{question}}"
[vars]
question = "How long?"
"#;

#[test]
fn parses_and_round_trips() {
    let f = PromptFile::parse(GOOD, "x.toml").unwrap();
    assert_eq!(f.name, "support-answer");
    assert_eq!(f.body.messages.len(), 2);
    assert_eq!(f.body.params.max_tokens, Some(400));
    let again = PromptFile::parse(&f.to_toml(), "again").unwrap();
    assert_eq!(again, f);
}

#[test]
fn parse_error_has_line_and_column() {
    let bad = "name = \"x\"\n[[messages]]\nrole = \"system\"\ncontent = \n";
    let err = PromptFile::parse(bad, "bad.toml").unwrap_err().to_string();
    assert!(err.starts_with("bad.toml:4:"), "{err}");
}

#[test]
fn unknown_role_and_keys_are_rejected() {
    let bad = "name = \"x\"\n[[messages]]\nrole = \"wizard\"\ncontent = \"hi\"\n";
    let err = PromptFile::parse(bad, "r.toml").unwrap_err().to_string();
    assert!(err.contains("r.toml:3:"), "{err}");
    let typo = "name = \"x\"\n[params]\ntemprature = 0.0\n[[messages]]\nrole = \"user\"\ncontent = \"hi\"\n";
    let err = PromptFile::parse(typo, "t.toml").unwrap_err().to_string();
    assert!(err.contains("temprature"), "{err}");
}

#[test]
fn names_with_reference_characters_are_rejected() {
    assert!(validate_name("a@b").is_err());
    assert!(validate_name("team/support-answer").is_ok());
    for bad in [
        "../up",
        "/abs/path",
        "a/../../b",
        "a//b",
        "a/",
        ".",
        "a/./b",
    ] {
        assert!(validate_name(bad).is_err(), "{bad}");
    }
}
