//! The Diff view's explain panel (`e`): the split token with probabilities, near-ties, fragile
//! tokens and the batch probe, from stored logprobs; the character split without them.

use super::{App, Event, Request, cell, key, loaded_app, requests, run, sample, snapshot};
use temper::provider::{Alternative, TokenLogprob};
use temper::store::RunStatus;
use temper::tui::action::{Action, Tab};

/// A token with its probability and the top candidates at its position.
fn token(text: &str, p: f32, top: &[(&str, f32)]) -> TokenLogprob {
    TokenLogprob {
        token: text.into(),
        logprob: p.ln(),
        top: top
            .iter()
            .map(|(t, p)| Alternative {
                token: (*t).into(),
                logprob: p.ln(),
            })
            .collect(),
    }
}

/// "The jacket is unused." or "… unworn.": token 4 is a near-tie (0.52 vs 0.47).
fn jacket(cell_id: i64, idx: u32, word: &str) -> temper::store::SampleRow {
    let p = if word == " unused" { 0.52 } else { 0.47 };
    let tokens = [
        token("The", 0.99, &[("The", 0.99)]),
        token(" jacket", 0.97, &[(" jacket", 0.97), (" coat", 0.02)]),
        token(" is", 0.99, &[(" is", 0.99)]),
        token(word, p, &[(" unused", 0.52), (" unworn", 0.47)]),
        token(".", 0.98, &[(".", 0.98)]),
    ];
    let output = format!("The jacket is{word}.");
    let mut row = sample(cell_id, idx, Some(&output), None);
    row.sample.logprobs = Some(temper::provider::logprob_codec::encode(&tokens));
    row
}

/// A cell of run 2 sent with `schedule`.
fn scheduled(id: i64, schedule: &str) -> temper::store::CellInfo {
    let mut c = cell(id, 2, &format!("openai:m [{schedule}]"));
    c.cell.variant_json = format!(r#"{{"model":"openai:m","schedule":"{schedule}"}}"#);
    c
}

/// The Diff view over a batch-probe run: cell 7 sequential (stable), cell 8 burst (split).
fn probe_app() -> App {
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    requests(&mut a);
    a.on_event(Event::Runs(vec![run(2, RunStatus::Done)]));
    assert_eq!(
        requests(&mut a),
        [
            Request::LoadCells { run_id: 2 },
            Request::LoadRunSent { run_id: 2 }
        ]
    );
    a.on_event(Event::Cells {
        run_id: 2,
        cells: vec![scheduled(7, "sequential"), scheduled(8, "burst")],
    });
    assert_eq!(requests(&mut a), [Request::LoadSamples { cell_id: 7 }]);
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: (0..3).map(|i| jacket(7, i, " unused")).collect(),
    });
    a.dispatch(Action::ShowTab(Tab::Diff));
    assert_eq!(requests(&mut a), [Request::LoadRunSamples { cell_id: 8 }]);
    a.on_event(Event::Samples {
        cell_id: 8,
        samples: vec![
            jacket(8, 0, " unused"),
            jacket(8, 1, " unused"),
            jacket(8, 2, " unworn"),
        ],
    });
    a
}

#[test]
fn explain_names_the_split_token_the_near_tie_and_the_batch_probe() {
    let mut a = probe_app();
    assert!(!a.diff.explain_open);
    a.on_key(&key('e'));
    assert!(a.diff.explain_open);
    // The least stable cell (burst) is shown first.
    let lines = a.diff.explain.join("\n");
    assert!(
        lines.contains(
            "outputs split at token 4: ' unused' (p=0.52, 2 samples) vs ' unworn' (p=0.47, 1 sample)"
        ),
        "{lines}"
    );
    assert!(lines.contains("a near-tie (0.05 apart)"), "{lines}");
    assert!(
        lines.contains("drift appears only under concurrent load"),
        "{lines}"
    );
    // Every sample has one token decided by less than 0.05.
    assert!(lines.contains("1 of 5 tokens of sample 0"), "{lines}");
    a.on_key(&key('e'));
    assert!(!a.diff.explain_open, "e hides the panel again");
}

#[test]
fn explain_follows_the_cell_picked_with_c() {
    let mut a = probe_app();
    a.on_key(&key('c'));
    let lines = a.diff.explain.join("\n");
    assert!(lines.contains("all 3 samples agree"), "{lines}");
    assert!(lines.contains("sequential stability 1.00"), "{lines}");
}

#[test]
fn explain_without_logprobs_gives_the_character_split_and_says_why() {
    let mut a = super::guard::diff_two_cells();
    a.on_key(&key('e'));
    let lines = a.diff.explain.join("\n");
    assert!(lines.contains("outputs split at character 0"), "{lines}");
    assert!(lines.contains("no token logprobs stored"), "{lines}");
    snapshot("diff_explain_chars", a);
}

