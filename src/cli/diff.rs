//! `temper diff`: two samples of a run, a sample against the modal output, or the outputs of
//! two prompt versions for the same variant and case.

use super::Ctx;
use super::report::{load_target, write_out};
use super::style::{Tone, colour_enabled, paint};
use crate::analysis::cell::observed;
use crate::analysis::render::{Line, Tint, side_by_side, unified};
use crate::analysis::versions::{VersionOutput, compare_versions};
use crate::analysis::{Diff, DiffOptions, Granularity, Mode, Options, analyze, diff_texts};
use crate::sanitize::one_line;
use crate::store::{CellInfo, SampleRow, Store};
use anyhow::Context;
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `temper diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// A run id (or a prompt reference: its latest run); with a second reference, two versions
    #[arg(value_name = "RUN|REF", num_args = 1..=2, required = true)]
    pub targets: Vec<String>,
    /// Sample index to compare (twice: A vs B; once: modal vs it; never: modal vs the earliest divergent)
    #[arg(long = "sample", value_name = "IDX")]
    pub samples: Vec<u32>,
    /// Cell of the run (needed when the run has several; `temper report RUN` lists them)
    #[arg(long, value_name = "ID")]
    pub cell: Option<i64>,
    /// Only cells whose variant name or model contains this (version diffs)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// line, word or char
    #[arg(long, default_value = "word", value_name = "G")]
    pub granularity: Granularity,
    /// Two columns instead of -/+ lines
    #[arg(long, short = 's')]
    pub side_by_side: bool,
    /// Unchanged lines kept around each change
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = super::ranges::count)]
    pub context: usize,
    /// Terminal width for --side-by-side [default: $COLUMNS or 120]
    #[arg(long, value_name = "COLS", value_parser = super::ranges::count)]
    pub width: Option<usize>,
    /// How samples are grouped when finding the modal output: exact, whitespace or json
    #[arg(long, default_value = "exact", value_name = "MODE")]
    pub mode: Mode,
}

/// One side of a comparison, for people and for `--json`.
#[derive(Debug, Serialize)]
struct Side {
    label: String,
    cell_id: i64,
    sample: u32,
}

#[derive(Debug, Serialize)]
struct Comparison {
    variant: String,
    case: String,
    old: Side,
    new: Side,
    diff: Diff,
    /// Set when no sample was picked and every answered sample of the cell is the same: how
    /// many there are (the diff then has nothing to show but the text, once).
    #[serde(skip_serializing_if = "Option::is_none")]
    all_identical: Option<usize>,
    /// The old side's text, printed once when the two sides are identical.
    #[serde(skip)]
    text: String,
}

/// Run `temper diff`.
pub fn execute(args: &DiffArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    if args.samples.len() > 2 {
        anyhow::bail!("give --sample at most twice (A and B)");
    }
    let store = ctx.open_store()?;
    let comparisons = match args.targets.as_slice() {
        [run] => vec![sample_diff(&store, run, args)?],
        [a, b] => version_diff(&store, a, b, args)?,
        _ => anyhow::bail!("give a run, or two prompt references"),
    };
    if ctx.json {
        super::print_json(&comparisons)?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = args
        .width
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
        .unwrap_or(120);
    let mut out = String::new();
    for c in &comparisons {
        let context = format!("({} × {})", one_line(&c.variant), one_line(&c.case));
        if let Some(n) = c.all_identical {
            out += &identical_cell(c, n, &context);
            continue;
        }
        out += &format!(
            "{}\n",
            paint(Tone::Removed, &format!("--- {}", c.old.label))
        );
        out += &format!(
            "{}  {}\n",
            paint(Tone::Added, &format!("+++ {}", c.new.label)),
            paint(Tone::Muted, &context)
        );
        if let Some(why) = &c.diff.degraded {
            out += &format!("{}\n", paint(Tone::Muted, &format!("note: {why}")));
        }
        if !c.diff.has_changes() {
            out += &format!("{}\n", paint(Tone::Good, "identical:"));
            out += &indented(&c.text);
            continue;
        }
        let markers = !colour_enabled();
        let lines = if args.side_by_side {
            side_by_side(&c.diff, width, args.context, markers)
        } else {
            unified(&c.diff, args.context, markers)
        };
        for line in &lines {
            out += &paint_line(line);
            out.push('\n');
        }
    }
    write_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Colour a laid-out line (without colour, the layout already carries `[-…-]` / `{+…+}`).
fn paint_line(line: &Line) -> String {
    line.iter()
        .map(|s| match s.tint {
            Tint::Plain => s.text.clone(),
            Tint::Muted => paint(Tone::Muted, &s.text),
            Tint::Removed => paint(Tone::Removed, &s.text),
            Tint::Added => paint(Tone::Added, &s.text),
            Tint::RemovedEmph => paint(Tone::RemovedStrong, &s.text),
            Tint::AddedEmph => paint(Tone::AddedStrong, &s.text),
        })
        .collect()
}

fn pick_cell(cells: Vec<CellInfo>, wanted: Option<i64>, run: i64) -> anyhow::Result<CellInfo> {
    if let Some(id) = wanted {
        return cells.into_iter().find(|c| c.id == id).with_context(|| {
            format!("run #{run} has no cell #{id}: `temper report {run}` lists its cells")
        });
    }
    match <[CellInfo; 1]>::try_from(cells) {
        Ok([only]) => Ok(only),
        Err(cells) if cells.is_empty() => anyhow::bail!("run #{run} has no cells"),
        Err(cells) => {
            let list: Vec<String> = cells
                .iter()
                .map(|c| {
                    format!(
                        "  --cell {}  ({}@{} × {} × {})",
                        c.id,
                        c.prompt,
                        c.prompt_number,
                        one_line(&c.cell.variant_name),
                        one_line(&c.cell.case_name)
                    )
                })
                .collect();
            anyhow::bail!(
                "run #{run} has {} cells; pick one:\n{}",
                cells.len(),
                list.join("\n")
            )
        }
    }
}

/// `all 5 samples of run #3 cell #4 are identical:` and the text once.
fn identical_cell(c: &Comparison, n: usize, context: &str) -> String {
    let what = match n {
        1 => format!("the only answered sample of {} is:", c.old.label),
        n => format!(
            "all {n} answered samples of {} are identical:",
            c.old
                .label
                .replace(&format!(" sample {} (modal)", c.old.sample), "")
        ),
    };
    let mut out = format!(
        "{}  {}\n",
        paint(Tone::Good, &what),
        paint(Tone::Muted, context)
    );
    out += &indented(&c.text);
    out
}

