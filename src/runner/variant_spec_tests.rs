//! Unit tests of `variant_spec.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn a_model_alone_keeps_its_name() {
    let v = Variant::parse("  mock:drift?p=0.4  ").unwrap();
    assert_eq!(v, Variant::model("mock:drift?p=0.4"));
}

#[test]
fn params_follow_the_model() {
    let v =
        Variant::parse("openai:gpt-4o-mini  temperature=0.7 seed=7 top_p=1 max_tokens=64").unwrap();
    assert_eq!(v.model, "openai:gpt-4o-mini");
    assert_eq!(
        v.name,
        "openai:gpt-4o-mini temperature=0.7 seed=7 top_p=1 max_tokens=64"
    );
    assert_eq!(v.params.temperature, Some(0.7));
    assert_eq!(v.params.seed, Some(7));
    assert_eq!(v.params.top_p, Some(1.0));
    assert_eq!(v.params.max_tokens, Some(64));
}

#[test]
fn bad_specs_say_what_and_how() {
    let e = |s: &str| Variant::parse(s).unwrap_err().to_string();
    assert_eq!(Variant::parse(" ").unwrap_err(), VariantSpecError::Empty);
    assert_eq!(
        e("m temp=1"),
        "variant \"m temp=1\": unknown parameter \"temp\" (known: temperature, top_p, max_tokens, seed, stream, response_format)"
    );
    assert_eq!(
        e("m temperature=3"),
        "variant \"m temperature=3\": temperature=\"3\": expected a number in 0..=2"
    );
    assert!(e("m seed").contains("\"seed\" is not key=value"));
    assert!(e("m max_tokens=0").contains("expected a whole number ≥ 1"));
    assert!(e("m max_tokens=99999999999").contains("too large"));
    assert!(e("m stream=yes").contains("stream=\"yes\": expected true or false"));
    assert!(e("m temperature=-1").contains("expected a number in 0..=2"));
    assert!(e("m response_format=xml").contains("expected json_schema or json_object"));
}

#[test]
fn stream_and_response_format() {
    let v = Variant::parse("local:smollm stream=true response_format=json_object").unwrap();
    assert_eq!(v.params.stream, Some(true));
    assert_eq!(v.params.response_format, Some(ResponseFormat::JsonObject));
    assert!(v.name.ends_with("stream=true response_format=json_object"));
}