#[test]
fn snapshot_diff_explain_panel() {
    let mut a = probe_app();
    a.on_key(&key('e'));
    snapshot("diff_explain_tokens", a);
}

#[test]
fn explain_updates_when_the_shown_cell_gets_more_samples() {
    let mut a = probe_app();
    a.on_key(&key('c')); // pick the sequential cell
    let more = vec![
        jacket(7, 0, " unused"),
        jacket(7, 1, " unworn"),
        jacket(7, 2, " unused"),
    ];
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: more,
    });
    let lines = a.diff.explain.join("\n");
    assert!(lines.contains("outputs split at token 4"), "{lines}");
    assert!(lines.contains("drift either way"), "{lines}");
}

// ---- Diff panes: syntax colours under the word diff ------------------------------------

#[test]
fn differing_json_outputs_are_syntax_highlighted_around_the_changed_words() {
    use ratatui::style::Color;
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    requests(&mut a);
    a.on_event(Event::Runs(vec![run(2, RunStatus::Done)]));
    requests(&mut a);
    a.on_event(Event::Cells {
        run_id: 2,
        cells: vec![cell(7, 2, "mock:drift")],
    });
    requests(&mut a);
    let json = |days: u32| format!("{{\"refund_days\": {days}, \"cite\": \"c2\"}}");
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: vec![
            sample(7, 0, Some(&json(30)), None),
            sample(7, 1, Some(&json(30)), None),
            sample(7, 2, Some(&json(14)), None),
        ],
    });
    a.dispatch(Action::ShowTab(Tab::Diff));
    let terminal = super::render(&mut a, 160, 48);
    let buffer = terminal.backend().buffer();
    // The first row of the panes' text, and where a string starts in it (left pane first).
    let row = (0..48)
        .find(|y| {
            let line: String = (0..160).map(|x| buffer[(x, *y)].symbol()).collect();
            line.contains("refund_days")
        })
        .expect("the JSON is on screen");
    let line: Vec<String> = (0..160)
        .map(|x| buffer[(x, row)].symbol().to_string())
        .collect();
    let find = |needle: &str, from: usize| -> u16 {
        let text: String = line.concat();
        let byte = text[from..].find(needle).unwrap() + from;
        text[..byte].chars().count() as u16
    };
    let theme = temper::tui::theme::Theme::default();
    // Unchanged JSON keeps syntect colours (RGB from the syntect theme)...
    let key = buffer[(find("refund_days", 0), row)].style();
    assert!(matches!(key.fg, Some(Color::Rgb(..))), "{key:?}");
    assert_ne!(key.fg, theme.text().fg, "not the plain text colour");
    // ...the divergence point is marked (reversed)...
    let mark = buffer[(find("30", 0), row)].style();
    assert!(
        mark.add_modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    // ...and the changed number keeps the diff's colour on each side.
    let old = buffer[(find("30", 0) + 1, row)].style();
    assert_eq!(old.fg, Some(theme.removed), "{old:?}");
    let right_start = line.concat().find("14").unwrap();
    let new = buffer[(find("14", right_start) + 1, row)].style();
    assert_eq!(new.fg, Some(theme.added), "{new:?}");
}

// ---- The library behind the panel: pairing and sampled tokens ---------------------------

