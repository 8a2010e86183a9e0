//! `cases_file`: a session's cases kept in a JSONL or CSV file beside it, so a CI gate can run
//! hundreds of cases a team maintains as data (see docs/architecture.md and docs/ci.md).
//!
//! JSONL: one object per line, every key a variable, an optional `name` key naming the case.
//! CSV: a header row, then one case per row under the same rule. Cases without a name are
//! `row-N` (N counts cases, from 1). Every error names the file and the line; nothing runs.

use super::file::{Case, Locator, SessionError, existing_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Where a session's file cases came from: written back as is when the session is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct CasesFile {
    /// The path as written in the session file (relative to its directory).
    pub written: String,
    /// The path resolved against the session's directory.
    pub path: PathBuf,
    /// The file's cases (appended after any inline `[[cases]]`), each with its 1-based line.
    pub lines: Vec<(String, usize)>,
}

/// A case file line that cannot be read as a case: `file:line: message`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLineError {
    pub line: usize,
    pub message: String,
}

/// The column or key naming a case instead of being a variable.
const NAME_KEY: &str = "name";

/// Read the cases of `path`, by its extension (`.jsonl`/`.ndjson` or `.csv`).
pub fn read_cases(path: &Path) -> Result<Vec<(Case, usize)>, CaseLineError> {
    let text = crate::fsio::read_text(path).map_err(|e| CaseLineError {
        line: 0,
        message: format!(
            "cannot read it: {e} (paths are relative to the session file's directory)"
        ),
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let cases = match ext.as_deref() {
        Some("jsonl" | "ndjson") => parse_jsonl(&text)?,
        Some("csv") => parse_csv(&text)?,
        _ => {
            return Err(CaseLineError {
                line: 0,
                message: "unknown format: name a .jsonl or .csv file".into(),
            });
        }
    };
    if cases.is_empty() {
        return Err(CaseLineError {
            line: 0,
            message: "holds no cases (JSONL: one object per line; CSV: a header row, then rows)"
                .into(),
        });
    }
    Ok(cases)
}

/// One JSON object per non-blank line; values that are not strings become their JSON text.
pub fn parse_jsonl(text: &str) -> Result<Vec<(Case, usize)>, CaseLineError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |message: String| CaseLineError { line, message };
        let value: serde_json::Value = serde_json::from_str(raw)
            .map_err(|e| bad(format!("not JSON: {e} (one object per line)")))?;
        let serde_json::Value::Object(map) = value else {
            return Err(bad(format!(
                "a JSON {} where an object of variables was expected, e.g. {{\"ticket\": \"…\"}}",
                kind(&value)
            )));
        };
        let mut name = None;
        let mut vars = BTreeMap::new();
        for (key, value) in map {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => {
                    return Err(bad(format!(
                        "`{key}` is null: give it a value or leave it out"
                    )));
                }
                other => other.to_string(),
            };
            if key == NAME_KEY {
                name = Some(text);
            } else {
                vars.insert(key, text);
            }
        }
        out.push((named(name, out.len()), vars, line));
    }
    Ok(finish(out))
}

/// A header row, then one case per row; every row has as many fields as the header.
pub fn parse_csv(text: &str) -> Result<Vec<(Case, usize)>, CaseLineError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(csv_error)?.clone();
    let mut seen = std::collections::BTreeSet::new();
    for column in &header {
        if column.trim().is_empty() || !seen.insert(column.trim()) {
            return Err(CaseLineError {
                line: 1,
                message: format!(
                    "header column {column:?} is empty or repeated: each column names one variable"
                ),
            });
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let mut name = None;
        let mut vars = BTreeMap::new();
        for (column, value) in header.iter().zip(record.iter()) {
            if column.trim() == NAME_KEY {
                name = Some(value.to_string());
            } else {
                vars.insert(column.trim().to_string(), value.to_string());
            }
        }
        out.push((named(name, out.len()), vars, line));
    }
    Ok(finish(out))
}

fn csv_error(e: csv::Error) -> CaseLineError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".to_string(),
        _ => e.to_string(),
    };
    CaseLineError { line, message }
}

/// The case's name: its `name` value, else (absent or blank) `row-N` for the N-th case.
fn named(name: Option<String>, index: usize) -> String {
    match name.map(|n| n.trim().to_string()) {
        Some(n) if !n.is_empty() => n,
        _ => format!("row-{}", index + 1),
    }
}

fn finish(rows: Vec<(String, BTreeMap<String, String>, usize)>) -> Vec<(Case, usize)> {
    rows.into_iter()
        .map(|(name, vars, line)| (Case { name, vars }, line))
        .collect()
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Array(_) => "array",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Null => "null",
        serde_json::Value::Object(_) => "object",
    }
}

/// Append the cases of `cases_file` to the inline ones; a bad line or a name used twice is an
/// error naming the case file's line.
pub(super) fn file_cases(
    at: &Locator<'_>,
    spec: &Spanned<String>,
    cases: &mut Vec<Case>,
) -> Result<CasesFile, SessionError> {
    let written = spec.get_ref().trim().to_string();
    let path = existing_file(at, spec, "cases_file")?;
    let shown = path.display().to_string();
    let at_line = |line: usize, message: String| match line {
        0 => at.invalid(spec.span(), "cases_file", format!("{shown}: {message}")),
        _ => at.invalid(
            spec.span(),
            "cases_file",
            format!("{shown}:{line}: {message}; nothing was run"),
        ),
    };
    let read = read_cases(&path).map_err(|e| at_line(e.line, e.message))?;
    let mut lines = Vec::with_capacity(read.len());
    let mut names: std::collections::HashSet<String> =
        cases.iter().map(|c| c.name.clone()).collect();
    for (case, line) in read {
        if !names.insert(case.name.clone()) {
            return Err(at_line(
                line,
                format!(
                    "case name {:?} is used twice; names must be unique",
                    case.name
                ),
            ));
        }
        lines.push((case.name.clone(), line));
        cases.push(case);
    }
    Ok(CasesFile {
        written,
        path,
        lines,
    })
}

#[cfg(test)]
#[path = "cases_file_tests.rs"]
mod tests;
