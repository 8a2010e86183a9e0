//! Tool calls wherever frameworks put them in a model's output: OpenAI chat `tool_calls` (and
//! legacy `function_call`), OpenAI Responses `function_call` items, Anthropic `tool_use` blocks,
//! Gemini `function_call` parts, OTel GenAI `parts[type=tool_call]`, LangChain `tool_calls` /
//! `additional_kwargs.tool_calls`, Vercel AI SDK `{toolCallId, toolName}`, pydantic-ai
//! `tool-call` parts, and OpenInference's `tool_call.function.*` (see docs/trace.md).
//!
//! Only outputs are searched: a call replayed in a later input history is not a new call.

use super::model::ToolRequest;
use serde_json::{Map, Value};

/// Objects visited at most per output, so a hostile output cannot make this slow.
const MAX_NODES: usize = 100_000;

/// How deep JSON written inside a string is followed (koog puts the calls as a JSON string in the
/// message content).
const MAX_NESTING: usize = 2;

/// Every tool call requested in `output` (a parsed JSON output), in document order, without
/// duplicates (OpenAI's legacy `function_call` repeats the first of `tool_calls`).
pub fn extract(output: &Value) -> Vec<ToolRequest> {
    let mut found: Vec<ToolRequest> = Vec::new();
    walk(output, &mut found, &mut 0, 0);
    found
}

fn walk(output: &Value, found: &mut Vec<ToolRequest>, visited: &mut usize, nesting: usize) {
    let mut stack = vec![output];
    while let Some(v) = stack.pop() {
        *visited += 1;
        if *visited > MAX_NODES {
            return;
        }
        match v {
            Value::Object(o) => match request(o) {
                Some(r) => {
                    let dup = found
                        .iter()
                        .any(|f| f.name == r.name && f.arguments == r.arguments);
                    if !dup {
                        found.push(r);
                    }
                }
                None => stack.extend(o.values().rev()),
            },
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::String(s) if nesting < MAX_NESTING && looks_like_json(s) => {
                if let Ok(inner) = serde_json::from_str::<Value>(s) {
                    walk(&inner, found, visited, nesting + 1);
                }
            }
            _ => {}
        }
    }
}

fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{') || t.starts_with('[')
}

/// Parse `text` as JSON and extract its tool calls; plain text has none.
pub fn extract_text(text: &str) -> Vec<ToolRequest> {
    if !looks_like_json(text) {
        return Vec::new();
    }
    serde_json::from_str::<Value>(text.trim_start())
        .map(|v| extract(&v))
        .unwrap_or_default()
}

/// Give every LLM span whose reader found no tool calls the ones its output asks for.
pub fn fill(spans: &mut [super::Span]) {
    for span in spans
        .iter_mut()
        .filter(|s| s.kind == super::SpanKind::Llm && s.tool_calls.is_empty())
    {
        let calls = span.output.as_deref().map(extract_text).unwrap_or_default();
        if !calls.is_empty() {
            span.tool_calls = calls;
        }
    }
}

/// This object is one tool call in one of the known shapes.
fn request(o: &Map<String, Value>) -> Option<ToolRequest> {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let kind = s("type").or_else(|| s("part_kind")).unwrap_or_default();
    // OpenAI chat / LangChain additional_kwargs / OpenInference: {id, function: {name, arguments}}.
    if let Some(Value::Object(f)) = o.get("function") {
        let name = f.get("name")?.as_str()?.to_string();
        return Some(made(s("id"), name, f.get("arguments")));
    }
    // Legacy OpenAI {function_call: {name, arguments}} sits on the message itself.
    if let Some(Value::Object(f)) = o.get("function_call").or_else(|| o.get("functionCall"))
        && let Some(name) = f.get("name").and_then(Value::as_str)
    {
        let args = f.get("arguments").or_else(|| f.get("args"));
        let id = f.get("id").and_then(Value::as_str).map(str::to_string);
        return Some(made(id, name.to_string(), args));
    }
    let name = s("name")
        .or_else(|| s("toolName"))
        .or_else(|| s("tool_name"));
    let id = s("call_id")
        .or_else(|| s("toolCallId"))
        .or_else(|| s("tool_call_id"))
        .or_else(|| s("id"));
    let args = ["arguments", "args", "input"]
        .iter()
        .find_map(|k| o.get(*k));
    match kind.as_str() {
        // Responses API, Anthropic, GenAI parts, LangChain tool_calls, pydantic-ai.
        "function_call" | "tool_use" | "tool_call" | "tool-call" => Some(made(id, name?, args)),
        // Vercel AI SDK: {type: "tool-call", toolCallId, toolName, args}.
        _ if o.contains_key("toolCallId") && o.contains_key("toolName") => {
            Some(made(id, name?, args))
        }
        _ => None,
    }
}

fn made(id: Option<String>, name: String, args: Option<&Value>) -> ToolRequest {
    ToolRequest {
        id: id.filter(|i| !i.is_empty()),
        name,
        arguments: match args {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
        },
    }
}

#[cfg(test)]
#[path = "toolcalls_tests.rs"]
mod tests;
