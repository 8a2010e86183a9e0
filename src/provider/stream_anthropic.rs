//! A streamed Messages API answer (`message_start`, `content_block_*`, `message_delta`,
//! `message_stop`) assembled into the same [`Response`] as the non-streamed call, including the
//! schema tool whose input is the answer when the prompt has a `response_schema`.

use super::http_stream::{Assembler, Step, Timing, error_event, excerpt};
use super::{Response, ToolCall, Usage, UsageSource};
use serde_json::{Value, json};

/// One content block as it streams in.
enum Block {
    Text,
    Tool(ToolCall),
}

/// The pieces of one streamed Messages answer.
pub(crate) struct AnthropicStream {
    /// The tool whose input is the answer (`respond`), when a schema was asked for.
    schema_tool: Option<&'static str>,
    text: String,
    blocks: Vec<Block>,
    stop_reason: Option<String>,
    usage: Option<Usage>,
    model: Option<String>,
}

impl AnthropicStream {
    /// An assembler; `schema_tool` names the tool that carries a schema-shaped answer.
    pub(crate) fn new(schema_tool: Option<&'static str>) -> AnthropicStream {
        AnthropicStream {
            schema_tool,
            text: String::new(),
            blocks: Vec::new(),
            stop_reason: None,
            usage: None,
            model: None,
        }
    }

    fn start(&mut self, message: &Value) -> Result<(), String> {
        self.model = message
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(u) = message.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(super::tokens::anthropic_usage(u)?);
        }
        Ok(())
    }

    fn block_start(&mut self, block: &Value) {
        let text = |k: &str| {
            block
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        self.blocks
            .push(match block.get("type").and_then(Value::as_str) {
                Some("tool_use") => Block::Tool(ToolCall {
                    id: text("id"),
                    name: text("name"),
                    arguments: String::new(),
                }),
                _ => Block::Text,
            });
    }

    fn delta(&mut self, delta: &Value) -> Step {
        let piece = |k: &str| delta.get(k).and_then(Value::as_str).unwrap_or("");
        match (
            delta.get("type").and_then(Value::as_str),
            self.blocks.last_mut(),
        ) {
            (Some("text_delta"), _) => self.text.push_str(piece("text")),
            (Some("input_json_delta"), Some(Block::Tool(call))) => {
                call.arguments.push_str(piece("partial_json"));
            }
            _ => return Step::Nothing,
        }
        Step::Content
    }
}

impl Assembler for AnthropicStream {
    fn event(&mut self, name: Option<&str>, data: &str) -> Result<Step, String> {
        let value: Value = serde_json::from_str(data)
            .map_err(|_| format!("an event that is not JSON: {:?}", excerpt(data)))?;
        if let Some(why) = error_event(&value) {
            return Err(why);
        }
        let kind = name.or_else(|| value.get("type").and_then(Value::as_str));
        let null = Value::Null;
        let field = |k: &str| value.get(k).unwrap_or(&null);
        Ok(match kind {
            Some("message_start") => {
                self.start(field("message"))?;
                Step::Nothing
            }
            Some("content_block_start") => {
                self.block_start(field("content_block"));
                Step::Nothing
            }
            Some("content_block_delta") => self.delta(field("delta")),
            Some("message_delta") => {
                if let Some(reason) = value.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.stop_reason = Some(reason.to_string());
                }
                if let (Some(usage), Some(u)) = (self.usage.as_mut(), value.get("usage")) {
                    usage.output = super::tokens::reported(u, &["output_tokens"])?;
                }
                Step::Nothing
            }
            Some("message_stop") => Step::Done,
            _ => Step::Nothing,
        })
    }

    fn partial(&self) -> &str {
        &self.text
    }

    fn finish(self, timing: Timing, region: Option<String>) -> Response {
        let mut text = self.text;
        let mut tool_calls = Vec::new();
        for block in self.blocks {
            if let Block::Tool(mut call) = block {
                if call.arguments.is_empty() {
                    call.arguments = "{}".into();
                }
                // Normalised like the non-streamed answer, which re-serialises the input.
                if let Ok(v) = serde_json::from_str::<Value>(&call.arguments) {
                    call.arguments = v.to_string();
                }
                if self.schema_tool == Some(call.name.as_str()) {
                    text = call.arguments;
                } else {
                    tool_calls.push(call);
                }
            }
        }
        let (usage, usage_source) = match self.usage {
            Some(u) => (u, UsageSource::Provider),
            None => (Usage::default(), UsageSource::Estimated),
        };
        let raw = json!({
            "type": "message", "streamed": true, "model": self.model,
            "stop_reason": self.stop_reason,
            "content": [{"type": "text", "text": text}],
            "usage": {"input_tokens": usage.input, "output_tokens": usage.output},
        });
        Response {
            text,
            tool_calls,
            finish_reason: self.stop_reason,
            usage,
            usage_source,
            system_fingerprint: None,
            latency: timing.latency,
            raw: Some(raw.to_string()),
            logprobs: None,
            region,
            ttft: timing.ttft,
        }
    }
}

#[cfg(test)]
#[path = "stream_anthropic_tests.rs"]
mod tests;
