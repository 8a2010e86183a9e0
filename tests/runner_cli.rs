//! `temper run`, `temper runs` and `temper models` as a user runs them: the real binary, a DB in
//! a tempdir, a config file in a tempdir.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn temper(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.env("TEMPER_DB", dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env("NO_COLOR", "1")
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL");
    cmd
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[run]\nconcurrency = 4\n").unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts");
    temper(dir.path())
        .args(["prompt", "import"])
        .arg(examples)
        .assert()
        .success();
    dir
}

#[test]
fn run_on_mock_prints_a_summary_and_stores_every_sample() {
    let dir = setup();
    temper(dir.path())
        .args([
            "run",
            "support-answer",
            "-n",
            "10",
            "--model",
            "mock:echo",
            "--model",
            "mock:drift?p=0.5&seed=7&fail=0.2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "run #1 done · support-answer@1 · 20 samples",
        ))
        .stdout(predicate::str::is_match(r"mock:echo\s+10\s+0\s+1\s").unwrap())
        .stdout(predicate::str::contains("error: mock: injected failure"));

    let out = temper(dir.path())
        .args([
            "run",
            "support-answer",
            "-n",
            "4",
            "--var",
            "question=Can I cancel a monthly plan?",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["run_id"], 2);
    assert_eq!(json["status"], "done");
    assert_eq!(json["ok"], 4);
    assert_eq!(json["variants"][0]["model"], "mock:echo");
    assert_eq!(json["variants"][0]["distinct"], 1);

    let store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    assert_eq!(store.sample_count(1).unwrap(), 20);
    let cell = &store.cells(2).unwrap()[0];
    let sample = &store.samples(cell.id).unwrap()[0].sample;
    assert!(
        sample
            .output
            .as_deref()
            .unwrap()
            .contains("Monthly plans can be cancelled"),
        "{sample:?}"
    );

    temper(dir.path())
        .args(["runs"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#2").and(predicate::str::contains("20 samples")));
}

#[test]
fn variants_with_params_make_a_models_x_params_matrix() {
    let dir = setup();
    temper(dir.path())
        .args(["run", "support-answer", "-n", "2", "-m", "mock:echo"])
        .args(["-m", "mock:echo temperature=0.7  seed=3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("mock:echo temperature=0.7 seed=3"));
    let report = temper(dir.path())
        .args(["report", "1", "--json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&report.get_output().stdout).unwrap();
    let text = json.to_string();
    assert!(
        text.contains("\"mock:echo temperature=0.7 seed=3\""),
        "{text}"
    );
    // The variant's params are what was sent, as stored with the cell.
    let store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    let cells = store.cells(1).unwrap();
    let sent: serde_json::Value = serde_json::from_str(&cells[1].cell.variant_json).unwrap();
    assert_eq!(sent["model"], "mock:echo", "{sent}");
    assert_eq!(sent["params"]["temperature"], 0.7, "{sent}");
    assert_eq!(sent["params"]["seed"], 3, "{sent}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = setup();
    temper(dir.path())
        .args(["run", "support-answer", "--model", "opneai:gpt-4o"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown provider \"opneai\"; did you mean \"openai\"?; known providers: anthropic, mock, ollama, openai, replay",
        ));
    temper(dir.path())
        .args(["run", "support-answer", "--model", "openai:gpt-4o-mini"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "set the environment variable OPENAI_API_KEY",
        ));
    temper(dir.path())
        .args(["run", "support-answer", "--model", "gpt-4o"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use provider:model"));
    temper(dir.path())
        .args(["run", "support-answer", "--model", "mock:echo temp=0.2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "variant \"mock:echo temp=0.2\": unknown parameter \"temp\" (known: temperature, top_p, max_tokens, seed, stream, response_format)",
        ));
    temper(dir.path())
        .args(["run", "support-answer", "--var", "question"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--var expects KEY=VALUE"));
    temper(dir.path())
        .args(["run", "suport-answer"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean support-answer"));
    // A missing config file is named once, with its cause once.
    let missing = dir.path().join("nope.toml");
    let out = temper(dir.path())
        .env("TEMPER_CONFIG", &missing)
        .args(["runs"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.starts_with("error: cannot read config "), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    // Nothing was stored by the failed attempts.
    temper(dir.path())
        .args(["runs", "--json"])
        .assert()
        .success()
        .stdout("[]\n");
}

#[test]
fn models_lists_providers_and_key_presence_never_the_key() {
    let dir = setup();
    std::fs::write(
        dir.path().join("config.toml"),
        "[providers.local]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8080/v1\"\napi_key_env = \"LOCAL_KEY\"\n",
    )
    .unwrap();
    let out = temper(dir.path())
        .env("LOCAL_KEY", "sk-very-secret")
        .args(["models", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("sk-very-secret"));
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    let json = &all["providers"];
    let local = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "local")
        .unwrap();
    assert_eq!(local["key_set"], true);
    assert_eq!(local["base_url"], "http://127.0.0.1:8080/v1");
    let openai = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "openai")
        .unwrap();
    assert_eq!(openai["key_set"], false);
    let prices = &all["prices"];
    assert!(!prices["table"]["as_of"].as_str().unwrap().is_empty());
    assert!(
        prices["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["provider"] == "openai" && r["model"] == "gpt-4o-mini")
    );
    temper(dir.path())
        .env("LOCAL_KEY", "sk-very-secret")
        .arg("models")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("LOCAL_KEY set")
                .and(predicate::str::contains("sk-very-secret").not()),
        )
        .stdout(predicate::str::contains("OPENAI_API_KEY not set"))
        .stdout(predicate::str::contains(
            "prices (USD per 1M tokens) · as of 20",
        ))
        .stdout(predicate::str::contains("openai:gpt-4o-mini"));
}

#[test]
fn ctrl_c_cancels_and_keeps_the_samples() {
    let dir = setup();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("temper"))
        .env("TEMPER_DB", dir.path().join("t.db"))
        .env("TEMPER_CONFIG", dir.path().join("config.toml"))
        .args([
            "run",
            "support-answer",
            "-n",
            "50",
            "-c",
            "1",
            "--model",
            "mock:echo?latency_ms=300",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once a couple of samples are stored (start-up loads the tokenizer first).
    let db = dir.path().join("t.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let stored = temper::store::Store::open(&db)
            .ok()
            .and_then(|s| s.sample_count(1).ok())
            .unwrap_or(0);
        if stored >= 2 {
            break;
        }
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cancelled:"), "{stderr}");
    let store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    let run = store.run_info(1).unwrap();
    assert_eq!(run.status, temper::store::RunStatus::Cancelled);
    let kept = store.sample_count(1).unwrap();
    assert!((2..50).contains(&kept), "{kept} samples kept");
}

#[test]
fn tool_call_answers_are_compared_by_their_calls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let db = dir.path().join("t.db");
    let temper = || {
        let mut cmd = assert_cmd::Command::cargo_bin("temper").unwrap();
        cmd.env("TEMPER_CONFIG", dir.path().join("config.toml"))
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(&db);
        cmd
    };
    temper()
        .args(["prompt", "import"])
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/prompts/agent-ops.toml"),
        )
        .assert()
        .success();
    temper()
        .args(["run", "agent-ops", "-n", "3", "-m", "mock:echo"])
        .assert()
        .success();
    let store = temper::store::Store::open(&db).unwrap();
    let cell = &store.cells(1).unwrap()[0];
    for row in store.samples(cell.id).unwrap() {
        let output = row.sample.output.unwrap();
        assert!(output.starts_with("get_service_status("), "{output}");
        assert!(row.sample.tool_calls_json.unwrap().contains("\"id\""));
    }
}
