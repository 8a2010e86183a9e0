//! `temper cost --probe N`: models with no past samples of the version are run N times first,
//! so the projection uses measured output tokens instead of max_tokens; models with samples are
//! not run again. The real binary on a real SQLite file, with the offline mock provider.

use assert_cmd::Command;
use temper::store::Store;

fn temper(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.env("TEMPER_CONFIG", dir.join("config.toml"))
        .env_remove("TEMPER_DB")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(dir.join("t.db"));
    cmd
}

fn estimate(dir: &std::path::Path, args: &[&str]) -> (serde_json::Value, String) {
    let out = temper(dir).arg("--json").args(args).assert().success();
    let out = out.get_output();
    let j = serde_json::from_slice(&out.stdout).unwrap();
    (j, String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn probe_runs_only_the_models_without_samples_and_uses_their_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let (before, _) = estimate(dir.path(), &["cost", "support-answer", "-m", "mock:echo"]);
    assert_eq!(
        before["estimate"]["models"][0]["output_source"]["kind"],
        "max_tokens"
    );

    let args = ["cost", "support-answer", "-m", "mock:echo", "--probe", "3"];
    let (after, _) = estimate(dir.path(), &args);
    let m = &after["estimate"]["models"][0];
    assert_eq!(m["output_source"]["kind"], "past_samples");
    assert_eq!(m["output_source"]["samples"], 3);
    assert_eq!(m["past_samples"], 3);
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(store.sample_count(runs[0].id).unwrap(), 3);

    // Samples exist now: a second --probe runs nothing.
    estimate(dir.path(), &args);
    assert_eq!(store.list_runs(10).unwrap().len(), 1);
}
