//! `temper check` and `temper run --session` end to end: the shipped example sessions on the
//! mock provider, and a session against an OpenAI-compatible loopback server.

mod common;

use assert_cmd::Command;
use common::{Reply, TestServer, openai_text};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn temper(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.arg("--db")
        .arg(dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env("NO_COLOR", "1");
    cmd
}

/// A tempdir with a config and a DB holding the example prompts.
fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let mut store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    dir
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sessions")
        .join(name)
}

#[test]
fn shipped_sessions_pass_and_fail_as_documented() {
    let dir = setup("");
    temper(dir.path())
        .arg("check")
        .arg(shipped("classify-stable.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ all 7 checks hold on 2 cells"));
    temper(dir.path())
        .arg("check")
        .arg(shipped("invoice-json.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ all 3 checks hold on 1 cell\n"));
    temper(dir.path())
        .arg("check")
        .arg(shipped("refund-drift.toml"))
        .assert()
        .code(1)
        // The drifting mock changes some answers (how many depends on its seed), never all.
        .stdout(
            predicate::str::is_match(
                r"✗ drifting × annual-refund \[support-answer@1\]  min_stability: 0\.\d\d \(bar >= 1\.00\)",
            )
            .unwrap(),
        )
        .stdout(predicate::str::contains("steady ×").not());
    // `temper run --session` stores the same matrix as a session run.
    let out = temper(dir.path())
        .args(["--json", "run", "-n", "3", "--session"])
        .arg(shipped("refund-drift.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["samples"], 6);
    let store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    let run = store.run_info(v["run_id"].as_i64().unwrap()).unwrap();
    assert_eq!(
        (run.source.as_str(), run.session.as_deref()),
        ("session", Some("refund-drift"))
    );
}

fn loopback_session(dir: &Path, model: &str) -> PathBuf {
    let path = dir.join("s.toml");
    let text = format!(
        "name = \"loopback\"\nsamples = 4\nconcurrency = 1\nprompts = [\"classify-ticket\"]\n\n[[variants]]\nname = \"local\"\nmodel = \"{model}\"\n\n[check]\nmin_stability = 1.0\nregex = [\"^[a-z_]+$\"]\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_against_a_loopback_server() {
    let server = TestServer::start(Reply::json(200, openai_text("billing"))).await;
    let config = format!(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"{}/v1\"\n",
        server.base_url()
    );
    let dir = setup(&config);
    let session = loopback_session(dir.path(), "local:test-model");
    let d = dir.path().to_path_buf();
    let s = session.clone();
    tokio::task::spawn_blocking(move || temper(&d).arg("check").arg(&s).assert().code(0))
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 4);

    // One answer in four drifts: stability 0.75 and the regex both fail, exit 1.
    server.push(Reply::json(200, openai_text("billing")));
    server.push(Reply::json(200, openai_text("Billing.")));
    let d = dir.path().to_path_buf();
    let s = session.clone();
    tokio::task::spawn_blocking(move || {
        temper(&d)
            .arg("check")
            .arg(&s)
            .assert()
            .code(1)
            .stdout(predicate::str::contains(
                "min_stability: 0.75 (bar >= 1.00)",
            ))
            .stdout(predicate::str::contains(
                "regex /^[a-z_]+$/: no match in 1/4",
            ))
            .stdout(predicate::str::contains("2 checks failed in 1 of 1 cell\n"))
    })
    .await
    .unwrap();
    assert_eq!(server.requests().len(), 8);

    // An unknown provider fails before any call is made (exit 2, no request).
    let bad = loopback_session(dir.path(), "nosuch:model");
    let d = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        temper(&d)
            .arg("check")
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "s.toml:8: `variants.model`: unknown provider \"nosuch\"",
            ))
    })
    .await
    .unwrap();
    assert_eq!(server.requests().len(), 8);
}
