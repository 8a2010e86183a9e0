//! `temper compare P@1 P@2`: the real binary on a real SQLite file, reusing stored runs (figures
//! checked against the stored samples by hand) and running both versions when none are stored.

mod common;

use common::cli_env::CliEnv as Env;

use predicates::str::contains;
use temper::store::{NewSample, SampleStatus, Store};

#[path = "common/stored.rs"]
mod stored;

impl Env {
    /// The example prompts, and a second version of support-answer.
    fn new() -> Env {
        let env = Env::seeded("");
        let mut store = Store::open(&env.db()).unwrap();
        let mut body = store.resolve_str("support-answer").unwrap().body;
        body.params.max_tokens = Some(300);
        store.save_version("support-answer", &body, "v2").unwrap();
        env
    }
}

/// An answered sample with tokens, cost and latency.
fn sample(idx: u32, text: &str, tokens: (i64, i64), cost: f64, latency: f64) -> NewSample {
    NewSample {
        input_tokens: Some(tokens.0),
        output_tokens: Some(tokens.1),
        cost_usd: Some(cost),
        latency_ms: Some(latency),
        ..stored::ok_sample(idx, text)
    }
}

fn failed(idx: u32) -> NewSample {
    NewSample {
        idx,
        status: Some(SampleStatus::Error),
        error: Some("HTTP 500".into()),
        ..NewSample::default()
    }
}

/// @1: 4 samples, 2 distinct, one without "refund"; @2: 4 samples, one failed call.
fn store_both(env: &Env) {
    let mut store = Store::open(&env.db()).unwrap();
    let v = ("openai:gpt-4o-mini", r#"{"model":"openai:gpt-4o-mini"}"#);
    let old = vec![
        sample(0, "A refund takes 30 days.", (150, 20), 1e-5, 100.0),
        sample(1, "A refund takes 30 days.", (150, 20), 1e-5, 200.0),
        sample(2, "A refund takes 30 days.", (150, 20), 1e-5, 300.0),
        sample(3, "Ask billing.", (150, 40), 3e-5, 900.0),
    ];
    let new = vec![
        sample(0, "A refund takes 14 days.", (170, 10), 2e-5, 50.0),
        sample(1, "A refund takes 14 days.", (170, 10), 2e-5, 60.0),
        sample(2, "A refund takes 14 days.", (170, 10), 2e-5, 70.0),
        failed(3),
    ];
    stored::stored_run(&mut store, "support-answer@1", v, "default", old);
    stored::stored_run(&mut store, "support-answer@2", v, "default", new);
}

fn close(a: &serde_json::Value, b: f64) {
    let a = a.as_f64().unwrap_or(f64::NAN);
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn stored_runs_are_reused_and_every_figure_matches_the_samples() {
    let env = Env::new();
    store_both(&env);
    let session = env.dir.path().join("s.toml");
    std::fs::write(
        &session,
        "name = \"refunds\"\nprompts = [\"support-answer\"]\n[[variants]]\nname = \"openai:gpt-4o-mini\"\nmodel = \"openai:gpt-4o-mini\"\n[[cases]]\nname = \"default\"\n[check]\nmust_contain = [\"refund\"]\n",
    )
    .unwrap();
    let args = [
        "compare",
        "support-answer@1",
        "support-answer@2",
        "--calls-per-day",
        "50k",
        "--session",
    ];
    let j = env.json(&[&args[..], &[session.to_str().unwrap()]].concat());
    assert_eq!(j["reused_stored_runs"], true);
    assert_eq!(j["checks"], "refunds");
    let v = &j["variants"][0];
    assert_eq!(v["variant"], "openai:gpt-4o-mini");
    let (old, new, d) = (&v["old"], &v["new"], &v["delta"]);
    close(&old["stability"], 0.75);
    close(&new["stability"], 1.0);
    close(&old["distinct"], 2.0);
    close(&new["distinct"], 1.0);
    // TARr: @1 has two answers, @2 a failed call: neither case agrees.
    close(&old["tar_raw"], 0.0);
    close(&new["tar_raw"], 0.0);
    close(&old["input_tokens"], 150.0);
    close(&new["output_tokens"], 10.0);
    close(&old["output_tokens"], 25.0);
    close(&old["cost_per_call_usd"], 1.5e-5);
    close(&new["cost_per_call_usd"], 2e-5);
    close(&old["cost_per_30_days_usd"], 1.5e-5 * 50_000.0 * 30.0);
    close(&d["cost_per_30_days_usd"], 0.5e-5 * 50_000.0 * 30.0);
    close(&old["latency_p95_ms"], 900.0);
    close(&new["latency_p95_ms"], 70.0);
    // "Ask billing." fails must_contain; the failed call of @2 passes nothing.
    assert_eq!(old["checks_passed"], 3);
    assert_eq!(new["checks_passed"], 3);
    close(&d["stability"], 0.25);
    close(&d["input_tokens"], 20.0);
    close(&d["checks_passed_share"], 0.0);

    let text = env
        .temper()
        .args(["compare", "support-answer@1", "support-answer@2"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        out.contains("support-answer@1 → support-answer@2 · stored runs"),
        "{out}"
    );
    assert!(out.contains("stability"), "{out}");
    assert!(out.contains("+0.25"), "{out}");
    assert!(out.contains("+$0.000005 (+33%)"), "{out}");
    assert!(out.contains("4/4 (100%)"), "{out}");
    assert!(out.contains("3/4 (75%)"), "{out}");
    assert!(
        out.contains("an answer passes when its call succeeded"),
        "{out}"
    );
}

#[test]
fn both_versions_run_on_the_same_variants_when_nothing_is_stored() {
    let env = Env::new();
    let j = env.json(&[
        "compare",
        "support-answer@1",
        "support-answer@2",
        "-m",
        "mock:echo",
        "-n",
        "3",
        "-y",
    ]);
    assert_eq!(j["reused_stored_runs"], false);
    let run = j["run_id"].as_i64().unwrap();
    let store = Store::open(&env.db()).unwrap();
    let cells = store.cells(run).unwrap();
    assert_eq!(cells.len(), 2, "one cell per version");
    let v = &j["variants"][0];
    assert_eq!(v["variant"], "mock:echo");
    assert_eq!(v["old"]["samples"], 3);
    assert_eq!(v["new"]["samples"], 3);
    close(&v["old"]["tar_raw"], 1.0);
    close(&v["old"]["cost_per_call_usd"], 0.0);
    // A second compare reuses that run instead of running again.
    let again = env.json(&[
        "compare",
        "support-answer@1",
        "support-answer@2",
        "-m",
        "mock:echo",
    ]);
    assert_eq!(again["reused_stored_runs"], true);
    assert_eq!(store.list_runs(10).unwrap().len(), 1);
}

#[test]
fn nothing_stored_and_no_model_says_how_to_run() {
    let env = Env::new();
    env.temper()
        .args(["compare", "support-answer@1", "support-answer@2"])
        .assert()
        .code(2)
        .stderr(contains("support-answer@1 has no stored outputs"))
        .stderr(contains("-m openai:gpt-4o-mini -n 5"));
    env.temper()
        .args(["compare", "support-answer@1", "support-answer@9"])
        .assert()
        .code(2)
        .stderr(contains("support-answer has no version 9 (latest is 2)"));
}
