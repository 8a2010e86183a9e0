//! Issue 22: a promptfoo suite in the TUI. The real worker plans the `tui` fixture suite (its
//! `apiBaseUrl` provider pointed at a loopback OpenAI-compatible server), the runner runs it
//! into a real SQLite file, the worker grades the run, and the Run view lists every test with
//! its pass rate, a flaky marker and stability: the coin test, whose answer flips between
//! heads and tails, comes first.

use super::*;
use temper::promptfoo::SuiteSpec;
use temper::tui::event::{RunSpec, SuiteGrading};

#[path = "../promptfoo_server/mod.rs"]
mod promptfoo_server;

fn fixture_copy(
    dir: &std::path::Path,
    server: &promptfoo_server::ChatServer,
    fixture: &str,
) -> std::path::PathBuf {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/promptfoo")
        .join(fixture);
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("BASE_URL", &server.base_url());
        std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
    }
    dir.join("promptfooconfig.yaml")
}

/// The key the fixture's `apiKeyEnvar` names (the loopback server ignores it).
fn set_key() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any thread of this test reads it; no other test reads it.
    ONCE.call_once(|| unsafe { std::env::set_var("LOOPBACK_KEY", "sk-loopback") });
}

/// A suite's fixture copied next to its own loopback server and database, with the real worker
/// and the Run view, once the suite's run has been planned, confirmed, run and has ended.
struct SuiteRig {
    server: promptfoo_server::ChatServer,
    _dir: tempfile::TempDir,
    spec: SuiteSpec,
    config: temper::config::Config,
    db: std::path::PathBuf,
    worker: temper::tui::worker::Worker,
    app: App,
    run: temper::runner::RunOutcome,
    /// Whether the spend guard asked before the run (and `y` was pressed).
    asked: bool,
}

impl SuiteRig {
    fn ran(fixture: &str, samples: u32) -> SuiteRig {
        set_key();
        let server = promptfoo_server::ChatServer::start();
        let dir = tempfile::tempdir().unwrap();
        let path = fixture_copy(dir.path(), &server, fixture);
        let db = dir.path().join("t.db");
        let spec = SuiteSpec {
            samples,
            ..SuiteSpec::new(path)
        };
        let converted = spec.convert().unwrap();
        let config = temper::promptfoo::suite_run::config_with_providers(
            &temper::config::Config::default(),
            &converted,
        );
        let store = temper::store::Store::open(&db).unwrap();
        let mut worker = temper::tui::worker::Worker::new(store, config.clone(), db.clone());
        let mut a = runs_app();
        let effects = a.run.open_suite(spec.clone());
        a.apply(effects);
        let estimate = requests(&mut a);
        assert_eq!(
            estimate,
            [Request::Estimate(RunSpec::Suite(spec.clone()))],
            "the view asks the worker; it never plans itself"
        );
        a.on_event(worker.handle(estimate[0].clone()));
        let asked = a.run.confirm_question().is_some();
        if asked {
            a.on_key(&key('y'));
        }
        let run = run_started(&mut a, &config, &db);
        SuiteRig {
            server,
            _dir: dir,
            spec,
            config,
            db,
            worker,
            app: a,
            run,
            asked,
        }
    }
}

/// The Run view after the worker planned, the runner ran and the worker graded the suite.
fn suite_app() -> App {
    // Odd, so the coin's answers are never a tie: 3 heads, 2 tails, whatever order.
    let mut rig = SuiteRig::ran("tui", 5);
    // No max_tokens: the upper bound is over $1, so the guard asks first, as for any run.
    assert!(rig.asked, "{:?}", rig.app.status);
    let check = grading_request(&mut rig.app);
    assert_eq!(
        check,
        Request::CheckSuite(SuiteGrading {
            suite: rig.spec,
            run_id: rig.run.run_id,
            judged: 0,
        })
    );
    rig.app.on_event(rig.worker.handle(check));
    rig.app
}

/// Run the run the view just started (its `StartRun` effect) with the real runner, and tell
/// the view it ended; the outcome.
fn run_started(
    a: &mut App,
    config: &temper::config::Config,
    db: &std::path::Path,
) -> temper::runner::RunOutcome {
    let Some(Effect::StartRun { plan, .. }) = a
        .take_effects()
        .into_iter()
        .find(|e| matches!(e, Effect::StartRun { .. }))
    else {
        panic!("no run started: {:?}", a.status);
    };
    let registry = temper::runner::registry(config, db);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut outcome = runtime
        .block_on(temper::runner::run(&plan.0, &registry, db, None, cancel))
        .unwrap();
    // The status line says how long the run took: fixed, for the snapshot.
    outcome.elapsed = std::time::Duration::from_millis(100);
    a.on_event(Event::RunEnded(Ok(outcome.clone())));
    outcome
}

