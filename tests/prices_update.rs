//! `temper prices update FILE` with real OpenRouter and models.dev answers (excerpts committed
//! under tests/fixtures/prices/, provenance in PROVENANCE.md) and a LiteLLM file: the real
//! binary, the table stored beside a config in a tempdir, read back by `temper models` and
//! `temper cost`.

mod common;

use common::cli_env::CliEnv as Env;

use predicates::str::contains;
use std::path::{Path, PathBuf};

impl Env {
    fn new(config: &str) -> Env {
        Env::with_config(config)
    }

    fn update(&self, file: &Path) -> serde_json::Value {
        self.json(&["prices", "update", file.to_str().unwrap()])
    }

    fn stored(&self) -> PathBuf {
        self.dir.path().join("prices")
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/prices")
        .join(name)
}

/// The row `key` of `temper models --all --json`.
fn row(env: &Env, key: &str) -> serde_json::Value {
    let j = env.json(&["models", "--all"]);
    j["prices"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            format!(
                "{}:{}",
                r["provider"].as_str().unwrap(),
                r["model"].as_str().unwrap()
            ) == key
        })
        .cloned()
        .unwrap_or_else(|| panic!("no row {key}"))
}

fn close(a: &serde_json::Value, b: f64) {
    let a = a.as_f64().unwrap_or(f64::NAN);
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn openrouter_models_become_the_table_in_force() {
    let env = Env::new("");
    let j = env.update(&fixture("openrouter-models.json"));
    assert_eq!(j["table"]["format"], "openrouter");
    // 8 entries: two :batch twins fold into their models, the -1 router is skipped.
    assert_eq!(j["table"]["models"], 5);
    // Time-of-day overrides (utc_start/utc_end) are not long-context tiers.
    let deepseek = row(&env, "openrouter:deepseek/deepseek-v4-pro-0813");
    close(&deepseek["input"], 0.66);
    assert!(deepseek.get("tiers").is_none(), "{deepseek}");
    let mini = row(&env, "openrouter:openai/gpt-4o-mini");
    close(&mini["input"], 0.15);
    close(&mini["cached_input"], 0.075);
    close(&mini["output"], 0.6);
    close(&mini["batch"]["input"], 0.075);
    close(&mini["batch"]["output"], 0.3);
    assert_eq!(mini["context_window"], 128000);
    let sonnet = row(&env, "openrouter:anthropic/claude-sonnet-4.5");
    close(&sonnet["cache_write"], 3.75);
    close(&sonnet["cache_write_1h"], 6.0);
    assert_eq!(sonnet["tiers"][0]["above_tokens"], 199_999);
    close(&sonnet["tiers"][0]["input"], 6.0);
    close(&sonnet["tiers"][0]["output"], 22.5);
    close(
        &row(&env, "openrouter:google/gemini-3.7-flash")["reasoning"],
        1.875,
    );
    let models = env.json(&["models"]);
    assert!(
        models["prices"]["table"]["file"]
            .as_str()
            .unwrap()
            .ends_with("table.json")
    );
    // `temper cost` prices with it: 154 input tokens and 400 output at the stored rates.
    let cost = env.json(&[
        "cost",
        "support-answer",
        "-m",
        "openrouter:openai/gpt-4o-mini",
        "--output-tokens",
        "400",
    ]);
    let m = &cost["estimate"]["models"][0];
    assert_eq!(m["pricing"]["kind"], "priced");
    let input = m["input_tokens"]["tokens"].as_f64().unwrap();
    close(
        &m["projection"]["per_call_usd"],
        (input * 0.15 + 400.0 * 0.6) / 1e6,
    );
    let text = env.temper().arg("models").assert().success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        text.contains("table in force: ") && text.contains("OpenRouter /api/v1/models from"),
        "{text}"
    );
}

#[test]
fn models_dev_prices_per_provider_and_config_rows_still_override() {
    let env = Env::new("[prices.\"302ai:MiniMax-M1\"]\ninput = 0.1\n");
    let j = env.update(&fixture("models-dev-api.json"));
    assert_eq!(j["table"]["format"], "models_dev");
    assert_eq!(j["table"]["models"], 4);
    let sonnet = row(&env, "302ai:claude-sonnet-4-5-20250929");
    close(&sonnet["input"], 3.0);
    close(&sonnet["output"], 15.0);
    assert_eq!(sonnet["context_window"], 200000);
    let minimax = row(&env, "302ai:MiniMax-M1");
    close(&minimax["input"], 0.1); // the config's row wins over the stored table
    close(&minimax["output"], 1.254);
    let qwen = row(&env, "alibaba:qwen3-vl-plus");
    close(&qwen["input"], 0.2);
    close(&qwen["reasoning"], 4.8);
    close(
        &row(&env, "alibaba-cn:deepseek-r1-distill-llama-8b")["output"],
        0.0,
    );
    // Models the file lacks keep the built-in snapshot's rows.
    close(&row(&env, "openai:gpt-4o-mini")["input"], 0.15);
}

#[test]
fn a_litellm_file_is_accepted_too() {
    let env = Env::new("");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prices/litellm.json");
    let j = env.update(&file);
    assert_eq!(j["table"]["format"], "litellm");
    assert!(j["table"]["models"].as_u64().unwrap() >= 1);
}

#[test]
fn a_bad_file_says_which_field_and_keeps_the_table_in_force() {
    let env = Env::new("");
    env.update(&fixture("openrouter-models.json"));
    let about = std::fs::read_to_string(env.stored().join("table.about.json")).unwrap();
    let bad = env.dir.path().join("bad.json");
    let text = std::fs::read_to_string(fixture("openrouter-models.json"))
        .unwrap()
        .replacen("\"0.00000015\"", "\"0.15 USD\"", 1);
    std::fs::write(&bad, text).unwrap();
    env.temper()
        .args(["prices", "update", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("entry \"data["))
        .stderr(contains(
            "is \"0.15 USD\", expected a price in USD per token",
        ))
        .stderr(contains("the table in force is unchanged"));
    std::fs::write(&bad, "{\"models\": [1, 2]}").unwrap();
    env.temper()
        .args(["prices", "update", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("no entry has the fields of a known price file"));
    assert_eq!(
        std::fs::read_to_string(env.stored().join("table.about.json")).unwrap(),
        about
    );
    close(&row(&env, "openrouter:openai/gpt-4o-mini")["input"], 0.15);
}

#[test]
fn an_old_stored_table_is_flagged() {
    let env = Env::new("");
    env.update(&fixture("openrouter-models.json"));
    let path = env.stored().join("table.about.json");
    let about = std::fs::read_to_string(&path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&about).unwrap();
    v["updated"] = "2020-01-01".into();
    std::fs::write(&path, v.to_string()).unwrap();
    env.temper()
        .arg("models")
        .assert()
        .success()
        .stdout(contains("as of 2020-01-01"))
        .stdout(contains("warning: prices are over 90 days old"));
}
