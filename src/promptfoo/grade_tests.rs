//! Unit tests of `grade.rs` (kept beside it so the module reads without them).

use super::*;
use crate::promptfoo::assert::{At, compile};
use serde_json::json;

fn a(v: Value) -> Assertion {
    compile(
        &v,
        &At {
            path: std::path::Path::new("c"),
            line: 1,
        },
    )
    .unwrap()
}

fn ok(output: &str) -> SampleFacts<'_> {
    SampleFacts {
        ok: true,
        output,
        latency_ms: Some(120.0),
        cost_usd: Some(0.001),
        finish_reason: Some("stop"),
        ..Default::default()
    }
}

fn pass(asserts: &[Assertion], out: &str) -> bool {
    grade_test(asserts, None, &[], &ok(out)).passed
}

#[test]
fn text_assertions_and_negation() {
    assert!(pass(
        &[a(json!({"type":"icontains","value":"BONJOUR"}))],
        "bonjour le monde"
    ));
    assert!(!pass(
        &[a(json!({"type":"contains","value":"BONJOUR"}))],
        "bonjour"
    ));
    assert!(pass(
        &[a(json!({"type":"not-contains","value":"x"}))],
        "abc"
    ));
    assert!(pass(
        &[a(json!({"type":"contains-any","value":["q","b"]}))],
        "abc"
    ));
    assert!(!pass(
        &[a(json!({"type":"contains-all","value":"a, z"}))],
        "abc"
    ));
    assert!(pass(
        &[a(json!({"type":"starts-with","value":"Ahoy"}))],
        "Ahoy matey"
    ));
    assert!(pass(&[a(json!({"type":"regex","value":"^\\d+$"}))], "42"));
    assert!(pass(
        &[a(json!({"type":"equals","value":{"a":1}}))],
        "{ \"a\": 1 }"
    ));
    assert!(pass(
        &[a(
            json!({"type":"levenshtein","value":"hello","threshold":1})
        )],
        "hallo"
    ));
    assert!(!pass(
        &[a(
            json!({"type":"levenshtein","value":"hello","threshold":1})
        )],
        "help!"
    ));
}

#[test]
fn json_assertions_with_schema() {
    let schema = json!({"type":"is-json","value":{"type":"object","required":["color"]}});
    assert!(pass(&[a(schema.clone())], r#"{"color":"red"}"#));
    assert!(!pass(&[a(schema)], r#"{"size":1}"#));
    assert!(!pass(&[a(json!({"type":"is-json"}))], "Sure! {\"a\":1}"));
    assert!(pass(
        &[a(json!({"type":"contains-json"}))],
        "Sure! {\"a\":1} done"
    ));
    assert!(!pass(
        &[a(json!({"type":"contains-json"}))],
        "no json {here"
    ));
}

#[test]
fn cost_latency_finish_reason_and_threshold() {
    assert!(pass(&[a(json!({"type":"latency","threshold":200}))], "x"));
    assert!(!pass(&[a(json!({"type":"cost","threshold":0.0001}))], "x"));
    assert!(pass(
        &[a(json!({"type":"finish-reason","value":"stop"}))],
        "x"
    ));
    let two = [
        a(json!({"type":"contains","value":"a","weight":3})),
        a(json!({"type":"contains","value":"z"})),
    ];
    assert!(grade_test(&two, Some(0.75), &[], &ok("a")).passed);
    assert!(!grade_test(&two, Some(0.8), &[], &ok("a")).passed);
    assert!(!grade_test(&two, None, &[], &ok("a")).passed);
}

#[test]
fn failed_call_fails_and_skipped_types_are_not_graded() {
    let js = [a(json!({"type":"javascript","value":"true"}))];
    let failed = SampleFacts {
        ok: false,
        error: Some("HTTP 500"),
        ..Default::default()
    };
    assert!(!grade_test(&js, None, &[], &failed).passed);
    assert!(!is_graded(&js[0]));
}

#[test]
fn llm_rubric_passes_at_the_threshold_and_fails_without_a_score() {
    let rubric = [a(
        json!({"type":"llm-rubric","value":"polite","threshold":0.5}),
    )];
    let default_bar = [a(json!({"type":"llm-rubric","value":"polite"}))];
    let score = |s: f64| Grade::Score {
        score: s,
        reason: None,
    };
    let with = |g: &Grade, asserts: &[Assertion]| {
        let grades = [("polite", g)];
        let facts = SampleFacts {
            rubric_grades: &grades,
            ..ok("hi")
        };
        grade_test(asserts, None, &[], &facts)
    };
    assert!(with(&score(0.5), &rubric).passed);
    assert!(
        !with(&score(0.5), &default_bar).passed,
        "default bar is 0.7"
    );
    assert!(with(&score(0.7), &default_bar).passed);
    let unreadable = Grade::Unreadable { text: "ok".into() };
    assert!(!with(&unreadable, &rubric).passed);
    let failed = with(
        &Grade::CallFailed {
            error: "HTTP 500".into(),
        },
        &rubric,
    );
    assert!(failed.failed[0].1.contains("HTTP 500"), "{failed:?}");
    assert!(!pass(&rubric, "hi"), "no grade is no pass");
}

#[test]
fn tools_call_checks_names_and_arguments() {
    let tools = [
        json!({"type":"function","function":{"name":"weather","parameters":{"type":"object","required":["city"]}}}),
    ];
    let check = |calls: &str| tools_call(&tools, Some(calls)).0;
    assert!(check(
        r#"[{"id":"1","name":"weather","arguments":"{\"city\":\"Oslo\"}"}]"#
    ));
    assert!(!check(r#"[{"id":"1","name":"weather","arguments":"{}"}]"#));
    assert!(!check(r#"[{"id":"1","name":"other","arguments":"{}"}]"#));
    assert!(!tools_call(&tools, None).0);
}
