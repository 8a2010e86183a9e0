//! Samples: one answer of a cell each, named by the cell and its index (the table's key,
//! migration 8), stored in batches as they arrive (on PostgreSQL one binary `COPY` a batch)
//! and read back whole here; `groups.rs` reads them as groups and pages instead.

use super::db::{Row, Value, vals};
use super::{Result, Store, now};
use serde::{Deserialize, Serialize};

/// Whether a sample produced an answer, failed, or was never sent (e.g. budget reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleStatus {
    Ok,
    Error,
    Skipped,
}

impl SampleStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleStatus::Ok => "ok",
            SampleStatus::Error => "error",
            SampleStatus::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> SampleStatus {
        match s {
            "ok" => SampleStatus::Ok,
            "skipped" => SampleStatus::Skipped,
            _ => SampleStatus::Error,
        }
    }
}

/// One sample to store. Optional fields are absent when the provider did not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewSample {
    pub cell_id: i64,
    pub idx: u32,
    pub status: Option<SampleStatus>,
    pub output: Option<String>,
    pub tool_calls_json: Option<String>,
    pub finish_reason: Option<String>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub cached_tokens: Option<i64>,
    /// `provider` when the API reported usage, `estimated` when temper counted it.
    pub usage_source: Option<String>,
    pub latency_ms: Option<f64>,
    pub cost_usd: Option<f64>,
    pub system_fingerprint: Option<String>,
    pub error: Option<String>,
    pub attempts: u32,
    pub request_hash: Option<String>,
    pub response_json: Option<String>,
    /// Token logprobs in [`crate::provider::logprob_codec`]'s compact encoding, one blob per sample.
    pub logprobs: Option<Vec<u8>>,
    /// The serving region the provider reported in a response header.
    pub region: Option<String>,
    /// Time to the first answer token, for streamed requests.
    #[serde(default)]
    pub ttft_ms: Option<f64>,
}

/// A stored sample, named by its cell and index (the key of `samples`, migration 8).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRow {
    pub created_at: String,
    #[serde(flatten)]
    pub sample: NewSample,
}

/// The columns of `samples` in the order [`sample_values`] and [`sample_row`] use.
pub(super) const SAMPLE_COLUMNS: &[&str] = &[
    "cell_id",
    "idx",
    "status",
    "output",
    "tool_calls_json",
    "finish_reason",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "usage_source",
    "latency_ms",
    "cost_usd",
    "system_fingerprint",
    "error",
    "attempts",
    "request_hash",
    "response_json",
    "logprobs",
    "region",
    "ttft_ms",
    "output_hash",
    "created_at",
];

fn sample_values(s: &NewSample, at: &str) -> Vec<Value> {
    vec![
        s.cell_id.into(),
        s.idx.into(),
        s.status.unwrap_or(SampleStatus::Error).as_str().into(),
        s.output.clone().into(),
        s.tool_calls_json.clone().into(),
        s.finish_reason.clone().into(),
        s.input_tokens.into(),
        s.output_tokens.into(),
        s.cached_tokens.into(),
        s.usage_source.clone().into(),
        s.latency_ms.into(),
        s.cost_usd.into(),
        s.system_fingerprint.clone().into(),
        s.error.clone().into(),
        s.attempts.into(),
        s.request_hash.clone().into(),
        s.response_json.clone().into(),
        s.logprobs.clone().into(),
        s.region.clone().into(),
        s.ttft_ms.into(),
        hash_of(s).into(),
        at.into(),
    ]
}

/// The stored hash of an answered sample's output; none for failed or skipped samples.
fn hash_of(s: &NewSample) -> Option<i64> {
    (s.status == Some(SampleStatus::Ok))
        .then(|| super::output_hash::output_hash(s.output.as_deref(), s.tool_calls_json.as_deref()))
}

/// A sample from `SELECT <SAMPLE_COLUMNS>`.
pub(super) fn sample_row(r: &Row) -> Result<SampleRow> {
    Ok(SampleRow {
        created_at: r.get(21)?,
        sample: NewSample {
            cell_id: r.get(0)?,
            idx: r.get(1)?,
            status: Some(SampleStatus::parse(&r.get::<String>(2)?)),
            output: r.get(3)?,
            tool_calls_json: r.get(4)?,
            finish_reason: r.get(5)?,
            input_tokens: r.get(6)?,
            output_tokens: r.get(7)?,
            cached_tokens: r.get(8)?,
            usage_source: r.get(9)?,
            latency_ms: r.get(10)?,
            cost_usd: r.get(11)?,
            system_fingerprint: r.get(12)?,
            error: r.get(13)?,
            attempts: r.get(14)?,
            request_hash: r.get(15)?,
            response_json: r.get(16)?,
            logprobs: r.get(17)?,
            region: r.get(18)?,
            ttft_ms: r.get(19)?,
        },
    })
}

impl Store {
    /// Store a batch of samples in one transaction (the runner flushes every ≤ 100 ms); on
    /// PostgreSQL as one binary `COPY`, one round trip per batch.
    pub fn insert_samples(&mut self, samples: &[NewSample]) -> Result<()> {
        let at = now();
        // Each row's values are made as it is stored (on PostgreSQL, while the server stores
        // the rows sent before it).
        let rows = samples.iter().map(|s| sample_values(s, &at));
        if self.db().is_pg() {
            // One COPY is atomic on its own: no BEGIN/COMMIT round trips around it.
            return self.db().insert_rows("samples", SAMPLE_COLUMNS, rows);
        }
        let tx = self.db().begin()?;
        tx.insert_rows("samples", SAMPLE_COLUMNS, rows)?;
        tx.commit()
    }

    /// The samples of a cell, by index.
    pub fn samples(&self, cell_id: i64) -> Result<Vec<SampleRow>> {
        self.cell_samples_as(cell_id, SAMPLE_COLUMNS.iter().copied())
    }

    /// The samples of a cell, by index, without what checks never read: the raw response,
    /// the logprobs blob and the request hash (left `None`; most of a real sample's bytes).
    /// `temper check` no longer reads samples (it reads answer groups and aggregates, see
    /// `session::evidence`); this is the every-sample reference its tests and bench compare
    /// the stored verdict against.
    pub fn checked_samples(&self, cell_id: i64) -> Result<Vec<SampleRow>> {
        let columns = SAMPLE_COLUMNS.iter().map(|c| match *c {
            "request_hash" | "response_json" | "logprobs" => "NULL",
            c => c,
        });
        self.cell_samples_as(cell_id, columns)
    }

    /// A cell's samples by index, each of [`SAMPLE_COLUMNS`] selected as `columns` gives it
    /// (a column or `NULL`, in the same order, so `sample_row` reads either).
    fn cell_samples_as<'c>(
        &self,
        cell_id: i64,
        columns: impl Iterator<Item = &'c str>,
    ) -> Result<Vec<SampleRow>> {
        let list: Vec<&str> = columns.collect();
        let sql = format!(
            "SELECT {} FROM samples WHERE cell_id = ?1 ORDER BY idx",
            list.join(", ")
        );
        self.db()
            .query(&sql, vals![cell_id])?
            .iter()
            .map(sample_row)
            .collect()
    }

    /// How many samples a run has stored.
    pub fn sample_count(&self, run_id: i64) -> Result<i64> {
        self.db()
            .query_one(
                "SELECT count(*) FROM samples s JOIN cells c ON c.id = s.cell_id WHERE c.run_id = ?1",
                vals![run_id],
            )?
            .get(0)
    }
}
