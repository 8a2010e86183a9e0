//! `temper check --baseline REF`: "no worse than what is shipped". The session's prompts at
//! `REF` (a label such as `prod`, or a version number) are run on the same variants and cases (or
//! a stored run of exactly that is reused), and the candidate fails on regressions against it:
//! a check that held on the baseline fails for a case, a case's stability drops by more than
//! `[check] max_stability_drop`, or the cost per call rises by more than `max_cost_increase_pct`.

use super::checks::Checks;
use super::resolve::Resolved;
use super::stored::RunVerdict;
use crate::analysis::Mode;
use crate::runner::{Case, Plan};
use crate::store::{Reference, Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The session's prompts at `reference`: `prod` (a label) or `3` / `@3` (a version), keeping
/// the prompt names the session runs. An unknown label fails with the labels that do exist.
pub fn versions(
    store: &Store,
    resolved: &Resolved,
    reference: &str,
) -> Result<Resolved, StoreError> {
    let reference = reference.trim();
    let number = reference.trim_start_matches('@').parse::<u32>().ok();
    let versions = resolved
        .versions
        .iter()
        .map(|(_, v)| {
            let name = v.info.prompt.clone();
            let r = match number {
                Some(n) => Reference::Number(name, n),
                None => Reference::Label(name, reference.to_string()),
            };
            let shown = r.to_string();
            store.resolve(&r).map(|v| (shown, v))
        })
        .collect::<Result<_, _>>()?;
    Ok(Resolved { versions })
}

/// The newest stored run holding every cell `plan` would run (same prompt version, variant and
/// case, both as JSON, and the same number of samples), each with all its samples answered or
/// failed (none skipped by a budget stop).
pub fn compatible_run(store: &Store, plan: &Plan) -> Result<Option<i64>, StoreError> {
    let default_case = [Case {
        name: "default".into(),
        vars: BTreeMap::new(),
    }];
    let cases = if plan.cases.is_empty() {
        &default_case[..]
    } else {
        &plan.cases[..]
    };
    let mut wanted: HashSet<(i64, String, String)> = HashSet::new();
    for version in &plan.prompts {
        for variant in &plan.variants {
            for case in cases {
                wanted.insert((version.info.id, json(variant), json(case)));
            }
        }
    }
    let mut by_run: BTreeMap<i64, Vec<crate::store::CellInfo>> = BTreeMap::new();
    for version in &plan.prompts {
        for cell in store.cells_for_version(version.info.id)? {
            let key = (
                cell.cell.prompt_version_id,
                cell.cell.variant_json.clone(),
                cell.cell.case_json.clone(),
            );
            if cell.cell.n == plan.samples && wanted.contains(&key) {
                by_run.entry(cell.run_id).or_default().push(cell);
            }
        }
    }
    'runs: for (run_id, cells) in by_run.into_iter().rev() {
        let covered: HashSet<(i64, &str, &str)> = cells
            .iter()
            .map(|c| {
                let c = &c.cell;
                (
                    c.prompt_version_id,
                    c.variant_json.as_str(),
                    c.case_json.as_str(),
                )
            })
            .collect();
        if covered.len() < wanted.len() {
            continue;
        }
        for cell in &cells {
            // Counted by the store: no sample is read.
            let complete = store.cell_sample_count(cell.id)? == plan.samples as u64
                && store.sample_totals(&[cell.id])?.skipped == 0;
            if !complete {
                continue 'runs;
            }
        }
        return Ok(Some(run_id));
    }
    Ok(None)
}

/// JSON as the runner stores it on a cell (`variant_json`, `case_json`), for comparing settings.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Stability and cost of one cell, the measures regressions compare.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CellStats {
    /// Largest group of equal answers / answered samples; `None` without an answer.
    pub stability: Option<f64>,
    /// Summed cost of the calls that have one, and how many they are.
    pub cost_usd: f64,
    pub priced_calls: usize,
}

impl CellStats {
    /// The stats of one cell from what its checks measured, outputs compared under `mode`.
    pub fn of(ev: &super::evidence::Evidence, mode: Mode) -> CellStats {
        CellStats {
            stability: ev.analysis(mode).stability,
            cost_usd: ev.priced.total_usd,
            priced_calls: usize::try_from(ev.priced.calls).unwrap_or(usize::MAX),
        }
    }
}

/// One way the candidate is worse than the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regression {
    /// The case, or `-` for a variant-wide measure (cost per call).
    pub case: String,
    pub variant: String,
    /// The check that regressed, `stability` or `cost_per_call`.
    pub check: String,
    /// `prod@1` (label and version) or `name@N`: what the baseline ran.
    pub baseline: String,
    /// `name@N` of the candidate.
    pub candidate: String,
    /// The regression in words, one line.
    pub message: String,
}

