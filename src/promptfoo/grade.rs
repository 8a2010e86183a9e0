//! Grading one sample against a test's assertions, promptfoo's way: every assertion must pass,
//! or, when the test sets `threshold`, the weighted score must reach it. Unsupported types are
//! left out of the grade and reported as skipped by the caller.

use super::assert::{Assertion, Kind};
use crate::session::judge::{DEFAULT_PASS_SCORE, Grade};
use serde_json::Value;

/// What a sample gave, as the grader needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SampleFacts<'a> {
    /// The call succeeded.
    pub ok: bool,
    pub output: &'a str,
    pub error: Option<&'a str>,
    pub cost_usd: Option<f64>,
    pub latency_ms: Option<f64>,
    pub finish_reason: Option<&'a str>,
    /// `[{id, name, arguments}]` as stored.
    pub tool_calls_json: Option<&'a str>,
    /// The judge's grade of this sample per `llm-rubric` rubric (none yet: not graded).
    pub rubric_grades: &'a [(&'a str, &'a Grade)],
}

/// The verdict on one sample: pass, and why each failed assertion failed.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleVerdict {
    pub passed: bool,
    /// (assertion name, reason) of every assertion that failed.
    pub failed: Vec<(String, String)>,
}

/// Whether an assertion is graded (temper runs it) or skipped.
pub fn is_graded(a: &Assertion) -> bool {
    !matches!(a.kind, Kind::Unsupported(_))
}

/// Grade `facts` against the graded `asserts`; `threshold` is the test's weighted-score bar.
/// A failed call fails the sample whatever the assertions.
pub fn grade_test(
    asserts: &[Assertion],
    threshold: Option<f64>,
    tools: &[Value],
    facts: &SampleFacts<'_>,
) -> SampleVerdict {
    if !facts.ok {
        let why = crate::sanitize::one_line(facts.error.unwrap_or("the call failed"));
        return SampleVerdict {
            passed: false,
            failed: vec![("call".into(), why)],
        };
    }
    let mut failed = Vec::new();
    let (mut score, mut weights) = (0.0, 0.0);
    for a in asserts.iter().filter(|a| is_graded(a)) {
        let (held, why) = check(&a.kind, tools, facts);
        let pass = held != a.negate;
        weights += a.weight;
        if pass {
            score += a.weight;
        } else {
            let why = if a.negate {
                format!("not expected, but {why}")
            } else {
                why
            };
            failed.push((a.name.clone(), why));
        }
    }
    let passed = match threshold {
        Some(bar) if weights > 0.0 => score / weights + 1e-9 >= bar,
        _ => failed.is_empty(),
    };
    SampleVerdict { passed, failed }
}

/// Whether the check holds (before `not-`), and a one-line account of what was seen.
fn check(kind: &Kind, tools: &[Value], f: &SampleFacts<'_>) -> (bool, String) {
    let out = f.output;
    let seen = || format!("output {:?}", clip(out));
    match kind {
        Kind::Equals(Value::String(s)) => (out == s, seen()),
        Kind::Equals(v @ (Value::Object(_) | Value::Array(_))) => (
            serde_json::from_str::<Value>(out).ok().as_ref() == Some(v),
            seen(),
        ),
        Kind::Equals(v) => (out == super::values::as_text(v), seen()),
        Kind::Contains(s, ci) => (has(out, s, *ci), seen()),
        Kind::ContainsAny(list, ci) => (list.iter().any(|s| has(out, s, *ci)), seen()),
        Kind::ContainsAll(list, ci) => {
            let missing: Vec<&String> = list.iter().filter(|s| !has(out, s, *ci)).collect();
            (
                missing.is_empty(),
                format!("missing {missing:?} in {}", seen()),
            )
        }
        Kind::StartsWith(s) => (out.starts_with(s.as_str()), seen()),
        Kind::Regex(re) => (re.is_match(out), seen()),
        Kind::IsJson(schema) => match serde_json::from_str::<Value>(out) {
            Ok(v) => valid(schema.as_deref(), &v),
            Err(e) => (false, format!("not JSON: {e}")),
        },
        Kind::ContainsJson(schema) => {
            let found = json_in(out);
            if found.is_empty() {
                return (false, format!("no JSON in {}", seen()));
            }
            let first_bad = found
                .iter()
                .map(|v| valid(schema.as_deref(), v))
                .find(|r| r.0);
            first_bad.unwrap_or_else(|| valid(schema.as_deref(), &found[0]))
        }
        Kind::Levenshtein(s, max) => {
            let d = strsim::levenshtein(out, s) as f64;
            (d <= *max, format!("distance {d} (max {max})"))
        }
        Kind::Cost(max) => match f.cost_usd {
            Some(c) => (c <= *max, format!("cost ${c:.6}")),
            None => (false, "no cost known for this model".into()),
        },
        Kind::Latency(max) => match f.latency_ms {
            Some(ms) => (ms <= *max, format!("latency {ms:.0} ms")),
            None => (false, "no latency recorded".into()),
        },
        Kind::FinishReason(want) => {
            let got = f.finish_reason.unwrap_or("");
            (
                got.eq_ignore_ascii_case(want),
                format!("finish reason {got:?}"),
            )
        }
        Kind::IsValidOpenaiToolsCall => tools_call(tools, f.tool_calls_json),
        Kind::LlmRubric(rubric, bar) => rubric_check(rubric, bar.unwrap_or(DEFAULT_PASS_SCORE), f),
        Kind::Unsupported(_) => (false, "not graded".into()),
    }
}

