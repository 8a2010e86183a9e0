//! A scripted HTTP server on 127.0.0.1 for tests and benches: answers in the OpenAI and
//! Anthropic wire formats (bodies shaped like the providers' documented examples), or misbehaves
//! on purpose (error statuses, HTML, truncated or empty bodies, slow answers, dropped
//! connections), and records every request it got with its arrival time.
//!
//! ```ignore
//! let server = common::TestServer::start(common::Reply::json(200, common::openai_text("hi"))).await;
//! server.push(common::Reply::json(429, common::openai_error("slow down")).header("retry-after-ms", "50"));
//! // point a provider at server.base_url() + "/v1"
//! ```
#![allow(dead_code)]

pub mod cli_env;
pub mod fixture;
pub mod replay_env;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, Uri};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete answer.
    Body {
        status: u16,
        content_type: &'static str,
        body: String,
        headers: Vec<(String, String)>,
    },
    /// The inner reply after a pause.
    Slow(Duration, Box<Reply>),
    /// A 200 that sends `partial` and then drops the connection.
    CutOff { partial: String },
    /// Load-dependent: hold the request for `hold`; if no other request was in flight meanwhile
    /// answer `alone`, else one of `crowded` picked by arrival order (a server whose batching
    /// changes its numerics, so answers vary only under concurrent load).
    UnderLoad {
        alone: Box<Reply>,
        crowded: Vec<Reply>,
        hold: Duration,
    },
}

impl Reply {
    /// A JSON body with this status.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Body {
            status,
            content_type: "application/json",
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// A body sent byte for byte as given.
    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply::Body {
            status,
            content_type,
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// Add a response header (e.g. `retry-after`).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Body { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// This reply after `delay`.
    pub fn after(self, delay: Duration) -> Reply {
        Reply::Slow(delay, Box::new(self))
    }

    /// `alone` when the request had the server to itself for `hold`, else one of `crowded`.
    pub fn under_load(alone: Reply, crowded: Vec<Reply>, hold: Duration) -> Reply {
        Reply::UnderLoad {
            alone: Box::new(alone),
            crowded,
            hold,
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    /// The body as JSON (Null when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

struct State {
    script: Mutex<VecDeque<Reply>>,
    fallback: Reply,
    log: Mutex<Vec<Recorded>>,
    record: bool,
    in_flight: std::sync::atomic::AtomicUsize,
}

/// The running server; it stops when the test's runtime ends.
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl TestServer {
    /// Start on 127.0.0.1:0; every request gets the next scripted reply, else `fallback`.
    pub async fn start(fallback: Reply) -> TestServer {
        TestServer::start_with(fallback, true).await
    }

    /// Like [`TestServer::start`]; `record = false` keeps no request log (for benchmarks).
    pub async fn start_with(fallback: Reply, record: bool) -> TestServer {
        let state = Arc::new(State {
            script: Mutex::new(VecDeque::new()),
            fallback,
            log: Mutex::new(Vec::new()),
            record,
            in_flight: std::sync::atomic::AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer { addr, state }
    }

    /// `http://127.0.0.1:PORT` (add `/v1` for an OpenAI-style base URL).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queue a reply for the next request.
    pub fn push(&self, reply: Reply) {
        self.state.script.lock().unwrap().push_back(reply);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if state.record {
        state.log.lock().unwrap().push(Recorded {
            at: Instant::now(),
            path: uri.path().to_string(),
            headers,
            body,
        });
    }
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| state.fallback.clone());
    let reply = match reply {
        Reply::UnderLoad {
            alone,
            crowded,
            hold,
        } => {
            use std::sync::atomic::Ordering::SeqCst;
            let at_arrival = state.in_flight.fetch_add(1, SeqCst) + 1;
            tokio::time::sleep(hold).await;
            let peak = at_arrival.max(state.in_flight.load(SeqCst));
            state.in_flight.fetch_sub(1, SeqCst);
            match crowded.get(at_arrival % crowded.len().max(1)) {
                Some(reply) if peak > 1 => reply.clone(),
                _ => *alone,
            }
        }
        other => other,
    };
    respond(reply).await
}

async fn respond(mut reply: Reply) -> axum::response::Response {
    while let Reply::Slow(delay, inner) = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    match reply {
        Reply::Body {
            status,
            content_type,
            body,
            headers,
        } => {
            let mut builder = axum::response::Response::builder()
                .status(StatusCode::from_u16(status).unwrap())
                .header("content-type", content_type);
            for (k, v) in headers {
                builder = builder.header(k, v);
            }
            builder.body(Body::from(body)).unwrap()
        }
        Reply::CutOff { partial } => {
            // Send the head and the first bytes, then fail the body: hyper drops the connection.
            let chunks = futures::stream::unfold(0, move |step| {
                let partial = partial.clone();
                async move {
                    match step {
                        0 => Some((Ok(Bytes::from(partial)), 1)),
                        1 => {
                            tokio::time::sleep(Duration::from_millis(30)).await;
                            Some((
                                Err(std::io::Error::other("server dropped the connection")),
                                2,
                            ))
                        }
                        _ => None,
                    }
                }
            });
            axum::response::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from_stream(chunks))
                .unwrap()
        }
        Reply::Slow(..) | Reply::UnderLoad { .. } => unreachable!(),
    }
}

/// A chat completion as in OpenAI's API reference (usage details, system_fingerprint).
pub fn openai_text(content: &str) -> serde_json::Value {
    serde_json::json!({
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": null, "annotations": []},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "service_tier": "default",
        "system_fingerprint": "fp_44709d6fcb"
    })
}

/// A chat completion that calls a function, as in OpenAI's function-calling example.
pub fn openai_tool_call() -> serde_json::Value {
    serde_json::json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1699896916,
        "model": "gpt-4o-mini",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [{
                    "id": "call_abc123",
                    "type": "function",
                    "function": {"name": "get_current_weather", "arguments": "{\n\"location\": \"Boston, MA\"\n}"}
                }]
            },
            "logprobs": null,
            "finish_reason": "tool_calls"
        }],
        "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99},
        "system_fingerprint": "fp_44709d6fcb"
    })
}

