//! `temper check promptfooconfig.yaml`: a promptfoo config detected by content (or
//! `--format promptfoo`) runs as an in-memory session through the same runner as session files,
//! then each test is graded per sample for the flakiness report (docs/promptfoo.md).

use super::check::CheckArgs;
use super::style::{Tone, paint};
use super::{Ctx, EXIT_CHECK_FAILED};
use crate::promptfoo::judge::RubricJudge;
use crate::promptfoo::{Converted, SuiteReport};
use crate::sanitize::one_line;
use crate::store::{CellInfo, SampleRow};
use anyhow::Context;
use std::process::ExitCode;

/// What `--format` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A temper session file (TOML)
    Session,
    /// A promptfoo config (promptfooconfig.yaml)
    Promptfoo,
}

/// `temper check` flags for promptfoo configs.
#[derive(Debug, Default, clap::Args)]
pub struct PromptfooFlags {
    /// Read the file as a session (TOML) or a promptfoo config [default: detected by content]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Samples per test of a promptfoo config [default: 5]
    #[arg(short = 'n', long = "samples", value_name = "N")]
    pub samples: Option<u32>,
    /// Run a promptfoo config on these models instead of its providers (e.g. mock:echo)
    #[arg(long = "model", value_name = "PROVIDER:MODEL")]
    pub models: Vec<String>,
    /// Also exit 1 when a promptfoo test is flaky (passes on some samples, fails on others)
    #[arg(long)]
    pub fail_on_flaky: bool,
    /// Run the usable part of a promptfoo config that has unknown keys or broken tests
    #[arg(long)]
    pub keep_going: bool,
    /// Grade a promptfoo config's llm-rubric assertions with this model [default: the test's
    /// options.provider, else the config's first provider]; mock:judge grades offline
    #[arg(long, value_name = "PROVIDER:MODEL")]
    pub judge_model: Option<String>,
    /// Run a promptfoo config in the TUI's Run view and list its tests there, flaky first
    #[arg(long)]
    pub tui: bool,
}

/// Run `args.session` as a promptfoo config when it is one; `None` leaves it to the session path.
pub(super) fn check_if_promptfoo(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<Option<ExitCode>> {
    let flags = &args.promptfoo;
    let is_promptfoo = match flags.format {
        Some(Format::Promptfoo) => true,
        Some(Format::Session) => false,
        None => crate::fsio::read_text(&args.session)
            .map(|text| crate::promptfoo::looks_like_promptfoo(&args.session, &text))
            .unwrap_or(false),
    };
    if !is_promptfoo {
        if flags.samples.is_some()
            || !flags.models.is_empty()
            || flags.fail_on_flaky
            || flags.keep_going
            || flags.judge_model.is_some()
            || flags.tui
        {
            anyhow::bail!(
                "-n, --model, --judge-model, --fail-on-flaky, --keep-going and --tui apply to promptfoo configs; {} is read as a session file (pass --format promptfoo if it is a promptfoo config)",
                args.session.display()
            );
        }
        return Ok(None);
    }
    run(args, ctx).map(Some)
}

fn run(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let flags = &args.promptfoo;
    let n = flags
        .samples
        .unwrap_or(crate::promptfoo::suite_run::DEFAULT_SAMPLES);
    if n == 0 {
        anyhow::bail!("-n must be at least 1");
    }
    let suite = crate::promptfoo::load(&args.session, flags.keep_going)?;
    for e in &suite.dropped {
        eprintln!(
            "warning: left out (--keep-going): {}",
            one_line(&e.to_string())
        );
    }
    let converted = crate::promptfoo::convert(&suite, &flags.models, n)?;
    if !ctx.json {
        for note in &converted.notes {
            eprintln!(
                "{}",
                paint(Tone::Muted, &format!("note: {}", one_line(note)))
            );
        }
    }
    if flags.tui {
        return open_tui(args, ctx, &converted, n);
    }
    let ci_ctx = super::check::ci_database(ctx)?;
    let ctx = with_providers(ci_ctx.as_ref().unwrap_or(ctx), &converted);
    let judges = crate::promptfoo::judge::judges(&converted, flags.judge_model.as_deref())?;
    let (run_id, spent) = match args.run {
        Some(id) => (id, 0.0),
        None => run_suite(&converted, args.yes, &ctx)?,
    };
    let report = grade_run(
        &converted,
        (run_id, spent),
        &judges,
        (args.yes, flags.fail_on_flaky),
        &ctx,
    )?;
    write_ci_files(args, &report)?;
    let passed = report.passed(flags.fail_on_flaky);
    if ctx.json {
        super::print_json(&serde_json::json!({
            "suite": report.suite,
            "run_id": run_id,
            "samples": n,
            "passed": passed,
            "tests": report.tests,
            "cases": report.cases,
            "notes": converted.notes,
        }))?;
    } else {
        let text = super::import_promptfoo_text::render(&report, n, flags.fail_on_flaky);
        super::report::write_out(&text)?;
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_CHECK_FAILED)
    })
}

