//! `temper cost --cascade "A,B" RUN`: cost per passing answer of each variant of a run, and the
//! cascade "call A; only when its answer fails the checks call B" simulated over the run's
//! stored samples (`crate::cost::cascade`, docs/cost.md).

use super::cost::{CostArgs, print_table};
use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::cost::cascade::{CascadeTable, Outcome, alone, cascade, load_run};
use crate::cost::{format_usd, group_thousands, project};
use crate::sanitize::one_line;
use std::process::ExitCode;

/// Run `temper cost --cascade`.
pub fn execute(args: &CostArgs, spec: &str, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let target = super::report::load_target(&store, args.reference()?)?;
    let session = match &args.session {
        Some(path) => Some(crate::session::Session::read(path)?),
        None => None,
    };
    let passes = |output: &str| {
        session
            .as_ref()
            .is_none_or(|s| crate::session::metrics::sample_passes(&s.check, output))
    };
    let all = load_run(&store, target.run.id, &passes)?;
    let order: Vec<&str> = spec
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let table = CascadeTable {
        variants: order
            .iter()
            .filter_map(|name| all.iter().find(|v| v.variant == *name))
            .map(alone)
            .collect(),
        cascade: Some(cascade(&all, &order)?),
    };
    let checks = session.as_ref().map(|s| s.name.clone());
    if ctx.json {
        let per_30 = |o: &Outcome| {
            o.cost_per_request_usd
                .map(|c| project(c, args.calls_per_day).per_30_days_usd)
        };
        let row = |o: &Outcome| {
            let mut v = serde_json::to_value(o).unwrap_or_default();
            v["per_30_days_usd"] = serde_json::json!(per_30(o));
            v
        };
        print_json(&serde_json::json!({
            "run_id": target.run.id,
            "checks": checks,
            "calls_per_day": args.calls_per_day,
            "variants": table.variants.iter().map(row).collect::<Vec<_>>(),
            "cascade": table.cascade.as_ref().map(row),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} · {} calls/day · {}",
        paint(Tone::Strong, &format!("run #{}", target.run.id)),
        group_thousands(&args.calls_per_day.to_string()),
        match &checks {
            Some(name) => format!("checks of session {}", one_line(name)),
            None => "no --session: an answer passes when its call succeeded".into(),
        }
    );
    print_cascade_table(&table, args.calls_per_day);
    Ok(ExitCode::SUCCESS)
}

/// The strategies as rows: pass rate, cost per request and per passing answer, per 30 days,
/// latency and calls per request.
pub(super) fn print_cascade_table(table: &CascadeTable, calls_per_day: u64) {
    let headers = [
        "strategy",
        "pass rate",
        "per request",
        "per passing answer",
        "per 30 days",
        "latency",
        "calls",
        "from",
    ];
    let rows: Vec<Vec<String>> = table
        .variants
        .iter()
        .map(|o| (o, false))
        .chain(table.cascade.iter().map(|o| (o, true)))
        .map(|(o, is_cascade)| row(o, is_cascade, calls_per_day))
        .collect();
    print_table(&headers, &rows);
    if let Some(c) = &table.cascade {
        let best = table
            .variants
            .iter()
            .filter(|v| v.pass_rate >= c.pass_rate)
            .filter_map(|v| v.cost_per_request_usd)
            .fold(None::<f64>, |m, x| Some(m.map_or(x, |m| m.min(x))));
        if let (Some(best), Some(cost)) = (best, c.cost_per_request_usd) {
            let line = if cost < best {
                format!(
                    "the cascade passes as often as the best single variant for {:.0}% of its cost",
                    cost * 100.0 / best
                )
            } else {
                "a single variant passes as often for less: the cascade does not pay here".into()
            };
            println!("{}", paint(Tone::Muted, &line));
        }
    }
}

fn row(o: &Outcome, is_cascade: bool, calls_per_day: u64) -> Vec<String> {
    let usd = |v: Option<f64>, none: &str| v.map_or_else(|| none.to_string(), format_usd);
    let name = if is_cascade {
        o.steps.join(" → ")
    } else {
        format!("{} alone", o.steps.join(""))
    };
    vec![
        name,
        format!("{:.1}%", o.pass_rate * 100.0),
        usd(o.cost_per_request_usd, "unpriced"),
        usd(
            o.cost_per_passing_usd,
            if o.cost_per_request_usd.is_some() {
                "none passes"
            } else {
                "unpriced"
            },
        ),
        usd(
            o.cost_per_request_usd
                .map(|c| project(c, calls_per_day).per_30_days_usd),
            "unpriced",
        ),
        o.latency_ms.map_or("-".into(), |l| format!("{l:.0} ms")),
        format!("{:.2}", o.calls_per_request),
        format!(
            "{} × {}",
            crate::plural::count(o.cases as u64, "case"),
            crate::plural::count(o.samples as u64, "sample")
        ),
    ]
}
