//! `temper report`: how nondeterministic each cell of a run is, at a glance.

use super::Ctx;
use super::report_text;
use super::style::{Tone, paint};
use crate::analysis::cell::{CellReport, cell_report};
use crate::analysis::stored::{CellAnswers, stored_cell_report};
use crate::analysis::{Mode, Options};
use crate::store::{CellInfo, RunInfo, SampleRow, Store};
use anyhow::Context;
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `temper report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A run id (`12` or `#12`), or a prompt reference (`support-answer@3`: its latest run)
    pub target: String,
    /// How outputs are compared: exact, whitespace (runs collapsed) or json (canonical)
    #[arg(long, default_value = "exact", value_name = "MODE")]
    pub mode: Mode,
    /// Varying JSON fields listed per cell
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = super::ranges::count)]
    pub fields: usize,
    /// Explain the nondeterminism: split token and its alternatives, fragile tokens, backend
    /// (fingerprint) split and the batch-probe comparison
    #[arg(long)]
    pub explain: bool,
    /// Print each cell's clusters with the full text of their answers
    #[arg(long)]
    pub outputs: bool,
    /// Session file whose [check] table grades the samples for pass@k / pass^k and says where
    /// the answer is for tar_answer (without it: a sample passes when its call succeeded, and
    /// the answer is the whole output)
    #[arg(long, value_name = "FILE")]
    pub session: Option<std::path::PathBuf>,
}

/// The cells a report or diff is about.
pub(super) struct Target {
    pub run: RunInfo,
    pub cells: Vec<CellInfo>,
}

/// A run id, or a prompt reference meaning the cells of that version in its latest run.
pub(super) fn load_target(store: &Store, target: &str) -> anyhow::Result<Target> {
    if let Ok(id) = target.trim().trim_start_matches('#').parse::<i64>() {
        let run = store.run_info(id)?;
        let cells = store.cells(id)?;
        return Ok(Target { run, cells });
    }
    let version = store
        .resolve_str(target)
        .with_context(|| format!("{target:?} is neither a run id nor a known prompt reference"))?;
    let Some(run_id) = store.latest_run_for_version(version.info.id)? else {
        anyhow::bail!(
            "{}@{} has never been run: try `temper run {}@{}`",
            version.info.prompt,
            version.info.number,
            version.info.prompt,
            version.info.number
        );
    };
    let run = store.run_info(run_id)?;
    let cells = store
        .cells(run_id)?
        .into_iter()
        .filter(|c| c.cell.prompt_version_id == version.info.id)
        .collect();
    Ok(Target { run, cells })
}

/// The divergence point's token offset, counted with the cell model's tokenizer (crate::cost).
struct ModelTokens(String);

impl crate::analysis::TokenCount for ModelTokens {
    fn count_tokens(&self, text: &str) -> usize {
        crate::cost::count_text(&self.0, text).tokens as usize
    }
}

/// Print to stdout; a closed pipe (`temper report 3 | head`) ends quietly instead of panicking.
pub(super) fn write_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A cell's report with what it sent and its latency figures.
#[derive(Serialize)]
struct CellJson<'a> {
    #[serde(flatten)]
    report: &'a CellReport,
    /// The effective params sent (null for runs from before temper recorded them).
    params_sent: Option<serde_json::Value>,
    latency_p50_ms: Option<f64>,
    ttft_p50_ms: Option<f64>,
    ttft_p95_ms: Option<f64>,
}

/// What a cell sent and how fast it answered, beside its analysis.
pub(super) struct Sent {
    pub params: Option<serde_json::Value>,
    pub stats: crate::runner::LatencyStats,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    run: &'a RunInfo,
    mode: Mode,
    cells: Vec<CellJson<'a>>,
    /// Agreement (tar_raw, tar_answer) and pass@k / pass^k per variant over the cases.
    variants: &'a [crate::session::VariantMetrics],
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<crate::explain::RunExplanation>,
    /// With `--session`: per variant, cost per passing answer (crate::cost::cascade::Outcome).
    #[serde(skip_serializing_if = "Option::is_none")]
    passing_cost: Option<Vec<crate::cost::cascade::Outcome>>,
    /// With `--outputs`: per cell, its clusters with their members and text.
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<serde_json::Value>,
}

/// What the report shows, gathered from the store one cell at a time.
struct Gathered {
    reports: Vec<CellReport>,
    sent: Vec<Sent>,
    metrics: Vec<crate::session::VariantMetrics>,
    explained: Option<crate::explain::RunExplanation>,
    passing_cost: Option<Vec<crate::cost::cascade::Outcome>>,
    /// With `--outputs`: each cell's report and samples.
    answers: Vec<(CellReport, Vec<SampleRow>)>,
}

