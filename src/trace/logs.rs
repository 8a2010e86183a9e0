//! OpenTelemetry log records attached to their spans. OTel's GenAI instrumentations (openai-v2)
//! emit the prompt and the answer as log records (`gen_ai.user.message`, `gen_ai.choice`…) tied
//! to the span by `spanId`, not as span attributes: `temper trace spans.json logs.json` reads
//! both. Logs come as OTLP/JSON (one request, or one per line) or a protobuf
//! `ExportLogsServiceRequest` body.

use super::attrs::{self, Attrs};
use super::format::TraceError;
use super::model::{LoadWarning, Span};
use super::otlp::{self, hex_id};
use super::otlp_pb;
use compact_str::CompactString;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// One log record reduced to what the view needs.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    pub span_id: String,
    /// `eventName` (or the `event.name` attribute): `gen_ai.choice`, `gen_ai.user.message`…
    pub name: String,
    /// The body as JSON (`{content}`, `{index, finish_reason, message}`…).
    pub body: Value,
}

/// Read every log record of a logs file; lines that cannot be read become warnings.
pub fn read_file(path: &Path) -> Result<(Vec<LogEvent>, Vec<LoadWarning>), TraceError> {
    let bytes = crate::fsio::read_bytes(path, crate::fsio::MAX_TRACE_BYTES).map_err(|source| {
        TraceError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    if super::load::looks_binary(&bytes) {
        let req = ExportLogsServiceRequest::decode(bytes.as_slice()).map_err(|e| {
            TraceError::NotThisFormat {
                path: path.to_path_buf(),
                format: super::Format::OtlpProto,
                reason: format!("not an OTLP ExportLogsServiceRequest: {e}"),
            }
        })?;
        from_proto(req, &mut out);
        return Ok((out, warnings));
    }
    if let Ok(doc) = serde_json::from_slice::<Value>(&bytes) {
        from_json(doc, &mut out);
        return Ok((out, warnings));
    }
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(doc) => from_json(doc, &mut out),
            Err(e) => warnings.push(LoadWarning {
                line: i + 1,
                column: Some(e.column()),
                message: format!("logs: {e}"),
            }),
        }
    }
    Ok((out, warnings))
}

/// The log records of a protobuf logs request (also what the live receiver gets).
pub fn from_proto(req: ExportLogsServiceRequest, out: &mut Vec<LogEvent>) {
    for rl in req.resource_logs {
        for sl in rl.scope_logs {
            for r in sl.log_records {
                let attrs = otlp_pb::key_values(r.attributes);
                out.push(LogEvent {
                    span_id: hex::encode(&r.span_id),
                    name: event_name(r.event_name, &attrs),
                    body: otlp_pb::any(r.body),
                });
            }
        }
    }
}

/// The log records of an OTLP/JSON logs request (also what the live receiver gets).
pub fn from_json(doc: Value, out: &mut Vec<LogEvent>) {
    let resource_logs = doc
        .get("resourceLogs")
        .or_else(|| doc.get("resource_logs"))
        .and_then(Value::as_array);
    for rl in resource_logs.into_iter().flatten() {
        let scopes = rl.get("scopeLogs").and_then(Value::as_array);
        for sl in scopes.into_iter().flatten() {
            let records = sl.get("logRecords").and_then(Value::as_array);
            for r in records.into_iter().flatten() {
                let Some(span_id) = r.get("spanId").and_then(Value::as_str) else {
                    continue;
                };
                let attrs = r
                    .get("attributes")
                    .cloned()
                    .map(otlp::key_values)
                    .unwrap_or_default();
                let name = r.get("eventName").and_then(Value::as_str).unwrap_or("");
                out.push(LogEvent {
                    span_id: hex_id(span_id),
                    name: event_name(name.to_string(), &attrs),
                    body: r
                        .get("body")
                        .cloned()
                        .map(otlp::any_value)
                        .unwrap_or(Value::Null),
                });
            }
        }
    }
}

fn event_name(name: String, attrs: &Attrs) -> String {
    if name.is_empty() {
        attrs::text(attrs, "event.name").unwrap_or_default()
    } else {
        name
    }
}

/// Give each span the prompt and answer its GenAI log records carry, when its attributes did
/// not. Returns how many records matched no span in the file.
pub fn attach(spans: &mut [Span], logs: &[LogEvent]) -> usize {
    let by_id: HashMap<CompactString, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut inputs: HashMap<usize, Vec<String>> = HashMap::new();
    let mut outputs: HashMap<usize, Vec<String>> = HashMap::new();
    let mut unmatched = 0;
    for log in logs {
        let Some(&i) = by_id.get(log.span_id.as_str()) else {
            unmatched += 1;
            continue;
        };
        let content = |v: &Value| match v.get("content") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        if log.name == "gen_ai.choice" {
            let message = log.body.get("message").unwrap_or(&log.body);
            outputs.entry(i).or_default().extend(content(message));
            spans[i]
                .tool_calls
                .extend(super::toolcalls::extract(message));
        } else if let Some(role) = log
            .name
            .strip_prefix("gen_ai.")
            .and_then(|r| r.strip_suffix(".message"))
        {
            let text = content(&log.body).unwrap_or_else(|| log.body.to_string());
            inputs.entry(i).or_default().push(format!("{role}: {text}"));
            super::request::push_log_message(&mut spans[i], role, &log.body);
        }
    }
    for (i, lines) in inputs {
        spans[i].input.get_or_insert_with(|| lines.join("\n"));
    }
    for (i, lines) in outputs {
        if !lines.is_empty() {
            spans[i].output.get_or_insert_with(|| lines.join("\n"));
        }
    }
    unmatched
}
