//! Unit tests of the packed trace: every span of every real trace in tests/fixtures/traces and
//! of a generated trace with every field (far times, orphans, cycles, duplicate ids) decodes to
//! exactly the span packed, and the tree, walk and flags read as the `Trace`'s.

use super::*;
use crate::trace::detectors::{self, Limits};
use crate::trace::model::{Document, SpanExtra, ToolCall, ToolRequest, Usage};
use crate::trace::tree::Trace;
use crate::trace::wire::JsonText;
use std::path::{Path, PathBuf};

/// Everything a view reads of `t` must read the same from `p`.
pub(super) fn assert_same(t: &Trace, p: &PackedTrace, what: &str) {
    assert_eq!(p.len(), t.spans.len(), "{what}");
    for (i, s) in t.spans.iter().enumerate() {
        let back = p.span(i);
        assert!(
            back == *s,
            "{what}: span {i} decodes differently:\n{back:?}\n{s:?}"
        );
        // The JSONL line too (the file format, field for field).
        let line = |s: &Span| serde_json::to_string(s).unwrap_or_default();
        assert_eq!(line(&back), line(s), "{what}: span {i}");
        assert_eq!(p.id(i), s.id.as_str(), "{what}");
        assert_eq!(p.name(i), s.name.as_str(), "{what}");
        assert_eq!((p.kind(i), p.status(i)), (s.kind, s.status), "{what}");
        assert_eq!((p.start(i), p.end(i)), (s.start, s.end), "{what}");
        assert_eq!(p.duration_ms(i), s.duration_ms(), "{what}");
        assert_eq!(p.failed(i), s.failed(), "{what}");
        assert_eq!(p.is_tool(i), s.tool.is_some() || s.kind == SpanKind::Tool);
        assert_eq!(p.documents(i).len(), s.documents.len(), "{what}");
        let docs: Vec<Document> = p.documents(i).iter().map(|d| d.to_document()).collect();
        assert_eq!(docs, s.documents, "{what}");
        assert_eq!(p.span_ref(i).output.map(|o| o.str()), s.output.as_deref());
        assert_eq!(p.parent(i), t.parent[i], "{what}");
        let kids: Vec<usize> = p.children(i).iter().map(|&c| c as usize).collect();
        assert_eq!(kids, t.children[i], "{what}");
        assert_eq!(p.root_of(i), t.root_of(i), "{what}");
        let flags: Vec<(FlagKind, &str)> = p.flags_of(i).map(|f| (f.kind, f.reason)).collect();
        let want: Vec<(FlagKind, &str)> = t
            .flags_of(i)
            .iter()
            .map(|f| (f.kind, f.reason.as_str()))
            .collect();
        assert_eq!(flags, want, "{what}: flags of span {i}");
    }
    let walk: Vec<(usize, usize)> = p
        .walk()
        .iter()
        .map(|&(i, d)| (i as usize, d as usize))
        .collect();
    assert_eq!(walk, t.walk(), "{what}");
    let roots: Vec<usize> = p.roots().iter().map(|&r| r as usize).collect();
    assert_eq!(roots, t.roots, "{what}");
    let flags: Vec<(usize, FlagKind, &str)> =
        p.flags().map(|f| (f.span, f.kind, f.reason)).collect();
    let want: Vec<(usize, FlagKind, &str)> = t
        .flags
        .iter()
        .map(|f| (f.span, f.kind, f.reason.as_str()))
        .collect();
    assert_eq!(flags, want, "{what}");
}

fn pack_and_check(t: Trace, what: &str) -> PackedTrace {
    let packed = PackedTrace::pack(t.clone());
    assert_same(&t, &packed, what);
    packed
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_real_fixture_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traces");
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    let (mut traces, mut spans) = (0, 0);
    for path in &paths {
        // The provenance notes and pip freezes are not traces.
        let Ok(mut t) = crate::trace::load(path, None) else {
            continue;
        };
        detectors::run(&mut t, &Limits::default());
        traces += 1;
        spans += t.spans.len();
        pack_and_check(t, &path.display().to_string());
    }
    assert!(traces >= 30, "only {traces} fixtures loaded");
    assert!(spans >= 300, "only {spans} spans in {traces} files");
}

fn at(ns: i128) -> Option<Timestamp> {
    Timestamp::from_nanosecond(ns).ok()
}

