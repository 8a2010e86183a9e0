//! promptfoo `tests`: inline, `file://` CSV (with `__expected` columns), YAML, JSON and JSONL
//! files, `defaultTest` merged in, list-valued vars expanded as promptfoo does, `$ref`
//! assertions from `assertionTemplates`.

use super::assert::{Assertion, At, Kind, compile};
use super::prompts::Source;
use super::values::{file_ref, read_ref};
use super::{PromptfooError, line_of};
use serde_json::{Map, Value};
use std::path::Path;

#[path = "tests_files.rs"]
mod files;
use files::file_tests;

/// One test of the suite.
#[derive(Debug, Clone)]
pub struct PfTest {
    pub description: Option<String>,
    pub vars: Map<String, Value>,
    pub asserts: Vec<Assertion>,
    /// Weighted-score bar (`threshold`); without it every assertion must pass.
    pub threshold: Option<f64>,
    /// Where it was written (`file:line`).
    pub origin: String,
    /// The grader of its `llm-rubric` assertions as written (`options.provider` of the test,
    /// else of `defaultTest`): a promptfoo provider id.
    pub grader: Option<String>,
}

/// What every test inherits: `defaultTest` and `assertionTemplates`.
pub struct Defaults<'a> {
    pub test: Option<&'a Map<String, Value>>,
    pub templates: Option<&'a Map<String, Value>>,
}

const TEST_KEYS: &[&str] = &[
    "description",
    "vars",
    "assert",
    "options",
    "threshold",
    "metadata",
];
const OPTION_KEYS: &[&str] = &["transform", "provider", "rubricPrompt"];

