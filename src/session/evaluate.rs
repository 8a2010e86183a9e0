//! Evaluate a session's checks over stored cells: pure, so CI verdicts are testable on their own.

use super::checks::Checks;
use crate::analysis::cell::percentile;
use crate::analysis::normalize::parse_json;
use crate::analysis::{Mode, Observed, Options, analyze};
use crate::store::{SampleRow, SampleStatus};
use serde::Serialize;

/// One cell's samples with the names a failure is reported under.
#[derive(Debug, Clone, Copy)]
pub struct CellFacts<'a> {
    /// `name@N` of the prompt version.
    pub prompt: &'a str,
    pub variant: &'a str,
    pub case: &'a str,
    pub samples: &'a [SampleRow],
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
const LISTED: usize = 5;

/// Every failed check across `cells`, in cell order then check order.
pub fn evaluate(checks: &Checks, mode: Mode, cells: &[CellFacts<'_>]) -> Vec<Failure> {
    cells
        .iter()
        .flat_map(|c| evaluate_cell(checks, mode, c))
        .collect()
}

fn evaluate_cell(checks: &Checks, mode: Mode, cell: &CellFacts<'_>) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut fail = |check: &str, value: String, bar: String, detail: Option<String>| {
        out.push(Failure {
            prompt: cell.prompt.to_string(),
            variant: cell.variant.to_string(),
            case: cell.case.to_string(),
            check: check.to_string(),
            value,
            bar,
            detail,
        });
    };
    let ok: Vec<(u32, &str)> = cell
        .samples
        .iter()
        .filter(|s| s.sample.status == Some(SampleStatus::Ok))
        .map(|s| (s.sample.idx, s.sample.output.as_deref().unwrap_or("")))
        .collect();
    let n = cell.samples.len();
    let failed = n - ok.len();
    if failed > 0 && (!checks.allow_errors || ok.is_empty()) {
        let first = cell
            .samples
            .iter()
            .find(|s| s.sample.status != Some(SampleStatus::Ok));
        let detail = first.map(|s| {
            let why = s.sample.error.as_deref().unwrap_or("no error text stored");
            format!(
                "sample {}: {}",
                s.sample.idx,
                crate::sanitize::one_line(why)
            )
        });
        fail(
            "errors",
            format!("{failed}/{n} calls failed"),
            "0 failed".into(),
            detail,
        );
    }
    let observed: Vec<Observed<'_>> = ok.iter().map(|&(i, t)| Observed::ok(i, t)).collect();
    let analysis = analyze(&observed, Options::mode(mode));
    if let Some(bar) = checks.min_stability {
        match analysis.stability {
            Some(s) if s + 1e-9 >= bar => {}
            Some(s) => {
                let detail = analysis.divergence.as_ref().map(|d| {
                    format!(
                        "{}/{} samples differ from the modal output; first at char {}: {:?} vs {:?}",
                        d.samples_diverging,
                        analysis.ok,
                        d.char_offset,
                        crate::sanitize::one_line(&d.modal_continuation),
                        crate::sanitize::one_line(&d.other_continuation)
                    )
                });
                fail(
                    "min_stability",
                    format!("{s:.2}"),
                    format!(">= {bar:.2}"),
                    detail,
                );
            }
            None => fail(
                "min_stability",
                "no successful samples".into(),
                format!(">= {bar:.2}"),
                None,
            ),
        }
    }
    if let Some(bar) = checks.max_distinct
        && analysis.distinct > bar
    {
        fail(
            "max_distinct",
            analysis.distinct.to_string(),
            format!("<= {bar}"),
            None,
        );
    }
    if let Some(schema) = &checks.json_schema {
        let mut bad = Vec::new();
        let mut first = None;
        for &(idx, text) in &ok {
            let why = match parse_json(text) {
                None => Some("not JSON".to_string()),
                Some(value) => schema.validator.validate(&value).err().map(|e| {
                    let at = e.instance_path().to_string();
                    let at = if at.is_empty() { "/".to_string() } else { at };
                    format!("at {at}: {e}")
                }),
            };
            if let Some(why) = why {
                first.get_or_insert_with(|| {
                    format!("sample {idx}: {}", crate::sanitize::one_line(&why))
                });
                bad.push(idx);
            }
        }
        if !bad.is_empty() {
            let name = schema
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            fail(
                "json_schema",
                format!("{}/{} invalid", bad.len(), ok.len()),
                format!("all match {name}"),
                first,
            );
        }
    }
    for needle in &checks.must_contain {
        let missing: Vec<u32> = ok
            .iter()
            .filter(|(_, t)| !t.contains(needle.as_str()))
            .map(|(i, _)| *i)
            .collect();
        if !missing.is_empty() {
            fail(
                &format!("must_contain {needle:?}"),
                format!("missing in {}/{}", missing.len(), ok.len()),
                "in every sample".into(),
                Some(samples_list(&missing)),
            );
        }
    }
    for needle in &checks.must_not_contain {
        let found: Vec<u32> = ok
            .iter()
            .filter(|(_, t)| t.contains(needle.as_str()))
            .map(|(i, _)| *i)
            .collect();
        if !found.is_empty() {
            fail(
                &format!("must_not_contain {needle:?}"),
                format!("found in {}/{}", found.len(), ok.len()),
                "in no sample".into(),
                Some(samples_list(&found)),
            );
        }
    }
    for re in &checks.regex {
        let missing: Vec<u32> = ok
            .iter()
            .filter(|(_, t)| !re.is_match(t))
            .map(|(i, _)| *i)
            .collect();
        if !missing.is_empty() {
            fail(
                &format!("regex /{}/", re.as_str()),
                format!("no match in {}/{}", missing.len(), ok.len()),
                "match in every sample".into(),
                Some(samples_list(&missing)),
            );
        }
    }
    if let Some(bar) = checks.max_cost_per_call_usd {
        let worst = cell
            .samples
            .iter()
            .filter_map(|s| s.sample.cost_usd.map(|c| (c, s.sample.idx)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((cost, idx)) = worst
            && cost > bar
        {
            fail(
                "max_cost_per_call_usd",
                format!("${cost:.6}"),
                format!("<= ${bar:.6}"),
                Some(format!("sample {idx}")),
            );
        }
    }
    if let Some(bar) = checks.max_p95_latency_ms {
        let latencies: Vec<f64> = cell
            .samples
            .iter()
            .filter_map(|s| s.sample.latency_ms)
            .collect();
        if let Some(p95) = percentile(&latencies, 0.95)
            && p95 > bar
        {
            fail(
                "max_p95_latency_ms",
                format!("{p95:.0} ms"),
                format!("<= {bar:.0} ms"),
                Some(format!("over {} calls", latencies.len())),
            );
        }
    }
    out
}

fn samples_list(idx: &[u32]) -> String {
    let shown: Vec<String> = idx.iter().take(LISTED).map(u32::to_string).collect();
    let more = if idx.len() > LISTED { ", …" } else { "" };
    format!("samples {}{more}", shown.join(", "))
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
