//! Arize Phoenix / OpenInference span exports: one span object per JSONL line, or a JSON array
//! of them (also `{"data": [...]}` as the Phoenix REST API returns). A span looks like
//! `{name, context:{trace_id, span_id}, parent_id, span_kind, start_time, end_time, status_code,
//! status_message, attributes, events}`; attributes may be nested or flattened, and the
//! dataframe export flattens even `context.span_id` and `attributes.llm.model_name`.

use super::attrs::{self, Attrs, first_text};
use super::model::{Span, SpanKind, Status};
use super::semconv::{self, Event};
use compact_str::CompactString;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// Why `doc` is not an OpenInference export, or Ok when it looks like one.
pub fn sniff(doc: &Value) -> Result<(), String> {
    let first = span_list(doc).and_then(|l| l.first()).unwrap_or(doc);
    let Value::Object(o) = first else {
        return Err("not a JSON object (or array of objects)".into());
    };
    let has_id = o.get("context").is_some_and(|c| c.get("span_id").is_some())
        || o.contains_key("context.span_id")
        || o.contains_key("span_id");
    if !has_id {
        return Err(r#"no "context.span_id" or "span_id" field"#.into());
    }
    if !(o.contains_key("attributes")
        || o.contains_key("span_kind")
        || o.keys().any(|k| k.starts_with("attributes.")))
    {
        return Err(r#"no "attributes" or "span_kind" field"#.into());
    }
    Ok(())
}

/// The spans of one document (a span, an array of spans, or `{"data": [...]}`).
pub fn read(doc: Value, out: &mut Vec<Span>) -> Result<(), String> {
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut o) if o.get("data").is_some_and(Value::is_array) => {
            match o.remove("data") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        obj @ Value::Object(_) => vec![obj],
        _ => return Err("expected a span object or an array of spans".into()),
    };
    for (i, item) in items.into_iter().enumerate() {
        out.push(span(item).map_err(|e| format!("span #{i}: {e}"))?);
    }
    Ok(())
}

/// One JSONL line as it is almost always written (`context` nested, `attributes` an object):
/// read typed (strings borrowed), the attributes flattened on their own, instead of a JSON
/// value of the whole line flattened with every key prefixed and then stripped again. Any other shape (dataframe exports with
/// flattened keys, extra fields, odd types) fails here and takes the general path.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    context: Context<'a>,
    #[serde(borrow, default)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    span_kind: Option<Cow<'a, str>>,
    #[serde(default)]
    start_time: Option<Value>,
    #[serde(default)]
    end_time: Option<Value>,
    #[serde(borrow, default)]
    status_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status_message: Option<Cow<'a, str>>,
    #[serde(default)]
    events: Option<Value>,
    #[serde(default)]
    attributes: Option<Value>,
}

/// The ids of a span (`trace_id` is not part of the span model).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Context<'a> {
    #[serde(borrow)]
    span_id: Cow<'a, str>,
    #[serde(default, rename = "trace_id")]
    _trace_id: Option<serde::de::IgnoredAny>,
}

/// One JSONL line: the typed path when the line has the usual shape, else a JSON value read
/// like a whole document (so errors and odd shapes behave exactly as before).
pub fn read_line(line: &[u8], out: &mut Vec<Span>) -> Result<(), (Option<usize>, String)> {
    if let Ok(Some(span)) = serde_json::from_slice::<Line>(line).map(typed_span) {
        out.push(span);
        return Ok(());
    }
    match serde_json::from_slice::<Value>(line) {
        Ok(doc) => read(doc, out).map_err(|m| (None, m)),
        Err(e) => Err((Some(e.column()), e.to_string())),
    }
}

