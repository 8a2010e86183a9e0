//! OpenTelemetry OTLP/JSON (`ExportTraceServiceRequest`): `resourceSpans[].scopeSpans[].spans[]`,
//! attributes as `[{key, value: {stringValue|intValue|doubleValue|boolValue|arrayValue|
//! kvlistValue|bytesValue}}]`. One request per file, or one per line as the collector's file
//! exporter writes them. GenAI (`gen_ai.*`) and OpenInference attributes are both understood.

use super::attrs::{self, Attrs};
use super::model::{Span, SpanKind, Status};
use super::semconv::{self, Event};
use serde_json::{Map, Value};

/// Why `doc` is not an OTLP export, or Ok when it looks like one.
pub fn sniff(doc: &Value) -> Result<(), String> {
    match doc
        .get("resourceSpans")
        .or_else(|| doc.get("resource_spans"))
    {
        Some(Value::Array(_)) => Ok(()),
        Some(_) => Err(r#""resourceSpans" is not an array"#.into()),
        None => Err(r#"no "resourceSpans" array at the top level"#.into()),
    }
}

/// The spans of one `ExportTraceServiceRequest`; the first bad span fails the document.
pub fn read(doc: Value, out: &mut Vec<Span>) -> Result<(), String> {
    let mut failed = None;
    read_each(doc, |_, span| match span {
        Ok(span) if failed.is_none() => out.push(span),
        Ok(_) => {}
        Err(e) => {
            failed.get_or_insert(e);
        }
    })?;
    failed.map_or(Ok(()), Err)
}

/// Every span of one request with its trace id (hex), one by one, so the live receiver can
/// reject a bad span and keep the others (see docs/trace.md, "Live traces").
pub fn read_each(
    mut doc: Value,
    mut visit: impl FnMut(String, Result<Span, String>),
) -> Result<(), String> {
    sniff(&doc)?;
    let resource_spans = take_array(&mut doc, &["resourceSpans", "resource_spans"]);
    for mut rs in resource_spans {
        for mut ss in take_array(
            &mut rs,
            &["scopeSpans", "scope_spans", "instrumentationLibrarySpans"],
        ) {
            for (i, s) in take_array(&mut ss, &["spans"]).into_iter().enumerate() {
                let trace_id = ["traceId", "trace_id"]
                    .iter()
                    .find_map(|k| s.get(*k).and_then(Value::as_str))
                    .map(hex_id)
                    .unwrap_or_default();
                visit(trace_id, span(s).map_err(|e| format!("span #{i}: {e}")));
            }
        }
    }
    Ok(())
}

fn take_array(v: &mut Value, keys: &[&str]) -> Vec<Value> {
    let Value::Object(o) = v else {
        return Vec::new();
    };
    keys.iter()
        .find_map(|k| match o.remove(*k) {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        })
        .unwrap_or_default()
}

/// A span as OTLP carries it, before the attribute mapping: both the JSON and the protobuf
/// readers produce this, so the mapping lives in one place.
pub struct Raw {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub start: Option<jiff::Timestamp>,
    pub end: Option<jiff::Timestamp>,
    /// OTLP status code: 0 unset, 1 ok, 2 error.
    pub code: u8,
    pub message: Option<String>,
    pub attrs: Attrs,
    pub events: Vec<Event>,
}

/// The normalised span of a raw OTLP span.
pub fn finish(raw: Raw) -> Span {
    let failed = raw.code == 2;
    let mut span = Span {
        id: raw.id.into(),
        parent: raw.parent.filter(|p| !p.is_empty()).map(Into::into),
        kind: SpanKind::Unknown,
        name: raw.name.into(),
        start: raw.start,
        end: raw.end,
        status: match raw.code {
            2 => Status::Error,
            1 => Status::Ok,
            _ => Status::Unset,
        },
        ..Span::default()
    };
    if failed {
        span.error = Some(raw.message.unwrap_or_else(|| "error".into()));
    }
    semconv::apply(raw.attrs, &raw.events, &mut span);
    span
}

/// A span id as hex: OTLP/JSON writes hex, the proto3 JSON mapping writes base64 bytes.
pub fn hex_id(id: &str) -> String {
    use base64::Engine as _;
    let is_hex = matches!(id.len(), 16 | 32) && id.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex {
        return id.to_ascii_lowercase();
    }
    match base64::engine::general_purpose::STANDARD.decode(id) {
        Ok(bytes) if matches!(bytes.len(), 8 | 16) => hex::encode(bytes),
        _ => id.to_string(),
    }
}

fn span(value: Value) -> Result<Span, String> {
    let Value::Object(mut o) = value else {
        return Err("not a JSON object".into());
    };
    let text = |o: &Map<String, Value>, keys: &[&str]| {
        keys.iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let id = text(&o, &["spanId", "span_id"]).ok_or_else(|| r#"no "spanId""#.to_string())?;
    let status = o.get("status");
    let code = match status.and_then(|s| s.get("code")) {
        Some(Value::Number(n)) => n.as_u64().filter(|c| *c <= 2).unwrap_or(0) as u8,
        Some(Value::String(s)) => match s.to_ascii_uppercase().as_str() {
            "STATUS_CODE_ERROR" | "ERROR" => 2,
            "STATUS_CODE_OK" | "OK" => 1,
            _ => 0,
        },
        _ => 0,
    };
    let message = status
        .and_then(|s| s.get("message"))
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    let events: Vec<Event> = match o.remove("events") {
        Some(Value::Array(items)) => items.into_iter().filter_map(event).collect(),
        _ => Vec::new(),
    };
    Ok(finish(Raw {
        id: hex_id(&id),
        parent: text(&o, &["parentSpanId", "parent_span_id"]).map(|p| hex_id(&p)),
        name: text(&o, &["name"]).unwrap_or_default(),
        start: o.get("startTimeUnixNano").and_then(attrs::timestamp),
        end: o.get("endTimeUnixNano").and_then(attrs::timestamp),
        code,
        message,
        attrs: o.remove("attributes").map(key_values).unwrap_or_default(),
        events,
    }))
}

fn event(value: Value) -> Option<Event> {
    let Value::Object(mut o) = value else {
        return None;
    };
    Some(Event {
        name: o
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        attrs: o.remove("attributes").map(key_values).unwrap_or_default(),
    })
}

/// `[{key, value: AnyValue}]` to a flat attribute map.
pub fn key_values(list: Value) -> Attrs {
    let mut out = Attrs::new();
    let Value::Array(items) = list else {
        return out;
    };
    for item in items {
        let Value::Object(mut kv) = item else {
            continue;
        };
        let Some(Value::String(key)) = kv.remove("key") else {
            continue;
        };
        let value = kv.remove("value").map(any_value).unwrap_or(Value::Null);
        attrs::flatten_into(&key, value, &mut out);
    }
    out
}

/// An OTLP `AnyValue` as plain JSON.
pub fn any_value(value: Value) -> Value {
    let Value::Object(mut o) = value else {
        return value;
    };
    if let Some(v) = o
        .remove("stringValue")
        .or_else(|| o.remove("boolValue"))
        .or_else(|| o.remove("doubleValue"))
    {
        return v;
    }
    if let Some(v) = o.remove("intValue") {
        return match &v {
            Value::String(s) => s.parse::<i64>().map(Value::from).unwrap_or(v),
            _ => v,
        };
    }
    if let Some(v) = o.remove("bytesValue") {
        return v;
    }
    if let Some(Value::Object(mut arr)) = o.remove("arrayValue") {
        return match arr.remove("values") {
            Some(Value::Array(items)) => Value::Array(items.into_iter().map(any_value).collect()),
            _ => Value::Array(Vec::new()),
        };
    }
    if let Some(Value::Object(mut kvl)) = o.remove("kvlistValue") {
        let mut map = Map::new();
        if let Some(Value::Array(items)) = kvl.remove("values") {
            for item in items {
                let Value::Object(mut kv) = item else {
                    continue;
                };
                if let Some(Value::String(k)) = kv.remove("key") {
                    map.insert(k, kv.remove("value").map(any_value).unwrap_or(Value::Null));
                }
            }
        }
        return Value::Object(map);
    }
    Value::Null
}
