//! The spend guard end to end: a real SQLite file, a real HTTP server on 127.0.0.1 answering
//! with known usage, exact estimate arithmetic, and the CLI in a non-interactive shell.

mod common;

use assert_cmd::Command;
use common::fixture::Fixture;
use common::{Reply, TestServer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use temper::config::{Config, RunDefaults};
use temper::cost::{PriceBook, count_chat, count_request, count_text};
use temper::prompt::{Message, Params, PromptBody, Role};
use temper::runner::{self, Case, Decision, Plan, RunEvent, SpendPolicy, Variant};
use temper::store::{NewCell, NewSample, SampleRow, SampleStatus, Store};
use tokio_util::sync::CancellationToken;

/// USD per 1M tokens of the priced test model `local:tiny` (a config override).
const IN_PRICE: f64 = 100.0;
const OUT_PRICE: f64 = 1000.0;
const MAX_TOKENS: u32 = 10;

/// A DB with prompt `greet` (max_tokens 10) and a config where `local` is the test server
/// (priced by override) and `remote` is an unroutable non-local OpenAI-compatible server.
fn setup(server_url: &str) -> (tempfile::TempDir, PathBuf, Config) {
    let body = PromptBody {
        params: Params {
            max_tokens: Some(MAX_TOKENS),
            ..Params::default()
        },
        messages: vec![
            Message::new(Role::System, "Greet people by name. Be brief."),
            Message::new(Role::User, "Question: how would you greet {{name}}?"),
        ],
        ..PromptBody::default()
    };
    let mut f = Fixture::new("greet", &body)
        .with_provider("local", &format!("{server_url}/v1"))
        .with_provider("remote", "http://192.0.2.1/v1");
    let mut price = toml::Table::new();
    price.insert("input".into(), toml::Value::Float(IN_PRICE));
    price.insert("output".into(), toml::Value::Float(OUT_PRICE));
    f.config.prices.insert("local:tiny".into(), price);
    (f.dir, f.db, f.config)
}

fn plan(db: &Path, models: &[&str], n: u32) -> Plan {
    let version = Store::open(db).unwrap().resolve_str("greet").unwrap();
    let case = Case {
        name: "ada".into(),
        vars: BTreeMap::from([("name".into(), "Ada".into())]),
    };
    let variants = models.iter().map(|m| Variant::model(m)).collect();
    let mut plan = Plan::new(vec![version], variants, vec![case], &RunDefaults::default());
    plan.samples = n;
    plan.timeout = Duration::from_secs(5);
    plan
}

fn samples(db: &Path, run_id: i64) -> Vec<SampleRow> {
    let store = Store::open(db).unwrap();
    let mut all = Vec::new();
    for cell in store.cells(run_id).unwrap() {
        all.extend(store.samples(cell.id).unwrap());
    }
    all.sort_by_key(|s| s.sample.idx);
    all
}

#[tokio::test]
async fn the_budget_stops_the_run_before_the_call_that_could_cross_it() {
    // Every answer reports 19 input tokens (4 cached) and 10 output tokens.
    let server = TestServer::start(Reply::json(200, common::openai_text("Hello, Ada!"))).await;
    let (_dir, db, config) = setup(&server.base_url());
    let book = PriceBook::load(&config, None).unwrap();
    let registry = runner::registry(&config, &db);
    let mut plan = plan(&db, &["local:tiny"], 10);
    plan.concurrency = 4;
    let cells = plan.prepare(&registry).unwrap();

    // Actual cost per call: (19 x 100 + 10 x 1000) micro-dollars (no cached price: cached
    // tokens bill as input). Worst case: the exact prompt tokens plus max_tokens of output.
    let actual = (19.0 * IN_PRICE + 10.0 * OUT_PRICE) / 1e6;
    let prompt = count_request("local:tiny", &cells[0].request.messages, &[], None).tokens;
    let worst = (prompt as f64 * IN_PRICE + f64::from(MAX_TOKENS) * OUT_PRICE) / 1e6;
    let budget = 0.05;
    // Call k (0-based) starts only if k x actual + worst <= budget.
    let expected = ((budget - worst) / actual).floor() as usize + 1;
    assert!(
        (1..10).contains(&expected),
        "fixture must stop mid-run: {expected}"
    );
    plan.budget_usd = Some(budget);
    plan.prices = Some(std::sync::Arc::new(book));

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let outcome = runner::execute(&plan, cells, &db, Some(tx), CancellationToken::new())
        .await
        .unwrap();
    assert!(outcome.budget_reached);
    assert_eq!(outcome.ok, expected);
    assert_eq!(outcome.skipped, 10 - expected);
    assert_eq!(outcome.not_run, 0);
    assert_eq!(server.requests().len(), expected, "no call past the stop");
    assert!((outcome.spent_usd - expected as f64 * actual).abs() < 1e-12);
    assert!(outcome.spent_usd <= budget);

    let stored = samples(&db, outcome.run_id);
    assert_eq!(stored.len(), 10, "skipped samples are stored too");
    for s in &stored[..expected] {
        assert_eq!(s.sample.status, Some(SampleStatus::Ok));
        assert_eq!(s.sample.usage_source.as_deref(), Some("provider"));
        assert!((s.sample.cost_usd.unwrap() - actual).abs() < 1e-15);
    }
    for s in &stored[expected..] {
        assert_eq!(s.sample.status, Some(SampleStatus::Skipped));
        assert_eq!(s.sample.error.as_deref(), Some("skipped: budget"));
        assert_eq!(s.sample.cost_usd, None);
    }
    let mut reached = None;
    while let Ok(event) = rx.try_recv() {
        if let RunEvent::BudgetReached {
            budget_usd,
            skipped,
            ..
        } = event
        {
            reached = Some((budget_usd, skipped));
        }
    }
    assert_eq!(reached, Some((budget, 10 - expected)));
}

#[tokio::test]
async fn estimate_arithmetic_is_exact() {
    let (_dir, db, config) = setup("http://127.0.0.1:9");
    let book = PriceBook::load(&config, None).unwrap();
    let registry = runner::registry(&config, &db);
    let plan = plan(
        &db,
        &["remote:gpt-4o-mini", "mock:echo", "remote:mystery-model"],
        5,
    );
    let cells = plan.prepare(&registry).unwrap();
    let mut store = Store::open(&db).unwrap();

    let e = runner::estimate(&cells, &book, &store).unwrap();
    assert_eq!(
        (e.calls, e.cells, e.prompts, e.variants, e.cases),
        (15, 3, 1, 3, 1)
    );
    let mini = &e.models[0];
    let prompt = count_chat("gpt-4o-mini", &cells[0].request.messages);
    assert!(
        !prompt.estimated,
        "gpt-4o-mini is counted with its own tokenizer"
    );
    assert_eq!(mini.input_tokens, 5 * prompt.tokens);
    assert!(!mini.input_estimated);
    assert_eq!(mini.output_upper_tokens, Some(5 * u64::from(MAX_TOKENS)));
    // gpt-4o-mini list price: $0.15 in, $0.60 out per 1M.
    let upper = 5.0 * (prompt.tokens as f64 * 0.15 + f64::from(MAX_TOKENS) * 0.60) / 1e6;
    assert!((mini.upper_usd.unwrap() - upper).abs() < 1e-15);
    assert!(
        (mini.likely_usd.unwrap() - upper).abs() < 1e-15,
        "no past: likely = max_tokens"
    );
    assert_eq!(e.models[1].upper_usd, Some(0.0), "mock is local: $0");
    assert_eq!(e.unpriced, vec!["remote:mystery-model".to_string()]);
    assert!((e.upper_usd - upper).abs() < 1e-15);
    assert!(e.upper_complete);
    let text = e.lines(Some(1.0)).join("\n");
    assert!(
        text.contains("remote:mystery-model is unpriced: its cost is unknown and the budget cannot be enforced for it"),
        "{text}"
    );
    assert!(
        text.starts_with("estimate: 15 calls = 1 prompt x 3 variants x 1 case x 5 samples"),
        "{text}"
    );

    // Past samples of the same prompt version and model set the likely output: mean of 4 and 6.
    let run = store.create_run("cli", None).unwrap();
    let cell = store
        .add_cell(
            run,
            &NewCell {
                prompt_version_id: cells[0].new_cell.prompt_version_id,
                variant_name: "old".into(),
                variant_json: r#"{"name":"old","model":"remote:gpt-4o-mini"}"#.into(),
                case_name: "ada".into(),
                case_json: "{}".into(),
                n: 2,
            },
        )
        .unwrap();
    let answered = |idx, output_tokens| NewSample {
        cell_id: cell,
        idx,
        status: Some(SampleStatus::Ok),
        output: Some("hi".into()),
        output_tokens: Some(output_tokens),
        ..NewSample::default()
    };
    store
        .insert_samples(&[answered(0, 4), answered(1, 6)])
        .unwrap();
    let e = runner::estimate(&cells, &book, &store).unwrap();
    let mini = &e.models[0];
    assert_eq!(mini.output_likely_tokens, 5 * 5);
    let likely = 5.0 * (prompt.tokens as f64 * 0.15 + 5.0 * 0.60) / 1e6;
    assert!((mini.likely_usd.unwrap() - likely).abs() < 1e-15);
    assert!(
        (mini.upper_usd.unwrap() - upper).abs() < 1e-15,
        "upper bound unchanged"
    );

    // Decisions: over budget refuses unless --yes; the threshold asks only interactively.
    let policy = |budget, confirm, yes, interactive| SpendPolicy {
        budget_usd: budget,
        confirm_above_usd: confirm,
        yes,
        interactive,
    };
    let over = upper / 2.0;
    assert!(matches!(
        e.decide(&policy(Some(over), None, false, false)),
        Decision::Refuse { reason } if reason.contains("exceeds the budget")
    ));
    assert_eq!(
        e.decide(&policy(Some(over), None, true, false)),
        Decision::Start
    );
    assert_eq!(
        e.decide(&policy(Some(upper), None, false, false)),
        Decision::Start
    );
    assert!(matches!(
        e.decide(&policy(None, Some(over), false, true)),
        Decision::Confirm { .. }
    ));
    assert_eq!(
        e.decide(&policy(None, Some(over), false, false)),
        Decision::Start
    );
    assert_eq!(
        e.decide(&policy(None, Some(upper * 2.0), false, true)),
        Decision::Start
    );
}

#[tokio::test]
async fn mock_usage_is_counted_by_the_real_tokenizer_and_priced_zero() {
    let (_dir, db, config) = setup("http://127.0.0.1:9");
    let registry = runner::registry(&config, &db);
    let plan = plan(&db, &["mock:echo"], 3);
    let cells = plan.prepare(&registry).unwrap();
    let messages = cells[0].request.messages.clone();
    let variant: serde_json::Value = serde_json::from_str(&cells[0].new_cell.variant_json).unwrap();
    assert_eq!(variant["model"], "mock:echo");
    let outcome = runner::execute(&plan, cells, &db, None, CancellationToken::new())
        .await
        .unwrap();
    for s in samples(&db, outcome.run_id) {
        let s = s.sample;
        assert_eq!(
            s.input_tokens,
            Some(count_chat("mock:echo", &messages).tokens as i64)
        );
        let output = s.output.unwrap();
        assert_eq!(
            s.output_tokens,
            Some(count_text("mock:echo", &output).tokens as i64)
        );
        assert_eq!(s.usage_source.as_deref(), Some("estimated"));
        assert_eq!(
            s.cost_usd,
            Some(0.0),
            "local models are priced 0 explicitly"
        );
    }
}

fn temper_cli(dir: &Path, config: &str) -> Command {
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.env("TEMPER_DB", dir.join("temper.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env_remove("OPENAI_API_KEY");
    cmd
}

#[test]
fn non_interactive_runs_never_prompt_and_refuse_over_budget_without_yes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(Reply::json(
        200,
        common::openai_text("Hi Ada"),
    )));
    let (dir, db, _) = setup(&server.base_url());
    let config = format!(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"{}/v1\"\n\n[prices.\"local:tiny\"]\ninput = {IN_PRICE}\noutput = {OUT_PRICE}\n\n[run]\nconfirm_above_usd = 0.000001\n",
        server.base_url()
    );
    let run = |extra: &[&str]| {
        let mut cmd = temper_cli(dir.path(), &config);
        cmd.args([
            "run",
            "greet",
            "--var",
            "name=Ada",
            "-m",
            "local:tiny",
            "-n",
            "4",
            "-c",
            "1",
        ])
        .args(extra)
        .timeout(Duration::from_secs(60));
        cmd.assert()
    };

    // Above confirm_above_usd but stdin is not a terminal: no question, the run just starts.
    let out = run(&[]).success().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("[y/N]"), "{stderr}");
    assert!(
        stderr.contains("estimate: 4 calls = 1 prompt x 1 variant x 1 case x 4 samples"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cost/call") && stdout.contains("total cost $0.0476"),
        "{stdout}"
    );
    assert_eq!(server.requests().len(), 4);

    // Over the budget without --yes: refused before any call, exit 2, a message saying how on.
    let out = run(&["--budget-usd", "0.03"]).code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: not started: the upper-bound estimate")
            && stderr.contains("exceeds the budget of $0.0300")
            && stderr.contains("pass --yes"),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 4, "no call was made");
    assert_eq!(
        Store::open(&db).unwrap().list_runs(100).unwrap().len(),
        1,
        "no run stored"
    );

    // With --yes it starts and stops at the budget: 2 calls fit ($0.0119 each, worst ≈ $0.013).
    let out = run(&["--budget-usd", "0.03", "--yes", "--json"])
        .code(2)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["budget_reached"], true);
    assert_eq!(json["ok"], 2);
    assert_eq!(json["skipped"], 2);
    assert!(json["estimate"]["upper_usd"].as_f64().unwrap() > 0.03);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stopped: the next call could take spend past the budget of $0.0300")
            && stderr.contains("2 samples not sent, stored as `skipped: budget`"),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 6);

    // A negative budget is bad input.
    run(&["--budget-usd=-1"])
        .code(2)
        .stderr(predicates::str::contains("-1 is outside 0..=1000000"));
}

