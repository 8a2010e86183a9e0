//! The `[check]` table of a session: what must hold for every cell, parsed and compiled up front
//! so a bad regex or a schema that does not compile fails before any call is made.

use super::file::{Locator, SessionError};
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;

/// `[check]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckForm {
    #[serde(default)]
    min_stability: Option<Spanned<f64>>,
    #[serde(default)]
    max_distinct: Option<Spanned<usize>>,
    #[serde(default)]
    json_schema: Option<Spanned<String>>,
    #[serde(default)]
    must_contain: Vec<String>,
    #[serde(default)]
    must_not_contain: Vec<String>,
    #[serde(default)]
    regex: Vec<Spanned<String>>,
    #[serde(default)]
    max_cost_per_call_usd: Option<Spanned<f64>>,
    #[serde(default)]
    max_p95_latency_ms: Option<Spanned<f64>>,
    #[serde(default)]
    max_p95_ttft_ms: Option<Spanned<f64>>,
    #[serde(default)]
    budget_usd: Option<Spanned<f64>>,
    #[serde(default)]
    allow_errors: bool,
    #[serde(default)]
    must_equal: Vec<super::expect::MustEqualForm>,
    answer_regex: Option<Spanned<String>>,
    #[serde(default)]
    answer_pointer: Option<Spanned<String>>,
    #[serde(default)]
    judge: Option<super::judge::JudgeForm>,
    #[serde(default)]
    max_stability_drop: Option<Spanned<f64>>,
    #[serde(default)]
    max_cost_increase_pct: Option<Spanned<f64>>,
}

/// The compiled checks of a session. Absent bars are not checked.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    /// Largest cluster / successful samples must be at least this (0..=1).
    pub min_stability: Option<f64>,
    pub max_distinct: Option<usize>,
    /// Every successful output must be JSON valid against this schema.
    pub json_schema: Option<JsonSchema>,
    /// Every successful output must contain each of these.
    pub must_contain: Vec<String>,
    pub must_not_contain: Vec<String>,
    /// Every successful output must match each of these.
    pub regex: Vec<regex::Regex>,
    pub max_cost_per_call_usd: Option<f64>,
    pub max_p95_latency_ms: Option<f64>,
    /// The 95th percentile of the time to first token (streamed variants, `stream=true`).
    pub max_p95_ttft_ms: Option<f64>,
    /// Spend ceiling of the whole session (enforced by the runner's spend guard, not here).
    pub budget_usd: Option<f64>,
    /// When false (the default), any failed call fails the cell.
    pub allow_errors: bool,
    /// Answers the cells of a prompt must give (`[[check.must_equal]]`, see `expect`).
    pub must_equal: Vec<super::expect::MustEqual>,
    /// How `tar_answer` finds the answer in an output (regex capture, JSON pointer or the
    /// normalised text); see docs/ci.md.
    pub answer: Answer,
    /// A model that grades every answered sample against a rubric (`judge = {…}`, judge.rs).
    pub judge: Option<super::judge::Judge>,
    /// With `--baseline`: how far a case's stability may fall below the baseline's (0..=1;
    /// unset means 0, any drop regresses).
    pub max_stability_drop: Option<f64>,
    /// With `--baseline`: how many percent the cost per call may rise (unset: not compared).
    pub max_cost_increase_pct: Option<f64>,
}

/// Where the answer sits in an output, for answer-level agreement (`tar_answer`).
#[derive(Debug, Clone, Default)]
pub enum Answer {
    /// The whole output, whitespace collapsed and trimmed.
    #[default]
    Text,
    /// `answer_regex`: the first capture group (the whole match when it has none).
    Regex(regex::Regex),
    /// `answer_pointer`: a JSON pointer into a JSON output, e.g. `/label`.
    Pointer(String),
}

impl Answer {
    /// The answer in `output`, or `None` when the regex does not match or the pointer finds
    /// nothing.
    pub fn extract(&self, output: &str) -> Option<String> {
        match self {
            Answer::Text => Some(crate::analysis::normalize::collapse_whitespace(output)),
            Answer::Regex(re) => {
                let caps = re.captures(output)?;
                let m = caps.get(1).or_else(|| caps.get(0))?;
                Some(m.as_str().trim().to_string())
            }
            Answer::Pointer(pointer) => {
                let value = crate::analysis::normalize::parse_json(output)?;
                let found = value.pointer(pointer)?;
                Some(crate::analysis::normalize::canonical_json(found))
            }
        }
    }

