//! `temper report` and `temper diff` on a real SQLite file, through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use temper::store::{NewSample, SampleStatus, Store};

#[path = "common/stored.rs"]
mod stored;

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let mut store = Store::open(&db).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    Fixture {
        _dir: dir,
        db,
        config,
    }
}

/// A successful sample with usage, latency and cost (the cell id is filled in on storing).
fn ok(idx: u32, text: &str) -> NewSample {
    NewSample {
        input_tokens: Some(100),
        output_tokens: Some(20),
        latency_ms: Some(10.0 + f64::from(idx)),
        cost_usd: Some(0.001),
        attempts: 1,
        ..stored::ok_sample(idx, text)
    }
}

/// A run of `reference` with one cell whose samples are `outputs` (`None` = failed call).
fn add_run(db: &Path, reference: &str, variant: &str, outputs: &[Option<&str>]) -> (i64, i64) {
    let mut store = Store::open(db).unwrap();
    let samples = outputs
        .iter()
        .enumerate()
        .map(|(i, o)| match o {
            Some(text) => ok(i as u32, text),
            None => NewSample {
                idx: i as u32,
                status: Some(SampleStatus::Error),
                error: Some("HTTP 500 from provider".into()),
                attempts: 4,
                ..NewSample::default()
            },
        })
        .collect();
    let json = format!("{{\"model\":\"mock:{variant}\"}}");
    stored::stored_run(&mut store, reference, (variant, &json), "default", samples)
}

fn temper(f: &Fixture) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.arg("--db")
        .arg(&f.db)
        .env("TEMPER_CONFIG", &f.config)
        .env("NO_COLOR", "1");
    cmd
}

const MODAL: &str = "Annual plans are refundable in full within 30 days [c2].";
const DRIFT: &str = "Annual plans are refundable within 14 days [c2].";

#[test]
fn report_shows_stability_divergence_and_failures() {
    let f = fixture();
    let outputs = [Some(MODAL), Some(MODAL), Some(DRIFT), None, Some(MODAL)];
    let (run, _) = add_run(&f.db, "support-answer", "drift", &outputs);
    temper(&f)
        .args(["report", &run.to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("STABILITY"))
        .stdout(predicate::str::contains("0.75"))
        .stdout(predicate::str::contains("char 28"))
        .stdout(predicate::str::contains("1 of 5 samples failed"))
        .stdout(predicate::str::contains("modal  → in full within 30"))
        .stdout(predicate::str::contains("other  → within 14 days"));

    let out = temper(&f)
        .args(["--json", "report", "support-answer@1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &v["cells"][0]["analysis"];
    assert_eq!(a["n"], 5);
    assert_eq!(a["ok"], 4);
    assert_eq!(a["failed"], 1);
    assert_eq!(a["distinct"], 2);
    assert_eq!(a["stability"], 0.75);
    assert_eq!(a["divergence"]["char_offset"], 28);
    assert_eq!(a["divergence"]["other_sample"], 2);
    // "Annual plans are refundable " is 5 o200k_base tokens (the trailing space is its own).
    assert_eq!(a["divergence"]["token_offset"], 5);
    assert_eq!(v["cells"][0]["tokens"]["input"], 400);
    assert_eq!(v["cells"][0]["model"], "mock:drift");
    assert!((v["cells"][0]["cost_usd"].as_f64().unwrap() - 0.004).abs() < 1e-9);
}

#[test]
fn report_json_mode_sees_reordered_keys_as_equal() {
    let f = fixture();
    let outputs = [
        Some(r#"{"total": 10, "currency": "EUR"}"#),
        Some("{\"currency\":\"EUR\",\n \"total\":10}"),
        Some(r#"{"total": 12, "currency": "EUR"}"#),
    ];
    let (run, _) = add_run(&f.db, "extract-invoice", "x", &outputs);
    let json = |mode: &str| {
        let out = temper(&f)
            .args(["--json", "report", &run.to_string(), "--mode", mode])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(json("exact")["cells"][0]["analysis"]["distinct"], 3);
    let v = json("json");
    assert_eq!(v["cells"][0]["analysis"]["distinct"], 2);
    assert_eq!(
        v["cells"][0]["analysis"]["json_fields"][0]["path"],
        "$.total"
    );
    assert_eq!(v["cells"][0]["analysis"]["json_fields"][0]["varies"], 1);
    temper(&f)
        .args(["report", &run.to_string(), "--mode", "fuzzy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use exact, whitespace or json"));
}

#[test]
fn diff_two_samples_and_sample_against_modal() {
    let f = fixture();
    let outputs = [Some(MODAL), Some(DRIFT), Some(MODAL)];
    let (run, cell) = add_run(&f.db, "support-answer", "drift", &outputs);
    temper(&f)
        .args(["diff", &run.to_string(), "--sample", "0", "--sample", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sample 0 (modal)"))
        .stdout(predicate::str::contains(
            "- Annual plans are refundable [-in full ",
        ))
        .stdout(predicate::str::contains("{+14+}"));
    // One --sample: modal vs it; --json gives the row/span model.
    let out = temper(&f)
        .args([
            "--json",
            "diff",
            &run.to_string(),
            "--sample",
            "1",
            "--cell",
        ])
        .arg(cell.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["old"]["sample"], 0);
    assert_eq!(v[0]["new"]["sample"], 1);
    assert_eq!(v[0]["diff"]["rows"][0]["kind"], "changed");
    // Side by side keeps both texts on one row.
    temper(&f)
        .args([
            "diff",
            &run.to_string(),
            "-s",
            "--width",
            "200",
            "--granularity",
            "char",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("│"));
    temper(&f)
        .args(["diff", &run.to_string(), "--sample", "9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no sample 9"));
}

#[test]
fn diff_two_versions_compares_latest_modal_outputs() {
    let f = fixture();
    {
        let mut store = Store::open(&f.db).unwrap();
        let mut body = store.resolve_str("support-answer").unwrap().body;
        body.params.max_tokens = Some(200);
        store
            .save_version("support-answer", &body, "shorter")
            .unwrap();
    }
    add_run(
        &f.db,
        "support-answer@1",
        "mini",
        &[Some(MODAL), Some(MODAL)],
    );
    add_run(&f.db, "support-answer@2", "mini", &[Some(DRIFT)]);
    add_run(&f.db, "support-answer@2", "other", &[Some("x")]);
    temper(&f)
        .args([
            "diff",
            "support-answer@1",
            "support-answer@2",
            "--model",
            "mini",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("--- support-answer@1"))
        .stdout(predicate::str::contains("+++ support-answer@2"))
        .stdout(predicate::str::contains("{+14+}"));
    temper(&f)
        .args([
            "diff",
            "support-answer@1",
            "support-answer@2",
            "--model",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no stored outputs with a variant matching",
        ));
}
