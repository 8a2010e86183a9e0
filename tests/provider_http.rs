//! The OpenAI-compatible and Anthropic providers against a real HTTP server on 127.0.0.1:
//! documented response shapes, the headers sent, and every way a server can misbehave.

mod common;

use common::{Reply, TestServer};
use reqwest::header::HeaderMap;
use serde_json::json;
use std::time::Duration;
use temper::prompt::{Message, Params, Role};
use temper::provider::{Anthropic, OpenAiCompat, Provider, ProviderError, Request, UsageSource};

const KEY_ENV: &str = "TEMPER_TEST_PROVIDER_HTTP_KEY";
const KEY: &str = "sk-test-secret-123";

fn set_key() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any request reads it, with a name no other test uses.
    ONCE.call_once(|| unsafe { std::env::set_var(KEY_ENV, KEY) });
}

fn openai(server: &TestServer) -> OpenAiCompat {
    set_key();
    let base = format!("{}/v1", server.base_url());
    OpenAiCompat::new("openai", &base, Some(KEY_ENV.into()), HeaderMap::new()).unwrap()
}

fn anthropic(server: &TestServer) -> Anthropic {
    set_key();
    Anthropic::new(
        "anthropic",
        &server.base_url(),
        Some(KEY_ENV.into()),
        HeaderMap::new(),
    )
    .unwrap()
}

fn request() -> Request {
    Request {
        model: "gpt-4o-mini".into(),
        messages: vec![
            Message::new(Role::System, "Be brief."),
            Message::new(Role::User, "Say hello"),
        ],
        params: Params {
            temperature: Some(0.0),
            seed: Some(7),
            max_tokens: Some(20),
            ..Params::default()
        },
        ..Request::default()
    }
}

async fn fails_with(provider: &dyn Provider, server: &TestServer, reply: Reply) -> ProviderError {
    server.push(reply);
    provider.complete(&request()).await.unwrap_err()
}

#[tokio::test]
async fn openai_answer_usage_fingerprint_and_headers() {
    let server = TestServer::start(Reply::json(
        200,
        common::openai_text("Hello! How can I help?"),
    ))
    .await;
    let r = openai(&server).complete(&request()).await.unwrap();
    assert_eq!(r.text, "Hello! How can I help?");
    assert_eq!(r.finish_reason.as_deref(), Some("stop"));
    assert_eq!((r.usage.input, r.usage.output, r.usage.cached), (19, 10, 4));
    assert_eq!(r.usage_source, UsageSource::Provider);
    assert_eq!(r.system_fingerprint.as_deref(), Some("fp_44709d6fcb"));
    assert!(
        r.raw
            .unwrap()
            .contains("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
    );

    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(
        sent.header("authorization").unwrap(),
        format!("Bearer {KEY}")
    );
    let body = sent.json();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["seed"], 7);
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["messages"][0]["role"], "system");
}

#[tokio::test]
async fn openai_tool_calls() {
    let server = TestServer::start(Reply::json(200, common::openai_tool_call())).await;
    let r = openai(&server).complete(&request()).await.unwrap();
    assert_eq!(r.text, "");
    assert_eq!(r.finish_reason.as_deref(), Some("tool_calls"));
    assert_eq!(r.tool_calls.len(), 1);
    assert_eq!(r.tool_calls[0].id, "call_abc123");
    assert_eq!(r.tool_calls[0].name, "get_current_weather");
    let args: serde_json::Value = serde_json::from_str(&r.tool_calls[0].arguments).unwrap();
    assert_eq!(args["location"], "Boston, MA");
}

