//! Issue 17, round 2 (items 5, 7, 8, 9, 11, 12), through the real binary against loopback
//! servers and a real SQLite file: response bodies are capped and stored once, absurd token
//! counts are refused, a known hosted model behind a loopback proxy is priced, a storage
//! failure stops the run at once, a provider over-reporting usage cannot run the budget over by
//! more than one call and is reported as over, and commits lag answers by less than 100 ms.

mod common;
mod hardening_support;

use axum::body::{Body, Bytes};
use common::{Reply, TestServer, openai_text};
use hardening_support::Env;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A server that answers every request with a 200 whose body never ends (64 KiB chunks of
/// `chunk`, forever), counting the requests; `sse` sends it as a server-sent event stream.
async fn endless_server(sse: bool) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let (content_type, head, unit) = if sse {
                let event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"xxxxxxxxxxxxxxxx\"}}]}\n\n";
                ("text/event-stream", String::new(), event)
            } else {
                let head = "{\"choices\":[{\"message\":{\"content\":\"".to_string();
                ("application/json", head, "xxxxxxxxxxxxxxxx")
            };
            let chunk = Bytes::from(unit.repeat(65536 / unit.len()));
            let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) });
            let rest = futures::stream::repeat_with(move || Ok(chunk.clone()));
            axum::response::Response::builder()
                .status(200)
                .header("content-type", content_type)
                .body(Body::from_stream(futures::StreamExt::chain(first, rest)))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), hits)
}

/// `temper run probe` on `env` with `extra` args; returns (success, stdout, stderr).
fn run(env: &Env, model: &str, extra: &[&str]) -> (bool, String, String) {
    let base = ["run", "probe", "--model", model, "--retries", "0"];
    let args: Vec<&str> = base.iter().chain(extra).copied().collect();
    let (ok, out, err) = env.run_inert(&args);
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (ok, text(out), text(err))
}

/// The DB of `env`, opened read-only next to temper.
fn db(env: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(env.db()).unwrap()
}

/// (status, error, output length, response_json length, input, output tokens) of every sample.
type Row = (String, Option<String>, i64, i64, Option<i64>, Option<i64>);

