//! Unit tests of `render.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::Role;

fn body(content: &str) -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, content)],
        ..Default::default()
    }
}

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn substitutes_and_trims_names() {
    let r = render(
        &body("Q: {{ question }} / {{question}}"),
        &vars(&[("question", "why?")]),
    )
    .unwrap();
    assert_eq!(r.messages[0].content, "Q: why? / why?");
    assert!(r.warnings.is_empty());
}

#[test]
fn missing_var_is_named() {
    let err = render(&body("{{a}} {{b}}"), &vars(&[("a", "1")])).unwrap_err();
    assert_eq!(err, RenderError::MissingVars(vec!["b".into()]));
    assert!(err.to_string().contains("--var b="));
}

#[test]
fn unused_var_warns() {
    let r = render(&body("hi"), &vars(&[("x", "1")])).unwrap();
    assert_eq!(r.warnings, vec!["variable x is not used by any message"]);
}

#[test]
fn defaults_apply_and_cli_overrides() {
    let mut b = body("{{q}}");
    b.vars.insert("q".into(), "default".into());
    assert_eq!(
        render(&b, &BTreeMap::new()).unwrap().messages[0].content,
        "default"
    );
    assert_eq!(
        render(&b, &vars(&[("q", "cli")])).unwrap().messages[0].content,
        "cli"
    );
}

#[test]
fn non_var_braces_are_left_alone() {
    let r = render(&body("json: {{ not a var }} and {{"), &BTreeMap::new()).unwrap();
    assert_eq!(r.messages[0].content, "json: {{ not a var }} and {{");
}
