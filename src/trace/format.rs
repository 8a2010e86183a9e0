//! The trace formats temper reads, how each is recognised from content, and load errors.

use super::{langfuse, openinference, otlp, temper};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;

/// A trace file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// temper JSONL: one span per line, the normalised model
    #[value(name = "temper")]
    TemperJsonl,
    /// OpenInference / Arize Phoenix span export (JSON or JSONL)
    #[value(name = "openinference", alias = "phoenix")]
    OpenInference,
    /// OpenTelemetry OTLP JSON (GenAI semantic conventions)
    #[value(name = "otlp", alias = "otel")]
    Otlp,
    /// Langfuse trace export (trace with observations)
    #[value(name = "langfuse")]
    Langfuse,
    /// OTLP binary protobuf ExportTraceServiceRequest (a collector's saved .pb body)
    #[value(name = "otlp-proto", alias = "pb", alias = "protobuf")]
    OtlpProto,
    /// OpenTelemetry Python ConsoleSpanExporter output (printed span objects among other text)
    #[value(name = "console")]
    Console,
}

impl Format {
    /// The JSON formats, in the order detection tries them (most specific first).
    pub const JSON: [Format; 4] = [
        Format::Otlp,
        Format::Langfuse,
        Format::OpenInference,
        Format::TemperJsonl,
    ];

    /// Every format: the JSON ones, then binary protobuf and console text.
    pub const ALL: [Format; 6] = [
        Format::Otlp,
        Format::Langfuse,
        Format::OpenInference,
        Format::TemperJsonl,
        Format::OtlpProto,
        Format::Console,
    ];

    /// The name used by `--format` and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::TemperJsonl => "temper",
            Format::OpenInference => "openinference",
            Format::Otlp => "otlp",
            Format::Langfuse => "langfuse",
            Format::OtlpProto => "otlp-proto",
            Format::Console => "console",
        }
    }

    /// Ok when `doc` (the first JSON document of the file) looks like this format, else why not.
    pub fn sniff(self, doc: &Value) -> Result<(), String> {
        match self {
            Format::TemperJsonl => temper::sniff(doc),
            Format::OpenInference => openinference::sniff(doc),
            Format::Otlp => otlp::sniff(doc),
            Format::Langfuse => langfuse::sniff(doc),
            Format::OtlpProto | Format::Console => {
                Err(format!("the file is JSON; {self} is not a JSON format"))
            }
        }
    }

    /// Convert one JSON document (a line, or the whole file) into spans appended to `out`.
    pub fn read(self, doc: Value, out: &mut Vec<super::Span>) -> Result<(), String> {
        match self {
            Format::TemperJsonl => temper::read(doc, out),
            Format::OpenInference => openinference::read(doc, out),
            Format::Otlp => otlp::read(doc, out),
            Format::Langfuse => langfuse::read(doc, out),
            Format::OtlpProto | Format::Console => {
                Err(format!("the file is JSON; {self} is not a JSON format"))
            }
        }
    }

    /// The first format whose sniff accepts `doc`, or every format's reason for refusing it.
    pub fn detect(doc: &Value) -> Result<Format, Vec<(Format, String)>> {
        let mut tried = Vec::new();
        for f in Format::JSON {
            match f.sniff(doc) {
                Ok(()) => return Ok(f),
                Err(why) => tried.push((f, why)),
            }
        }
        Err(tried)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a trace file could not be loaded at all (bad lines in JSONL are warnings, not errors).
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}:{column}: invalid JSON: {message}\n  hint: fix the JSON there, or if this is JSONL make sure each span is on one line"
    )]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} changed while it was read twice ({what}); run again once nothing writes to it")]
    Changed { path: PathBuf, what: String },
    #[error(
        "{path}: span ids {first:?} and {second:?} have the same 64-bit hash, so the tree could not be trusted; run the command again (the hash is keyed afresh on every run)"
    )]
    HashClash {
        path: PathBuf,
        first: String,
        second: String,
    },
    #[error("{path}: the file is empty (no spans)")]
    Empty { path: PathBuf },
    #[error("{path}: unknown trace format; tried:\n{}\n  hint: pass --format {} if you know it", list(.tried), names())]
    UnknownFormat {
        path: PathBuf,
        tried: Vec<(Format, String)>,
    },
    #[error(
        "{path}: not a {format} trace: {reason}\n  hint: drop --format to detect the format from the content"
    )]
    NotThisFormat {
        path: PathBuf,
        format: Format,
        reason: String,
    },
}

fn names() -> String {
    Format::ALL.map(Format::as_str).join("|")
}

fn list(tried: &[(Format, String)]) -> String {
    tried
        .iter()
        .map(|(f, why)| format!("  - {f}: {why}"))
        .collect::<Vec<_>>()
        .join("\n")
}
