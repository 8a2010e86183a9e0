//! promptfoo `prompts`: inline strings, chat-message arrays (JSON or YAML), `file://` text
//! (several prompts split by `---` lines), JSON/JSONL/YAML prompt files, and the object form
//! with `id`/`raw`/`label`. Each becomes messages whose contents are compiled Nunjucks.

use super::nunjucks::{Template, compile};
use super::values::{file_ref, read_ref};
use super::{PromptfooError, line_of};
use crate::prompt::Role;
use serde_json::Value;
use std::path::Path;

/// One prompt of the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct PfPrompt {
    /// promptfoo's label (the `label` key, else the text or file it came from).
    pub label: String,
    pub messages: Vec<(Role, Template)>,
}

/// Where the config is and its text, for resolving files and placing errors.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// Every prompt `value` (the config's `prompts`) names, in order.
pub fn load(src: Source<'_>, value: &Value) -> Result<Vec<PfPrompt>, PromptfooError> {
    let items: Vec<(Value, Option<String>)> = match value {
        Value::Array(list) => list.iter().map(|v| (v.clone(), None)).collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), v.as_str().map(str::to_string)))
            .collect(),
        Value::String(_) => vec![(value.clone(), None)],
        other => {
            return Err(PromptfooError::at(
                src.path,
                line_of(src.text, "prompts:"),
                format!(
                    "`prompts` is {}; write a list of prompts",
                    super::values::kind(other)
                ),
            ));
        }
    };
    let mut out = Vec::new();
    for (item, label) in items {
        out.extend(one(src, &item, label)?);
    }
    if out.is_empty() {
        return Err(PromptfooError::at(
            src.path,
            line_of(src.text, "prompts:"),
            "`prompts` lists no prompt",
        ));
    }
    Ok(out)
}

fn one(
    src: Source<'_>,
    item: &Value,
    label: Option<String>,
) -> Result<Vec<PfPrompt>, PromptfooError> {
    match item {
        Value::String(s) => match file_ref(s) {
            Some(written) => from_file(src, written, label),
            None => Ok(vec![inline(src, s, label.unwrap_or_else(|| s.clone()))?]),
        },
        Value::Object(map) => {
            let label = map.get("label").and_then(Value::as_str).map(str::to_string);
            if let Some(raw) = map.get("raw").and_then(Value::as_str) {
                let label = label.unwrap_or_else(|| raw.to_string());
                return Ok(vec![inline(src, raw, label)?]);
            }
            match map.get("id").and_then(Value::as_str) {
                Some(id) => one(src, &Value::String(id.to_string()), label),
                None => Err(PromptfooError::at(
                    src.path,
                    label.as_deref().map_or(1, |l| line_of(src.text, l)),
                    "a prompt object needs `id` (file://…) or `raw` (the text)",
                )),
            }
        }
        Value::Array(_) => {
            let text = serde_json::to_string(item).unwrap_or_default();
            Ok(vec![chat(src, item, label.unwrap_or(text), 1)?])
        }
        other => Err(PromptfooError::at(
            src.path,
            line_of(src.text, "prompts:"),
            format!(
                "a prompt is {}; write a string, file://… or a chat list",
                super::values::kind(other)
            ),
        )),
    }
}

/// An inline prompt: a chat array when it is a JSON list of messages, else one user message.
fn inline(src: Source<'_>, text: &str, label: String) -> Result<PfPrompt, PromptfooError> {
    let first = text.lines().next().unwrap_or("");
    inline_at(src, text, label, line_of(src.text, first.trim()))
}

/// An inline prompt whose first line is `line` of `src`.
fn inline_at(
    src: Source<'_>,
    text: &str,
    label: String,
    line: usize,
) -> Result<PfPrompt, PromptfooError> {
    if text.trim_start().starts_with('[')
        && let Ok(value @ Value::Array(_)) = serde_json::from_str::<Value>(text)
    {
        return chat(src, &value, label, line);
    }
    Ok(PfPrompt {
        label,
        messages: vec![(Role::User, compile(text, src.path, line)?)],
    })
}

fn from_file(
    src: Source<'_>,
    written: &str,
    label: Option<String>,
) -> Result<Vec<PfPrompt>, PromptfooError> {
    let (path, body) = read_ref(src.path, src.text, written, "prompt")?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let at = Source {
        path: &path,
        text: &body,
    };
    let name = |k: usize, of: usize| match (&label, of) {
        (Some(l), 1) => l.clone(),
        (Some(l), _) => format!("{l} #{k}"),
        (None, 1) => format!("file://{written}"),
        (None, _) => format!("file://{written} #{k}"),
    };
    match ext.as_str() {
        "json" | "yaml" | "yml" => {
            let value = super::values::parse_yaml(&body, &path)?;
            Ok(vec![chat(at, &value, name(1, 1), 1)?])
        }
        "jsonl" => {
            let lines: Vec<(usize, &str)> = body
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            lines
                .iter()
                .enumerate()
                .map(|(k, (i, l))| {
                    let value: Value = serde_json::from_str(l)
                        .map_err(|e| PromptfooError::at(&path, i + 1, format!("not JSON: {e}")))?;
                    chat(at, &value, name(k + 1, lines.len()), i + 1)
                })
                .collect()
        }
        "js" | "cjs" | "mjs" | "ts" | "py" => Err(PromptfooError::at(
            src.path,
            line_of(src.text, written),
            format!(
                "prompt file://{written}: prompt functions ({ext}) are not supported; write the prompt as text, JSON or YAML"
            ),
        )),
        _ => {
            let parts = split_prompts(&body);
            let of = parts.len();
            parts
                .into_iter()
                .enumerate()
                .map(|(k, (line, part))| inline_at(at, part, name(k + 1, of), line))
                .collect()
        }
    }
}

/// A text file's prompts: split on lines holding only `---`, each with its first line number.
fn split_prompts(body: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            out.push((start_line, body[start..offset].trim_end()));
            start = offset + line.len();
            start_line = i + 2;
        }
        offset += line.len();
    }
    out.push((start_line, body[start..].trim_end()));
    out.retain(|(_, p)| !p.trim().is_empty());
    out
}

/// A chat prompt: a list of `{role, content}` messages.
fn chat(
    src: Source<'_>,
    value: &Value,
    label: String,
    line: usize,
) -> Result<PfPrompt, PromptfooError> {
    let bad = |why: String| PromptfooError::at(src.path, line, why);
    let list = value.as_array().ok_or_else(|| {
        bad(format!(
            "a chat prompt must be a list of {{role, content}} messages, not {}",
            super::values::kind(value)
        ))
    })?;
    let mut messages = Vec::new();
    for m in list {
        let role = match m.get("role").and_then(Value::as_str) {
            Some("system") | Some("developer") => Role::System,
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            other => {
                return Err(bad(format!(
                    "a chat message has role {other:?}; use system, user or assistant"
                )));
            }
        };
        let content = m.get("content").and_then(Value::as_str).ok_or_else(|| {
            bad(
                "a chat message's `content` must be text (image and other parts are not supported)"
                    .into(),
            )
        })?;
        let at_line = line_of(src.text, content.lines().next().unwrap_or("")).max(line);
        messages.push((role, compile(content, src.path, at_line)?));
    }
    if messages.is_empty() {
        return Err(bad("a chat prompt lists no message".into()));
    }
    Ok(PfPrompt { label, messages })
}

#[cfg(test)]
#[path = "prompts_tests.rs"]
mod tests;
