//! `temper cost` end to end: the real binary on a real SQLite file in a tempdir.

mod common;

use common::cli_env::CliEnv as Env;

use predicates::str::contains;
use std::collections::BTreeMap;
use std::path::Path;
use temper::cost::count_request;
use temper::store::{NewCell, NewSample, SampleStatus, Store};

impl Env {
    fn new() -> Env {
        Env::imported("")
    }

    /// A past run of `support-answer` with one cell per (model, outputs).
    fn add_past_run(&self, cells: &[(&str, &[&str])]) -> i64 {
        let mut store = Store::open(&self.db()).unwrap();
        let version = store.resolve_str("support-answer").unwrap();
        let run = store.create_run("cli", None).unwrap();
        for (model, outputs) in cells {
            let cell = NewCell {
                prompt_version_id: version.info.id,
                variant_name: model.to_string(),
                variant_json: serde_json::json!({ "model": model }).to_string(),
                case_name: "default".into(),
                case_json: "{}".into(),
                n: outputs.len() as u32,
            };
            let cell_id = store.add_cell(run, &cell).unwrap();
            let samples: Vec<NewSample> = outputs
                .iter()
                .enumerate()
                .map(|(i, out)| NewSample {
                    cell_id,
                    idx: i as u32,
                    status: Some(SampleStatus::Ok),
                    output: Some(out.to_string()),
                    input_tokens: Some(150),
                    output_tokens: Some(20 + 10 * i as i64),
                    cost_usd: Some((i + 1) as f64 / 1e6),
                    attempts: 1,
                    ..Default::default()
                })
                .collect();
            store.insert_samples(&samples).unwrap();
        }
        store
            .finish_run(run, temper::store::RunStatus::Done)
            .unwrap();
        run
    }
}

fn support_answer_input_tokens(model: &str) -> u64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts/support-answer.toml");
    let body = temper::prompt::PromptFile::read(&path).unwrap().body;
    let rendered = temper::prompt::render(&body, &BTreeMap::new()).unwrap();
    count_request(model, &rendered.messages, &body.tools, None).tokens
}

#[test]
fn estimate_json_is_exact_to_the_micro_dollar() {
    let env = Env::new();
    let v = env.json(&[
        "cost",
        "support-answer",
        "--model",
        "openai:gpt-4o-mini",
        "--model",
        "ollama:llama3.2",
        "--model",
        "nobody:knows",
        "--calls-per-day",
        "10000",
    ]);
    let est = &v["estimate"];
    assert_eq!(v["prompt"], "support-answer@1");
    let mini = &est["models"][0];
    let input = support_answer_input_tokens("openai:gpt-4o-mini");
    assert_eq!(mini["input_tokens"]["tokens"], input);
    assert_eq!(mini["input_tokens"]["estimated"], false);
    assert_eq!(mini["output_tokens"], 400, "max_tokens of the example");
    assert_eq!(mini["output_source"]["kind"], "max_tokens");
    let per_call = (input as f64 * 0.15 + 400.0 * 0.60) / 1e6;
    let got = mini["projection"]["per_call_usd"].as_f64().unwrap();
    assert!((got - per_call).abs() < 1e-12, "{got} vs {per_call}");
    let month = mini["projection"]["per_30_days_usd"].as_f64().unwrap();
    assert!((month - per_call * 10000.0 * 30.0).abs() < 1e-6);
    assert_eq!(mini["context_window"], 128000);
    assert_eq!(mini["headroom_tokens"], 128000 - input as i64 - 400);
    let local = &est["models"][1];
    assert_eq!(local["pricing"]["kind"], "local");
    assert_eq!(local["projection"]["per_call_usd"], 0.0);
    assert_eq!(local["input_tokens"]["estimated"], true);
    let unknown = &est["models"][2];
    assert_eq!(unknown["pricing"]["kind"], "unpriced");
    assert!(unknown["projection"].is_null(), "never a silent 0");
    assert_eq!(est["table"]["as_of"].as_str().unwrap().len(), 10);
}

#[test]
fn cached_fraction_and_output_flag() {
    let env = Env::new();
    let v = env.json(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o",
        "--cached-fraction",
        "0.5",
        "--output-tokens",
        "100",
    ]);
    let m = &v["estimate"]["models"][0];
    let input = m["input_tokens"]["tokens"].as_u64().unwrap();
    let cached = m["cached_tokens"].as_u64().unwrap();
    assert_eq!(cached, (input as f64 * 0.5).round() as u64);
    let per_call = ((input - cached) as f64 * 2.5 + cached as f64 * 1.25 + 100.0 * 10.0) / 1e6;
    let got = m["projection"]["per_call_usd"].as_f64().unwrap();
    assert!((got - per_call).abs() < 1e-12);
    assert_eq!(m["output_source"]["kind"], "flag");
}

