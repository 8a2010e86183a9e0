//! promptfoo `tests`: inline, `file://` CSV (with `__expected` columns), YAML, JSON and JSONL
//! files, `defaultTest` merged in, list-valued vars expanded as promptfoo does, `$ref`
//! assertions from `assertionTemplates`.

use super::assert::{Assertion, At, Kind, compile, from_shorthand};
use super::prompts::Source;
use super::values::{file_ref, read_ref};
use super::{PromptfooError, line_of};
use serde_json::{Map, Value};
use std::path::Path;

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

/// A test item as read from a file, with its line.
type RawTest = (Map<String, Value>, usize);

/// The tests of a `file://` tests file, each with its line.
fn file_tests(path: &Path, body: &str) -> Result<Vec<RawTest>, PromptfooError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => csv_tests(path, body),
        "jsonl" => body
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| match serde_json::from_str::<Value>(l) {
                Ok(Value::Object(m)) => Ok((m, i + 1)),
                Ok(other) => Err(PromptfooError::at(
                    path,
                    i + 1,
                    format!(
                        "a test is {}; write one object per line",
                        super::values::kind(&other)
                    ),
                )),
                Err(e) => Err(PromptfooError::at(path, i + 1, format!("not JSON: {e}"))),
            })
            .collect(),
        "yaml" | "yml" | "json" => match super::values::parse_yaml(body, path)? {
            Value::Array(list) => list
                .into_iter()
                .map(|v| match v {
                    Value::Object(m) => {
                        let line = test_line(body, &m);
                        Ok((m, line))
                    }
                    other => Err(PromptfooError::at(
                        path,
                        1,
                        format!("a test is {}", super::values::kind(&other)),
                    )),
                })
                .collect(),
            other => Err(PromptfooError::at(
                path,
                1,
                format!(
                    "a tests file holds a list of tests, not {}",
                    super::values::kind(&other)
                ),
            )),
        },
        _ => Err(PromptfooError::at(
            path,
            0,
            "tests files must be .csv, .yaml, .yml, .json or .jsonl",
        )),
    }
}

/// CSV tests: a header of variable names; `__expected`, `__expectedN`, `__description` and
/// `__threshold` columns as promptfoo defines them. A ragged row is an error naming its line.
fn csv_tests(path: &Path, body: &str) -> Result<Vec<RawTest>, PromptfooError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| PromptfooError::at(path, 1, format!("bad CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for h in header.iter().filter(|h| h.starts_with("__")) {
        let known = h == "__description"
            || h == "__threshold"
            || h == "__metric"
            || h.starts_with("__expected");
        if !known {
            return Err(PromptfooError::at(
                path,
                1,
                format!(
                    "column {h} is not supported (temper reads __expected, __expectedN, __description, __threshold)"
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            PromptfooError::at(path, line, format!("bad CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != header.len() {
            return Err(PromptfooError::at(
                path,
                line,
                format!(
                    "{} fields where the header has {}; quote fields that hold commas",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let mut test = Map::new();
        let mut vars = Map::new();
        let mut asserts = Vec::new();
        for (name, cell) in header.iter().zip(record.iter()) {
            match name.as_str() {
                "__description" => {
                    test.insert("description".into(), Value::String(cell.to_string()));
                }
                "__threshold" if !cell.trim().is_empty() => {
                    let t: f64 = cell.trim().parse().map_err(|_| {
                        PromptfooError::at(
                            path,
                            line,
                            format!("__threshold {cell:?} is not a number"),
                        )
                    })?;
                    test.insert("threshold".into(), serde_json::json!(t));
                }
                "__threshold" | "__metric" => {}
                n if n.starts_with("__expected") => {
                    if !cell.trim().is_empty() {
                        asserts.push(from_shorthand(cell));
                    }
                }
                _ => {
                    vars.insert(name.clone(), Value::String(cell.to_string()));
                }
            }
        }
        test.insert("vars".into(), Value::Object(vars));
        test.insert("assert".into(), Value::Array(asserts));
        out.push((test, line));
    }
    Ok(out)
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
