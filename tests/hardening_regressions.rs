//! Inputs that once crashed or leaked, kept as plain tests (found by the fuzz targets in fuzz/
//! and by the hardening tests; see docs/hardening.md). Each feeds the exact bytes again.

mod hardening_support;

use hardening_support::Env;
use temper::trace::{Format, Usage};

/// Token counts near u64::MAX: `temper trace` summed and added them unchecked, a panic in debug
/// builds ("attempt to add with overflow") and a wrapped, wrong total in release builds.
const HUGE_TOKENS: &[u8] = br#"{"id":"a","kind":"llm","model":"gpt-4o","usage":{"prompt_tokens":18446744073709551615,"completion_tokens":5}}
{"id":"b","parent":"a","kind":"llm","model":"gpt-4o","usage":{"prompt_tokens":18446744073709551615,"completion_tokens":18446744073709551615},"cost":1e308}
{"id":"c","parent":"a","kind":"llm","cost":1e308,"start":"2024-01-01T00:00:00Z","end":"1970-01-01T00:00:00Z"}
"#;

#[test]
fn token_counts_near_u64_max_do_not_overflow() {
    let env = Env::new();
    let path = env.file("huge-tokens.jsonl", HUGE_TOKENS);
    let path = path.to_str().unwrap();
    let summary = env.ok_inert(&["trace", path]);
    assert!(String::from_utf8_lossy(&summary).contains("18446744073709551615"));
    env.ok_inert(&["trace", path, "--json"]);
    env.ok_inert(&["trace", path, "--span", "b"]);
    let usage = Usage {
        prompt_tokens: Some(u64::MAX),
        completion_tokens: Some(1),
        total_tokens: None,
    };
    assert_eq!(usage.total(), Some(u64::MAX));
}

#[test]
fn token_counts_near_u64_max_in_every_format() {
    let env = Env::new();
    let max = u64::MAX;
    let files = [
        (
            "openinference.jsonl",
            format!(
                r#"{{"name":"x","context":{{"span_id":"s1","trace_id":"t"}},"span_kind":"LLM","attributes":{{"openinference.span.kind":"LLM","llm.model_name":"gpt-4o","llm.token_count.prompt":{max},"llm.token_count.completion":{max}}}}}"#
            ),
        ),
        (
            "otlp.json",
            format!(
                r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"t","spanId":"s1","name":"chat","attributes":[{{"key":"gen_ai.operation.name","value":{{"stringValue":"chat"}}}},{{"key":"gen_ai.request.model","value":{{"stringValue":"gpt-4o"}}}},{{"key":"gen_ai.usage.input_tokens","value":{{"intValue":"{max}"}}}},{{"key":"gen_ai.usage.output_tokens","value":{{"intValue":"{max}"}}}}]}}]}}]}}]}}"#
            ),
        ),
    ];
    for (name, content) in files {
        let path = env.file(name, content);
        let path_str = path.to_str().unwrap();
        env.ok_inert(&["trace", path_str]);
        let trace = temper::trace::load(&path, None).unwrap();
        assert!(matches!(trace.format, Format::OpenInference | Format::Otlp));
    }
}
