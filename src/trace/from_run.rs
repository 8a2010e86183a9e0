//! A stored run as temper JSONL spans, so `temper run --trace-out F` produces a file that
//! `temper trace` and the Trace view open like any other trace.
//!
//! Tree: one `chain` span per run, one `chain` span per cell (prompt version x variant x case),
//! one `llm` span per sample with its model, output, error, usage and cost, and the JSON schema
//! the prompt asked the output to follow (so the schema detector checks every answer).

use super::model::{Span, SpanExtra, SpanKind, Status, Usage};
use crate::store::{CellInfo, Reference, RunInfo, SampleRow, SampleStatus, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Why a run could not be written as a trace.
#[derive(Debug, thiserror::Error)]
pub enum RunTraceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] crate::fsio::WriteError),
    #[error("cannot write trace {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Write run `run_id` as temper JSONL to `path`; returns the number of spans written.
pub fn write_run_trace(store: &Store, run_id: i64, path: &Path) -> Result<usize, RunTraceError> {
    let run = store.run_info(run_id)?;
    let cells = store
        .cells(run_id)?
        .into_iter()
        .map(|cell| store.samples(cell.id).map(|samples| (cell, samples)))
        .collect::<Result<Vec<_>, _>>()?;
    let schemas: HashMap<i64, Value> = cells
        .iter()
        .filter_map(|(cell, _)| Some((cell.id, requested_schema(store, cell)?)))
        .collect();
    let spans = run_spans(&run, &cells, &schemas);
    // Never over the DB or any SQLite file, even when the caller allowed overwriting.
    let is_trace = crate::fsio::looks_like_trace;
    crate::fsio::check_output(path, store.path(), true, "trace", is_trace)?;
    crate::fsio::write_atomic(path, |out| super::write_jsonl(&spans, out))?;
    Ok(spans.len())
}

/// The response schema a cell asked for: the variant's override, else the prompt version's.
fn requested_schema(store: &Store, cell: &CellInfo) -> Option<Value> {
    let overridden = serde_json::from_str::<Value>(&cell.cell.variant_json)
        .ok()
        .and_then(|v| v.pointer("/params/response_schema").cloned());
    if let Some(schema) = overridden {
        return Some(schema).filter(Value::is_object);
    }
    let reference = Reference::Number(cell.prompt.clone(), cell.prompt_number);
    store.resolve(&reference).ok()?.body.params.response_schema
}

/// Spans for a run and its cells with their samples, in tree order (parents first); `schemas`
/// holds the response schema of the cells that asked for one, by cell id.
pub fn run_spans(
    run: &RunInfo,
    cells: &[(CellInfo, Vec<SampleRow>)],
    schemas: &HashMap<i64, Value>,
) -> Vec<Span> {
    let run_id = format!("run-{}", run.id);
    let mut spans = vec![Span {
        id: run_id.clone(),
        kind: SpanKind::Chain,
        name: format!("temper run #{}", run.id),
        start: run.started_at.parse().ok(),
        end: run.finished_at.as_deref().and_then(|t| t.parse().ok()),
        status: status_of(cells.iter().flat_map(|(_, s)| s)),
        ..Default::default()
    }];
    for (cell, samples) in cells {
        let cell_id = format!("cell-{}", cell.id);
        spans.push(Span {
            id: cell_id.clone(),
            parent: Some(run_id.clone()),
            kind: SpanKind::Chain,
            name: format!(
                "{}@{} × {} × {}",
                cell.prompt, cell.prompt_number, cell.cell.variant_name, cell.cell.case_name
            ),
            input: Some(cell.cell.case_json.clone()),
            status: status_of(samples),
            ..Default::default()
        });
        let schema = schemas.get(&cell.id);
        spans.extend(samples.iter().map(|s| {
            let mut span = sample_span(&cell_id, cell, s);
            if let Some(schema) = schema {
                span.output_schema = Some(schema.clone());
            }
            span
        }));
    }
    spans
}

fn sample_span(parent: &str, cell: &CellInfo, row: &SampleRow) -> Span {
    let s = &row.sample;
    let end: Option<Timestamp> = row.created_at.parse().ok();
    let start = end.zip(s.latency_ms).and_then(|(end, ms)| {
        end.checked_sub(SignedDuration::from_secs_f64(ms.max(0.0) / 1000.0))
            .ok()
    });
    let usage = (s.input_tokens.is_some() || s.output_tokens.is_some()).then(|| Usage {
        prompt_tokens: s.input_tokens.and_then(|n| u64::try_from(n).ok()),
        completion_tokens: s.output_tokens.and_then(|n| u64::try_from(n).ok()),
        total_tokens: None,
    });
    Span {
        id: format!("sample-{}-{}", cell.id, s.idx),
        parent: Some(parent.to_string()),
        kind: SpanKind::Llm,
        name: format!("sample {}", s.idx),
        start,
        end,
        status: match s.status {
            Some(SampleStatus::Ok) => Status::Ok,
            Some(SampleStatus::Error) => Status::Error,
            _ => Status::Unset,
        },
        // A tool-calling answer has no text: its calls are what it said.
        output: s
            .output
            .clone()
            .filter(|o| !o.is_empty())
            .or_else(|| s.tool_calls_json.clone()),
        model: model_of(cell),
        ..Default::default()
    }
    .with_extra(SpanExtra {
        error: s.error.clone(),
        usage,
        cost: s.cost_usd,
        ..SpanExtra::default()
    })
}

/// The model a cell called, from its variant JSON (`"model"`), else the variant name.
fn model_of(cell: &CellInfo) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&cell.cell.variant_json)
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
        .or_else(|| Some(cell.cell.variant_name.clone()))
}

fn status_of<'a>(samples: impl IntoIterator<Item = &'a SampleRow>) -> Status {
    let mut any = false;
    for s in samples {
        any = true;
        if s.sample.status == Some(SampleStatus::Error) {
            return Status::Error;
        }
    }
    if any { Status::Ok } else { Status::Unset }
}
