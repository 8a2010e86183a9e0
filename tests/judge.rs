//! `[check] judge` end to end: the real binary runs a session on the mock, then grades every
//! answer with a judge (the offline `mock:judge`, or an OpenAI-compatible loopback server this
//! test spawns), into a real SQLite file. The judge's calls are their own run and cells, priced,
//! at temperature 0, through the spend guard; unreadable grades fail with the judge's text
//! sanitised.

mod common;

use assert_cmd::Command;
use axum::Json;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use temper::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

/// A tempdir with `config`, a DB holding the `route` prompt, the fixture cases and a session
/// `s.toml` whose `[check]` table is `check`.
fn setup(config: &str, check: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    temper::store::import_path(&mut store, &fixture("prompts/route.toml")).unwrap();
    std::fs::copy(fixture("cases.jsonl"), dir.path().join("cases.jsonl")).unwrap();
    let session = format!(
        "name = \"judged\"\nsamples = 3\nprompts = [\"route\"]\ncases_file = \"cases.jsonl\"\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[[cases]]\nname = \"inline-refund\"\nvars = {{ ticket = \"Please refund my billing charge.\" }}\n\n[check]\n{check}\n"
    );
    std::fs::write(dir.path().join("s.toml"), session).unwrap();
    dir
}

fn temper(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.arg("--db")
        .arg(dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env("NO_COLOR", "1")
        .env_remove("TEMPER_DB")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// `temper --json check s.toml ARGS`: exit code and verdict.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = temper(dir)
        .args(["--json", "check", "s.toml"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap_or(-1), v)
}

/// The failed `judge` check of `case`, if it failed.
fn judge_failure<'a>(v: &'a Value, case: &str) -> Option<&'a Value> {
    let c = v["cases"]
        .as_array()?
        .iter()
        .find(|c| c["case"] == case)
        .unwrap_or_else(|| panic!("no case {case} in {v}"));
    c["checks"]
        .as_array()?
        .iter()
        .find(|k| k["check"] == "judge" && k["passed"] == false)
}

/// `(source, cells, samples with a stored cost)` of each run, oldest first.
fn runs(dir: &Path) -> Vec<(String, usize, usize)> {
    let store = Store::open(&dir.join("t.db")).unwrap();
    let mut runs = store.list_runs(100).unwrap();
    runs.reverse();
    runs.iter()
        .map(|r| {
            let cells = store.cells(r.id).unwrap();
            let priced = cells
                .iter()
                .flat_map(|c| store.samples(c.id).unwrap())
                .filter(|s| s.sample.cost_usd.is_some())
                .count();
            (r.source.clone(), cells.len(), priced)
        })
        .collect()
}

#[test]
fn mock_judge_grades_each_answer_once_in_its_own_run_and_a_recheck_reuses_the_grades() {
    let dir = setup(
        "",
        "judge = { model = \"mock:judge\", rubric = \"Routes the ticket to \\\"billing\\\"\", pass_score = 0.7 }",
    );
    let d = dir.path();
    let (code, v) = check_json(d, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["checks"], serde_json::json!(["errors", "judge"]));
    for case in ["inline-refund", "charged-twice"] {
        assert!(judge_failure(&v, case).is_none(), "{case}: {v}");
    }
    for case in ["site-down", "row-3"] {
        let f = judge_failure(&v, case).unwrap_or_else(|| panic!("{case} passed: {v}"));
        assert_eq!(f["value"], "failed 3/3");
        assert_eq!(f["bar"], "score >= 0.70 from mock:judge");
        assert_eq!(
            f["detail"],
            "sample 0: score 0.00: the response has 0 of the 1 quoted phrases"
        );
    }
    assert_eq!(v["variants"][0]["pass_at_k"], 0.5);
    // The session's 12 samples in run 1; the judge's run holds one call per distinct answer
    // (the echo mock answers each case the same way 3 times), each priced.
    assert_eq!(
        runs(d),
        vec![("session".into(), 4, 12), ("judge".into(), 4, 4)]
    );
    let store = Store::open(&d.join("t.db")).unwrap();
    let judge_cells = store.cells(2).unwrap();
    assert!(
        judge_cells
            .iter()
            .all(|c| c.prompt == "temper-judge" && c.cell.n == 1)
    );
    let sent = store.cell_request(judge_cells[0].id).unwrap().unwrap();
    assert!(sent.params_sent.contains("\"temperature\":0.0"), "{sent:?}");

    // Grading the stored run again calls nobody: the grades are found by what was asked.
    let (again, v2) = check_json(d, &["--run", "1"]);
    assert_eq!((again, &v2["cases"]), (1, &v["cases"]));
    assert_eq!(runs(d).len(), 2);
}

