//! The spend guard in the Run view: estimate first (on the worker), then start, ask or refuse.

use super::*;
use temper::runner::Decision;
use temper::tui::event::{PlannedRun, RunSpec, SpendCheck};

/// A real store with the example prompts, and the support-answer version the TUI would run.
fn seeded_store() -> (tempfile::TempDir, temper::store::Store, Version) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = temper::store::Store::open(&dir.path().join("g.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let version = store.resolve_str("support-answer").unwrap();
    (dir, store, version)
}

fn prompt_spec(version: Version, models: &[&str], n: u32) -> RunSpec {
    RunSpec::Prompt {
        version: Box::new(version),
        models: models.iter().map(|m| m.to_string()).collect(),
        n,
        concurrency: None,
    }
}

/// A verdict as the worker would send it, for a plan of `version`.
fn verdict(version: Version, decision: Decision) -> SpendCheck {
    let config = temper::config::Config::default();
    let plan =
        temper::tui::spend::prompt_plan(&config, version, &["mock:drift".into()], 40).unwrap();
    SpendCheck {
        label: "support-answer@3".into(),
        plan: PlannedRun(std::sync::Arc::new(plan)),
        lines: vec![
            "estimate: 40 calls = 1 prompt x 1 variant x 1 case x 40 samples · prices as of 2026-11-01".into(),
            "  openai:gpt-4o  40 calls · in 312 tok/call (exact) · out ≤ 1024 (max_tokens)".into(),
            "total: up to $1.52, likely $0.31".into(),
        ],
        decision,
        session: None,
        grading: None,
    }
}

fn confirm_app() -> (App, SpendCheck) {
    let (_dir, _store, version) = seeded_store();
    let mut a = runs_app();
    let check = verdict(
        version,
        Decision::Confirm {
            question: "this run may cost up to $1.52 (above $1.00): start it?".into(),
        },
    );
    a.on_event(Event::Estimated(Box::new(check.clone())));
    (a, check)
}

#[test]
fn worker_estimates_a_prompt_run_with_lines_and_a_decision() {
    let (dir, store, version) = seeded_store();
    let config = temper::config::Config::default();
    let mut worker = temper::tui::worker::Worker::new(store, config, dir.path().join("g.db"));
    let event = worker.handle(Request::Estimate(prompt_spec(version, &["mock:drift"], 5)));
    let Event::Estimated(check) = event else {
        panic!("expected an estimate, got {event:?}")
    };
    assert_eq!(check.label, "support-answer@1");
    assert!(
        check.lines[0].starts_with("estimate: 5 calls = 1 prompt"),
        "{:?}",
        check.lines
    );
    assert!(
        check.lines.iter().any(|l| l.starts_with("total:")),
        "{:?}",
        check.lines
    );
    assert_eq!(check.plan.0.samples, 5);
    assert_eq!(check.plan.0.source, "tui");
    assert!(
        check.plan.0.prices.is_some(),
        "the plan is priced with the config's book"
    );
}

#[test]
fn a_budget_of_zero_refuses_a_priced_run_and_nothing_starts() {
    let (dir, store, version) = seeded_store();
    let mut config = temper::config::Config::default();
    config.run.budget_usd = Some(0.0);
    let mut price = toml::Table::new();
    price.insert("input".into(), toml::Value::Float(1000.0));
    price.insert("output".into(), toml::Value::Float(1000.0));
    config.prices.insert("mock:drift".into(), price);
    let spec = prompt_spec(version, &["mock:drift"], 50);
    // Through the worker, as the TUI asks: it estimates with its own config, not a default.
    let mut worker = temper::tui::worker::Worker::new(store, config, dir.path().join("g.db"));
    let event = worker.handle(Request::Estimate(spec));
    let Event::Estimated(check) = event else {
        panic!("expected an estimate, got {event:?}")
    };
    assert!(
        matches!(check.decision, Decision::Refuse { .. }),
        "{:?}",
        check.decision
    );
    let mut a = runs_app();
    a.on_event(Event::Estimated(check));
    assert!(
        !a.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::StartRun { .. }))
    );
    let (_, text) = a.status.clone().unwrap();
    assert!(text.starts_with("not started: "), "{text}");
}

#[test]
fn start_decision_starts_the_estimated_plan() {
    let (_dir, _store, version) = seeded_store();
    let mut a = runs_app();
    let check = verdict(version, Decision::Start);
    a.on_event(Event::Estimated(Box::new(check.clone())));
    assert!(a.take_effects().contains(&Effect::StartRun {
        label: check.label,
        plan: check.plan,
    }));
    assert!(!a.run.estimating);
}