#[tokio::test]
async fn anthropic_blocks_tool_use_and_headers() {
    let server = TestServer::start(Reply::json(
        200,
        common::anthropic_text("Hi! My name is Claude."),
    ))
    .await;
    let provider = anthropic(&server);
    let r = provider.complete(&request()).await.unwrap();
    assert_eq!(r.text, "Hi! My name is Claude.");
    assert_eq!(r.finish_reason.as_deref(), Some("end_turn"));
    assert_eq!(
        (r.usage.input, r.usage.output, r.usage.cached),
        (2095 + 1024, 503, 1024)
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key").unwrap(), KEY);
    assert_eq!(sent.header("anthropic-version").unwrap(), "2023-06-01");
    assert!(sent.header("authorization").is_none());
    assert_eq!(sent.json()["system"], "Be brief.");
    assert_eq!(sent.json()["messages"].as_array().unwrap().len(), 1);

    server.push(Reply::json(200, common::anthropic_tool_use()));
    let r = provider.complete(&request()).await.unwrap();
    assert_eq!(
        r.text,
        "I'll check the current weather in San Francisco for you."
    );
    assert_eq!(r.tool_calls[0].name, "get_weather");
    assert_eq!(r.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
    assert!(r.tool_calls[0].arguments.contains("San Francisco, CA"));
    assert_eq!(r.finish_reason.as_deref(), Some("tool_use"));
}

#[tokio::test]
async fn anthropic_schema_answer_comes_from_the_forced_tool() {
    let mut answer = common::anthropic_tool_use();
    answer["content"][1]["name"] = json!("respond");
    answer["content"][1]["input"] = json!({"total": 267.5});
    let server = TestServer::start(Reply::json(200, answer)).await;
    let mut req = request();
    req.params.response_schema =
        Some(json!({"type": "object", "properties": {"total": {"type": "number"}}}));
    let r = anthropic(&server).complete(&req).await.unwrap();
    assert_eq!(r.text, r#"{"total":267.5}"#);
    assert!(r.tool_calls.is_empty());
    assert_eq!(
        server.requests()[0].json()["tool_choice"]["name"],
        "respond"
    );
}

#[tokio::test]
async fn error_statuses_carry_the_server_message_and_retry_after() {
    let server = TestServer::start(Reply::json(200, common::openai_text("ok"))).await;
    let p = openai(&server);
    let limited = Reply::json(
        429,
        common::openai_error(
            "Rate limit reached for gpt-4o-mini",
            "requests",
            "rate_limit_exceeded",
        ),
    )
    .header("retry-after", "3");
    let e = fails_with(&p, &server, limited).await;
    assert_eq!(e.status(), Some(429));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    assert!(e.is_retryable());
    assert!(
        e.to_string().contains("Rate limit reached for gpt-4o-mini"),
        "{e}"
    );

    let e = fails_with(
        &p,
        &server,
        Reply::raw(
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head></html>",
        ),
    )
    .await;
    assert_eq!(
        e.to_string(),
        "HTTP 502: an HTML error page \"502 Bad Gateway\""
    );
    assert!(e.is_retryable());

    let e = fails_with(
        &p,
        &server,
        Reply::json(
            401,
            common::openai_error(
                "Incorrect API key provided",
                "invalid_request_error",
                "invalid_api_key",
            ),
        ),
    )
    .await;
    assert!(!e.is_retryable());
    assert!(
        !e.to_string().contains(KEY),
        "the key never appears in errors"
    );

    let a = anthropic(&server);
    let e = fails_with(
        &a,
        &server,
        Reply::json(
            529,
            common::anthropic_error("overloaded_error", "Overloaded"),
        ),
    )
    .await;
    assert_eq!(e.to_string(), "HTTP 529: overloaded_error: Overloaded");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn malformed_bodies_are_clear_errors() {
    let server = TestServer::start(Reply::json(200, common::openai_text("ok"))).await;
    let p = openai(&server);
    let cases = [
        (
            Reply::raw(
                200,
                "text/html",
                "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>",
            ),
            "an HTML page instead of JSON",
        ),
        (
            Reply::raw(
                200,
                "application/json",
                r#"{"id":"chatcmpl-1","choices":[{"message":{"content":"Hel"#,
            ),
            "truncated JSON",
        ),
        (Reply::raw(200, "application/json", ""), "empty body"),
        (
            Reply::raw(200, "application/json", "{\"choices\": oops}"),
            "malformed JSON",
        ),
        (
            Reply::json(200, json!({"object": "list", "data": []})),
            "no choices[0]",
        ),
    ];
    for (reply, expected) in cases {
        let e = fails_with(&p, &server, reply).await;
        assert!(matches!(e, ProviderError::BadResponse(_)), "{e:?}");
        assert!(
            e.to_string().contains(expected),
            "{e} should say {expected}"
        );
        assert!(!e.is_retryable());
    }
    let e = fails_with(
        &p,
        &server,
        Reply::json(
            200,
            common::openai_error("The server had an error", "server_error", "500"),
        ),
    )
    .await;
    assert_eq!(e.status(), Some(500));
    assert!(
        e.to_string()
            .contains("error object in a 500 answer: server_error: The server had an error"),
        "{e}"
    );
    assert!(e.is_retryable());

    let e = fails_with(
        &p,
        &server,
        Reply::CutOff {
            partial: r#"{"id":"chatcmpl-1","choi"#.into(),
        },
    )
    .await;
    assert!(matches!(e, ProviderError::Connection(_)), "{e:?}");
    assert!(e.to_string().contains("body stopped"), "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn refused_connection_is_a_clear_error_not_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let p = OpenAiCompat::new(
        "local",
        &format!("http://127.0.0.1:{port}/v1"),
        None,
        HeaderMap::new(),
    )
    .unwrap();
    let e = p.complete(&request()).await.unwrap_err();
    let text = e.to_string();
    let url = format!("http://127.0.0.1:{port}/v1/chat/completions:");
    assert!(
        text.starts_with(&format!("cannot connect: {url}")),
        "{text}"
    );
    assert!(
        text.ends_with("Is the server running and base_url right?"),
        "{text}"
    );
    assert!(!e.is_retryable());
}

/// A replayed agent transcript: the user asks, the assistant called a tool, the tool answered.
fn transcript() -> Request {
    use temper::prompt::MessageToolCall;
    let mut assistant = Message::new(Role::Assistant, "");
    assistant.tool_calls = vec![MessageToolCall {
        id: "call_1".into(),
        name: "get_service_status".into(),
        arguments: r#"{"service":"payments"}"#.into(),
    }];
    let mut tool = Message::new(Role::Tool, r#"{"status":"degraded"}"#);
    tool.tool_call_id = Some("call_1".into());
    Request {
        messages: vec![
            Message::new(Role::User, "Is payments healthy?"),
            assistant,
            tool,
        ],
        ..request()
    }
}

#[tokio::test]
async fn replayed_tool_use_goes_out_in_each_wire_format() {
    let server = TestServer::start(Reply::json(200, common::openai_text("Degraded."))).await;
    openai(&server).complete(&transcript()).await.unwrap();
    let body = server.requests()[0].json();
    let m = &body["messages"];
    assert_eq!(m[1]["role"], "assistant");
    assert_eq!(m[1]["content"], serde_json::Value::Null);
    assert_eq!(m[1]["tool_calls"][0]["id"], "call_1");
    assert_eq!(m[1]["tool_calls"][0]["type"], "function");
    assert_eq!(
        m[1]["tool_calls"][0]["function"]["arguments"],
        r#"{"service":"payments"}"#
    );
    assert_eq!(m[2]["role"], "tool");
    assert_eq!(m[2]["tool_call_id"], "call_1");
    assert_eq!(
        m[0].get("tool_call_id"),
        None,
        "plain messages are unchanged"
    );

    let server = TestServer::start(Reply::json(200, common::anthropic_text("Degraded."))).await;
    anthropic(&server).complete(&transcript()).await.unwrap();
    let body = server.requests()[0].json();
    let m = &body["messages"];
    assert_eq!(m[0]["content"], "Is payments healthy?");
    assert_eq!(m[1]["content"][0]["type"], "tool_use");
    assert_eq!(m[1]["content"][0]["input"]["service"], "payments");
    assert_eq!(m[2]["role"], "user");
    assert_eq!(m[2]["content"][0]["type"], "tool_result");
    assert_eq!(m[2]["content"][0]["tool_use_id"], "call_1");
}