/// A case whose verdict changed between the baseline and the candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip {
    pub case: String,
    pub variant: String,
    /// Whether every check held on the baseline, and on the candidate.
    pub baseline_passed: bool,
    pub candidate_passed: bool,
}

/// The candidate against the baseline: regressions fail the gate; flips are listed either way.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Comparison {
    pub regressions: Vec<Regression>,
    pub flips: Vec<Flip>,
}

/// The prompt name of a `name@N` label.
fn prompt_name(label: &str) -> &str {
    label.rsplit_once('@').map_or(label, |(name, _)| name)
}

/// Compare `candidate` with `baseline` per (prompt name, variant, case). `shown` turns a
/// baseline `name@N` into how the user named it (`prod@1` for `--baseline prod`).
pub fn compare(
    checks: &Checks,
    baseline: &RunVerdict,
    candidate: &RunVerdict,
    shown: &dyn Fn(&str) -> String,
) -> Comparison {
    let max_drop = checks.max_stability_drop.unwrap_or(0.0);
    let key = |prompt: &str, variant: &str, case: &str| {
        (
            prompt_name(prompt).to_string(),
            variant.to_string(),
            case.to_string(),
        )
    };
    let base: HashMap<_, _> = baseline
        .cases
        .iter()
        .zip(&baseline.stats)
        .map(|(c, s)| (key(&c.prompt, &c.variant, &c.case), (c, s)))
        .collect();
    let mut out = Comparison::default();
    for (cand, stats) in candidate.cases.iter().zip(&candidate.stats) {
        let Some((old, old_stats)) = base.get(&key(&cand.prompt, &cand.variant, &cand.case)) else {
            continue;
        };
        let regression = |check: &str, message: String| Regression {
            case: cand.case.clone(),
            variant: cand.variant.clone(),
            check: check.to_string(),
            baseline: shown(&old.prompt),
            candidate: cand.prompt.clone(),
            message,
        };
        for check in cand.checks.iter().filter(|k| !k.passed) {
            if old
                .checks
                .iter()
                .any(|k| k.check == check.check && k.passed)
            {
                out.regressions.push(regression(
                    &check.check,
                    format!(
                        "{} {} passed on {}, fails on {}",
                        cand.case,
                        check.check,
                        shown(&old.prompt),
                        cand.prompt
                    ),
                ));
            }
        }
        if let (Some(was), Some(now)) = (old_stats.stability, stats.stability)
            && now + max_drop + 1e-9 < was
        {
            out.regressions.push(regression(
                "stability",
                format!(
                    "{} stability {now:.2} on {}, was {was:.2} on {} (max drop {max_drop:.2})",
                    cand.case,
                    cand.prompt,
                    shown(&old.prompt)
                ),
            ));
        }
        if old.passed != cand.passed {
            out.flips.push(Flip {
                case: cand.case.clone(),
                variant: cand.variant.clone(),
                baseline_passed: old.passed,
                candidate_passed: cand.passed,
            });
        }
    }
    if let Some(max_pct) = checks.max_cost_increase_pct {
        out.regressions
            .extend(cost_regressions(baseline, candidate, max_pct, shown));
    }
    out
}

/// Per (prompt, variant): the mean cost per priced call, summed over its cells.
fn cost_per_call(verdict: &RunVerdict) -> BTreeMap<(String, String), (String, f64)> {
    let mut sums: BTreeMap<(String, String), (String, f64, usize)> = BTreeMap::new();
    for (c, s) in verdict.cases.iter().zip(&verdict.stats) {
        let entry = sums
            .entry((prompt_name(&c.prompt).to_string(), c.variant.clone()))
            .or_insert_with(|| (c.prompt.clone(), 0.0, 0));
        entry.1 += s.cost_usd;
        entry.2 += s.priced_calls;
    }
    sums.into_iter()
        .filter(|(_, (_, _, n))| *n > 0)
        .map(|(k, (label, sum, n))| (k, (label, sum / n as f64)))
        .collect()
}

fn cost_regressions(
    baseline: &RunVerdict,
    candidate: &RunVerdict,
    max_pct: f64,
    shown: &dyn Fn(&str) -> String,
) -> Vec<Regression> {
    let old = cost_per_call(baseline);
    cost_per_call(candidate)
        .into_iter()
        .filter_map(|(key, (label, now))| {
            let (old_label, was) = old.get(&key)?;
            let pct = if *was > 0.0 {
                (now - was) / was * 100.0
            } else if now > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            (pct > max_pct + 1e-9).then(|| Regression {
                case: "-".into(),
                variant: key.1.clone(),
                check: "cost_per_call".into(),
                baseline: shown(old_label),
                candidate: label.clone(),
                message: format!(
                    "{} cost per call ${now:.6} on {label}, was ${was:.6} on {} (+{pct:.1}%, max +{max_pct}%)",
                    key.1,
                    shown(old_label)
                ),
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