#[test]
fn past_runs_give_output_tokens_and_the_cheapest_stable_model() {
    let env = Env::new();
    // gpt-4o-mini is cheaper but drifts; claude-haiku-4-5 always says the same.
    let run = env.add_past_run(&[
        ("openai:gpt-4o-mini", &["A [c2]", "B [c2]", "A [c2]", "C"]),
        ("anthropic:claude-haiku-4-5", &["A [c2]", "A [c2]"]),
    ]);
    // Per variant mean and p95, per run total, from the stored sample costs.
    let store = Store::open(&env.db()).unwrap();
    let costs = temper::cost::history::run_cost(&store, run).unwrap();
    let mini = &costs.variants[0];
    assert_eq!(mini.model, "openai:gpt-4o-mini");
    assert!((mini.cost.mean_usd.unwrap() - 2.5e-6).abs() < 1e-12);
    assert_eq!(mini.cost.p95_usd, Some(4.0 / 1e6));
    assert_eq!(temper::cost::round_micro(costs.total.total_usd), 0.000013);
    assert_eq!(costs.total.samples, 6);
    let v = env.json(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o-mini",
        "-m",
        "anthropic:claude-haiku-4-5",
    ]);
    let est = &v["estimate"];
    let mini = &est["models"][0];
    assert_eq!(mini["output_source"]["kind"], "past_samples");
    assert_eq!(
        mini["output_tokens"], 30,
        "p50 (nearest rank) of 20, 30, 40, 50"
    );
    assert_eq!(mini["output_source"]["p95"], 50);
    assert!(
        mini["projection_p95"]["per_call_usd"].as_f64()
            > mini["projection"]["per_call_usd"].as_f64()
    );
    assert_eq!(mini["stability"], 0.5);
    assert_eq!(est["cheapest_stable"], "anthropic:claude-haiku-4-5");
    env.temper()
        .args(["cost", "support-answer", "-m", "openai:gpt-4o-mini"])
        .args(["-m", "anthropic:claude-haiku-4-5"])
        .assert()
        .success()
        .stdout(contains("p50 of 4 past samples (p95 50)"))
        .stdout(contains(
            "cheapest model with stability ≥ 1.00 in past runs: anthropic:claude-haiku-4-5",
        ))
        .stdout(contains("~"));
    let v = env.json(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o-mini",
        "--min-stability",
        "0.5",
    ]);
    assert_eq!(v["estimate"]["cheapest_stable"], "openai:gpt-4o-mini");
}

#[test]
fn bad_input_is_explained() {
    let env = Env::new();
    env.temper()
        .args(["cost", "support-answer", "-m", "llama-3.3-70b"])
        .assert()
        .code(2)
        .stderr(contains("groq:llama-3.3-70b-versatile"))
        .stderr(contains("provider:model"));
    let prices = env.dir.path().join("p.toml");
    std::fs::write(&prices, "[prices.x]\ninput = 1\noutput = nan\n").unwrap();
    env.temper()
        .args(["cost", "support-answer", "-m", "x", "--prices"])
        .arg(&prices)
        .assert()
        .code(2)
        .stderr(contains("p.toml:3:"))
        .stderr(contains("not a price"));
    env.temper()
        .args([
            "cost",
            "support-answer",
            "-m",
            "gpt-4o",
            "--cached-fraction",
            "1.5",
        ])
        .assert()
        .code(2)
        .stderr(contains("--cached-fraction"));
    env.temper()
        .args(["cost", "support-answer"])
        .assert()
        .code(2)
        .stderr(contains("--model"));
}

#[test]
fn example_price_files_load() {
    let env = Env::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prices");
    let v = env.json(&[
        "cost",
        "classify-ticket",
        "-m",
        "openai:gpt-4o-mini",
        "-m",
        "vllm:support-ft-8b",
        "--prices",
        examples.join("override.toml").to_str().unwrap(),
    ]);
    let models = &v["estimate"]["models"];
    assert_eq!(models[0]["pricing"]["row"]["input"], 0.12);
    assert_eq!(models[0]["pricing"]["row"]["output"], 0.6);
    assert_eq!(models[1]["pricing"]["row"]["context_window"], 32768);
    let v = env.json(&[
        "cost",
        "classify-ticket",
        "-m",
        "anthropic:claude-haiku-4-5",
        "--prices",
        examples.join("litellm.json").to_str().unwrap(),
    ]);
    assert_eq!(v["estimate"]["models"][0]["pricing"]["row"]["input"], 0.8);
}
