//! Trends across the versions of one prompt (docs/tui.md, "Charts"): per version that has runs
//! of a given variant, how stable its answers were, what a call cost and how slow the slow
//! calls were. One standard-SQL query that runs unchanged on SQLite and PostgreSQL; the
//! aggregates (largest group of identical outputs, nearest-rank p95) are computed here.

use super::db::vals;
use super::{Result, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One version's point on the trends of a prompt and variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionTrend {
    pub number: u32,
    /// Samples of the variant for this version, over all its cells.
    pub samples: usize,
    /// The worst cell's share of its largest group of identical answers, 0..=1; `None` when
    /// nothing was answered.
    pub stability: Option<f64>,
    /// Mean `cost_usd` per call over the samples that have one.
    pub cost_per_call_usd: Option<f64>,
    /// Nearest-rank 95th percentile of `latency_ms`.
    pub latency_p95_ms: Option<f64>,
}

/// A sample as the trends read it.
struct Point {
    number: u32,
    cell: i64,
    answer: Option<String>,
    latency: Option<f64>,
    cost: Option<f64>,
}

impl Store {
    /// Per version of `prompt` with samples of `variant`, oldest first: stability, cost per
    /// call and p95 latency.
    pub fn version_trends(&self, prompt: &str, variant: &str) -> Result<Vec<VersionTrend>> {
        let sql = "SELECT v.number, c.id, s.status, s.output, s.latency_ms, s.cost_usd
             FROM samples s JOIN cells c ON c.id = s.cell_id
             JOIN prompt_versions v ON v.id = c.prompt_version_id
             JOIN prompts p ON p.id = v.prompt_id
             WHERE p.name = ?1 AND c.variant_name = ?2
             ORDER BY v.number, c.id, s.idx";
        let mut by_version: BTreeMap<u32, Vec<Point>> = BTreeMap::new();
        for r in self.db().query(sql, vals![prompt, variant])? {
            let status: String = r.get(2)?;
            let output: Option<String> = r.get(3)?;
            let point = Point {
                number: r.get(0)?,
                cell: r.get(1)?,
                answer: (status == "ok").then(|| output.unwrap_or_default()),
                latency: r.get(4)?,
                cost: r.get(5)?,
            };
            by_version.entry(point.number).or_default().push(point);
        }
        Ok(by_version.into_values().map(|p| trend(&p)).collect())
    }
}

/// The trend point of one version's samples.
fn trend(points: &[Point]) -> VersionTrend {
    let mut cells: HashMap<i64, HashMap<&str, usize>> = HashMap::new();
    for p in points {
        if let Some(a) = &p.answer {
            *cells.entry(p.cell).or_default().entry(a).or_default() += 1;
        }
    }
    let stability = cells
        .values()
        .map(|groups| {
            let total: usize = groups.values().sum();
            let largest = groups.values().copied().max().unwrap_or(0);
            largest as f64 / total.max(1) as f64
        })
        .reduce(f64::min);
    let costs: Vec<f64> = points.iter().filter_map(|p| p.cost).collect();
    let mut latencies: Vec<f64> = points.iter().filter_map(|p| p.latency).collect();
    latencies.sort_by(f64::total_cmp);
    let rank = (0.95 * latencies.len() as f64).ceil() as usize;
    VersionTrend {
        number: points.first().map_or(0, |p| p.number),
        samples: points.len(),
        stability,
        cost_per_call_usd: (!costs.is_empty())
            .then(|| costs.iter().sum::<f64>() / costs.len() as f64),
        latency_p95_ms: latencies
            .get(rank.clamp(1, latencies.len().max(1)) - 1)
            .copied(),
    }
}

impl Store {
    /// The variant of the newest cell of `prompt`: the one its trends follow by default.
    pub fn trend_variant(&self, prompt: &str) -> Result<Option<String>> {
        let sql = "SELECT c.variant_name FROM cells c
             JOIN prompt_versions v ON v.id = c.prompt_version_id
             JOIN prompts p ON p.id = v.prompt_id
             WHERE p.name = ?1 ORDER BY c.id DESC LIMIT 1";
        self.db()
            .query_opt(sql, vals![prompt])?
            .map(|r| r.get(0))
            .transpose()
    }
}
