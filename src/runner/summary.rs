//! The short per-variant summary printed after a run: samples ok/failed, distinct outputs,
//! tokens and latency percentiles, aggregated by the store (never by reading the samples back).

use crate::store::{Measure, SampleStatus, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// One variant of a run, over all its cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VariantSummary {
    pub variant: String,
    pub model: String,
    pub ok: usize,
    pub failed: usize,
    /// Most distinct exact outputs in any one cell of this variant (1 = deterministic).
    pub distinct: usize,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    /// Time to first token, over streamed answers only (`None` when nothing streamed).
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    /// The highest temperature sent by any cell of this variant, when above 0: stability is
    /// then expected to fall, and the summary says so.
    pub temperature_above_zero: Option<f64>,
    /// Retries made beyond the first attempt.
    pub retries: u64,
    /// The most frequent error message, when there were errors.
    pub top_error: Option<String>,
}

/// Latency and time-to-first-token percentiles of a cell's answered samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencyStats {
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    /// `None` when no answer was streamed.
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
}

impl LatencyStats {
    /// Percentiles over the answered samples.
    pub fn of(samples: &[crate::store::SampleRow]) -> LatencyStats {
        let ok = samples
            .iter()
            .filter(|s| s.sample.status == Some(SampleStatus::Ok));
        let (mut latencies, mut ttfts): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        for s in ok {
            latencies.extend(s.sample.latency_ms);
            ttfts.extend(s.sample.ttft_ms);
        }
        LatencyStats::from_values(latencies, ttfts)
    }

    /// Percentiles over the answered samples of `cells`, computed by the store along its
    /// latency and TTFT indexes (no sample is loaded).
    pub fn of_cells(store: &Store, cells: &[i64]) -> Result<LatencyStats, StoreError> {
        let quantiles = |m: Measure| -> Result<[Option<f64>; 2], StoreError> {
            let n = store.measure_count(cells, m)?;
            Ok([
                store.measure_quantile(cells, m, n, 0.5)?,
                store.measure_quantile(cells, m, n, 0.95)?,
            ])
        };
        let [latency_p50_ms, latency_p95_ms] = quantiles(Measure::Latency)?;
        let [ttft_p50_ms, ttft_p95_ms] = quantiles(Measure::Ttft)?;
        Ok(LatencyStats {
            latency_p50_ms,
            latency_p95_ms,
            ttft_p50_ms,
            ttft_p95_ms,
        })
    }

    fn from_values(mut latencies: Vec<f64>, mut ttfts: Vec<f64>) -> LatencyStats {
        latencies.sort_by(f64::total_cmp);
        ttfts.sort_by(f64::total_cmp);
        LatencyStats {
            latency_p50_ms: percentile(&latencies, 50.0),
            latency_p95_ms: percentile(&latencies, 95.0),
            ttft_p50_ms: percentile(&ttfts, 50.0),
            ttft_p95_ms: percentile(&ttfts, 95.0),
        }
    }
}

/// Summaries of every variant of `run_id`, in the order the variants were first seen.
///
/// Every figure is an aggregate the store computes (counts, sums, index-walked percentiles,
/// distinct output hashes), so memory does not grow with the number of samples.
pub fn summarize(store: &Store, run_id: i64) -> Result<Vec<VariantSummary>, StoreError> {
    let mut order: Vec<(String, String, Vec<i64>)> = Vec::new();
    let mut distinct: BTreeMap<String, u64> = BTreeMap::new();
    let mut temperature: BTreeMap<String, f64> = BTreeMap::new();
    for cell in store.cells(run_id)? {
        let name = cell.cell.variant_name.clone();
        match order.iter_mut().find(|(v, _, _)| *v == name) {
            Some((_, _, cells)) => cells.push(cell.id),
            None => order.push((
                name.clone(),
                model_of(&cell.cell.variant_json),
                vec![cell.id],
            )),
        }
        let d = distinct.entry(name.clone()).or_default();
        *d = (*d).max(store.distinct_outputs(cell.id)?);
        let sent = store.cell_request(cell.id)?.and_then(|r| {
            let v = serde_json::from_str(&r.params_sent).ok()?;
            super::sent::temperature_above_zero(&v)
        });
        if let Some(t) = sent {
            let e = temperature.entry(name).or_insert(t);
            *e = e.max(t);
        }
    }
    order
        .into_iter()
        .map(|(variant, model, cells)| {
            let totals = store.sample_totals(&cells)?;
            let stats = LatencyStats::of_cells(store, &cells)?;
            Ok(VariantSummary {
                ok: totals.ok as usize,
                failed: totals.failed as usize,
                distinct: distinct.get(&variant).copied().unwrap_or(0) as usize,
                input_tokens: totals.input_tokens,
                output_tokens: totals.output_tokens,
                latency_p50_ms: stats.latency_p50_ms,
                latency_p95_ms: stats.latency_p95_ms,
                ttft_p50_ms: stats.ttft_p50_ms,
                ttft_p95_ms: stats.ttft_p95_ms,
                temperature_above_zero: temperature.get(&variant).copied(),
                retries: totals.retries,
                top_error: store.top_error(&cells)?,
                variant,
                model,
            })
        })
        .collect()
}

/// The `model` field of a variant's JSON, empty when it has none.
fn model_of(variant_json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(variant_json)
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// Nearest-rank percentile of sorted values; None when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(10.0));
        assert_eq!(percentile(&v, 95.0), Some(19.0));
        assert_eq!(percentile(&[3.0], 95.0), Some(3.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
