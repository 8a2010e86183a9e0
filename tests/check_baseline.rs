//! `temper check --baseline REF` end to end: the real binary on the mock provider and a real
//! SQLite file. Version 2 of `route` names its billing queue "payments", so the billing case
//! that passed `must_contain "billing"` on `prod` (version 1) regresses.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

/// A tempdir with an empty config, the fixture cases, a session on `route`, and (when
/// `prompts`) a DB holding `route@1` labelled prod and the regressing `route@2`.
fn setup(prompts: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "").unwrap();
    std::fs::copy(fixture("cases.jsonl"), d.join("cases.jsonl")).unwrap();
    std::fs::write(
        d.join("s.toml"),
        "name = \"gate\"\nsamples = 3\nprompts = [\"route\"]\ncases_file = \"cases.jsonl\"\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[check]\nmust_contain = [\"billing\"]\n",
    )
    .unwrap();
    let v1 = std::fs::read_to_string(fixture("prompts/route.toml")).unwrap();
    let v2 = v1
        .replace("billing, outage, bug", "payments, outage, bug")
        .replace("labels = [\"prod\"]", "labels = [\"next\"]");
    std::fs::write(d.join("route2.toml"), v2).unwrap();
    if prompts {
        let mut store = temper::store::Store::open(&d.join("t.db")).unwrap();
        temper::store::import_path(&mut store, &fixture("prompts/route.toml")).unwrap();
        temper::store::import_path(&mut store, &d.join("route2.toml")).unwrap();
    }
    dir
}

fn temper(d: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("temper")
        .unwrap()
        .arg("--db")
        .arg(d.join("t.db"))
        .env("TEMPER_CONFIG", d.join("config.toml"))
        .env("NO_COLOR", "1")
        .current_dir(d)
        .args(args)
        .output()
        .unwrap()
}

fn runs(d: &Path) -> usize {
    match temper::store::Store::open(&d.join("t.db")) {
        Ok(store) => store.list_runs(100).unwrap().len(),
        Err(_) => 0,
    }
}

#[test]
fn a_check_that_held_on_prod_and_fails_now_is_a_regression_and_the_stored_baseline_is_reused() {
    let dir = setup(true);
    let d = dir.path();
    let out = temper(d, &["check", "s.toml", "--baseline", "prod"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("baseline prod (route@1, run #2, run now)"),
        "{text}"
    );
    assert!(
        text.contains(
            "regressed: charged-twice must_contain \"billing\" passed on prod@1, fails on route@2\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("flipped: charged-twice pass → fail\n"),
        "{text}"
    );
    // site-down and row-3 fail on both versions: listed as failures, not as regressions.
    assert_eq!(text.matches("regressed:").count(), 1, "{text}");
    assert!(text.contains("✗ 1 regression against prod"), "{text}");
    assert_eq!(runs(d), 2);

    // Again, with every CI output: the candidate runs, the baseline run is reused.
    let out = temper(
        d,
        &[
            "--json",
            "check",
            "s.toml",
            "--baseline",
            "prod",
            "--no-run",
            "--junit",
            "j.xml",
            "--summary",
            "s.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(runs(d), 3);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    let b = &v["baseline"];
    assert_eq!(
        (b["run_id"].as_i64(), b["reused"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(b["prompts"], serde_json::json!(["route@1"]));
    assert_eq!(b["regressions"].as_array().unwrap().len(), 1);
    assert_eq!(b["regressions"][0]["check"], "must_contain \"billing\"");
    assert_eq!(b["regressions"][0]["baseline"], "prod@1");
    assert_eq!(b["flips"][0]["case"], "charged-twice");
    let junit = std::fs::read_to_string(d.join("j.xml")).unwrap();
    assert!(junit.contains("name=\"gate · baseline prod\""), "{junit}");
    assert!(junit.contains("type=\"regression\""), "{junit}");
    let summary = std::fs::read_to_string(d.join("s.md")).unwrap();
    assert!(
        summary.contains("**Against `prod`**: 1 regression"),
        "{summary}"
    );
    assert!(
        summary.contains("- flipped: charged-twice (echo) pass → fail"),
        "{summary}"
    );
}

#[test]
fn no_worse_than_the_baseline_passes_even_when_both_fail_a_check() {
    let dir = setup(true);
    let d = dir.path();
    // The candidate is prod (route@1), the baseline the worse version 2 (label next).
    let session = std::fs::read_to_string(d.join("s.toml"))
        .unwrap()
        .replace("[\"route\"]", "[\"route:prod\"]");
    std::fs::write(d.join("s.toml"), session).unwrap();
    let out = temper(d, &["check", "s.toml", "--baseline", "next"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("flipped: charged-twice fail → pass"),
        "{text}"
    );
    assert!(text.contains("✓ no regressions against next"), "{text}");
    assert!(text.contains("2 checks failed in 2 of 3 cells"), "{text}");
}

#[test]
fn a_bad_baseline_fails_before_any_call() {
    let dir = setup(true);
    let d = dir.path();
    let out = temper(d, &["check", "s.toml", "--baseline", "prd"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--baseline prd: route has no label \"prd\"; did you mean prod?"),
        "{stderr}"
    );
    let out = temper(d, &["check", "s.toml", "--baseline", "prod", "--no-run"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(
            "--no-run: no stored run of route@1 has the session's variants, cases and 3 samples per case"
        ),
        "{stderr}"
    );
    assert_eq!(runs(d), 0, "nothing ran");
}
