//! `/v1/chat/completions`: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, OpenRouter.

use super::http::{Endpoint, JsonReply};
use super::{BoxFuture, Provider, ProviderError, Request, Response, ToolCall};
use crate::prompt::ResponseFormat;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};

/// A provider speaking the OpenAI chat completions format.
pub struct OpenAiCompat {
    endpoint: Endpoint,
}

impl OpenAiCompat {
    /// `base_url` is the API root (`https://api.openai.com/v1`); the key is read from `key_env`
    /// at each call.
    pub fn new(
        name: &str,
        base_url: &str,
        key_env: Option<String>,
        headers: HeaderMap,
    ) -> Result<Self, ProviderError> {
        let url = format!("{}/chat/completions", base_url.trim_end_matches('/'));
        let auth = (AUTHORIZATION, "Bearer ");
        Ok(OpenAiCompat {
            endpoint: Endpoint::new(name, url, key_env, headers, auth)?,
        })
    }

    /// Read at most `bytes` of any answer (`[run] max_response_mb`; default 32 MiB).
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.endpoint.set_max_body(bytes);
        self
    }

    /// Where requests go.
    pub fn url(&self) -> &str {
        self.endpoint.url()
    }

    async fn send(&self, request: &Request) -> Result<Response, ProviderError> {
        let logprobs = request.logprobs.is_some();
        let body = request_body(request);
        let parse = |reply| parse_response(reply, logprobs);
        let answer = if request.params.streams() {
            let assembler = super::stream_openai::OpenAiStream::new(logprobs);
            self.endpoint.send_stream(&body, assembler, parse).await
        } else {
            self.endpoint.send(&body, parse).await
        }
        .map_err(|e| hint_v1(e, self.endpoint.url()));
        match request.params.response_format {
            Some(ResponseFormat::JsonObject) => answer,
            _ if request.params.response_schema.is_some() => answer.map_err(|e| e.schema_refusal()),
            _ => answer,
        }
    }
}

/// A 404 from a base URL without `/v1` is nearly always the missing API prefix: say so.
fn hint_v1(e: ProviderError, url: &str) -> ProviderError {
    match e {
        ProviderError::Http {
            status: 404,
            message,
            retry_after,
        } if !url.contains("/v1/") => ProviderError::Http {
            status: 404,
            message: format!(
                "{message} (at {url}; OpenAI-compatible servers usually need /v1 at the end of base_url)"
            ),
            retry_after,
        },
        other => other,
    }
}

impl Provider for OpenAiCompat {
    fn name(&self) -> &str {
        self.endpoint.name()
    }

    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>> {
        Box::pin(self.send(request))
    }

    fn supports_logprobs(&self) -> bool {
        true
    }

    fn wire_body(&self, request: &Request) -> Option<Value> {
        Some(request_body(request))
    }
}

