//! Anthropic's free token counter, `POST /v1/messages/count_tokens`: the exact input tokens of
//! a Messages request (system, messages, tools) as Anthropic bills them, for `temper cost
//! --exact`. Same headers as the Messages API (`x-api-key`, `anthropic-version`); the key is
//! read from its env var at each call and scrubbed from every error (docs/cost.md).

use super::anthropic::{API_VERSION, request_body};
use super::http::{Endpoint, JsonReply};
use super::{ProviderError, Request};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// The fields of a Messages body that count_tokens accepts; sampling params are left out.
const COUNTED: [&str; 5] = ["model", "messages", "system", "tools", "tool_choice"];

/// Whether a model's exact count can be asked for.
pub enum Counter {
    /// The counter and the model name to put in its requests.
    Ready(Box<TokenCounter>, String),
    /// Why not (not an Anthropic provider, no key set…).
    Unavailable(String),
}

/// A client of one Anthropic provider's count_tokens endpoint.
pub struct TokenCounter {
    endpoint: Endpoint,
}

impl TokenCounter {
    /// `base_url` as for the Messages API (`https://api.anthropic.com`, with or without `/v1`).
    pub fn new(
        name: &str,
        base_url: &str,
        key_env: Option<String>,
        mut headers: HeaderMap,
    ) -> Result<Self, ProviderError> {
        let base = base_url.trim_end_matches('/');
        let base = base.strip_suffix("/v1").unwrap_or(base);
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(API_VERSION),
        );
        let auth = (HeaderName::from_static("x-api-key"), "");
        let url = format!("{base}/v1/messages/count_tokens");
        Ok(TokenCounter {
            endpoint: Endpoint::new(name, url, key_env, headers, auth)?,
        })
    }

    /// The input tokens of `request` as Anthropic counts them.
    pub async fn count(&self, request: &Request) -> Result<u64, ProviderError> {
        let mut body = request_body(request);
        if let Some(obj) = body.as_object_mut() {
            obj.retain(|k, _| COUNTED.contains(&k.as_str()));
        }
        self.endpoint.send(&body, parse).await
    }
}

fn parse(reply: JsonReply) -> Result<u64, ProviderError> {
    reply
        .value
        .get("input_tokens")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ProviderError::BadResponse(format!(
                "count_tokens answered without an input_tokens count: {}",
                reply.text.chars().take(200).collect::<String>()
            ))
        })
}