/// What the loopback judge was sent.
type Seen = Arc<Mutex<Vec<Value>>>;

/// An OpenAI-compatible judge on 127.0.0.1: a fenced JSON score of 0.9 for answers that say
/// "billing", else prose with a terminal escape in it and no score.
async fn judge_server(seen: Seen) -> String {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |Json(body): Json<Value>| {
            let seen = seen.clone();
            async move {
                let user = body["messages"][1]["content"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                seen.lock().unwrap().push(body);
                let answer = if user.contains("<response>\nbilling\n</response>") {
                    "```json\n{\"score\": 0.9, \"reason\": \"routed to billing\"}\n```"
                } else {
                    "Hard to say \u{1b}[31mreally\u{1b}[0m, it looks off."
                };
                Json(common::openai_text(answer))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/v1")
}

#[test]
fn a_loopback_judge_gets_temperature_zero_and_the_rubric_and_unreadable_grades_fail_sanitised() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen: Seen = Arc::default();
    let base = runtime.block_on(judge_server(seen.clone()));
    let config = format!(
        "[providers.grader]\nkind = \"openai\"\nbase_url = \"{base}\"\n\n[prices.\"grader:judge-1\"]\ninput = 1.0\noutput = 2.0\n"
    );
    let rubric = "Routes billing questions to billing.";
    let dir = setup(
        &config,
        &format!("judge = {{ model = \"grader:judge-1\", rubric = \"{rubric}\" }}"),
    );
    let d = dir.path();
    let out = temper(d)
        .args(["check", "s.toml", "--junit", "j.xml"])
        .current_dir(d)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("judge: failed 3/3 (bar score >= 0.70 from grader:judge-1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sample 0: no score in the judge's answer: \"Hard to say"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "escape reached the terminal: {stdout:?}"
    );

    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 4, "one call per distinct answer");
    for body in &requests {
        assert_eq!(body["temperature"], 0.0, "{body}");
        assert_eq!(body["model"], "judge-1");
        let user = body["messages"][1]["content"].as_str().unwrap();
        assert!(
            user.contains(&format!("<rubric>\n{rubric}\n</rubric>")),
            "{user}"
        );
        assert!(user.contains("<input>\nTicket: "), "{user}");
    }
    // The judge's calls are priced from [prices] and stored in their own run.
    let store = Store::open(&d.join("t.db")).unwrap();
    let judge_costs: Vec<f64> = store
        .cells(2)
        .unwrap()
        .iter()
        .flat_map(|c| store.samples(c.id).unwrap())
        .filter_map(|s| s.sample.cost_usd)
        .collect();
    assert_eq!(judge_costs.len(), 4);
    assert!(judge_costs.iter().all(|c| *c > 0.0), "{judge_costs:?}");
    let junit = std::fs::read_to_string(d.join("j.xml")).unwrap();
    assert_eq!(junit.matches("type=\"judge\"").count(), 2, "{junit}");
}

#[test]
fn the_judges_spend_goes_through_the_guard_and_the_sessions_budget() {
    let config = "[prices.\"mock:judge\"]\ninput = 1000.0\noutput = 1000.0\n";
    let dir = setup(
        config,
        "budget_usd = 0.01\njudge = { model = \"mock:judge\", rubric = \"Says \\\"billing\\\"\" }",
    );
    let d = dir.path();
    let out = temper(d)
        .args(["check", "s.toml"])
        .current_dir(d)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("mock:judge  4 calls"), "{stderr}");
    assert!(stderr.contains("not started"), "{stderr}");
    // The session ran; the judge never started, so no judge run exists.
    assert_eq!(
        runs(d).iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["session"]
    );
}

#[test]
fn bad_judge_settings_name_the_line_and_the_fix() {
    for (check, want) in [
        (
            "judge = { model = \"mock:judge\", rubric = \"x\", pass_score = 1.5 }",
            "s.toml:15: `check.judge.pass_score`: 1.5 is outside 0..=1",
        ),
        (
            "judge = { model = \"judge\", rubric = \"x\" }",
            "`check.judge.model`: \"judge\" is not provider:model",
        ),
        (
            "judge = { model = \"mock:judge\", rubric = \" \" }",
            "`check.judge.rubric`: must say what a good answer does",
        ),
        (
            "judge = { model = \"nope:big\", rubric = \"x\" }",
            "s.toml:15: `check.judge.model`: unknown provider \"nope\" in \"nope:big\"",
        ),
    ] {
        let dir = setup("", check);
        let out = temper(dir.path())
            .args(["check", "s.toml"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{check}: {stderr}");
        assert!(stderr.contains(want), "{check}: {stderr}");
        assert_eq!(runs(dir.path()).len(), 0, "nothing ran for {check}");
    }
}
