//! The messages between the UI loop and the background worker.
//!
//! The UI sends a [`Request`] and carries on drawing; the worker, which owns the `Store`, answers
//! with [`Event`]s. Nothing in the UI waits for an answer.

use crate::analysis::worddiff::Span;
use crate::prompt::PromptBody;
use crate::store::{
    CellInfo, LabelMove, PromptSummary, RunInfo, SampleRow, SaveOutcome, Version, VersionInfo,
};
use std::path::PathBuf;

/// A cell read as groups of identical answers: what the Diff view holds of a large cell
/// instead of its samples (memory: its distinct answers, each cluster's size and first sample,
/// never its members, and the two samples compared).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedCell {
    /// Every sample of the cell, failed and skipped included.
    pub samples: u64,
    /// Clusters, stability and divergence (exact mode), as `analysis::analyze` gives them,
    /// except that each cluster lists only its groups' first samples (`Cluster::size` counts).
    pub analysis: crate::analysis::Analysis,
    /// The samples first compared, whole: A (the modal answer) and B (the earliest to diverge,
    /// else the next cluster, else the next sample).
    pub pair: Vec<SampleRow>,
}

/// A page of a large cell's samples as the Run view lists them, with the cell's counts: what
/// it holds of a cell planned with more than `worker_cells::PAGED_ABOVE` samples.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplePage {
    pub cell_id: i64,
    /// The position (by sample index) of the page's first row in the cell.
    pub offset: u32,
    /// The page's samples, by index.
    pub rows: Vec<SampleRow>,
    /// Every sample of the cell stored so far.
    pub total: u64,
    /// Of them, the failed ones, when asked for.
    pub errors: Option<u64>,
}

/// Work for the background worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Reload the prompt list.
    ListPrompts,
    /// Load the versions of a prompt, newest first.
    LoadLog { name: String },
    /// Load one version with its body.
    LoadVersion { name: String, number: u32 },
    /// Save a body as the next version of `name`.
    Save {
        name: String,
        body: Box<PromptBody>,
        message: String,
    },
    /// Point a label at a version.
    SetLabel {
        name: String,
        label: String,
        number: u32,
    },
    /// Word diff of two versions of a prompt.
    Diff { name: String, old: u32, new: u32 },
    /// The modal outputs of two versions of a prompt, per variant x case both ran.
    CompareOutputs { name: String, old: u32, new: u32 },
    /// The most recent stored runs.
    ListRuns,
    /// The cells of a run.
    LoadCells { run_id: i64 },
    /// The samples of the selected cell; a newer `LoadSamples` queued behind it supersedes it.
    LoadSamples { cell_id: i64 },
    /// The samples of one of a run's cells, all wanted at once (the Diff view looks for the
    /// least stable): never superseded. Answered as [`Event::Samples`] too.
    LoadRunSamples { cell_id: i64 },
    /// A large cell as the Diff view compares it without its samples: its clusters from the
    /// DB and the two samples first compared (answered as [`Event::CellGroups`]). Never
    /// superseded: the Diff view wants every cell of the run.
    LoadCellGroups { cell_id: i64 },
    /// A page of a large cell's samples for the Run view's list, from the `offset`-th by
    /// index, with how many it has and, with `errors`, how many failed (that count reads the
    /// cell's rows: asked when the cell is shown or refreshed, not per page). Answered as
    /// [`Event::SamplePage`]; a newer one queued behind it supersedes it.
    LoadSamplePage {
        cell_id: i64,
        offset: u32,
        errors: bool,
    },
    /// One sample of a cell, whole (the Diff view's A or B of a large cell, `j`/`k`); a newer
    /// one queued behind it supersedes it. Answered as [`Event::Sample`].
    LoadSample { cell_id: i64, idx: u32 },
    /// What the cells of a run sent (`params_sent`) and its variants' latency percentiles.
    LoadRunSent { run_id: i64 },
    /// Read a trace file and run the detectors over it.
    LoadTrace { path: PathBuf },
    /// Estimate `models` for the version `label` names (the Cost view's added models).
    EstimateCost {
        version_id: i64,
        label: String,
        models: Vec<String>,
    },
    /// Tab in a path input: complete `text` from the file system.
    CompletePath { text: String },
    /// What past runs of a prompt version cost, per model.
    LoadCost { version_id: i64, label: String },
    /// The last 30 days of every model's cost, split into input, cached input and output.
    LoadCostSplit,
    /// Stability, cost per call and p95 latency per version of `prompt`, for its newest
    /// cell's variant (`t` in the Prompts view).
    LoadTrends { prompt: String },
    /// The session files in a directory (`sessions/`).
    ListSessions { dir: PathBuf },
    /// Read a session file picked in the Run view (its matrix, checks and traces).
    OpenSession { path: PathBuf },
    /// Write the workspace as `dir/NAME.toml`; never overwrites.
    SaveSession {
        dir: PathBuf,
        name: String,
        session: Box<crate::session::Session>,
    },
    /// Evaluate a session's checks over a finished run.
    CheckSession { path: PathBuf, run_id: i64 },
    /// Grade a promptfoo suite's finished run into its flakiness report, after its judges
    /// (`llm-rubric`) from the `judged`-th on have graded the answers (see `tui::suite`).
    CheckSuite(SuiteGrading),
    /// Plan a run, estimate its cost and decide (start / ask / refuse) before any call.
    Estimate(RunSpec),
    /// Replay an LLM span of the Trace view, or probe a chunk (see `tui::replay`).
    Replay(Box<super::replay::ReplayAsk>),
}

