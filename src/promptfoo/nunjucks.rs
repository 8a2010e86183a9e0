//! The Nunjucks subset promptfoo suites use in prompts: `{{ var }}`, `{{ var.field }}` and the
//! filters `upper`, `lower`, `trim` and `dump`. A template becomes a temper template whose
//! placeholders name derived variables (`{{var__upper}}`), computed per test, so the prompt is
//! stored and rendered by temper like any other. Anything beyond the subset is an error naming
//! the construct and its line.

use super::PromptfooError;
use serde_json::{Map, Value};
use std::path::Path;

/// A filter applied to a variable's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Upper,
    Lower,
    Trim,
    /// JSON text of the value (`JSON.stringify`).
    Dump,
}

/// One `{{ … }}` expression: a variable, a field path into it, filters, and the temper variable
/// name it is rendered under.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub var: String,
    pub path: Vec<String>,
    pub filters: Vec<Filter>,
    /// The derived variable's name in the temper template.
    pub name: String,
}

/// A compiled template: temper text plus the expressions whose values each test must supply.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub text: String,
    pub exprs: Vec<Expr>,
}

const SUBSET: &str =
    "supported: {{ var }}, {{ var.field }} and the filters upper, lower, trim, dump";

/// Compile `source`; `origin` and `first_line` place errors (the line `source` starts on).
pub fn compile(source: &str, origin: &Path, first_line: usize) -> Result<Template, PromptfooError> {
    let mut text = String::with_capacity(source.len());
    let mut exprs: Vec<Expr> = Vec::new();
    let mut rest = source;
    let line_at = |consumed: &str| first_line + consumed.matches('\n').count();
    while let Some(open) = find_open(rest) {
        let consumed = &source[..source.len() - rest.len() + open];
        text.push_str(&rest[..open]);
        let tag = &rest[open..open + 2];
        let close_mark = match tag {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let Some(close) = rest[open + 2..].find(close_mark).map(|c| c + open + 2) else {
            return Err(PromptfooError::at(
                origin,
                line_at(consumed),
                format!("`{tag}` is never closed with `{close_mark}`"),
            ));
        };
        let inner = &rest[open + 2..close];
        match tag {
            "{%" => {
                return Err(PromptfooError::at(
                    origin,
                    line_at(consumed),
                    format!(
                        "Nunjucks tag `{{%{inner}%}}` is not supported (no loops, conditionals, set or include; {SUBSET})"
                    ),
                ));
            }
            "{#" => {}
            _ => {
                let expr = parse_expr(inner).ok_or_else(|| {
                    PromptfooError::at(
                        origin,
                        line_at(consumed),
                        format!("Nunjucks expression `{{{{{inner}}}}}` is beyond the subset temper reads ({SUBSET})"),
                    )
                })?;
                text.push_str("{{");
                text.push_str(&expr.name);
                text.push_str("}}");
                if !exprs.iter().any(|e| e.name == expr.name) {
                    exprs.push(expr);
                }
            }
        }
        rest = &rest[close + 2..];
    }
    text.push_str(rest);
    Ok(Template { text, exprs })
}

fn find_open(text: &str) -> Option<usize> {
    ["{{", "{%", "{#"].iter().filter_map(|m| text.find(m)).min()
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn parse_expr(inner: &str) -> Option<Expr> {
    let mut parts = inner.split('|');
    let head = parts.next()?.trim();
    let segments: Vec<&str> = head.split('.').collect();
    if !segments.iter().all(|s| is_ident(s)) {
        return None;
    }
    let filters = parts
        .map(|f| match f.trim() {
            "upper" => Some(Filter::Upper),
            "lower" => Some(Filter::Lower),
            "trim" => Some(Filter::Trim),
            "dump" => Some(Filter::Dump),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let mut name = segments.join(".").replace('$', "_");
    for f in &filters {
        name.push_str(match f {
            Filter::Upper => "__upper",
            Filter::Lower => "__lower",
            Filter::Trim => "__trim",
            Filter::Dump => "__dump",
        });
    }
    Some(Expr {
        var: segments[0].to_string(),
        path: segments[1..].iter().map(|s| s.to_string()).collect(),
        filters,
        name,
    })
}

impl Expr {
    /// The expression's text for a test's `vars`; `None` when the variable is missing.
    pub fn value(&self, vars: &Map<String, Value>) -> Option<String> {
        let mut value = vars.get(&self.var)?;
        let parsed;
        for (i, key) in self.path.iter().enumerate() {
            value = match value {
                Value::Object(map) => map.get(key)?,
                Value::String(s) if i == 0 => {
                    // promptfoo parses a JSON string var when a field of it is asked for.
                    parsed = serde_json::from_str::<Value>(s).ok()?;
                    return self.rest_of(&parsed, &self.path[i..]);
                }
                _ => return None,
            };
        }
        Some(self.apply(value))
    }

    fn rest_of(&self, mut value: &Value, path: &[String]) -> Option<String> {
        for key in path {
            value = value.as_object()?.get(key)?;
        }
        Some(self.apply(value))
    }

    fn apply(&self, value: &Value) -> String {
        let mut current = value.clone();
        for f in &self.filters {
            let text = super::values::as_text(&current);
            current = Value::String(match f {
                Filter::Upper => text.to_uppercase(),
                Filter::Lower => text.to_lowercase(),
                Filter::Trim => text.trim().to_string(),
                Filter::Dump => serde_json::to_string(&current).unwrap_or_default(),
            });
        }
        super::values::as_text(&current)
    }
}

#[cfg(test)]
#[path = "nunjucks_tests.rs"]
mod tests;
