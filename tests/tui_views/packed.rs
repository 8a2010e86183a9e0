//! The trace the Trace view gets from the real worker is packed (`trace::packed`): every span
//! decodes to what `temper trace` loads from the same file, with the same tree and flags.

use super::*;
use temper::trace::detectors::{Limits, run};

#[test]
fn the_workers_packed_trace_reads_as_the_loaded_trace() {
    let files = [
        "examples/traces/rag-answer.temper.jsonl",
        "examples/traces/agent-tools.otlp.json",
        "examples/traces/rag-answer.langfuse.json",
        "tests/fixtures/traces/real/llama-index/spans.jsonl",
        "tests/fixtures/traces/real/openai-agents-loop/002-traces.pb",
        "tests/fixtures/traces/real/otel-openai-v2/spans.jsonl",
    ];
    for file in files {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let Event::Trace { result, .. } = trace_event(file) else {
            panic!("{file}: not a trace event");
        };
        let packed = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut trace = temper::trace::load(&path, None).unwrap();
        run(&mut trace, &Limits::default());
        assert_eq!(packed.len(), trace.spans.len(), "{file}");
        for (i, span) in trace.spans.iter().enumerate() {
            assert!(packed.span(i) == *span, "{file}: span {i}");
            let kids: Vec<usize> = packed.children(i).iter().map(|&c| c as usize).collect();
            assert_eq!(kids, trace.children[i], "{file}: children of {i}");
        }
        let walk: Vec<(usize, usize)> = packed
            .walk()
            .iter()
            .map(|&(i, d)| (i as usize, d as usize))
            .collect();
        assert_eq!(walk, trace.walk(), "{file}");
        let flags: Vec<(usize, &str, &str)> = packed
            .flags()
            .map(|f| (f.span, f.kind.as_str(), f.reason))
            .collect();
        let want: Vec<(usize, &str, &str)> = trace
            .flags
            .iter()
            .map(|f| (f.span, f.kind.as_str(), f.reason.as_str()))
            .collect();
        assert_eq!(flags, want, "{file}");
    }
}
