//! Two prompt versions compared by their outputs in the Diff view: `O` in the Prompts view asks
//! the worker (a real store) for each version's modal output per variant x case, the Diff view
//! shows them side by side with both stabilities, and `esc` returns to the run's cells.

use super::{App, Event, Request, code, key, loaded_app, requests, snapshot};
use ratatui::crossterm::event::KeyCode;
use temper::store::Store;
use temper::tui::action::Tab;

/// Store one finished run of `reference` on `variant` with these outputs.
fn stored_run(store: &mut Store, reference: &str, variant: &str, outputs: &[&str]) {
    let json = format!(r#"{{"model":"{variant}"}}"#);
    let samples = outputs
        .iter()
        .enumerate()
        .map(|(idx, text)| super::stored::ok_sample(idx as u32, text))
        .collect();
    super::stored::stored_run(store, reference, (variant, &json), "", samples);
}

/// The examples, support-answer @2 and @3, and runs of both on mock:echo.
fn two_versions_with_runs() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("v.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    for rule in ["\nAnswer in one sentence.", "\nCite the chunk."] {
        let mut body = store.resolve_str("support-answer").unwrap().body;
        body.messages[0].content.push_str(rule);
        store.save_version("support-answer", &body, rule).unwrap();
    }
    let thirty = "Annual plans are refundable within 30 days [c2].";
    stored_run(
        &mut store,
        "support-answer@2",
        "mock:echo",
        &[thirty, thirty],
    );
    let fourteen = "Annual plans are refundable within 14 days [c2].";
    stored_run(
        &mut store,
        "support-answer@3",
        "mock:echo",
        &[fourteen, fourteen, thirty],
    );
    (dir, store)
}

/// What the worker answers about the outputs of `old` and `new`, on the DB in `dir`.
fn compare(dir: &tempfile::TempDir, old: u32, new: u32) -> Event {
    super::worker(&dir.path().join("v.db")).handle(Request::CompareOutputs {
        name: "support-answer".into(),
        old,
        new,
    })
}

#[test]
fn worker_finds_each_versions_modal_output_per_variant() {
    let (dir, mut store) = two_versions_with_runs();
    let Event::VersionOutputs { pairs, .. } = compare(&dir, 2, 3) else {
        panic!("expected outputs")
    };
    assert_eq!(pairs.len(), 1);
    let pair = &pairs[0];
    assert_eq!(pair.variant, "mock:echo");
    assert!(pair.old.output.contains("30 days"));
    assert!(
        pair.new.output.contains("14 days"),
        "the modal output of @3"
    );
    assert_eq!(pair.old.stability, Some(1.0));
    assert!((pair.new.stability.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // A version that never ran: the error says so and how to fix it.
    let mut body = store.resolve_str("support-answer").unwrap().body;
    body.messages[0].content.push_str(" Be brief.");
    store.save_version("support-answer", &body, "").unwrap();
    let Event::Failed { what, error } = compare(&dir, 3, 4) else {
        panic!("expected a failure")
    };
    assert_eq!(
        what,
        "comparing the outputs of support-answer@3 and support-answer@4"
    );
    assert!(
        error.contains("support-answer@4 has no stored outputs"),
        "{error}"
    );
    assert!(error.contains("temper run support-answer@4"), "{error}");
}

/// The app after `O` on support-answer@3 and the worker's answer for @2 vs @3.
fn comparing_app() -> App {
    let (dir, _store) = two_versions_with_runs();
    let event = compare(&dir, 2, 3);
    let mut a = loaded_app();
    a.on_key(&key('O'));
    assert_eq!(
        requests(&mut a),
        [Request::CompareOutputs {
            name: "support-answer".into(),
            old: 2,
            new: 3
        }]
    );
    a.on_event(event);
    a
}

#[test]
fn o_compares_a_version_with_its_parent_in_the_diff_view() {
    let mut a = comparing_app();
    assert_eq!(a.tab, Tab::Diff);
    assert!(a.diff.comparing_versions());
    assert_eq!(
        a.diff.divergence_line().unwrap(),
        "diverges at char 35 / token 6: '30 days [c2].' vs '14 days [c2].'"
    );
    assert!(
        a.diff.explain[1].contains("stability 67%"),
        "{:?}",
        a.diff.explain
    );
    let (_, status) = a.status.clone().unwrap();
    assert_eq!(
        status,
        "comparing the modal outputs of support-answer@2 and @3: 1 variant × case"
    );
    // The Run view's selection does not replace the comparison...
    a.dispatch(temper::tui::action::Action::ShowTab(Tab::Run));
    a.dispatch(temper::tui::action::Action::ShowTab(Tab::Diff));
    assert!(a.diff.comparing_versions());
    // ...until esc.
    a.on_key(&code(KeyCode::Esc));
    assert!(!a.diff.comparing_versions());
    assert_eq!(a.tab, Tab::Diff);
}

#[test]
fn o_on_a_first_version_says_how_to_pick_one() {
    use temper::tui::action::Action;
    let mut a = loaded_app();
    a.dispatch(Action::FocusNext); // the Versions pane
    a.dispatch(Action::Bottom); // support-answer@1
    requests(&mut a);
    a.on_key(&key('O'));
    assert_eq!(requests(&mut a), []);
    let (_, status) = a.status.clone().unwrap();
    assert_eq!(
        status,
        "support-answer@1 is the first version: D picks a version to diff, then O compares their outputs"
    );
    // In the template diff of @1 against @3 (D 3), O compares those two versions' outputs.
    a.on_key(&key('D'));
    a.on_key(&key('3'));
    a.on_key(&code(KeyCode::Enter));
    let asked = requests(&mut a);
    assert!(
        matches!(asked.as_slice(), [Request::Diff { .. }]),
        "{asked:?}"
    );
    let Request::Diff { name, old, new } = asked[0].clone() else {
        unreachable!()
    };
    a.on_event(Event::Diff(temper::tui::event::VersionDiff {
        name: name.clone(),
        old,
        new,
        spans: temper::analysis::worddiff::word_diff("a", "b"),
    }));
    a.on_key(&key('O'));
    assert_eq!(
        requests(&mut a),
        [Request::CompareOutputs { name, old, new }]
    );
}

#[test]
fn snapshot_diff_of_two_versions_outputs() {
    snapshot("diff_versions", comparing_app());
}
