//! Unit tests of `live.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;
use std::sync::Arc;

fn span(trace: &str, id: &str) -> LiveSpan {
    LiveSpan {
        trace_id: trace.into(),
        span: Span {
            id: id.into(),
            ..Span::default()
        },
    }
}

#[test]
fn cap_evicts_oldest_traces_whole_and_counts_them() {
    let counters = Arc::new(Counters::default());
    let mut live = LiveTraces::new(3, counters.clone());
    live.ingest(Batch::Spans(vec![span("a", "1"), span("a", "2")]));
    live.ingest(Batch::Spans(vec![span("b", "3")]));
    let update = live.ingest(Batch::Spans(vec![span("c", "4"), span("b", "5")]));
    assert_eq!(update.touched, vec![("c".into(), 1), ("b".into(), 1)]);
    let ids: Vec<&str> = live.traces().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(live.span_count(), 3);
    assert_eq!(counters.spans_dropped.load(Ordering::Relaxed), 2);
    assert!(live.get("a").is_none());
    assert_eq!(live.get("b").map(|t| t.spans.len()), Some(2));
    live.ingest(Batch::Spans(
        (6..10).map(|i| span("c", &i.to_string())).collect(),
    ));
    let ids: Vec<&str> = live.traces().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["c"], "one trace over the cap keeps its newest spans");
    let kept: Vec<&str> = live
        .traces()
        .flat_map(|t| &t.spans)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(kept, ["7", "8", "9"]);
    assert_eq!(
        counters.spans_dropped.load(Ordering::Relaxed),
        2 + 2 + 1 + 1
    );
}

#[test]
fn logs_before_and_after_their_span_are_attached() {
    let mut live = LiveTraces::new(100, Arc::new(Counters::default()));
    let log = |id: &str, name: &str, body| LogEvent {
        span_id: id.into(),
        name: name.into(),
        body,
    };
    live.ingest(Batch::Logs(vec![log(
        "1",
        "gen_ai.user.message",
        json!({"content": "hi"}),
    )]));
    live.ingest(Batch::Spans(vec![span("a", "1")]));
    let update = live.ingest(Batch::Logs(vec![log(
        "1",
        "gen_ai.choice",
        json!({"message": {"content": "hello"}}),
    )]));
    assert_eq!((update.changed, update.touched), (vec!["a".into()], vec![]));
    let t = live
        .get("a")
        .map(|t| t.spans[0].clone())
        .unwrap_or_default();
    assert_eq!(t.input.as_deref(), Some("user: hi"));
    assert_eq!(t.output.as_deref(), Some("hello"));
}
