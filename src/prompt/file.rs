//! Prompt files (TOML): the form prompts take in git, in `$EDITOR` and in import/export.

use super::PromptBody;
use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;

/// Why a prompt file could not be read or written.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// A prompt as a file: its name, an optional version message, and the body.
///
/// The body's fields sit at the top level of the file (see docs/architecture.md); they are
/// spelled out here rather than `#[serde(flatten)]`ed so parse errors keep their line and column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "FileForm", into = "FileForm")]
pub struct PromptFile {
    pub name: String,
    pub message: Option<String>,
    /// Labels this version carries (written by export so import can restore them).
    pub labels: Vec<String>,
    pub body: PromptBody,
}

/// The on-disk layout of [`PromptFile`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    #[serde(default)]
    params: super::Params,
    #[serde(default)]
    messages: Vec<super::Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    vars: std::collections::BTreeMap<String, String>,
}

impl From<FileForm> for PromptFile {
    fn from(f: FileForm) -> Self {
        PromptFile {
            name: f.name,
            message: f.message,
            labels: f.labels,
            body: PromptBody {
                params: f.params,
                messages: f.messages,
                tools: f.tools,
                vars: f.vars,
            },
        }
    }
}

impl From<PromptFile> for FileForm {
    fn from(p: PromptFile) -> Self {
        FileForm {
            name: p.name,
            message: p.message,
            labels: p.labels,
            params: p.body.params,
            messages: p.body.messages,
            tools: p.body.tools,
            vars: p.body.vars,
        }
    }
}

impl PromptFile {
    /// Parse TOML text; `origin` names the source in errors (a path, or `<stdin>`).
    pub fn parse(text: &str, origin: &str) -> Result<Self, FileError> {
        let file: PromptFile = toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
        file.validate(origin)?;
        Ok(file)
    }

    /// Read and parse a prompt file.
    pub fn read(path: &Path) -> Result<Self, FileError> {
        let origin = path.display().to_string();
        let text = crate::fsio::read_text(path).map_err(|source| FileError::Read {
            path: origin.clone(),
            source,
        })?;
        Self::parse(&text, &origin)
    }

    /// Read and parse a prompt file, with a warning (`FILE:LINE:COL: …`) for each `{{name}`
    /// placeholder that is not closed: it would be sent to the model as literal text.
    pub fn read_checked(path: &Path) -> Result<(Self, Vec<String>), FileError> {
        let file = Self::read(path)?;
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Ok((
            file,
            unclosed_placeholders(&text, &path.display().to_string()),
        ))
    }

    /// TOML text, with multi-line strings where content has newlines (readable diffs in git).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    fn validate(&self, origin: &str) -> Result<(), FileError> {
        let invalid = |message: String| FileError::Invalid {
            path: origin.to_string(),
            message,
        };
        if let Err(why) = validate_name(&self.name) {
            return Err(invalid(why));
        }
        for label in &self.labels {
            validate_label(label).map_err(|why| invalid(format!("labels: {why}")))?;
        }
        if self.body.messages.is_empty() {
            return Err(invalid(
                "no [[messages]]: a prompt needs at least one message".into(),
            ));
        }
        super::tool_use::validate(&self.body.messages).map_err(invalid)?;
        if let Some(t) = self.body.params.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(invalid(format!(
                "params.temperature = {t} is outside 0.0..=2.0"
            )));
        }
        Ok(())
    }
}

/// `{{` followed by a name that is not closed by `}}` (`{{name}`, `{{name`), as
/// `ORIGIN:LINE:COL: …` with 1-based line and column in `text`.
pub fn unclosed_placeholders(text: &str, origin: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find("{{").map(|i| i + from) {
            let after = &line[at + 2..];
            let name_len = after
                .find(|c: char| !(c.is_alphanumeric() || "_.- ".contains(c)))
                .unwrap_or(after.len());
            let name = after[..name_len].trim();
            from = at + 2;
            if name.is_empty() || after[name_len..].starts_with("}}") {
                continue;
            }
            let column = line[..at].chars().count() + 1;
            out.push(format!(
                "{origin}:{}:{column}: placeholder {{{{{name}}} is not closed; write {{{{{name}}}}} (it is sent as literal text otherwise)",
                line_no + 1
            ));
        }
    }
    out
}

/// Prompt names: letters, digits, `-`, `_`, `.`, `/`; no `@` or `:` (they start a reference).
/// `/` separates folders (`team/support`), so a name is also a relative path under an export
/// directory: no leading `/`, no empty, `.` or `..` segment can point outside it.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("name is empty".into());
    }
    if let Some(bad) = name
        .split('/')
        .find(|s| s.is_empty() || *s == "." || *s == "..")
    {
        let what = if bad.is_empty() {
            "an empty segment (leading, trailing or double '/')".to_string()
        } else {
            format!("a {bad:?} segment")
        };
        return Err(format!(
            "name {name:?} has {what}: names are relative paths like team/support-answer"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
    {
        return Err(format!(
            "name {name:?} contains {bad:?}: use letters, digits, '-', '_', '.' or '/'"
        ));
    }
    Ok(())
}

/// Labels: letters, digits, `-`, `_`, `.` (checked when a file is read, so a bad label stops the
/// import before anything is saved, and by the store for labels typed on the command line).
pub fn validate_label(label: &str) -> Result<(), String> {
    let valid = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if label.is_empty() || !label.chars().all(valid) {
        return Err(format!("{label:?}: use letters, digits, '-', '_' or '.'"));
    }
    Ok(())
}

/// Turn a toml error into `path:line:column: message`.
pub(crate) fn toml_error(text: &str, origin: &str, e: &toml::de::Error) -> FileError {
    let (line, column) = crate::toml_error::position(text, e);
    FileError::Parse {
        path: origin.to_string(),
        line,
        column,
        message: e.message().to_string(),
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
