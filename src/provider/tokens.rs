//! Token counting for providers that report no usage (mock, replay of old samples, servers that
//! leave `usage` out): the real offline tokenizer from [`crate::cost`], chat framing included,
//! so an estimated count matches what `temper cost` predicts for the same request. Counts made
//! here are stored with `usage_source = estimated`.

use super::{Request, ToolCall};

/// Tokens of `text` as the model `model` would count them (o200k_base unless the model is an
/// OpenAI model with its own encoding).
pub fn estimate_tokens(model: &str, text: &str) -> i64 {
    saturate(crate::cost::count_text(model, text).tokens)
}

/// Input tokens of a whole request: messages with chat framing, tools and response schema,
/// exactly as [`crate::cost::count_request`] counts them.
pub fn estimate_input(request: &Request) -> i64 {
    let count = crate::cost::count_request(
        &request.model,
        &request.messages,
        &request.tools,
        request.params.response_schema.as_ref(),
    );
    saturate(count.tokens)
}

/// Output tokens of an answer: its text plus the arguments of its tool calls.
pub fn estimate_output(model: &str, text: &str, tool_calls: &[ToolCall]) -> i64 {
    estimate_tokens(model, text)
        + tool_calls
            .iter()
            .map(|c| estimate_tokens(model, &c.arguments))
            .sum::<i64>()
}

fn saturate(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Message, Role};

    #[test]
    fn counts_with_the_real_tokenizer_and_chat_framing() {
        assert_eq!(estimate_tokens("echo", ""), 0);
        // "hello world" is two o200k tokens.
        assert_eq!(estimate_tokens("echo", "hello world"), 2);
        let request = Request {
            model: "echo".into(),
            messages: vec![Message::new(Role::User, "hello world")],
            ..Request::default()
        };
        // 3 per message + "user" (1) + content (2) + 3 reply priming.
        assert_eq!(estimate_input(&request), 9);
    }
}
