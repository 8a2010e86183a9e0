//! Binary OTLP: the protobuf `ExportTraceServiceRequest` body an OTLP/HTTP exporter POSTs (what a
//! collector saves as `.pb`), decoded with the `opentelemetry-proto` message types, then mapped
//! like OTLP/JSON (see `otlp::finish`). Log bodies (`ExportLogsServiceRequest`) are read by
//! `logs`. Ids become lowercase hex, as OTLP/JSON writes them.

use super::attrs::{self, Attrs};
use super::model::Span;
use super::otlp::{self, Raw};
use super::semconv::Event;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span as ProtoSpan;
use prost::Message;
use serde_json::{Map, Value};

/// Decode one request body; the error says what protobuf found wrong.
pub fn decode(bytes: &[u8]) -> Result<ExportTraceServiceRequest, String> {
    ExportTraceServiceRequest::decode(bytes)
        .map_err(|e| format!("not an OTLP ExportTraceServiceRequest: {e}"))
}

/// Why `bytes` is not a protobuf trace export with at least one span, or Ok.
pub fn sniff(bytes: &[u8]) -> Result<(), String> {
    let req = decode(bytes)?;
    let spans: usize = req
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    if spans == 0 {
        return Err("decodes as protobuf but holds no spans".into());
    }
    Ok(())
}

/// The spans of one request body, appended to `out`.
pub fn read(bytes: &[u8], out: &mut Vec<Span>) -> Result<(), String> {
    out.extend(raw_spans(decode(bytes)?).map(span));
    Ok(())
}

/// The protobuf spans of a decoded request, before mapping: the live receiver checks their ids
/// first, then maps each with `span`.
pub fn raw_spans(req: ExportTraceServiceRequest) -> impl Iterator<Item = ProtoSpan> {
    req.resource_spans
        .into_iter()
        .flat_map(|rs| rs.scope_spans)
        .flat_map(|ss| ss.spans)
}

/// One protobuf span mapped to the model (the same mapping as OTLP/JSON).
pub fn span(s: ProtoSpan) -> Span {
    let status = s.status.unwrap_or_default();
    otlp::finish(Raw {
        id: hex::encode(&s.span_id),
        parent: (!s.parent_span_id.is_empty()).then(|| hex::encode(&s.parent_span_id)),
        name: s.name,
        start: nanos(s.start_time_unix_nano),
        end: nanos(s.end_time_unix_nano),
        code: u8::try_from(status.code).unwrap_or(0).min(2),
        message: (!status.message.is_empty()).then_some(status.message),
        attrs: key_values(s.attributes),
        events: s
            .events
            .into_iter()
            .map(|e| Event {
                name: e.name,
                attrs: key_values(e.attributes),
            })
            .collect(),
    })
}

/// A Unix time in nanoseconds; 0 means "not recorded" in OTLP.
pub fn nanos(n: u64) -> Option<jiff::Timestamp> {
    (n > 0)
        .then(|| jiff::Timestamp::from_nanosecond(i128::from(n)).ok())
        .flatten()
}

/// Protobuf attributes to the flat attribute map the mapping reads.
pub fn key_values(list: Vec<KeyValue>) -> Attrs {
    let mut out = Attrs::new();
    for kv in list {
        attrs::flatten_into(&kv.key, any(kv.value), &mut out);
    }
    out
}

/// A protobuf `AnyValue` as plain JSON (bytes as hex, as nothing in a trace view reads them).
pub fn any(v: Option<AnyValue>) -> Value {
    let Some(inner) = v.and_then(|v| v.value) else {
        return Value::Null;
    };
    match inner {
        any_value::Value::StringValue(s) => Value::String(s),
        any_value::Value::BoolValue(b) => Value::Bool(b),
        any_value::Value::IntValue(i) => Value::from(i),
        any_value::Value::DoubleValue(d) => Value::from(d),
        any_value::Value::BytesValue(b) => Value::String(hex::encode(b)),
        any_value::Value::ArrayValue(a) => {
            Value::Array(a.values.into_iter().map(|v| any(Some(v))).collect())
        }
        any_value::Value::KvlistValue(l) => Value::Object(
            l.values
                .into_iter()
                .map(|kv| (kv.key, any(kv.value)))
                .collect::<Map<String, Value>>(),
        ),
        #[allow(unreachable_patterns)]
        _ => Value::Null,
    }
}
