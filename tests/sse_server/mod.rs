//! A loopback OpenAI/Anthropic server that streams server-sent events, for the streaming tests
//! and the runner bench. What it does is chosen by the request's `model`:
//!
//! - `hello`: answers "Hello" (streamed when asked, else plain JSON), with usage.
//! - `long`: answers 40 words, one event per word when streamed (for the bench).
//! - `delay`: like `hello`, after 300 ms before the first event.
//! - `cut`: sends "Hel" then breaks the connection.
//! - `stall`: sends "Hel" then nothing, forever.
//! - `garbage`: sends "Hel" then a line that is not SSE.
//! - `nodone`: sends "Hello" and ends without `[DONE]`.
//! - `errevent`: sends "Hel" then an error event.
//! - `plainjson`: ignores `stream` and answers plain JSON.
//! - `noschema`: refuses `response_format: json_schema` as llama-cpp-python does (500); with
//!   `json_object` answers `{"a": 1}` on even calls and `{"b": 2}` on odd ones.
//!
//! `/v1/messages` answers in the Anthropic shape (streamed events when asked).

#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The server and every request body it received.
pub struct SseServer {
    pub base_url: String,
    log: Arc<Mutex<Vec<Value>>>,
}

#[derive(Clone)]
struct State {
    log: Arc<Mutex<Vec<Value>>>,
    calls: Arc<AtomicUsize>,
    record: bool,
}

impl SseServer {
    /// Start on 127.0.0.1:0; `record`: keep every request body (off for the bench).
    pub async fn start(record: bool) -> SseServer {
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = State {
            log: log.clone(),
            calls: Arc::new(AtomicUsize::new(0)),
            record,
        };
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(openai))
            .route("/v1/messages", axum::routing::post(anthropic))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SseServer {
            base_url: format!("http://{addr}/v1"),
            log,
        }
    }

    /// Every request body so far.
    pub fn bodies(&self) -> Vec<Value> {
        self.log.lock().unwrap().clone()
    }
}

/// One piece of a streamed reply.
enum Piece {
    Text(String),
    Wait(Duration),
    Break,
    Stall,
}

fn sse(pieces: Vec<Piece>) -> Response {
    let stream = futures::stream::unfold(pieces.into_iter(), |mut rest| async move {
        loop {
            match rest.next()? {
                Piece::Text(t) => return Some((Ok(Bytes::from(t)), rest)),
                Piece::Wait(d) => tokio::time::sleep(d).await,
                Piece::Break => {
                    let e = std::io::Error::other("cut by the test server");
                    return Some((Err(e), rest));
                }
                Piece::Stall => futures::future::pending::<()>().await,
            }
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

fn json_reply(status: u16, body: Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn delta(text: &str) -> Piece {
    let chunk = json!({"model": "sse", "choices": [{"index": 0, "delta": {"content": text}}]});
    Piece::Text(format!("data: {chunk}\n\n"))
}

fn openai_end() -> Vec<Piece> {
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = json!({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}});
    vec![
        Piece::Text(format!("data: {finish}\n\n")),
        Piece::Text(format!("data: {usage}\n\n")),
        Piece::Text("data: [DONE]\n\n".into()),
    ]
}

fn completion(text: &str) -> Value {
    json!({"model": "sse", "choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2}})
}

async fn openai(axum::extract::State(state): axum::extract::State<State>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let call = state.calls.fetch_add(1, Ordering::Relaxed);
    if state.record {
        state.log.lock().unwrap().push(request.clone());
    }
    let model = request["model"].as_str().unwrap_or("").to_string();
    let stream = request["stream"] == json!(true);
    if model == "noschema" {
        if request["response_format"]["type"] == "json_schema" {
            let message = "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}";
            return json_reply(
                500,
                json!({"error": {"message": message, "type": "internal_server_error"}}),
            );
        }
        let text = if call % 2 == 0 {
            r#"{"a": 1}"#
        } else {
            r#"{"b": 2}"#
        };
        return json_reply(200, completion(text));
    }
    if model == "long" {
        let words: Vec<String> = (0..40).map(|i| format!("word{i} ")).collect();
        if !stream {
            return json_reply(200, completion(&words.concat()));
        }
        let mut p: Vec<Piece> = words.iter().map(|w| delta(w)).collect();
        p.extend(openai_end());
        return sse(p);
    }
    if !stream || model == "plainjson" {
        return json_reply(200, completion("Hello"));
    }
    let hello = || {
        let mut p = vec![delta("Hel"), delta("lo")];
        p.extend(openai_end());
        p
    };
    sse(match model.as_str() {
        "delay" => {
            let mut p = vec![Piece::Wait(Duration::from_millis(300))];
            p.extend(hello());
            p
        }
        "cut" => vec![
            delta("Hel"),
            Piece::Wait(Duration::from_millis(20)),
            Piece::Break,
        ],
        "stall" => vec![delta("Hel"), Piece::Stall],
        "garbage" => vec![delta("Hel"), Piece::Text("<html>oops</html>\n\n".into())],
        "nodone" => vec![delta("Hel"), delta("lo")],
        "errevent" => vec![
            delta("Hel"),
            Piece::Text("data: {\"error\": {\"message\": \"model overloaded\"}}\n\n".into()),
        ],
        _ => hello(),
    })
}

fn event(name: &str, data: Value) -> Piece {
    Piece::Text(format!("event: {name}\ndata: {data}\n\n"))
}

async fn anthropic(
    axum::extract::State(state): axum::extract::State<State>,
    body: Bytes,
) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if state.record {
        state.log.lock().unwrap().push(request.clone());
    }
    if request["stream"] != json!(true) {
        return json_reply(
            200,
            json!({"type": "message", "model": "claude-sse",
            "content": [{"type": "text", "text": "Hello"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 5, "output_tokens": 2}}),
        );
    }
    let text = |t: &str| {
        event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": t}}),
        )
    };
    sse(vec![
        event(
            "message_start",
            json!({"type": "message_start", "message": {"model": "claude-sse",
            "usage": {"input_tokens": 5, "output_tokens": 1}}}),
        ),
        Piece::Wait(Duration::from_millis(200)),
        event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}}),
        ),
        event("ping", json!({"type": "ping"})),
        text("Hel"),
        text("lo"),
        event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        event(
            "message_delta",
            json!({"type": "message_delta",
            "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}}),
        ),
        event("message_stop", json!({"type": "message_stop"})),
    ])
}
