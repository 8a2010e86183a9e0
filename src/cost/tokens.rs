//! Offline token counting with tiktoken's BPE tables (embedded in tiktoken-rs: no network).
//!
//! OpenAI models are counted with their own encoding (o200k_base for GPT-4o/4.1/4.5/5 and the
//! o-series, cl100k_base for GPT-4 and GPT-3.5) and the chat framing of OpenAI's cookbook
//! ("How to count tokens with tiktoken"). Every other model (Anthropic, Llama, Qwen, Mistral,
//! mock…) is counted with o200k_base and marked `estimated`: close, never exact.

use crate::prompt::Message;
use serde::Serialize;
use std::sync::OnceLock;
use tiktoken_rs::CoreBPE;

/// Which BPE table counted the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    O200kBase,
    Cl100kBase,
    /// Only if an embedded table failed to load (never expected): about 4 bytes per token.
    BytesOver4,
}

impl Encoding {
    /// The name tiktoken uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
            Encoding::BytesOver4 => "bytes/4",
        }
    }
}

/// A token count and whether it is an estimate (the tokenizer is not the model's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TokenCount {
    pub tokens: u64,
    pub estimated: bool,
    pub encoding: Encoding,
}

impl TokenCount {
    /// The sum of two counts; estimated if either is.
    pub fn plus(self, other: TokenCount) -> TokenCount {
        TokenCount {
            tokens: self.tokens + other.tokens,
            estimated: self.estimated || other.estimated,
            encoding: self.encoding,
        }
    }
}

/// The encoding that counts `model` and whether it is the model's own tokenizer.
///
/// `model` may be `provider:model` or bare; a vendor prefix such as `openai/` (OpenRouter,
/// Groq) is ignored. gpt-oss uses the harmony chat format, so its framing is only estimated.
pub fn encoding_for(model: &str) -> (Encoding, bool) {
    let name = bare_model_name(model).to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    if starts(&["gpt-oss"]) {
        return (Encoding::O200kBase, false);
    }
    if starts(&[
        "gpt-4o",
        "gpt-4.1",
        "gpt-4.5",
        "gpt-5",
        "chatgpt-4o",
        "o1",
        "o3",
        "o4",
    ]) {
        return (Encoding::O200kBase, true);
    }
    if starts(&[
        "gpt-4",
        "gpt-3.5",
        "gpt-35",
        "text-embedding-3",
        "text-embedding-ada-002",
    ]) {
        return (Encoding::Cl100kBase, true);
    }
    (Encoding::O200kBase, false)
}

/// `model` without a `provider:` prefix and without a vendor path (`openai/gpt-4o` -> `gpt-4o`).
fn bare_model_name(model: &str) -> &str {
    let after_provider = match model.split_once(':') {
        Some((provider, rest)) if is_provider_like(provider) => rest,
        _ => model,
    };
    after_provider.rsplit('/').next().unwrap_or(after_provider)
}

/// A provider name is a plain identifier (`openai`, `my-vllm`); `llama3.2` in `llama3.2:3b` is not.
pub(crate) fn is_provider_like(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The BPE for an encoding, loaded once per process from the tables compiled into the binary.
fn bpe(encoding: Encoding) -> Option<&'static CoreBPE> {
    static O200K: OnceLock<Option<CoreBPE>> = OnceLock::new();
    static CL100K: OnceLock<Option<CoreBPE>> = OnceLock::new();
    match encoding {
        Encoding::O200kBase => O200K.get_or_init(|| tiktoken_rs::o200k_base().ok()),
        Encoding::Cl100kBase => CL100K.get_or_init(|| tiktoken_rs::cl100k_base().ok()),
        Encoding::BytesOver4 => &None,
    }
    .as_ref()
}

/// Load an encoding now (e.g. on a background thread at start-up) so the first count is fast.
/// Returns false if its table could not be loaded, in which case counts fall back to bytes/4.
pub fn warm_up(encoding: Encoding) -> bool {
    bpe(encoding).is_some()
}

/// Start loading o200k_base (the encoding most models use) on a background thread, so it is
/// ready by the time a prompt is rendered; a count made meanwhile waits for it.
pub fn warm_up_in_background() {
    std::thread::spawn(|| warm_up(Encoding::O200kBase));
}

