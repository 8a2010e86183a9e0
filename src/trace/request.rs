//! The request an LLM span made, rebuilt from whatever the trace recorded, so `temper replay`
//! can send it again (docs/replay.md). Readers keep the raw parts on [`Span::request`] (see
//! [`capture`]); [`reconstruct`] turns them, or the span's input as a fallback, into messages
//! with roles and tool use, tool definitions and sampling params.

use super::attrs::{Attrs, first_text, indexed, text};
use super::model::{Span, SpanKind};
use super::wire::JsonText;
use crate::prompt::{Message, MessageToolCall, Params, ResponseFormat, Role};
use serde_json::{Map, Value, json};
use thiserror::Error;

/// A span's request, ready to be saved as a prompt and fired again.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    pub messages: Vec<Message>,
    /// Tool definitions in the OpenAI function-tool shape.
    pub tools: Vec<Value>,
    pub params: Params,
    /// The provider family the instrumentation named (`openai`, `anthropic`…), when it did.
    pub system: Option<String>,
    pub model: Option<String>,
    /// What the model answered (text, or its tool calls as `name(arguments)` lines).
    pub output: Option<String>,
}

/// Why a span's request cannot be rebuilt; each says what is missing and how to get it.
#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    #[error(
        "span {id} is a {kind} span, not an LLM call: pick an `llm` span from `temper trace FILE`"
    )]
    NotLlm { id: String, kind: &'static str },
    #[error(
        "span {id} has no captured messages: the instrumentation did not record the prompt (enable message capture, e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, and pass the logs file after the trace when prompts are log records)"
    )]
    NoMessages { id: String },
}

/// Attribute keys whose raw values replay needs, beside what the span model keeps.
const PARAM_KEYS: [(&str, &str); 7] = [
    ("gen_ai.request.temperature", "temperature"),
    ("gen_ai.request.top_p", "top_p"),
    ("gen_ai.request.max_tokens", "max_tokens"),
    ("gen_ai.request.seed", "seed"),
    ("gen_ai.request.stop_sequences", "stop"),
    ("gen_ai.request.choice.count", "n"),
    ("gen_ai.request.tool_choice", "tool_choice"),
];

