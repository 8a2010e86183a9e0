//! `temper report`: how nondeterministic each cell of a run is, at a glance.

use super::Ctx;
use super::style::{Tone, paint};
use crate::analysis::cell::{CellReport, cell_report};
use crate::analysis::{Mode, Options};
use crate::sanitize::one_line;
use crate::store::{CellInfo, RunInfo, Store};
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
struct Sent {
    params: Option<serde_json::Value>,
    stats: crate::runner::LatencyStats,
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

/// Run `temper report`.
pub fn execute(args: &ReportArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let target = load_target(&store, &args.target)?;
    let checks = match &args.session {
        Some(path) => crate::session::Session::read(path)?.check,
        None => crate::session::Checks::default(),
    };
    let mut all_samples = Vec::with_capacity(target.cells.len());
    let mut reports = Vec::with_capacity(target.cells.len());
    let mut sent = Vec::with_capacity(target.cells.len());
    let mut stored = Vec::new();
    let mut answers = Vec::new();
    for cell in &target.cells {
        let samples = store.samples(cell.id)?;
        sent.push(Sent {
            params: store
                .cell_request(cell.id)?
                .and_then(|r| serde_json::from_str(&r.params_sent).ok()),
            stats: crate::runner::LatencyStats::of_cells(&store, &[cell.id])?,
        });
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
    let metrics = variant_metrics(&store, &checks, &target.cells, &all_samples)?;
    let temperatures: Vec<Option<f64>> = sent
        .iter()
        .map(|s| s.params.as_ref()?.get("temperature")?.as_f64())
        .collect();
    let explained = args
        .explain
        .then(|| crate::explain::explain_run_sent(&stored, args.mode, &temperatures));
    if ctx.json {
        super::print_json(&ReportJson {
            run: &target.run,
            mode: args.mode,
            cells: reports
                .iter()
                .zip(&sent)
                .map(|(report, s)| CellJson {
                    report,
                    params_sent: s.params.clone(),
                    latency_p50_ms: s.stats.latency_p50_ms,
                    ttft_p50_ms: s.stats.ttft_p50_ms,
                    ttft_p95_ms: s.stats.ttft_p95_ms,
                })
                .collect(),
            variants: &metrics,
            explain: explained,
            passing_cost: args
                .session
                .is_some()
                .then(|| passing_cost(&checks, &target.cells, &all_samples)),
            outputs: args.outputs.then(|| super::report_outputs::json(&answers)),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = render_report(&target.run, args.mode, &reports, args.fields);
    text.push_str(&sent_lines(&reports, &sent));
    if args.outputs {
        text.push_str(&super::report_outputs::render(&answers));
    }
    text.push_str(&variant_lines(&metrics));
    if args.session.is_some() {
        text.push_str(&passing_cost_lines(&checks, &target.cells, &all_samples));
    }
    if let Some(explained) = &explained {
        text.push_str(&format!("\n{}\n", paint(Tone::Strong, "explain")));
        for line in explained.sentences() {
            text.push_str(&line);
            text.push('\n');
        }
    }
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The session metrics of every (prompt version, variant) over the run's cells (with the judge's
/// stored grades when the checks have a judge).
fn variant_metrics(
    store: &crate::store::Store,
    checks: &crate::session::Checks,
    cells: &[CellInfo],
    samples: &[Vec<crate::store::SampleRow>],
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
    samples: &[Vec<crate::store::SampleRow>],
) -> Vec<crate::cost::cascade::Outcome> {
    let passes = |output: &str| crate::session::metrics::sample_passes(checks, output);
    let pairs: Vec<(CellInfo, Vec<crate::store::SampleRow>)> =
        cells.iter().cloned().zip(samples.iter().cloned()).collect();
    crate::cost::cascade::attempts(&pairs, &passes)
        .iter()
        .map(crate::cost::cascade::alone)
        .collect()
}

/// With a session's checks: per variant, its cost per passing answer (total cost / answers that
/// pass every per-sample check; crate::cost::cascade).
fn passing_cost_lines(
    checks: &crate::session::Checks,
    cells: &[CellInfo],
    samples: &[Vec<crate::store::SampleRow>],
) -> String {
    let mut out = String::new();
    for o in passing_cost(checks, cells, samples) {
        let passed = (o.pass_rate * o.samples as f64).round() as u64;
        out.push_str(&format!(
            "variant {}: {} per passing answer ({passed} of {} passed the checks, {} per call)\n",
            one_line(&o.steps.join("")),
            o.cost_per_passing_usd.map_or_else(
                || if o.cost_per_request_usd.is_some() {
                    "none passed".into()
                } else {
                    "unpriced".into()
                },
                crate::cost::format_usd
            ),
            crate::plural::count(o.samples as u64, "answer"),
            o.cost_per_request_usd
                .map_or_else(|| "unpriced".into(), crate::cost::format_usd),
        ));
    }
    out
}

/// One line per variant: its cases, TARr@N, TARa@N, pass@k and pass^k.
fn variant_lines(metrics: &[crate::session::VariantMetrics]) -> String {
    let mut out = String::new();
    for m in metrics {
        out.push_str(&format!(
            "variant {} [{}] over {} case{}: tar_raw {:.2} · tar_answer {:.2} · pass@{k} {:.2} · pass^{k} {:.2}\n",
            one_line(&m.variant),
            one_line(&m.prompt),
            m.cases,
            if m.cases == 1 { "" } else { "s" },
            m.tar_raw,
            m.tar_answer,
            m.pass_at_k,
            m.pass_all_k,
            k = m.samples
        ));
    }
    if out.is_empty() {
        return out;
    }
    format!("\n{out}")
}

/// Per cell, one line of what was sent and its latency (p50/p95, TTFT when streamed), and a
/// note when the temperature was above 0.
fn sent_lines(reports: &[CellReport], sent: &[Sent]) -> String {
    use crate::runner::sent::{params_line, temperature_above_zero};
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0} ms"));
    let mut out = String::new();
    for (r, s) in reports.iter().zip(sent) {
        let params = s
            .params
            .as_ref()
            .map_or_else(|| "not recorded".to_string(), params_line);
        let mut line = format!(
            "#{} sent: {params} · latency p50 {} p95 {}",
            r.cell_id,
            ms(s.stats.latency_p50_ms),
            ms(s.stats.latency_p95_ms)
        );
        if s.stats.ttft_p50_ms.is_some() {
            line.push_str(&format!(
                " · ttft p50 {} p95 {}",
                ms(s.stats.ttft_p50_ms),
                ms(s.stats.ttft_p95_ms)
            ));
        }
        out.push_str(&paint(Tone::Muted, &line));
        out.push('\n');
        if let Some(t) = s.params.as_ref().and_then(temperature_above_zero) {
            out.push_str(&format!(
                "#{} note: temperature {t} was sent, above 0: outputs are expected to vary, stability falls by design\n",
                r.cell_id
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("\n{out}")
}

fn render_report(run: &RunInfo, mode: Mode, reports: &[CellReport], fields: usize) -> String {
    let mut out = format!(
        "{} · {} · {} · mode {mode} · {} cell{}\n",
        paint(Tone::Strong, &format!("run #{}", run.id)),
        run.status.as_str(),
        run.started_at,
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    );
    if reports.is_empty() {
        out.push_str("no cells\n");
        return out;
    }
    out.push_str(&table(reports));
    for r in reports {
        out.push_str(&details(r, fields));
    }
    out
}

const HEADER: [&str; 12] = [
    "CELL",
    "PROMPT",
    "VARIANT",
    "CASE",
    "N",
    "OK",
    "DISTINCT",
    "STABILITY",
    "DIVERGES",
    "SIMILARITY",
    "TOKENS IN/OUT",
    "COST",
];

fn table(reports: &[CellReport]) -> String {
    let dash = || "—".to_string();
    let rows: Vec<[String; 12]> = reports
        .iter()
        .map(|r| {
            let a = &r.analysis;
            [
                format!("#{}", r.cell_id),
                one_line(&format!("{}@{}", r.prompt, r.version)),
                one_line(&r.variant),
                one_line(&r.case),
                a.n.to_string(),
                a.ok.to_string(),
                a.distinct.to_string(),
                a.stability.map_or_else(dash, |s| format!("{s:.2}")),
                a.divergence
                    .as_ref()
                    .map_or_else(dash, |d| match d.token_offset {
                        Some(t) => format!("char {} / tok {t}", d.char_offset),
                        None => format!("char {}", d.char_offset),
                    }),
                a.similarity.map_or_else(dash, |s| format!("{s:.2}")),
                match (r.tokens.input, r.tokens.output) {
                    (None, None) => dash(),
                    (i, o) => format!(
                        "{}/{}",
                        i.map_or_else(dash, |v| v.to_string()),
                        o.map_or_else(dash, |v| v.to_string())
                    ),
                },
                r.cost_usd.map_or_else(dash, |c| format!("${c:.4}")),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([HEADER[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..HEADER.len()).map(width).collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let mut out = paint(Tone::Muted, line(&header).trim_end()) + "\n";
    for (r, cells) in reports.iter().zip(&rows) {
        let text = line(cells);
        let holds = r.analysis.stability.is_some_and(|s| s >= 1.0) && r.analysis.failed == 0;
        let tone = if holds { Tone::Good } else { Tone::Removed };
        let stability = &cells[7];
        // Colour only the stability figure; the rest stays plain for readability.
        let idx = text
            .find(stability.as_str())
            .filter(|_| !stability.is_empty());
        match idx {
            Some(_) => out.push_str(&text.replacen(stability.as_str(), &paint(tone, stability), 1)),
            None => out.push_str(&text),
        }
    }
    out
}

fn details(r: &CellReport, fields: usize) -> String {
    let a = &r.analysis;
    let mut lines: Vec<String> = Vec::new();
    if a.failed > 0 {
        lines.push(format!(
            "{} of {} failed (not clustered)",
            a.failed,
            crate::plural::count(a.n as u64, "sample")
        ));
    }
    if let Some(d) = &a.divergence {
        let token = d
            .token_offset
            .map(|t| format!(", token {t}"))
            .unwrap_or_default();
        lines.push(format!(
            "{} of {} {} the modal output (sample {}); first at char {}{token}, in sample {}:",
            d.samples_diverging,
            crate::plural::count(a.ok as u64, "sample"),
            if d.samples_diverging == 1 {
                "leaves"
            } else {
                "leave"
            },
            d.modal_sample,
            d.char_offset,
            d.other_sample
        ));
        lines.push(format!("  …{}", paint(Tone::Muted, &one_line(&d.context))));
        lines.push(format!(
            "  modal  → {}",
            paint(Tone::Removed, &one_line(&d.modal_continuation))
        ));
        lines.push(format!(
            "  other  → {}",
            paint(Tone::Added, &one_line(&d.other_continuation))
        ));
        let sizes: Vec<String> = a
            .clusters
            .iter()
            .take(8)
            .map(|c| c.size().to_string())
            .collect();
        let more = if a.clusters.len() > 8 { " …" } else { "" };
        lines.push(format!(
            "  clusters: {}{more} · entropy {:.2} bits",
            sizes.join(" + "),
            a.entropy_bits
        ));
    }
    for f in a.json_fields.iter().take(fields) {
        lines.push(format!(
            "  {} varies in {}/{} ({} values)",
            one_line(&f.path),
            f.varies,
            f.of,
            f.distinct
        ));
    }
    if a.json_fields.len() > fields {
        lines.push(format!(
            "  … {} more varying fields (--fields N, or --json)",
            a.json_fields.len() - fields
        ));
    }
    for note in &a.notes {
        lines.push(format!("  note: {note}"));
    }
    if lines.is_empty() {
        return String::new();
    }
    let title = format!(
        "#{} {} × {}:",
        r.cell_id,
        one_line(&r.variant),
        one_line(&r.case)
    );
    let mut out = format!("\n{}\n", paint(Tone::Strong, &title));
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}
