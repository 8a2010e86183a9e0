//! `temper replay TRACE… --to-session FILE` on the real-instrumentation fixtures: the session
//! it writes runs under `temper check` against a loopback server, passes while the recorded
//! answer comes back, fails when it does not; and a refused replay saves nothing.

mod common;

use common::replay_env::ReplayEnv as Env;
use common::{Reply, TestServer, openai_text};
use serde_json::Value;
use std::path::Path;
use temper::session::Session;

const REAL: &str = "tests/fixtures/traces/real";

fn path(rel: &str) -> String {
    Path::new(REAL).join(rel).display().to_string()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_captured_llm_span_becomes_a_case_that_check_runs() {
    let server = TestServer::start(Reply::json(200, openai_text("Français!  (French)"))).await;
    let env = Env::new(&format!("{}/v1", server.base_url()));
    let session = env.file("regress.toml");
    let s = session.display().to_string();
    let out = env.temper(&[
        "--json",
        "replay",
        &path("oi-openai/spans.jsonl"),
        "--to-session",
        &s,
        "-n",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["prompts"][0], "replay-7986d5a7@1");
    let skipped = json["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|k| k["span"].as_str().unwrap().starts_with("c98cfdeb")
                && k["why"].as_str().unwrap().contains("no captured messages")),
        "{skipped:?}"
    );
    assert!(server.requests().is_empty(), "--to-session fires nothing");
    let all = Session::read(&session).unwrap();
    assert!(all.prompts.iter().any(|p| p.value == "replay-3721f656@1"));
    // The plain chat alone (the file is rewritten: it is a session).
    let out = env.temper(&[
        "replay",
        &path("oi-openai/spans.jsonl"),
        "--span",
        "7986d5a7",
        "--to-session",
        &s,
        "-n",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let parsed = Session::read(&session).unwrap();
    assert_eq!(parsed.samples, Some(2));
    let must = parsed
        .check
        .must_equal
        .iter()
        .find(|m| m.prompt.as_deref() == Some("replay-7986d5a7"))
        .expect("a must_equal for the plain chat span");
    assert_eq!(must.output, "Français! (French)");

    // The recorded answer comes back (modulo whitespace): the gate passes, and the server got
    // the recorded messages.
    let check = env.temper(&["check", &s]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let sent = server.requests();
    let plain: Vec<Value> = sent
        .iter()
        .map(|r| r.json())
        .filter(|b| b["messages"][1]["content"] == "What is the capital of France?")
        .collect();
    assert_eq!(plain.len(), 2);
    assert_eq!(plain[0]["model"], "smollm2-135m");
    assert_eq!(
        plain[0]["messages"][0]["content"],
        "You are a terse support assistant."
    );

    // Another answer: the gate fails on must_equal and names the prompt.
    let calls = parsed.prompts.len() * 2;
    for _ in 0..calls {
        server.push(Reply::json(200, openai_text("Français (French).")));
    }
    let check = env.temper(&["check", &s]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(
        text(&check).contains("must_equal replay-7986d5a7"),
        "{}",
        text(&check)
    );

    // Loosened by the user, the same kind of answer passes.
    let loosened = std::fs::read_to_string(&session).unwrap().replace(
        "prompt = \"replay-7986d5a7\"\n",
        "prompt = \"replay-7986d5a7\"\nmin_similarity = 0.3\n",
    );
    std::fs::write(&session, loosened).unwrap();
    let must = Session::read(&session).unwrap().check.must_equal;
    assert!(must.iter().any(|m| m.min_similarity == 0.3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_spans_of_several_traces_on_a_chosen_model() {
    let server = TestServer::start(Reply::json(200, openai_text("x"))).await;
    let env = Env::new(&format!("{}/v1", server.base_url()));
    let s = env.file("set.toml").display().to_string();
    let out = env.temper(&[
        "replay",
        &path("llama-index/spans.jsonl"),
        &path("oi-openai/spans.jsonl"),
        "--span",
        "cb88e991",
        "--span",
        "7986d5a7",
        "-m",
        "openai:other temperature=0",
        "-n",
        "1",
        "--to-session",
        &s,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("temper check"), "{}", text(&out));
    let session = Session::read(Path::new(&s)).unwrap();
    let prompts: Vec<&str> = session.prompts.iter().map(|p| p.value.as_str()).collect();
    assert_eq!(prompts, ["replay-cb88e991@1", "replay-7986d5a7@1"]);
    assert_eq!(session.variants.len(), 1);
    assert_eq!(session.variants[0].params.temperature, Some(0.0));
    assert_eq!(session.check.must_equal.len(), 2);
    assert!(
        session.check.must_equal[0]
            .output
            .starts_with("The card refunds are quick")
    );
    let check = env.temper(&["--json", "check", &s]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let sent: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|b| b["model"] == "other" && b["temperature"] == 0.0)
    );
    let rag = sent
        .iter()
        .find(|b| b["max_tokens"] == 32)
        .expect("the RAG call keeps its recorded max_tokens");
    assert!(
        rag["messages"][1]["content"]
            .as_str()
            .unwrap()
            .starts_with("Context information is below.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_writes_no_session_and_saves_nothing() {
    let server = TestServer::start(Reply::json(200, openai_text("x"))).await;
    let env = Env::new(&format!("{}/v1", server.base_url()));
    let s = env.file("set.toml").display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &[&path("otel-openai-v2/spans.jsonl")],
            "no LLM span with captured messages",
        ),
        (
            &[&path("llama-index/spans.jsonl"), "--span", "a816f30b"],
            "is a retriever span, not an LLM call",
        ),
        (
            &[&path("oi-openai/spans.jsonl"), "--span", "ffff"],
            "no span \"ffff\"",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["replay"];
        all.extend_from_slice(args);
        all.extend(["--to-session", &s]);
        let out = env.temper(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(want), "{args:?}: {}", text(&out));
    }
    // A file that is not a session is not overwritten.
    let other = env.file("notes.toml");
    std::fs::write(&other, "keep me").unwrap();
    let out = env.temper(&[
        "replay",
        &path("oi-openai/spans.jsonl"),
        "--to-session",
        &other.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me");
    assert!(!Path::new(&s).exists());
    assert!(!env.prompt_names().iter().any(|n| n.starts_with("replay-")));
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_spend_saves_no_prompt() {
    let server = TestServer::start(Reply::json(200, openai_text("x"))).await;
    let env = Env::new(&format!("{}/v1", server.base_url()));
    let out = env.temper(&[
        "replay",
        "examples/traces/rag-answer.langfuse.json",
        "--span",
        "obs-answer",
        "-n",
        "50",
        "--budget-usd",
        "0.00000001",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not started"), "{}", text(&out));
    assert!(!env.prompt_names().iter().any(|n| n.starts_with("replay-")));
    assert!(server.requests().is_empty());
}
