//! Saving the workspace from the Run view (`S`): the name input, what the workspace holds, the
//! worker writing it to a real file that reads back, and sessions that bring their trace.

use super::*;
use std::path::{Path, PathBuf};
use temper::session::{Case, Session};

/// The one `SaveSession` request the app queued: (dir, name, session).
fn saved_request(a: &mut App) -> (PathBuf, String, Session) {
    match requests(a).as_slice() {
        [Request::SaveSession { dir, name, session }] => {
            (dir.clone(), name.clone(), (**session).clone())
        }
        other => panic!("expected one SaveSession request, got {other:?}"),
    }
}

/// `S`, clear what the input starts with, type `name`, enter.
fn save_as(a: &mut App, name: &str) {
    a.on_key(&key('S'));
    a.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_str(a, name);
    a.on_key(&code(KeyCode::Enter));
}

fn status(a: &App) -> String {
    a.status.clone().map(|(_, text)| text).unwrap_or_default()
}

#[test]
fn s_asks_for_a_name_and_enter_saves_the_workspace() {
    let mut a = runs_app();
    a.on_key(&key('S'));
    let hint = a.view(Tab::Run).capture_hint().unwrap();
    assert!(hint.contains("enter saves"), "{hint}");
    type_str(&mut a, "refund-qa"); // q and r are typed, not quit and start
    assert!(!a.quit);
    a.on_key(&code(KeyCode::Enter));
    let (dir, name, s) = saved_request(&mut a);
    assert_eq!(
        (dir.as_path(), name.as_str()),
        (Path::new("sessions"), "refund-qa")
    );
    assert_eq!(s.name, "refund-qa");
    assert_eq!(s.samples, Some(10));
    let prompts: Vec<_> = s.prompts.iter().map(|p| p.value.as_str()).collect();
    assert_eq!(prompts, ["support-answer@3"]);
    assert_eq!(s.variants.len(), 1);
    assert_eq!(s.variants[0].model.value, "mock:drift");
    assert_eq!(s.variants[0].params.temperature, Some(0.0));
    assert_eq!(
        s.cases,
        [Case {
            name: "default".into(),
            vars: [("question".into(), "How long is the refund window?".into())].into(),
        }]
    );
    assert_eq!(s.check.names(), ["errors", "min_stability"]);
    assert_eq!(s.check.min_stability, Some(1.0));
    assert!(s.traces.is_empty());
    assert!(a.run.save_line(&a.theme).is_none(), "the input closes");
}

#[test]
fn the_name_input_cancels_and_refuses_what_cannot_be_saved() {
    let mut a = runs_app();
    a.on_key(&key('S'));
    type_str(&mut a, "x");
    a.on_key(&code(KeyCode::Esc));
    assert!(a.run.save_line(&a.theme).is_none());
    assert!(requests(&mut a).is_empty());
    save_as(&mut a, "");
    assert!(requests(&mut a).is_empty());
    assert!(status(&a).contains("needs a name"), "{}", status(&a));
    save_as(&mut a, "../up");
    assert!(requests(&mut a).is_empty());
    assert!(status(&a).contains("not a session name"), "{}", status(&a));
    // Nothing selected in Prompts and no session opened: nothing to run.
    let mut empty = app();
    empty.on_key(&key('2'));
    empty.take_effects();
    save_as(&mut empty, "x");
    assert!(requests(&mut empty).is_empty());
    assert!(
        status(&empty).contains("select a prompt version"),
        "{}",
        status(&empty)
    );
}

#[test]
fn snapshot_run_save_name_input() {
    let mut a = runs_app();
    a.on_key(&key('S'));
    type_str(&mut a, "refund-qa");
    snapshot("run_save_input", a);
}

#[test]
fn the_worker_writes_the_workspace_once_and_it_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut worker = super::worker(&dir.path().join("t.db"));
    let mut a = runs_app();
    save_as(&mut a, "refund-qa");
    let (_, name, session) = saved_request(&mut a);
    let sessions = dir.path().join("sessions");
    let save = |worker: &mut temper::tui::worker::Worker| {
        let request = Request::SaveSession {
            dir: sessions.clone(),
            name: name.clone(),
            session: Box::new(session.clone()),
        };
        worker.handle(request)
    };
    let Event::SessionSaved(path) = save(&mut worker) else {
        panic!("expected saved")
    };
    assert_eq!(path, sessions.join("refund-qa.toml"));
    a.on_event(Event::SessionSaved(path.clone()));
    assert!(status(&a).starts_with("saved "), "{}", status(&a));
    assert!(status(&a).ends_with("refund-qa.toml"), "{}", status(&a));
    let back = Session::read(&path).unwrap();
    assert_eq!(back.prompts[0].value, "support-answer@3");
    let matrix = |s: &Session| -> Vec<_> {
        s.variants
            .iter()
            .map(|v| (v.name.clone(), v.model.value.clone(), v.params.clone()))
            .collect()
    };
    assert_eq!(matrix(&back), matrix(&session));
    assert_eq!(
        (back.samples, &back.cases, &back.check),
        (session.samples, &session.cases, &session.check)
    );
    // A second save under the same name is refused, and the file is kept.
    let failed = save(&mut worker);
    a.on_event(failed);
    assert!(status(&a).contains("already exists"), "{}", status(&a));
    assert_eq!(Session::read(&path).unwrap().name, "refund-qa");
}

