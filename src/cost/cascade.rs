//! Cost per outcome rather than per request: what each variant of a run costs per *passing*
//! answer, and a cascade simulated over the stored samples ("call the cheap variant; only when
//! its answer fails the checks call the next one"). Used by `temper cost --cascade`, `temper
//! report --session` and the TUI Cost view (docs/cost.md).
//!
//! A cascade is simulated per case from that case's stored answers: with pass shares `p1, p2…`,
//! mean costs `c1, c2…` and mean latencies `l1, l2…`, a request costs `c1 + (1-p1)·c2 + …`, waits
//! `l1 + (1-p1)·l2 + …` and passes with probability `1 - (1-p1)(1-p2)…`; the figures are the mean
//! over the cases every step ran. Checks are judged by the caller (`passes`), so this module
//! does not depend on sessions.

use crate::store::{CellInfo, SampleRow, SampleStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use thiserror::Error;

/// One stored answer as the cascade sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attempt {
    /// The call answered and the answer passed every per-sample check.
    pub passed: bool,
    pub cost_usd: Option<f64>,
    pub latency_ms: Option<f64>,
}

/// A variant's stored answers, per case (`prompt@n × case`).
#[derive(Debug, Clone, PartialEq)]
pub struct VariantAttempts {
    pub variant: String,
    pub cases: BTreeMap<String, Vec<Attempt>>,
}

/// The figures of one strategy: a variant alone, or a cascade of variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The variants called in order (one for a variant alone).
    pub steps: Vec<String>,
    pub cases: usize,
    /// Stored samples the figures come from.
    pub samples: usize,
    /// Share of requests whose final answer passes, 0..=1.
    pub pass_rate: f64,
    /// Expected cost of one request (all the calls it makes); `None` when a step is unpriced.
    pub cost_per_request_usd: Option<f64>,
    /// Cost per passing answer: cost per request / pass rate (`None` when nothing passes).
    pub cost_per_passing_usd: Option<f64>,
    /// Expected latency of one request, the calls one after the other.
    pub latency_ms: Option<f64>,
    /// Expected calls per request (1 for a variant alone).
    pub calls_per_request: f64,
}

/// Why a cascade cannot be simulated.
#[derive(Debug, Error, PartialEq)]
pub enum CascadeError {
    #[error(
        "a cascade needs at least two variants, got {0}: write them as \"A,B\" (cheapest first)"
    )]
    TooShort(usize),
    #[error("{name:?} is not a variant of this run; its variants are: {known}")]
    Unknown { name: String, known: String },
    #[error("the variants {0} share no case with answers: run them on the same cases first")]
    NoSharedCase(String),
}

/// The answers of a run's cells per variant (in order of first appearance); `passes` judges an
/// answered output. Cells of different prompt versions are different cases.
pub fn attempts(
    cells: &[(CellInfo, Vec<SampleRow>)],
    passes: &dyn Fn(&str) -> bool,
) -> Vec<VariantAttempts> {
    let mut out: Vec<VariantAttempts> = Vec::new();
    for (cell, samples) in cells {
        add_attempts(&mut out, cell, samples, passes);
    }
    out
}

/// Add some samples of `cell` (all of them, or one page) to `out`, as [`attempts`] does.
fn add_attempts(
    out: &mut Vec<VariantAttempts>,
    cell: &CellInfo,
    samples: &[SampleRow],
    passes: &dyn Fn(&str) -> bool,
) {
    let name = &cell.cell.variant_name;
    let at = match out.iter().position(|v| &v.variant == name) {
        Some(i) => i,
        None => {
            out.push(VariantAttempts {
                variant: name.clone(),
                cases: BTreeMap::new(),
            });
            out.len() - 1
        }
    };
    let case = format!(
        "{}@{} × {}",
        cell.prompt, cell.prompt_number, cell.cell.case_name
    );
    let list = out[at].cases.entry(case).or_default();
    list.extend(samples.iter().filter_map(|s| attempt(s, passes)));
}