/// A run the user asked for, before the spend guard has seen it.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSpec {
    /// One prompt version on `models`, `n` samples each.
    Prompt {
        version: Box<Version>,
        models: Vec<String>,
        n: u32,
        /// Calls in flight at once; `None`: the config's `[run] concurrency`.
        concurrency: Option<usize>,
    },
    /// A session file's matrix, as `temper run --session FILE` runs it.
    Session { path: PathBuf },
    /// A promptfoo config, as `temper check CONFIG` runs it (its prompts saved first).
    Suite(crate::promptfoo::SuiteSpec),
}

/// A planned run, shared between the worker, the view and the runner. Two are equal when they
/// are the same plan (the plan itself has no equality).
#[derive(Debug, Clone)]
pub struct PlannedRun(pub std::sync::Arc<crate::runner::Plan>);

impl PartialEq for PlannedRun {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The spend guard's verdict on a run: its estimate lines and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendCheck {
    /// `name@n` or `session NAME`.
    pub label: String,
    pub plan: PlannedRun,
    /// `SpendEstimate::lines`: matrix size, estimated cost, upper bound, unpriced models.
    pub lines: Vec<String>,
    pub decision: crate::runner::Decision,
    /// The session file, when the run is a session's (its checks are evaluated after the run).
    pub session: Option<PathBuf>,
    /// When the run is a suite judge's calls: the grading it continues once they are done.
    pub grading: Option<SuiteGrading>,
}

/// A promptfoo suite's run on its way to its flakiness report: the judges before `judged`
/// have been offered (run, declined or refused), so each judge is asked once per grading.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteGrading {
    pub suite: crate::promptfoo::SuiteSpec,
    pub run_id: i64,
    pub judged: usize,
}

/// What a run's cells sent and how fast its variants answered, for the Run and Diff views
/// (issue 15: the request as sent is shown, never what the prompt file said).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSent {
    pub run_id: i64,
    /// Per cell id, its recorded `params_sent` (runs from before temper recorded it have none).
    pub params: std::collections::HashMap<i64, serde_json::Value>,
    /// Per variant: latency p50/p95 and TTFT when streamed (`crate::runner::summarize`).
    pub variants: Vec<crate::runner::VariantSummary>,
}

impl RunSent {
    /// The temperature cell `cell_id` sent, when recorded.
    pub fn temperature(&self, cell_id: i64) -> Option<f64> {
        self.params.get(&cell_id)?.get("temperature")?.as_f64()
    }

    /// The summary of `variant`, when the run has it.
    pub fn variant(&self, variant: &str) -> Option<&crate::runner::VariantSummary> {
        self.variants.iter().find(|v| v.variant == variant)
    }
}

/// Per-model cost of a prompt version's stored runs, for the Cost view.
#[derive(Debug, Clone)]
pub struct VersionCost {
    pub version_id: i64,
    /// `name@n`, for the title.
    pub label: String,
    pub models: Vec<crate::cost::history::ModelHistory>,
    /// Date of the embedded price table.
    pub table_date: String,
    /// The latest run's variants alone and cheapest first as a cascade (Cost view).
    pub cascade: Option<crate::cost::cascade::CascadeTable>,
}