/// The span of a typed line; None when a part has a shape only the general path reads.
fn typed_span(line: Line) -> Option<Span> {
    let attributes = match line.attributes {
        None | Some(Value::Null) => Attrs::new(),
        Some(Value::Object(o)) if o.is_empty() => Attrs::new(),
        Some(obj @ Value::Object(_)) => attrs::flatten(obj),
        Some(_) => return None,
    };
    let events = line.events.map(events).unwrap_or_default();
    let time = |t: Option<Value>| attrs::timestamp(&t?);
    let unprefix = |id: &str| id.strip_prefix("0x").unwrap_or(id).to_string();
    let status_code = line.status_code.unwrap_or_default();
    let failed = status_code.eq_ignore_ascii_case("error");
    let mut span = Span {
        id: unprefix(&line.context.span_id).into(),
        parent: line
            .parent_id
            .map(|p| unprefix(&p))
            .filter(|p| !p.is_empty())
            .map(Into::into),
        kind: line
            .span_kind
            .map_or(SpanKind::Unknown, |k| SpanKind::parse(&k)),
        name: line.name.map(CompactString::from).unwrap_or_default(),
        start: time(line.start_time),
        end: time(line.end_time),
        status: status_of(&status_code),
        ..Span::default()
    };
    if failed {
        let message = line.status_message.map(Cow::into_owned);
        span.error = Some(message.unwrap_or_else(|| "error".into())).filter(|m| !m.is_empty());
    }
    semconv::apply(attributes, &events, &mut span);
    Some(span)
}

fn status_of(code: &str) -> Status {
    if code.eq_ignore_ascii_case("error") {
        Status::Error
    } else if code.eq_ignore_ascii_case("ok") {
        Status::Ok
    } else {
        Status::Unset
    }
}

fn span_list(doc: &Value) -> Option<&Vec<Value>> {
    match doc {
        Value::Array(items) => Some(items),
        Value::Object(o) => o.get("data")?.as_array(),
        _ => None,
    }
}

fn span(item: Value) -> Result<Span, String> {
    let Value::Object(mut obj) = item else {
        return Err("not a JSON object".into());
    };
    let events = obj.remove("events").map(events).unwrap_or_default();
    let flat = attrs::flatten(Value::Object(obj));
    // ConsoleSpanExporter prints ids as 0x-prefixed hex.
    let unprefix = |id: String| id.strip_prefix("0x").map(str::to_string).unwrap_or(id);
    let id = first_text(&flat, &["context.span_id", "span_id", "id"])
        .map(unprefix)
        .ok_or_else(|| r#"no "context.span_id""#.to_string())?;
    let status_code = first_text(&flat, &["status_code", "status.code", "status.status_code"])
        .unwrap_or_default();
    let failed = status_code.eq_ignore_ascii_case("error");
    let mut span = Span {
        id: id.into(),
        parent: first_text(&flat, &["parent_id", "parent_span_id", "context.parent_id"])
            .map(unprefix)
            .filter(|p| !p.is_empty())
            .map(Into::into),
        kind: first_text(&flat, &["span_kind"]).map_or(SpanKind::Unknown, |k| SpanKind::parse(&k)),
        name: first_text(&flat, &["name"]).unwrap_or_default().into(),
        start: flat.get("start_time").and_then(attrs::timestamp),
        end: flat.get("end_time").and_then(attrs::timestamp),
        status: status_of(&status_code),
        ..Span::default()
    };
    if failed {
        span.error = Some(
            first_text(
                &flat,
                &["status_message", "status.message", "status.description"],
            )
            .unwrap_or_else(|| "error".into()),
        )
        .filter(|m| !m.is_empty());
    }
    let attributes: Attrs = flat
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("attributes.").map(|k| (k.to_string(), v)))
        .collect();
    semconv::apply(attributes, &events, &mut span);
    Ok(span)
}

fn events(value: Value) -> Vec<Event> {
    let Value::Array(items) = value else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|e| {
            let Value::Object(mut o) = e else { return None };
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let attrs = o
                .remove("attributes")
                .map(attrs::flatten)
                .unwrap_or_default();
            Some(Event { name, attrs })
        })
        .collect()
}

#[cfg(test)]
#[path = "openinference_tests.rs"]
mod tests;