/// The attempts of `cells`, their samples read a page at a time: memory follows the attempts
/// (a few bytes per sample), never the samples' texts.
fn stored_attempts<'a>(
    store: &crate::store::Store,
    cells: impl IntoIterator<Item = &'a CellInfo>,
    passes: &dyn Fn(&str) -> bool,
) -> Result<Vec<VariantAttempts>, crate::store::StoreError> {
    const PAGE: u32 = 2000;
    let mut out = Vec::new();
    for cell in cells {
        let mut after = None;
        loop {
            let page = store.sample_page(cell.id, after, PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.sample.idx);
            add_attempts(&mut out, cell, &page, passes);
        }
    }
    Ok(out)
}

/// A sample as an attempt; skipped samples (never sent) are not attempts.
fn attempt(s: &SampleRow, passes: &dyn Fn(&str) -> bool) -> Option<Attempt> {
    let status = s.sample.status?;
    if status == SampleStatus::Skipped {
        return None;
    }
    let answered = status == SampleStatus::Ok;
    Some(Attempt {
        passed: answered && passes(s.sample.output.as_deref().unwrap_or("")),
        cost_usd: s.sample.cost_usd.filter(|c| c.is_finite()),
        latency_ms: s.sample.latency_ms.filter(|l| l.is_finite()),
    })
}

/// One variant alone over all its stored answers: total cost / answers that pass.
pub fn alone(v: &VariantAttempts) -> Outcome {
    let all: Vec<&Attempt> = v.cases.values().flatten().collect();
    let passed = all.iter().filter(|a| a.passed).count();
    let samples = all.len();
    let pass_rate = passed as f64 / samples.max(1) as f64;
    let costs: Option<Vec<f64>> = all.iter().map(|a| a.cost_usd).collect();
    let total = costs
        .filter(|c| !c.is_empty())
        .map(|c| c.iter().sum::<f64>());
    let latency = mean(all.iter().filter_map(|a| a.latency_ms));
    Outcome {
        steps: vec![v.variant.clone()],
        cases: v.cases.len(),
        samples,
        pass_rate,
        cost_per_request_usd: total.map(|t| t / samples.max(1) as f64),
        cost_per_passing_usd: total.filter(|_| passed > 0).map(|t| t / passed as f64),
        latency_ms: latency,
        calls_per_request: 1.0,
    }
}

