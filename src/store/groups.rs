//! A cell's answers read as groups and pages instead of all at once: the groups of identical
//! answers (`GROUP BY output_hash` along the index `(cell_id, output_hash, idx)`, each with its
//! size, first sample and that sample's text), every group's members streamed as 4-byte
//! indices, the cell's sums, and samples a page at a time (keyset on `idx`). What the report
//! and the TUI's Diff view read, so neither holds a cell's samples (docs/architecture.md,
//! "History at scale").

use super::db::vals;
use super::samples::{SAMPLE_COLUMNS, sample_row};
use super::{Result, SampleRow, Store};

/// One group of a cell's answered samples that share a stored output hash (the same text and
/// tool calls).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputGroup {
    /// The stored hash of the answer (`store::output_hash`).
    pub hash: i64,
    /// How many samples gave this answer.
    pub count: u64,
    /// The lowest sample index in the group: the one that stands for it.
    pub first_idx: u32,
    /// The answer text of that sample (`None` when the provider sent no text).
    pub output: Option<String>,
    /// Its tool calls as stored (JSON), when it made any.
    pub tool_calls_json: Option<String>,
}

/// A cell's groups of identical answers and how many samples it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerGroups {
    /// Answered samples by distinct answer, by first sample index.
    pub groups: Vec<OutputGroup>,
    /// Every sample of the cell, failed and skipped included.
    pub samples: u64,
}

/// Sums over all the samples of one cell, whatever their status (what a report row shows).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellSums {
    /// Every sample, failed and skipped included.
    pub samples: u64,
    /// Samples with status `ok`.
    pub ok: u64,
    /// Sum of the input tokens reported; `None` when no sample reports them.
    pub input_tokens: Option<i64>,
    /// Sum of the output tokens reported; `None` when no sample reports them.
    pub output_tokens: Option<i64>,
    /// Samples that report output tokens.
    pub output_reported: u64,
}

impl Store {
    /// The groups of identical answers of `cell`, by first sample index. Walks the partial index `(cell_id, output_hash, idx)`, answered samples only: a query
    /// that also counted the unanswered (the `NULL` hashes) could not use it and read every row.
    pub fn output_groups(&self, cell: i64) -> Result<Vec<OutputGroup>> {
        let sql = "SELECT g.output_hash, g.n, g.first_idx, s.output, s.tool_calls_json
             FROM (SELECT output_hash, count(*) AS n, min(idx) AS first_idx FROM samples
                   WHERE cell_id = ?1 AND output_hash IS NOT NULL GROUP BY output_hash) AS g
             JOIN samples s ON s.cell_id = ?1 AND s.idx = g.first_idx
             ORDER BY g.first_idx";
        self.db()
            .query(sql, vals![cell])?
            .iter()
            .map(|r| {
                Ok(OutputGroup {
                    hash: r.get(0)?,
                    count: r.get::<i64>(1)?.max(0) as u64,
                    first_idx: r.get(2)?,
                    output: r.get(3)?,
                    tool_calls_json: r.get(4)?,
                })
            })
            .collect()
    }

    /// The groups of identical answers of `cell` and how many samples it has, counted along
    /// its `(cell_id, idx)` key.
    pub fn answer_groups(&self, cell: i64) -> Result<AnswerGroups> {
        Ok(AnswerGroups {
            groups: self.output_groups(cell)?,
            samples: self.cell_sample_count(cell)?,
        })
    }

    /// Every answered sample of `cell` as `(output hash, index)`, by hash then index, streamed
    /// from the index (no sample is read).
    pub fn for_each_group_member(
        &self,
        cell: i64,
        f: &mut dyn FnMut(i64, u32) -> Result<()>,
    ) -> Result<()> {
        let sql = "SELECT output_hash, idx FROM samples
                   WHERE cell_id = ?1 AND output_hash IS NOT NULL ORDER BY output_hash, idx";
        self.db()
            .for_each(sql, vals![cell], &mut |r| f(r.get(0)?, r.get(1)?))
    }

