//! Plausible, deterministic answers for the mock provider, derived from the request alone:
//! JSON that follows the requested schema, a tool call when tools are offered, one label when the
//! system prompt lists a closed set, else the context sentence that best matches the question.

use super::{Request, ToolCall};
use crate::prompt::Role;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// The answer text and tool calls the mock gives to `request`.
pub(crate) fn answer(request: &Request) -> (String, Vec<ToolCall>) {
    let user = request.last_user_text();
    let facts = Facts::from_text(user);
    if let Some(schema) = &request.params.response_schema {
        let value = facts.value_for(schema, "", None);
        return (value.to_string(), Vec::new());
    }
    if let Some(tool) = request.tools.first() {
        let f = tool.get("function").unwrap_or(tool);
        let name = f.get("name").and_then(Value::as_str).unwrap_or("tool");
        let args = f
            .get("parameters")
            .map(|p| facts.value_for(p, "", None))
            .unwrap_or_else(|| json!({}));
        let call = ToolCall {
            id: "call_mock_1".into(),
            name: name.to_string(),
            arguments: args.to_string(),
        };
        return (String::new(), vec![call]);
    }
    let system = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(label) = closed_set_label(&system, user) {
        return (label, Vec::new());
    }
    (extractive_answer(user), Vec::new())
}

/// Words too common to say what a sentence is about.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "are", "how", "what", "when", "with", "any", "can", "not", "you", "this",
    "that", "from", "your", "long", "does", "into", "only", "there", "which", "who", "why",
];

/// Lowercase content words of 3+ letters, for overlap scores.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// How many words of `a` match a word of `b`, a shared 5-letter stem counting as a match
/// (`refund` ~ `refundable`).
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> usize {
    a.iter()
        .filter(|w| {
            b.iter().any(|v| {
                v == *w
                    || (w.len() >= 5
                        && v.len() >= 5
                        && (v.starts_with(w.as_str()) || w.starts_with(v.as_str())))
            })
        })
        .count()
}

/// When the system prompt ends with a comma list of short identifiers, pick the best match.
fn closed_set_label(system: &str, user: &str) -> Option<String> {
    let line = system.lines().rev().find(|l| {
        let items: Vec<&str> = l.split(',').map(str::trim).collect();
        items.len() >= 3
            && items.iter().all(|i| {
                !i.is_empty() && i.len() <= 32 && i.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    })?;
    let user_words = words(user);
    let mut best: Option<(usize, &str)> = None;
    for item in line.split(',').map(str::trim) {
        let score = overlap(&words(&item.replace('_', " ")), &user_words);
        if best.is_none_or(|(top, _)| score > top) {
            best = Some((score, item));
        }
    }
    best.map(|(_, item)| item.to_string())
}

/// The sentence of the message that shares most words with its question, citation kept.
fn extractive_answer(user: &str) -> String {
    let question = user
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("Question:"))
        .map(str::trim)
        .unwrap_or_else(|| user.trim());
    let asked = words(question);
    let best = user
        .lines()
        .filter(|l| !l.trim_start().starts_with("Question:"))
        .flat_map(|l| l.split_inclusive(". "))
        .map(str::trim)
        .filter(|s| s.len() > 12)
        .map(|s| (overlap(&words(s), &asked), s))
        .filter(|(score, _)| *score > 0)
        .max_by_key(|(score, s)| (*score, std::cmp::Reverse(s.len())));
    match best {
        Some((_, sentence)) => cite_last(sentence),
        None if question.is_empty() => "Hello! How can I help?".into(),
        None => format!(
            "Here is what I can say about \"{}\": it depends on details not given here.",
            crate::sanitize::one_line(question)
                .chars()
                .take(80)
                .collect::<String>()
        ),
    }
}

/// `[c2] Annual plans … purchase.` becomes `Annual plans … purchase [c2].`
fn cite_last(sentence: &str) -> String {
    if let Some(rest) = sentence.strip_prefix('[')
        && let Some(end) = rest.find(']')
    {
        let id = &rest[..end];
        let body = rest[end + 1..].trim().trim_end_matches('.');
        return format!("{body} [{id}].");
    }
    sentence.to_string()
}

/// Values found in the user text, handed out to schema fields.
struct Facts {
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
    fn from_text(text: &str) -> Facts {
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
    fn value_for(&self, schema: &Value, key: &str, item: Option<usize>) -> Value {
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
mod tests {
    use super::*;
    use crate::prompt::{Message, Params};

    fn req(system: &str, user: &str) -> Request {
        Request {
            model: "echo".into(),
            messages: vec![
                Message::new(Role::System, system),
                Message::new(Role::User, user),
            ],
            ..Request::default()
        }
    }

    #[test]
    fn answers_from_the_best_matching_context_line() {
        let r = req(
            "Answer from context.",
            "Context:\n[c1] Monthly plans can be cancelled at any time.\n[c2] Annual plans are refundable in full within 30 days of purchase.\n\nQuestion: How long is the refund window for annual plans?",
        );
        assert_eq!(
            answer(&r).0,
            "Annual plans are refundable in full within 30 days of purchase [c2]."
        );
    }

    #[test]
    fn picks_one_label_of_a_closed_set() {
        let r = req(
            "Reply with the category only:\nbilling, outage, bug, feature_request",
            "The site has an outage",
        );
        assert_eq!(answer(&r).0, "outage");
    }

    #[test]
    fn schema_answer_validates() {
        let schema = json!({"type": "object", "required": ["vendor", "invoice_number", "total", "currency", "items"],
            "properties": {"vendor": {"type": "string"}, "invoice_number": {"type": "string"},
            "total": {"type": "number"}, "currency": {"enum": ["USD", "EUR"]},
            "items": {"type": "array", "items": {"type": "object", "properties": {"amount": {"type": "number"}}}}}});
        let mut r = req(
            "Extract.",
            "INVOICE #INV-2291 from Northwind Traders.\n2 x keyboard ..... $178.00\n1 x dock .... $89.50",
        );
        r.params = Params {
            response_schema: Some(schema.clone()),
            ..Params::default()
        };
        let (text, _) = answer(&r);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert!(jsonschema::is_valid(&schema, &value), "{value}");
        assert_eq!(value["vendor"], "Northwind Traders");
        assert_eq!(value["invoice_number"], "INV-2291");
        assert_eq!(value["total"], 178.0);
        assert_eq!(value["items"][1]["amount"], 89.5);
    }

    #[test]
    fn tools_give_a_tool_call() {
        let mut r = req("Investigate.", "Is the payments service degraded?");
        r.tools = vec![
            json!({"type": "function", "function": {"name": "get_service_status",
            "parameters": {"type": "object", "properties": {"service": {"type": "string"}}}}}),
        ];
        let (text, calls) = answer(&r);
        assert!(text.is_empty());
        assert_eq!(calls[0].name, "get_service_status");
        assert_eq!(calls[0].arguments, r#"{"service":"payments"}"#);
    }
}