/// Run `temper report`.
pub fn execute(args: &ReportArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let target = load_target(&store, &args.target)?;
    let checks = match &args.session {
        Some(path) => crate::session::Session::read(path)?.check,
        None => crate::session::Checks::default(),
    };
    let needs_samples = args.explain || args.outputs || args.session.is_some();
    let grouped = if needs_samples {
        None
    } else {
        gather_grouped(&store, args, &checks, &target.cells)?
    };
    let g = match grouped {
        Some(g) => g,
        None => gather_samples(&store, args, &checks, &target.cells)?,
    };
    if ctx.json {
        super::print_json(&ReportJson {
            run: &target.run,
            mode: args.mode,
            cells: g
                .reports
                .iter()
                .zip(&g.sent)
                .map(|(report, s)| CellJson {
                    report,
                    params_sent: s.params.clone(),
                    latency_p50_ms: s.stats.latency_p50_ms,
                    ttft_p50_ms: s.stats.ttft_p50_ms,
                    ttft_p95_ms: s.stats.ttft_p95_ms,
                })
                .collect(),
            variants: &g.metrics,
            explain: g.explained,
            passing_cost: g.passing_cost,
            outputs: args
                .outputs
                .then(|| super::report_outputs::json(&g.answers)),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = report_text::render_report(&target.run, args.mode, &g.reports, args.fields);
    text.push_str(&report_text::sent_lines(&g.reports, &g.sent));
    if args.outputs {
        text.push_str(&super::report_outputs::render(&g.answers));
    }
    text.push_str(&report_text::variant_lines(&g.metrics));
    if let Some(outcomes) = &g.passing_cost {
        text.push_str(&report_text::passing_cost_lines(outcomes));
    }
    if let Some(explained) = &g.explained {
        text.push_str(&format!("\n{}\n", paint(Tone::Strong, "explain")));
        for line in explained.sentences() {
            text.push_str(&line);
            text.push('\n');
        }
    }
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// What cell `cell` sent and its latency figures (aggregated by the store).
fn sent_of(store: &Store, cell: &CellInfo) -> anyhow::Result<Sent> {
    Ok(Sent {
        params: store
            .cell_request(cell.id)?
            .and_then(|r| serde_json::from_str(&r.params_sent).ok()),
        stats: crate::runner::LatencyStats::of_cells(store, &[cell.id])?,
    })
}

/// The report from each cell's groups of identical answers and the store's aggregates: no
/// sample is read, memory follows the distinct answers (plus 4 bytes per answered sample for
/// the clusters' members). `None` when the checks need every sample (a judge's grades).
fn gather_grouped(
    store: &Store,
    args: &ReportArgs,
    checks: &crate::session::Checks,
    cells: &[CellInfo],
) -> anyhow::Result<Option<Gathered>> {
    if checks.judge.is_some() {
        return Ok(None);
    }
    let (mut reports, mut sent, mut answers) = (Vec::new(), Vec::new(), Vec::new());
    for cell in cells {
        sent.push(sent_of(store, cell)?);
        let tokens = ModelTokens(crate::cost::history::cell_model(cell));
        let options = Options {
            mode: args.mode,
            tokens: Some(&tokens),
        };
        let grouped = CellAnswers::load(store, cell.id)?;
        reports.push(stored_cell_report(store, cell, &grouped, options)?);
        // Only the group texts the agreement metrics need are kept, not the members.
        answers.push(grouped.without_members());
    }
    let Some(metrics) = crate::session::stored::grouped_metrics(checks, cells, &answers) else {
        return Ok(None);
    };
    Ok(Some(Gathered {
        reports,
        sent,
        metrics,
        explained: None,
        passing_cost: None,
        answers: Vec::new(),
    }))
}

/// The report from every sample of each cell read back: what `--explain` (logprobs and
/// fingerprints per sample), `--outputs` (every member and failure) and `--session` (each
/// answer graded) need.
fn gather_samples(
    store: &Store,
    args: &ReportArgs,
    checks: &crate::session::Checks,
    cells: &[CellInfo],
) -> anyhow::Result<Gathered> {
    let mut all_samples = Vec::with_capacity(cells.len());
    let (mut reports, mut sent) = (Vec::new(), Vec::new());
    let (mut stored, mut answers) = (Vec::new(), Vec::new());
    for cell in cells {
        let samples = store.samples(cell.id)?;
        sent.push(sent_of(store, cell)?);
        let tokens = ModelTokens(crate::cost::history::cell_model(cell));
        let options = Options {
            mode: args.mode,
            tokens: Some(&tokens),
        };
        let report = cell_report(cell, &samples, options);
        if args.outputs {
            answers.push((report.clone(), samples.clone()));
        }
        reports.push(report);
        if args.explain {
            stored.push((cell.clone(), samples.clone()));
        }
        all_samples.push(samples);
    }
    let metrics = variant_metrics(store, checks, cells, &all_samples)?;
    let temperatures: Vec<Option<f64>> = sent
        .iter()
        .map(|s| s.params.as_ref()?.get("temperature")?.as_f64())
        .collect();
    let explained = args
        .explain
        .then(|| crate::explain::explain_run_sent(&stored, args.mode, &temperatures));
    let passing_cost = args
        .session
        .is_some()
        .then(|| passing_cost(checks, cells, &all_samples));
    Ok(Gathered {
        reports,
        sent,
        metrics,
        explained,
        passing_cost,
        answers,
    })
}

/// The session metrics of every (prompt version, variant) over the run's cells (with the judge's
/// stored grades when the checks have a judge).
fn variant_metrics(
    store: &crate::store::Store,
    checks: &crate::session::Checks,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> anyhow::Result<Vec<crate::session::VariantMetrics>> {
    use crate::session::stored;
    let grades = stored::grades(store, checks, cells, samples)?;
    let labels = stored::labels(cells);
    let facts = stored::facts(cells, samples, &labels, &grades);
    Ok(crate::session::metrics::variant_metrics(checks, &facts))
}

/// Each variant alone over the run's cells, its answers graded by `checks`.
fn passing_cost(
    checks: &crate::session::Checks,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> Vec<crate::cost::cascade::Outcome> {
    let passes = |output: &str| crate::session::metrics::sample_passes(checks, output);
    let pairs: Vec<(CellInfo, Vec<SampleRow>)> =
        cells.iter().cloned().zip(samples.iter().cloned()).collect();
    crate::cost::cascade::attempts(&pairs, &passes)
        .iter()
        .map(crate::cost::cascade::alone)
        .collect()
}
