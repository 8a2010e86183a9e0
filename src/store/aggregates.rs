//! Aggregates over stored samples, so no caller holds a cell's samples: counts by status, token
//! and cost sums, output groups by the stored hash (all computed by the database), nearest-rank
//! percentiles (SQLite streams the one column into 8 bytes per value; PostgreSQL selects with
//! `ORDER BY … LIMIT 1 OFFSET k` on the server) and histograms of token counts (one entry per
//! distinct count). See docs/architecture.md, "History at scale".

use super::db::vals;
use super::{Result, Store};
use std::collections::BTreeMap;

/// A sample column that has percentiles, with the samples it is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// End-to-end latency of answered samples.
    Latency,
    /// End-to-end latency of every sample that has one, failed ones included (a report row's
    /// p95, as it always counted them).
    AnyLatency,
    /// Time to first token of answered, streamed samples.
    Ttft,
    /// Time to first token of every sample that has one, failed ones included (what
    /// `[check] max_p95_ttft_ms` always counted).
    AnyTtft,
    /// Output tokens of answered samples that report them.
    OutputTokens,
    /// Stored cost of answered samples.
    AnsweredCost,
    /// Stored cost of every sample that was sent (answered or failed), as run costs count it.
    SentCost,
}

impl Measure {
    fn column(self) -> &'static str {
        match self {
            Measure::Latency | Measure::AnyLatency => "latency_ms",
            Measure::Ttft | Measure::AnyTtft => "ttft_ms",
            Measure::OutputTokens => "output_tokens",
            Measure::AnsweredCost | Measure::SentCost => "cost_usd",
        }
    }

    fn filter(self) -> &'static str {
        match self {
            Measure::Latency => "status = 'ok' AND latency_ms IS NOT NULL",
            Measure::AnyLatency => "latency_ms IS NOT NULL",
            Measure::Ttft => "status = 'ok' AND ttft_ms IS NOT NULL",
            Measure::AnyTtft => "ttft_ms IS NOT NULL",
            Measure::OutputTokens => "status = 'ok' AND output_tokens IS NOT NULL",
            Measure::AnsweredCost => "cost_usd IS NOT NULL AND status = 'ok'",
            Measure::SentCost => "cost_usd IS NOT NULL AND status <> 'skipped'",
        }
    }
}

/// Counts and sums over the samples of some cells.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SampleTotals {
    /// Answered samples.
    pub ok: u64,
    /// Failed samples (skipped ones are in neither count).
    pub failed: u64,
    /// Skipped samples (never sent).
    pub skipped: u64,
    /// Attempts beyond the first, over every sample.
    pub retries: u64,
    /// Input and output tokens of the answered samples (absent counts as 0).
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Answered samples that report output tokens, and the sum of those counts (negatives as 0).
    pub output_reported: u64,
    pub output_reported_sum: i64,
}

/// Stored costs of some cells' samples.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostTotals {
    /// Samples considered (answered, or sent, per [`Measure`]).
    pub samples: u64,
    /// Those with a stored cost.
    pub priced: u64,
    pub total_usd: f64,
}