/// The JSON body of a chat completions request.
pub(crate) fn request_body(request: &Request) -> Value {
    let p = &request.params;
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let mut message = json!({"role": m.role.as_str(), "content": m.content});
            if !m.tool_calls.is_empty() {
                let calls: Vec<Value> = m
                    .tool_calls
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "type": "function",
                               "function": {"name": c.name, "arguments": c.arguments}})
                    })
                    .collect();
                message["tool_calls"] = json!(calls);
                if m.content.is_empty() {
                    message["content"] = Value::Null;
                }
            }
            if let Some(id) = &m.tool_call_id {
                message["tool_call_id"] = json!(id);
            }
            message
        })
        .collect();
    let mut body = json!({"model": request.model, "messages": messages});
    let obj = body.as_object_mut();
    let Some(obj) = obj else { return body };
    if let Some(t) = p.temperature {
        obj.insert("temperature".into(), json!(t));
    }
    if let Some(t) = p.top_p {
        obj.insert("top_p".into(), json!(t));
    }
    if let Some(t) = p.max_tokens {
        obj.insert("max_tokens".into(), json!(t));
    }
    if let Some(s) = p.seed {
        obj.insert("seed".into(), json!(s));
    }
    if !p.stop.is_empty() {
        obj.insert("stop".into(), json!(p.stop));
    }
    match (&p.response_schema, p.response_format) {
        (_, Some(ResponseFormat::JsonObject)) => {
            obj.insert("response_format".into(), json!({"type": "json_object"}));
        }
        (Some(schema), _) => {
            obj.insert(
                "response_format".into(),
                json!({"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}),
            );
        }
        (None, _) => {}
    }
    if p.streams() {
        obj.insert("stream".into(), json!(true));
        obj.insert("stream_options".into(), json!({"include_usage": true}));
    }
    if !request.tools.is_empty() {
        obj.insert("tools".into(), json!(request.tools));
    }
    if let Some(choice) = &p.tool_choice {
        obj.insert("tool_choice".into(), choice.clone());
    }
    if let Some(top) = request.logprobs {
        obj.insert("logprobs".into(), json!(true));
        obj.insert("top_logprobs".into(), json!(top));
    }
    body
}

/// `logprobs`: read token logprobs (only when they were asked for, so `--no-logprobs` stores none).
fn parse_response(reply: JsonReply, logprobs: bool) -> Result<Response, ProviderError> {
    let v = &reply.value;
    let choice = v
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| shape_error("no choices[0]"))?;
    let message = choice
        .get("message")
        .ok_or_else(|| shape_error("no choices[0].message"))?;
    let text = match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => content_parts_text(other),
    };
    let tool_calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| calls.iter().map(tool_call).collect())
        .unwrap_or_default();
    let (usage, usage_source) = super::tokens::response_usage(v, super::tokens::openai_usage)?;
    Ok(Response {
        text,
        tool_calls,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        usage,
        usage_source,
        system_fingerprint: v
            .get("system_fingerprint")
            .and_then(Value::as_str)
            .map(str::to_string),
        logprobs: logprobs.then(|| super::parse_openai(choice)).flatten(),
        latency: reply.latency,
        raw: Some(reply.text),
        region: reply.region,
        ttft: None,
    })
}

fn shape_error(what: &str) -> ProviderError {
    ProviderError::BadResponse(format!("not a chat completion: {what}"))
}

/// Content given as an array of parts (`[{type: "text", text}]`), joined.
fn content_parts_text(content: &Value) -> String {
    content
        .as_array()
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("")
        })
        .unwrap_or_default()
}

fn tool_call(call: &Value) -> ToolCall {
    let function = call.get("function");
    let field = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    ToolCall {
        id: field(Some(call), "id"),
        name: field(function, "name"),
        arguments: field(function, "arguments"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Message, Params, Role};

    #[test]
    fn body_carries_every_param() {
        let request = Request {
            model: "gpt-4o-mini".into(),
            messages: vec![Message::new(Role::User, "hi")],
            params: Params {
                temperature: Some(0.0),
                top_p: Some(1.0),
                max_tokens: Some(5),
                seed: Some(7),
                stop: vec!["\n".into()],
                response_schema: Some(json!({"type": "object"})),
                tool_choice: Some(json!("required")),
                ..Params::default()
            },
            tools: vec![json!({"type": "function", "function": {"name": "f"}})],
            sample_index: 3,
            logprobs: Some(5),
        };
        let body = request_body(&request);
        assert_eq!(
            (body["logprobs"].clone(), body["top_logprobs"].clone()),
            (json!(true), json!(5))
        );
        let plain = request_body(&Request::default());
        assert!(plain.get("logprobs").is_none());
        assert_eq!(body["seed"], 7);
        assert_eq!(body["max_tokens"], 5);
        assert_eq!(body["stop"][0], "\n");
        assert_eq!(body["response_format"]["type"], "json_schema");
        assert_eq!(body["tools"][0]["function"]["name"], "f");
        assert_eq!(body["tool_choice"], "required");
        assert_eq!(body["messages"][0]["role"], "user");
        assert!(body.get("stream").is_none());
    }

    #[test]
    fn stream_and_json_object_forms() {
        let mut request = Request::default();
        request.params.stream = Some(true);
        request.params.response_schema = Some(json!({"type": "object"}));
        request.params.response_format = Some(ResponseFormat::JsonObject);
        let body = request_body(&request);
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["response_format"], json!({"type": "json_object"}));
    }
}
