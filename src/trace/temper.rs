//! temper's own trace format: JSONL, one `Span` per line, exactly the model. It is what
//! `temper run --trace-out` writes, and the fastest to load (typed serde, no JSON tree).

use super::model::{Span, SpanKind};
use serde_json::Value;
use std::io::{self, Write};

/// Why `doc` is not a temper span line, or Ok when it looks like one.
pub fn sniff(doc: &Value) -> Result<(), String> {
    let first = match doc {
        Value::Array(items) => items.first().unwrap_or(doc),
        _ => doc,
    };
    let Value::Object(o) = first else {
        return Err("not a JSON object".into());
    };
    if !o.get("id").is_some_and(Value::is_string) {
        return Err(r#"no string "id" field"#.into());
    }
    match o.get("kind").and_then(Value::as_str) {
        None => Err(r#"no "kind" field"#.into()),
        Some(k) if SpanKind::parse(k).as_str() != k => Err(format!(
            r#""kind" is {k:?}, not one of llm, retriever, reranker, tool, chain, agent, embedding, unknown"#
        )),
        Some(_) => Ok(()),
    }
}

/// One JSONL line as a span (the hot path of large traces).
pub fn read_line(line: &[u8]) -> Result<Span, serde_json::Error> {
    serde_json::from_slice(line)
}

/// The spans of a whole-file document: one span, or an array of spans.
pub fn read(doc: Value, out: &mut Vec<Span>) -> Result<(), String> {
    let items = match doc {
        Value::Array(items) => items,
        other => vec![other],
    };
    for (i, item) in items.into_iter().enumerate() {
        out.push(serde_json::from_value(item).map_err(|e| format!("span #{i}: {e}"))?);
    }
    Ok(())
}

/// Write spans as temper JSONL (one compact JSON object per line).
pub fn write_jsonl<'a, W: Write>(
    spans: impl IntoIterator<Item = &'a Span>,
    mut out: W,
) -> io::Result<()> {
    for span in spans {
        serde_json::to_writer(&mut out, span)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
