//! An OpenAI-compatible chat server on 127.0.0.1 for the promptfoo tests and bench: answers
//! from the last user message by a fixed table, and flips between two answers on prompts that
//! mention a coin (alternating per prompt text), so a suite has a known flaky test; as a judge
//! (temper's grader system prompt) it scores the response against the rubric. Records every
//! request body.
#![allow(dead_code)]

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The running server: its address and what it was sent.
pub struct ChatServer {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Value>>>,
    _runtime: Option<tokio::runtime::Runtime>,
}

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Value>>>,
    coin: Arc<Mutex<std::collections::HashMap<String, usize>>>,
}

impl ChatServer {
    /// Start on its own runtime thread (for tests that drive the binary synchronously).
    pub fn start() -> ChatServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            requests: requests.clone(),
            coin: Arc::new(Mutex::new(std::collections::HashMap::new())),
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(chat))
            .with_state(shared);
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        ChatServer {
            addr,
            requests,
            _runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How many chat requests arrived.
    pub fn calls(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// The answer the table gives `prompt` (the coin flips on each call).
pub fn answer(prompt: &str, flip: usize) -> String {
    let p = prompt.to_lowercase();
    let table: &[(&str, &str)] = &[
        (
            "coin",
            if flip.is_multiple_of(2) {
                "heads"
            } else {
                "tails"
            },
        ),
        ("to french: hello world", "Bonjour le monde"),
        (
            "to spanish: where is the library?",
            "¿Dónde está la biblioteca?",
        ),
        ("pirate: yes", "Yarr"),
        ("words: yes", "Yarr"),
        ("hungry", "Arr, me belly wants grub"),
        ("json", "{\"story\": \"arr\", \"years\": 40}"),
        ("quick brown fox", "Arrr, the swift brown fox leaps"),
        ("capital", "The capital is Paris."),
        ("shout", "HELLO THERE"),
    ];
    table.iter().find(|(k, _)| p.contains(k)).map_or_else(
        || format!("I cannot help with: {prompt}"),
        |(_, a)| a.to_string(),
    )
}

async fn chat(State(s): State<Shared>, Json(body): Json<Value>) -> Json<Value> {
    s.requests.lock().unwrap().push(body.clone());
    let prompt = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_string();
    let flip = {
        let mut seen = s.coin.lock().unwrap();
        let n = seen.entry(prompt.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    let judging = body["messages"][0]["content"]
        .as_str()
        .is_some_and(|s| s.contains("impartial grader"));
    let text = if judging {
        grade(&prompt)
    } else {
        answer(&prompt, flip)
    };
    Json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18}
    }))
}

/// The judge's answer: 0.9 when the response meets the rubric (pirate talk has "arr"; else
/// every quoted phrase is in it), 0.2 when not.
pub fn grade(user: &str) -> String {
    let section = |tag: &str| {
        let start = user
            .find(&format!("<{tag}>"))
            .map_or(0, |i| i + tag.len() + 2);
        let end = user.rfind(&format!("</{tag}>")).unwrap_or(user.len());
        user.get(start..end).unwrap_or("").to_lowercase()
    };
    let (rubric, response) = (section("rubric"), section("response"));
    let meets = if rubric.contains("pirate") {
        response.contains("arr")
    } else {
        rubric
            .split('"')
            .skip(1)
            .step_by(2)
            .all(|p| response.contains(p))
    };
    let score = if meets { 0.9 } else { 0.2 };
    json!({"score": score, "reason": format!("loopback judge: meets={meets}")}).to_string()
}
