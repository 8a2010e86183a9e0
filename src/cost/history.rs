//! What past runs say about cost: output tokens, stability and stored cost per model of a prompt
//! version (for `temper cost`), and cost per variant and per run (for `temper report`).
//!
//! Stability here is the simple measure of docs/architecture.md: largest group of identical
//! outputs divided by the number of answered samples, taken per cell; a model's stability is its
//! worst cell. The analysis module offers richer measures.

use super::money::{CostSummary, percentile, summarize};
use crate::store::{CellInfo, SampleRow, SampleStatus, Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Past samples of one model for one prompt version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelHistory {
    pub model: String,
    /// Answered samples (status ok).
    pub samples: usize,
    /// Mean output tokens of the answered samples that report them.
    pub mean_output_tokens: Option<f64>,
    /// Median (nearest rank) output tokens of those samples: the typical answer.
    pub p50_output_tokens: Option<u64>,
    /// 95th percentile (nearest rank) output tokens: the long answers a budget must cover.
    pub p95_output_tokens: Option<u64>,
    /// Worst cell's stability (largest identical group / answered samples), 0..=1.
    pub stability: Option<f64>,
    pub cost: CostSummary,
}

/// The model a cell ran: the `model` field of its variant JSON, else the variant's name.
pub fn cell_model(cell: &CellInfo) -> String {
    serde_json::from_str::<serde_json::Value>(&cell.cell.variant_json)
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| cell.cell.variant_name.clone())
}

/// Largest group of identical outputs over answered samples; `None` when nothing was answered.
pub fn simple_stability(samples: &[SampleRow]) -> Option<f64> {
    let mut groups: HashMap<&str, usize> = HashMap::new();
    let mut answered = 0usize;
    for s in samples.iter().filter(|s| is_answered(s)) {
        answered += 1;
        *groups
            .entry(s.sample.output.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let largest = groups.values().copied().max()?;
    Some(largest as f64 / answered as f64)
}

fn is_answered(s: &SampleRow) -> bool {
    s.sample.status == Some(SampleStatus::Ok)
}

/// Per model, what the stored runs of a prompt version measured.
pub fn version_history(
    store: &Store,
    prompt_version_id: i64,
) -> Result<BTreeMap<String, ModelHistory>, StoreError> {
    let mut grouped: BTreeMap<String, Vec<Vec<SampleRow>>> = BTreeMap::new();
    for cell in store.cells_for_version(prompt_version_id)? {
        let samples = store.samples(cell.id)?;
        grouped.entry(cell_model(&cell)).or_default().push(samples);
    }
    Ok(grouped
        .into_iter()
        .map(|(model, cells)| {
            let history = summarize_cells(&model, &cells);
            (model, history)
        })
        .collect())
}

fn summarize_cells(model: &str, cells: &[Vec<SampleRow>]) -> ModelHistory {
    let answered: Vec<&SampleRow> = cells.iter().flatten().filter(|s| is_answered(s)).collect();
    let outputs: Vec<f64> = answered
        .iter()
        .filter_map(|s| s.sample.output_tokens)
        .map(|t| t.max(0) as f64)
        .collect();
    let mean_output_tokens =
        (!outputs.is_empty()).then(|| outputs.iter().sum::<f64>() / outputs.len() as f64);
    let mut sorted = outputs.clone();
    sorted.sort_by(f64::total_cmp);
    let quantile = |q: f64| percentile(&sorted, q).map(|t| t.round() as u64);
    let stability = cells
        .iter()
        .filter_map(|c| simple_stability(c))
        .min_by(f64::total_cmp);
    ModelHistory {
        model: model.to_string(),
        samples: answered.len(),
        mean_output_tokens,
        p50_output_tokens: quantile(0.5),
        p95_output_tokens: quantile(0.95),
        stability,
        cost: summarize(answered.iter().map(|s| s.sample.cost_usd)),
    }
}

/// Cost of one variant of a run: mean and p95 per sample, total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantCost {
    pub variant: String,
    pub model: String,
    pub cost: CostSummary,
}

/// Cost of a run, per variant and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunCost {
    pub run_id: i64,
    pub variants: Vec<VariantCost>,
    pub total: CostSummary,
}

/// Stored sample costs of a run grouped by variant (in the order variants first appear).
/// Samples without a cost (unpriced model, no usage) are counted but not summed.
pub fn run_cost(store: &Store, run_id: i64) -> Result<RunCost, StoreError> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut costs: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let mut all = Vec::new();
    for cell in store.cells(run_id)? {
        let name = cell.cell.variant_name.clone();
        if !costs.contains_key(&name) {
            order.push((name.clone(), cell_model(&cell)));
        }
        let entry = costs.entry(name).or_default();
        for s in store.samples(cell.id)? {
            if s.sample.status == Some(SampleStatus::Skipped) {
                continue;
            }
            entry.push(s.sample.cost_usd);
            all.push(s.sample.cost_usd);
        }
    }
    let variants = order
        .into_iter()
        .map(|(variant, model)| {
            let cost = summarize(costs.remove(&variant).unwrap_or_default());
            VariantCost {
                variant,
                model,
                cost,
            }
        })
        .collect();
    Ok(RunCost {
        run_id,
        variants,
        total: summarize(all),
    })
}
