//! Evaluate a session's checks over cells: pure but for listing the samples a failure names,
//! so CI verdicts are testable on their own. The checks read a cell's [`Evidence`] (each
//! distinct answer once, plus a few figures), built from samples or from a stored cell's
//! aggregates, so a stored run's verdict holds its distinct answers, not its samples.

use super::checks::Checks;
use super::evidence::{Evidence, Held, Members};
use crate::analysis::{Analysis, Mode};
use crate::store::{SampleRow, StoreError};
use serde::Serialize;

/// One cell's samples with the names a failure is reported under.
#[derive(Debug, Clone, Copy)]
pub struct CellFacts<'a> {
    /// `name@N` of the prompt version.
    pub prompt: &'a str,
    pub variant: &'a str,
    pub case: &'a str,
    pub samples: &'a [SampleRow],
    /// The judge's grades of the answered samples (empty without `[check] judge`).
    pub grades: &'a [super::judge::Graded],
}

/// One cell as the checks see it: its names, what was measured of it, and where the members of
/// its answers are listed from.
#[derive(Clone, Copy)]
pub struct CheckedCell<'a> {
    /// `name@N` of the prompt version.
    pub prompt: &'a str,
    pub variant: &'a str,
    pub case: &'a str,
    pub evidence: &'a Evidence,
    pub members: &'a dyn Members,
}

/// A check that did not hold: where, which, the measured value and the bar it missed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub prompt: String,
    pub variant: String,
    pub case: String,
    pub check: String,
    pub value: String,
    pub bar: String,
    /// An example of what failed (sample index, error text…), already one line.
    pub detail: Option<String>,
}

/// Samples listed in a failure before "…".
pub(super) const LISTED: usize = 5;