/// Count `text` with `encoding`. Special-token text such as `<|endoftext|>` is counted as
/// ordinary text, as the APIs do with user content.
fn count_with(encoding: Encoding, text: &str) -> (u64, Encoding) {
    match bpe(encoding) {
        Some(bpe) => (bpe.encode_ordinary(text).len() as u64, encoding),
        None => (text.len().div_ceil(4) as u64, Encoding::BytesOver4),
    }
}

/// `text` cut into the tokens `model`'s tokenizer sees, each as text (the mock's synthetic
/// logprobs are per token, like a real server's). `None` when no table is loaded or a token is
/// not valid UTF-8 on its own (a multi-byte character split across tokens).
pub fn split_text(model: &str, text: &str) -> Option<Vec<String>> {
    bpe(encoding_for(model).0)?
        .split_by_token_ordinary(text)
        .ok()
}

/// Tokens of `text` for `model` (no chat framing).
pub fn count_text(model: &str, text: &str) -> TokenCount {
    let (encoding, own) = encoding_for(model);
    let (tokens, used) = count_with(encoding, text);
    TokenCount {
        tokens,
        estimated: !own || used != encoding,
        encoding: used,
    }
}

/// Framing tokens per message and once per request, from OpenAI's cookbook.
const TOKENS_PER_MESSAGE: u64 = 3;
/// `<|start|>assistant<|message|>`: every reply is primed with three tokens.
const REPLY_PRIMING: u64 = 3;

/// Tokens of a chat request's messages for `model`, framing included (3 per message, 3 for the
/// reply priming; gpt-3.5-turbo-0301 used 4 per message).
pub fn count_chat(model: &str, messages: &[Message]) -> TokenCount {
    chat_with(model, encoding_for(model), messages)
}

/// [`count_chat`] with the encoding given (bytes/4 counts without loading any table).
fn chat_with(model: &str, (encoding, own): (Encoding, bool), messages: &[Message]) -> TokenCount {
    let per_message = if bare_model_name(model) == "gpt-3.5-turbo-0301" {
        4
    } else {
        TOKENS_PER_MESSAGE
    };
    let mut used = encoding;
    let mut tokens = REPLY_PRIMING;
    for message in messages {
        let (role, u1) = count_with(encoding, message.role.as_str());
        let (mut content, u2) = count_with(encoding, &message.content);
        // A replayed tool call is sent as its name and arguments (framing not modelled).
        for call in &message.tool_calls {
            content += count_with(encoding, &call.name).0 + count_with(encoding, &call.arguments).0;
        }
        if u1 != encoding || u2 != encoding {
            used = Encoding::BytesOver4;
        }
        tokens += per_message + role + content;
    }
    TokenCount {
        tokens,
        estimated: !own || used != encoding,
        encoding: used,
    }
}

/// Tokens that function-tool definitions (OpenAI shape) add to a request, following the
/// cookbook's `num_tokens_for_tools`: 7 per function on o200k models (10 on cl100k), the
/// `name:description` line, 3 + 3 per property with its `name:type:description` line, enum
/// values, and 12 to close the list.
pub fn count_tools(model: &str, tools: &[serde_json::Value]) -> TokenCount {
    tools_with(encoding_for(model), tools)
}

/// [`count_tools`] with the encoding given.
fn tools_with((encoding, own): (Encoding, bool), tools: &[serde_json::Value]) -> TokenCount {
    let mut count = TokenCount {
        tokens: 0,
        estimated: !own,
        encoding,
    };
    if tools.is_empty() {
        return count;
    }
    let func_init: i64 = if encoding == Encoding::Cl100kBase {
        10
    } else {
        7
    };
    let (prop_init, prop_key, enum_init, enum_item, func_end) = (3i64, 3i64, -3i64, 3i64, 12i64);
    let mut total: i64 = 0;
    let mut text = |t: &str, total: &mut i64| {
        let (n, used) = count_with(encoding, t);
        if used != encoding {
            count.estimated = true;
            count.encoding = used;
        }
        *total += n as i64;
    };
    for tool in tools {
        let function = tool.get("function").unwrap_or(tool);
        total += func_init;
        let name = str_field(function, "name");
        let desc = str_field(function, "description");
        text(
            &format!("{name}:{}", desc.trim_end_matches('.')),
            &mut total,
        );
        let properties = function
            .get("parameters")
            .and_then(|p| p.get("properties"))
            .and_then(|p| p.as_object());
        let Some(properties) = properties.filter(|p| !p.is_empty()) else {
            continue;
        };
        total += prop_init;
        for (key, spec) in properties {
            total += prop_key;
            if let Some(values) = spec.get("enum").and_then(|e| e.as_array()) {
                total += enum_init;
                for value in values {
                    total += enum_item;
                    let value = value
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| value.to_string());
                    text(&value, &mut total);
                }
            }
            let kind = match spec.get("type") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let desc = str_field(spec, "description");
            text(
                &format!("{key}:{kind}:{}", desc.trim_end_matches('.')),
                &mut total,
            );
        }
    }
    total += func_end;
    count.tokens = total.max(0) as u64;
    count
}

