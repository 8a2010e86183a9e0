//! Evaluate a session's checks over stored cells: pure, so CI verdicts are testable on their own.

use super::checks::{Checks, JsonSchema};
use crate::analysis::cell::percentile;
use crate::analysis::normalize::parse_json;
use crate::analysis::{Analysis, Mode, Observed, Options, analyze};
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
    /// The judge's grades of the answered samples (empty without `[check] judge`).
    pub grades: &'a [super::judge::Graded],
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
    let mut failures: Vec<Failure> = cells
        .iter()
        .flat_map(|c| evaluate_cell(checks, mode, c))
        .collect();
    failures.extend(super::expect::unmatched(&checks.must_equal, cells));
    failures
}

fn evaluate_cell(checks: &Checks, mode: Mode, cell: &CellFacts<'_>) -> Vec<Failure> {
    let ok: Vec<(u32, &str)> = cell
        .samples
        .iter()
        .filter(|s| s.sample.status == Some(SampleStatus::Ok))
        .map(|s| (s.sample.idx, s.sample.output.as_deref().unwrap_or("")))
        .collect();
    let observed: Vec<Observed<'_>> = ok.iter().map(|&(i, t)| Observed::ok(i, t)).collect();
    let analysis = analyze(&observed, Options::mode(mode));
    let mut misses = Vec::new();
    misses.extend(errors(checks.allow_errors, cell.samples, ok.len()));
    misses.extend(
        checks
            .min_stability
            .and_then(|bar| stability(bar, &analysis)),
    );
    misses.extend(checks.max_distinct.and_then(|bar| distinct(bar, &analysis)));
    misses.extend(
        checks
            .json_schema
            .as_ref()
            .and_then(|s| json_schema(s, &ok)),
    );
    misses.extend(checks.must_contain.iter().filter_map(|needle| {
        let check = format!("must_contain {needle:?}");
        let has = |t: &str| t.contains(needle.as_str());
        every_sample(&ok, check, ("missing in", "in every sample"), has)
    }));
    misses.extend(checks.must_not_contain.iter().filter_map(|needle| {
        let check = format!("must_not_contain {needle:?}");
        let lacks = |t: &str| !t.contains(needle.as_str());
        every_sample(&ok, check, ("found in", "in no sample"), lacks)
    }));
    misses.extend(checks.regex.iter().filter_map(|re| {
        let check = format!("regex /{}/", re.as_str());
        let matches = |t: &str| re.is_match(t);
        every_sample(
            &ok,
            check,
            ("no match in", "match in every sample"),
            matches,
        )
    }));
    misses.extend(
        checks
            .max_cost_per_call_usd
            .and_then(|bar| cost(bar, cell.samples)),
    );
    misses.extend(
        checks
            .max_p95_latency_ms
            .and_then(|bar| latency(bar, cell.samples)),
    );
    misses.extend(
        checks
            .max_p95_ttft_ms
            .and_then(|bar| ttft(bar, cell.samples)),
    );
    misses.extend(
        checks
            .must_equal
            .iter()
            .filter(|m| m.applies_to(cell.prompt))
            .filter_map(|m| must_equal(m, &ok)),
    );
    misses.extend(
        checks
            .judge
            .as_ref()
            .and_then(|j| judged(j, &ok, cell.grades)),
    );
    misses.into_iter().map(|m| m.at(cell)).collect()
}

/// `judge`: every answered sample scores at least `pass_score`; an unreadable grade, a failed
/// judge call or a sample not graded yet fails too, with the judge's words (sanitised).
fn judged(
    judge: &super::judge::Judge,
    ok: &[(u32, &str)],
    grades: &[super::judge::Graded],
) -> Option<Miss> {
    use super::expect::clipped;
    use super::judge::Grade;
    let mut missed = Vec::new();
    let mut first = None;
    for &(idx, _) in ok {
        let why = match grades.iter().find(|g| g.sample == idx).map(|g| &g.grade) {
            Some(Grade::Score { score, .. }) if *score + 1e-9 >= judge.pass_score => continue,
            Some(Grade::Score { score, reason }) => match reason {
                Some(r) => format!("score {score:.2}: {}", clipped(r, 100)),
                None => format!("score {score:.2}"),
            },
            Some(Grade::Unreadable { text }) => {
                format!("no score in the judge's answer: {:?}", clipped(text, 120))
            }
            Some(Grade::CallFailed { error }) => {
                format!("the judge's call failed: {}", clipped(error, 120))
            }
            None => "not graded yet (`temper check --run RUN` grades a stored run)".into(),
        };
        first.get_or_insert_with(|| format!("sample {idx}: {why}"));
        missed.push(idx);
    }
    (!missed.is_empty()).then(|| Miss {
        check: "judge".into(),
        value: format!("failed {}/{}", missed.len(), ok.len()),
        bar: format!(
            "score >= {:.2} from {}",
            judge.pass_score,
            crate::sanitize::one_line(&judge.model)
        ),
        detail: first,
    })
}

