//! Session files (parse errors with line and key, resolution before any call), pure check
//! evaluation, and `temper check` on a real SQLite file.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use temper::analysis::Mode;
use temper::config::Config;
use temper::session::{CellFacts, Session, evaluate, resolve};
use temper::store::{NewCell, NewSample, SampleRow, SampleStatus, Store};

fn parse(text: &str) -> Result<Session, String> {
    Session::parse(text, Path::new("s.toml")).map_err(|e| e.to_string())
}

const BASE: &str = r#"name = "t"
samples = 3
prompts = ["classify-ticket"]

[[variants]]
name = "echo"
model = "mock:echo"
"#;

#[test]
fn shipped_sessions_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = Session::read(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.variants.is_empty() && !s.prompts.is_empty());
            seen += 1;
        }
    }
    assert!(seen >= 2);
}

#[test]
fn parse_errors_name_line_and_key() {
    let err = parse(&format!("{BASE}\n[check]\nmin_stabilty = 1.0\n")).unwrap_err();
    assert!(err.starts_with("s.toml:10:"), "{err}");
    assert!(err.contains("min_stabilty"), "{err}");

    let err = parse(&format!("{BASE}\n[check]\nmin_stability = 1.5\n")).unwrap_err();
    assert!(err.starts_with("s.toml:10: `check.min_stability`"), "{err}");

    let err = parse(&format!("{BASE}\n[check]\nregex = [\"(unclosed\"]\n")).unwrap_err();
    assert!(
        err.contains("`check.regex`") && err.contains("does not compile"),
        "{err}"
    );

    let err =
        parse("name = \"t\"\nprompts = [\"a\"]\n[[variants]]\nname = \"v\"\nmodel = \"gpt-4o\"\n")
            .unwrap_err();
    assert!(err.starts_with("s.toml:5: `variants.model`"), "{err}");
    assert!(err.contains("provider:model"), "{err}");

    let err = parse(&format!("{BASE}samples = \"ten\"\n")).unwrap_err();
    assert!(err.starts_with("s.toml:"), "{err}");
}

#[test]
fn schema_that_does_not_compile_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"type": 12}"#).unwrap();
    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    let session = |schema: &str| {
        let path = dir.path().join("s.toml");
        std::fs::write(
            &path,
            format!("{BASE}\n[check]\njson_schema = \"{schema}\"\n"),
        )
        .unwrap();
        Session::read(&path).map(|_| ()).unwrap_err().to_string()
    };
    let err = session("bad.json");
    assert!(
        err.contains(":10: `check.json_schema`")
            && err.contains("does not compile as a JSON schema"),
        "{err}"
    );
    assert!(session("broken.json").contains("is not JSON"));
    assert!(session("missing.json").contains("cannot read"));
}

