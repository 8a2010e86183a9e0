//! Opt-in (`cargo test --test promptfoo_npm -- --ignored`): the real promptfoo CLI from npm and
//! temper run the same config against the same loopback server at N=1, and must agree on every
//! test's pass/fail. PROMPTFOO_BIN names the CLI; without it the pinned version is installed
//! with npm into $CARGO_TARGET_DIR/promptfoo-npm (its SQLite addon built against the local
//! Node headers).

mod promptfoo_server;

use promptfoo_server::ChatServer;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The promptfoo release the agreement is checked against (the newest that runs on Node 20).
const PIN: &str = "0.118.0";

fn promptfoo_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("PROMPTFOO_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| format!("{}/target", env!("CARGO_MANIFEST_DIR")));
    let dir = Path::new(&target).join("promptfoo-npm");
    let bin = dir.join("node_modules/.bin/promptfoo");
    if bin.exists() {
        return bin;
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("package.json"), "{\"private\": true}").unwrap();
    let npm = |args: &[&str], at: &Path| {
        let ok = Command::new("npm")
            .args(args)
            .current_dir(at)
            .status()
            .unwrap()
            .success();
        assert!(ok, "npm {args:?} failed");
    };
    npm(
        &[
            "install",
            &format!("promptfoo@{PIN}"),
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ],
        &dir,
    );
    let gyp = Command::new("npm").args(["root", "-g"]).output().unwrap();
    let gyp = format!(
        "{}/npm/node_modules/node-gyp/bin/node-gyp.js",
        String::from_utf8_lossy(&gyp.stdout).trim()
    );
    let status = Command::new("node")
        .args([gyp.as_str(), "rebuild", "--release", "--nodedir=/usr"])
        .current_dir(dir.join("node_modules/better-sqlite3"))
        .status()
        .unwrap();
    assert!(status.success(), "building better-sqlite3 failed");
    bin
}

/// (test, prompt, provider) -> passed, from promptfoo's `-o results.json`.
fn promptfoo_verdicts(
    results: &Value,
    tests: &[String],
) -> BTreeMap<(String, String, String), bool> {
    results["results"]["results"]
        .as_array()
        .expect("promptfoo results list")
        .iter()
        .map(|r| {
            let test = tests[r["testIdx"].as_u64().unwrap() as usize].clone();
            let prompt = r["prompt"]["label"].as_str().unwrap().to_string();
            let provider = r["provider"]["label"]
                .as_str()
                .or(r["provider"]["id"].as_str())
                .unwrap()
                .to_string();
            // promptfoo reports `openai:chat:M` as `openai:M`.
            let provider = provider.replace("openai:chat:", "openai:");
            ((test, prompt, provider), r["success"] == true)
        })
        .collect()
}

#[test]
#[ignore = "needs npm and a promptfoo install; run with --ignored"]
fn promptfoo_and_temper_agree_per_test_at_n1() {
    let bin = promptfoo_bin();
    let server = ChatServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/promptfoo/agreement");
    for f in ["promptfooconfig.yaml", "tests.csv"] {
        std::fs::copy(fixture.join(f), d.join(f)).unwrap();
    }
    std::fs::write(d.join("config.toml"), "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_temper"))
        .arg("--db")
        .arg(d.join("t.db"))
        .env("TEMPER_CONFIG", d.join("config.toml"))
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-loopback")
        .args(["--json", "check", "-n", "1"])
        .arg(d.join("promptfooconfig.yaml"))
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let temper: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours: BTreeMap<(String, String, String), bool> = temper["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let key = (
                t["test"].as_str().unwrap().to_string(),
                t["prompt"].as_str().unwrap().to_string(),
                t["provider"]
                    .as_str()
                    .unwrap()
                    .replace("openai:chat:", "openai:"),
            );
            (key, t["passed"] == 1)
        })
        .collect();
    let pf = Command::new(&bin)
        .current_dir(d)
        .args([
            "eval",
            "-c",
            "promptfooconfig.yaml",
            "--no-cache",
            "--no-progress-bar",
            "--no-table",
            "-o",
        ])
        .arg(d.join("results.json"))
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-loopback")
        .env("PROMPTFOO_DISABLE_TELEMETRY", "1")
        .env("PROMPTFOO_DISABLE_UPDATE", "1")
        .env("PROMPTFOO_CONFIG_DIR", d.join("promptfoo-home"))
        .output()
        .unwrap();
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("results.json")).unwrap_or_else(|e| {
            panic!(
                "promptfoo wrote no results ({e}): {}\n{}",
                String::from_utf8_lossy(&pf.stdout),
                String::from_utf8_lossy(&pf.stderr)
            )
        }),
    )
    .unwrap();
    // temper names tests by description; the order of tests is the config's (CSV first).
    let mut names: Vec<(usize, String)> = ours
        .keys()
        .map(|k| k.0.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|n| (0, n))
        .collect();
    let order = [
        "csv hungry",
        "csv starts-with fails",
        "csv equals",
        "capital passes",
        "capital wrong city",
        "json schema",
        "json schema fails",
        "equals and levenshtein",
        "threshold rescues a weak assertion",
        "unknown question",
    ];
    for (i, n) in &mut names {
        *i = order
            .iter()
            .position(|o| o == n)
            .unwrap_or_else(|| panic!("unexpected test {n}"));
    }
    let theirs = promptfoo_verdicts(
        &results,
        &order.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    assert_eq!(
        theirs.len(),
        ours.len(),
        "promptfoo {theirs:?}\ntemper {ours:?}"
    );
    let disagree: Vec<_> = ours
        .iter()
        .filter(|(k, v)| theirs.get(*k) != Some(v))
        .collect();
    assert!(
        disagree.is_empty(),
        "temper vs promptfoo disagree on {disagree:?}\npromptfoo: {theirs:?}"
    );
    assert!(
        ours.values().any(|p| *p) && ours.values().any(|p| !*p),
        "the suite has passing and failing tests"
    );
    println!(
        "agreement on {} test cells ({} passing)",
        ours.len(),
        ours.values().filter(|p| **p).count()
    );
}