/// The text, sanitised for the terminal, each line indented by two spaces.
fn indented(text: &str) -> String {
    crate::sanitize::for_display(text)
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect()
}

fn output_of(samples: &[SampleRow], idx: u32, cell: i64) -> anyhow::Result<&str> {
    let row = samples
        .iter()
        .find(|s| s.sample.idx == idx)
        .with_context(|| {
            let last = samples.last().map_or(0, |s| s.sample.idx);
            format!("cell #{cell} has no sample {idx} (samples are 0..={last})")
        })?;
    row.sample.output.as_deref().with_context(|| {
        format!(
            "sample {idx} of cell #{cell} has no output (it failed: {})",
            one_line(row.sample.error.as_deref().unwrap_or("no error stored"))
        )
    })
}

fn diff_options(args: &DiffArgs) -> DiffOptions {
    DiffOptions {
        granularity: args.granularity,
        ..DiffOptions::default()
    }
}

fn sample_diff(store: &Store, target: &str, args: &DiffArgs) -> anyhow::Result<Comparison> {
    let t = load_target(store, target)?;
    let cell = pick_cell(t.cells, args.cell, t.run.id)?;
    let samples = store.samples(cell.id)?;
    let analysis = analyze(&observed(&samples), Options::mode(args.mode));
    let modal = analysis.modal_sample();
    let mut all_identical = None;
    let (a, b) = match args.samples.as_slice() {
        [a, b] => (*a, *b),
        [b] => (modal.context("no successful sample to call modal")?, *b),
        _ => match &analysis.divergence {
            Some(d) => (d.modal_sample, d.other_sample),
            None => {
                let m = modal.context("no successful samples to compare")?;
                all_identical = Some(analysis.ok);
                (m, m)
            }
        },
    };
    let label = |i: u32| {
        let tag = if Some(i) == modal { " (modal)" } else { "" };
        format!("run #{} cell #{} sample {i}{tag}", t.run.id, cell.id)
    };
    let text = output_of(&samples, a, cell.id)?;
    Ok(Comparison {
        variant: cell.cell.variant_name.clone(),
        case: cell.cell.case_name.clone(),
        diff: diff_texts(text, output_of(&samples, b, cell.id)?, &diff_options(args)),
        all_identical,
        text: text.to_string(),
        old: Side {
            label: label(a),
            cell_id: cell.id,
            sample: a,
        },
        new: Side {
            label: label(b),
            cell_id: cell.id,
            sample: b,
        },
    })
}

fn version_diff(
    store: &Store,
    a: &str,
    b: &str,
    args: &DiffArgs,
) -> anyhow::Result<Vec<Comparison>> {
    let pairs = compare_versions(store, a, b, args.model.as_deref(), args.mode)?;
    let side = |o: &VersionOutput| Side {
        label: format!(
            "{} (run #{} modal sample {})",
            o.reference, o.cell.run_id, o.sample
        ),
        cell_id: o.cell.id,
        sample: o.sample,
    };
    Ok(pairs
        .into_iter()
        .map(|p| Comparison {
            diff: diff_texts(&p.old.output, &p.new.output, &diff_options(args)),
            all_identical: None,
            text: p.old.output.clone(),
            old: side(&p.old),
            new: side(&p.new),
            variant: p.variant,
            case: p.case,
        })
        .collect())
}