    /// The setting as written, for saving the session back.
    fn written(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Answer::Text => (None, None),
            Answer::Regex(re) => (Some(re.as_str()), None),
            Answer::Pointer(p) => (None, Some(p.as_str())),
        }
    }
}

/// A compiled JSON schema and the file it came from.
#[derive(Clone)]
pub struct JsonSchema {
    pub path: PathBuf,
    pub validator: Arc<jsonschema::Validator>,
}

impl fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonSchema")
            .field("path", &self.path)
            .finish()
    }
}

impl CheckForm {
    pub(crate) fn compile(self, at: &Locator<'_>) -> Result<Checks, SessionError> {
        let non_negative =
            |v: &Option<Spanned<f64>>, key: &str| -> Result<Option<f64>, SessionError> {
                match v {
                    Some(s) if !s.get_ref().is_finite() || *s.get_ref() < 0.0 => Err(at.invalid(
                        s.span(),
                        key,
                        format!("{} must be a number >= 0", s.get_ref()),
                    )),
                    Some(s) => Ok(Some(*s.get_ref())),
                    None => Ok(None),
                }
            };
        let min_stability = non_negative(&self.min_stability, "check.min_stability")?;
        if let (Some(s), Some(v)) = (&self.min_stability, min_stability)
            && v > 1.0
        {
            return Err(at.invalid(
                s.span(),
                "check.min_stability",
                format!("{v} is above 1.0 (stability is a fraction: 1.0 = every sample identical)"),
            ));
        }
        if let Some(d) = &self.max_distinct
            && *d.get_ref() == 0
        {
            return Err(at.invalid(d.span(), "check.max_distinct", "must be at least 1"));
        }
        let regex = self
            .regex
            .iter()
            .map(|r| {
                regex::Regex::new(r.get_ref()).map_err(|e| {
                    at.invalid(
                        r.span(),
                        "check.regex",
                        format!("{:?} does not compile: {e}", r.get_ref()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let json_schema = match &self.json_schema {
            Some(p) => Some(load_schema(at, p)?),
            None => None,
        };
        let answer = answer(at, &self.answer_regex, &self.answer_pointer)?;
        let max_stability_drop =
            non_negative(&self.max_stability_drop, "check.max_stability_drop")?;
        if let (Some(s), Some(v)) = (&self.max_stability_drop, max_stability_drop)
            && v > 1.0
        {
            return Err(at.invalid(
                s.span(),
                "check.max_stability_drop",
                format!(
                    "{v} is above 1.0 (stability is a fraction; 0.2 allows a drop from 1.0 to 0.8)"
                ),
            ));
        }
        Ok(Checks {
            answer,
            judge: self.judge.map(|j| j.compile(at)).transpose()?,
            max_stability_drop,
            max_cost_increase_pct: non_negative(
                &self.max_cost_increase_pct,
                "check.max_cost_increase_pct",
            )?,
            min_stability,
            max_distinct: self.max_distinct.map(|d| d.into_inner()),
            json_schema,
            must_contain: self.must_contain,
            must_not_contain: self.must_not_contain,
            regex,
            max_cost_per_call_usd: non_negative(
                &self.max_cost_per_call_usd,
                "check.max_cost_per_call_usd",
            )?,
            max_p95_latency_ms: non_negative(&self.max_p95_latency_ms, "check.max_p95_latency_ms")?,
            max_p95_ttft_ms: non_negative(&self.max_p95_ttft_ms, "check.max_p95_ttft_ms")?,
            budget_usd: non_negative(&self.budget_usd, "check.budget_usd")?,
            allow_errors: self.allow_errors,
            must_equal: self
                .must_equal
                .into_iter()
                .map(|m| m.compile(at))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// `answer_regex` or `answer_pointer` (not both), compiled.
fn answer(
    at: &Locator<'_>,
    regex: &Option<Spanned<String>>,
    pointer: &Option<Spanned<String>>,
) -> Result<Answer, SessionError> {
    match (regex, pointer) {
        (Some(_), Some(p)) => Err(at.invalid(
            p.span(),
            "check.answer_pointer",
            "set answer_regex or answer_pointer, not both",
        )),
        (Some(r), None) => regex::Regex::new(r.get_ref())
            .map(Answer::Regex)
            .map_err(|e| {
                at.invalid(
                    r.span(),
                    "check.answer_regex",
                    format!("{:?} does not compile: {e}", r.get_ref()),
                )
            }),
        (None, Some(p)) if !p.get_ref().is_empty() && !p.get_ref().starts_with('/') => Err(at
            .invalid(
                p.span(),
                "check.answer_pointer",
                format!(
                    "{:?} is not a JSON pointer: start it with /, e.g. \"/label\"",
                    p.get_ref()
                ),
            )),
        (None, Some(p)) => Ok(Answer::Pointer(p.get_ref().clone())),
        (None, None) => Ok(Answer::Text),
    }
}

/// Read a schema relative to the session file and compile it.
fn load_schema(at: &Locator<'_>, spec: &Spanned<String>) -> Result<JsonSchema, SessionError> {
    let key = "check.json_schema";
    let path = at.resolve(spec.get_ref());
    let text = crate::fsio::read_text(&path).map_err(|e| {
        at.invalid(
            spec.span(),
            key,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        at.invalid(
            spec.span(),
            key,
            format!(
                "{} is not JSON: {e} (line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })?;
    let validator = jsonschema::validator_for(&value).map_err(|e| {
        at.invalid(
            spec.span(),
            key,
            format!(
                "{} does not compile as a JSON schema: {e} (at {})",
                path.display(),
                e.schema_path()
            ),
        )
    })?;
    Ok(JsonSchema {
        path,
        validator: Arc::new(validator),
    })
}

/// Two sets of checks are equal when they check the same things (regexes by their source,
/// schemas by their file).
impl PartialEq for Checks {
    fn eq(&self, other: &Self) -> bool {
        let regexes = |c: &Checks| -> Vec<String> {
            c.regex.iter().map(|r| r.as_str().to_string()).collect()
        };
        let schema = |c: &Checks| c.json_schema.as_ref().map(|s| s.path.clone());
        self.min_stability == other.min_stability
            && self.max_distinct == other.max_distinct
            && schema(self) == schema(other)
            && self.must_contain == other.must_contain
            && self.must_not_contain == other.must_not_contain
            && regexes(self) == regexes(other)
            && self.max_cost_per_call_usd == other.max_cost_per_call_usd
            && self.max_p95_latency_ms == other.max_p95_latency_ms
            && self.max_p95_ttft_ms == other.max_p95_ttft_ms
            && self.budget_usd == other.budget_usd
            && self.allow_errors == other.allow_errors
            && self.must_equal == other.must_equal
            && self.answer.written() == other.answer.written()
            && self.judge == other.judge
            && self.max_stability_drop == other.max_stability_drop
            && self.max_cost_increase_pct == other.max_cost_increase_pct
    }
}

impl Checks {
    /// `(answer_regex, answer_pointer)` as written, for saving the session back.
    pub fn answer_written(&self) -> (Option<&str>, Option<&str>) {
        self.answer.written()
    }

    /// Names of the checks this session sets, in evaluation order (for "all N checks hold").
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if !self.allow_errors {
            names.push("errors".to_string());
        }
        let set = [
            ("min_stability", self.min_stability.is_some()),
            ("max_distinct", self.max_distinct.is_some()),
            ("json_schema", self.json_schema.is_some()),
        ];
        names.extend(set.iter().filter(|(_, on)| *on).map(|(n, _)| n.to_string()));
        names.extend(
            self.must_contain
                .iter()
                .map(|s| format!("must_contain {s:?}")),
        );
        names.extend(
            self.must_not_contain
                .iter()
                .map(|s| format!("must_not_contain {s:?}")),
        );
        names.extend(self.regex.iter().map(|r| format!("regex /{}/", r.as_str())));
        if self.max_cost_per_call_usd.is_some() {
            names.push("max_cost_per_call_usd".into());
        }
        if self.max_p95_latency_ms.is_some() {
            names.push("max_p95_latency_ms".into());
        }
        if self.max_p95_ttft_ms.is_some() {
            names.push("max_p95_ttft_ms".into());
        }
        names.extend(self.must_equal.iter().map(super::expect::MustEqual::name));
        if self.judge.is_some() {
            names.push("judge".into());
        }
        names
    }
}
