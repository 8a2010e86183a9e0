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

/// Samples read (and written) at a time: memory follows this, not the run's size.
const PAGE: u32 = 1000;

/// Write run `run_id` as temper JSONL to `path`; returns the number of spans written. Samples
/// are read a page at a time and written as they come, and the run's and cells' statuses come
/// from the store's counts, so no run is ever held whole.
pub fn write_run_trace(store: &Store, run_id: i64, path: &Path) -> Result<usize, RunTraceError> {
    let run = store.run_info(run_id)?;
    let cells = store.cells(run_id)?;
    let schemas: HashMap<i64, Value> = cells
        .iter()
        .filter_map(|cell| Some((cell.id, requested_schema(store, cell)?)))
        .collect();
    // Never over the DB or any SQLite file, even when the caller allowed overwriting.
    let is_trace = crate::fsio::looks_like_trace;
    crate::fsio::check_output(path, store.path(), true, "trace", is_trace)?;
    let mut failed: Option<StoreError> = None;
    let mut written = 0;
    let result = crate::fsio::write_atomic(path, |out| {
        match write_spans(store, &run, &cells, &schemas, out) {
            Ok(n) => {
                written = n;
                Ok(())
            }
            Err(Stop::Io(e)) => Err(e),
            Err(Stop::Store(e)) => {
                failed = Some(e);
                Err(std::io::Error::other("reading the run failed"))
            }
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    result?;
    Ok(written)
}

/// Why writing the spans stopped: the store or the file.
enum Stop {
    Store(StoreError),
    Io(std::io::Error),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Io(e)
    }
}

/// The run's spans in tree order (parents first) to `out`, a page of samples at a time;
/// returns how many were written.
fn write_spans(
    store: &Store,
    run: &RunInfo,
    cells: &[CellInfo],
    schemas: &HashMap<i64, Value>,
    out: &mut dyn std::io::Write,
) -> Result<usize, Stop> {
    let ids: Vec<i64> = cells.iter().map(|c| c.id).collect();
    super::write_jsonl([&run_span(run, status_of(store, &ids)?)], &mut *out)?;
    let mut written = 1;
    for cell in cells {
        let parent = cell_span(run, cell, status_of(store, &[cell.id])?);
        super::write_jsonl([&parent], &mut *out)?;
        written += 1;
        let schema = schemas.get(&cell.id);
        let mut after = None;
        loop {
            let page = store.sample_page(cell.id, after, PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.sample.idx);
            let spans: Vec<Span> = page
                .iter()
                .map(|s| {
                    let mut span = sample_span(&parent.id, cell, s);
                    if let Some(schema) = schema {
                        span.output_schema = Some(schema.clone());
                    }
                    span
                })
                .collect();
            super::write_jsonl(&spans, &mut *out)?;
            written += spans.len();
        }
    }
    Ok(written)
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

/// The span of the whole run (the root).
fn run_span(run: &RunInfo, status: Status) -> Span {
    Span {
        id: format!("run-{}", run.id).into(),
        kind: SpanKind::Chain,
        name: format!("temper run #{}", run.id).into(),
        start: run.started_at.parse().ok(),
        end: run.finished_at.as_deref().and_then(|t| t.parse().ok()),
        status,
        ..Default::default()
    }
}

/// The span of one cell, under the run's.
fn cell_span(run: &RunInfo, cell: &CellInfo, status: Status) -> Span {
    Span {
        id: format!("cell-{}", cell.id).into(),
        parent: Some(format!("run-{}", run.id).into()),
        kind: SpanKind::Chain,
        name: format!(
            "{}@{} × {} × {}",
            cell.prompt, cell.prompt_number, cell.cell.variant_name, cell.cell.case_name
        )
        .into(),
        input: Some(cell.cell.case_json.clone()),
        status,
        ..Default::default()
    }
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
        id: format!("sample-{}-{}", cell.id, s.idx).into(),
        parent: Some(parent.into()),
        kind: SpanKind::Llm,
        name: format!("sample {}", s.idx).into(),
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
        model: model_of(cell).map(Into::into),
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

/// Error when any sample of `cells` failed, Ok when they have samples, else Unset (counted by
/// the store).
fn status_of(store: &Store, cells: &[i64]) -> Result<Status, StoreError> {
    let t = store.sample_totals(cells)?;
    Ok(if t.failed > 0 {
        Status::Error
    } else if t.ok + t.skipped > 0 {
        Status::Ok
    } else {
        Status::Unset
    })
}

#[cfg(test)]
#[path = "from_run_tests.rs"]
mod tests;