/// `cell_id IN (…)` for a list of ids (integers, so formatting them in is safe).
fn in_cells(cells: &[i64]) -> String {
    format!("cell_id IN ({})", id_list(cells))
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The most values a quantile reserves room for up front (a bogus planned count must not
/// allocate gigabytes): 16M values, 128 MB.
const MAX_PLANNED_VALUES: usize = 16 << 20;

/// Nearest-rank position (0-based) of quantile `q` (0..=1) among `n` sorted values.
pub fn nearest_rank(n: u64, q: f64) -> Option<u64> {
    if n == 0 {
        return None;
    }
    let rank = (q * n as f64).ceil().max(1.0) as u64;
    Some(rank.min(n) - 1)
}

impl Store {
    /// Counts by status, retries and token sums over the samples of `cells`.
    pub fn sample_totals(&self, cells: &[i64]) -> Result<SampleTotals> {
        if cells.is_empty() {
            return Ok(SampleTotals::default());
        }
        let sql = format!(
            "SELECT CAST(COALESCE(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN attempts > 1 THEN attempts - 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' THEN input_tokens END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' THEN output_tokens END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' AND output_tokens IS NOT NULL
                                           THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' AND output_tokens > 0
                                           THEN output_tokens ELSE 0 END), 0) AS BIGINT)
             FROM samples WHERE {}",
            in_cells(cells)
        );
        let r = self.db().query_one(&sql, &[])?;
        let count = |i| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
        Ok(SampleTotals {
            ok: count(0)?,
            failed: count(1)?,
            skipped: count(2)?,
            retries: count(3)?,
            input_tokens: r.get(4)?,
            output_tokens: r.get(5)?,
            output_reported: count(6)?,
            output_reported_sum: r.get(7)?,
        })
    }

    /// Nearest-rank quantiles `qs` (each 0..=1) of `measure` over `cells`, `None` where there
    /// are no values. SQLite streams the column (8 bytes per value, nothing else per sample);
    /// PostgreSQL counts, then selects each rank on the server from whichever end is nearer.
    pub fn measure_quantiles(
        &self,
        cells: &[i64],
        measure: Measure,
        qs: &[f64],
    ) -> Result<Vec<Option<f64>>> {
        if cells.is_empty() {
            return Ok(vec![None; qs.len()]);
        }
        let (col, filter) = (measure.column(), measure.filter());
        let from = format!("FROM samples WHERE {} AND {filter}", in_cells(cells));
        if !self.db().is_pg() {
            // Sized up front from the cells' planned sample counts: grown by doubling, the
            // vector of a 1M-sample run would briefly hold 24 MB instead of 8.
            let planned = self
                .db()
                .query_one(
                    &format!(
                        "SELECT CAST(COALESCE(sum(n), 0) AS BIGINT) FROM cells WHERE id IN ({})",
                        id_list(cells)
                    ),
                    &[],
                )?
                .get::<i64>(0)?;
            let planned = usize::try_from(planned)
                .unwrap_or(0)
                .min(MAX_PLANNED_VALUES);
            let mut values: Vec<f64> = Vec::with_capacity(planned);
            self.db()
                .for_each(&format!("SELECT {col} {from}"), &[], &mut |r| {
                    values.push(r.get(0)?);
                    Ok(())
                })?;
            values.sort_unstable_by(f64::total_cmp);
            let n = values.len() as u64;
            let pick = |q| nearest_rank(n, q).and_then(|k| values.get(k as usize).copied());
            return Ok(qs.iter().map(|&q| pick(q)).collect());
        }
        let n = self
            .db()
            .query_one(&format!("SELECT count(*) {from}"), &[])?;
        let n = n.get::<i64>(0)?.max(0) as u64;
        qs.iter()
            .map(|&q| {
                let Some(rank) = nearest_rank(n, q) else {
                    return Ok(None);
                };
                let (order, offset) = if rank <= n / 2 {
                    ("ASC", rank)
                } else {
                    ("DESC", n - 1 - rank)
                };
                let sql = format!("SELECT {col} {from} ORDER BY {col} {order} LIMIT 1 OFFSET ?1");
                let offset = i64::try_from(offset).unwrap_or(i64::MAX);
                match self.db().query_opt(&sql, vals![offset])? {
                    Some(r) => r.get(0),
                    None => Ok(None),
                }
            })
            .collect()
    }

    /// Output token counts of the answered samples of `cells` → how many samples had each:
    /// one entry per distinct count (bounded by `max_tokens`), never one per sample.
    pub fn output_token_histogram(&self, cells: &[i64]) -> Result<BTreeMap<i64, u64>> {
        let mut out: BTreeMap<i64, u64> = BTreeMap::new();
        if cells.is_empty() {
            return Ok(out);
        }
        let filter = format!("{} AND {}", in_cells(cells), Measure::OutputTokens.filter());
        if self.db().is_pg() {
            let sql = format!(
                "SELECT output_tokens, count(*) FROM samples WHERE {filter} GROUP BY output_tokens"
            );
            for r in self.db().query(&sql, &[])? {
                *out.entry(r.get(0)?).or_default() += r.get::<i64>(1)?.max(0) as u64;
            }
            return Ok(out);
        }
        let sql = format!("SELECT output_tokens FROM samples WHERE {filter}");
        self.db().for_each(&sql, &[], &mut |r| {
            *out.entry(r.get(0)?).or_default() += 1;
            Ok(())
        })?;
        Ok(out)
    }

    /// Stored costs of `cells`: samples considered, priced, and their sum.
    pub fn cost_totals(&self, cells: &[i64], measure: Measure) -> Result<CostTotals> {
        if cells.is_empty() {
            return Ok(CostTotals::default());
        }
        let considered = match measure {
            Measure::SentCost => "status <> 'skipped'",
            _ => "status = 'ok'",
        };
        let sql = format!(
            "SELECT count(*), count(cost_usd), COALESCE(sum(cost_usd), 0.0)
             FROM samples WHERE {} AND {considered}",
            in_cells(cells)
        );
        let r = self.db().query_one(&sql, &[])?;
        Ok(CostTotals {
            samples: r.get::<i64>(0)?.max(0) as u64,
            priced: r.get::<i64>(1)?.max(0) as u64,
            total_usd: r.get(2)?,
        })
    }

    /// How many distinct answers (by stored output hash) one cell has.
    pub fn distinct_outputs(&self, cell: i64) -> Result<u64> {
        let n: i64 = self
            .db()
            .query_one(
                "SELECT count(*) FROM (SELECT output_hash FROM samples
                 WHERE cell_id = ?1 AND output_hash IS NOT NULL GROUP BY output_hash) AS g",
                vals![cell],
            )?
            .get(0)?;
        Ok(n.max(0) as u64)
    }

    /// Per cell of `cells` that has answered samples: how many answered, and the size of its
    /// largest group of identical answers. One grouped query along the `(cell_id,
    /// output_hash, idx)` index whatever the number of cells: only answered samples have a hash
    /// (output_hash.rs), so the groups' sizes add up to the answered count without reading the
    /// rows. For the worst-cell stability of a version's history.
    pub fn answered_and_largest_group(&self, cells: &[i64]) -> Result<Vec<(i64, u64, u64)>> {
        if cells.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT cell_id, CAST(sum(n) AS BIGINT), max(n) FROM (
                 SELECT cell_id, count(*) AS n FROM samples
                 WHERE {} AND output_hash IS NOT NULL GROUP BY cell_id, output_hash) AS g
             GROUP BY cell_id ORDER BY cell_id",
            in_cells(cells)
        );
        let count = |r: &super::db::Row, i| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
        self.db()
            .query(&sql, &[])?
            .iter()
            .map(|r| Ok((r.get::<i64>(0)?, count(r, 1)?, count(r, 2)?)))
            .collect()
    }

    /// The most frequent error message among the failed samples of `cells` (absent = empty);
    /// ties go to the message that sorts last byte-wise.
    pub fn top_error(&self, cells: &[i64]) -> Result<Option<String>> {
        if cells.is_empty() {
            return Ok(None);
        }
        let collate = if self.db().is_pg() {
            " COLLATE \"C\""
        } else {
            ""
        };
        let sql = format!(
            "SELECT e FROM (SELECT COALESCE(error, '') AS e, count(*) AS n FROM samples
                 WHERE {} AND status = 'error' GROUP BY COALESCE(error, '')) AS g
             ORDER BY n DESC, e{collate} DESC LIMIT 1",
            in_cells(cells)
        );
        match self.db().query_opt(&sql, &[])? {
            Some(r) => Ok(Some(r.get(0)?)),
            None => Ok(None),
        }
    }
}