/// Spans with every field and every edge the heads have a sentinel or a side table for.
fn generated() -> Vec<Span> {
    let far_past = "1500-01-01T00:00:00Z".parse().ok();
    let far_future = "9999-12-31T23:59:59.999999999Z".parse().ok();
    let full = SpanExtra {
        error: Some("boom ✗".into()),
        usage: Some(Usage {
            prompt_tokens: Some(u64::MAX),
            completion_tokens: None,
            total_tokens: Some(0),
        }),
        cost: Some(-0.0),
        documents: vec![
            Document::default(),
            Document {
                id: Some("kb-1".into()),
                source: Some(String::new()),
                score: Some(f64::INFINITY),
                content: Some("chunk\ntext é".into()),
            },
        ],
        tool: Some(ToolCall {
            name: "search".into(),
            arguments: Some("{\"q\":1}".into()),
            result: None,
        }),
        tool_calls: vec![
            ToolRequest::default(),
            ToolRequest {
                id: Some("call_1".into()),
                name: "f".into(),
                arguments: Some(String::new()),
            },
        ],
        tool_call_id: Some("call_0".into()),
        output_schema: Some(serde_json::json!({"type": "object", "n": 1.5, "big": u64::MAX})),
        request: Some(JsonText::new(
            &serde_json::json!({"messages": [{"role": "user", "content": "hi"}]}),
        )),
    };
    let mut spans = vec![
        Span {
            id: "root".into(),
            name: "a name longer than twenty-four bytes".into(),
            start: at(1_700_000_000_000_000_000),
            end: at(1_700_000_000_500_000_000),
            ..Span::default()
        }
        .with_extra(full),
        Span {
            id: "far".into(),
            parent: Some("root".into()),
            kind: SpanKind::Retriever,
            status: Status::Error,
            start: far_past,
            end: far_future,
            input: Some(String::new()),
            output: Some("x".repeat(100_000)),
            model: Some("gpt-4o-mini".into()),
            ..Span::default()
        },
        Span {
            id: "sentinel".into(),
            parent: Some("root".into()),
            kind: SpanKind::Tool,
            start: at(i128::from(i64::MIN)),
            end: at(i128::from(i64::MIN) + 1),
            ..Span::default()
        },
        Span {
            id: "lost".into(),
            parent: Some("nowhere".into()),
            status: Status::Ok,
            ..Span::default()
        },
        Span {
            id: "empty-parent".into(),
            parent: Some(String::new().into()),
            kind: SpanKind::Embedding,
            ..Span::default()
        },
        Span {
            id: "x".into(),
            parent: Some("y".into()),
            ..Span::default()
        },
        Span {
            id: "y".into(),
            parent: Some("x".into()),
            kind: SpanKind::Agent,
            ..Span::default()
        },
        // A second "root": links go to the first one.
        Span {
            id: "root".into(),
            parent: Some("far".into()),
            kind: SpanKind::Reranker,
            ..Span::default()
        },
    ];
    for i in 0..1000 {
        spans.push(Span {
            id: format!("s{i}").into(),
            parent: Some(if i % 7 == 0 {
                "root".into()
            } else {
                format!("s{}", i / 2).into()
            }),
            kind: KINDS[i % KINDS.len()],
            name: format!("step {i}").into(),
            start: at(1_700_000_000_000_000_000 + (i as i128 % 13) * 1_000_000),
            end: (i % 5 != 0)
                .then(|| at(1_700_000_001_000_000_000))
                .flatten(),
            output: (i % 3 == 0).then(|| format!("out {i}")),
            ..Span::default()
        });
    }
    spans
}

#[test]
fn a_generated_trace_with_every_field_round_trips() {
    let mut t = Trace::build(Format::TemperJsonl, generated(), Vec::new());
    detectors::run(&mut t, &Limits::default());
    assert!(
        !t.orphans.is_empty() && !t.cycles.is_empty(),
        "the edges are there"
    );
    let p = pack_and_check(t, "generated");
    assert_eq!(p.far.len(), 2, "far times and the sentinel kept aside");
    assert_eq!(p.find("root"), Some(0));
    assert_eq!(p.find("nope"), None);
}

#[test]
fn concat_reads_as_the_concatenated_trace() {
    let mut a = Trace::build(Format::TemperJsonl, generated(), Vec::new());
    detectors::run(&mut a, &Limits::default());
    let spans = vec![
        Span {
            id: "b0".into(),
            ..Span::default()
        },
        Span {
            id: "b1".into(),
            parent: Some("b0".into()),
            ..Span::default()
        }
        .with_extra(SpanExtra {
            error: Some("failed".into()),
            ..SpanExtra::default()
        }),
    ];
    let mut b = Trace::build(Format::Otlp, spans, Vec::new());
    detectors::run(&mut b, &Limits::default());
    let whole = crate::trace::receiver::concat(&[&b, &a, &b]);
    let (pa, pb) = (PackedTrace::pack(a), PackedTrace::pack(b));
    let joined = PackedTrace::concat(Format::Otlp, &[&pb, &pa, &pb]);
    assert_same(&whole, &joined, "concat");
}

#[test]
fn the_packed_heads_are_small() {
    let spans = (0..10_000)
        .map(|i| Span {
            id: format!("s{i}").into(),
            parent: (i > 0).then(|| format!("s{}", (i - 1) / 10).into()),
            name: format!("step-{i}").into(),
            output: Some(format!("output {i}")),
            ..Span::default()
        })
        .collect();
    let p = PackedTrace::pack(Trace::build(Format::TemperJsonl, spans, Vec::new()));
    let per_span = p.heap_bytes() / p.len();
    // Heads 42 bytes, the arena about 34: a `Span` alone is 208.
    assert!(per_span <= 90, "{per_span} bytes a span");
}
