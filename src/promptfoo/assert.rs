//! promptfoo assertions (`assert:` items and CSV `__expected` shorthands) compiled up front: a
//! bad regex or schema fails before any call. Types temper cannot run are kept as
//! `Unsupported`, reported per test as skipped, never passed.

use super::PromptfooError;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// What an assertion checks.
#[derive(Debug, Clone)]
pub enum Kind {
    Equals(Value),
    /// `contains`/`icontains` (the bool: ignore case).
    Contains(String, bool),
    ContainsAny(Vec<String>, bool),
    ContainsAll(Vec<String>, bool),
    StartsWith(String),
    Regex(regex::Regex),
    IsJson(Option<Arc<jsonschema::Validator>>),
    ContainsJson(Option<Arc<jsonschema::Validator>>),
    /// Edit distance to the value at most `max` (promptfoo's default threshold is 5).
    Levenshtein(String, f64),
    /// Cost of the call at most this many dollars.
    Cost(f64),
    /// Latency at most this many milliseconds.
    Latency(f64),
    FinishReason(String),
    IsValidOpenaiToolsCall,
    /// A model-graded rubric, graded by the judge (the rubric; its `threshold`, the score to
    /// reach, else the judge's default pass score; see docs/promptfoo.md).
    LlmRubric(String, Option<f64>),
    /// A type temper does not run (javascript, python, similar, …): the type's name.
    Unsupported(String),
}

/// One compiled assertion.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub kind: Kind,
    /// `not-` form: passes when the check does not.
    pub negate: bool,
    pub weight: f64,
    /// How reports name it: `icontains "bonjour"`.
    pub name: String,
}

/// Where an assertion was written, for errors.
pub struct At<'a> {
    pub path: &'a Path,
    pub line: usize,
}

/// Compile one `assert` item (a mapping with `type`, `value`, `threshold`, `weight`).
pub fn compile(item: &Value, at: &At<'_>) -> Result<Assertion, PromptfooError> {
    let bad = |why: String| PromptfooError::at(at.path, at.line, why);
    let map = item.as_object().ok_or_else(|| {
        bad(format!(
            "an assertion is {}; write a mapping with `type`",
            super::values::kind(item)
        ))
    })?;
    let full = map
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("an assertion lacks `type`".into()))?;
    let value = map.get("value").cloned().unwrap_or(Value::Null);
    let threshold = map.get("threshold").and_then(Value::as_f64);
    let weight = map.get("weight").and_then(Value::as_f64).unwrap_or(1.0);
    let (negate, base) = match full.strip_prefix("not-") {
        Some(rest) => (true, rest),
        None => (false, full),
    };
    let text = |what: &str| -> Result<String, PromptfooError> {
        match &value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(bad(format!("`{full}` needs a text `value` ({what})"))),
        }
    };
    let list = || -> Result<Vec<String>, PromptfooError> {
        match &value {
            Value::Array(l) => Ok(l.iter().map(super::values::as_text).collect()),
            Value::String(s) => Ok(s.split(',').map(|p| p.trim().to_string()).collect()),
            _ => Err(bad(format!("`{full}` needs a list `value`"))),
        }
    };
    let number = |what: &str| {
        threshold.ok_or_else(|| bad(format!("`{full}` needs a numeric `threshold` ({what})")))
    };
    let schema = || -> Result<Option<Arc<jsonschema::Validator>>, PromptfooError> {
        match &value {
            Value::Null => Ok(None),
            Value::Object(_) => jsonschema::validator_for(&value)
                .map(|v| Some(Arc::new(v)))
                .map_err(|e| bad(format!("`{full}` schema does not compile: {e}"))),
            Value::String(s) if s.starts_with("file://") => Err(bad(format!(
                "`{full}` schema from {s}: write the schema inline"
            ))),
            _ => Err(bad(format!("`{full}` value must be a JSON schema mapping"))),
        }
    };
    let kind = match base {
        "equals" => Kind::Equals(value.clone()),
        "contains" => Kind::Contains(text("the text to find")?, false),
        "icontains" => Kind::Contains(text("the text to find")?, true),
        "contains-any" => Kind::ContainsAny(list()?, false),
        "icontains-any" => Kind::ContainsAny(list()?, true),
        "contains-all" => Kind::ContainsAll(list()?, false),
        "icontains-all" => Kind::ContainsAll(list()?, true),
        "starts-with" => Kind::StartsWith(text("the prefix")?),
        "regex" => {
            let source = text("the pattern")?;
            Kind::Regex(
                regex::Regex::new(&source).map_err(|e| {
                    bad(format!("`{full}` pattern {source:?} does not compile: {e}"))
                })?,
            )
        }
        "is-json" => Kind::IsJson(schema()?),
        "contains-json" => Kind::ContainsJson(schema()?),
        "levenshtein" => Kind::Levenshtein(text("the expected text")?, threshold.unwrap_or(5.0)),
        "cost" => Kind::Cost(number("dollars per call")?),
        "latency" => Kind::Latency(number("milliseconds")?),
        "finish-reason" => Kind::FinishReason(text("stop, length, tool_calls or content_filter")?),
        "is-valid-openai-tools-call" => Kind::IsValidOpenaiToolsCall,
        "llm-rubric" => Kind::LlmRubric(text("the rubric")?, threshold),
        other => Kind::Unsupported(other.to_string()),
    };
    let shown = match &value {
        Value::Null => String::new(),
        Value::String(s) => format!(" {:?}", clip(s)),
        other => format!(
            " {}",
            clip(&serde_json::to_string(other).unwrap_or_default())
        ),
    };
    let name = match &kind {
        Kind::Cost(t) | Kind::Latency(t) => format!("{full} <= {t}"),
        Kind::IsJson(Some(_)) | Kind::ContainsJson(Some(_)) => format!("{full} (schema)"),
        _ => format!("{full}{shown}"),
    };
    Ok(Assertion {
        kind,
        negate,
        weight,
        name,
    })
}

