//! `temper check`: run a session file and fail (exit 1) when any of its checks does not hold.
//! The CI gate: 0 all checks hold, 1 a check failed, 2 a bad file or a failure to run.

use super::style::{Tone, paint};
use super::{Ctx, EXIT_CHECK_FAILED};
use crate::sanitize::one_line;
use crate::session::{Failure, Session, resolve};
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `temper check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Session file (TOML: prompts x variants x cases x N and a [check] table) or a promptfoo config
    pub session: PathBuf,
    /// Evaluate the checks on a stored run instead of running the session again
    #[arg(long, value_name = "RUN")]
    pub run: Option<i64>,
    /// Start even when the spend estimate is over the budget (the run still stops at it)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Also write JUnit XML here: one test case per case × variant × check
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a markdown summary here (metrics and failing cases, for a pull-request comment)
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Compare with the session's prompts at this label (prod) or version (3): fail on
    /// regressions, not on checks the baseline fails too
    #[arg(long, value_name = "REF")]
    pub baseline: Option<String>,
    /// With --baseline: only reuse a stored baseline run, never run the baseline
    #[arg(long, requires = "baseline")]
    pub no_run: bool,
    #[command(flatten)]
    pub promptfoo: super::import_promptfoo::PromptfooFlags,
}

#[derive(Serialize)]
struct Verdict<'a> {
    session: &'a str,
    run_id: i64,
    passed: bool,
    cells: usize,
    checks: Vec<String>,
    failures: &'a [Failure],
    /// Agreement and pass@k per variant over the cases.
    variants: &'a [crate::session::VariantMetrics],
    /// Every check on every case × variant.
    cases: &'a [crate::session::CaseOutcome],
    /// With `--baseline`: the baseline run, regressions and flips.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a super::check_baseline::Against>,
}

/// A session naming a prompt the DB lacks (a fresh CI checkout): say which DB was read and how
/// to load prompts from files, since CI starts with an empty database.
fn missing_prompt(e: anyhow::Error, ctx: &Ctx) -> anyhow::Error {
    let text = super::describe(&e);
    if !text.contains("no prompt named") {
        return e;
    }
    anyhow::anyhow!(
        "{text}; looked in database {} (set with --db or TEMPER_DB). List the prompt's file in the session's `prompts` (e.g. \"prompts/support.toml\", imported on load), or load prompts first: `temper prompt import DIR` (prompt .toml files, e.g. from `temper prompt export`), or `temper prompt import --examples`",
        ctx.db_shown()
    )
}

/// In CI (`CI` set) with no DB named, a new temporary DB, said on stderr: a fresh checkout has
/// no database, and the session's prompt files fill this one.
pub(super) fn ci_database(ctx: &Ctx) -> anyhow::Result<Option<Ctx>> {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    if ctx.db_given || !in_ci {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix("temper-ci-")
        .tempdir()
        .context("creating a temporary directory for the database")?
        .keep();
    let db_path = dir.join("temper.db");
    eprintln!(
        "CI is set and no database was named (--db, TEMPER_DB or `db` in the config): using a new temporary database {}",
        one_line(&db_path.display().to_string())
    );
    Ok(Some(Ctx {
        json: ctx.json,
        db_path,
        db_given: true,
        config: ctx.config.clone(),
        config_path: ctx.config_path.clone(),
        theme: ctx.theme.clone(),
    }))
}

/// Import the session's prompt files (a new version only when the content changed) and say
/// what each became.
fn load_prompt_files(session: &Session, ctx: &Ctx) -> anyhow::Result<()> {
    if !session
        .prompts
        .iter()
        .any(|p| session.prompt_file(&p.value).is_some())
    {
        return Ok(());
    }
    let mut store = ctx.open_store()?;
    for l in crate::session::prompt_files::load(&mut store, session)? {
        if ctx.json {
            continue;
        }
        let what = if l.created {
            "new version"
        } else {
            "unchanged"
        };
        let labels = if l.labels.is_empty() {
            String::new()
        } else {
            format!(", labels {}", l.labels.join(", "))
        };
        eprintln!(
            "{}",
            paint(
                Tone::Muted,
                &one_line(&format!(
                    "prompt file {} is {} ({what}{labels})",
                    l.entry, l.version
                ))
            )
        );
    }
    Ok(())
}

/// Run `temper check`.
pub fn execute(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    if let Some(code) = super::import_promptfoo::check_if_promptfoo(args, ctx)? {
        return Ok(code);
    }
    let session = Session::read(&args.session)?;
    let ci_ctx = ci_database(ctx)?;
    let ctx = ci_ctx.as_ref().unwrap_or(ctx);
    load_prompt_files(&session, ctx)?;
    let store = ctx.open_store()?;
    let resolved =
        resolve(&session, &store, &ctx.config).map_err(|e| missing_prompt(e.into(), ctx))?;
    let prepared = match &args.baseline {
        Some(reference) => Some(super::check_baseline::prepare(
            reference,
            (&session, &resolved),
            args.no_run,
            ctx,
        )?),
        None => None,
    };
    let (run_id, spent_usd) = match args.run {
        Some(id) => (id, 0.0),
        None => super::check_run::run_session(&session, &resolved, args.yes, ctx)?,
    };
    super::check_run::grade(&session, (run_id, &[]), spent_usd, args.yes, ctx)?;
    let verdict = crate::session::verdict(&store, &session, run_id)
        .with_context(|| format!("loading run #{run_id}"))?;
    let crate::session::RunChecks { cells, failures } = &verdict.checks;
    if cells.is_empty() {
        anyhow::bail!(
            "run #{run_id} has no cell for the variants and cases of session {:?}; run the session (without --run) first",
            session.name
        );
    }
    let against = match prepared {
        Some(p) => Some(super::check_baseline::against(
            p, &session, &verdict, args.yes, ctx,
        )?),
        None => None,
    };
    // Against a baseline the gate is "no worse": checks the baseline fails too do not fail it.
    let passed = match &against {
        Some(a) => a.comparison.regressions.is_empty(),
        None => failures.is_empty(),
    };
    write_ci_files(args, &session.name, &verdict, against.as_ref())?;
    if ctx.json {
        super::print_json(&Verdict {
            session: &session.name,
            run_id,
            passed,
            cells: cells.len(),
            checks: session.check.names(),
            failures,
            variants: &verdict.metrics,
            cases: &verdict.cases,
            baseline: against.as_ref(),
        })?;
    } else {
        let mut text = render(&session, run_id, cells.len(), failures);
        text.push_str(&metrics_lines(&verdict));
        if let Some(a) = &against {
            text.push_str(&super::check_baseline::render(a, session.variants.len()));
        }
        super::report::write_out(&text)?;
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_CHECK_FAILED)
    })
}

/// Write the `--junit` and `--summary` files the arguments ask for.
fn write_ci_files(
    args: &CheckArgs,
    session: &str,
    verdict: &crate::session::RunVerdict,
    against: Option<&super::check_baseline::Against>,
) -> anyhow::Result<()> {
    use crate::session::ci;
    let baseline = against.map(|a| (a.reference.as_str(), &a.comparison));
    if let Some(path) = &args.junit {
        let xml =
            ci::junit(session, &verdict.cases, baseline).context("building the JUnit report")?;
        std::fs::write(path, xml)
            .with_context(|| format!("writing the JUnit report to {}", path.display()))?;
    }
    if let Some(path) = &args.summary {
        let text = ci::markdown(session, &verdict.cases, &verdict.metrics, baseline);
        std::fs::write(path, text)
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    Ok(())
}

/// Per variant: cases passing every check, and the agreement metrics (docs/ci.md).
fn metrics_lines(verdict: &crate::session::RunVerdict) -> String {
    let mut out = String::new();
    for m in &verdict.metrics {
        let of_variant = verdict
            .cases
            .iter()
            .filter(|c| c.variant == m.variant && c.prompt == m.prompt);
        let (passed, total) =
            of_variant.fold((0, 0), |(p, t), c| (p + usize::from(c.passed), t + 1));
        out.push_str(&paint(
            Tone::Muted,
            &format!(
                "{} [{}]: {passed}/{total} cases pass · tar_raw {:.2} · tar_answer {:.2} · pass@{k} {:.2} · pass^{k} {:.2}",
                one_line(&m.variant),
                one_line(&m.prompt),
                m.tar_raw,
                m.tar_answer,
                m.pass_at_k,
                m.pass_all_k,
                k = m.samples
            ),
        ));
        out.push('\n');
    }
    out
}

/// The run's cells that belong to the session's variants and cases.
fn render(session: &Session, run_id: i64, cells: usize, failures: &[Failure]) -> String {
    let checks = session.check.names();
    let mut out = format!(
        "session {} · run #{run_id} · {} · checks: {}\n",
        paint(Tone::Strong, &one_line(&session.name)),
        plural(cells, "cell"),
        if checks.is_empty() {
            "none".to_string()
        } else {
            checks.join(", ")
        }
    );
    if failures.is_empty() {
        out.push_str(&paint(
            Tone::Good,
            &format!(
                "✓ all {} hold on {}\n",
                plural(checks.len(), "check"),
                plural(cells, "cell")
            ),
        ));
        return out;
    }
    for f in failures {
        out.push_str(&format!("{} {f}\n", paint(Tone::Removed, "✗")));
        if let Some(detail) = &f.detail {
            out.push_str(&format!("    {}\n", paint(Tone::Muted, &one_line(detail))));
        }
    }
    let failing_cells: std::collections::BTreeSet<(&str, &str, &str)> = failures
        .iter()
        .map(|f| (f.prompt.as_str(), f.variant.as_str(), f.case.as_str()))
        .collect();
    out.push_str(&paint(
        Tone::Removed,
        &format!(
            "{} failed in {} of {}\n",
            plural(failures.len(), "check"),
            failing_cells.len(),
            plural(cells, "cell")
        ),
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    crate::plural::count(n as u64, word)
}
