//! Runs (one runner invocation), cells (version x variant x case) and their samples.
//!
//! Samples are inserted in small transactions as they arrive, so a crash loses only the calls in
//! flight. A run left `running` by a process that no longer exists is marked `interrupted` on the
//! next open.

use super::{Result, Store, StoreError, now};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// The life of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Done,
    Cancelled,
    Interrupted,
    Failed,
}

impl RunStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> RunStatus {
        match s {
            "running" => RunStatus::Running,
            "done" => RunStatus::Done,
            "cancelled" => RunStatus::Cancelled,
            "interrupted" => RunStatus::Interrupted,
            _ => RunStatus::Failed,
        }
    }
}

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

/// A run as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub source: String,
    pub session: Option<String>,
    pub status: RunStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The prompt versions its cells ran (`support-answer@3`), in cell order: what lists show.
    pub prompts: Vec<String>,
}

/// A cell to create: one prompt version x variant x case, sampled `n` times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCell {
    pub prompt_version_id: i64,
    pub variant_name: String,
    /// The variant (model + params) as JSON, so a report can show exactly what was sent.
    pub variant_json: String,
    pub case_name: String,
    pub case_json: String,
    pub n: u32,
}

/// A stored cell with the prompt reference it ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellInfo {
    pub id: i64,
    pub run_id: i64,
    pub prompt: String,
    pub prompt_number: u32,
    #[serde(flatten)]
    pub cell: NewCell,
}

/// Alias kept for readers that think in rows.
pub type CellRow = CellInfo;

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

/// What a cell sent: the effective params (`params_sent`, JSON object) and the exact request
/// body (JSON; messages and params, never headers or keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellRequest {
    pub cell_id: i64,
    pub params_sent: String,
    pub request_json: String,
}

/// A stored sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRow {
    pub id: i64,
    pub created_at: String,
    #[serde(flatten)]
    pub sample: NewSample,
}

impl Store {
    /// Start a run owned by this process. `source` is `cli`, `session` or `tui`.
    pub fn create_run(&mut self, source: &str, session: Option<&str>) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO runs(source, session, status, pid, started_at) VALUES (?1, ?2, 'running', ?3, ?4)",
            params![source, session, std::process::id(), now()],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Add a cell to a run.
    pub fn add_cell(&mut self, run_id: i64, cell: &NewCell) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO cells(run_id, prompt_version_id, variant_name, variant_json, case_name, case_json, n)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run_id,
                cell.prompt_version_id,
                cell.variant_name,
                cell.variant_json,
                cell.case_name,
                cell.case_json,
                cell.n
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Store a batch of samples in one transaction (the runner flushes every ≤ 100 ms).
    pub fn insert_samples(&mut self, samples: &[NewSample]) -> Result<()> {
        let at = now();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO samples(cell_id, idx, status, output, tool_calls_json, finish_reason,
                    input_tokens, output_tokens, cached_tokens, usage_source, latency_ms, cost_usd,
                    system_fingerprint, error, attempts, request_hash, response_json, logprobs, created_at, region,
                    ttft_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
            )?;
            for s in samples {
                stmt.execute(params![
                    s.cell_id,
                    s.idx,
                    s.status.unwrap_or(SampleStatus::Error).as_str(),
                    s.output,
                    s.tool_calls_json,
                    s.finish_reason,
                    s.input_tokens,
                    s.output_tokens,
                    s.cached_tokens,
                    s.usage_source,
                    s.latency_ms,
                    s.cost_usd,
                    s.system_fingerprint,
                    s.error,
                    s.attempts,
                    s.request_hash,
                    s.response_json,
                    s.logprobs,
                    at,
                    s.region,
                    s.ttft_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Close a run with its final status.
    pub fn finish_run(&mut self, run_id: i64, status: RunStatus) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
            params![run_id, status.as_str(), now()],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownRun(run_id));
        }
        Ok(())
    }

    /// Mark runs still `running` whose process is gone as `interrupted`; returns how many.
    pub fn mark_orphaned_runs(&mut self) -> Result<usize> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, pid FROM runs WHERE status = 'running'")?;
        let running: Vec<(i64, Option<u32>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        let mut marked = 0;
        for (id, pid) in running {
            if pid.is_some_and(process_alive) {
                continue;
            }
            marked += self.conn().execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?2 WHERE id = ?1 AND status = 'running'",
                params![id, now()],
            )?;
        }
        Ok(marked)
    }

    /// One run.
    pub fn run_info(&self, run_id: i64) -> Result<RunInfo> {
        Store::optional(self.conn().query_row(
            &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
            [run_id],
            run_info,
        ))?
        .ok_or(StoreError::UnknownRun(run_id))
    }

