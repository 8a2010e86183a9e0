//! What past runs say about cost: output tokens, stability and stored cost per model of a prompt
//! version (for `temper cost`), and cost per variant and per run (for `temper report`).
//!
//! Stability here is the simple measure of docs/architecture.md: largest group of identical
//! answers (same stored output hash: text and tool calls, call ids aside) divided by the number
//! of answered samples, taken per cell; a model's stability is its worst cell. The analysis
//! module offers richer measures. Everything is aggregated by the store ("History at scale").

use super::money::CostSummary;
use crate::store::{CellInfo, Measure, SampleRow, SampleStatus, Store, StoreError, nearest_rank};
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

/// Per model, what the stored runs of a prompt version measured: counts, sums and percentiles
/// the store aggregates, so memory does not grow with the number of stored samples.
pub fn version_history(
    store: &Store,
    prompt_version_id: i64,
) -> Result<BTreeMap<String, ModelHistory>, StoreError> {
    let mut grouped: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for cell in store.cells_for_version(prompt_version_id)? {
        grouped.entry(cell_model(&cell)).or_default().push(cell.id);
    }
    grouped
        .into_iter()
        .map(|(model, cells)| Ok((model.clone(), summarize_cells(store, &model, &cells)?)))
        .collect()
}

fn summarize_cells(store: &Store, model: &str, cells: &[i64]) -> Result<ModelHistory, StoreError> {
    let totals = store.sample_totals(cells)?;
    let reported = totals.output_reported;
    let mean_output_tokens =
        (reported > 0).then(|| totals.output_reported_sum as f64 / reported as f64);
    let histogram = output_token_histogram(store, cells)?;
    let quantile = |q: f64| {
        let rank = nearest_rank(reported, q)?;
        let mut seen = 0u64;
        histogram
            .iter()
            .find(|(_, n)| {
                seen += **n;
                seen > rank
            })
            .map(|(t, _)| *t)
    };
    // A model's stability is its worst cell's: the share of its largest group of answers.
    let stability = store
        .answered_and_largest_group(cells)?
        .into_iter()
        .filter(|(_, answered, _)| *answered > 0)
        .map(|(_, answered, largest)| largest as f64 / answered as f64)
        .reduce(f64::min);
    Ok(ModelHistory {
        model: model.to_string(),
        samples: totals.ok as usize,
        mean_output_tokens,
        p50_output_tokens: quantile(0.5),
        p95_output_tokens: quantile(0.95),
        stability,
        cost: stored_cost(store, cells, Measure::AnsweredCost)?,
    })
}

/// Output tokens of the answered samples of `cells` (negatives as 0) → how many samples had
/// that count, ascending: one entry per distinct count.
fn output_token_histogram(store: &Store, cells: &[i64]) -> Result<BTreeMap<u64, u64>, StoreError> {
    let mut merged: BTreeMap<u64, u64> = BTreeMap::new();
    for (tokens, n) in store.output_token_histogram(cells)? {
        *merged.entry(tokens.max(0) as u64).or_default() += n;
    }
    Ok(merged)
}

/// A [`CostSummary`] of the stored costs of `cells` (answered samples, or every sample sent),
/// aggregated by the store.
fn stored_cost(store: &Store, cells: &[i64], measure: Measure) -> Result<CostSummary, StoreError> {
    let totals = store.cost_totals(cells, measure)?;
    let priced = totals.priced;
    Ok(CostSummary {
        samples: totals.samples as usize,
        priced: priced as usize,
        total_usd: totals.total_usd,
        mean_usd: (priced > 0).then(|| totals.total_usd / priced as f64),
        p95_usd: store
            .measure_quantiles(cells, measure, &[0.95])?
            .first()
            .copied()
            .flatten(),
    })
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
/// Samples without a cost (unpriced model, no usage) are counted but not summed; skipped
/// samples (never sent) are not counted. Aggregated by the store.
pub fn run_cost(store: &Store, run_id: i64) -> Result<RunCost, StoreError> {
    let mut order: Vec<(String, String, Vec<i64>)> = Vec::new();
    let mut all = Vec::new();
    for cell in store.cells(run_id)? {
        let name = cell.cell.variant_name.clone();
        all.push(cell.id);
        match order.iter_mut().find(|(v, _, _)| *v == name) {
            Some((_, _, cells)) => cells.push(cell.id),
            None => order.push((name, cell_model(&cell), vec![cell.id])),
        }
    }
    let variants = order
        .into_iter()
        .map(|(variant, model, cells)| {
            Ok(VariantCost {
                variant,
                model,
                cost: stored_cost(store, &cells, Measure::SentCost)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RunCost {
        run_id,
        variants,
        total: stored_cost(store, &all, Measure::SentCost)?,
    })
}
