//! The short per-variant summary printed after a run: samples ok/failed, distinct outputs,
//! tokens and latency percentiles, read back from the store.

use crate::store::{SampleStatus, Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

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

/// A summary in progress: the summary, its latencies and TTFTs, and error counts by message.
type Accumulator = (VariantSummary, [Vec<f64>; 2], BTreeMap<String, usize>);

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
pub fn summarize(store: &Store, run_id: i64) -> Result<Vec<VariantSummary>, StoreError> {
    let mut order: Vec<String> = Vec::new();
    let mut by_variant: BTreeMap<String, Accumulator> = BTreeMap::new();
    for cell in store.cells(run_id)? {
        let name = cell.cell.variant_name.clone();
        if !by_variant.contains_key(&name) {
            order.push(name.clone());
        }
        let entry = by_variant.entry(name.clone()).or_insert_with(|| {
            let model = serde_json::from_str::<serde_json::Value>(&cell.cell.variant_json)
                .ok()
                .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
                .unwrap_or_default();
            let summary = VariantSummary {
                variant: name,
                model,
                ..VariantSummary::default()
            };
            (summary, [Vec::new(), Vec::new()], BTreeMap::new())
        });
        let (summary, latencies, errors) = entry;
        let mut outputs = HashSet::new();
        for row in store.samples(cell.id)? {
            let s = row.sample;
            summary.retries += u64::from(s.attempts.saturating_sub(1));
            if s.status == Some(SampleStatus::Ok) {
                summary.ok += 1;
                outputs.insert((
                    s.output.unwrap_or_default(),
                    tool_calls_key(s.tool_calls_json.as_deref()),
                ));
                summary.input_tokens += s.input_tokens.unwrap_or(0);
                summary.output_tokens += s.output_tokens.unwrap_or(0);
                latencies[0].extend(s.latency_ms);
                latencies[1].extend(s.ttft_ms);
            } else if s.status == Some(SampleStatus::Error) {
                summary.failed += 1;
                *errors.entry(s.error.unwrap_or_default()).or_default() += 1;
            }
        }
        summary.distinct = summary.distinct.max(outputs.len());
        let sent = store.cell_request(cell.id)?.and_then(|r| {
            let v = serde_json::from_str(&r.params_sent).ok()?;
            super::sent::temperature_above_zero(&v)
        });
        summary.temperature_above_zero = match (summary.temperature_above_zero, sent) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(order
        .into_iter()
        .filter_map(|name| by_variant.remove(&name))
        .map(|(mut summary, [latencies, ttfts], errors)| {
            let stats = LatencyStats::from_values(latencies, ttfts);
            summary.latency_p50_ms = stats.latency_p50_ms;
            summary.latency_p95_ms = stats.latency_p95_ms;
            summary.ttft_p50_ms = stats.ttft_p50_ms;
            summary.ttft_p95_ms = stats.ttft_p95_ms;
            summary.top_error = errors
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(message, _)| message);
            summary
        })
        .collect())
}

/// Tool calls without their ids, which differ on every call even when the calls are the same.
fn tool_calls_key(json: Option<&str>) -> Vec<(String, String)> {
    json.and_then(|j| serde_json::from_str::<Vec<crate::provider::ToolCall>>(j).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.name, c.arguments))
        .collect()
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
