//! One OTLP/HTTP request body to spans or log records: undo `Content-Encoding: gzip` (capped, so
//! a small bomb cannot grow past the body limit), then hand the bytes to the same readers as
//! trace files (`otlp_pb`, `otlp`, `logs`). Nothing here parses OTLP itself.

use super::super::logs::{self, LogEvent};
use super::super::{otlp, otlp_pb};
use super::LiveSpan;
use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;
use serde_json::Value;
use std::io::Read;

/// The two body encodings OTLP/HTTP allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// The encoding a `Content-Type` header names, ignoring parameters (`; charset=utf-8`).
    pub fn from_content_type(value: &str) -> Option<Encoding> {
        let mime = value.split(';').next().unwrap_or("").trim();
        match mime.to_ascii_lowercase().as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    /// The `Content-Type` of a response in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Why a body was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body, or what it inflates to, is over the cap (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// The body is not what the headers say (HTTP 400).
    #[error("{0}")]
    Bad(String),
    /// A `Content-Encoding` other than gzip or identity (HTTP 415).
    #[error("{0}")]
    Unsupported(String),
}

/// Undo the `Content-Encoding`, never producing more than `cap` bytes.
pub fn inflate(
    body: Bytes,
    content_encoding: Option<&str>,
    cap: usize,
) -> Result<Bytes, BodyError> {
    match content_encoding.map(|e| e.trim().to_ascii_lowercase()) {
        None => Ok(body),
        Some(e) if e.is_empty() || e == "identity" => Ok(body),
        Some(e) if e == "gzip" || e == "x-gzip" => {
            let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(cap));
            let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
            flate2::read::GzDecoder::new(body.as_ref())
                .take(limit)
                .read_to_end(&mut out)
                .map_err(|e| BodyError::Bad(format!("the gzip body does not inflate: {e}")))?;
            if out.len() > cap {
                return Err(BodyError::TooLarge(format!(
                    "the gzip body inflates to more than {cap} bytes (the body limit); send smaller batches or raise --max-body"
                )));
            }
            Ok(out.into())
        }
        Some(e) => Err(BodyError::Unsupported(format!(
            "Content-Encoding {e:?} is not supported; send gzip or no encoding"
        ))),
    }
}

/// The spans of a trace request, and how many were refused with the first refusal's reason.
#[derive(Debug, Default)]
pub struct Spans {
    pub spans: Vec<LiveSpan>,
    pub rejected: u64,
    pub reason: Option<String>,
}

impl Spans {
    fn reject(&mut self, reason: String) {
        self.rejected += 1;
        self.reason.get_or_insert(reason);
    }
}

/// Read an `ExportTraceServiceRequest` body with the file readers; bad spans are counted, not
/// fatal, so one span with a broken id does not lose its batch.
pub fn traces(bytes: &[u8], encoding: Encoding) -> Result<Spans, BodyError> {
    let mut out = Spans::default();
    match encoding {
        Encoding::Protobuf => {
            let req = otlp_pb::decode(bytes).map_err(BodyError::Bad)?;
            for raw in otlp_pb::raw_spans(req) {
                match id_problem(&raw.trace_id, &raw.span_id) {
                    Some(reason) => out.reject(format!("span {:?}: {reason}", raw.name)),
                    None => out.spans.push(LiveSpan {
                        trace_id: hex::encode(&raw.trace_id),
                        span: otlp_pb::span(raw),
                    }),
                }
            }
        }
        Encoding::Json => {
            let doc = json(bytes, "ExportTraceServiceRequest")?;
            otlp::read_each(doc, |trace_id, span| match span {
                Ok(span) if trace_id.is_empty() => {
                    out.reject(format!("span {:?}: no \"traceId\"", span.id));
                }
                Ok(span) => out.spans.push(LiveSpan { trace_id, span }),
                Err(e) => out.reject(e),
            })
            .map_err(|e| BodyError::Bad(format!("not an OTLP/JSON trace export: {e}")))?;
        }
    }
    Ok(out)
}

/// OTLP requires a 16-byte trace id and an 8-byte span id; without them a span cannot be placed.
fn id_problem(trace_id: &[u8], span_id: &[u8]) -> Option<String> {
    if trace_id.len() != 16 {
        return Some(format!(
            "trace id is {} bytes, OTLP requires 16",
            trace_id.len()
        ));
    }
    if span_id.len() != 8 {
        return Some(format!(
            "span id is {} bytes, OTLP requires 8",
            span_id.len()
        ));
    }
    None
}

/// Read an `ExportLogsServiceRequest` body with the logs file reader.
pub fn logs(bytes: &[u8], encoding: Encoding) -> Result<Vec<LogEvent>, BodyError> {
    let mut out = Vec::new();
    match encoding {
        Encoding::Protobuf => {
            let req = ExportLogsServiceRequest::decode(bytes).map_err(|e| {
                BodyError::Bad(format!("not an OTLP ExportLogsServiceRequest: {e}"))
            })?;
            logs::from_proto(req, &mut out);
        }
        Encoding::Json => {
            let doc = json(bytes, "ExportLogsServiceRequest")?;
            if !doc
                .get("resourceLogs")
                .or_else(|| doc.get("resource_logs"))
                .is_some_and(Value::is_array)
            {
                return Err(BodyError::Bad(
                    "not an OTLP/JSON logs export: no \"resourceLogs\" array at the top level"
                        .into(),
                ));
            }
            logs::from_json(doc, &mut out);
        }
    }
    Ok(out)
}

fn json(bytes: &[u8], what: &str) -> Result<Value, BodyError> {
    serde_json::from_slice(bytes).map_err(|e| {
        BodyError::Bad(format!(
            "the body is not JSON ({e}); expected an OTLP/JSON {what}"
        ))
    })
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