/// Every test `value` (the config's `tests`) names, in order.
/// With `keep_going`, a test that cannot be built is left out and its error added to `dropped`.
pub fn load(
    src: Source<'_>,
    value: &Value,
    defaults: &Defaults<'_>,
    keep_going: bool,
    dropped: &mut Vec<PromptfooError>,
) -> Result<Vec<PfTest>, PromptfooError> {
    let mut raw: Vec<(Map<String, Value>, At<'_>, String)> = Vec::new();
    let mut files: Vec<(std::path::PathBuf, String)> = Vec::new();
    let items: Vec<&Value> = match value {
        Value::Array(l) => l.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    for item in &items {
        match item {
            Value::Object(map) => {
                let line = test_line(src.text, map);
                raw.push((
                    map.clone(),
                    At {
                        path: src.path,
                        line,
                    },
                    format!("{}:{line}", src.path.display()),
                ));
            }
            Value::String(s) => match file_ref(s) {
                Some(written) => files.push(read_ref(src.path, src.text, written, "tests")?),
                None => {
                    return Err(PromptfooError::at(
                        src.path,
                        line_of(src.text, s),
                        format!(
                            "test source {s:?} is not supported (write file://… or inline tests)"
                        ),
                    ));
                }
            },
            other => {
                return Err(PromptfooError::at(
                    src.path,
                    line_of(src.text, "tests:"),
                    format!("a test is {}", super::values::kind(other)),
                ));
            }
        }
    }
    let mut from_files: Vec<(Map<String, Value>, usize, &Path)> = Vec::new();
    for (path, body) in &files {
        from_files.extend(
            file_tests(path, body)?
                .into_iter()
                .map(|(m, l)| (m, l, path.as_path())),
        );
    }
    for (map, line, path) in from_files {
        raw.push((map, At { path, line }, format!("{}:{line}", path.display())));
    }
    let mut out = Vec::new();
    for (map, at, origin) in raw {
        match build(src, &map, &at, origin, defaults) {
            Ok(tests) => out.extend(tests),
            Err(e) if keep_going => dropped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn test_line(text: &str, map: &Map<String, Value>) -> usize {
    let key = map.get("description").and_then(Value::as_str).or_else(|| {
        map.get("vars")
            .and_then(Value::as_object)
            .and_then(|v| v.values().find_map(Value::as_str))
    });
    key.map_or(line_of(text, "tests:"), |k| {
        line_of(text, k.lines().next().unwrap_or(k))
    })
}

/// One test item merged with `defaultTest`, list vars expanded into several tests.
fn build(
    src: Source<'_>,
    map: &Map<String, Value>,
    at: &At<'_>,
    origin: String,
    d: &Defaults<'_>,
) -> Result<Vec<PfTest>, PromptfooError> {
    let bad = |why: String| PromptfooError::at(at.path, at.line, why);
    if let Some(key) = map.keys().find(|k| !TEST_KEYS.contains(&k.as_str())) {
        return Err(bad(format!(
            "test key `{key}` is not supported (temper reads {})",
            TEST_KEYS.join(", ")
        )));
    }
    let mut vars = d
        .test
        .and_then(|t| t.get("vars"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    match map.get("vars") {
        Some(Value::Object(v)) => vars.extend(v.clone()),
        Some(Value::Null) | None => {}
        Some(other) => {
            return Err(bad(format!(
                "`vars` is {}; write a mapping",
                super::values::kind(other)
            )));
        }
    }
    for value in vars.values_mut() {
        if let Some(written) = value.as_str().and_then(file_ref) {
            let written = written.to_string();
            *value = Value::String(read_ref(src.path, src.text, &written, "var")?.1);
        }
    }
    let transform = [d.test.and_then(|t| t.get("options")), map.get("options")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .try_fold(false, |seen, options| {
            if let Some(k) = options.keys().find(|k| !OPTION_KEYS.contains(&k.as_str())) {
                return Err(bad(format!(
                    "test option `{k}` is not supported (temper reads transform, provider)"
                )));
            }
            Ok(seen || options.contains_key("transform"))
        })?;
    let grader = [map.get("options"), d.test.and_then(|t| t.get("options"))]
        .into_iter()
        .flatten()
        .find_map(|o| o.get("provider"))
        .map(|p| match p {
            Value::Object(o) => o
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            other => super::values::as_text(other),
        });
    let mut items: Vec<Value> = d
        .test
        .and_then(|t| t.get("assert"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match map.get("assert") {
        Some(Value::Array(list)) => items.extend(list.iter().cloned()),
        Some(Value::Null) | None => {}
        Some(other) => {
            return Err(bad(format!(
                "`assert` is {}; write a list",
                super::values::kind(other)
            )));
        }
    }
    let mut asserts = Vec::new();
    for item in &items {
        let item = dereference(item, d, at)?;
        let mut a = compile(&item, at)?;
        if transform || item.get("transform").is_some() {
            a.kind = Kind::Unsupported("transform".into());
        }
        asserts.push(a);
    }
    let threshold = map
        .get("threshold")
        .or_else(|| d.test.and_then(|t| t.get("threshold")))
        .and_then(Value::as_f64);
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(expand(vars)
        .into_iter()
        .map(|vars| PfTest {
            description: description.clone(),
            vars,
            asserts: asserts.clone(),
            threshold,
            origin: origin.clone(),
            grader: grader.clone(),
        })
        .collect())
}

/// `{$ref: '#/assertionTemplates/name'}` replaced by the template.
fn dereference(item: &Value, d: &Defaults<'_>, at: &At<'_>) -> Result<Value, PromptfooError> {
    let Some(reference) = item.get("$ref").and_then(Value::as_str) else {
        return Ok(item.clone());
    };
    let name = reference.strip_prefix("#/assertionTemplates/");
    name.and_then(|n| d.templates?.get(n))
        .cloned()
        .ok_or_else(|| {
            PromptfooError::at(
                at.path,
                at.line,
                format!("$ref {reference:?} names no entry of assertionTemplates"),
            )
        })
}

/// promptfoo runs a test once per combination of its list-valued vars.
fn expand(vars: Map<String, Value>) -> Vec<Map<String, Value>> {
    let mut out = vec![Map::new()];
    for (key, value) in vars {
        let choices = match value {
            Value::Array(list) if !list.is_empty() => list,
            other => vec![other],
        };
        out = out
            .into_iter()
            .flat_map(|partial| {
                let key = key.clone();
                choices.iter().map(move |c| {
                    let mut next = partial.clone();
                    next.insert(key.clone(), c.clone());
                    next
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
#[path = "tests_load_tests.rs"]
mod tests;