/// `llm-rubric`: the judge's score reaches `bar`; an unreadable or failed grade fails.
fn rubric_check(rubric: &str, bar: f64, f: &SampleFacts<'_>) -> (bool, String) {
    match f
        .rubric_grades
        .iter()
        .find(|(r, _)| *r == rubric)
        .map(|(_, g)| g)
    {
        Some(Grade::Score { score, reason }) => (
            *score + 1e-9 >= bar,
            format!(
                "judge score {score:.2} (pass {bar:.2}){}",
                reason
                    .as_deref()
                    .map(|r| format!(": {}", clip(r)))
                    .unwrap_or_default()
            ),
        ),
        Some(Grade::Unreadable { text }) => {
            (false, format!("the judge gave no score: {:?}", clip(text)))
        }
        Some(Grade::CallFailed { error }) => {
            (false, format!("the judge's call failed: {}", clip(error)))
        }
        None => (false, "not graded by the judge".into()),
    }
}

fn has(out: &str, needle: &str, ignore_case: bool) -> bool {
    if ignore_case {
        out.to_lowercase().contains(&needle.to_lowercase())
    } else {
        out.contains(needle)
    }
}

fn valid(schema: Option<&jsonschema::Validator>, v: &Value) -> (bool, String) {
    match schema.map(|s| s.validate(v)) {
        Some(Err(e)) => (
            false,
            format!(
                "JSON does not match the schema at {}: {e}",
                e.instance_path()
            ),
        ),
        _ => (true, "valid JSON".into()),
    }
}

/// Every JSON object or array embedded in `text`, in order.
fn json_in(text: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(['{', '[']).map(|i| i + at) {
        let mut stream = serde_json::Deserializer::from_str(&text[i..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                at = i + stream.byte_offset();
                found.push(v);
            }
            _ => at = i + 1,
        }
    }
    found
}

/// `is-valid-openai-tools-call`: at least one call, each to a declared tool (when the provider
/// declares any), with JSON arguments valid against the tool's parameters.
fn tools_call(tools: &[Value], calls: Option<&str>) -> (bool, String) {
    let calls: Vec<Value> = calls
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    if calls.is_empty() {
        return (false, "no tool call".into());
    }
    for call in &calls {
        let name = call.get("name").and_then(Value::as_str).unwrap_or("");
        let args = call.get("arguments").and_then(Value::as_str).unwrap_or("");
        let Ok(args) = serde_json::from_str::<Value>(args) else {
            return (false, format!("{name}: arguments are not JSON"));
        };
        if tools.is_empty() {
            continue;
        }
        let Some(tool) = tools
            .iter()
            .find(|t| t.pointer("/function/name").and_then(Value::as_str) == Some(name))
        else {
            return (false, format!("{name} is not a declared tool"));
        };
        if let Some(params) = tool.pointer("/function/parameters")
            && let Ok(validator) = jsonschema::validator_for(params)
            && let Err(e) = validator.validate(&args)
        {
            return (
                false,
                format!("{name}: arguments do not match its parameters: {e}"),
            );
        }
    }
    (true, format!("{} valid tool call(s)", calls.len()))
}

fn clip(s: &str) -> String {
    let one = crate::sanitize::one_line(s);
    match one.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

#[cfg(test)]
#[path = "grade_tests.rs"]
mod tests;
