//! The 30-day cost split per model (issue 24 item 5) on a real SQLite file: the GROUP BY sums
//! the tokens of the window only, the parts are priced at the table's rates, and
//! `temper cost --split` prints and emits the same figures.

use cli_env::CliEnv;
use temper::cost::PriceBook;
use temper::cost::split::{CostSplit, last_days};

#[allow(dead_code)]
#[path = "common/cli_env.rs"]
mod cli_env;
#[path = "common/cost_split_db.rs"]
mod cost_split_db;
#[allow(dead_code)]
#[path = "common/stored.rs"]
mod stored;

/// The shared command-line env with the 30-day fixture in its database.
fn env() -> CliEnv {
    let env = CliEnv::with_config("");
    cost_split_db::fill(&env.db());
    env
}

fn find<'a>(split: &'a [CostSplit], model: &str) -> &'a CostSplit {
    split.iter().find(|s| s.model == model).unwrap()
}

#[test]
fn the_window_sums_each_kind_of_token_per_model() {
    let env = env();
    let store = temper::store::Store::open(&env.db()).unwrap();
    let book = PriceBook::builtin().unwrap();
    let split = last_days(&store, &book, jiff::Timestamp::now()).unwrap();
    let models: Vec<&str> = split.iter().map(|s| s.model.as_str()).collect();
    assert_eq!(
        models,
        ["openai:gpt-4o-mini", "openai:gpt-4.1", "mock:drift"],
        "biggest spender first"
    );
    let big = find(&split, "openai:gpt-4.1");
    assert_eq!(
        (big.samples, big.input_tokens, big.output_tokens),
        (4, 200_000, 20_000),
        "the sample from 40 days ago is left out"
    );
    let mini = find(&split, "openai:gpt-4o-mini");
    assert_eq!(
        (mini.input_tokens, mini.cached_tokens, mini.output_tokens),
        (1_000_000, 9_000_000, 200_000)
    );
    // Each part at the table's rate: the same as pricing that many tokens of one kind.
    let row = match book.lookup("openai:gpt-4o-mini").unwrap() {
        temper::cost::Pricing::Priced { row } => row,
        other => panic!("{other:?}"),
    };
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
    assert!(close(mini.cached_usd, row.cached_input.unwrap() * 9.0));
    assert!(close(mini.output_usd, row.output * 0.2));
    assert!(mini.cached_share().unwrap() > 0.5, "{mini:?}");
    assert_eq!(find(&split, "mock:drift").total_usd, Some(0.0));
}

#[test]
fn cost_split_prints_and_emits_the_same_figures() {
    let env = env();
    let v = env.json(&["cost", "--split"]);
    assert_eq!(v["days"], 30);
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    assert_eq!(models[0]["model"], "openai:gpt-4o-mini");
    assert_eq!(models[0]["cached_tokens"], 9_000_000);
    assert_eq!(models[1]["input_tokens"], 200_000);
    let text = env.ok(&["cost", "--split"]);
    assert!(
        text.contains("Cost of the last 30 days per model"),
        "{text}"
    );
    let mini = text
        .lines()
        .find(|l| l.contains("gpt-4o-mini"))
        .unwrap_or_default();
    assert!(
        mini.contains("(9,000,000 tok)") && mini.contains('%'),
        "{text}"
    );
}

#[test]
fn cost_without_a_reference_or_split_says_what_is_missing() {
    let env = env();
    let out = env.temper().arg("cost").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<REFERENCE>"), "{err}");
    let out = env
        .temper()
        .args(["cost", "support-answer", "--split"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a reference and --split conflict"
    );
}