/// The cascade of the variants named in `order` (cheapest first) over the cases all of them ran.
pub fn cascade(all: &[VariantAttempts], order: &[&str]) -> Result<Outcome, CascadeError> {
    if order.len() < 2 {
        return Err(CascadeError::TooShort(order.len()));
    }
    let steps: Vec<&VariantAttempts> = order
        .iter()
        .map(|name| {
            all.iter()
                .find(|v| v.variant == *name)
                .ok_or_else(|| CascadeError::Unknown {
                    name: (*name).to_string(),
                    known: all
                        .iter()
                        .map(|v| v.variant.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect::<Result<_, _>>()?;
    let shared: Vec<&String> = steps[0]
        .cases
        .keys()
        .filter(|case| {
            steps
                .iter()
                .all(|s| s.cases.get(*case).is_some_and(|a| !a.is_empty()))
        })
        .collect();
    if shared.is_empty() {
        return Err(CascadeError::NoSharedCase(order.join(", ")));
    }
    let per_case: Vec<CaseFigures> = shared
        .iter()
        .map(|case| case_figures(steps.iter().filter_map(|s| s.cases.get(*case))))
        .collect();
    let n = per_case.len() as f64;
    let pass_rate = per_case.iter().map(|c| c.pass).sum::<f64>() / n;
    let cost: Option<f64> = per_case
        .iter()
        .map(|c| c.cost)
        .sum::<Option<f64>>()
        .map(|t| t / n);
    let latency = per_case
        .iter()
        .map(|c| c.latency)
        .sum::<Option<f64>>()
        .map(|t| t / n);
    Ok(Outcome {
        steps: order.iter().map(|s| s.to_string()).collect(),
        cases: per_case.len(),
        samples: per_case.iter().map(|c| c.samples).sum(),
        pass_rate,
        cost_per_request_usd: cost,
        cost_per_passing_usd: cost.filter(|_| pass_rate > 0.0).map(|c| c / pass_rate),
        latency_ms: latency,
        calls_per_request: per_case.iter().map(|c| c.calls).sum::<f64>() / n,
    })
}

/// Expected figures of one case's request through the steps.
struct CaseFigures {
    pass: f64,
    cost: Option<f64>,
    latency: Option<f64>,
    calls: f64,
    samples: usize,
}

fn case_figures<'a>(steps: impl Iterator<Item = &'a Vec<Attempt>>) -> CaseFigures {
    let mut reach = 1.0;
    let mut f = CaseFigures {
        pass: 0.0,
        cost: Some(0.0),
        latency: Some(0.0),
        calls: 0.0,
        samples: 0,
    };
    for answers in steps {
        let n = answers.len().max(1) as f64;
        let p = answers.iter().filter(|a| a.passed).count() as f64 / n;
        let cost: Option<f64> = answers.iter().map(|a| a.cost_usd).sum::<Option<f64>>();
        let latency = mean(answers.iter().filter_map(|a| a.latency_ms));
        f.cost = f.cost.zip(cost).map(|(t, c)| t + reach * c / n);
        f.latency = f.latency.zip(latency).map(|(t, l)| t + reach * l);
        f.calls += reach;
        f.samples += answers.len();
        reach *= 1.0 - p;
    }
    f.pass = 1.0 - reach;
    f
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Each variant alone and the cascade of `order` (when given), as `temper cost --cascade` and
/// the TUI Cost view show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CascadeTable {
    pub variants: Vec<Outcome>,
    pub cascade: Option<Outcome>,
}

/// The cheapest-first cascade of every priced variant (the TUI's default); the cascade is left
/// out when fewer than two variants are priced or they share no case.
pub fn cheapest_first(all: &[VariantAttempts]) -> CascadeTable {
    let variants: Vec<Outcome> = all.iter().map(alone).collect();
    let mut priced: Vec<&Outcome> = variants
        .iter()
        .filter(|o| o.cost_per_request_usd.is_some())
        .collect();
    priced.sort_by(|a, b| {
        a.cost_per_request_usd
            .partial_cmp(&b.cost_per_request_usd)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let order: Vec<&str> = priced.iter().map(|o| o.steps[0].as_str()).collect();
    let cascade = cascade(all, &order).ok();
    CascadeTable { variants, cascade }
}

/// The answers of every cell of run `run_id`, per variant (see [`attempts`]).
pub fn load_run(
    store: &crate::store::Store,
    run_id: i64,
    passes: &dyn Fn(&str) -> bool,
) -> Result<Vec<VariantAttempts>, crate::store::StoreError> {
    stored_attempts(store, &store.cells(run_id)?, passes)
}

/// The latest run of a prompt version as the TUI Cost view shows it: each variant alone and
/// the cheapest-first cascade, an answer passing when its call succeeded; `None` when never run.
pub fn version_table(
    store: &crate::store::Store,
    version_id: i64,
) -> Result<Option<CascadeTable>, crate::store::StoreError> {
    let Some(run_id) = store.latest_run_for_version(version_id)? else {
        return Ok(None);
    };
    let cells = store.cells(run_id)?;
    let mine = cells
        .iter()
        .filter(|c| c.cell.prompt_version_id == version_id);
    Ok(Some(cheapest_first(&stored_attempts(
        store,
        mine,
        &|_| true,
    )?)))
}

#[cfg(test)]
#[path = "cascade_tests.rs"]
mod tests;
