//! What `temper check` reads of a stored cell instead of its samples: counts by status and the
//! first unanswered sample, the first members of an answer group (from the index
//! `(cell_id, output_hash, idx)`) and the priced calls in one pass. With the answer groups
//! (`groups.rs`) and the percentiles (`aggregates.rs`) they are everything the session's checks
//! measure, so a check holds the cell's distinct answers, never its samples
//! (docs/architecture.md, "History at scale").

use super::db::vals;
use super::{Result, Store};

/// How many samples a cell has, how many were answered, and the first one that was not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerCounts {
    /// Every sample, failed and skipped included.
    pub samples: u64,
    /// Samples with status `ok`.
    pub answered: u64,
    /// The lowest-index sample that was not answered (failed or skipped), with its error text.
    pub first_unanswered: Option<(u32, Option<String>)>,
    /// Samples with a latency, and with a time to first token, whatever their status (what
    /// [`super::Measure::AnyLatency`] and [`super::Measure::AnyTtft`] take their percentiles over).
    pub latencies: u64,
    pub ttfts: u64,
}

/// The calls of a cell that have a stored cost, whatever their status.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PricedCalls {
    /// How many calls have a cost.
    pub calls: u64,
    /// Their costs summed in index order (the order a sum over the samples takes, so the
    /// figure is the same to the last bit).
    pub total_usd: f64,
    /// The dearest call's cost and index; ties go to the highest index (as `Iterator::max_by`
    /// over the samples picks them).
    pub dearest: Option<(f64, u32)>,
}

impl Store {
    /// Counts by answered or not over `cell` (one pass), and its first unanswered sample
    /// (walked along the `(cell_id, idx)` key, so it stops at the first one).
    pub fn answer_counts(&self, cell: i64) -> Result<AnswerCounts> {
        let r = self.db().query_one(
            "SELECT count(*),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS BIGINT),
                    count(latency_ms), count(ttft_ms)
             FROM samples WHERE cell_id = ?1",
            vals![cell],
        )?;
        let count = |i| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
        let (samples, answered) = (count(0)?, count(1)?);
        let (latencies, ttfts) = (count(2)?, count(3)?);
        let first_unanswered = match answered < samples {
            false => None,
            true => self
                .db()
                .query_opt(
                    "SELECT idx, error FROM samples WHERE cell_id = ?1 AND status <> 'ok'
                     ORDER BY idx LIMIT 1",
                    vals![cell],
                )?
                .map(|r| Ok::<_, super::StoreError>((r.get(0)?, r.get(1)?)))
                .transpose()?,
        };
        Ok(AnswerCounts {
            samples,
            answered,
            first_unanswered,
            latencies,
            ttfts,
        })
    }

    /// The lowest `limit` sample indices of `cell` whose answer has the stored hash `hash`,
    /// ascending: read from the index, whatever the group's size.
    pub fn group_first_members(&self, cell: i64, hash: i64, limit: u32) -> Result<Vec<u32>> {
        self.db()
            .query(
                "SELECT idx FROM samples WHERE cell_id = ?1 AND output_hash = ?2
                 ORDER BY idx LIMIT ?3",
                vals![cell, hash, i64::from(limit)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// The priced calls of `cell` (any status): count, sum in index order and the dearest,
    /// streamed in one pass (nothing held per sample).
    pub fn priced_calls(&self, cell: i64) -> Result<PricedCalls> {
        // -0.0 is what `Iterator::sum` starts from, so an empty sum is the same bits too.
        let mut out = PricedCalls {
            total_usd: -0.0,
            ..PricedCalls::default()
        };
        self.db().for_each(
            "SELECT cost_usd, idx FROM samples WHERE cell_id = ?1 AND cost_usd IS NOT NULL
             ORDER BY idx",
            vals![cell],
            &mut |r| {
                let (cost, idx): (f64, u32) = (r.get(0)?, r.get(1)?);
                out.calls += 1;
                out.total_usd += cost;
                if out
                    .dearest
                    .is_none_or(|(max, _)| cost.total_cmp(&max).is_ge())
                {
                    out.dearest = Some((cost, idx));
                }
                Ok(())
            },
        )?;
        Ok(out)
    }
}
