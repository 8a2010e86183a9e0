//! Runs (one runner invocation) and their cells (version x variant x case); their samples are
//! in `samples.rs`.
//!
//! Samples are inserted in small transactions as they arrive, so a crash loses only the calls in
//! flight. A run left `running` by a process that no longer exists is marked `interrupted` on the
//! next open.

use super::db::{Row, vals};
use super::{Result, Store, StoreError, now};
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

/// What a cell sent: the effective params (`params_sent`, JSON object) and the exact request
/// body (JSON; messages and params, never headers or keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellRequest {
    pub cell_id: i64,
    pub params_sent: String,
    pub request_json: String,
}

impl Store {
    /// Start a run owned by this process. `source` is `cli`, `session` or `tui`.
    pub fn create_run(&mut self, source: &str, session: Option<&str>) -> Result<i64> {
        let pid = std::process::id();
        let row = if self.db().is_pg() {
            // Several machines share a server: a pid means something only with its host.
            self.db().query_one(
                "INSERT INTO runs(source, session, status, pid, host, started_at)
                 VALUES (?1, ?2, 'running', ?3, ?4, ?5) RETURNING id",
                vals![source, session, pid, hostname(), now()],
            )?
        } else {
            self.db().query_one(
                "INSERT INTO runs(source, session, status, pid, started_at)
                 VALUES (?1, ?2, 'running', ?3, ?4) RETURNING id",
                vals![source, session, pid, now()],
            )?
        };
        row.get(0)
    }

    /// Add a cell to a run.
    pub fn add_cell(&mut self, run_id: i64, cell: &NewCell) -> Result<i64> {
        self.db()
            .query_one(
                "INSERT INTO cells(run_id, prompt_version_id, variant_name, variant_json, case_name, case_json, n)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                vals![
                    run_id,
                    cell.prompt_version_id,
                    cell.variant_name.as_str(),
                    cell.variant_json.as_str(),
                    cell.case_name.as_str(),
                    cell.case_json.as_str(),
                    cell.n
                ],
            )?
            .get(0)
    }

    /// Close a run with its final status.
    pub fn finish_run(&mut self, run_id: i64, status: RunStatus) -> Result<()> {
        let changed = self.db().execute(
            "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
            vals![run_id, status.as_str(), now()],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownRun(run_id));
        }
        Ok(())
    }

    /// Mark runs still `running` whose process is gone as `interrupted`; returns how many. On
    /// PostgreSQL only this machine's runs are judged (another host's pids mean nothing here).
    pub fn mark_orphaned_runs(&mut self) -> Result<usize> {
        let rows = if self.db().is_pg() {
            self.db().query(
                "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?1",
                vals![hostname()],
            )?
        } else {
            self.db()
                .query("SELECT id, pid FROM runs WHERE status = 'running'", &[])?
        };
        let mut marked = 0;
        for r in rows {
            let (id, pid): (i64, Option<u32>) = (r.get(0)?, r.get(1)?);
            if pid.is_some_and(process_alive) {
                continue;
            }
            marked += self.db().execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?2 WHERE id = ?1 AND status = 'running'",
                vals![id, now()],
            )? as usize;
        }
        Ok(marked)
    }

    /// One run.
    pub fn run_info(&self, run_id: i64) -> Result<RunInfo> {
        let sql = format!("SELECT {} FROM runs WHERE id = ?1", self.run_columns());
        match self.db().query_opt(&sql, vals![run_id])? {
            Some(r) => run_info(&r),
            None => Err(StoreError::UnknownRun(run_id)),
        }
    }

    /// The most recent runs, newest first.
    pub fn list_runs(&self, limit: usize) -> Result<Vec<RunInfo>> {
        let sql = format!(
            "SELECT {} FROM runs ORDER BY id DESC LIMIT ?1",
            self.run_columns()
        );
        self.db()
            .query(&sql, vals![i64::try_from(limit).unwrap_or(i64::MAX)])?
            .iter()
            .map(run_info)
            .collect()
    }

    fn run_columns(&self) -> &'static str {
        if self.db().is_pg() {
            RUN_COLUMNS_PG
        } else {
            RUN_COLUMNS
        }
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
        self.db()
            .query(&sql, vals![value])?
            .iter()
            .map(|r| {
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
            })
            .collect()
    }

    /// Record what each cell sent (see [`CellRequest`]), in one transaction.
    pub fn record_cell_requests(&mut self, requests: &[CellRequest]) -> Result<()> {
        let tx = self.db().begin()?;
        for r in requests {
            tx.execute(
                "INSERT INTO cell_requests(cell_id, params_sent, request_json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(cell_id) DO UPDATE
                 SET params_sent = excluded.params_sent, request_json = excluded.request_json",
                vals![r.cell_id, r.params_sent.as_str(), r.request_json.as_str()],
            )?;
        }
        tx.commit()
    }

    /// What a cell sent, when it was recorded (runs from before temper recorded it have none).
    pub fn cell_request(&self, cell_id: i64) -> Result<Option<CellRequest>> {
        self.db()
            .query_opt(
                "SELECT cell_id, params_sent, request_json FROM cell_requests WHERE cell_id = ?1",
                vals![cell_id],
            )?
            .map(|r| {
                Ok(CellRequest {
                    cell_id: r.get(0)?,
                    params_sent: r.get(1)?,
                    request_json: r.get(2)?,
                })
            })
            .transpose()
    }

    /// The effective params every cell of a run sent, `(cell_id, params_sent)` in cell order,
    /// in one query (the TUI shows them per cell; cells from before temper recorded them are
    /// absent).
    pub fn run_params_sent(&self, run_id: i64) -> Result<Vec<(i64, String)>> {
        self.db()
            .query(
                "SELECT r.cell_id, r.params_sent FROM cell_requests r
                 JOIN cells c ON c.id = r.cell_id WHERE c.run_id = ?1 ORDER BY r.cell_id",
                vals![run_id],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect()
    }

    /// The newest run that has a cell for this prompt version, if any.
    pub fn latest_run_for_version(&self, prompt_version_id: i64) -> Result<Option<i64>> {
        self.db()
            .query_one(
                "SELECT max(run_id) FROM cells WHERE prompt_version_id = ?1",
                vals![prompt_version_id],
            )?
            .get(0)
    }
}

