//! Values for the mock's JSON answers and tool arguments, taken from the user's text: names,
//! ids, amounts and invoice-style line items, shaped by a JSON schema.

use super::mock_answer::STOPWORDS;
use serde_json::{Map, Value, json};

/// Values found in the user text, handed out to schema fields.
pub(super) struct Facts {
    text: String,
    numbers: Vec<f64>,
    ids: Vec<String>,
    names: Vec<String>,
    /// Lines ending in an amount (`1 x USB-C dock ..... $89.50`): description and amount.
    items: Vec<(String, f64)>,
}

fn parse_number(token: &str) -> Option<f64> {
    token
        .trim_start_matches(['$', '€', '£'])
        .replace(',', "")
        .parse()
        .ok()
}

fn clean(token: &str) -> &str {
    token.trim_matches(|c: char| ",.;:()#\"'?!".contains(c))
}

impl Facts {
    pub(super) fn from_text(text: &str) -> Facts {
        let tokens: Vec<&str> = text
            .split_whitespace()
            .map(clean)
            .filter(|t| !t.is_empty())
            .collect();
        let numbers = tokens.iter().filter_map(|t| parse_number(t)).collect();
        let ids = tokens
            .iter()
            .filter(|t| {
                t.chars().any(|c| c.is_ascii_digit()) && t.chars().any(|c| c.is_ascii_alphabetic())
            })
            .map(|t| t.to_string())
            .collect();
        let mut names = Vec::new();
        let mut run: Vec<&str> = Vec::new();
        for t in tokens.iter().chain(std::iter::once(&"")) {
            let capital = t.len() > 1
                && t.chars().next().is_some_and(char::is_uppercase)
                && t.chars().skip(1).all(char::is_lowercase);
            if capital {
                run.push(t);
            } else {
                if run.len() >= 2 {
                    names.push(run.join(" "));
                }
                run.clear();
            }
        }
        let items = text.lines().filter_map(line_item).collect();
        Facts {
            text: text.to_lowercase(),
            numbers,
            ids,
            names,
            items,
        }
    }

    /// A value that follows `schema`; `key` is the property name, `item` the array position.
    pub(super) fn value_for(&self, schema: &Value, key: &str, item: Option<usize>) -> Value {
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(c) = schema.get("const") {
            return c.clone();
        }
        for combo in ["anyOf", "oneOf", "allOf"] {
            if let Some(first) = schema
                .get(combo)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                return self.value_for(first, key, item);
            }
        }
        let kind = match schema.get("type") {
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|k| *k != "null"),
            Some(Value::String(k)) => Some(k.as_str()),
            _ if schema.get("properties").is_some() => Some("object"),
            _ => None,
        };
        match kind.unwrap_or_else(|| guess_kind(key)) {
            "object" => {
                let mut out = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (name, sub) in props {
                        out.insert(name.clone(), self.value_for(sub, name, item));
                    }
                }
                let required = schema.get("required").and_then(Value::as_array);
                for name in required.into_iter().flatten().filter_map(Value::as_str) {
                    if !out.contains_key(name) {
                        out.insert(name.to_string(), self.value_for(&json!({}), name, item));
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let element = schema
                    .get("items")
                    .cloned()
                    .unwrap_or(json!({"type": "string"}));
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1) as usize;
                let count = if self.items.is_empty() {
                    2
                } else {
                    self.items.len()
                };
                let count = count.clamp(min.max(1), 5);
                Value::Array(
                    (0..count)
                        .map(|i| self.value_for(&element, key, Some(i)))
                        .collect(),
                )
            }
            "number" => json!(self.number_for(key, item)),
            "integer" => json!(self.number_for(key, item).round() as i64),
            "boolean" => json!(true),
            "null" => Value::Null,
            _ => json!(self.string_for(key, item)),
        }
    }

    fn number_for(&self, key: &str, item: Option<usize>) -> f64 {
        let key = key.to_lowercase();
        if let Some((_, amount)) = item.and_then(|i| self.items.get(i)) {
            return *amount;
        }
        if ["total", "sum", "max"].iter().any(|k| key.contains(k)) {
            return self.numbers.iter().copied().fold(0.0, f64::max);
        }
        self.numbers.first().copied().unwrap_or(42.0)
    }

    fn string_for(&self, key: &str, item: Option<usize>) -> String {
        let key_l = key.to_lowercase();
        if let Some((description, _)) = item.and_then(|i| self.items.get(i)) {
            return description.clone();
        }
        if ["number", "id", "code", "ref"]
            .iter()
            .any(|k| key_l.contains(k))
            && let Some(id) = self.ids.first()
        {
            return id.clone();
        }
        if let Some(word) = self.word_before(&key_l) {
            return word;
        }
        self.names.first().cloned().unwrap_or_else(|| {
            if key.is_empty() {
                "example".into()
            } else {
                format!("example {key}")
            }
        })
    }

    /// The word just before `key` in the text (`payments service` gives `payments`).
    fn word_before(&self, key: &str) -> Option<String> {
        if key.len() < 3 {
            return None;
        }
        let at = self.text.find(key)?;
        let before = self.text[..at].split_whitespace().last().map(clean)?;
        (before.len() >= 3
            && !STOPWORDS.contains(&before)
            && before.chars().all(char::is_alphanumeric))
        .then(|| before.to_string())
    }
}

/// `number`-ish and `string`-ish field names, for required fields with no schema.
fn guess_kind(key: &str) -> &'static str {
    let key = key.to_lowercase();
    let numeric = [
        "amount", "total", "price", "count", "qty", "quantity", "sum",
    ];
    if numeric.iter().any(|k| key.contains(k)) {
        "number"
    } else {
        "string"
    }
}

/// `2 x ergonomic keyboard ........ $178.00` as (`ergonomic keyboard`, 178.0).
fn line_item(line: &str) -> Option<(String, f64)> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let (last, rest) = tokens.split_last()?;
    if !last.starts_with(['$', '€', '£']) {
        return None;
    }
    let amount = parse_number(clean(last))?;
    let mut words: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|t| !t.chars().all(|c| c == '.'))
        .collect();
    if words.len() >= 2 && words[0].parse::<u32>().is_ok() && words[1] == "x" {
        words.drain(..2);
    }
    let description = words.join(" ").trim_end_matches('.').trim().to_string();
    (!description.is_empty()).then_some((description, amount))
}

#[cfg(test)]
#[path = "mock_schema_tests.rs"]
mod tests;
