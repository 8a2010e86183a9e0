//! Building a [`PackedTrace`]: from a `Trace` it consumes (each span encoded and dropped in
//! turn, so the two are never both whole), and from packed traces put one after another (the
//! live view's traces, each packed once when it changes).

use super::encode::encode;
use super::{
    FAILED, FAR_TIME, HAS_DOCUMENTS, HAS_TOOL, NO_TIME, NONE, PackedFlag, PackedTrace,
    STATUS_SHIFT, STATUSES,
};
use crate::trace::format::Format;
use crate::trace::model::{Flag, Span};
use crate::trace::tree::Trace;
use jiff::Timestamp;
use std::collections::HashMap;

/// A span index as the heads keep it. A trace of 4 billion spans would need terabytes as a
/// `Trace` before it could be packed, so every index fits.
fn small(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// Nanoseconds in an i64, or [`FAR_TIME`] when they do not fit (or collide with a sentinel).
fn nanos(t: Option<Timestamp>) -> i64 {
    match t.map(|t| i64::try_from(t.as_nanosecond())) {
        None => NO_TIME,
        Some(Ok(ns)) if ns > FAR_TIME => ns,
        Some(_) => FAR_TIME,
    }
}

fn meta(span: &Span) -> u8 {
    let kind = super::KINDS
        .iter()
        .position(|k| *k == span.kind)
        .unwrap_or(7) as u8;
    let status = STATUSES.iter().position(|s| *s == span.status).unwrap_or(2) as u8;
    let mut m = kind | (status << STATUS_SHIFT);
    if span.failed() {
        m |= FAILED;
    }
    if span.tool.is_some() {
        m |= HAS_TOOL;
    }
    if !span.documents.is_empty() {
        m |= HAS_DOCUMENTS;
    }
    m
}

impl PackedTrace {
    /// Pack `trace` (after its detectors ran), consuming it: each span is encoded and dropped
    /// in turn, so packing holds one copy of the spans, not two.
    pub fn pack(trace: Trace) -> PackedTrace {
        let Trace {
            format,
            spans,
            parent,
            children,
            roots,
            root,
            warnings,
            bad_lines,
            flags,
            ..
        } = trace;
        let n = spans.len();
        // Whether each span's parent id is its linked parent's id: then the id is not kept twice.
        let linked: Vec<bool> = spans
            .iter()
            .zip(&parent)
            .map(|(s, p)| match (p, &s.parent) {
                (Some(p), Some(id)) => spans.get(*p).is_some_and(|ps| ps.id == *id),
                _ => false,
            })
            .collect();
        let mut out = PackedTrace::empty(format, n);
        out.warnings = warnings;
        out.bad_lines = bad_lines;
        out.parent = parent.iter().map(|p| p.map_or(NONE, small)).collect();
        drop(parent);
        out.root = root.iter().map(|&r| small(r)).collect();
        drop(root);
        out.roots = roots.iter().map(|&r| small(r)).collect();
        out.children.reserve_exact(n.saturating_sub(roots.len()));
        for list in children {
            out.children_at.push(small(out.children.len()));
            out.children.extend(list.iter().map(|&c| small(c)));
        }
        out.children_at.push(small(out.children.len()));
        for (i, span) in spans.into_iter().enumerate() {
            out.push(i, &span, linked.get(i).copied().unwrap_or(false));
        }
        out.at.push(out.arena.len() as u64);
        out.arena.shrink_to_fit();
        out.set_flags(flags);
        out
    }

    /// Pack a trace just loaded, as the TUI's worker does: [`PackedTrace::pack`], then the
    /// memory the `Trace` held handed back to the operating system. glibc keeps a freed small
    /// block in its heap until the heap's top is free: the packed columns, allocated while the
    /// `Trace` was whole (and in the heap, not mapped apart, once a freed temporary of the
    /// detectors raised glibc's mapping threshold), sit above a million freed strings, and a
    /// 1,000,000-span trace left 106 MB free but resident (docs/performance.md, "Traces").
    pub fn from_loaded(trace: Trace) -> PackedTrace {
        let packed = PackedTrace::pack(trace);
        crate::trace::release_freed_memory();
        packed
    }

    fn empty(format: Format, n: usize) -> PackedTrace {
        PackedTrace {
            format,
            warnings: Vec::new(),
            bad_lines: 0,
            at: Vec::with_capacity(n + 1),
            arena: Vec::new(),
            meta: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
            far: Vec::new(),
            parent: Vec::new(),
            root: Vec::new(),
            children_at: Vec::with_capacity(n + 1),
            children: Vec::new(),
            roots: Vec::new(),
            flags: Vec::new(),
            reasons: Vec::new(),
        }
    }

    fn push(&mut self, i: usize, span: &Span, linked: bool) {
        self.at.push(self.arena.len() as u64);
        self.meta.push(meta(span));
        let (start, end) = (nanos(span.start), nanos(span.end));
        if start == FAR_TIME || end == FAR_TIME {
            self.far.push((small(i), span.start, span.end));
        }
        self.start.push(start);
        self.end.push(end);
        encode(&mut self.arena, span, linked);
    }

    /// Keep `flags` (sorted by span), each distinct reason once: a tool loop gives every call
    /// it flags the same reason.
    fn set_flags(&mut self, flags: Vec<Flag>) {
        let mut ids: HashMap<String, u32> = HashMap::new();
        self.flags = Vec::with_capacity(flags.len());
        for f in flags {
            let next = small(ids.len());
            let reason = *ids.entry(f.reason).or_insert(next);
            self.flags.push(PackedFlag {
                span: small(f.span),
                kind: f.kind,
                reason,
            });
        }
        let mut reasons = vec![Box::<str>::default(); ids.len()];
        for (text, k) in ids {
            if let Some(slot) = reasons.get_mut(k as usize) {
                *slot = text.into_boxed_str();
            }
        }
        self.reasons = reasons;
    }

    /// One trace holding `parts` in order: spans appended, every index shifted, each part's
    /// roots after the previous part's (so a view walks them in this order). A copy of bytes
    /// and shifted indices: no span is decoded.
    pub fn concat(format: Format, parts: &[&PackedTrace]) -> PackedTrace {
        let n = parts.iter().map(|p| p.len()).sum();
        let mut out = PackedTrace::empty(format, n);
        out.arena
            .reserve_exact(parts.iter().map(|p| p.arena.len()).sum());
        for part in parts {
            out.append(part);
        }
        out.at.push(out.arena.len() as u64);
        out.children_at.push(small(out.children.len()));
        out
    }

    fn append(&mut self, part: &PackedTrace) {
        let (at, bytes) = (small(self.len()), self.arena.len() as u64);
        let (kids, reasons) = (small(self.children.len()), small(self.reasons.len()));
        let shift = |i: &u32| i + at;
        let parts = part.len();
        self.at
            .extend(part.at.iter().take(parts).map(|a| a + bytes));
        self.arena.extend_from_slice(&part.arena);
        self.meta.extend_from_slice(&part.meta);
        self.start.extend_from_slice(&part.start);
        self.end.extend_from_slice(&part.end);
        self.far
            .extend(part.far.iter().map(|&(i, s, e)| (i + at, s, e)));
        self.parent.extend(
            part.parent
                .iter()
                .map(|&p| if p == NONE { NONE } else { p + at }),
        );
        self.root.extend(part.root.iter().map(shift));
        self.children_at
            .extend(part.children_at.iter().take(parts).map(|c| c + kids));
        self.children.extend(part.children.iter().map(shift));
        self.roots.extend(part.roots.iter().map(shift));
        self.flags.extend(part.flags.iter().map(|f| PackedFlag {
            span: f.span + at,
            reason: f.reason + reasons,
            ..*f
        }));
        self.reasons.extend(part.reasons.iter().cloned());
        self.warnings.extend(part.warnings.iter().cloned());
        self.bad_lines += part.bad_lines;
    }
}