fn clip(s: &str) -> String {
    let one = crate::sanitize::one_line(s);
    match one.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

/// Types `__expected` shorthands may name (`icontains:bonjour`, `not-regex:^x`, `levenshtein(3):y`).
const SHORTHAND: &[&str] = &[
    "equals",
    "contains-any",
    "contains-all",
    "icontains-any",
    "icontains-all",
    "contains-json",
    "is-json",
    "regex",
    "icontains",
    "contains",
    "starts-with",
    "levenshtein",
    "latency",
    "cost",
    "finish-reason",
    "is-valid-openai-tools-call",
    "llm-rubric",
    "similar",
    "javascript",
    "python",
    "webhook",
    "rouge-n",
    "perplexity",
    "classifier",
    "factuality",
    "answer-relevance",
    "is-sql",
    "is-xml",
    "contains-sql",
    "contains-xml",
    "model-graded-closedqa",
    "model-graded-factuality",
];

/// A CSV `__expected` cell as the assertion item promptfoo makes of it; plain text is `equals`.
pub fn from_shorthand(cell: &str) -> Value {
    let cell = cell.trim();
    let aliases = [
        ("fn:", "javascript"),
        ("eval:", "javascript"),
        ("grade:", "llm-rubric"),
    ];
    for (prefix, kind) in aliases {
        if let Some(rest) = cell.strip_prefix(prefix) {
            return serde_json::json!({"type": kind, "value": rest.trim()});
        }
    }
    let (negate, body) = match cell.strip_prefix("not-") {
        Some(rest) => ("not-", rest),
        None => ("", cell),
    };
    // Longest names first so `contains-any` wins over `contains`.
    let mut names: Vec<&str> = SHORTHAND.to_vec();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        let Some(rest) = body.strip_prefix(name) else {
            continue;
        };
        let (threshold, rest) = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
            Some((num, after)) => (num.trim().parse::<f64>().ok(), after),
            None => (None, rest),
        };
        let value = match rest.strip_prefix(':') {
            Some(v) => Value::String(v.to_string()),
            None if rest.is_empty() => Value::Null,
            None => continue,
        };
        let mut item = serde_json::json!({"type": format!("{negate}{name}"), "value": value});
        if let Some(t) = threshold {
            item["threshold"] = serde_json::json!(t);
        }
        return item;
    }
    serde_json::json!({"type": "equals", "value": cell})
}

#[cfg(test)]
#[path = "assert_tests.rs"]
mod tests;