/// `must_equal`: every successful sample gives the expected answer (or one similar enough).
fn must_equal(expected: &super::expect::MustEqual, ok: &[(u32, &str)]) -> Option<Miss> {
    let missed = expected.mismatches(ok);
    let first = missed.first()?;
    let bar = if expected.min_similarity >= 1.0 {
        format!(
            "equal to {:?}",
            super::expect::clipped(&expected.output, 60)
        )
    } else {
        format!("similarity >= {:.2}", expected.min_similarity)
    };
    let text = ok
        .iter()
        .find(|(i, _)| *i == first.sample)
        .map_or("", |s| s.1);
    Some(Miss {
        check: expected.name(),
        value: format!("differs in {}/{}", missed.len(), ok.len()),
        bar,
        detail: Some(format!(
            "sample {} (similarity {:.2}): {:?}",
            first.sample,
            first.similarity,
            super::expect::clipped(text, 80)
        )),
    })
}

/// A check that missed in one cell, before it is tagged with the cell's names.
struct Miss {
    check: String,
    value: String,
    bar: String,
    detail: Option<String>,
}

impl Miss {
    fn at(self, cell: &CellFacts<'_>) -> Failure {
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
fn errors(allow_errors: bool, samples: &[SampleRow], ok: usize) -> Option<Miss> {
    let n = samples.len();
    let failed = n - ok;
    if failed == 0 || (allow_errors && ok > 0) {
        return None;
    }
    let first = samples
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
    Some(Miss {
        check: "errors".into(),
        value: format!("{failed}/{n} calls failed"),
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

/// `json_schema`: every successful output parses as JSON valid against the schema.
fn json_schema(schema: &JsonSchema, ok: &[(u32, &str)]) -> Option<Miss> {
    let mut bad = Vec::new();
    let mut first = None;
    for &(idx, text) in ok {
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
    if bad.is_empty() {
        return None;
    }
    let name = schema
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(Miss {
        check: "json_schema".into(),
        value: format!("{}/{} invalid", bad.len(), ok.len()),
        bar: format!("all match {name}"),
        detail: first,
    })
}

/// A text check every successful output must `pass` (`must_contain`, `must_not_contain`,
/// `regex`); `words` are the value's lead (`missing in`) and the bar, listing the samples missed.
fn every_sample(
    ok: &[(u32, &str)],
    check: String,
    words: (&str, &str),
    pass: impl Fn(&str) -> bool,
) -> Option<Miss> {
    let missed: Vec<u32> = ok
        .iter()
        .filter(|(_, t)| !pass(t))
        .map(|(i, _)| *i)
        .collect();
    (!missed.is_empty()).then(|| Miss {
        check,
        value: format!("{} {}/{}", words.0, missed.len(), ok.len()),
        bar: words.1.into(),
        detail: Some(samples_list(&missed)),
    })
}

/// `max_cost_per_call_usd`: the dearest call, failed ones included.
fn cost(bar: f64, samples: &[SampleRow]) -> Option<Miss> {
    let (cost, idx) = samples
        .iter()
        .filter_map(|s| s.sample.cost_usd.map(|c| (c, s.sample.idx)))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (cost > bar).then(|| Miss {
        check: "max_cost_per_call_usd".into(),
        value: format!("${cost:.6}"),
        bar: format!("<= ${bar:.6}"),
        detail: Some(format!("sample {idx}")),
    })
}

/// `max_p95_latency_ms`: the 95th percentile of the calls' latencies.
fn latency(bar: f64, samples: &[SampleRow]) -> Option<Miss> {
    let latencies: Vec<f64> = samples.iter().filter_map(|s| s.sample.latency_ms).collect();
    let p95 = percentile(&latencies, 0.95)?;
    (p95 > bar).then(|| Miss {
        check: "max_p95_latency_ms".into(),
        value: format!("{p95:.0} ms"),
        bar: format!("<= {bar:.0} ms"),
        detail: Some(format!(
            "over {}",
            crate::plural::count(latencies.len() as u64, "call")
        )),
    })
}

/// `max_p95_ttft_ms`: the 95th percentile of the time to first token of streamed answers; a
/// cell with no streamed answer cannot hold it.
fn ttft(bar: f64, samples: &[SampleRow]) -> Option<Miss> {
    let ttfts: Vec<f64> = samples.iter().filter_map(|s| s.sample.ttft_ms).collect();
    let Some(p95) = percentile(&ttfts, 0.95) else {
        return Some(Miss {
            check: "max_p95_ttft_ms".into(),
            value: "no streamed answer".into(),
            bar: format!("<= {bar:.0} ms"),
            detail: Some("set stream = true on the variant to measure time to first token".into()),
        });
    };
    (p95 > bar).then(|| Miss {
        check: "max_p95_ttft_ms".into(),
        value: format!("{p95:.0} ms"),
        bar: format!("<= {bar:.0} ms"),
        detail: Some(format!("over {} streamed calls", ttfts.len())),
    })
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
