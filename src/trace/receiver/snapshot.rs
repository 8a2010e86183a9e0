//! What a live view shows: every held trace built as a span tree with its detector flags,
//! combined into one `Trace` whose roots run newest trace first. Only the traces a batch touched
//! are rebuilt and rescanned; the others are copied from the last build.

use super::live::LiveTraces;
use crate::trace::Trace;
use crate::trace::detectors::{self, Limits};
use std::collections::HashMap;

/// The built traces of a live session, kept between batches.
pub struct Snapshots {
    built: HashMap<String, Trace>,
    limits: Limits,
}

impl Snapshots {
    /// No trace built yet; `limits` are the detectors' thresholds.
    pub fn new(limits: Limits) -> Snapshots {
        Snapshots {
            built: HashMap::new(),
            limits,
        }
    }

    /// Rebuild the traces `touched` names (changed since the last call), forget the evicted
    /// ones, and combine every held trace, newest first.
    pub fn combine<'a>(
        &mut self,
        live: &LiveTraces,
        touched: impl IntoIterator<Item = &'a String>,
    ) -> Trace {
        for id in touched {
            if let Some(found) = live.get(id) {
                let mut trace = found.build();
                detectors::run(&mut trace, &self.limits);
                self.built.insert(id.clone(), trace);
            }
        }
        self.built.retain(|id, _| live.get(id).is_some());
        let parts: Vec<&Trace> = live
            .traces()
            .rev()
            .filter_map(|t| self.built.get(&t.id))
            .collect();
        concat(&parts)
    }
}

/// One trace holding `parts` in order: spans appended, every index shifted, each part's roots
/// after the previous part's (so a view walks them in this order).
pub fn concat(parts: &[&Trace]) -> Trace {
    let n = parts.iter().map(|t| t.spans.len()).sum();
    let mut out = Trace {
        format: crate::trace::Format::Otlp,
        spans: Vec::with_capacity(n),
        parent: Vec::with_capacity(n),
        children: Vec::with_capacity(n),
        roots: Vec::new(),
        root: Vec::with_capacity(n),
        warnings: Vec::new(),
        bad_lines: 0,
        orphans: Vec::new(),
        cycles: Vec::new(),
        flags: Vec::new(),
    };
    for part in parts {
        let at = out.spans.len();
        let shift = |i: &usize| i + at;
        out.spans.extend(part.spans.iter().cloned());
        out.parent
            .extend(part.parent.iter().map(|p| p.as_ref().map(shift)));
        out.children
            .extend(part.children.iter().map(|c| c.iter().map(shift).collect()));
        out.roots.extend(part.roots.iter().map(shift));
        out.root.extend(part.root.iter().map(shift));
        out.orphans.extend(part.orphans.iter().map(shift));
        out.cycles.extend(part.cycles.iter().map(shift));
        out.warnings.extend(part.warnings.iter().cloned());
        out.flags
            .extend(part.flags.iter().map(|f| crate::trace::Flag {
                span: f.span + at,
                ..f.clone()
            }));
    }
    out
}

#[cfg(test)]
mod tests {
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
        let walk: Vec<&str> = t
            .walk()
            .iter()
            .map(|&(i, _)| t.spans[i].name.as_str())
            .collect();
        assert_eq!(walk, ["new-d", "old-a", "old-b"]);
        assert_eq!(t.parent[2], Some(1));
        assert_eq!(t.children[1], vec![2]);
        assert_eq!(t.flags.len(), 1);
        assert_eq!((t.flags[0].span, t.flags[0].kind.as_str()), (0, "orphan"));
        // The parent arrives: the orphan flag goes, the tree links up.
        let u = live.ingest(Batch::Spans(vec![span(
            "new",
            "c",
            None,
            "2025-01-01T00:00:02Z",
        )]));
        let ids: Vec<String> = u.touched.into_iter().map(|(id, _)| id).collect();
        let t = snaps.combine(&live, &ids);
        let walk: Vec<(&str, usize)> = t
            .walk()
            .iter()
            .map(|&(i, d)| (t.spans[i].name.as_str(), d))
            .collect();
        assert_eq!(
            walk,
            [("new-c", 0), ("new-d", 1), ("old-a", 0), ("old-b", 1)]
        );
        assert!(t.flags.is_empty());
    }
}