/// An OpenAI error object (`{"error": {message, type, param, code}}`).
pub fn openai_error(message: &str, kind: &str, code: &str) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

/// A Messages API answer as in Anthropic's reference (text block, cache usage fields).
pub fn anthropic_text(text: &str) -> serde_json::Value {
    serde_json::json!({
        "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": 2095, "output_tokens": 503,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1024}
    })
}

/// A Messages API answer with a text block then a `tool_use` block.
pub fn anthropic_tool_use() -> serde_json::Value {
    serde_json::json!({
        "id": "msg_01Aq9w938a90dw8q",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
            {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
             "input": {"location": "San Francisco, CA", "unit": "celsius"}}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 384, "output_tokens": 92}
    })
}

/// An Anthropic error body (`{"type": "error", "error": {type, message}}`).
pub fn anthropic_error(kind: &str, message: &str) -> serde_json::Value {
    serde_json::json!({"type": "error", "error": {"type": kind, "message": message}})
}

/// A token for [`openai_logprobs`]: text, probability, alternatives as (text, probability).
pub type Tok = (&'static str, f64, &'static [(&'static str, f64)]);

/// A chat completion with token logprobs in OpenAI's format (`logprobs.content[]` with
/// `top_logprobs`, `bytes`): `tokens` are (token, probability, alternatives as (token, p)); the
/// chosen token is listed first among its alternatives, as OpenAI does.
pub fn openai_logprobs(tokens: &[Tok], fingerprint: &str) -> serde_json::Value {
    let entry =
        |t: &str, p: f64| serde_json::json!({"token": t, "logprob": p.ln(), "bytes": t.as_bytes()});
    let content: Vec<serde_json::Value> = tokens
        .iter()
        .map(|(t, p, alts)| {
            let mut top = vec![entry(t, *p)];
            top.extend(alts.iter().map(|(a, q)| entry(a, *q)));
            let mut e = entry(t, *p);
            e["top_logprobs"] = serde_json::Value::Array(top);
            e
        })
        .collect();
    let text: String = tokens.iter().map(|(t, _, _)| *t).collect();
    let mut body = openai_text(&text);
    body["choices"][0]["logprobs"] = serde_json::json!({"content": content, "refusal": null});
    body["system_fingerprint"] = serde_json::json!(fingerprint);
    body
}
