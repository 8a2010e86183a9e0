//! `cases_file` end to end: JSONL and CSV cases run by the real binary on the mock provider
//! into a real SQLite file, per-case results in `check --json`, JUnit XML parsed back with an
//! XML parser, the markdown summary, `report --json` metrics, and the bad-input errors.

use assert_cmd::Command;
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

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

/// A tempdir with an empty config and a DB holding the `route` prompt.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let mut store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    temper::store::import_path(&mut store, &fixture("prompts/route.toml")).unwrap();
    dir
}

fn runs(dir: &Path) -> usize {
    let store = temper::store::Store::open(&dir.join("t.db")).unwrap();
    store.list_runs(100).unwrap().len()
}

/// The verdict every fixture session gives: two billing cases pass, two others miss "billing".
fn assert_gate_verdict(v: &serde_json::Value, third: &str) {
    assert_eq!(v["passed"], false);
    assert_eq!(v["cells"], 4);
    let cases = v["cases"].as_array().unwrap();
    let mut verdicts: Vec<(String, bool)> = cases
        .iter()
        .map(|c| (c["case"].as_str().unwrap().to_string(), c["passed"] == true))
        .collect();
    verdicts.sort();
    let mut want = vec![
        ("charged-twice".to_string(), true),
        ("inline-refund".to_string(), true),
        ("site-down".to_string(), false),
        (third.to_string(), false),
    ];
    want.sort();
    assert_eq!(verdicts, want);
    let site = cases.iter().find(|c| c["case"] == "site-down").unwrap();
    let failed: Vec<&serde_json::Value> = site["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{site}");
    assert_eq!(failed[0]["check"], "must_contain \"billing\"");
    assert_eq!(failed[0]["value"], "missing in 3/3");
    let m = &v["variants"][0];
    assert_eq!(
        (m["variant"].as_str(), m["cases"].as_u64()),
        (Some("echo"), Some(4))
    );
    // The echo mock is deterministic: every case agrees; half the cases pass every sample.
    assert_eq!(m["tar_raw"], 1.0);
    assert_eq!(m["tar_answer"], 1.0);
    assert_eq!(m["pass_at_k"], 0.5);
    assert_eq!(m["pass_all_k"], 0.5);
}

#[test]
fn jsonl_cases_run_with_inline_ones_and_reach_every_ci_output() {
    let dir = setup();
    let junit = dir.path().join("junit.xml");
    let summary = dir.path().join("summary.md");
    let out = temper(dir.path())
        .args(["--json", "check"])
        .arg(fixture("gate.toml"))
        .arg("--junit")
        .arg(&junit)
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_gate_verdict(&v, "row-3");

    // JUnit: parsed by an XML parser, checked against the JUnit schema's elements.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("12"), "4 cases x 3 checks");
    assert_eq!(root.attribute("failures"), Some("2"));
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].tag_name().name(), "testsuite");
    assert_eq!(suites[0].attribute("name"), Some("gate · echo"));
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 12);
    let failing: Vec<_> = cases
        .iter()
        .filter_map(|c| {
            c.children()
                .find(|n| n.has_tag_name("failure"))
                .map(|f| (c, f))
        })
        .collect();
    assert_eq!(failing.len(), 2);
    let (case, failure) = failing
        .iter()
        .find(|(c, _)| c.attribute("name").unwrap().starts_with("site-down"))
        .unwrap();
    assert_eq!(
        case.attribute("name"),
        Some("site-down · must_contain \"billing\"")
    );
    assert_eq!(case.attribute("classname"), Some("route@1.echo"));
    assert_eq!(
        failure.attribute("message"),
        Some("must_contain \"billing\": missing in 3/3 (bar in every sample)")
    );
    // The crate's own reader agrees on the counts.
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((report.tests, report.failures), (12, 2));

    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("❌ failed"), "{md}");
    assert!(md.contains("2 of 4 cells pass"), "{md}");
    assert!(
        md.contains("| route@1 | echo | 4 | 1.00 | 1.00 | 0.50 | 0.50 |"),
        "{md}"
    );
    assert!(
        md.contains("| site-down | echo | must_contain \"billing\" | missing in 3/3 |"),
        "{md}"
    );

    // The text verdict names the failing cases and the metrics.
    temper(dir.path())
        .arg("check")
        .arg(fixture("gate.toml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗ echo × site-down [route@1]  must_contain"))
        .stdout(predicate::str::contains(
            "echo [route@1]: 2/4 cases pass · tar_raw 1.00 · tar_answer 1.00 · pass@3 0.50 · pass^3 0.50",
        ));

    // report --json gives the same metrics per variant; --session grades with its checks.
    let out = temper(dir.path())
        .args(["--json", "report", "1", "--session"])
        .arg(fixture("gate.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["variants"][0]["pass_all_k"], 0.5);
    assert_eq!(r["variants"][0]["tar_raw"], 1.0);
    let out = temper(dir.path())
        .args(["--json", "report", "1"])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["variants"][0]["pass_all_k"], 1.0,
        "no session: every call succeeded"
    );
}

#[test]
fn csv_cases_give_the_same_verdict() {
    let dir = setup();
    let out = temper(dir.path())
        .args(["--json", "check"])
        .arg(fixture("gate-csv.toml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_gate_verdict(&v, "row-3");
}

/// A session in `dir` reading `cases_file`, written with `text`.
fn session_with(dir: &Path, cases_name: &str, text: &str) -> PathBuf {
    std::fs::write(dir.join(cases_name), text).unwrap();
    let session = std::fs::read_to_string(fixture("gate.toml"))
        .unwrap()
        .replace("cases.jsonl", cases_name);
    let path = dir.join("s.toml");
    std::fs::write(&path, session).unwrap();
    path
}

#[test]
fn a_bad_line_names_file_and_line_and_nothing_runs() {
    let dir = setup();
    let s = session_with(
        dir.path(),
        "bad.jsonl",
        "{\"ticket\": \"fine\"}\n{\"ticket\": \"no closing brace\"\n",
    );
    temper(dir.path())
        .arg("check")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl:2: not JSON"))
        .stderr(predicate::str::contains("nothing was run"));
    let s = session_with(dir.path(), "ragged.csv", "name,ticket\na,b\nc,d,e\n");
    temper(dir.path())
        .arg("check")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "ragged.csv:3: 3 fields where the header has 2",
        ));
    let s = session_with(
        dir.path(),
        "dup.jsonl",
        "{\"name\":\"inline-refund\",\"ticket\":\"x\"}\n",
    );
    temper(dir.path())
        .arg("check")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "dup.jsonl:1: case name \"inline-refund\" is used twice",
        ));
    assert_eq!(runs(dir.path()), 0);
}

#[test]
fn a_csv_missing_a_column_names_the_var_and_the_prompt() {
    let dir = setup();
    let s = session_with(dir.path(), "wrong.csv", "name,text\nq1,hello\n");
    temper(dir.path())
        .arg("check")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "case \"q1\" (",
        ))
        .stderr(predicate::str::contains(
            "wrong.csv:2) lacks variable ticket that prompt route needs: add the column (CSV) or key (JSONL) to wrong.csv",
        ));
    assert_eq!(runs(dir.path()), 0);
}
