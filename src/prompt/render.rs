//! `{{var}}` template rendering: strict about missing variables, tolerant of unused ones.

use super::{Message, PromptBody};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// Why a prompt could not be rendered.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    #[error(
        "missing variable{} {}: pass --var {}=… or add it under [vars] in the prompt",
        if .0.len() > 1 { "s" } else { "" },
        .0.join(", "),
        .0.first().map(String::as_str).unwrap_or("name")
    )]
    MissingVars(Vec<String>),
}

/// Messages ready to send, plus warnings worth showing (unused variables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub messages: Vec<Message>,
    pub warnings: Vec<String>,
}

/// Find the `{{name}}` placeholders in `text`, in order of appearance (names trimmed).
fn placeholders(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        let open = text[rest..].find("{{")? + rest;
        let close = text[open + 2..].find("}}")? + open + 2;
        rest = close + 2;
        Some((open, close + 2, text[open + 2..close].trim()))
    })
}

/// Every variable a body's messages use, sorted.
pub fn template_vars(body: &PromptBody) -> BTreeSet<String> {
    body.messages
        .iter()
        .flat_map(|m| placeholders(&m.content).map(|(_, _, name)| name.to_string()))
        .filter(|name| is_var_name(name))
        .collect()
}

fn is_var_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Render `body` with its default vars overridden by `vars`.
///
/// A placeholder with no value is an error naming every missing variable; a provided variable
/// that no message uses is a warning. Text like `{{ not a var }}` is left as is.
pub fn render(body: &PromptBody, vars: &BTreeMap<String, String>) -> Result<Rendered, RenderError> {
    let mut values = body.vars.clone();
    values.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    let used = template_vars(body);
    let missing: Vec<String> = used
        .iter()
        .filter(|v| !values.contains_key(*v))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(RenderError::MissingVars(missing));
    }
    let messages = body
        .messages
        .iter()
        .map(|m| Message {
            content: substitute(&m.content, &values),
            ..m.clone()
        })
        .collect();
    let warnings = vars
        .keys()
        .filter(|k| !used.contains(*k))
        .map(|k| format!("variable {k} is not used by any message"))
        .collect();
    Ok(Rendered { messages, warnings })
}

fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, name) in placeholders(text) {
        if let Some(value) = values.get(name).filter(|_| is_var_name(name)) {
            out.push_str(&text[last..start]);
            out.push_str(value);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
