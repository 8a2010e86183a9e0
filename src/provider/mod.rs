//! Model providers: one trait, one request and response shape, many wire formats.
//!
//! A model is addressed `provider:model` (`openai:gpt-4o-mini`, `mock:drift?p=0.3`); the
//! [`Registry`] turns that into a [`Provider`] from the config. Only this module speaks HTTP.
//! Providers never retry: the runner owns retries, timeouts and cancellation, and asks the error
//! whether it is worth another attempt ([`ProviderError::is_retryable`]).

mod anthropic;
mod anthropic_count;
mod error;
mod http;
mod http_body;
mod http_client;
mod http_stream;
pub mod logprob_codec;
mod logprobs;
mod mock;
mod mock_answer;
mod mock_judge;
mod mock_logprobs;
mod mock_schema;
mod openai_compat;
mod redact;
mod registry;
mod replay;
mod stream_anthropic;
mod stream_chunk;
mod stream_openai;
mod stream_sse;
mod tokens;

pub use anthropic::Anthropic;
pub use anthropic_count::{Counter, TokenCounter};
pub use error::ProviderError;
pub use logprobs::{Alternative, DEFAULT_TOP_LOGPROBS, TokenLogprob, parse_openai};
pub use mock::{Mock, MockOptions};
pub use openai_compat::OpenAiCompat;
pub use registry::{ModelRef, ProviderEntry, Registry};
pub use replay::{Outcome, Recorded, RecordedRuns, Replay};
pub use tokens::{estimate_input, estimate_output, estimate_tokens};

use crate::prompt::{Message, Params};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so [`Provider`] stays object-safe (`Arc<dyn Provider>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that answers chat requests. Implementations must not retry or sleep between
/// attempts; they report what happened and let the runner decide.
pub trait Provider: Send + Sync {
    /// The provider's name as addressed (`openai`, `mock`, …), for messages.
    fn name(&self) -> &str;
    /// Send one request and return its answer or a typed error.
    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>>;
    /// Whether the wire format can return token logprobs (so the runner asks for them).
    fn supports_logprobs(&self) -> bool {
        false
    }
    /// The JSON body this provider sends for `request` (no headers, no key), for
    /// `temper show-request`; `None` for providers that send nothing over the wire.
    fn wire_body(&self, _request: &Request) -> Option<serde_json::Value> {
        None
    }
}

/// One call to a model: already rendered messages plus sampling parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The model name inside the provider (`gpt-4o-mini`, `drift`), without the `provider:` part.
    pub model: String,
    pub messages: Vec<Message>,
    /// temperature, top_p, max_tokens, seed, stop, response_schema and format, stream.
    pub params: Params,
    /// Tool definitions in the OpenAI function-tool shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<serde_json::Value>,
    /// Which of the N samples this is; the mock and replay providers answer per index.
    #[serde(default)]
    pub sample_index: u32,
    /// Ask for token logprobs with this many alternatives per token (providers that cannot
    /// return them ignore it). Not part of [`Request::content_hash`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<u8>,
}

impl Request {
    /// Hash of what was asked (messages, params, tools; not the model or sample index), so the
    /// same question sent to two models, or replayed, can be matched.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let key = serde_json::json!([self.messages, self.params, self.tools]);
        hex::encode(Sha256::digest(key.to_string().as_bytes()))
    }

    /// The text of the last user message (what mocks answer), or "" when there is none.
    pub fn last_user_text(&self) -> &str {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == crate::prompt::Role::User)
            .map(|m| m.content.as_str())
            .unwrap_or("")
    }
}

/// A tool call the model asked for; `arguments` is the JSON text the model produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// Tool calls as comparable text, one `name(arguments)` line each, ids left out: two answers
/// that call the same tools with the same arguments read the same.
pub fn tool_calls_as_text(calls: &[ToolCall]) -> String {
    calls
        .iter()
        .map(|c| format!("{}({})", c.name, c.arguments))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Token counts of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input: i64,
    pub output: i64,
    /// Input tokens served from the provider's prompt cache.
    pub cached: i64,
}

/// Who counted the tokens: the provider's own report, or temper's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsageSource {
    Provider,
    Estimated,
}

impl UsageSource {
    /// The stored spelling (`samples.usage_source`).
    pub fn as_str(self) -> &'static str {
        match self {
            UsageSource::Provider => "provider",
            UsageSource::Estimated => "estimated",
        }
    }
}

/// A model's answer with everything the analysis and cost views need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
    pub usage: Usage,
    pub usage_source: UsageSource,
    pub system_fingerprint: Option<String>,
    /// Time from sending the request to having the whole body.
    pub latency: Duration,
    /// The response body as received (JSON text), for `report` and replay.
    pub raw: Option<String>,
    /// Token logprobs, when asked for and the server sent them.
    pub logprobs: Option<Vec<TokenLogprob>>,
    /// The serving region from a response header (`x-ms-region`, …), when the provider says.
    pub region: Option<String>,
    /// Time from sending the request to the first answer token, for streamed requests.
    pub ttft: Option<Duration>,
}

impl Response {
    /// An answer with estimated usage, for providers that do not report any.
    pub fn estimated(request: &Request, text: String, tool_calls: Vec<ToolCall>) -> Response {
        let input = tokens::estimate_input(request);
        let output = tokens::estimate_output(&request.model, &text, &tool_calls);
        let finish = if tool_calls.is_empty() {
            "stop"
        } else {
            "tool_calls"
        };
        Response {
            text,
            tool_calls,
            finish_reason: Some(finish.to_string()),
            usage: Usage {
                input,
                output,
                cached: 0,
            },
            usage_source: UsageSource::Estimated,
            system_fingerprint: None,
            latency: Duration::ZERO,
            raw: None,
            logprobs: None,
            region: None,
            ttft: None,
        }
    }
}
