//! Temperature 0 by default, the request as sent, streaming and TTFT, and servers without
//! json_schema: the runner end to end against a real SSE server on 127.0.0.1 (see sse_server/)
//! and a real SQLite file, plus the real binary for what the user reads.

mod common;
mod sse_server;

use assert_cmd::Command;
use common::fixture::Fixture;
use serde_json::json;
use sse_server::SseServer;
use std::collections::BTreeMap;
use std::time::Duration;
use temper::config::{ProviderConfig, ProviderKind, RunDefaults};
use temper::prompt::{Message, PromptBody, Role};
use temper::runner::{self, Backoff, Plan, Variant};
use temper::store::{SampleRow, SampleStatus, Store};
use tokio_util::sync::CancellationToken;

/// A DB with prompt `greet` (no `[params]`, so no temperature) and providers `local` (OpenAI
/// shape) and `claude` (Anthropic shape) on the SSE server.
fn fixture(server: &SseServer, schema: Option<serde_json::Value>) -> Fixture {
    let mut body = PromptBody {
        messages: vec![Message::new(Role::User, "Say hello")],
        ..PromptBody::default()
    };
    body.params.response_schema = schema;
    let mut f = Fixture::new("greet", &body).with_provider("local", &server.base_url);
    f.config.providers.insert(
        "claude".into(),
        ProviderConfig {
            kind: ProviderKind::Anthropic,
            base_url: Some(server.base_url.clone()),
            api_key_env: None,
            timeout_secs: None,
            headers: BTreeMap::new(),
        },
    );
    f
}

/// Run `specs` (one-line variants) `n` times each with no retries and a 1 s timeout; returns
/// the run id, its samples per variant, and how long it took.
async fn run(f: &Fixture, specs: &[&str], n: u32) -> (i64, BTreeMap<String, Vec<SampleRow>>) {
    let store = Store::open(&f.db).unwrap();
    let version = store.resolve_str("greet").unwrap();
    let variants = specs.iter().map(|s| Variant::parse(s).unwrap()).collect();
    let mut plan = Plan::new(vec![version], variants, vec![], &RunDefaults::default());
    plan.samples = n;
    plan.concurrency = 2;
    plan.timeout = Duration::from_secs(1);
    plan.max_retries = 0;
    plan.backoff = Backoff::default();
    let registry = runner::registry(&f.config, &f.db);
    let outcome = runner::run(&plan, &registry, &f.db, None, CancellationToken::new())
        .await
        .unwrap();
    let mut out: BTreeMap<String, Vec<SampleRow>> = BTreeMap::new();
    for cell in store.cells(outcome.run_id).unwrap() {
        let rows = store.samples(cell.id).unwrap();
        out.insert(cell.cell.variant_name.clone(), rows);
    }
    (outcome.run_id, out)
}