fn samples(env: &Env) -> Vec<Row> {
    let conn = db(env);
    let mut stmt = conn
        .prepare(
            "SELECT status, error, length(output), length(response_json), input_tokens, \
             output_tokens FROM samples ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get::<_, Option<i64>>(2)?.unwrap_or(0),
            r.get::<_, Option<i64>>(3)?.unwrap_or(0),
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn with_run_config(env: &Env, base_url: &str, run: &str) {
    env.config(&format!(
        "[providers.loop]\nkind = \"openai\"\nbase_url = \"{base_url}/v1\"\napi_key_env = \"{}\"\n[run]\n{run}\n",
        hardening_support::KEY_ENV
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_configured_cap_streamed_or_not() {
    for sse in [false, true] {
        let (url, hits) = endless_server(sse).await;
        let env = Env::loopback(&url);
        with_run_config(&env, &url, "max_response_mb = 2");
        let model = if sse {
            "loop:gpt-4o-mini stream=true"
        } else {
            "loop:gpt-4o-mini"
        };
        let started = Instant::now();
        let (ok, _, err) = run(&env, model, &["-n", "1", "--timeout", "60"]);
        // Cut at the cap, long before the 60 s timeout, and not retried.
        assert!(!ok, "an endless body is a failed sample: {err}");
        assert!(started.elapsed() < Duration::from_secs(30), "sse={sse}");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "sse={sse}: not retried");
        let rows = samples(&env);
        assert_eq!(rows.len(), 1);
        let (status, error, output_len, ..) = &rows[0];
        assert_eq!(status, "error");
        let error = error.as_deref().unwrap_or_default();
        assert!(
            error.contains("passed 2 MiB") && error.contains("max_response_mb"),
            "sse={sse}: {error}"
        );
        assert!(*output_len <= 2 * 1024 * 1024, "sse={sse}: {output_len}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_answer_is_stored_once() {
    let big = "word ".repeat(2 * 1024 * 1024); // 10 MiB
    let server = TestServer::start(Reply::json(200, openai_text(&big))).await;
    let env = Env::loopback(&server.base_url());
    let (ok, _, err) = run(&env, "loop:gpt-4o-mini", &["-n", "1"]);
    assert!(ok, "{err}");
    let rows = samples(&env);
    let (status, _, output_len, raw_len, input, _) = &rows[0];
    assert_eq!(status, "ok");
    assert_eq!(*output_len as usize, big.len());
    assert!(*raw_len < 4096, "raw body stored again: {raw_len} bytes");
    assert_eq!(*input, Some(19));
    // What explain reads from the raw body (the served model) is still there.
    let raw: String = db(&env)
        .query_row("SELECT response_json FROM samples", [], |r| r.get(0))
        .unwrap();
    let raw: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(raw["model"], "gpt-4o-mini-2024-07-18");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_token_counts_are_refused_never_wrapped() {
    let absurd = [
        json!(i64::MAX),
        json!(u64::MAX),
        json!(-5),
        json!(1e300),
        json!(1_000_000_001u64),
    ];
    let server = TestServer::start(Reply::json(200, openai_text("fine"))).await;
    for value in &absurd {
        let mut body = openai_text("hello");
        body["usage"]["prompt_tokens"] = value.clone();
        server.push(Reply::json(200, body));
    }
    let env = Env::loopback(&server.base_url());
    let n = absurd.len().to_string();
    let (_, _, err) = run(&env, "loop:gpt-4o-mini", &["-n", &n, "-c", "1"]);
    let rows = samples(&env);
    assert_eq!(rows.len(), absurd.len(), "{err}");
    for ((status, error, _, _, input, output), value) in rows.iter().zip(&absurd) {
        assert_eq!(status, "error", "{value}");
        let error = error.as_deref().unwrap_or_default();
        assert!(
            error.contains("usage.prompt_tokens") && error.contains("not a token count"),
            "{value}: {error}"
        );
        assert!(input.unwrap_or(0) >= 0 && output.unwrap_or(0) >= 0);
    }
    let (ok, stdout, _) = env.run_inert(&["runs", "--json"]);
    assert!(ok);
    let stdout = String::from_utf8_lossy(&stdout);
    assert!(!stdout.contains("\": -"), "a negative number in {stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_model_behind_a_loopback_proxy_is_priced_an_unknown_one_is_local() {
    let server = TestServer::start(Reply::json(200, openai_text("hi"))).await;
    let env = Env::loopback(&server.base_url());
    // gpt-4o-mini through a LiteLLM-style proxy on 127.0.0.1: priced, and the budget applies.
    let (ok, _, err) = run(&env, "loop:gpt-4o-mini max_tokens=50", &["-n", "2"]);
    assert!(ok, "{err}");
    assert!(err.contains("known hosted model"), "{err}");
    let cost: f64 = db(&env)
        .query_row("SELECT sum(cost_usd) FROM samples", [], |r| r.get(0))
        .unwrap();
    assert!(cost > 0.0, "priced $0 behind a loopback URL");
    let (ok, _, err) = run(
        &env,
        "loop:gpt-4o-mini max_tokens=50",
        &["-n", "2", "--budget-usd", "0.0000001"],
    );
    assert!(!ok, "the budget guard is on: {err}");
    // A model no price table knows, on the same loopback URL: local, $0, and said so.
    let (ok, _, err) = run(&env, "loop:my-own-finetune-7b", &["-n", "1"]);
    assert!(ok, "{err}");
    assert!(err.contains("unknown model on a loopback URL"), "{err}");
    let (ok, stdout, _) =
        env.run_inert(&["cost", "probe", "--model", "loop:gpt-4o-mini", "--explain"]);
    assert!(ok);
    let stdout = String::from_utf8_lossy(&stdout);
    assert!(
        stdout.contains("loopback URL: known hosted model"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_failure_stops_the_run_at_once() {
    let server =
        TestServer::start(Reply::json(200, openai_text("hi")).after(Duration::from_millis(5)))
            .await;
    let env = Env::loopback(&server.base_url());
    // The disk "fills up" after 20 samples: every later insert fails.
    db(&env)
        .execute_batch(
            "CREATE TRIGGER disk_full BEFORE INSERT ON samples \
             WHEN (SELECT count(*) FROM samples) >= 20 \
             BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;",
        )
        .unwrap();
    let (ok, _, err) = run(&env, "loop:gpt-4o-mini", &["-n", "2000", "-c", "8"]);
    assert!(!ok);
    assert!(
        err.contains("stopped at once") && err.contains("disk is full"),
        "{err}"
    );
    let stored = samples(&env).len();
    assert!(stored <= 20, "{stored}");
    assert!(
        err.contains(&format!("the {stored} samples committed")),
        "{err}"
    );
    // Far fewer than the 2,000 calls: the run stopped within a commit or two of the failure.
    let sent = server.requests().len();
    assert!(sent < 300, "{sent} requests sent after storage failed");
    let status: String = db(&env)
        .query_row(
            "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_reported_usage_stops_the_run_and_is_reported_over_budget() {
    // max_tokens 400, but the provider bills 400,000 completion tokens ($0.24 at gpt-4o-mini
    // rates) against a $0.05 budget, at concurrency 64.
    let mut body = openai_text("hi");
    body["usage"]["completion_tokens"] = json!(400_000);
    let server = TestServer::start(Reply::json(200, body).after(Duration::from_millis(20))).await;
    let env = Env::loopback(&server.base_url());
    let (ok, stdout, err) = run(
        &env,
        "loop:gpt-4o-mini max_tokens=400",
        &[
            "-n",
            "200",
            "-c",
            "64",
            "--budget-usd",
            "0.05",
            "--yes",
            "--json",
        ],
    );
    assert!(!ok, "{err}");
    let sent = server.requests().len();
    // Slow start: one call until the provider proved honest; it did not, so one call only.
    assert!(sent <= 2, "{sent} calls sent to an over-reporting provider");
    assert!(err.contains("cost more than max_tokens allows"), "{err}");
    assert!(err.contains("over"), "{err}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["over_reported"], 1);
    let spent = out["spent_usd"].as_f64().unwrap();
    assert!(spent > 0.05 && spent < 0.5, "{spent}");
    assert!((out["over_budget_usd"].as_f64().unwrap() - (spent - 0.05)).abs() < 1e-9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_usage_runs_at_full_concurrency_within_budget() {
    let server =
        TestServer::start(Reply::json(200, openai_text("hi")).after(Duration::from_millis(400)))
            .await;
    let env = Env::loopback(&server.base_url());
    let (ok, stdout, err) = run(
        &env,
        "loop:gpt-4o-mini max_tokens=50",
        &["-n", "64", "-c", "16", "--budget-usd", "1", "--json"],
    );
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["ok"], 64);
    assert_eq!(out["over_budget_usd"], Value::Null);
    // Slow start doubles the window on each honest answer: the server sees 16 calls at once
    // (arrivals within 300 ms of one another while each answer takes 400 ms: in flight together,
    // with room for a loaded machine's scheduling).
    let arrivals: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    let peak = arrivals
        .iter()
        .map(|a| {
            let window = *a..*a + Duration::from_millis(300);
            arrivals.iter().filter(|b| window.contains(*b)).count()
        })
        .max()
        .unwrap_or(0);
    assert!(peak >= 12, "at most {peak} calls in flight");
}

/// Commit lag under load: `n` answers at concurrency 64 from a loopback server; the longest
/// queue-to-commit time must stay within the documented bound (docs/hardening.md: 250 ms on a
/// contended machine, 100 ms the target).
async fn commit_lag(n: &str) -> f64 {
    let server = TestServer::start_with(Reply::json(200, openai_text("hi")), false).await;
    let env = Env::loopback(&server.base_url());
    let (ok, stdout, err) = run(&env, "loop:gpt-4o-mini", &["-n", n, "-c", "64", "--json"]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    let lag = out["max_commit_lag_ms"].as_f64().unwrap();
    eprintln!("max commit lag: {lag:.1} ms over {n} samples");
    assert!(lag > 0.0 && lag < 250.0, "{lag} ms");
    lag
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_lag_answers_within_the_documented_bound() {
    commit_lag("500").await;
}

/// The measurement behind the documented figures (about 40 s in a debug build).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn commit_lag_at_3000_answers() {
    commit_lag("3000").await;
}