const WITH_TRACE: &str = r#"name = "with-trace"
samples = 4
prompts = ["support-answer"]
traces = ["../traces/rag.temper.jsonl"]

[[variants]]
name = "steady"
model = "mock:echo"
seed = 7

[[cases]]
name = "annual"
vars = { question = "How long is the refund window for annual plans?", context = "[c2] 30 days." }

[check]
min_stability = 0.8
must_not_contain = ["As an AI"]
"#;

#[test]
fn a_session_with_traces_opens_its_trace_and_saves_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut worker = super::worker(&dir.path().join("t.db"));
    let sessions = dir.path().join("sessions");
    std::fs::create_dir_all(dir.path().join("traces")).unwrap();
    std::fs::create_dir_all(&sessions).unwrap();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/traces/rag-answer.temper.jsonl");
    std::fs::copy(example, dir.path().join("traces/rag.temper.jsonl")).unwrap();
    let path = sessions.join("with-trace.toml");
    std::fs::write(&path, WITH_TRACE).unwrap();

    let Event::SessionOpened(opened) = temper::tui::session::open(&path) else {
        panic!("expected the session")
    };
    let trace = opened.traces[0].clone();
    let mut a = runs_app();
    a.on_event(Event::SessionOpened(opened.clone()));
    assert_eq!(
        requests(&mut a),
        [
            Request::Estimate(RunSpec::Session { path: path.clone() }),
            Request::LoadTrace {
                path: trace.clone()
            },
        ]
    );
    a.on_event(worker.handle(Request::LoadTrace {
        path: trace.clone(),
    }));
    assert!(a.trace.loaded().is_some_and(|l| !l.walk.is_empty()));
    assert_eq!(a.trace.path.as_ref(), Some(&trace));

    // Saved again: the session's checks, cases and variants carry over, with the open trace.
    save_as(&mut a, "copy");
    let (_, name, session) = saved_request(&mut a);
    assert_eq!(
        (&session.check, &session.cases),
        (&opened.check, &opened.cases)
    );
    assert_eq!(session.variants, opened.variants);
    assert_eq!(session.samples, Some(4));
    // support-answer@3 is selected in Prompts: one of the session's prompts, so they stay.
    let prompts: Vec<_> = session.prompts.iter().map(|p| p.value.as_str()).collect();
    assert_eq!(prompts, ["support-answer"]);
    // Another prompt selected: it is saved with its own default vars, not the session's cases.
    let mut other = a.prompts.selected_body().unwrap().clone();
    other.info.prompt = "classify-ticket".into();
    other.body.vars = [("ticket".to_string(), "I cannot log in".to_string())].into();
    let mixed =
        temper::tui::workspace::workspace_session("mixed", Some(&other), &a.run, None).unwrap();
    assert_eq!(mixed.prompts[0].value, "classify-ticket@3");
    assert_eq!(mixed.cases.len(), 1);
    assert_eq!(mixed.cases[0].vars["ticket"], "I cannot log in");
    assert_eq!(mixed.check, opened.check, "the checks still carry over");
    let request = Request::SaveSession {
        dir: sessions.clone(),
        name,
        session: Box::new(session),
    };
    let Event::SessionSaved(saved) = worker.handle(request) else {
        panic!("expected saved")
    };
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(
        text.contains(r#"traces = ["../traces/rag.temper.jsonl"]"#),
        "{text}"
    );
    let back = Session::read(&saved).unwrap();
    assert_eq!((&back.check, &back.cases), (&opened.check, &opened.cases));
    assert_eq!(back.traces, opened.traces);

    // A trace that is not there: the error names the file, the line and the key.
    let broken = sessions.join("broken.toml");
    std::fs::write(&broken, WITH_TRACE.replace("rag.temper", "gone")).unwrap();
    let Event::Failed { what, error } = temper::tui::session::open(&broken) else {
        panic!("expected a failure")
    };
    assert!(what.contains("broken.toml"), "{what}");
    assert!(error.contains("broken.toml:4: `traces`"), "{error}");
    assert!(error.contains("gone.jsonl"), "{error}");
}
