//! promptfoo configs end to end: real example configs from the promptfoo repository
//! (tests/fixtures/promptfoo/PROVENANCE.md) and a suite using every supported form, run by the
//! real binary against a loopback OpenAI-compatible server into a real SQLite file; the
//! flakiness verdict, JSON, JUnit parsed back, the bad-input errors, and `temper import`.

mod promptfoo_server;

use assert_cmd::Command;
use promptfoo_server::ChatServer;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/promptfoo")
        .join(dir)
}

fn temper(dir: &Path, server: &ChatServer) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.arg("--db")
        .arg(dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-loopback")
        .env("LOOPBACK_KEY", "sk-loopback")
        .env("NO_COLOR", "1");
    cmd
}

fn tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    dir
}

/// Copy a fixture folder into `to`, replacing BASE_URL with the server's.
fn copy_fixture(name: &str, to: &Path, server: &ChatServer) -> PathBuf {
    let dest = to.join(name);
    std::fs::create_dir_all(&dest).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("BASE_URL", &server.base_url());
        std::fs::write(dest.join(path.file_name().unwrap()), text).unwrap();
    }
    dest.join("promptfooconfig.yaml")
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// (test, prompt, provider) -> (passed, samples, flaky) from `check --json`.
fn verdicts(v: &Value) -> Vec<(String, String, bool, u64, u64, bool)> {
    let mut out: Vec<_> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["test"].as_str().unwrap().to_string(),
                t["prompt"].as_str().unwrap().to_string(),
                t["failing"] == true,
                t["passed"].as_u64().unwrap(),
                t["samples"].as_u64().unwrap(),
                t["flaky"] == true,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn getting_started_example_passes_on_the_loopback_server_at_temperature_zero() {
    let server = ChatServer::start();
    let dir = tempdir();
    let out = temper(dir.path(), &server)
        .args(["--json", "check", "-n", "2"])
        .arg(fixture("getting-started/promptfooconfig.yaml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(v["passed"], true);
    // 2 prompts x 2 providers x 2 tests, each 2 samples.
    assert_eq!(v["tests"].as_array().unwrap().len(), 8);
    assert!(
        v["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["passed"] == 2 && t["pass_rate"] == 1.0)
    );
    assert_eq!(server.calls(), 16);
    let sent = server.requests.lock().unwrap().clone();
    assert!(
        sent.iter().all(|r| r["temperature"] == 0.0),
        "promptfoo's default temperature 0 is sent"
    );
    let models: std::collections::BTreeSet<&str> =
        sent.iter().filter_map(|r| r["model"].as_str()).collect();
    assert_eq!(models, ["gpt-4.1", "o4-mini"].into_iter().collect());
}

#[test]
fn simple_test_example_grades_what_it_can_and_lists_what_it_skips() {
    let server = ChatServer::start();
    let dir = tempdir();
    let out = temper(dir.path(), &server)
        .args(["--json", "check", "-n", "1"])
        .arg(fixture("simple-test/promptfooconfig.yaml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 10, "5 tests x 2 prompts from prompts.txt");
    let similarity: Vec<&Value> = tests
        .iter()
        .filter(|t| t["test"] == "Check for semantic similarity")
        .collect();
    assert_eq!(similarity.len(), 2);
    for t in similarity {
        assert_eq!(
            t["pass_rate"],
            Value::Null,
            "all-skipped tests have no pass rate"
        );
        let skipped: Vec<&str> = t["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(
            skipped,
            [
                "skipped: javascript assertion",
                "skipped: python assertion",
                "skipped: similar assertion"
            ]
        );
    }
    let rubric: Vec<&Value> = tests
        .iter()
        .filter(|t| t["test"] == "Use LLM to evaluate output")
        .collect();
    for t in &rubric {
        assert_eq!(t["skipped"], serde_json::json!([]), "llm-rubric is graded");
        assert_eq!(
            t["passed"], 1,
            "the judge's 0.9 and the $ref icontains arrr"
        );
    }
    // The judge is the config's provider (no defaultTest.options.provider), on the same
    // server: one call per distinct answer, at temperature 0, with the rubric and the answer.
    let sent = server.requests.lock().unwrap().clone();
    let judged: Vec<&Value> = sent
        .iter()
        .filter(|r| {
            r["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("impartial grader")
        })
        .collect();
    assert_eq!(judged.len(), 2, "2 prompts -> 2 inputs graded");
    for r in judged {
        assert_eq!(r["model"], "gpt-4.1-mini");
        assert_eq!(r["temperature"], 0.0);
        let user = r["messages"][1]["content"].as_str().unwrap();
        assert!(
            user.contains("Is spoken like a pirate") && user.contains("Arrr, the swift"),
            "{user}"
        );
    }
    let exact = tests
        .iter()
        .find(|t| t["test"] == "Check for exact match")
        .unwrap();
    assert_eq!(exact["passed"], 1);
}

#[test]
fn every_supported_form_runs_and_the_coin_test_is_flaky() {
    let server = ChatServer::start();
    let dir = tempdir();
    let config = copy_fixture("features", dir.path(), &server);
    let junit = dir.path().join("junit.xml");
    let out = temper(dir.path(), &server)
        .args(["--json", "check", "-n", "4", "--junit"])
        .arg(&junit)
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "flaky alone passes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    let got = verdicts(&v);
    // 5 tests (2 CSV, 2 JSONL, 1 inline) x 3 prompts; vertex is unsupported and left out.
    assert_eq!(got.len(), 15, "{got:?}");
    for (test, prompt, failing, passed, samples, flaky) in &got {
        assert_eq!(*samples, 4);
        assert!(!failing, "{test} on {prompt}");
        if test == "coin" {
            assert!(*flaky && *passed == 2, "{test} on {prompt}: {passed}/4");
        } else {
            assert!(!flaky && *passed == 4, "{test} on {prompt}: {passed}/4");
        }
    }
    assert_eq!(v["tests"][0]["test"], "coin", "flaky tests come first");
    assert!(
        v["tests"][0]["first_divergence"]
            .as_str()
            .unwrap()
            .contains("at char 0")
    );
    assert_eq!(v["tests"][0]["stability"], 0.5);
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("vertex:gemini-pro is not supported")),
        "{notes:?}"
    );
    let sent = server.requests.lock().unwrap().clone();
    assert!(
        sent.iter()
            .any(|r| r["messages"][0]["content"] == "Please answer flip a coin (shout: HI)"),
        "upper filter and defaultTest var"
    );
    assert!(sent.iter().any(|r| r["messages"][0]["role"] == "system"
        && r["messages"][1]["content"] == "Question: I'm hungry, matey"));
    assert!(
        sent.iter()
            .all(|r| r["max_tokens"] == 64 || r["max_completion_tokens"] == 64),
        "provider config is sent"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert!(
        cases
            .iter()
            .any(|c| c.attribute("name") == Some("coin · contains-any [\"heads\"]"))
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
    // The javascript assertion temper cannot grade is a skipped test case, on each prompt.
    let skipped: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .collect();
    assert_eq!(skipped.len(), 3, "{xml}");
    assert!(
        skipped.iter().all(
            |n| n.attribute("message") == Some("skipped: javascript assertion")
                && n.parent()
                    .unwrap()
                    .attribute("name")
                    .unwrap()
                    .starts_with("skipped only · ")
        ),
        "{xml}"
    );

    let again = temper(dir.path(), &server)
        .args(["check", "-n", "4", "--fail-on-flaky"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(1),
        "--fail-on-flaky fails on the coin test"
    );
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.lines().nth(1).unwrap().starts_with("FLAKY"), "{text}");
    assert!(
        text.contains("0 failing (on a majority of samples) · 3 flaky"),
        "{text}"
    );
}

#[test]
fn a_test_failing_on_most_samples_fails_the_gate() {
    let server = ChatServer::start();
    let dir = tempdir();
    let config = dir.path().join("promptfooconfig.yaml");
    std::fs::write(&config, "prompts: ['What is the capital of {{c}}?']\nproviders: [openai:gpt-4o-mini]\ntests:\n  - vars: {c: France}\n    assert:\n      - type: icontains\n        value: Lyon\n").unwrap();
    let out = temper(dir.path(), &server)
        .args(["--json", "check", "-n", "3"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["tests"][0]["failing"], true);
    assert!(
        v["tests"][0]["first_failure"]
            .as_str()
            .unwrap()
            .contains("icontains \"Lyon\"")
    );
}

/// Run `check` on a config written into a tempdir; returns (exit code, stderr, calls made).
fn bad(files: &[(&str, &str)], extra: &[&str]) -> (Option<i32>, String, usize) {
    let server = ChatServer::start();
    let dir = tempdir();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = temper(dir.path(), &server)
        .arg("check")
        .args(extra)
        .arg(dir.path().join("promptfooconfig.yaml"))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        server.calls(),
    )
}

const GOOD_HEAD: &str = "prompts: ['Hi {{x}}']\nproviders: [openai:gpt-4o-mini]\n";

#[test]
fn bad_input_names_file_line_and_what_and_runs_nothing() {
    let (code, err, calls) = bad(
        &[(
            "promptfooconfig.yaml",
            &format!("{GOOD_HEAD}tests: []\nscenarioz: 1\n"),
        )],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(
        err.contains("promptfooconfig.yaml:4: unknown or unsupported top-level key `scenarioz`"),
        "{err}"
    );

    let (code, err, calls) = bad(
        &[(
            "promptfooconfig.yaml",
            &format!(
                "{GOOD_HEAD}tests:\n  - vars: {{x: zebra}}\n    options: {{provider: vertex:gemini}}\n    assert: [{{type: llm-rubric, value: polite}}]\n"
            ),
        )],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(
        err.contains("promptfooconfig.yaml:4: test \"test 1\": grader provider \"vertex:gemini\" is not supported")
            && err.contains("--judge-model"),
        "{err}"
    );

    let (code, err, calls) = bad(
        &[(
            "promptfooconfig.yaml",
            &format!("{GOOD_HEAD}tests: file://missing.csv\n"),
        )],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(
        err.contains("promptfooconfig.yaml:3: tests file://missing.csv: cannot read"),
        "{err}"
    );

    let (code, err, calls) = bad(
        &[
            (
                "promptfooconfig.yaml",
                &format!("{GOOD_HEAD}tests: file://t.csv\n"),
            ),
            (
                "t.csv",
                "x,__expected\nok,contains:a\nragged,contains:b,extra\n",
            ),
        ],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(
        err.contains("t.csv:3: 3 fields where the header has 2"),
        "{err}"
    );

    let loop_prompt = "Items:\n{% for i in items %}- {{ i }}\n{% endfor %}\n";
    let (code, err, calls) = bad(
        &[
            (
                "promptfooconfig.yaml",
                "prompts: [file://p.txt]\nproviders: [openai:gpt-4o-mini]\n",
            ),
            ("p.txt", loop_prompt),
        ],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(
        err.contains("p.txt:2: Nunjucks tag `{% for i in items %}` is not supported"),
        "{err}"
    );

    let (code, err, calls) = bad(
        &[(
            "promptfooconfig.yaml",
            &format!(
                "{GOOD_HEAD}tests:\n  - vars: {{x: a}}\n    assert:\n      - type: regex\n        value: '(unclosed'\n"
            ),
        )],
        &[],
    );
    assert_eq!((code, calls), (Some(2), 0));
    assert!(err.contains("does not compile"), "{err}");
}

#[test]
fn keep_going_runs_the_usable_part() {
    let config = format!(
        "{GOOD_HEAD}scenarioz: 1\ntests:\n  - vars: {{x: there}}\n  - vars: {{x: a}}\n    assert: [{{type: regex, value: '(bad'}}]\n"
    );
    let (code, err, calls) = bad(
        &[("promptfooconfig.yaml", &config)],
        &["--keep-going", "-n", "1"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(calls, 1, "only the usable test ran");
    assert!(
        err.contains("left out (--keep-going)") && err.contains("scenarioz"),
        "{err}"
    );
}

#[test]
fn import_writes_prompt_and_session_files_that_run_and_never_overwrites() {
    let server = ChatServer::start();
    let dir = tempdir();
    let out_dir = dir.path().join("converted");
    let import = |force: bool| {
        let mut cmd = temper(dir.path(), &server);
        cmd.args(["import", "promptfoo"])
            .arg(fixture("getting-started/promptfooconfig.yaml"))
            .arg("-o")
            .arg(&out_dir);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let first = import(false);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let session = out_dir.join("getting-started.toml");
    let text = std::fs::read_to_string(&session).unwrap();
    assert!(
        text.contains("#   test 1: contains \"Bonjour le monde\""),
        "{text}"
    );
    assert!(out_dir.join("prompts/getting-started-1.toml").exists());
    let again = import(false);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("exists; nothing was written (pass --force to overwrite)")
    );
    assert!(import(true).status.success());

    let imported = temper(dir.path(), &server)
        .args(["prompt", "import"])
        .arg(out_dir.join("prompts"))
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let check = temper(dir.path(), &server)
        .args(["--json", "check"])
        .arg(&session)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(json_of(&check)["cells"], 8);
}

const RUBRICS: &str = r#"
description: rubrics
prompts:
  - 'Say it {{input}}'
providers:
  - openai:gpt-4.1-mini
defaultTest:
  options:
    provider: mock:judge
tests:
  - description: french
    vars: {input: 'to french: hello world'}
    assert:
      - type: llm-rubric
        value: 'answers "bonjour"'
  - description: french again
    vars: {input: 'politely to french: hello world'}
    assert:
      - type: llm-rubric
        value: 'answers "bonjour"'
  - description: wrong rubric
    vars: {input: 'to french: hello world'}
    assert:
      - type: llm-rubric
        value: 'says "au revoir"'
      - type: icontains
        value: bonjour
  - description: low bar
    vars: {input: 'to french: hello world'}
    assert:
      - type: llm-rubric
        value: 'says "au revoir" and "bonjour"'
        threshold: 0.5
"#;

fn rubric_suite(dir: &Path) -> PathBuf {
    let config = dir.join("promptfooconfig.yaml");
    std::fs::write(&config, RUBRICS).unwrap();
    config
}

fn judge_calls(server: &ChatServer) -> usize {
    let sent = server.requests.lock().unwrap();
    sent.iter()
        .filter(|r| {
            r["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("impartial grader")
        })
        .count()
}

fn rubric_outcomes(v: &Value) -> Vec<(String, u64, bool)> {
    let mut got: Vec<_> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["test"].as_str().unwrap().to_string(),
                t["passed"].as_u64().unwrap(),
                t["failing"] == true,
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn llm_rubric_is_graded_by_the_judge_grouped_by_rubric_and_reused_on_a_stored_run() {
    let server = ChatServer::start();
    let dir = tempdir();
    let config = rubric_suite(dir.path());
    let out = temper(dir.path(), &server)
        .args(["check", "-n", "2"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the wrong rubric fails: {stderr}"
    );
    // defaultTest.options.provider is mock:judge: graded offline, the server sees only the
    // 4 tests x 2 samples; 3 rubrics over 4 distinct answers -> 4 judge calls in 3 runs.
    assert_eq!(server.calls(), 8, "{stderr}");
    assert_eq!(judge_calls(&server), 0);
    assert_eq!(stderr.matches("judge call").count(), 3, "{stderr}");
    assert!(stderr.contains("ran 2 judge calls"), "{stderr}");
    let run: String = stderr
        .split("· run #")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let stored = temper(dir.path(), &server)
        .args(["--json", "check", "--run", &run])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(stored.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&stored.stderr).contains("judge call"));
    let v = json_of(&stored);
    assert_eq!(
        rubric_outcomes(&v),
        [
            ("french".to_string(), 2, false),
            ("french again".to_string(), 2, false),
            ("low bar".to_string(), 2, false),
            ("wrong rubric".to_string(), 0, true),
        ]
    );
    let wrong = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["test"] == "wrong rubric")
        .unwrap();
    assert!(
        wrong["first_failure"]
            .as_str()
            .unwrap()
            .contains("judge score 0.00 (pass 0.70)"),
        "{wrong}"
    );
    // --judge-model names another judge: no stored grades, so it is asked, on the server.
    let other = temper(dir.path(), &server)
        .args([
            "--json",
            "check",
            "--run",
            &run,
            "--judge-model",
            "openai:gpt-4.1-mini",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        other.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert_eq!(judge_calls(&server), 4);
    let v = json_of(&other);
    assert_eq!(
        rubric_outcomes(&v)[2],
        ("low bar".to_string(), 0, true),
        "0.2 < 0.5"
    );
}

#[test]
fn ci_without_a_database_uses_a_temporary_one_for_a_promptfoo_config() {
    let server = ChatServer::start();
    let dir = tempdir();
    let out = Command::cargo_bin("temper")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("TEMPER_DB")
        .env("CI", "1")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("TEMPER_CONFIG", dir.path().join("config.toml"))
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-loopback")
        .env("NO_COLOR", "1")
        .args(["check", "-n", "1"])
        .arg(fixture("getting-started/promptfooconfig.yaml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("using a new temporary database"),
        "{stderr}"
    );
    assert!(!dir.path().join("temper.db").exists());
    assert!(!dir.path().join("data").exists());
}
