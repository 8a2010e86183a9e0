//! Reading the files a config points at (`file://`), YAML/JSON with line numbers in errors, and
//! variable values as the text a template receives.

use super::PromptfooError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Parse YAML (JSON is YAML too) into a JSON value; a syntax error names its line and column.
pub fn parse_yaml(text: &str, path: &Path) -> Result<Value, PromptfooError> {
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        let column = e.location().map_or(0, |l| l.column());
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        PromptfooError::at(
            path,
            line,
            format!("not valid YAML (column {column}): {message}"),
        )
    })
}

/// The path a `file://` reference names, relative to the config's directory.
pub fn file_ref(value: &str) -> Option<&str> {
    value.trim().strip_prefix("file://")
}

/// `written` resolved against `base` (the directory of the file it was written in).
pub fn resolve(base: &Path, written: &str) -> PathBuf {
    base.join(written)
}

/// Read a `file://` target as text, or say at `line` of `config` what is missing.
pub fn read_ref(
    config: &Path,
    text: &str,
    written: &str,
    what: &str,
) -> Result<(PathBuf, String), PromptfooError> {
    if written.contains('*') || written.contains('?') {
        return Err(PromptfooError::at(
            config,
            super::line_of(text, written),
            format!("{what} file://{written}: glob patterns are not supported; list the files"),
        ));
    }
    let base = config.parent().unwrap_or(Path::new(""));
    let path = resolve(base, written);
    match crate::fsio::read_text(&path) {
        Ok(body) => Ok((path, body)),
        Err(e) => Err(PromptfooError::at(
            config,
            super::line_of(text, written),
            format!(
                "{what} file://{written}: cannot read {}: {e} (paths are relative to the config's directory)",
                path.display()
            ),
        )),
    }
}

/// A variable's value as template text: strings as they are, numbers and booleans as written,
/// null as empty, lists and objects as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The type of a value, for error messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