#[test]
fn confirm_popup_y_starts_other_keys_decline() {
    let (mut a, check) = confirm_app();
    assert!(a.run.confirm_question().is_some());
    assert!(
        !a.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::StartRun { .. }))
    );
    a.on_key(&key('j')); // not y: declined, and the key does not move the list
    assert!(a.run.confirm_question().is_none());
    assert!(a.take_effects().is_empty());
    assert!(a.status.clone().unwrap().1.contains("declined"));
    a.on_event(Event::Estimated(Box::new(check.clone())));
    a.on_key(&key('y'));
    assert_eq!(
        a.take_effects(),
        [Effect::StartRun {
            label: check.label,
            plan: check.plan,
        }]
    );
    assert!(a.run.confirm_question().is_none());
}

#[test]
fn snapshot_run_confirmation_popup() {
    let (a, _) = confirm_app();
    snapshot("run_confirm", a);
}

// ---- Diff view: the cell to compare and the first divergence ---------------------------

/// The runs app on the Diff view, with cell 8 (mock:echo) loaded and stable.
pub(super) fn diff_two_cells() -> App {
    let mut a = runs_app();
    a.on_key(&key('3'));
    assert_eq!(requests(&mut a), [Request::LoadRunSamples { cell_id: 8 }]);
    let same = "Annual plans are refundable within 30 days [c2].";
    a.on_event(Event::Samples {
        cell_id: 8,
        samples: (0..3)
            .map(|i| super::sample(8, i, Some(same), None))
            .collect(),
    });
    a
}

#[test]
fn diff_defaults_to_the_least_stable_cell_and_c_steps_through_cells() {
    let mut a = diff_two_cells();
    // Cell 7 (drifting) stays shown: cell 8 agrees with itself.
    assert_eq!(
        a.diff.cell_position().unwrap(),
        "cell 1/2 (least stable) · c/C other cells"
    );
    // The earliest divergence is the JSON sample's, at the very start.
    assert_eq!(
        a.diff.divergence_line().unwrap(),
        "diverges at char 0 / token 0: 'Annual plans are refundable wi' vs '{\"refund_days\": 30, \"cite\": \"c' (#0 vs #2, 2 samples differ)"
    );
    a.on_key(&key('c'));
    assert_eq!(
        a.diff.cell_position().unwrap(),
        "cell 2/2 · c/C other cells"
    );
    assert_eq!(a.diff.divergence_line(), None, "cell 8's samples agree");
    // Once picked, new samples do not move the view back to the least stable cell.
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: a.run.samples_of(7).unwrap().clone(),
    });
    assert!(a.diff.cell_position().unwrap().starts_with("cell 2/2"));
    a.on_key(&KeyEvent::new(KeyCode::Char('C'), KeyModifiers::SHIFT));
    assert!(a.diff.cell_position().unwrap().starts_with("cell 1/2"));
}

#[test]
fn snapshot_diff_divergence_line_and_cell_picker() {
    snapshot("diff_divergence", diff_two_cells());
}

/// Issue 24: while a run started here goes, the Cells pane carries its calls per second and
/// its spend as a bar against the plan's budget.
#[test]
fn a_running_run_shows_its_spend_against_the_budget() {
    use temper::runner::RunEvent;
    use temper::store::{NewSample, SampleStatus};
    let (_dir, _store, version) = seeded_store();
    let mut a = runs_app();
    let config = temper::config::Config::default();
    let mut plan =
        temper::tui::spend::prompt_plan(&config, version.clone(), &["mock:drift".into()], 40)
            .unwrap();
    plan.budget_usd = Some(0.10);
    let mut check = verdict(version, Decision::Start);
    check.plan = PlannedRun(std::sync::Arc::new(plan));
    a.on_event(Event::Estimated(Box::new(check)));
    a.take_effects();
    a.on_event(Event::RunProgress(Box::new(RunEvent::Started {
        run_id: 5,
        total: 40,
        cells: Vec::new(),
    })));
    for idx in 0..3 {
        let sample = NewSample {
            idx,
            status: Some(SampleStatus::Ok),
            cost_usd: Some(0.01),
            ..Default::default()
        };
        a.on_event(Event::RunProgress(Box::new(RunEvent::Sample {
            sample: Box::new(sample),
        })));
    }
    for (w, h) in SIZES {
        let t = render(&mut a, w, h);
        let screen = format!("{}", t.backend());
        assert!(screen.contains("running #5: 3/40"), "{screen}");
        assert!(screen.contains("$0.0300 █"), "{screen}");
        assert!(screen.contains(" 30% of $0.1000 "), "{screen}");
    }
}