/// The word diff of two versions, ready to draw side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionDiff {
    pub name: String,
    pub old: u32,
    pub new: u32,
    pub spans: Vec<Span>,
}

/// A session's check verdict for one run, for the Run view.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionChecks {
    pub name: String,
    pub run_id: i64,
    pub cells: usize,
    /// Every check the session sets, in evaluation order.
    pub checks: Vec<String>,
    /// The checks that did not hold (value vs bar), per cell.
    pub failures: Vec<crate::session::Failure>,
    /// Every check on every case × variant, for the cases list.
    pub cases: Vec<crate::session::CaseOutcome>,
}

impl SessionChecks {
    /// Whether `check` held in every cell.
    pub fn passed(&self, check: &str) -> bool {
        !self.failures.iter().any(|f| f.check == check)
    }
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// The DB is open; `seeded` example prompts were imported on this first start.
    Ready {
        db: PathBuf,
        seeded: usize,
    },
    /// The DB could not be opened; nothing else will work.
    Fatal(String),
    Prompts(Vec<PromptSummary>),
    Log {
        name: String,
        versions: Vec<VersionInfo>,
    },
    Version(Box<Version>),
    Saved(SaveOutcome),
    Labelled {
        name: String,
        moved: LabelMove,
    },
    Diff(VersionDiff),
    /// Two versions' outputs, for the Diff view.
    VersionOutputs {
        name: String,
        old: u32,
        new: u32,
        pairs: Vec<crate::analysis::versions::VersionPair>,
    },
    Runs(Vec<RunInfo>),
    Cells {
        run_id: i64,
        cells: Vec<CellInfo>,
    },
    Samples {
        cell_id: i64,
        samples: Vec<SampleRow>,
    },
    /// A large cell's clusters and first pair (see [`Request::LoadCellGroups`]).
    CellGroups {
        cell_id: i64,
        grouped: Box<GroupedCell>,
    },
    /// A page of a large cell's samples (see [`Request::LoadSamplePage`]).
    SamplePage(Box<SamplePage>),
    /// One sample of a cell (`None`: the cell has no sample at that index).
    Sample {
        cell_id: i64,
        idx: u32,
        sample: Option<Box<SampleRow>>,
    },
    /// What a run's cells sent, and its variants' latencies.
    RunSent(Box<RunSent>),
    Cost(Box<VersionCost>),
    /// The last 30 days per model, the biggest spender first (the Cost view's bars).
    CostSplit(Vec<crate::cost::split::CostSplit>),
    /// The trends of `prompt` for `variant` (None: the prompt has no runs).
    Trends {
        prompt: String,
        variant: Option<String>,
        trends: Vec<crate::store::VersionTrend>,
    },
    /// Session files to pick from.
    Sessions(Vec<PathBuf>),
    /// A session file was read: the Run view takes its matrix, the Trace view its first trace.
    SessionOpened(Box<crate::session::Session>),
    /// The workspace was written to this session file.
    SessionSaved(PathBuf),
    /// A session's checks over its run.
    SessionChecks(Box<SessionChecks>),
    /// A promptfoo suite's flakiness report over its run.
    SuiteChecks(Box<crate::promptfoo::SuiteReport>),
    /// The spend guard's verdict on a run the user asked for.
    Estimated(Box<SpendCheck>),
    /// Progress of a run started from the TUI.
    RunProgress(Box<crate::runner::RunEvent>),
    /// A run started from the TUI ended (or could not start).
    RunEnded(Result<crate::runner::RunOutcome, String>),
    /// Estimates of models not run yet, for the Cost view (per call at 1 call/day).
    CostEstimate {
        version_id: i64,
        models: Vec<crate::cost::estimate::ModelEstimate>,
    },
    /// `text` of a path input, completed as far as the file system allows.
    PathCompleted {
        text: String,
        completed: String,
    },
    /// `temper trace --listen`: what the receiver holds now (see `tui::live`).
    Live(Box<super::live::LiveFrame>),
    /// A trace file was read (with detector flags) and packed for the Trace view, or why it
    /// could not be.
    Trace {
        path: PathBuf,
        result: Result<std::sync::Arc<crate::trace::PackedTrace>, String>,
    },
    /// A replay from the Trace view finished, was refused, or needs confirming.
    Replayed(Box<super::replay::Replayed>),
    /// A request failed; `what` says which, `error` why.
    Failed {
        what: String,
        error: String,
    },
}