/// `--tui`: the suite runs in the Run view (through its spend guard) and its tests are listed
/// there, flaky first, once the run ends.
fn open_tui(
    args: &CheckArgs,
    ctx: &Ctx,
    converted: &Converted,
    n: u32,
) -> anyhow::Result<ExitCode> {
    let flags = &args.promptfoo;
    if ctx.json || flags.keep_going || args.run.is_some() || args.junit.is_some() {
        anyhow::bail!(
            "--tui opens the suite in the terminal: --json, --keep-going, --run and --junit apply to temper check without it"
        );
    }
    let options = crate::tui::Options {
        db_path: ctx.db_path.clone(),
        theme: ctx.theme.clone(),
        keys: ctx.config.ui.keys.clone(),
        config: crate::promptfoo::suite_run::config_with_providers(&ctx.config, converted),
        trace: None,
    };
    let suite = crate::promptfoo::SuiteSpec {
        path: args.session.clone(),
        models: flags.models.clone(),
        samples: n,
    };
    crate::tui::run_suite(options, suite)?;
    Ok(ExitCode::SUCCESS)
}

/// `ctx` with the provider tables the config's `apiBaseUrl`/`apiKeyEnvar` need laid over.
fn with_providers(ctx: &Ctx, converted: &Converted) -> Ctx {
    Ctx {
        json: ctx.json,
        db_path: ctx.db_path.clone(),
        db_given: ctx.db_given,
        config: crate::promptfoo::suite_run::config_with_providers(&ctx.config, converted),
        config_path: ctx.config_path.clone(),
        theme: ctx.theme.clone(),
    }
}

/// Save the suite's prompts (a new version only when the content changed), resolve the
/// session and run it like `temper check` runs a session file.
fn run_suite(converted: &Converted, yes: bool, ctx: &Ctx) -> anyhow::Result<(i64, f64)> {
    let mut store = ctx.open_store()?;
    let resolved = crate::promptfoo::suite_run::prepare(&mut store, converted, &ctx.config)?;
    drop(store);
    super::check_run::run_session(&converted.session, &resolved, yes, ctx)
}

/// Run the judge on the answers of `cells` its rubric grades that have no stored grade yet,
/// within what is left of the budget after `spent`; what the judge's calls spent.
fn judge_cells(
    judge: &RubricJudge,
    (suite, cells, samples): (&str, &[CellInfo], &[Vec<SampleRow>]),
    spent: f64,
    yes: bool,
    ctx: &Ctx,
) -> anyhow::Result<f64> {
    let mut store = ctx.open_store()?;
    let pending = crate::promptfoo::judge::pending_plan(
        &mut store,
        judge,
        (suite, cells, samples),
        &ctx.config.run,
    )
    .context("preparing the judge's calls")?;
    drop(store);
    let Some(mut plan) = pending else {
        return Ok(0.0);
    };
    plan.budget_usd = ctx.config.run.budget_usd.map(|b| (b - spent).max(0.0));
    super::check_run::run_plan(plan, yes, ctx, "judge call").map(|(_, s)| s)
}

/// Grade every cell of run `run_id` that belongs to the suite, the judges' rubrics first
/// (only answers without a stored grade are sent).
fn grade_run(
    converted: &Converted,
    (run_id, mut spent): (i64, f64),
    judges: &[RubricJudge],
    (yes, fail_on_flaky): (bool, bool),
    ctx: &Ctx,
) -> anyhow::Result<SuiteReport> {
    let store = ctx.open_store()?;
    let (cells, samples) = crate::promptfoo::suite_run::suite_cells(&store, converted, run_id)
        .with_context(|| format!("loading run #{run_id}"))?;
    drop(store);
    for judge in judges {
        let suite = (converted.session.name.as_str(), &cells[..], &samples[..]);
        spent += judge_cells(judge, suite, spent, yes, ctx)?;
    }
    let store = ctx.open_store()?;
    crate::promptfoo::suite_run::grade(
        &store,
        converted,
        (run_id, &cells, &samples),
        judges,
        fail_on_flaky,
    )
    .context("grading the suite")
}

/// `--junit` and `--summary` through the session's CI writers.
fn write_ci_files(args: &CheckArgs, report: &SuiteReport) -> anyhow::Result<()> {
    use crate::session::ci;
    if let Some(path) = &args.junit {
        let xml =
            ci::junit(&report.suite, &report.cases, None).context("building the JUnit report")?;
        std::fs::write(path, xml)
            .with_context(|| format!("writing the JUnit report to {}", path.display()))?;
    }
    if let Some(path) = &args.summary {
        let text = ci::markdown(&report.suite, &report.cases, &[], None);
        std::fs::write(path, text)
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    Ok(())
}