/// Every failed check across `cells` (their samples held), in cell order then check order.
pub fn evaluate(checks: &Checks, mode: Mode, cells: &[CellFacts<'_>]) -> Vec<Failure> {
    let evidence: Vec<Evidence> = cells
        .iter()
        .map(|c| Evidence::of_samples(c.samples, c.grades))
        .collect();
    let checked: Vec<CheckedCell<'_>> = cells
        .iter()
        .zip(&evidence)
        .map(|(c, evidence)| CheckedCell {
            prompt: c.prompt,
            variant: c.variant,
            case: c.case,
            evidence,
            members: &Held,
        })
        .collect();
    // Held members are in memory: listing them cannot fail.
    evaluate_checked(checks, mode, &checked).unwrap_or_default()
}

/// Every failed check across `cells`, in cell order then check order; fails only when the
/// members a failure lists cannot be read from the store.
pub fn evaluate_checked(
    checks: &Checks,
    mode: Mode,
    cells: &[CheckedCell<'_>],
) -> Result<Vec<Failure>, StoreError> {
    let mut failures = Vec::new();
    for cell in cells {
        failures.extend(evaluate_cell(checks, mode, cell)?);
    }
    let prompts: Vec<&str> = cells.iter().map(|c| c.prompt).collect();
    failures.extend(super::expect::unmatched(&checks.must_equal, &prompts));
    Ok(failures)
}

fn evaluate_cell(
    checks: &Checks,
    mode: Mode,
    cell: &CheckedCell<'_>,
) -> Result<Vec<Failure>, StoreError> {
    use super::answer_checks::{every_answer, json_schema, judged, must_equal};
    let (ev, members) = (cell.evidence, cell.members);
    let analysis = ev.analysis(mode);
    let mut misses = Vec::new();
    misses.extend(errors(checks.allow_errors, ev));
    misses.extend(
        checks
            .min_stability
            .and_then(|bar| stability(bar, &analysis)),
    );
    misses.extend(checks.max_distinct.and_then(|bar| distinct(bar, &analysis)));
    misses.extend(checks.json_schema.as_ref().and_then(|s| json_schema(s, ev)));
    for needle in &checks.must_contain {
        let check = format!("must_contain {needle:?}");
        let has = |t: &str| t.contains(needle.as_str());
        let words = ("missing in", "in every sample");
        misses.extend(every_answer((ev, members), check, words, has)?);
    }
    for needle in &checks.must_not_contain {
        let check = format!("must_not_contain {needle:?}");
        let lacks = |t: &str| !t.contains(needle.as_str());
        let words = ("found in", "in no sample");
        misses.extend(every_answer((ev, members), check, words, lacks)?);
    }
    for re in &checks.regex {
        let check = format!("regex /{}/", re.as_str());
        let matches = |t: &str| re.is_match(t);
        let words = ("no match in", "match in every sample");
        misses.extend(every_answer((ev, members), check, words, matches)?);
    }
    misses.extend(checks.max_cost_per_call_usd.and_then(|bar| cost(bar, ev)));
    misses.extend(checks.max_p95_latency_ms.and_then(|bar| latency(bar, ev)));
    misses.extend(checks.max_p95_ttft_ms.and_then(|bar| ttft(bar, ev)));
    misses.extend(
        checks
            .must_equal
            .iter()
            .filter(|m| m.applies_to(cell.prompt))
            .filter_map(|m| must_equal(m, ev)),
    );
    misses.extend(checks.judge.as_ref().and_then(|j| judged(j, ev)));
    Ok(misses.into_iter().map(|m| m.at(cell)).collect())
}

/// A check that missed in one cell, before it is tagged with the cell's names.
pub(super) struct Miss {
    pub(super) check: String,
    pub(super) value: String,
    pub(super) bar: String,
    pub(super) detail: Option<String>,
}

impl Miss {
    fn at(self, cell: &CheckedCell<'_>) -> Failure {
        Failure {
            prompt: cell.prompt.to_string(),
            variant: cell.variant.to_string(),
            case: cell.case.to_string(),
            check: self.check,
            value: self.value,
            bar: self.bar,
            detail: self.detail,
        }
    }
}

/// Failed calls fail the cell unless `allow_errors`, and always when none succeeded.
fn errors(allow_errors: bool, ev: &Evidence) -> Option<Miss> {
    let failed = ev.unanswered();
    if failed == 0 || (allow_errors && ev.answered > 0) {
        return None;
    }
    let detail = ev.first_unanswered.as_ref().map(|(idx, error)| {
        let why = error.as_deref().unwrap_or("no error text stored");
        format!("sample {idx}: {}", crate::sanitize::one_line(why))
    });
    Some(Miss {
        check: "errors".into(),
        value: format!("{failed}/{} calls failed", ev.samples),
        bar: "0 failed".into(),
        detail,
    })
}

/// `min_stability`: the modal cluster's share, with where the first other sample diverges.
fn stability(bar: f64, analysis: &Analysis) -> Option<Miss> {
    let (value, detail) = match analysis.stability {
        Some(s) if s + 1e-9 >= bar => return None,
        Some(s) => {
            let detail = analysis.divergence.as_ref().map(|d| {
                format!(
                    "{}/{} differ from the modal output; first at char {}: {:?} vs {:?}",
                    d.samples_diverging,
                    crate::plural::count(analysis.ok as u64, "sample"),
                    d.char_offset,
                    crate::sanitize::one_line(&d.modal_continuation),
                    crate::sanitize::one_line(&d.other_continuation)
                )
            });
            (format!("{s:.2}"), detail)
        }
        None => ("no successful samples".into(), None),
    };
    Some(Miss {
        check: "min_stability".into(),
        value,
        bar: format!(">= {bar:.2}"),
        detail,
    })
}

/// `max_distinct`: how many different outputs the successful samples gave.
fn distinct(bar: usize, analysis: &Analysis) -> Option<Miss> {
    (analysis.distinct > bar).then(|| Miss {
        check: "max_distinct".into(),
        value: analysis.distinct.to_string(),
        bar: format!("<= {bar}"),
        detail: None,
    })
}

/// `max_cost_per_call_usd`: the dearest call, failed ones included.
fn cost(bar: f64, ev: &Evidence) -> Option<Miss> {
    let (cost, idx) = ev.priced.dearest?;
    (cost > bar).then(|| Miss {
        check: "max_cost_per_call_usd".into(),
        value: format!("${cost:.6}"),
        bar: format!("<= ${bar:.6}"),
        detail: Some(format!("sample {idx}")),
    })
}

/// `max_p95_latency_ms`: the 95th percentile of the calls' latencies.
fn latency(bar: f64, ev: &Evidence) -> Option<Miss> {
    let p95 = ev.latency_p95?;
    (p95.value > bar).then(|| Miss {
        check: "max_p95_latency_ms".into(),
        value: format!("{:.0} ms", p95.value),
        bar: format!("<= {bar:.0} ms"),
        detail: Some(format!(
            "over {}",
            crate::plural::count(p95.over as u64, "call")
        )),
    })
}

/// `max_p95_ttft_ms`: the 95th percentile of the time to first token of streamed answers; a
/// cell with no streamed answer cannot hold it.
fn ttft(bar: f64, ev: &Evidence) -> Option<Miss> {
    let Some(p95) = ev.ttft_p95 else {
        return Some(Miss {
            check: "max_p95_ttft_ms".into(),
            value: "no streamed answer".into(),
            bar: format!("<= {bar:.0} ms"),
            detail: Some("set stream = true on the variant to measure time to first token".into()),
        });
    };
    (p95.value > bar).then(|| Miss {
        check: "max_p95_ttft_ms".into(),
        value: format!("{:.0} ms", p95.value),
        bar: format!("<= {bar:.0} ms"),
        detail: Some(format!("over {} streamed calls", p95.over)),
    })
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} × {} [{}]  {}: {} (bar {})",
            crate::sanitize::one_line(&self.variant),
            crate::sanitize::one_line(&self.case),
            crate::sanitize::one_line(&self.prompt),
            self.check,
            self.value,
            self.bar
        )
    }
}
