//! How two outputs are judged "the same": exactly, modulo whitespace, or as canonical JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// The comparison used to group samples into clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Byte-for-byte equality.
    #[default]
    Exact,
    /// Runs of whitespace collapse to one space; leading and trailing whitespace is dropped.
    Whitespace,
    /// Parsed as JSON and compared canonically (key order and formatting ignored); a sample
    /// that is not JSON is compared exactly.
    Json,
}

impl Mode {
    /// The spelling used on the command line and in session files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Exact => "exact",
            Mode::Whitespace => "whitespace",
            Mode::Json => "json",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "exact" => Ok(Mode::Exact),
            "whitespace" => Ok(Mode::Whitespace),
            "json" => Ok(Mode::Json),
            other => Err(format!(
                "unknown mode {other:?}: use exact, whitespace or json"
            )),
        }
    }
}

/// The comparison form of one output and whether JSON mode had to fall back to exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub fell_back: bool,
}

/// Put `text` in the form `mode` compares.
pub fn normalize(text: &str, mode: Mode) -> Normalized {
    match mode {
        Mode::Exact => Normalized {
            text: text.to_string(),
            fell_back: false,
        },
        Mode::Whitespace => Normalized {
            text: collapse_whitespace(text),
            fell_back: false,
        },
        Mode::Json => match parse_json(text) {
            Some(value) => Normalized {
                text: canonical_json(&value),
                fell_back: false,
            },
            None => Normalized {
                text: text.to_string(),
                fell_back: true,
            },
        },
    }
}

/// Collapse every run of whitespace to one space and trim the ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Parse an output as JSON, tolerating surrounding whitespace and a Markdown code fence
/// (models often wrap JSON in ```json … ```). Only objects and arrays count as JSON outputs.
pub fn parse_json(text: &str) -> Option<Value> {
    let trimmed = strip_fence(text.trim());
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    serde_json::from_str(trimmed).ok()
}

fn strip_fence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let Some(body) = rest.strip_suffix("```") else {
        return text;
    };
    // Drop the info string (`json`) on the opening line.
    match body.split_once('\n') {
        Some((_, inner)) => inner.trim(),
        None => text,
    }
}

/// Compact JSON with object keys sorted at every depth, whatever serde_json's map order is.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
