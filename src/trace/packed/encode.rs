//! The bytes a packed span keeps in its trace's arena: its id and name, then a mask of the
//! fields it has and those fields (parent id, model, input, output, and the rare ones of
//! `SpanExtra`), each string as a LEB128 length and its UTF-8 bytes, numbers as their bits.
//! Written once per span by [`encode`]; read back by `body` (see docs/architecture.md).

use crate::trace::model::{Document, Span, SpanExtra};
use crate::trace::wire::JsonText;

pub(super) const PARENT_LINKED: u8 = 1;
pub(super) const PARENT_TEXT: u8 = 2;
pub(super) const MODEL: u8 = 4;
pub(super) const INPUT: u8 = 8;
pub(super) const OUTPUT: u8 = 16;
pub(super) const EXTRA: u8 = 32;

pub(super) const ERROR: u16 = 1;
pub(super) const USAGE: u16 = 2;
pub(super) const COST: u16 = 4;
pub(super) const DOCUMENTS: u16 = 8;
pub(super) const TOOL: u16 = 16;
pub(super) const TOOL_CALLS: u16 = 32;
pub(super) const TOOL_CALL_ID: u16 = 64;
pub(super) const SCHEMA: u16 = 128;
pub(super) const REQUEST: u16 = 256;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    if let Some(s) = s {
        text(out, s);
    }
}

fn bit<T>(present: bool, flag: T, zero: T) -> T {
    if present { flag } else { zero }
}

/// Append `span`'s arena bytes to `out`. `linked`: its parent id is the id of the span its
/// trace links it to, so only that fact is kept (the id is read from the parent when decoded).
pub(super) fn encode(out: &mut Vec<u8>, span: &Span, linked: bool) {
    text(out, &span.id);
    text(out, &span.name);
    let extra = span.extra.as_deref().filter(|x| !x.is_empty());
    let mask = match (&span.parent, linked) {
        (Some(_), true) => PARENT_LINKED,
        (Some(_), false) => PARENT_TEXT,
        (None, _) => 0,
    } | bit(span.model.is_some(), MODEL, 0)
        | bit(span.input.is_some(), INPUT, 0)
        | bit(span.output.is_some(), OUTPUT, 0)
        | bit(extra.is_some(), EXTRA, 0);
    out.push(mask);
    if !linked {
        opt_text(out, span.parent.as_deref());
    }
    opt_text(out, span.model.as_deref());
    opt_text(out, span.input.as_deref());
    opt_text(out, span.output.as_deref());
    if let Some(x) = extra {
        encode_extra(out, x);
    }
}

fn encode_extra(out: &mut Vec<u8>, x: &SpanExtra) {
    let mask = bit(x.error.is_some(), ERROR, 0)
        | bit(x.usage.is_some(), USAGE, 0)
        | bit(x.cost.is_some(), COST, 0)
        | bit(!x.documents.is_empty(), DOCUMENTS, 0)
        | bit(x.tool.is_some(), TOOL, 0)
        | bit(!x.tool_calls.is_empty(), TOOL_CALLS, 0)
        | bit(x.tool_call_id.is_some(), TOOL_CALL_ID, 0)
        | bit(x.output_schema.is_some(), SCHEMA, 0)
        | bit(x.request.is_some(), REQUEST, 0);
    out.extend_from_slice(&mask.to_le_bytes());
    opt_text(out, x.error.as_deref());
    if let Some(u) = &x.usage {
        let counts = [u.prompt_tokens, u.completion_tokens, u.total_tokens];
        out.push(
            counts
                .iter()
                .enumerate()
                .fold(0, |m, (k, c)| m | bit(c.is_some(), 1 << k, 0)),
        );
        counts.iter().flatten().for_each(|&c| varint(out, c));
    }
    if let Some(cost) = x.cost {
        out.extend_from_slice(&cost.to_bits().to_le_bytes());
    }
    if !x.documents.is_empty() {
        varint(out, x.documents.len() as u64);
        x.documents.iter().for_each(|d| encode_document(out, d));
    }
    if let Some(tool) = &x.tool {
        text(out, &tool.name);
        out.push(bit(tool.arguments.is_some(), 1, 0) | bit(tool.result.is_some(), 2, 0));
        opt_text(out, tool.arguments.as_deref());
        opt_text(out, tool.result.as_deref());
    }
    if !x.tool_calls.is_empty() {
        varint(out, x.tool_calls.len() as u64);
        for call in &x.tool_calls {
            out.push(bit(call.id.is_some(), 1, 0) | bit(call.arguments.is_some(), 2, 0));
            opt_text(out, call.id.as_deref());
            text(out, &call.name);
            opt_text(out, call.arguments.as_deref());
        }
    }
    opt_text(out, x.tool_call_id.as_deref());
    if let Some(schema) = &x.output_schema {
        text(out, &schema.to_string());
    }
    opt_text(out, x.request.as_ref().map(JsonText::as_str));
}

fn encode_document(out: &mut Vec<u8>, d: &Document) {
    out.push(
        bit(d.id.is_some(), 1, 0)
            | bit(d.source.is_some(), 2, 0)
            | bit(d.score.is_some(), 4, 0)
            | bit(d.content.is_some(), 8, 0),
    );
    opt_text(out, d.id.as_deref());
    opt_text(out, d.source.as_deref());
    if let Some(score) = d.score {
        out.extend_from_slice(&score.to_bits().to_le_bytes());
    }
    opt_text(out, d.content.as_deref());
}