fn str_field<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// Input tokens of a whole request: messages, tools and the response schema.
///
/// OpenAI does not publish how a `json_schema` response format is framed, so a schema is
/// counted as its compact JSON text and the total is marked estimated.
pub fn count_request(
    model: &str,
    messages: &[Message],
    tools: &[serde_json::Value],
    response_schema: Option<&serde_json::Value>,
) -> TokenCount {
    request_with(
        model,
        encoding_for(model),
        (messages, tools, response_schema),
    )
}

/// A request's messages, tools and response schema.
type RequestParts<'a> = (
    &'a [Message],
    &'a [serde_json::Value],
    Option<&'a serde_json::Value>,
);

fn request_with(model: &str, encoding: (Encoding, bool), parts: RequestParts<'_>) -> TokenCount {
    let (messages, tools, response_schema) = parts;
    let mut total = chat_with(model, encoding, messages).plus(tools_with(encoding, tools));
    if let Some(schema) = response_schema {
        let (tokens, used) = count_with(encoding.0, &schema.to_string());
        total = total.plus(TokenCount {
            tokens,
            estimated: true,
            encoding: used,
        });
    }
    total
}

/// Input tokens of a whole request as [`count_request`] frames them, but at about 4 bytes per
/// token and marked estimated: for a figure no money depends on (a local or unpriced model),
/// so `temper run` never loads a BPE table (tens of MB, ~100 ms) on the path of a request.
pub fn rough_count_request(
    model: &str,
    messages: &[Message],
    tools: &[serde_json::Value],
    response_schema: Option<&serde_json::Value>,
) -> TokenCount {
    let bytes = (Encoding::BytesOver4, false);
    request_with(model, bytes, (messages, tools, response_schema))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::Role;

    #[test]
    fn own_tokenizer_only_for_openai_models() {
        assert_eq!(
            encoding_for("openai:gpt-4o-mini"),
            (Encoding::O200kBase, true)
        );
        assert_eq!(encoding_for("gpt-5"), (Encoding::O200kBase, true));
        assert_eq!(encoding_for("o3-mini"), (Encoding::O200kBase, true));
        assert_eq!(encoding_for("openai:gpt-4"), (Encoding::Cl100kBase, true));
        assert_eq!(
            encoding_for("openrouter:openai/gpt-3.5-turbo"),
            (Encoding::Cl100kBase, true)
        );
        assert_eq!(
            encoding_for("anthropic:claude-sonnet-4-5"),
            (Encoding::O200kBase, false)
        );
        assert_eq!(
            encoding_for("ollama:llama3.2"),
            (Encoding::O200kBase, false)
        );
        assert_eq!(encoding_for("llama3.2:3b"), (Encoding::O200kBase, false));
        assert_eq!(encoding_for("mock:echo"), (Encoding::O200kBase, false));
    }

    #[test]
    fn chat_framing_adds_three_per_message_and_three_for_the_reply() {
        let messages = [Message::new(Role::User, "hello world")];
        let chat = count_chat("gpt-4o", &messages);
        // "user" = 1 token, "hello world" = 2 tokens.
        assert_eq!(chat.tokens, 3 + 1 + 2 + 3);
        assert!(!chat.estimated);
        assert!(count_chat("claude-haiku-4-5", &messages).estimated);
    }

    #[test]
    fn tools_without_properties_still_cost_the_frame() {
        let tool = serde_json::json!({"type": "function", "function": {"name": "ping"}});
        let count = count_tools("gpt-4o", &[tool]);
        // 7 (function) + "ping:" (2 tokens) + 12 (end)
        assert_eq!(count.tokens, 7 + count_text("gpt-4o", "ping:").tokens + 12);
        assert_eq!(count_tools("gpt-4o", &[]).tokens, 0);
    }
}
