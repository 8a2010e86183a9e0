//! The cases list of a session's verdict in the Run view: the worker evaluates a real run of
//! the fixture session (cases from a JSONL file, mock provider, real SQLite file), the view lists
//! each case × variant with ✓/✗ per check, `f` filters to failures, and the order is a hook.

use super::*;
use temper::session::CaseOutcome;
use temper::tui::views::run::cases::{CasesList, failures_first};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

/// The run view after the worker checked a real run of `gate.toml` (2 of 4 cases fail
/// `must_contain "billing"`).
fn gate_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut store = temper::store::Store::open(&db).unwrap();
    temper::store::import_path(&mut store, &fixture("prompts/route.toml")).unwrap();
    let path = fixture("gate.toml");
    let session = temper::session::Session::read(&path).unwrap();
    let config = temper::config::Config::default();
    let resolved = temper::session::resolve(&session, &store, &config).unwrap();
    let plan = temper::session::plan(&session, &resolved, &config.run);
    let registry = temper::runner::registry(&config, &db);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let outcome = runtime
        .block_on(temper::runner::run(&plan, &registry, &db, None, cancel))
        .unwrap();
    let event = temper::tui::session::check(&store, &path, outcome.run_id);
    let mut a = runs_app();
    a.on_event(event);
    a
}

fn shown(a: &App) -> Vec<(String, bool)> {
    a.run
        .session_cases
        .as_ref()
        .unwrap()
        .shown()
        .map(|c| (c.case.clone(), c.passed))
        .collect()
}

#[test]
fn the_worker_gives_every_case_and_f_filters_to_failures() {
    let mut a = gate_app();
    assert_eq!(
        shown(&a),
        [
            ("inline-refund".to_string(), true),
            ("charged-twice".to_string(), true),
            ("site-down".to_string(), false),
            ("row-3".to_string(), false),
        ]
    );
    a.on_key(&key('f'));
    assert_eq!(
        shown(&a),
        [
            ("site-down".to_string(), false),
            ("row-3".to_string(), false)
        ]
    );
    assert!(a.run.session_cases.as_ref().unwrap().failures_only());
    // j moves within the list, not the runs list underneath.
    a.on_key(&key('j'));
    let list = a.run.session_cases.as_ref().unwrap();
    assert_eq!(list.selected().unwrap().case, "row-3");
    a.on_key(&key('f'));
    assert_eq!(shown(&a).len(), 4);
    a.on_key(&code(KeyCode::Esc));
    assert!(a.run.session_cases.is_none() && a.run.session_checks.is_none());
}

#[test]
fn snapshot_run_session_cases() {
    let mut a = gate_app();
    snapshot("run_session_cases", gate_app());
    a.on_key(&key('f'));
    a.on_key(&key('j'));
    snapshot("run_session_cases_failures", a);
}

#[test]
fn the_order_is_a_hook() {
    let outcome = |case: &str, passed: bool| CaseOutcome {
        case: case.into(),
        variant: "v".into(),
        prompt: "p@1".into(),
        passed,
        checks: Vec::new(),
    };
    let rows = vec![outcome("a", true), outcome("b", false), outcome("c", true)];
    let list = CasesList::new(rows.clone()).sorted_by(failures_first);
    let order: Vec<&str> = list.shown().map(|c| c.case.as_str()).collect();
    assert_eq!(order, ["b", "a", "c"]);
    let by_name_desc = CasesList::new(rows).sorted_by(|x, y| y.case.cmp(&x.case));
    let order: Vec<&str> = by_name_desc.shown().map(|c| c.case.as_str()).collect();
    assert_eq!(order, ["c", "b", "a"]);
}
