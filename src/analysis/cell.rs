//! A report row for one stored cell (prompt version x variant x case): the analysis plus token,
//! cost and latency totals. Pure over rows already read, so the CLI and the TUI share it.

use super::cluster::Observed;
use super::summary::{Analysis, Options, analyze};
use crate::store::{CellInfo, SampleRow, SampleStatus};
use serde::Serialize;

/// Everything `temper report` shows for a cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellReport {
    pub cell_id: i64,
    pub run_id: i64,
    pub prompt: String,
    pub version: u32,
    pub variant: String,
    /// The variant's `model` field when its JSON has one.
    pub model: Option<String>,
    pub case: String,
    pub tokens: TokenTotals,
    /// Sum of stored `cost_usd`; `None` when no sample has a cost.
    pub cost_usd: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub analysis: Analysis,
}

/// Token usage summed over the cell's samples (only samples that report it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenTotals {
    pub input: Option<i64>,
    pub output: Option<i64>,
    /// Mean output tokens per sample that reported them.
    pub mean_output: Option<f64>,
}

/// What the analysis sees of stored samples: successful outputs, everything else as failed.
pub fn observed(samples: &[SampleRow]) -> Vec<Observed<'_>> {
    samples
        .iter()
        .map(|s| match (s.sample.status, s.sample.output.as_deref()) {
            (Some(SampleStatus::Ok), Some(text)) => Observed::ok(s.sample.idx, text),
            (Some(SampleStatus::Ok), None) => Observed::ok(s.sample.idx, ""),
            _ => Observed::failed(s.sample.idx),
        })
        .collect()
}

/// Build the report of one cell from its stored samples.
pub fn cell_report(cell: &CellInfo, samples: &[SampleRow], options: Options<'_>) -> CellReport {
    let sum = |f: fn(&SampleRow) -> Option<i64>| {
        let values: Vec<i64> = samples.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| values.iter().sum::<i64>())
    };
    let outputs: Vec<i64> = samples
        .iter()
        .filter_map(|s| s.sample.output_tokens)
        .collect();
    let costs: Vec<f64> = samples.iter().filter_map(|s| s.sample.cost_usd).collect();
    let latencies: Vec<f64> = samples.iter().filter_map(|s| s.sample.latency_ms).collect();
    let model = variant_model(cell);
    CellReport {
        cell_id: cell.id,
        run_id: cell.run_id,
        prompt: cell.prompt.clone(),
        version: cell.prompt_number,
        variant: cell.cell.variant_name.clone(),
        model,
        case: cell.cell.case_name.clone(),
        tokens: TokenTotals {
            input: sum(|s| s.sample.input_tokens),
            output: sum(|s| s.sample.output_tokens),
            mean_output: (!outputs.is_empty())
                .then(|| outputs.iter().sum::<i64>() as f64 / outputs.len() as f64),
        },
        cost_usd: (!costs.is_empty()).then(|| costs.iter().sum()),
        latency_p95_ms: percentile(&latencies, 0.95),
        analysis: analyze(&observed(samples), options),
    }
}

/// The `model` field of the cell's variant JSON, when it has one.
pub fn variant_model(cell: &CellInfo) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&cell.cell.variant_json)
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
}

/// Nearest-rank percentile (`q` in 0..=1); `None` for no values.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}