#[tokio::test]
async fn every_request_carries_temperature_zero_unless_set() {
    let server = SseServer::start(true).await;
    let f = fixture(&server, None);
    let specs = [
        "local:hello",
        "local:hello stream=true",
        "claude:claude-x",
        "claude:claude-x stream=true",
        "local:hello temperature=0.7",
    ];
    let (run_id, samples) = run(&f, &specs, 2).await;
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 10);
    for b in &bodies {
        let expected = if b["model"] == "hello" && b.get("stream").is_none() {
            // Only the temperature=0.7 variant or the plain one: told apart below.
            b["temperature"].clone()
        } else {
            json!(0.0)
        };
        assert!(b.get("temperature").is_some(), "no temperature in {b}");
        assert_eq!(b["temperature"], expected, "{b}");
    }
    let warm = bodies
        .iter()
        .filter(|b| b["temperature"] == json!(0.7))
        .count();
    assert_eq!(warm, 2);
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b["temperature"] == json!(0.0))
            .count(),
        8
    );
    for rows in samples.values() {
        assert!(
            rows.iter()
                .all(|s| s.sample.output.as_deref() == Some("Hello"))
        );
    }
    // The request as sent is recorded per cell.
    let store = Store::open(&f.db).unwrap();
    let cells = store.cells(run_id).unwrap();
    let sent = |i: usize| {
        let r = store.cell_request(cells[i].id).unwrap().unwrap();
        let params: serde_json::Value = serde_json::from_str(&r.params_sent).unwrap();
        let body: serde_json::Value = serde_json::from_str(&r.request_json).unwrap();
        (params, body)
    };
    let (params, body) = sent(1);
    assert_eq!(params["temperature"], 0.0);
    assert_eq!(params["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["content"], "Say hello");
    let (params, body) = sent(4);
    assert_eq!(params["temperature"], 0.7);
    assert_eq!(body["temperature"], 0.7);
}

#[tokio::test]
async fn streamed_answers_match_plain_ones_and_measure_ttft() {
    let server = SseServer::start(false).await;
    let f = fixture(&server, None);
    let specs = [
        "local:delay",
        "local:delay stream=true",
        "claude:c stream=true",
    ];
    let (_, samples) = run(&f, &specs, 2).await;
    let plain = &samples["local:delay"];
    let streamed = &samples["local:delay stream=true"];
    for (p, s) in plain.iter().zip(streamed) {
        assert_eq!(
            s.sample.status,
            Some(SampleStatus::Ok),
            "{:?}",
            s.sample.error
        );
        assert_eq!(p.sample.output, s.sample.output);
        assert_eq!(s.sample.finish_reason.as_deref(), Some("stop"));
        assert_eq!(
            (s.sample.input_tokens, s.sample.output_tokens),
            (Some(5), Some(2))
        );
        assert_eq!(s.sample.usage_source.as_deref(), Some("provider"));
        assert_eq!(p.sample.ttft_ms, None);
        let ttft = s.sample.ttft_ms.unwrap();
        assert!(
            ttft >= 300.0,
            "ttft {ttft} ms should include the 300 ms delay"
        );
        assert!(s.sample.latency_ms.unwrap() >= ttft);
    }
    for s in &samples["claude:c stream=true"] {
        assert_eq!(s.sample.output.as_deref(), Some("Hello"));
        assert_eq!(s.sample.finish_reason.as_deref(), Some("end_turn"));
        assert_eq!(
            (s.sample.input_tokens, s.sample.output_tokens),
            (Some(5), Some(2))
        );
        assert!(s.sample.ttft_ms.unwrap() >= 200.0);
    }
}

#[tokio::test]
async fn broken_streams_are_stored_errors_that_keep_the_partial_text() {
    let server = SseServer::start(false).await;
    let f = fixture(&server, None);
    let specs = [
        "local:cut stream=true",
        "local:stall stream=true",
        "local:garbage stream=true",
        "local:nodone stream=true",
        "local:errevent stream=true",
        "local:plainjson stream=true",
    ];
    let (_, samples) = run(&f, &specs, 1).await;
    let stall = &samples["local:stall stream=true"][0].sample;
    let waited = stall.latency_ms.unwrap();
    assert!(
        (1000.0..3000.0).contains(&waited),
        "a stall is bounded by the 1 s timeout, waited {waited} ms"
    );
    let error = |v: &str| {
        let s = &samples[&format!("local:{v} stream=true")][0].sample;
        assert_eq!(s.status, Some(SampleStatus::Error), "{v}: {s:?}");
        (s.error.clone().unwrap(), s.output.clone())
    };
    let (e, partial) = error("cut");
    assert!(e.contains("the stream broke after 1 event"), "{e}");
    assert_eq!(partial.as_deref(), Some("Hel"));
    assert!(error("stall").0.contains("timed out after 1.0 s"));
    let (e, partial) = error("garbage");
    assert!(
        e.contains("not server-sent events: received \"<html>oops</html>\""),
        "{e}"
    );
    assert_eq!(partial.as_deref(), Some("Hel"));
    let (e, partial) = error("nodone");
    assert!(
        e.contains("ended after 2 events without its end marker"),
        "{e}"
    );
    assert_eq!(partial.as_deref(), Some("Hello"));
    let (e, _) = error("errevent");
    assert!(
        e.contains("error event mid-stream: model overloaded"),
        "{e}"
    );
    let ok = &samples["local:plainjson stream=true"][0].sample;
    assert_eq!(ok.status, Some(SampleStatus::Ok));
    assert_eq!(ok.output.as_deref(), Some("Hello"));
}

#[tokio::test]
async fn json_schema_refusal_says_the_fix_and_json_object_is_checked_by_temper() {
    let server = SseServer::start(true).await;
    let schema = json!({"type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer"}}});
    let f = fixture(&server, Some(schema));
    let (_, samples) = run(&f, &["local:noschema"], 1).await;
    let refused = &samples["local:noschema"][0].sample;
    let e = refused.error.clone().unwrap();
    assert!(
        e.starts_with("the server does not support response_format json_schema (HTTP 500"),
        "{e}"
    );
    assert!(
        e.contains("Fix: add the variant param response_format=json_object"),
        "{e}"
    );
    assert_eq!(server.bodies().len(), 1, "a refusal is not retried");

    let (_, samples) = run(&f, &["local:noschema response_format=json_object"], 4).await;
    let rows = &samples["local:noschema response_format=json_object"];
    let ok: Vec<_> = rows
        .iter()
        .filter(|s| s.sample.status == Some(SampleStatus::Ok))
        .collect();
    assert_eq!(ok.len(), 2);
    assert!(
        ok.iter()
            .all(|s| s.sample.output.as_deref() == Some(r#"{"a": 1}"#))
    );
    let bad = rows
        .iter()
        .find(|s| s.sample.status == Some(SampleStatus::Error))
        .unwrap();
    let e = bad.sample.error.clone().unwrap();
    assert!(
        e.contains("does not follow the prompt's response_schema"),
        "{e}"
    );
    assert!(e.contains("\"a\" is a required property"), "{e}");
    assert_eq!(bad.sample.output.as_deref(), Some(r#"{"b": 2}"#));
    let sent = server.bodies();
    assert_eq!(
        sent.last().unwrap()["response_format"],
        json!({"type": "json_object"})
    );
}

fn temper(f: &Fixture, config: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.env("TEMPER_DB", &f.db)
        .env("TEMPER_CONFIG", config)
        .env("NO_COLOR", "1");
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_reports_params_sent_ttft_and_shows_the_request() {
    let server = SseServer::start(false).await;
    let f = fixture(&server, None);
    let config = f.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.local]\nkind = \"openai\"\nbase_url = \"{}\"\n",
            server.base_url
        ),
    )
    .unwrap();
    let (f, config) = tokio::task::spawn_blocking(move || {
        let out = temper(&f, &config)
            .args(["run", "greet", "-n", "2", "-m", "local:delay stream=true"])
            .args(["-m", "local:hello temperature=0.5"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("ttft p50"), "{stdout}");
        assert!(stdout.contains("temperature 0.5 (above 0)"), "{stdout}");
        (f, config)
    })
    .await
    .unwrap();
    let out = temper(&f, &config)
        .args(["--json", "report", "1"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cell = &report["cells"][0];
    assert_eq!(cell["params_sent"]["temperature"], 0.0);
    assert_eq!(cell["params_sent"]["stream"], true);
    assert!(cell["ttft_p50_ms"].as_f64().unwrap() >= 300.0);
    assert!(cell["ttft_p95_ms"].as_f64().unwrap() >= 300.0);
    assert!(cell["latency_p50_ms"].as_f64().is_some());
    assert!(report["cells"][1]["ttft_p50_ms"].is_null());
    let text = temper(&f, &config).args(["report", "1"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("sent: temperature=0.0 stream=true"), "{text}");
    assert!(
        text.contains("note: temperature 0.5 was sent, above 0"),
        "{text}"
    );
    let cell_id = cell["cell_id"].as_i64().unwrap().to_string();
    let shown = temper(&f, &config)
        .args(["show-request", "1", "--cell", &cell_id, "--sample", "1"])
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(body["model"], "delay");
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["messages"][0]["content"], "Say hello");
    let missing = temper(&f, &config)
        .args(["show-request", "1", "--cell", &cell_id, "--sample", "9"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&missing.stderr);
    assert!(e.contains("has no sample 9; it has samples 0..2"), "{e}");
}

#[test]
fn bad_variant_params_and_param_flags_are_usage_errors() {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    let dir = tempfile::tempdir().unwrap();
    cmd.env("TEMPER_DB", dir.path().join("t.db"));
    let out = cmd
        .args([
            "run",
            "support-answer",
            "--temperature",
            "0.5",
            "-m",
            "openai:gpt-4o-mini",
        ])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        e.contains("-m \"openai:gpt-4o-mini temperature=0.5\""),
        "{e}"
    );
    assert!(!e.contains("--theme"), "{e}");
    for (spec, says) in [
        (
            "mock:echo stream=yes",
            "stream=\"yes\": expected true or false",
        ),
        ("mock:echo temperature=-1", "expected a number in 0..=2"),
        (
            "mock:echo temp=1",
            "unknown parameter \"temp\" (known: temperature, top_p, max_tokens, seed, stream, response_format)",
        ),
    ] {
        let e = Variant::parse(spec).unwrap_err().to_string();
        assert!(e.contains(says), "{spec}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn session_check_max_p95_ttft_ms() {
    let server = SseServer::start(false).await;
    let f = fixture(&server, None);
    let config = f.dir.path().join("config.toml");
    let root = &server.base_url;
    std::fs::write(
        &config,
        format!("[providers.local]\nkind = \"openai\"\nbase_url = \"{root}\"\n"),
    )
    .unwrap();
    let session = |bar: u32| {
        format!(
            "name = \"ttft\"\nsamples = 2\nprompts = [\"greet\"]\n\n[[variants]]\nname = \"streamed\"\nmodel = \"local:delay\"\nstream = true\n\n[check]\nmax_p95_ttft_ms = {bar}\n"
        )
    };
    let path = f.dir.path().join("ttft.toml");
    tokio::task::spawn_blocking(move || {
        std::fs::write(&path, session(100)).unwrap();
        let out = temper(&f, &config)
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("max_p95_ttft_ms"), "{text}");
        std::fs::write(&path, session(5000)).unwrap();
        let out = temper(&f, &config)
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{text}");
    })
    .await
    .unwrap();
}
