//! Plausible, deterministic answers for the mock provider, derived from the request alone:
//! JSON that follows the requested schema, a tool call when tools are offered, one label when the
//! system prompt lists a closed set, else the context sentence that best matches the question.

use super::mock_schema::Facts;
use super::{Request, ToolCall};
use crate::prompt::Role;
use serde_json::{Value, json};
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
pub(super) const STOPWORDS: &[&str] = &[
    "the", "and", "for", "are", "how", "what", "when", "with", "any", "can", "not", "you", "this",
    "that", "from", "your", "long", "does", "into", "only", "there", "which", "who", "why",
];

/// Lowercase content words of 3+ letters, for overlap scores.
pub(super) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// How many words of `a` match a word of `b`, a shared 5-letter stem counting as a match
/// (`refund` ~ `refundable`).
pub(super) fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::Message;

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
