//! Unit tests of `snapshot.rs` (kept beside it so the module reads without them).

use super::*;
use crate::trace::Span;
use crate::trace::receiver::{Batch, Counters, LiveSpan};
use std::sync::Arc;

fn span(trace: &str, id: &str, parent: Option<&str>, start: &str) -> LiveSpan {
    LiveSpan {
        trace_id: trace.into(),
        span: Span {
            id: id.into(),
            name: format!("{trace}-{id}").into(),
            parent: parent.map(Into::into),
            start: start.parse().ok(),
            ..Span::default()
        },
    }
}

#[test]
fn newest_trace_first_with_links_and_flags_shifted() {
    let mut live = LiveTraces::new(100, Arc::new(Counters::default()));
    let mut snaps = Snapshots::new(Limits::default());
    let u = live.ingest(Batch::Spans(vec![
        span("old", "a", None, "2025-01-01T00:00:00Z"),
        span("old", "b", Some("a"), "2025-01-01T00:00:01Z"),
    ]));
    let ids: Vec<String> = u.touched.into_iter().map(|(id, _)| id).collect();
    snaps.combine(&live, &ids);
    // A child whose parent has not arrived yet is an orphan root, flagged.
    let u = live.ingest(Batch::Spans(vec![span(
        "new",
        "d",
        Some("c"),
        "2025-01-01T00:00:03Z",
    )]));
    let ids: Vec<String> = u.touched.into_iter().map(|(id, _)| id).collect();
    let t = snaps.combine(&live, &ids);
    let walk: Vec<&str> = t.walk().iter().map(|&(i, _)| t.name(i as usize)).collect();
    assert_eq!(walk, ["new-d", "old-a", "old-b"]);
    assert_eq!(t.parent(2), Some(1));
    assert_eq!(t.children(1), [2]);
    let flags: Vec<(usize, &str)> = t.flags().map(|f| (f.span, f.kind.as_str())).collect();
    assert_eq!(flags, [(0, "orphan")]);
    // The parent arrives: the orphan flag goes, the tree links up.
    let u = live.ingest(Batch::Spans(vec![span(
        "new",
        "c",
        None,
        "2025-01-01T00:00:02Z",
    )]));
    let ids: Vec<String> = u.touched.into_iter().map(|(id, _)| id).collect();
    let t = snaps.combine(&live, &ids);
    let walk: Vec<(&str, u32)> = t
        .walk()
        .iter()
        .map(|&(i, d)| (t.name(i as usize), d))
        .collect();
    assert_eq!(
        walk,
        [("new-c", 0), ("new-d", 1), ("old-a", 0), ("old-b", 1)]
    );
    assert_eq!(t.flags().count(), 0);
}