/// The request that grades the suite's run, which the view sends when a run ends.
fn grading_request(a: &mut App) -> Request {
    requests(a)
        .into_iter()
        .find(|r| matches!(r, Request::CheckSuite(_)))
        .expect("the ended run is graded")
}

fn shown(a: &App) -> Vec<(String, bool, bool)> {
    a.run
        .session_cases
        .as_ref()
        .expect("the suite's cases list")
        .shown_with_flakiness()
        .map(|(c, f)| {
            let f = f.expect("every row of a suite has its flakiness");
            (c.case.clone(), f.flaky, f.failing)
        })
        .collect()
}

#[test]
fn the_suite_lists_flaky_tests_first_then_failing_then_passing() {
    let a = suite_app();
    let rows = shown(&a);
    let ranks: Vec<u8> = rows
        .iter()
        .map(|(_, flaky, failing)| match (flaky, failing) {
            (true, _) => 0,
            (false, true) => 1,
            _ => 2,
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{rows:?}");
    assert_eq!(rows[0].0, "coin", "{rows:?}");
    assert!(rows[0].1, "the coin flips: flaky");
    assert!(rows.iter().any(|r| r.2), "a failing test: {rows:?}");
    assert!(
        rows.iter().any(|r| !r.1 && !r.2),
        "a passing test: {rows:?}"
    );
    let list = a.run.session_cases.as_ref().unwrap();
    let (_, coin) = list.shown_with_flakiness().next().unwrap();
    let coin = coin.unwrap();
    assert_eq!((coin.passed, coin.samples), (3, 5));
    assert_eq!(coin.stability, Some(0.6));
    snapshot("run_suite_flaky_first", suite_app());
}

#[test]
fn f_keeps_the_flaky_and_failing_tests() {
    let mut a = suite_app();
    let all = shown(&a).len();
    a.on_key(&key('f'));
    let problems = shown(&a);
    assert!(problems.len() < all, "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|(_, flaky, failing)| *flaky || *failing)
    );
    a.on_key(&code(KeyCode::Esc));
    assert!(a.run.session_cases.is_none());
}

/// llm-rubric in the TUI: after the suite's run the worker offers the judge's calls through the
/// spend guard (mock:judge is offline: $0, so it starts at once), the runner runs them, and the
/// report grades from the judge's stored grades: the fox's answer passes its rubric, the
/// capital's fails it on the judge's score, not for want of a grade.
#[test]
fn a_suites_rubrics_are_graded_by_the_judge_after_the_run() {
    let SuiteRig {
        server,
        _dir,
        config,
        db,
        mut worker,
        app: mut a,
        run: suite_run,
        ..
    } = SuiteRig::ran("tui-judge", 2);
    assert_eq!(server.calls(), 4, "two tests, two samples each");

    // One judge per rubric: each is offered, runs, and hands grading on to the next.
    let mut judge_runs = Vec::new();
    loop {
        let check = grading_request(&mut a);
        let Request::CheckSuite(grading) = &check else {
            unreachable!()
        };
        assert_eq!(
            (grading.run_id, grading.judged),
            (suite_run.run_id, judge_runs.len()),
            "the suite's run is graded, not the judge's"
        );
        match worker.handle(check) {
            Event::Estimated(judge) => {
                let next = judge.grading.as_ref().map(|g| g.judged);
                assert_eq!(next, Some(judge_runs.len() + 1));
                a.on_event(Event::Estimated(judge));
                judge_runs.push(run_started(&mut a, &config, &db));
            }
            report => {
                a.on_event(report);
                break;
            }
        }
    }
    assert_eq!(judge_runs.len(), 2, "two rubrics, two judges");
    assert!(judge_runs.iter().all(|r| r.ok == 1), "{judge_runs:?}");
    assert_eq!(server.calls(), 4, "mock:judge is offline");
    let rows = shown(&a);
    assert_eq!(
        rows,
        vec![
            ("capital".to_string(), false, true),
            ("fox".to_string(), false, false)
        ]
    );
}
