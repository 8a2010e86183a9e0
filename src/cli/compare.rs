//! `temper compare P@3 P@4`: the A/B view a prompt change needs. Both versions on the same
//! variants and cases (stored runs reused, else run now), one table per variant: stability,
//! distinct, TARr, tokens, cost per call and per 30 days, p95 latency, checks passed, and the
//! delta per row. The figures come from `analysis::versions_figures` (docs/cost.md).

use super::style::{Tone, paint};
use super::{Ctx, EXIT_ERROR, print_json};
use crate::analysis::Mode;
use crate::analysis::versions::{CompareError, VersionPair, compare_versions_with};
use crate::analysis::versions_figures::{VariantComparison, VersionFigures, compare_figures};
use crate::cost::{PriceBook, format_usd, group_thousands};
use crate::runner::{self, Case, Plan, Variant};
use crate::sanitize::one_line;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `temper compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The version before the change: name@3
    pub old: String,
    /// The version after it: name@4
    pub new: String,
    /// Variant to compare (repeatable): provider:model, with optional params as for temper run
    /// [default: every variant both versions ran]
    #[arg(short = 'm', long = "model", value_name = "PROVIDER:MODEL [K=V]...")]
    pub models: Vec<String>,
    /// Samples per version and variant when a run is needed [default: [run] samples, else 10]
    #[arg(short = 'n', long = "samples", value_name = "N", value_parser = super::ranges::samples)]
    pub samples: Option<u32>,
    /// Template variable for a run, repeatable: --var question="How long…"
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
    /// Calls per day for the 30-day cost: 1000, 50k, 1.5M
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = crate::cost::parse_volume)]
    pub calls_per_day: u64,
    /// Session file whose [check] table grades each answer [default: an answer passes when its
    /// call succeeded]
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Run both versions now even when stored runs could be reused
    #[arg(long)]
    pub rerun: bool,
    /// How outputs are compared for stability and distinct: exact, whitespace or json
    #[arg(long, default_value = "exact", value_name = "MODE")]
    pub mode: Mode,
    /// Start even when the spend estimate is over the budget, never ask
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// Run `temper compare`.
pub fn execute(args: &CompareArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let old = label(&store.resolve_str(&args.old)?);
    let new = label(&store.resolve_str(&args.new)?);
    let checks = match &args.session {
        Some(path) => Some(crate::session::Session::read(path)?),
        None => None,
    };
    let passes = |output: &str| {
        checks
            .as_ref()
            .is_none_or(|s| crate::session::metrics::sample_passes(&s.check, output))
    };
    let variants = parse_variants(&args.models)?;
    let stored = (!args.rerun).then(|| {
        compare_versions_with(&store, &old, &new, None, args.mode, &passes)
            .map(|pairs| keep_variants(pairs, &variants))
    });
    let (pairs, run_id) = match stored {
        Some(Ok(pairs)) if covers(&pairs, &variants) => (pairs, None),
        other => {
            if variants.is_empty() {
                let why = match other {
                    Some(Err(e)) => e.to_string(),
                    _ => format!("{old} and {new} share no stored variant × case"),
                };
                anyhow::bail!(
                    "{why}; give the models to run both versions on, e.g. `temper compare {old} {new} -m openai:gpt-4o-mini -n 5`"
                );
            }
            let Some(run_id) = run_both(args, ctx, &store, [&old, &new], &variants)? else {
                eprintln!("not started: declined");
                return Ok(ExitCode::from(EXIT_ERROR));
            };
            let pairs = compare_versions_with(&store, &old, &new, None, args.mode, &passes)?;
            (keep_variants(pairs, &variants), Some(run_id))
        }
    };
    if pairs.is_empty() {
        return Err(CompareError::NoOutputs {
            reference: old,
            filter: " for the variants asked".into(),
        }
        .into());
    }
    let table = compare_figures(&pairs, args.calls_per_day);
    let session = checks.as_ref().map(|s| s.name.clone());
    if ctx.json {
        print_json(&serde_json::json!({
            "old": old, "new": new, "calls_per_day": args.calls_per_day,
            "mode": args.mode, "checks": session, "run_id": run_id,
            "reused_stored_runs": run_id.is_none(), "variants": table,
        }))?;
    } else {
        print_text(args, &old, &new, run_id, session.as_deref(), &table);
    }
    Ok(ExitCode::SUCCESS)
}

fn label(v: &crate::store::Version) -> String {
    format!("{}@{}", v.info.prompt, v.info.number)
}

fn parse_variants(specs: &[String]) -> anyhow::Result<Vec<Variant>> {
    let mut out: Vec<Variant> = Vec::new();
    for spec in specs {
        let v = Variant::parse(spec)?;
        if !out.iter().any(|o| o.name == v.name) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Only the pairs of the variants asked for (all when none were named).
fn keep_variants(pairs: Vec<VersionPair>, variants: &[Variant]) -> Vec<VersionPair> {
    if variants.is_empty() {
        return pairs;
    }
    pairs
        .into_iter()
        .filter(|p| variants.iter().any(|v| v.name == p.variant))
        .collect()
}

/// Whether stored pairs exist for every variant asked for (and for something when none were).
fn covers(pairs: &[VersionPair], variants: &[Variant]) -> bool {
    !pairs.is_empty()
        && variants
            .iter()
            .all(|v| pairs.iter().any(|p| p.variant == v.name))
}

/// One run of both versions on the variants, one case from `--var`; `None` when declined.
fn run_both(
    args: &CompareArgs,
    ctx: &Ctx,
    store: &crate::store::Store,
    refs: [&str; 2],
    variants: &[Variant],
) -> anyhow::Result<Option<i64>> {
    let versions = refs
        .iter()
        .map(|r| store.resolve_str(r))
        .collect::<Result<Vec<_>, _>>()?;
    let case = Case {
        name: "default".into(),
        vars: super::run_input::parse_vars(&args.vars)?,
    };
    let outcome = run_plan(
        ctx,
        store,
        (versions, variants.to_vec(), case),
        args.samples,
        args.yes,
    )?;
    if let Some(o) = &outcome
        && !ctx.json
    {
        eprintln!(
            "ran {} and {} in run #{}: {} answered, {} failed",
            refs[0], refs[1], o.run_id, o.ok, o.failed
        );
    }
    Ok(outcome.map(|o| o.run_id))
}

/// Run `versions` × `variants` on one case, `samples` each (else the config's), after the
/// spend guard (`temper compare`, `temper cost --probe`); `None` when the user declined.
pub(super) fn run_plan(
    ctx: &Ctx,
    store: &crate::store::Store,
    (versions, variants, case): (Vec<crate::store::Version>, Vec<Variant>, Case),
    samples: Option<u32>,
    yes: bool,
) -> anyhow::Result<Option<runner::RunOutcome>> {
    let mut plan = Plan::new(versions, variants, vec![case], &ctx.config.run);
    if let Some(n) = samples {
        plan.samples = n;
    }
    let registry = runner::registry(&ctx.config, &ctx.db_path);
    let book = PriceBook::load(&ctx.config, None)?;
    plan.budget_usd = super::run_spend::check_budget(plan.budget_usd)?;
    plan.prices = Some(Arc::new(book.clone()));
    let cells = plan.prepare(&registry)?;
    let guard = super::run_spend::GuardInput {
        cells: &cells,
        book: &book,
        store,
        budget_usd: plan.budget_usd,
        yes,
    };
    if super::run_spend::guard(&guard, ctx)?.is_none() {
        return Ok(None);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let outcome = runtime.block_on(super::run::run_with_progress(&plan, cells, ctx, false))?;
    Ok(Some(outcome))
}

fn print_text(
    args: &CompareArgs,
    old: &str,
    new: &str,
    run_id: Option<i64>,
    session: Option<&str>,
    table: &[VariantComparison],
) {
    let source = match run_id {
        Some(id) => format!("run #{id}"),
        None => "stored runs".to_string(),
    };
    println!(
        "{} · {source} · {} calls/day · mode {}",
        paint(Tone::Strong, &format!("{old} → {new}")),
        group_thousands(&args.calls_per_day.to_string()),
        args.mode
    );
    for v in table {
        println!();
        let cases = crate::plural::count(v.cases.len() as u64, "case");
        let head = format!("{} · {cases}", one_line(&v.variant));
        let rows = rows(&v.old, &v.new);
        let w0 = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
        let headers = ["", old, new, "Δ"];
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let (w1, w2, w3) = (width(1), width(2), width(3));
        let title = format!("{:<w0$}  {old:>w1$}  {new:>w2$}  {:>w3$}", "", "Δ");
        println!("{}", paint(Tone::Strong, &head));
        println!("{}", paint(Tone::Muted, title.trim_end()));
        for r in &rows {
            println!("{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}", r[0], r[1], r[2], r[3]);
        }
    }
    println!();
    println!(
        "{}",
        paint(
            Tone::Muted,
            &match session {
                Some(name) => format!("checks: session {}", one_line(name)),
                None =>
                    "checks: none given (--session FILE): an answer passes when its call succeeded"
                        .into(),
            }
        )
    );
}

/// The table rows: name, old, new, delta.
fn rows(a: &VersionFigures, b: &VersionFigures) -> Vec<[String; 4]> {
    let dash = || "-".to_string();
    let num = |v: Option<f64>, digits: usize| v.map_or_else(dash, |v| format!("{v:.digits$}"));
    let signed = |a: Option<f64>, b: Option<f64>, digits: usize| match (a, b) {
        (Some(a), Some(b)) => format!("{:+.digits$}", b - a),
        _ => dash(),
    };
    let usd = |v: Option<f64>| v.map_or_else(|| "unpriced".into(), format_usd);
    let usd_delta = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => {
            let sign = if b < a { "-" } else { "+" };
            let pct = (a > 0.0).then(|| format!(" ({:+.0}%)", (b - a) * 100.0 / a));
            format!(
                "{sign}{}{}",
                format_usd((b - a).abs()),
                pct.unwrap_or_default()
            )
        }
        _ => dash(),
    };
    let ms = |v: Option<f64>| v.map_or_else(dash, |v| format!("{v:.0} ms"));
    let passed = |f: &VersionFigures| {
        format!(
            "{}/{} ({:.0}%)",
            f.checks_passed,
            f.samples,
            f.checks_passed_share * 100.0
        )
    };
    let figure = |name: &str, field: fn(&VersionFigures) -> Option<f64>, digits: usize| {
        let (old, new) = (field(a), field(b));
        row3(
            name,
            num(old, digits),
            num(new, digits),
            signed(old, new, digits),
        )
    };
    vec![
        figure("stability", |f| f.stability, 2),
        figure("distinct", |f| f.distinct, 1),
        figure("TARr", |f| Some(f.tar_raw), 2),
        figure("tokens in", |f| f.input_tokens, 0),
        figure("tokens out", |f| f.output_tokens, 0),
        row3(
            "cost per call",
            usd(a.cost_per_call_usd),
            usd(b.cost_per_call_usd),
            usd_delta(a.cost_per_call_usd, b.cost_per_call_usd),
        ),
        row3(
            "cost per 30 days",
            usd(a.cost_per_30_days_usd),
            usd(b.cost_per_30_days_usd),
            usd_delta(a.cost_per_30_days_usd, b.cost_per_30_days_usd),
        ),
        row3(
            "p95 latency",
            ms(a.latency_p95_ms),
            ms(b.latency_p95_ms),
            signed(a.latency_p95_ms, b.latency_p95_ms, 0)
                + if a.latency_p95_ms.is_some() && b.latency_p95_ms.is_some() {
                    " ms"
                } else {
                    ""
                },
        ),
        row3(
            "checks passed",
            passed(a),
            passed(b),
            format!(
                "{:+.0} pts",
                (b.checks_passed_share - a.checks_passed_share) * 100.0
            ),
        ),
    ]
}

fn row3(name: &str, a: String, b: String, d: String) -> [String; 4] {
    [format!("  {name}"), a, b, d]
}
