//! Span attributes as one flat dotted map, whatever shape the file used: OpenInference writes
//! `retrieval.documents.0.document.id` flat or as nested objects, OTLP as typed key/value lists.
//! Flattening once lets one mapping (`semconv`) read every variant.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Attribute key (dotted path) to scalar JSON value.
pub type Attrs = BTreeMap<String, Value>;

/// Insert `value` under `key`, expanding objects (`key.sub`) and arrays (`key.N`).
pub fn flatten_into(key: &str, value: Value, out: &mut Attrs) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let sub = if key.is_empty() {
                    k
                } else {
                    format!("{key}.{k}")
                };
                flatten_into(&sub, v, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.into_iter().enumerate() {
                flatten_into(&format!("{key}.{i}"), v, out);
            }
        }
        other => {
            out.insert(key.to_string(), other);
        }
    }
}

/// Flatten a whole JSON object (e.g. an OpenInference `attributes` object).
pub fn flatten(value: Value) -> Attrs {
    let mut out = Attrs::new();
    flatten_into("", value, &mut out);
    out
}

/// When `key` holds JSON encoded as a string (allowed by OTel for structured attributes),
/// decode it in place so its parts can be looked up like any other.
pub fn expand_json_string(attrs: &mut Attrs, key: &str) {
    let Some(Value::String(s)) = attrs.get(key) else {
        return;
    };
    let trimmed = s.trim_start();
    if !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return;
    }
    if let Ok(parsed) = serde_json::from_str::<Value>(s) {
        attrs.remove(key);
        flatten_into(key, parsed, attrs);
    }
}

/// The value at `key` as text: strings as is, numbers and booleans printed, and a subtree
/// (`key.*`) rebuilt as compact JSON.
pub fn text(attrs: &Attrs, key: &str) -> Option<String> {
    match attrs.get(key) {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
        None => subtree(attrs, key).map(|v| v.to_string()),
    }
}

/// First key of `keys` that has text.
pub fn first_text(attrs: &Attrs, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(attrs, k))
}

/// The value at `key` as a number (numbers, or strings holding one: OTLP int64 is a string).
pub fn number(attrs: &Attrs, key: &str) -> Option<f64> {
    match attrs.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// First key of `keys` that holds a non-negative whole number.
pub fn first_count(attrs: &Attrs, keys: &[&str]) -> Option<u64> {
    keys.iter()
        .find_map(|k| number(attrs, k))
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as u64)
}

/// The distinct `prefix.N` entries, in index order (e.g. every retrieved document).
pub fn indexed(attrs: &Attrs, prefix: &str) -> Vec<String> {
    let start = format!("{prefix}.");
    let mut indices: Vec<usize> = attrs
        .range(start.clone()..)
        .take_while(|(k, _)| k.starts_with(&start))
        .filter_map(|(k, _)| k[start.len()..].split('.').next()?.parse().ok())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    indices
        .into_iter()
        .map(|i| format!("{prefix}.{i}"))
        .collect()
}

/// True when `key` or anything under it is present.
pub fn has(attrs: &Attrs, key: &str) -> bool {
    attrs.contains_key(key) || {
        let start = format!("{key}.");
        attrs
            .range(start.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&start))
    }
}

/// Deeper key paths keep their tail as one key when rebuilt into JSON.
const MAX_REBUILD_DEPTH: usize = 32;

/// Rebuild the JSON under `key.` from its flat entries (arrays come back from `0..n` keys).
fn subtree(attrs: &Attrs, key: &str) -> Option<Value> {
    let start = format!("{key}.");
    let mut root = Map::new();
    let mut any = false;
    for (k, v) in attrs
        .range(start.clone()..)
        .take_while(|(k, _)| k.starts_with(&start))
    {
        any = true;
        let mut node = &mut root;
        // Bounded depth: a hostile key with thousands of dots must not nest (and recurse) as deep.
        let mut parts = k[start.len()..].splitn(MAX_REBUILD_DEPTH, '.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_string(), v.clone());
                break;
            }
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            match entry {
                Value::Object(m) => node = m,
                _ => break,
            }
        }
    }
    any.then(|| arrays_back(Value::Object(root)))
}

/// Objects whose keys are exactly 0..n become arrays again.
fn arrays_back(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let is_array =
                !map.is_empty() && (0..map.len()).all(|i| map.contains_key(&i.to_string()));
            if is_array {
                let mut map = map;
                let items = (0..map.len())
                    .filter_map(|i| map.remove(&i.to_string()))
                    .map(arrays_back)
                    .collect();
                Value::Array(items)
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays_back(v))).collect())
            }
        }
        other => other,
    }
}

/// A timestamp from RFC 3339 text (offset optional, UTC assumed) or a Unix time number whose
/// unit (s, ms, µs, ns) is inferred from its size; OTLP sends nanoseconds as a string.
pub fn timestamp(value: &Value) -> Option<jiff::Timestamp> {
    let exact = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(n) = exact.filter(|n| *n >= 100_000_000_000_000_000) {
        return jiff::Timestamp::from_nanosecond(i128::from(n)).ok();
    }
    let raw = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(n) => n,
            Err(_) => return parse_time_text(s.trim()),
        },
        _ => return None,
    };
    if !raw.is_finite() || raw <= 0.0 {
        return None;
    }
    let nanos = if raw >= 1e17 {
        raw
    } else if raw >= 1e14 {
        raw * 1e3
    } else if raw >= 1e11 {
        raw * 1e6
    } else {
        raw * 1e9
    };
    jiff::Timestamp::from_nanosecond(nanos as i128).ok()
}

fn parse_time_text(s: &str) -> Option<jiff::Timestamp> {
    s.parse::<jiff::Timestamp>().ok().or_else(|| {
        let civil: jiff::civil::DateTime = s.parse().ok()?;
        civil
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })
}

#[cfg(test)]
#[path = "attrs_tests.rs"]
mod tests;
