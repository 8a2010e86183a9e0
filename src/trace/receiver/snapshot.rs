//! What a live view shows: every held trace built as a span tree with its detector flags,
//! combined into one packed trace whose roots run newest trace first. Only the traces a batch
//! touched are rebuilt, rescanned and packed; the others are copied from the last build as
//! bytes (`PackedTrace::concat`).

use super::live::LiveTraces;
use crate::trace::detectors::{self, Limits};
use crate::trace::{PackedTrace, Trace};
use std::collections::HashMap;

/// The built traces of a live session, kept packed between batches.
pub struct Snapshots {
    built: HashMap<String, PackedTrace>,
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
    ) -> PackedTrace {
        for id in touched {
            if let Some(found) = live.get(id) {
                let mut trace = found.build();
                detectors::run(&mut trace, &self.limits);
                self.built.insert(id.clone(), PackedTrace::pack(trace));
            }
        }
        self.built.retain(|id, _| live.get(id).is_some());
        let parts: Vec<&PackedTrace> = live
            .traces()
            .rev()
            .filter_map(|t| self.built.get(&t.id))
            .collect();
        PackedTrace::concat(crate::trace::Format::Otlp, &parts)
    }
}

/// One trace holding `parts` in order: spans appended, every index shifted, each part's roots
/// after the previous part's (so a view walks them in this order). The `Trace` form of what
/// [`Snapshots::combine`] builds packed.
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
#[path = "snapshot_tests.rs"]
mod tests;