    /// How many samples `cell` has (any status), counted along its `(cell_id, idx)` key
    /// without reading a row (5x faster than [`Store::cell_sums`] at 1M samples).
    pub fn cell_sample_count(&self, cell: i64) -> Result<u64> {
        let r = self.db().query_one(
            "SELECT count(*) FROM samples WHERE cell_id = ?1",
            vals![cell],
        )?;
        Ok(r.get::<i64>(0)?.max(0) as u64)
    }

    /// Counts and token sums over every sample of `cell`.
    pub fn cell_sums(&self, cell: i64) -> Result<CellSums> {
        let r = self.db().query_one(
            "SELECT count(*),
                    CAST(COALESCE(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(sum(input_tokens) AS BIGINT), CAST(sum(output_tokens) AS BIGINT),
                    count(output_tokens)
             FROM samples WHERE cell_id = ?1",
            vals![cell],
        )?;
        let count = |i| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
        Ok(CellSums {
            samples: count(0)?,
            ok: count(1)?,
            input_tokens: r.get(2)?,
            output_tokens: r.get(3)?,
            output_reported: count(4)?,
        })
    }

    /// The sum of the stored costs of `cell`'s samples in index order (the order a sum over
    /// the samples read back takes, so the figure is the same to the last bit), streamed;
    /// `None` when no sample has a cost.
    pub fn cell_cost_sum(&self, cell: i64) -> Result<Option<f64>> {
        let mut sum: Option<f64> = None;
        self.db().for_each(
            "SELECT cost_usd FROM samples WHERE cell_id = ?1 AND cost_usd IS NOT NULL ORDER BY idx",
            vals![cell],
            &mut |r| {
                *sum.get_or_insert(0.0) += r.get::<f64>(0)?;
                Ok(())
            },
        )?;
        Ok(sum)
    }

    /// Up to `limit` samples of `cell` with an index above `after` (from the first when
    /// `None`), by index: one page, found through the `(cell_id, idx)` key.
    pub fn sample_page(&self, cell: i64, after: Option<u32>, limit: u32) -> Result<Vec<SampleRow>> {
        let sql = format!(
            "SELECT {} FROM samples WHERE cell_id = ?1 AND idx > ?2 ORDER BY idx LIMIT ?3",
            SAMPLE_COLUMNS.join(", ")
        );
        let after = after.map_or(-1, i64::from);
        self.db()
            .query(&sql, vals![cell, after, i64::from(limit)])?
            .iter()
            .map(sample_row)
            .collect()
    }

    /// Up to `limit` samples of `cell` from the `offset`-th by index (the rows of a list
    /// scrolled there): one page, walked along the `(cell_id, idx)` key.
    pub fn sample_window(&self, cell: i64, offset: u32, limit: u32) -> Result<Vec<SampleRow>> {
        let sql = format!(
            "SELECT {} FROM samples WHERE cell_id = ?1 ORDER BY idx LIMIT ?2 OFFSET ?3",
            SAMPLE_COLUMNS.join(", ")
        );
        self.db()
            .query(&sql, vals![cell, i64::from(limit), i64::from(offset)])?
            .iter()
            .map(sample_row)
            .collect()
    }

    /// How many samples of `cell` failed (status `error`). Reads the cell's rows (no index
    /// holds the status): asked once per cell shown, not per page.
    pub fn cell_error_count(&self, cell: i64) -> Result<u64> {
        let r = self.db().query_one(
            "SELECT count(*) FROM samples WHERE cell_id = ?1 AND status = 'error'",
            vals![cell],
        )?;
        Ok(r.get::<i64>(0)?.max(0) as u64)
    }

    /// One sample of `cell` by index, whole.
    pub fn sample_at(&self, cell: i64, idx: u32) -> Result<Option<SampleRow>> {
        let sql = format!(
            "SELECT {} FROM samples WHERE cell_id = ?1 AND idx = ?2",
            SAMPLE_COLUMNS.join(", ")
        );
        self.db()
            .query_opt(&sql, vals![cell, idx])?
            .as_ref()
            .map(sample_row)
            .transpose()
    }
}