/// A cell of run 2: `model` with `params` (JSON), sent with `schedule`.
fn variant_cell(id: i64, model: &str, params: &str, schedule: &str) -> temper::store::CellInfo {
    let name = if params == "{}" {
        format!("{model} [{schedule}]")
    } else {
        format!("{model} seed=1 [{schedule}]")
    };
    let mut c = cell(id, 2, &name);
    c.cell.variant_json =
        format!(r#"{{"model":"{model}","params":{params},"schedule":"{schedule}"}}"#);
    c
}

#[test]
fn the_batch_probe_pairs_each_variant_with_its_own_burst() {
    use temper::explain::{ScheduleVerdict, explain_run};
    let same = |id| (0..3).map(|i| jacket(id, i, " unused")).collect::<Vec<_>>();
    let split = |id| {
        vec![
            jacket(id, 0, " unused"),
            jacket(id, 1, " unworn"),
            jacket(id, 2, " unused"),
        ]
    };
    // Two variants of one model: plain (stable both ways), seeded (drifts in a burst).
    let cells = vec![
        (variant_cell(1, "openai:m", "{}", "sequential"), same(1)),
        (variant_cell(2, "openai:m", "{}", "burst"), same(2)),
        (
            variant_cell(3, "openai:m", r#"{"seed":1}"#, "sequential"),
            same(3),
        ),
        (
            variant_cell(4, "openai:m", r#"{"seed":1}"#, "burst"),
            split(4),
        ),
    ];
    let run = explain_run(&cells, temper::analysis::Mode::Exact);
    let verdicts: Vec<_> = run
        .schedules
        .iter()
        .map(|c| (c.model.as_str(), c.burst.cell_id, c.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("openai:m", 2, ScheduleVerdict::StableBoth),
            ("openai:m seed=1", 4, ScheduleVerdict::DriftUnderLoad),
        ]
    );
}

#[test]
fn tokens_sampled_below_the_top_candidate_are_not_called_robust() {
    use temper::explain::explain_cell;
    // " coat" chosen at p=0.02 although " jacket" had 0.97: sampling picked it.
    let mut rows = Vec::new();
    for idx in 0..2 {
        let mut row = jacket(9, idx, " unused");
        let tokens = vec![
            token("The", 0.99, &[("The", 0.99)]),
            token(" coat", 0.02, &[(" jacket", 0.97), (" coat", 0.02)]),
            token(" is", 0.99, &[(" is", 0.99)]),
            token(" unused", 0.9, &[(" unused", 0.9), (" new", 0.05)]),
            token(".", 0.98, &[(".", 0.98)]),
        ];
        row.sample.output = Some("The coat is unused.".into());
        row.sample.logprobs = Some(temper::provider::logprob_codec::encode(&tokens));
        rows.push(row);
    }
    let explained = explain_cell(
        &cell(9, 2, "openai:m"),
        &rows,
        temper::analysis::Mode::Exact,
    );
    let lines = explained.sentences().join("\n");
    assert!(
        lines.contains("1 of 5 tokens of sample 0 were not the most likely choice"),
        "{lines}"
    );
    assert!(!lines.contains("robust"), "{lines}");
    assert!(
        lines.contains("the closest call is token 4 ' unused' by 0.850"),
        "{lines}"
    );
}

/// The burst cell's modal answer took a token that was not the most likely (" unworn" at 0.47
/// beside " unused" at 0.52); `sent` is what the Run view read of what the run sent.
fn passed_over_app(sent: Option<temper::tui::event::RunSent>) -> App {
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_event(Event::Runs(vec![run(2, RunStatus::Done)]));
    a.on_event(Event::Cells {
        run_id: 2,
        cells: vec![scheduled(7, "sequential"), scheduled(8, "burst")],
    });
    if let Some(sent) = sent {
        a.on_event(Event::RunSent(Box::new(sent)));
    }
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: (0..3).map(|i| jacket(7, i, " unused")).collect(),
    });
    a.dispatch(Action::ShowTab(Tab::Diff));
    a.on_event(Event::Samples {
        cell_id: 8,
        samples: vec![
            jacket(8, 0, " unworn"),
            jacket(8, 1, " unworn"),
            jacket(8, 2, " unused"),
        ],
    });
    requests(&mut a);
    a.on_key(&key('e'));
    a
}

/// Issue 15 item 2: with the temperature the run sent, the panel names the server's settings
/// as `temper report --explain` does, not "either sampling … or …".
#[test]
fn explain_panel_uses_the_temperature_the_run_sent() {
    let unknown = passed_over_app(None).diff.explain.join("\n");
    assert!(
        unknown.contains("either sampling above temperature 0"),
        "{unknown}"
    );
    let sent = temper::tui::event::RunSent {
        run_id: 2,
        params: [7, 8]
            .into_iter()
            .map(|c| (c, serde_json::json!({"temperature": 0.0})))
            .collect(),
        variants: Vec::new(),
    };
    let a = passed_over_app(Some(sent.clone()));
    let lines = a.diff.explain.join("\n");
    assert!(lines.contains("temperature 0 was sent"), "{lines}");
    assert!(!lines.contains("either"), "{lines}");
    // The same sentences `temper report --explain` prints for the cell.
    let cell = scheduled(8, "burst");
    let samples = vec![
        jacket(8, 0, " unworn"),
        jacket(8, 1, " unworn"),
        jacket(8, 2, " unused"),
    ];
    let report = temper::explain::explain_run_sent(
        &[(cell, samples)],
        temper::analysis::Mode::Exact,
        &[Some(0.0)],
    );
    let passed: Vec<String> = report
        .sentences()
        .into_iter()
        .filter(|s| s.contains("not the most likely"))
        .collect();
    assert!(!passed.is_empty(), "{:?}", report.sentences());
    for sentence in passed {
        assert!(lines.contains(sentence.trim()), "{sentence} in\n{lines}");
    }
    // Arriving after the cells were explained works too.
    let mut late = passed_over_app(None);
    late.on_event(Event::RunSent(Box::new(sent)));
    let lines = late.diff.explain.join("\n");
    assert!(lines.contains("temperature 0 was sent"), "{lines}");
    snapshot("diff_explain_sent", late);
}