    /// The most recent runs, newest first.
    pub fn list_runs(&self, limit: usize) -> Result<Vec<RunInfo>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], run_info)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The cells of a run, in creation order.
    pub fn cells(&self, run_id: i64) -> Result<Vec<CellInfo>> {
        self.cells_where("c.run_id = ?1", run_id)
    }

    /// Every cell that ran a given prompt version, oldest first.
    pub fn cells_for_version(&self, prompt_version_id: i64) -> Result<Vec<CellInfo>> {
        self.cells_where("c.prompt_version_id = ?1", prompt_version_id)
    }

    fn cells_where(&self, condition: &str, value: i64) -> Result<Vec<CellInfo>> {
        let sql = format!(
            "SELECT c.id, c.run_id, p.name, v.number, c.prompt_version_id, c.variant_name,
                    c.variant_json, c.case_name, c.case_json, c.n
             FROM cells c JOIN prompt_versions v ON v.id = c.prompt_version_id
             JOIN prompts p ON p.id = v.prompt_id WHERE {condition} ORDER BY c.id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([value], |r| {
            Ok(CellInfo {
                id: r.get(0)?,
                run_id: r.get(1)?,
                prompt: r.get(2)?,
                prompt_number: r.get(3)?,
                cell: NewCell {
                    prompt_version_id: r.get(4)?,
                    variant_name: r.get(5)?,
                    variant_json: r.get(6)?,
                    case_name: r.get(7)?,
                    case_json: r.get(8)?,
                    n: r.get(9)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The samples of a cell, by index.
    pub fn samples(&self, cell_id: i64) -> Result<Vec<SampleRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, created_at, cell_id, idx, status, output, tool_calls_json, finish_reason,
                    input_tokens, output_tokens, cached_tokens, usage_source, latency_ms, cost_usd,
                    system_fingerprint, error, attempts, request_hash, response_json, logprobs, region,
                    ttft_ms
             FROM samples WHERE cell_id = ?1 ORDER BY idx",
        )?;
        let rows = stmt.query_map([cell_id], |r| {
            Ok(SampleRow {
                id: r.get(0)?,
                created_at: r.get(1)?,
                sample: NewSample {
                    cell_id: r.get(2)?,
                    idx: r.get(3)?,
                    status: Some(SampleStatus::parse(&r.get::<_, String>(4)?)),
                    output: r.get(5)?,
                    tool_calls_json: r.get(6)?,
                    finish_reason: r.get(7)?,
                    input_tokens: r.get(8)?,
                    output_tokens: r.get(9)?,
                    cached_tokens: r.get(10)?,
                    usage_source: r.get(11)?,
                    latency_ms: r.get(12)?,
                    cost_usd: r.get(13)?,
                    system_fingerprint: r.get(14)?,
                    error: r.get(15)?,
                    attempts: r.get(16)?,
                    request_hash: r.get(17)?,
                    response_json: r.get(18)?,
                    logprobs: r.get(19)?,
                    region: r.get(20)?,
                    ttft_ms: r.get(21)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Record what each cell sent (see [`CellRequest`]), in one transaction.
    pub fn record_cell_requests(&mut self, requests: &[CellRequest]) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO cell_requests(cell_id, params_sent, request_json)
                 VALUES (?1, ?2, ?3)",
            )?;
            for r in requests {
                stmt.execute(params![r.cell_id, r.params_sent, r.request_json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// What a cell sent, when it was recorded (runs from before temper recorded it have none).
    pub fn cell_request(&self, cell_id: i64) -> Result<Option<CellRequest>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT cell_id, params_sent, request_json FROM cell_requests WHERE cell_id = ?1",
                [cell_id],
                |r| {
                    Ok(CellRequest {
                        cell_id: r.get(0)?,
                        params_sent: r.get(1)?,
                        request_json: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// The effective params every cell of a run sent, `(cell_id, params_sent)` in cell order,
    /// in one query (the TUI shows them per cell; cells from before temper recorded them are
    /// absent).
    pub fn run_params_sent(&self, run_id: i64) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.cell_id, r.params_sent FROM cell_requests r
             JOIN cells c ON c.id = r.cell_id WHERE c.run_id = ?1 ORDER BY r.cell_id",
        )?;
        let rows = stmt.query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many samples a run has stored.
    pub fn sample_count(&self, run_id: i64) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM samples s JOIN cells c ON c.id = s.cell_id WHERE c.run_id = ?1",
            [run_id],
            |r| r.get(0),
        )?)
    }

    /// The newest run that has a cell for this prompt version, if any.
    pub fn latest_run_for_version(&self, prompt_version_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT max(run_id) FROM cells WHERE prompt_version_id = ?1",
                [prompt_version_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

/// A run's columns and its prompt versions (`name@N`, tab-separated, in cell order).
const RUN_COLUMNS: &str = "id, source, session, status, started_at, finished_at,
    (SELECT group_concat(name, char(9)) FROM (
        SELECT p.name || '@' || v.number AS name FROM cells c
        JOIN prompt_versions v ON v.id = c.prompt_version_id
        JOIN prompts p ON p.id = v.prompt_id
        WHERE c.run_id = runs.id GROUP BY name ORDER BY MIN(c.id)))";

fn run_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunInfo> {
    Ok(RunInfo {
        id: r.get(0)?,
        source: r.get(1)?,
        session: r.get(2)?,
        status: RunStatus::parse(&r.get::<_, String>(3)?),
        started_at: r.get(4)?,
        finished_at: r.get(5)?,
        prompts: r
            .get::<_, Option<String>>(6)?
            .map(|p| p.split('\t').map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

/// Whether a process with this id exists (our own always does).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // Without a portable check, assume alive: better a stale "running" than a wrong verdict.
        true
    }
}
