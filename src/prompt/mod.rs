//! The prompt model: what a version stores, how it renders with variables, and its TOML file form.
//!
//! A [`PromptBody`] is the unit that is content-hashed and versioned. Its JSON form (stable key
//! order, from `BTreeMap` and struct field order) is what the store hashes, so two saves of the
//! same content always hash alike.

mod examples;
mod file;
mod render;
mod tool_use;

pub use examples::{EXAMPLES, example_prompts};
pub use file::{FileError, PromptFile, validate_label, validate_name};
pub use render::{RenderError, Rendered, render, template_vars};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who speaks a message; the names match the OpenAI and Anthropic wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    /// The wire name, as used in files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// One chat message; `content` may hold `{{var}}` placeholders before rendering.
///
/// An agent transcript replays tool use: an `assistant` message lists the `tool_calls` it made,
/// and each `tool` message names the call it answers in `tool_call_id` (OpenAI rejects a tool
/// message without one; Anthropic needs it for its `tool_result` block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    #[serde(default)]
    pub content: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<MessageToolCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// A tool call an assistant message made, in a replayed transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageToolCall {
    /// The id the answering `tool` message names in `tool_call_id`.
    pub id: String,
    pub name: String,
    /// The arguments: a JSON object as text, as OpenAI sends them.
    #[serde(default = "empty_object")]
    pub arguments: String,
}

fn empty_object() -> String {
    "{}".into()
}

impl Message {
    /// A message with the given role and content.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    /// The content with the tool use written out (`→ call_1: search(…)`, `(answers call_1)`),
    /// for people: the TUI, `temper prompt show` and version diffs.
    pub fn display_text(&self) -> String {
        let mut out = String::new();
        if let Some(id) = &self.tool_call_id {
            out.push_str(&format!("(answers {id})\n"));
        }
        out.push_str(&self.content);
        for call in &self.tool_calls {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("→ {}: {}({})", call.id, call.name, call.arguments));
        }
        out
    }
}

/// Sampling parameters; each is optional so a variant can override only what it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// A JSON schema the answer must follow (OpenAI `response_format: json_schema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_schema: Option<serde_json::Value>,
    /// Which tool the model must call (OpenAI `tool_choice`: `"auto"`, `"required"`, or
    /// `{type: function, function: {name}}`), as a replayed trace recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<serde_json::Value>,
    /// How `response_schema` is asked for: `json_schema` (the default) or `json_object` for
    /// servers without json_schema support (temper then checks the schema itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Send a streaming request (SSE) and assemble the answer; measures time to first token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
}

/// The `response_format` a request asks for when the prompt has a `response_schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseFormat {
    /// `{"type": "json_schema", ...}`: the server enforces the schema (OpenAI).
    JsonSchema,
    /// `{"type": "json_object"}`: any JSON object; temper checks the schema afterwards
    /// (llama.cpp servers, Ollama and others without json_schema).
    JsonObject,
}

impl ResponseFormat {
    /// The wire and variant spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseFormat::JsonSchema => "json_schema",
            ResponseFormat::JsonObject => "json_object",
        }
    }
}

/// The temperature sent when neither the variant, the session nor the prompt sets one: temper
/// measures what a prompt does at temperature 0, never a server's own default (often 1.0).
pub const DEFAULT_TEMPERATURE: f64 = 0.0;

impl Params {
    /// `self` with every field that `over` sets taken from `over` (variant params over defaults).
    pub fn merged_with(&self, over: &Params) -> Params {
        Params {
            temperature: over.temperature.or(self.temperature),
            top_p: over.top_p.or(self.top_p),
            max_tokens: over.max_tokens.or(self.max_tokens),
            seed: over.seed.or(self.seed),
            stop: if over.stop.is_empty() {
                self.stop.clone()
            } else {
                over.stop.clone()
            },
            response_schema: over
                .response_schema
                .clone()
                .or_else(|| self.response_schema.clone()),
            tool_choice: over
                .tool_choice
                .clone()
                .or_else(|| self.tool_choice.clone()),
            response_format: over.response_format.or(self.response_format),
            stream: over.stream.or(self.stream),
        }
    }

    /// These params as they are sent: the temperature made explicit ([`DEFAULT_TEMPERATURE`]
    /// when nothing set one).
    pub fn effective(&self) -> Params {
        Params {
            temperature: Some(self.temperature.unwrap_or(DEFAULT_TEMPERATURE)),
            ..self.clone()
        }
    }

    /// Whether the request streams (`stream=true`).
    pub fn streams(&self) -> bool {
        self.stream == Some(true)
    }
}

/// The versioned content of a prompt: messages, default params, tools and default vars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptBody {
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Tool definitions in the OpenAI function-tool shape (`{type, function{name, parameters}}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<serde_json::Value>,
    /// Default values for `{{var}}` placeholders, so a prompt runs with no `--var`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
}

impl PromptBody {
    /// Canonical JSON: what is hashed and stored. Field order is fixed by the struct.
    pub fn canonical_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Content hash (sha256 hex) of the canonical JSON; equal content, equal hash.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.canonical_json().as_bytes()))
    }
}
