//! Per-field stability of JSON outputs: which leaves vary (`$.items[2].price` varies in 3/10).

use super::normalize::{canonical_json, parse_json};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One JSON leaf whose value is not the same in every JSON sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldStability {
    /// JSONPath-like location: `$.items[2].price`, `$["odd key"]`.
    pub path: String,
    /// Samples whose value differs from the most common value (absent counts as a value).
    pub varies: usize,
    /// JSON samples considered.
    pub of: usize,
    /// Distinct values seen, absence included.
    pub distinct: usize,
}

/// Varying fields of the JSON outputs, most unstable first. `outputs` pairs a weight (how many
/// samples share the text) with the text; non-JSON texts are ignored.
pub fn field_stability(outputs: &[(usize, &str)]) -> Vec<FieldStability> {
    let mut values: BTreeMap<String, HashMap<String, usize>> = BTreeMap::new();
    let mut of = 0;
    for &(weight, text) in outputs {
        let Some(value) = parse_json(text) else {
            continue;
        };
        of += weight;
        let mut leaves = Vec::new();
        flatten(&value, "$".to_string(), &mut leaves);
        for (path, leaf) in leaves {
            *values.entry(path).or_default().entry(leaf).or_default() += weight;
        }
    }
    let mut out: Vec<FieldStability> = values
        .into_iter()
        .filter_map(|(path, counts)| {
            let present: usize = counts.values().sum();
            let absent = of - present;
            let modal = counts.values().copied().max().unwrap_or(0).max(absent);
            let varies = of - modal;
            (varies > 0).then(|| FieldStability {
                path,
                varies,
                of,
                distinct: counts.len() + usize::from(absent > 0),
            })
        })
        .collect();
    out.sort_by(|a, b| b.varies.cmp(&a.varies).then_with(|| a.path.cmp(&b.path)));
    out
}

fn flatten(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                flatten(v, child_path(&path, key), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{path}[{i}]"), out);
            }
        }
        leaf => out.push((path, canonical_json(leaf))),
    }
}

fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", Value::String(key.to_string()))
    }
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
