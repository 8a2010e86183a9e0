//! Sessions in the Run view: `o` lists sessions/*.toml, enter opens the session (its matrix
//! becomes the workspace) and estimates it (the spend guard), and after the run its checks are
//! shown, pass or fail with value vs bar.

use super::*;
use temper::runner::Decision;
use temper::tui::event::RunSpec;
use temper::tui::event::SessionChecks;

#[test]
fn worker_lists_only_toml_files_and_a_missing_dir_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.toml"), "").unwrap();
    std::fs::write(dir.path().join("a.toml"), "").unwrap();
    std::fs::write(dir.path().join("schema.json"), "{}").unwrap();
    let Event::Sessions(files) = temper::tui::session::list(dir.path()) else {
        panic!("expected sessions")
    };
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap()).collect();
    assert_eq!(names, ["a.toml", "b.toml"]);
    let Event::Sessions(none) = temper::tui::session::list(&dir.path().join("nope")) else {
        panic!("expected sessions")
    };
    assert!(none.is_empty());
}

#[test]
fn o_opens_the_picker_and_enter_opens_then_estimates_the_session() {
    let mut a = runs_app();
    a.on_key(&key('o'));
    assert_eq!(
        requests(&mut a),
        [Request::ListSessions {
            dir: "sessions".into()
        }]
    );
    a.on_event(Event::Sessions(vec![
        "sessions/a.toml".into(),
        "sessions/refund-drift.toml".into(),
    ]));
    a.on_key(&key('j'));
    a.on_key(&code(KeyCode::Enter));
    assert_eq!(
        requests(&mut a),
        [Request::OpenSession {
            path: "sessions/refund-drift.toml".into()
        }]
    );
    // The worker read it: its matrix becomes the workspace, then the guard estimates it.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/refund-drift.toml");
    let Event::SessionOpened(session) = temper::tui::session::open(&path) else {
        panic!("expected the session")
    };
    let trace = session.traces[0].clone();
    assert!(trace.ends_with("examples/traces/rag-answer.temper.jsonl"));
    a.on_event(Event::SessionOpened(session));
    assert_eq!(
        requests(&mut a),
        [
            Request::Estimate(RunSpec::Session { path }),
            Request::LoadTrace { path: trace }
        ]
    );
    assert_eq!(a.run.n, 10);
    assert_eq!(a.run.models, ["mock:echo", "mock:drift?p=0.4&seed=3"]);
    assert_eq!(a.run.origin().unwrap().name, "refund-drift");
    // No session files: a clear message, no picker.
    a.on_key(&key('o'));
    a.on_event(Event::Sessions(Vec::new()));
    assert!(a.run.session_files().is_none());
    assert!(a.status.clone().unwrap().1.contains("sessions/*.toml"));
}

/// The bundled failing session, run for real on the mock models, then checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_runs_through_the_guard_and_its_checks_are_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = temper::store::Store::open(&db).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/refund-drift.toml");
    let config = temper::config::Config::default();
    let spec = RunSpec::Session { path: path.clone() };
    let Event::Estimated(check) = temper::tui::spend::check(&store, &config, &db, spec) else {
        panic!("expected an estimate")
    };
    assert_eq!(check.label, "session refund-drift");
    assert_eq!(
        check.decision,
        Decision::Start,
        "the mock models cost nothing"
    );
    assert!(
        check.lines[0].starts_with("estimate: 20 calls"),
        "{:?}",
        check.lines
    );
    let registry = temper::runner::registry(&config, &db);
    let cancel = tokio_util::sync::CancellationToken::new();
    let outcome = temper::runner::run(&check.plan.0, &registry, &db, None, cancel)
        .await
        .unwrap();
    let Event::SessionChecks(checks) = temper::tui::session::check(&store, &path, outcome.run_id)
    else {
        panic!("expected checks")
    };
    assert_eq!(checks.cells, 2);
    assert!(checks.passed("must_not_contain"));
    assert!(!checks.passed("min_stability"), "{:?}", checks.failures);
    let failed = checks
        .failures
        .iter()
        .find(|f| f.check == "min_stability")
        .unwrap();
    assert_eq!(failed.variant, "drifting");
}

fn checks_app() -> App {
    let mut a = runs_app();
    a.on_event(Event::SessionChecks(Box::new(SessionChecks {
        name: "refund-drift".into(),
        run_id: 2,
        cells: 2,
        checks: vec![
            "errors".into(),
            "min_stability".into(),
            "max_distinct".into(),
        ],
        failures: vec![temper::session::Failure {
            prompt: "support-answer@3".into(),
            variant: "drifting".into(),
            case: "annual-refund".into(),
            check: "min_stability".into(),
            value: "0.60".into(),
            bar: "1.00".into(),
            detail: Some("4 of 10 samples differ".into()),
        }],
        cases: Vec::new(),
    })));
    a
}

#[test]
fn snapshot_run_session_checks() {
    snapshot("run_session_checks", checks_app());
}

#[test]
fn esc_closes_the_session_checks() {
    let mut a = checks_app();
    assert!(a.run.session_checks.is_some());
    a.on_key(&code(KeyCode::Esc));
    assert!(a.run.session_checks.is_none());
}