#[test]
fn a_session_budget_guards_temper_check_and_run_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("temper.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    // A price override makes the offline mock billable, so the guard has something to hold.
    let config = "[prices.\"mock:echo\"]\ninput = 1000.0\noutput = 1000.0\n";
    let session = dir.path().join("s.toml");
    std::fs::write(
        &session,
        "name = \"tight\"\nsamples = 10\nprompts = [\"classify-ticket\"]\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[[cases]]\nname = \"login\"\nvars = { ticket = \"I cannot log in.\" }\n\n[check]\nbudget_usd = 0.001\n",
    )
    .unwrap();
    for args in [
        vec!["check".to_string(), session.display().to_string()],
        vec![
            "run".to_string(),
            "--session".to_string(),
            session.display().to_string(),
        ],
    ] {
        temper_cli(dir.path(), config)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "not started: the upper-bound estimate",
            ))
            .stderr(predicates::str::contains("exceeds the budget of $0.001000"));
    }
    assert!(
        Store::open(&dir.path().join("temper.db"))
            .unwrap()
            .list_runs(10)
            .unwrap()
            .is_empty(),
        "refused before any run was stored"
    );
    // --yes starts the check; it stops at the session's budget and gives no verdict.
    temper_cli(dir.path(), config)
        .args(["check", &session.display().to_string(), "--yes"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "stopped at the budget of $0.001000",
        ))
        .stderr(predicates::str::contains("so no verdict"));
}
