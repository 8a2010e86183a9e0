//! Every trace file under tests/fixtures/traces/real/ was written by a real instrumentation
//! library during real model calls (see its PROVENANCE.md). Each test loads one file and checks
//! what a person reading that file finds in it: format, spans, model requests, tool calls,
//! tokens, retrieved text and flags.

use std::collections::BTreeSet;
use std::path::PathBuf;
use temper::trace::detectors::{self, Limits};
use temper::trace::{Format, SpanKind, Trace};

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/traces/real")
        .join(rel)
}

fn open(rel: &str) -> Trace {
    let mut t = temper::trace::load(&path(rel), None).unwrap_or_else(|e| panic!("{rel}: {e}"));
    detectors::run(&mut t, &Limits::default());
    t
}

fn open_with_logs(rel: &str, logs: &str) -> Trace {
    let mut t = temper::trace::load_with_logs(&path(rel), &path(logs), None)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    detectors::run(&mut t, &Limits::default());
    t
}

/// (format, spans, model requests, tool calls, prompt tokens, completion tokens, flag kinds)
type Want<'a> = (Format, usize, usize, usize, u64, u64, &'a [&'a str]);

fn check(t: &Trace, rel: &str, want: Want) {
    let (format, spans, llm, tools, prompt, completion, flags) = want;
    assert_eq!(t.format, format, "{rel}: format");
    assert_eq!(t.spans.len(), spans, "{rel}: spans");
    let calls = t.model_calls();
    assert_eq!(calls.len(), llm, "{rel}: LLM calls");
    assert_eq!(t.tool_call_count(), tools, "{rel}: tool calls");
    let sum = |f: fn(&temper::trace::Usage) -> Option<u64>| -> u64 {
        calls
            .iter()
            .filter_map(|&i| t.spans[i].usage.as_ref().and_then(f))
            .sum()
    };
    assert_eq!(sum(|u| u.prompt_tokens), prompt, "{rel}: prompt tokens");
    assert_eq!(
        sum(|u| u.completion_tokens),
        completion,
        "{rel}: completion tokens"
    );
    let got: BTreeSet<&str> = t.flags.iter().map(|f| f.kind.as_str()).collect();
    let want: BTreeSet<&str> = flags.iter().copied().collect();
    assert_eq!(got, want, "{rel}: flags");
    assert!(t.warnings.is_empty(), "{rel}: warnings {:?}", t.warnings);
}

fn names_of_tool_spans(t: &Trace) -> Vec<(String, Option<String>)> {
    t.spans
        .iter()
        .filter_map(|s| s.tool.as_ref())
        .map(|c| (c.name.clone(), c.arguments.clone()))
        .collect()
}

macro_rules! fixture {
    ($name:ident, $rel:expr, $want:expr) => {
        #[test]
        fn $name() {
            let t = open($rel);
            check(&t, $rel, $want);
            extra(stringify!($name), &t);
        }
    };
}

/// Checks beyond the counts, per scenario (the test name says which).
fn extra(name: &str, t: &Trace) {
    if name.starts_with("llama_index") && t.model_calls().is_empty() {
        // The indexing batch: the retrieval with the poisoned document.
        let r = t
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::Retriever && !s.documents.is_empty());
        let docs = &r.expect("a retriever with documents").documents;
        assert_eq!(docs.len(), 3);
        assert!(docs.iter().any(|d| {
            d.content
                .as_deref()
                .is_some_and(|c| c.contains("ignore all previous instructions"))
        }));
        assert!(docs.iter().any(|d| d.content.as_deref()
            == Some("Card refunds are issued within 5 business days after the return arrives.")));
    }
    if name.starts_with("llama_index_all") {
        // predict → chat → chat is one request: the innermost span carries the tokens.
        let call = t.model_calls()[0];
        assert_eq!(t.spans[call].name, "OpenAILike.chat");
        assert!(t.parent[call].is_some_and(|p| t.spans[p].kind == SpanKind::Llm));
    }
    if name.starts_with("oi_openai") {
        let asked: Vec<_> = t.spans.iter().flat_map(|s| &s.tool_calls).collect();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].name, "lookup_order");
        assert!(
            asked[0]
                .arguments
                .as_deref()
                .is_some_and(|a| a.contains("order_id"))
        );
        let failed = t
            .flags
            .iter()
            .find(|f| f.kind.as_str() == "llm-error")
            .map(|f| f.reason.as_str());
        assert!(
            failed.is_some_and(|r| r.contains("Error code: 500")),
            "{failed:?}"
        );
    }
    if name.starts_with("agents_loop_all") {
        let tools = names_of_tool_spans(t);
        assert_eq!(tools.len(), 4);
        assert!(tools.iter().all(|(n, _)| n == "lookup_order"));
        assert_eq!(tools[3].1.as_deref(), Some(r#"{ "order_id": "" }"#));
        let turn = t
            .flags
            .iter()
            .find(|f| f.kind.as_str() == "turn-limit")
            .map(|f| f.reason.as_str());
        assert!(
            turn.is_some_and(|r| r.contains("Max turns exceeded")),
            "{turn:?}"
        );
        let looped = t
            .flags
            .iter()
            .filter(|f| f.kind.as_str() == "tool-loop")
            .count();
        assert_eq!(looped, 4, "every failing lookup_order is part of the loop");
    }
    if name.starts_with("agents_500") {
        let failed = t
            .flags
            .iter()
            .find(|f| f.kind.as_str() == "llm-error")
            .map(|f| f.reason.as_str());
        assert!(
            failed.is_some_and(|r| r.contains("Error code: 500")),
            "{failed:?}"
        );
    }
}

use Format::{Console, Otlp, OtlpProto};

const INJ_ORPHAN: &[&str] = &["injection", "orphan"];
fixture!(
    llama_index_index_json,
    "llama-index/001-traces.json",
    (Otlp, 9, 0, 0, 0, 0, INJ_ORPHAN)
);
fixture!(
    llama_index_index_pb,
    "llama-index/002-traces.pb",
    (OtlpProto, 9, 0, 0, 0, 0, INJ_ORPHAN)
);
fixture!(
    llama_index_index_proto3,
    "llama-index/002-traces.proto3.json",
    (Otlp, 9, 0, 0, 0, 0, INJ_ORPHAN)
);
fixture!(
    llama_index_query_pb,
    "llama-index/003-traces.pb",
    (OtlpProto, 9, 1, 0, 247, 32, &[])
);
fixture!(
    llama_index_query_proto3,
    "llama-index/003-traces.proto3.json",
    (Otlp, 9, 1, 0, 247, 32, &[])
);
fixture!(
    llama_index_query_json,
    "llama-index/004-traces.json",
    (Otlp, 9, 1, 0, 247, 32, &[])
);
fixture!(
    llama_index_all_console,
    "llama-index/console.txt",
    (Console, 18, 1, 0, 247, 32, &["injection"])
);
fixture!(
    llama_index_all_jsonl,
    "llama-index/spans.jsonl",
    (Otlp, 18, 1, 0, 247, 32, &["injection"])
);

const LLM_ERR: &[&str] = &["llm-error"];
fixture!(
    oi_openai_pb,
    "oi-openai/001-traces.pb",
    (OtlpProto, 3, 3, 1, 68, 32, LLM_ERR)
);
fixture!(
    oi_openai_proto3,
    "oi-openai/001-traces.proto3.json",
    (Otlp, 3, 3, 1, 68, 32, LLM_ERR)
);
fixture!(
    oi_openai_json,
    "oi-openai/002-traces.json",
    (Otlp, 3, 3, 1, 68, 32, LLM_ERR)
);
fixture!(
    oi_openai_console,
    "oi-openai/console.txt",
    (Console, 3, 3, 1, 68, 32, LLM_ERR)
);
fixture!(
    oi_openai_jsonl,
    "oi-openai/spans.jsonl",
    (Otlp, 3, 3, 1, 68, 32, LLM_ERR)
);

const A500: &[&str] = &["llm-error", "tool-error"];
fixture!(
    agents_500_pb,
    "openai-agents/001-traces.pb",
    (OtlpProto, 8, 2, 1, 33, 11, A500)
);
fixture!(
    agents_500_proto3,
    "openai-agents/001-traces.proto3.json",
    (Otlp, 8, 2, 1, 33, 11, A500)
);
fixture!(
    agents_500_json,
    "openai-agents/002-traces.json",
    (Otlp, 8, 2, 1, 33, 11, A500)
);
fixture!(
    agents_500_console,
    "openai-agents/console.txt",
    (Console, 8, 2, 1, 33, 11, A500)
);
fixture!(
    agents_500_jsonl,
    "openai-agents/spans.jsonl",
    (Otlp, 8, 2, 1, 33, 11, A500)
);

const FIRST: &[&str] = &["orphan", "tool-error"];
const LAST: &[&str] = &["tool-error", "turn-limit"];
const ALL: &[&str] = &["tool-error", "tool-loop", "turn-limit"];
fixture!(
    agents_loop_first_json,
    "openai-agents-loop/001-traces.json",
    (Otlp, 6, 2, 2, 99, 120, FIRST)
);
fixture!(
    agents_loop_first_pb,
    "openai-agents-loop/002-traces.pb",
    (OtlpProto, 6, 2, 2, 99, 120, FIRST)
);
fixture!(
    agents_loop_first_proto3,
    "openai-agents-loop/002-traces.proto3.json",
    (Otlp, 6, 2, 2, 99, 120, FIRST)
);
fixture!(
    agents_loop_last_pb,
    "openai-agents-loop/003-traces.pb",
    (OtlpProto, 9, 2, 2, 231, 31, LAST)
);
fixture!(
    agents_loop_last_proto3,
    "openai-agents-loop/003-traces.proto3.json",
    (Otlp, 9, 2, 2, 231, 31, LAST)
);
fixture!(
    agents_loop_last_json,
    "openai-agents-loop/004-traces.json",
    (Otlp, 9, 2, 2, 231, 31, LAST)
);
fixture!(
    agents_loop_all_console,
    "openai-agents-loop/console.txt",
    (Console, 15, 4, 4, 330, 151, ALL)
);
fixture!(
    agents_loop_all_jsonl,
    "openai-agents-loop/spans.jsonl",
    (Otlp, 15, 4, 4, 330, 151, ALL)
);

fixture!(
    otel_v2_first_json,
    "otel-openai-v2/003-traces.json",
    (Otlp, 1, 1, 0, 29, 24, &[])
);
fixture!(
    otel_v2_first_pb,
    "otel-openai-v2/004-traces.pb",
    (OtlpProto, 1, 1, 0, 29, 24, &[])
);
fixture!(
    otel_v2_first_proto3,
    "otel-openai-v2/004-traces.proto3.json",
    (Otlp, 1, 1, 0, 29, 24, &[])
);
fixture!(
    otel_v2_rest_pb,
    "otel-openai-v2/006-traces.pb",
    (OtlpProto, 2, 2, 0, 39, 40, LLM_ERR)
);
fixture!(
    otel_v2_rest_proto3,
    "otel-openai-v2/006-traces.proto3.json",
    (Otlp, 2, 2, 0, 39, 40, LLM_ERR)
);
fixture!(
    otel_v2_rest_json,
    "otel-openai-v2/007-traces.json",
    (Otlp, 2, 2, 0, 39, 40, LLM_ERR)
);
fixture!(
    otel_v2_console,
    "otel-openai-v2/console.txt",
    (Console, 3, 3, 0, 68, 64, LLM_ERR)
);
fixture!(
    otel_v2_jsonl,
    "otel-openai-v2/spans.jsonl",
    (Otlp, 3, 3, 0, 68, 64, LLM_ERR)
);

/// openai-v2 keeps prompts and answers out of the spans: they are log records.
fn check_logs(t: &Trace) {
    let first = t
        .spans
        .iter()
        .find(|s| s.usage.as_ref().and_then(|u| u.prompt_tokens) == Some(29));
    let first = first.expect("the first call");
    assert_eq!(
        first.input.as_deref(),
        Some("system: You are a terse support assistant.\nuser: What is the capital of France?")
    );
    assert!(
        first
            .output
            .as_deref()
            .is_some_and(|o| o.starts_with("Enchant, I am a polite"))
    );
    let asked: Vec<_> = t.spans.iter().flat_map(|s| &s.tool_calls).collect();
    assert_eq!(
        asked.len(),
        1,
        "the forced lookup_order call, from the gen_ai.choice record"
    );
    assert_eq!(asked[0].name, "lookup_order");
}

#[test]
fn otel_v2_jsonl_with_log_records() {
    let rel = "otel-openai-v2/spans.jsonl";
    let t = open_with_logs(rel, "otel-openai-v2/logs.jsonl");
    check(&t, rel, (Otlp, 3, 3, 1, 68, 64, LLM_ERR));
    check_logs(&t);
}

#[test]
fn otel_v2_console_with_log_records() {
    let rel = "otel-openai-v2/console.txt";
    let t = open_with_logs(rel, "otel-openai-v2/logs.jsonl");
    check(&t, rel, (Console, 3, 3, 1, 68, 64, LLM_ERR));
    check_logs(&t);
}

#[test]
fn otel_v2_protobuf_logs_attach_to_their_span() {
    for logs in [
        "otel-openai-v2/001-logs.pb",
        "otel-openai-v2/001-logs.proto3.json",
    ] {
        let t = open_with_logs("otel-openai-v2/004-traces.pb", logs);
        assert_eq!(
            t.spans[0].input.as_deref(),
            Some(
                "system: You are a terse support assistant.\nuser: What is the capital of France?"
            ),
            "{logs}"
        );
    }
}

/// Damaged real files: every truncation and a byte flip at many offsets either loads or fails
/// with an error; nothing panics (the fuzz targets trace_otlp_proto / trace_console go further).
#[test]
fn damaged_protobuf_and_console_files_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, name) in [
        ("openai-agents-loop/003-traces.pb", "x.pb"),
        ("oi-openai/console.txt", "x.txt"),
    ] {
        let bytes = std::fs::read(path(rel)).expect("fixture");
        let out = dir.path().join(name);
        let step = (bytes.len() / 97).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let mut damaged = bytes[..cut].to_vec();
            std::fs::write(&out, &damaged).expect("write");
            let _ = temper::trace::load(&out, None);
            if let Some(b) = damaged.last_mut() {
                *b ^= 0x5a;
            }
            damaged.extend_from_slice(&bytes[cut..]);
            std::fs::write(&out, &damaged).expect("write");
            if let Ok(mut t) = temper::trace::load(&out, None) {
                detectors::run(&mut t, &Limits::default());
            }
        }
    }
}

#[test]
fn a_truncated_protobuf_body_names_what_failed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::fs::read(path("oi-openai/001-traces.pb")).expect("fixture");
    let out = dir.path().join("cut.pb");
    std::fs::write(&out, &bytes[..bytes.len() / 2]).expect("write");
    let err = temper::trace::load(&out, Some(Format::OtlpProto)).expect_err("half a body");
    let msg = err.to_string();
    assert!(
        msg.contains("not an OTLP ExportTraceServiceRequest"),
        "{msg}"
    );
    assert!(msg.contains("otlp-proto"), "{msg}");
}
