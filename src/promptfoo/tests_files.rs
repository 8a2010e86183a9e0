//! promptfoo `tests` read from a `file://` reference: CSV (with `__expected` columns), YAML,
//! JSON and JSONL files, each test with its line for errors.

use super::super::PromptfooError;
use super::super::assert::from_shorthand;
use super::test_line;
use serde_json::{Map, Value};
use std::path::Path;

/// A test item as read from a file, with its line.
pub(super) type RawTest = (Map<String, Value>, usize);

/// The tests of a `file://` tests file, each with its line.
pub(super) fn file_tests(path: &Path, body: &str) -> Result<Vec<RawTest>, PromptfooError> {
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
                        super::super::values::kind(&other)
                    ),
                )),
                Err(e) => Err(PromptfooError::at(path, i + 1, format!("not JSON: {e}"))),
            })
            .collect(),
        "yaml" | "yml" | "json" => match super::super::values::parse_yaml(body, path)? {
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
                        format!("a test is {}", super::super::values::kind(&other)),
                    )),
                })
                .collect(),
            other => Err(PromptfooError::at(
                path,
                1,
                format!(
                    "a tests file holds a list of tests, not {}",
                    super::super::values::kind(&other)
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
pub(super) fn csv_tests(path: &Path, body: &str) -> Result<Vec<RawTest>, PromptfooError> {
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
