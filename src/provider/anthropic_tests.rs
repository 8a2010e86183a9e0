//! Unit tests of `anthropic.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::{Message, Params};

#[test]
fn system_apart_and_schema_as_forced_tool() {
    let request = Request {
        model: "claude-sonnet-4-5".into(),
        messages: vec![
            Message::new(Role::System, "be brief"),
            Message::new(Role::User, "hi"),
        ],
        params: Params {
            response_schema: Some(json!({"type": "object"})),
            stop: vec!["END".into()],
            ..Params::default()
        },
        ..Request::default()
    };
    let body = request_body(&request);
    assert_eq!(body["system"], "be brief");
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
    assert_eq!(body["tool_choice"]["name"], SCHEMA_TOOL);
    assert_eq!(body["stop_sequences"][0], "END");
}
