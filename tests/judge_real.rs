//! Opt-in: `[check] judge` graded by a real model (SmolLM2-135M behind llama.cpp's
//! OpenAI-compatible server; `scripts/local-model start` serves one). Not part of `cargo test`:
//!
//! ```console
//! $ scripts/local-model start
//! $ cargo test --test judge_real -- --ignored
//! ```
//!
//! `TEMPER_REAL_BASE_URL` points elsewhere (default `http://127.0.0.1:8765/v1`), and
//! `TEMPER_REAL_MODEL` names the served model (default `smollm2-135m`). A 135M model grades
//! poorly, so this asserts what temper owes whatever the grade: every answer graded once at
//! temperature 0 in the judge's own run, and each failing grade explained.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use temper::store::Store;

#[test]
#[ignore = "needs a local model server (scripts/local-model start)"]
fn a_real_local_model_grades_every_answer() {
    let base =
        std::env::var("TEMPER_REAL_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8765/v1".into());
    let model = std::env::var("TEMPER_REAL_MODEL").unwrap_or_else(|_| "smollm2-135m".into());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("config.toml"),
        format!("[providers.real]\nkind = \"openai\"\nbase_url = \"{base}\"\n"),
    )
    .unwrap();
    let route =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sessions/prompts/route.toml");
    std::fs::write(
        d.join("s.toml"),
        format!(
            "name = \"real-judge\"\nsamples = 2\nprompts = [\"{}\"]\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[[cases]]\nname = \"billing\"\nvars = {{ ticket = \"I was charged twice on my invoice.\" }}\n\n[[cases]]\nname = \"outage\"\nvars = {{ ticket = \"The whole site is down.\" }}\n\n[check]\njudge = {{ model = \"real:{model}\", rubric = \"The answer is a single support queue name.\" }}\n",
            route.display()
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("temper")
        .unwrap()
        .arg("--db")
        .arg(d.join("t.db"))
        .env("TEMPER_CONFIG", d.join("config.toml"))
        .args(["--json", "check", "s.toml"])
        .current_dir(d)
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let judge = case["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["check"] == "judge")
            .unwrap();
        if judge["passed"] == false {
            let detail = judge["detail"].as_str().unwrap();
            assert!(
                detail.starts_with("sample ")
                    && (detail.contains(": score ")
                        || detail.contains("no score in the judge's answer")),
                "{detail}"
            );
        }
    }
    let store = Store::open(&d.join("t.db")).unwrap();
    let runs = store.list_runs(10).unwrap();
    let judge = runs
        .iter()
        .find(|r| r.source == "judge")
        .expect("a judge run");
    let cells = store.cells(judge.id).unwrap();
    assert_eq!(cells.len(), 2, "one call per distinct answer");
    for cell in &cells {
        let sent = store.cell_request(cell.id).unwrap().unwrap();
        assert!(sent.params_sent.contains("\"temperature\":0.0"), "{sent:?}");
        let samples = store.samples(cell.id).unwrap();
        assert_eq!(samples.len(), 1);
        eprintln!("judge said: {:?}", samples[0].sample.output);
    }
    eprintln!("{}", serde_json::to_string_pretty(&v["cases"]).unwrap());
}
