//! The Anthropic Messages API: system prompt apart, content blocks, `tool_use`.
//!
//! A `response_schema` is enforced the way Anthropic documents for JSON output: one tool whose
//! `input_schema` is the schema, forced with `tool_choice`; its input becomes the answer text.

use super::http::{Endpoint, JsonReply};
use super::{BoxFuture, Provider, ProviderError, Request, Response, ToolCall};
use crate::prompt::Role;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

/// `anthropic-version` sent with every request.
pub(crate) const API_VERSION: &str = "2023-06-01";
/// Anthropic requires `max_tokens`; used when the prompt sets none.
const DEFAULT_MAX_TOKENS: u32 = 1024;
/// The tool that carries a schema-shaped answer.
const SCHEMA_TOOL: &str = "respond";

/// A provider speaking the Anthropic Messages API.
pub struct Anthropic {
    endpoint: Endpoint,
}

impl Anthropic {
    /// `base_url` is `https://api.anthropic.com` (with or without `/v1`).
    pub fn new(
        name: &str,
        base_url: &str,
        key_env: Option<String>,
        mut headers: HeaderMap,
    ) -> Result<Self, ProviderError> {
        let base = base_url.trim_end_matches('/');
        let url = if base.ends_with("/v1") {
            format!("{base}/messages")
        } else {
            format!("{base}/v1/messages")
        };
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(API_VERSION),
        );
        let auth = (HeaderName::from_static("x-api-key"), "");
        Ok(Anthropic {
            endpoint: Endpoint::new(name, url, key_env, headers, auth)?,
        })
    }

    /// Read at most `bytes` of any answer (`[run] max_response_mb`; default 32 MiB).
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.endpoint.set_max_body(bytes);
        self
    }

    async fn send(&self, request: &Request) -> Result<Response, ProviderError> {
        let schema_answer = request.params.response_schema.is_some();
        let body = request_body(request);
        let parse = |reply| parse_response(reply, schema_answer);
        if request.params.streams() {
            let tool = schema_answer.then_some(SCHEMA_TOOL);
            let assembler = super::stream_anthropic::AnthropicStream::new(tool);
            self.endpoint.send_stream(&body, assembler, parse).await
        } else {
            self.endpoint.send(&body, parse).await
        }
    }
}

impl Provider for Anthropic {
    fn name(&self) -> &str {
        self.endpoint.name()
    }

    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>> {
        Box::pin(self.send(request))
    }

    fn wire_body(&self, request: &Request) -> Option<Value> {
        Some(request_body(request))
    }
}

/// A message's content: plain text, or blocks when it replays tool use (`tool_use` blocks for
/// an assistant's calls, a `tool_result` block for a tool message's answer).
fn content_blocks(m: &crate::prompt::Message) -> Value {
    if let (Role::Tool, Some(id)) = (m.role, &m.tool_call_id) {
        return json!([{"type": "tool_result", "tool_use_id": id, "content": m.content}]);
    }
    if m.tool_calls.is_empty() {
        return json!(m.content);
    }
    let mut blocks = Vec::new();
    if !m.content.is_empty() {
        blocks.push(json!({"type": "text", "text": m.content}));
    }
    for call in &m.tool_calls {
        let input: Value = serde_json::from_str(&call.arguments).unwrap_or_else(|_| json!({}));
        blocks.push(json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input}));
    }
    json!(blocks)
}

/// The JSON body of a Messages request.
pub(crate) fn request_body(request: &Request) -> Value {
    let p = &request.params;
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<Value> = request
        .messages
        .iter()
        .filter(|m| m.role != Role::System)
        .map(|m| {
            let role = if m.role == Role::Assistant {
                "assistant"
            } else {
                "user"
            };
            json!({"role": role, "content": content_blocks(m)})
        })
        .collect();
    let mut body = json!({
        "model": request.model,
        "max_tokens": p.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
    });
    let Some(obj) = body.as_object_mut() else {
        return body;
    };
    if !system.is_empty() {
        obj.insert("system".into(), json!(system.join("\n\n")));
    }
    if let Some(t) = p.temperature {
        obj.insert("temperature".into(), json!(t));
    }
    if let Some(t) = p.top_p {
        obj.insert("top_p".into(), json!(t));
    }
    if !p.stop.is_empty() {
        obj.insert("stop_sequences".into(), json!(p.stop));
    }
    if p.streams() {
        obj.insert("stream".into(), json!(true));
    }
    let mut tools: Vec<Value> = request.tools.iter().map(tool_definition).collect();
    if let Some(schema) = &p.response_schema {
        tools.push(json!({
            "name": SCHEMA_TOOL,
            "description": "Give the answer as JSON following this schema.",
            "input_schema": schema,
        }));
        obj.insert(
            "tool_choice".into(),
            json!({"type": "tool", "name": SCHEMA_TOOL}),
        );
    }
    if !tools.is_empty() {
        obj.insert("tools".into(), Value::Array(tools));
    }
    body
}

/// An OpenAI function tool (`{type, function{name, description, parameters}}`) in Anthropic form.
fn tool_definition(tool: &Value) -> Value {
    let f = tool.get("function").unwrap_or(tool);
    json!({
        "name": f.get("name").cloned().unwrap_or(Value::Null),
        "description": f.get("description").cloned().unwrap_or(json!("")),
        "input_schema": f.get("parameters").or_else(|| f.get("input_schema")).cloned()
            .unwrap_or(json!({"type": "object"})),
    })
}

fn parse_response(reply: JsonReply, schema_answer: bool) -> Result<Response, ProviderError> {
    let v = &reply.value;
    let blocks = v.get("content").and_then(Value::as_array).ok_or_else(|| {
        ProviderError::BadResponse("not a Messages API answer: no content array".into())
    })?;
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("tool_use") => {
                let name = block.get("name").and_then(Value::as_str).unwrap_or("");
                let input = block.get("input").cloned().unwrap_or(json!({}));
                if schema_answer && name == SCHEMA_TOOL {
                    text = input.to_string();
                } else {
                    tool_calls.push(ToolCall {
                        id: block.get("id").and_then(Value::as_str).unwrap_or("").into(),
                        name: name.into(),
                        arguments: input.to_string(),
                    });
                }
            }
            _ => {}
        }
    }
    let (usage, usage_source) = super::tokens::response_usage(v, super::tokens::anthropic_usage)?;
    Ok(Response {
        text,
        tool_calls,
        finish_reason: v
            .get("stop_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        usage,
        usage_source,
        system_fingerprint: None,
        latency: reply.latency,
        raw: Some(reply.text),
        logprobs: None,
        region: reply.region,
        ttft: None,
    })
}

#[cfg(test)]
#[path = "anthropic_tests.rs"]
mod tests;
