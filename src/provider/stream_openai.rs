//! A streamed chat completion (`stream: true` with `stream_options.include_usage`) assembled into
//! the same [`Response`] the non-streamed call gives: text, tool calls, finish reason, usage,
//! fingerprint and logprobs, chunk by chunk.

use super::http_stream::{Assembler, Step, Timing, error_event, excerpt};
use super::stream_chunk::{Chunk, Text};
use super::{Response, ToolCall, Usage, UsageSource};
use serde::Serialize;
use serde_json::error::Category;
use serde_json::{Value, json};

/// The pieces of one streamed chat completion.
#[derive(Default)]
pub(crate) struct OpenAiStream {
    text: String,
    /// Tool calls by their `index` in the deltas.
    tools: Vec<ToolCall>,
    finish_reason: Option<String>,
    usage: Option<Usage>,
    fingerprint: Option<String>,
    model: Option<String>,
    /// `choices[0].logprobs.content` entries of every chunk, when asked for.
    logprobs: Option<Vec<Value>>,
}

impl OpenAiStream {
    /// An assembler; `logprobs`: keep token logprobs (only when they were asked for).
    pub(crate) fn new(logprobs: bool) -> OpenAiStream {
        OpenAiStream {
            logprobs: logprobs.then(Vec::new),
            ..OpenAiStream::default()
        }
    }

    fn tool_delta(&mut self, delta: &Value) {
        let index = delta.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
        while self.tools.len() <= index.min(255) {
            self.tools.push(ToolCall {
                id: String::new(),
                name: String::new(),
                arguments: String::new(),
            });
        }
        let Some(call) = self.tools.get_mut(index.min(255)) else {
            return;
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        if let Some(id) = delta.get("id").and_then(Value::as_str) {
            call.id = id.to_string();
        }
        let function = delta.get("function");
        call.name
            .push_str(&text(function.and_then(|f| f.get("name"))));
        call.arguments
            .push_str(&text(function.and_then(|f| f.get("arguments"))));
    }
}

/// Take a chunk's value of a field every chunk repeats (model, fingerprint), copying it only
/// when it changed: no allocation per token.
fn update(kept: &mut Option<String>, seen: &Text) {
    if let Some(new) = seen.as_deref()
        && kept.as_deref() != Some(new)
    {
        *kept = Some(new.to_string());
    }
}

impl Assembler for OpenAiStream {
    fn event(&mut self, _name: Option<&str>, data: &str) -> Result<Step, String> {
        if data.trim() == "[DONE]" {
            return Ok(Step::Done);
        }
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| match e.classify() {
            Category::Data => format!(
                "an event that is not a chat completion chunk ({e}): {:?}",
                excerpt(data)
            ),
            _ => format!("an event that is not JSON: {:?}", excerpt(data)),
        })?;
        if chunk.error.is_some() {
            let value: Value = serde_json::from_str(data).unwrap_or_default();
            return Err(error_event(&value).unwrap_or_else(|| "error event mid-stream".into()));
        }
        if let Some(u) = chunk.usage.as_ref().filter(|u| u.is_object()) {
            self.usage = Some(super::tokens::openai_usage(u)?);
        }
        update(&mut self.fingerprint, &chunk.system_fingerprint);
        update(&mut self.model, &chunk.model);
        let Some(choice) = chunk.choices.and_then(|c| c.0) else {
            return Ok(Step::Nothing);
        };
        update(&mut self.finish_reason, &choice.finish_reason);
        if let (Some(all), Some(tokens)) = (
            self.logprobs.as_mut(),
            choice.logprobs.and_then(|l| l.content),
        ) {
            all.extend(tokens);
        }
        let Some(delta) = choice.delta else {
            return Ok(Step::Nothing);
        };
        let mut step = Step::Nothing;
        if let Some(text) = delta.content.as_deref().filter(|t| !t.is_empty()) {
            self.text.push_str(text);
            step = Step::Content;
        }
        if let Some(calls) = delta.tool_calls {
            calls.iter().for_each(|c| self.tool_delta(c));
            step = Step::Content;
        }
        Ok(step)
    }

    fn partial(&self) -> &str {
        &self.text
    }

    fn finish(self, timing: Timing, region: Option<String>) -> Response {
        let (usage, usage_source) = match self.usage {
            Some(u) => (u, UsageSource::Provider),
            None => (Usage::default(), UsageSource::Estimated),
        };
        let logprobs = self
            .logprobs
            .and_then(|content| super::parse_openai(&json!({"logprobs": {"content": content}})));
        // The answer in the non-streamed shape, so reports and the backend split read it alike.
        let raw = RawAnswer {
            choices: [RawChoice {
                finish_reason: self.finish_reason.as_deref(),
                index: 0,
                message: RawMessage {
                    content: &self.text,
                    role: "assistant",
                },
            }],
            model: self.model.as_deref(),
            object: "chat.completion",
            streamed: true,
            system_fingerprint: self.fingerprint.as_deref(),
            usage: self.usage.map(|u| RawUsage {
                completion_tokens: u.output,
                prompt_tokens: u.input,
            }),
        };
        let raw = serde_json::to_string(&raw).ok();
        Response {
            text: self.text,
            tool_calls: self.tools,
            finish_reason: self.finish_reason,
            usage,
            usage_source,
            system_fingerprint: self.fingerprint,
            latency: timing.latency,
            raw,
            logprobs,
            region,
            ttft: timing.ttft,
        }
    }
}

/// The assembled answer as the non-streamed call returns it, serialised straight from borrowed
/// fields (fields in alphabetical order, as a `serde_json::Value` would print them).
#[derive(Serialize)]
struct RawAnswer<'a> {
    choices: [RawChoice<'a>; 1],
    model: Option<&'a str>,
    object: &'static str,
    streamed: bool,
    system_fingerprint: Option<&'a str>,
    usage: Option<RawUsage>,
}

#[derive(Serialize)]
struct RawChoice<'a> {
    finish_reason: Option<&'a str>,
    index: u32,
    message: RawMessage<'a>,
}

#[derive(Serialize)]
struct RawMessage<'a> {
    content: &'a str,
    role: &'static str,
}

#[derive(Serialize)]
struct RawUsage {
    completion_tokens: i64,
    prompt_tokens: i64,
}

#[cfg(test)]
#[path = "stream_openai_tests.rs"]
mod tests;