fn store_with_examples(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("t.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    store
}

#[test]
fn unknown_prompt_label_or_provider_fails_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_examples(dir.path());
    let body = temper::prompt::PromptBody {
        messages: vec![temper::prompt::Message::new(
            temper::prompt::Role::User,
            "Tell me about {{topic}}",
        )],
        ..Default::default()
    };
    store
        .save_version("needs-topic", &body, "no default var")
        .unwrap();
    let config = Config::default();
    let check = |text: &str| {
        let s = parse(text).unwrap();
        resolve(&s, &store, &config)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert!(check(BASE).is_ok());
    let err = check(&BASE.replace(
        "[\"classify-ticket\"]",
        "[\n  \"classify-ticket\",\n  \"clasify-ticket@2\",\n]",
    ))
    .unwrap_err();
    assert!(err.starts_with("s.toml:5: `prompts`"), "{err}");
    assert!(err.contains("did you mean classify-ticket"), "{err}");
    let err = check(&BASE.replace("\"classify-ticket\"", "\"classify-ticket:prod\"")).unwrap_err();
    assert!(err.contains("no label \"prod\""), "{err}");
    let err = check(&BASE.replace("mock:echo", "nosuch:model")).unwrap_err();
    assert!(
        err.starts_with("s.toml:7: `variants.model`")
            && err.contains("unknown provider \"nosuch\""),
        "{err}"
    );
    let err = check(
        &format!("{BASE}\n[[cases]]\nname = \"c\"\nvars = {{ other = \"x\" }}\n")
            .replace("classify-ticket", "needs-topic"),
    )
    .unwrap_err();
    assert!(
        err.starts_with("s.toml:3: `cases`: case \"c\" with needs-topic")
            && err.contains("missing variable topic"),
        "{err}"
    );
}

fn row(idx: u32, output: Option<&str>) -> SampleRow {
    SampleRow {
        created_at: String::new(),
        sample: NewSample {
            cell_id: 1,
            idx,
            status: Some(if output.is_some() {
                SampleStatus::Ok
            } else {
                SampleStatus::Error
            }),
            output: output.map(str::to_string),
            error: output.is_none().then(|| "timeout after 60 s".to_string()),
            latency_ms: Some(100.0 * f64::from(idx + 1)),
            cost_usd: Some(0.0005 * f64::from(idx + 1)),
            attempts: 1,
            ..NewSample::default()
        },
    }
}

#[test]
fn evaluation_lists_every_failed_check_with_value_and_bar() {
    let s = parse(&format!(
        "{BASE}\n[check]\nmin_stability = 0.9\nmax_distinct = 1\nmust_contain = [\"billing\"]\nmust_not_contain = [\"bug\"]\nregex = [\"^[a-z_]+$\"]\nmax_cost_per_call_usd = 0.001\nmax_p95_latency_ms = 250\n"
    ))
    .unwrap();
    let steady: Vec<SampleRow> = (0..2).map(|i| row(i, Some("billing"))).collect();
    let drifting = vec![
        row(0, Some("billing")),
        row(1, Some("Bug report")),
        row(2, None),
    ];
    let cells = [
        CellFacts {
            prompt: "p@1",
            variant: "echo",
            case: "a",
            samples: &steady,
            grades: &[],
        },
        CellFacts {
            prompt: "p@1",
            variant: "drift",
            case: "a",
            samples: &drifting,
            grades: &[],
        },
    ];
    let failures = evaluate(&s.check, Mode::Exact, &cells);
    let of = |check: &str| {
        failures
            .iter()
            .find(|f| f.check == check)
            .unwrap_or_else(|| panic!("{check}: {failures:#?}"))
    };
    assert!(
        failures.iter().all(|f| f.variant == "drift"),
        "{failures:#?}"
    );
    assert_eq!(of("errors").value, "1/3 calls failed");
    assert!(
        of("errors")
            .detail
            .as_deref()
            .unwrap()
            .contains("timeout after 60 s")
    );
    assert_eq!(
        (
            of("min_stability").value.as_str(),
            of("min_stability").bar.as_str()
        ),
        ("0.50", ">= 0.90")
    );
    assert_eq!(of("max_distinct").value, "2");
    assert_eq!(of("must_contain \"billing\"").value, "missing in 1/2");
    assert_eq!(of("regex /^[a-z_]+$/").detail.as_deref(), Some("samples 1"));
    assert_eq!(of("max_cost_per_call_usd").value, "$0.001500");
    assert_eq!(of("max_p95_latency_ms").value, "300 ms");
    assert!(
        !failures
            .iter()
            .any(|f| f.check.starts_with("must_not_contain")),
        "case-sensitive: 'Bug' is not 'bug'"
    );
    assert_eq!(failures.len(), 7);

    // allow_errors keeps a failed call from failing the cell by itself.
    let lenient = parse(&format!("{BASE}\n[check]\nallow_errors = true\n")).unwrap();
    assert!(evaluate(&lenient.check, Mode::Exact, &cells).is_empty());
}

#[test]
fn json_schema_and_json_mode_checks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"type":"object","required":["answer"],"properties":{"answer":{"type":"string"}}}"#,
    )
    .unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        format!(
            "mode = \"json\"\n{BASE}\n[check]\nmin_stability = 1.0\njson_schema = \"a.json\"\n"
        ),
    )
    .unwrap();
    let s = Session::read(&path).unwrap();
    assert_eq!(s.mode, Mode::Json);
    let rows = vec![
        row(0, Some(r#"{"answer": "x", "n": 1}"#)),
        row(1, Some("{\"n\":1,\n\"answer\":\"x\"}")),
        row(2, Some(r#"{"answer": 5, "n": 1}"#)),
        row(3, Some("plain text")),
    ];
    let failures = evaluate(
        &s.check,
        s.mode,
        &[CellFacts {
            prompt: "p@1",
            variant: "v",
            case: "c",
            samples: &rows,
            grades: &[],
        }],
    );
    let schema = failures.iter().find(|f| f.check == "json_schema").unwrap();
    assert_eq!(schema.value, "2/4 invalid");
    assert!(
        schema
            .detail
            .as_deref()
            .unwrap()
            .contains("sample 2: at /answer"),
        "{schema:?}"
    );
    let stability = failures
        .iter()
        .find(|f| f.check == "min_stability")
        .unwrap();
    assert_eq!(
        stability.value, "0.50",
        "reordered keys count as one output"
    );
}

// ---- temper check through the binary ----

struct Fixture {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    drop(store_with_examples(dir.path()));
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    Fixture { dir, db }
}

fn temper(f: &Fixture) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.arg("--db")
        .arg(&f.db)
        .env("TEMPER_CONFIG", f.dir.path().join("config.toml"))
        .env("NO_COLOR", "1");
    cmd
}

/// Store a run with one cell per (variant, outputs).
fn store_run(f: &Fixture, cells: &[(&str, &[&str])]) -> i64 {
    let mut store = Store::open(&f.db).unwrap();
    let version = store.resolve_str("classify-ticket").unwrap();
    let run = store.create_run("session", Some("t")).unwrap();
    for (variant, outputs) in cells {
        let cell = store
            .add_cell(
                run,
                &NewCell {
                    prompt_version_id: version.info.id,
                    variant_name: variant.to_string(),
                    variant_json: "{}".into(),
                    case_name: "default".into(),
                    case_json: "{}".into(),
                    n: outputs.len() as u32,
                },
            )
            .unwrap();
        let samples: Vec<NewSample> = outputs
            .iter()
            .enumerate()
            .map(|(i, o)| NewSample {
                cell_id: cell,
                ..row(i as u32, Some(o)).sample
            })
            .collect();
        store.insert_samples(&samples).unwrap();
    }
    run
}

fn write_session(f: &Fixture, check: &str) -> PathBuf {
    let path = f.dir.path().join("s.toml");
    let text = format!(
        "{BASE}\n[[variants]]\nname = \"drift\"\nmodel = \"mock:drift\"\n\n[check]\n{check}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_exit_codes_and_messages() {
    let f = fixture();
    let session = write_session(&f, "min_stability = 1.0");
    let stable = store_run(
        &f,
        &[
            ("echo", &["billing", "billing"]),
            ("drift", &["billing", "billing"]),
        ],
    );
    temper(&f)
        .args(["check"])
        .arg(&session)
        .args(["--run", &stable.to_string()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ all 2 checks hold on 2 cells"));

    let drifting = store_run(
        &f,
        &[
            ("echo", &["billing", "billing"]),
            ("drift", &["billing", "bug", "billing", "billing"]),
        ],
    );
    temper(&f)
        .args(["check"])
        .arg(&session)
        .args(["--run", &drifting.to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "✗ drift × default [classify-ticket@1]  min_stability: 0.75 (bar >= 1.00)",
        ))
        .stdout(predicate::str::contains(
            "1/4 samples differ from the modal output",
        ))
        .stdout(predicate::str::contains("1 check failed in 1 of 2 cells"));

    let out = temper(&f)
        .args(["--json", "check"])
        .arg(&session)
        .args(["--run", &drifting.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["failures"][0]["check"], "min_stability");
    assert_eq!(v["failures"][0]["variant"], "drift");

    // A bad file is exit 2 with file:line.
    std::fs::write(
        &session,
        format!("{BASE}\n[check]\nmin_stability = \"high\"\n"),
    )
    .unwrap();
    temper(&f)
        .args(["check"])
        .arg(&session)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("s.toml:10:"));
    // An unknown prompt is exit 2 before anything runs.
    std::fs::write(&session, BASE.replace("classify-ticket", "nope")).unwrap();
    temper(&f)
        .args(["check"])
        .arg(&session)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "s.toml:3: `prompts`: no prompt named \"nope\"",
        ));
}

#[test]
fn check_ignores_traces_but_a_missing_trace_is_exit_2() {
    let f = fixture();
    let session = write_session(&f, "min_stability = 1.0");
    let with_trace = |trace: &str| {
        let text = std::fs::read_to_string(&session).unwrap().replace(
            "prompts = [\"classify-ticket\"]\n",
            &format!("prompts = [\"classify-ticket\"]\ntraces = [{trace:?}]\n"),
        );
        std::fs::write(&session, text).unwrap();
    };
    std::fs::write(f.dir.path().join("t.jsonl"), "").unwrap();
    with_trace("t.jsonl");
    let run = store_run(&f, &[("echo", &["billing"]), ("drift", &["billing"])]);
    temper(&f)
        .args(["check"])
        .arg(&session)
        .args(["--run", &run.to_string()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ all 2 checks hold on 2 cells"));
    write_session(&f, "min_stability = 1.0");
    with_trace("gone.jsonl");
    temper(&f)
        .args(["run", "--session"])
        .arg(&session)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("s.toml:4: `traces`"))
        .stderr(predicate::str::contains("gone.jsonl"));
}