/// The raw request parts of an LLM span's attributes, as `{messages, tools, params, system,
/// output}` in the OpenAI shape; `None` when the span recorded none of them.
pub fn capture(a: &Attrs) -> Option<Value> {
    let mut out = Map::new();
    let messages: Vec<Value> = indexed(a, "llm.input_messages")
        .iter()
        .map(|m| oi_message(a, m))
        .collect();
    if !messages.is_empty() {
        out.insert("messages".into(), Value::Array(messages));
    } else if let Some(v) = text(a, "gen_ai.input.messages").and_then(|t| parse(&t)) {
        out.insert("messages".into(), v);
    }
    let tools: Vec<Value> = indexed(a, "llm.tools")
        .iter()
        .filter_map(|t| text(a, &format!("{t}.tool.json_schema")).and_then(|s| parse(&s)))
        .collect();
    if !tools.is_empty() {
        out.insert("tools".into(), Value::Array(tools));
    }
    let mut params = text(a, "llm.invocation_parameters")
        .and_then(|p| parse(&p))
        .and_then(|p| p.as_object().cloned())
        .unwrap_or_default();
    for (key, name) in PARAM_KEYS {
        if let Some(v) = text(a, key) {
            params
                .entry(name)
                .or_insert_with(|| parse(&v).unwrap_or(Value::String(v)));
        }
    }
    if !params.is_empty() {
        out.insert("params".into(), Value::Object(params));
    }
    let system = [
        "llm.provider",
        "llm.system",
        "gen_ai.system",
        "gen_ai.provider.name",
    ];
    if let Some(s) = first_text(a, &system) {
        out.insert("system".into(), Value::String(s));
    }
    if let Some(o) = text(a, "llm.output_messages.0.message.content") {
        out.insert("output".into(), Value::String(o));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// One OpenInference flattened message (`prefix.message.role`, `.content`, `.contents.N`,
/// `.tool_calls.N.tool_call.*`, `.tool_call_id`) in the OpenAI shape.
fn oi_message(a: &Attrs, prefix: &str) -> Value {
    let field = |f: &str| text(a, &format!("{prefix}.message.{f}"));
    let content = field("content").or_else(|| {
        let parts: Vec<String> = indexed(a, &format!("{prefix}.message.contents"))
            .iter()
            .filter_map(|p| text(a, &format!("{p}.message_content.text")))
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    });
    let calls: Vec<Value> = indexed(a, &format!("{prefix}.message.tool_calls"))
        .iter()
        .map(|c| {
            let f = |k: &str| text(a, &format!("{c}.tool_call.{k}"));
            json!({"id": f("id"), "type": "function", "function": {
                "name": f("function.name"), "arguments": f("function.arguments")}})
        })
        .collect();
    let mut m = json!({"role": field("role"), "content": content});
    if !calls.is_empty() {
        m["tool_calls"] = Value::Array(calls);
    }
    if let Some(id) = field("tool_call_id") {
        m["tool_call_id"] = Value::String(id);
    }
    m
}

/// A number, or a string holding one (OTLP int64 and OpenInference counts are strings).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Rebuild the request of `span`: from its captured parts, else from its input when that is an
/// OpenAI request body or a JSON array of messages.
pub fn reconstruct(span: &Span) -> Result<LlmRequest, RequestError> {
    if span.kind != SpanKind::Llm {
        return Err(RequestError::NotLlm {
            id: span.id.to_string(),
            kind: span.kind.as_str(),
        });
    }
    let captured = span
        .request
        .as_ref()
        .map(JsonText::value)
        .unwrap_or_default();
    let input = span.input.as_deref().and_then(parse).unwrap_or_default();
    let body = if input.is_object() {
        input.clone()
    } else {
        json!({"messages": input})
    };
    let no_messages = || RequestError::NoMessages {
        id: span.id.to_string(),
    };
    let messages = captured
        .get("messages")
        .and_then(messages)
        .filter(|m| !m.is_empty())
        .or_else(|| body.get("messages").and_then(messages))
        .filter(|m| !m.is_empty())
        .filter(|m| {
            m.iter()
                .any(|m| !m.content.is_empty() || !m.tool_calls.is_empty())
        })
        .ok_or_else(no_messages)?;
    let tools = [captured.get("tools"), body.get("tools")]
        .into_iter()
        .flatten()
        .find_map(|t| t.as_array().filter(|t| !t.is_empty()).cloned())
        .unwrap_or_default();
    let mut raw = body.as_object().cloned().unwrap_or_default();
    if let Some(Value::Object(p)) = captured.get("params") {
        raw.extend(p.clone());
    }
    Ok(LlmRequest {
        messages,
        tools,
        params: params(&raw),
        system: captured
            .get("system")
            .and_then(Value::as_str)
            .map(str::to_string),
        model: span
            .model
            .as_deref()
            .map(str::to_string)
            .or_else(|| str_at(&raw, "model")),
        output: recorded_output(span, &captured),
    })
}

fn str_at(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Messages in the OpenAI shape, or GenAI's `{role, parts: [...]}`; `None` when the value is
/// not a list of messages (e.g. llama-index's printed `ChatMessage(...)` strings).
fn messages(value: &Value) -> Option<Vec<Message>> {
    value.as_array()?.iter().map(message).collect()
}

fn message(m: &Value) -> Option<Message> {
    let role = match m.get("role")?.as_str()? {
        "system" | "developer" => Role::System,
        "user" | "human" => Role::User,
        "assistant" | "ai" | "model" => Role::Assistant,
        "tool" | "function" => Role::Tool,
        _ => return None,
    };
    let mut out = Message::new(role, content_text(m.get("content")));
    for call in m
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let f = call.get("function").unwrap_or(call);
        out.tool_calls.push(MessageToolCall {
            id: call.get("id").and_then(Value::as_str).unwrap_or("").into(),
            name: f.get("name").and_then(Value::as_str).unwrap_or("").into(),
            arguments: arguments_text(f.get("arguments")),
        });
    }
    out.tool_call_id = m
        .get("tool_call_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    for part in m
        .get("parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        genai_part(part, &mut out);
    }
    Some(out)
}

/// One GenAI semconv message part: text, a tool call, or a tool call's response.
fn genai_part(part: &Value, out: &mut Message) {
    let s = |k: &str| part.get(k).and_then(Value::as_str).map(str::to_string);
    match part.get("type").and_then(Value::as_str) {
        Some("text") => out.content.push_str(&s("content").unwrap_or_default()),
        Some("tool_call") => out.tool_calls.push(MessageToolCall {
            id: s("id").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            arguments: arguments_text(part.get("arguments")),
        }),
        Some("tool_call_response") => {
            out.tool_call_id = s("id");
            out.content.push_str(&content_text(part.get("response")));
        }
        _ => {}
    }
}

/// Message content as text: a string, or the text parts of a content array joined.
fn content_text(content: Option<&Value>) -> String {
    match content {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p.get("text")?.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(other) => other.to_string(),
    }
}

fn arguments_text(args: Option<&Value>) -> String {
    match args {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => "{}".into(),
        Some(other) => other.to_string(),
    }
}

/// Sampling params from a request body or invocation parameters (OpenAI names, plus
/// `max_completion_tokens`, llama-index's `num_output` and GenAI's `stop_sequences`).
fn params(raw: &Map<String, Value>) -> Params {
    let num = |keys: &[&str]| keys.iter().find_map(|k| number(raw.get(*k)?));
    let stop = match raw.get("stop").or_else(|| raw.get("stop_sequences")) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let schema = raw
        .get("response_format")
        .and_then(|f| f.pointer("/json_schema/schema").or_else(|| f.get("schema")))
        .filter(|s| s.is_object())
        .cloned();
    Params {
        temperature: num(&["temperature"]),
        top_p: num(&["top_p"]),
        max_tokens: num(&["max_tokens", "max_completion_tokens", "num_output"])
            .filter(|n| *n >= 0.0 && *n <= f64::from(u32::MAX))
            .map(|n| n as u32),
        seed: num(&["seed"]).filter(|n| *n >= 0.0).map(|n| n as u64),
        stop,
        response_schema: schema,
        tool_choice: raw.get("tool_choice").filter(|c| !c.is_null()).cloned(),
        response_format: raw
            .get("response_format")
            .and_then(|f| f.get("type"))
            .and_then(Value::as_str)
            .and_then(|t| match t {
                "json_object" => Some(ResponseFormat::JsonObject),
                "json_schema" => Some(ResponseFormat::JsonSchema),
                _ => None,
            }),
        stream: raw.get("stream").and_then(Value::as_bool),
    }
}

/// The recorded answer: the first output message's content, else the text inside a recorded
/// response body, else the output as is; tool calls as `name(arguments)` lines when no text.
fn recorded_output(span: &Span, captured: &Value) -> Option<String> {
    let text = captured
        .get("output")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| span.output.as_deref().map(output_text))
        .filter(|t| !t.trim().is_empty());
    text.or_else(|| {
        let lines: Vec<String> = span
            .tool_calls
            .iter()
            .map(|c| format!("{}({})", c.name, c.arguments.as_deref().unwrap_or("{}")))
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    })
}

/// The answer text inside a recorded output: an OpenAI response (`choices[0].message`), a
/// message (`{role, content}`, llama-index `blocks`), or a list of them; else the text itself.
fn output_text(output: &str) -> String {
    let Some(v) = parse(output).filter(|v| v.is_object() || v.is_array()) else {
        return output.to_string();
    };
    let message = v
        .pointer("/choices/0/message")
        .or_else(|| v.get("message"))
        .or_else(|| v.as_array().and_then(|a| a.last()))
        .unwrap_or(&v);
    if let Some(blocks) = message.get("blocks").and_then(Value::as_array) {
        return content_text(Some(&Value::Array(blocks.clone())));
    }
    match message.get("content") {
        Some(c) => content_text(Some(c)),
        None if message.get("role").is_some() => String::new(),
        None => output.to_string(),
    }
}

/// Add a GenAI log record's message (`gen_ai.user.message` body `{content}`, assistant
/// `{content, tool_calls}`, tool `{content, id}`) to the span's captured messages, in order.
pub fn push_log_message(span: &mut Span, role: &str, body: &Value) {
    let mut message = body.as_object().cloned().unwrap_or_default();
    message.insert("role".into(), Value::String(role.to_string()));
    if role == "tool"
        && let Some(id) = message.remove("id")
    {
        message.insert("tool_call_id".into(), id);
    }
    let mut request = span
        .request
        .as_ref()
        .map_or_else(|| json!({}), JsonText::value);
    if let Some(obj) = request.as_object_mut() {
        let list = obj.entry("messages").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.push(Value::Object(message));
        }
    }
    span.request = Some(JsonText::new(&request));
}