/// A run's columns and its prompt versions (`name@N`, tab-separated, in cell order).
const RUN_COLUMNS: &str = "id, source, session, status, started_at, finished_at,
    (SELECT group_concat(name, char(9)) FROM (
        SELECT p.name || '@' || v.number AS name FROM cells c
        JOIN prompt_versions v ON v.id = c.prompt_version_id
        JOIN prompts p ON p.id = v.prompt_id
        WHERE c.run_id = runs.id GROUP BY name ORDER BY MIN(c.id)))";

/// [`RUN_COLUMNS`] in PostgreSQL's dialect (`string_agg` keeps the order by first cell).
const RUN_COLUMNS_PG: &str = "id, source, session, status, started_at, finished_at,
    (SELECT string_agg(name, chr(9) ORDER BY first) FROM (
        SELECT p.name || '@' || v.number AS name, MIN(c.id) AS first FROM cells c
        JOIN prompt_versions v ON v.id = c.prompt_version_id
        JOIN prompts p ON p.id = v.prompt_id
        WHERE c.run_id = runs.id GROUP BY p.name, v.number) AS versions)";

fn run_info(r: &Row) -> Result<RunInfo> {
    Ok(RunInfo {
        id: r.get(0)?,
        source: r.get(1)?,
        session: r.get(2)?,
        status: RunStatus::parse(&r.get::<String>(3)?),
        started_at: r.get(4)?,
        finished_at: r.get(5)?,
        prompts: r
            .get::<Option<String>>(6)?
            .map(|p| p.split('\t').map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

/// This machine's name, which a run's pid belongs to on a shared server.
fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it or fails.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    if ok {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "unknown".into()
    }
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
