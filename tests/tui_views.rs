//! The TUI without a terminal: snapshots of every view with ratatui's TestBackend at 80x24 and
//! 160x48 (loaded, loading, empty and error states), key handling per view, and the real event
//! loop driven with a real worker on a real SQLite file.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use temper::prompt::{Message, Params, PromptBody, Role};
use temper::store::{LabelMove, PromptSummary, SaveOutcome, Version, VersionInfo};
use temper::tui::action::{Action, Tab};
use temper::tui::app::App;
use temper::tui::event::{Event, Request, RunSpec, VersionDiff};
use temper::tui::views::Effect;
use temper::tui::{Options, new_app};

#[path = "tui_views/cases.rs"]
mod cases;
#[path = "tui_views/charts.rs"]
mod charts;
#[path = "tui_views/cost_split.rs"]
mod cost_split;
#[path = "tui_views/explain.rs"]
mod explain;
#[path = "tui_views/follow.rs"]
mod follow;
#[path = "tui_views/guard.rs"]
mod guard;
#[path = "tui_views/replay.rs"]
mod replay;
#[path = "tui_views/save.rs"]
mod save;
#[path = "tui_views/sessions.rs"]
mod sessions;
#[path = "common/stored.rs"]
mod stored;
#[path = "tui_views/suite.rs"]
mod suite;
#[path = "tui_views/versions.rs"]
mod versions;
#[path = "tui_views/worker.rs"]
mod worker;

#[path = "tui_views/paged.rs"]
mod paged;

#[path = "tui_views/packed.rs"]
mod packed;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// A worker on a fresh store at `db`, with the default config.
fn worker(db: &std::path::Path) -> temper::tui::worker::Worker {
    let store = temper::store::Store::open(db).unwrap();
    temper::tui::worker::Worker::new(store, temper::config::Config::default(), db.to_path_buf())
}

fn app() -> App {
    new_app(&Options::default())
}

fn summary(name: &str, latest: u32) -> PromptSummary {
    PromptSummary {
        name: name.into(),
        versions: latest,
        latest,
        updated_at: "2026-11-24T10:00:00Z".into(),
        labels: Vec::new(),
    }
}

fn info(name: &str, number: u32, message: &str, labels: &[&str]) -> VersionInfo {
    VersionInfo {
        id: number as i64,
        prompt: name.into(),
        number,
        hash: format!("h{number}"),
        parent: (number > 1).then(|| number - 1),
        message: message.into(),
        created_at: format!("2026-11-{:02}T10:00:00Z", 10 + number),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

fn body(answer_rule: &str) -> PromptBody {
    PromptBody {
        params: Params {
            temperature: Some(0.0),
            max_tokens: Some(400),
            ..Default::default()
        },
        messages: vec![
            Message::new(
                Role::System,
                format!("You are a support assistant.\n{answer_rule}"),
            ),
            Message::new(
                Role::User,
                "Question: {{question}}\u{1b}[31m (red?)\u{202E}",
            ),
        ],
        tools: Vec::new(),
        vars: [(
            "question".to_string(),
            "How long is the refund window?".to_string(),
        )]
        .into(),
    }
}

/// An app with three prompts, the second selected, its log and latest body loaded.
fn loaded_app() -> App {
    let mut app = app();
    app.on_event(Event::Ready {
        db: "/tmp/x/temper.db".into(),
        seeded: 0,
    });
    app.on_event(Event::Prompts(vec![
        summary("agent-ops", 1),
        summary("support-answer", 3),
        summary("z-very-long-prompt-name-that-does-not-fit-in-the-list", 1),
    ]));
    app.take_effects();
    app.dispatch(Action::Down);
    app.on_event(Event::Log {
        name: "support-answer".into(),
        versions: vec![
            info("support-answer", 3, "cite chunk ids", &["prod"]),
            info(
                "support-answer",
                2,
                "tighten the refusal rule",
                &["staging"],
            ),
            info("support-answer", 1, "first version", &[]),
        ],
    });
    for n in 1..=3 {
        app.on_event(Event::Version(Box::new(Version {
            info: info("support-answer", n, "m", &[]),
            body: body(&format!("Rule {n}: answer only from the context.")),
        })));
    }
    app.take_effects();
    app
}

fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    temper::tui::event_loop::draw(&mut terminal, app).unwrap();
    terminal
}

fn snapshot(name: &str, mut app: App) {
    for (w, h) in SIZES {
        let terminal = render(&mut app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn type_str(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(&key(c));
    }
}

fn requests(app: &mut App) -> Vec<Request> {
    app.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Request(r) => Some(r),
            _ => None,
        })
        .collect()
}

// ---- snapshots -------------------------------------------------------------------------

#[test]
fn snapshot_prompts_loaded() {
    snapshot("prompts_loaded", loaded_app());
}

#[test]
fn snapshot_prompts_loading_before_the_db_answers() {
    snapshot("prompts_loading", app());
}

#[test]
fn snapshot_prompts_empty_db() {
    let mut a = app();
    a.on_event(Event::Prompts(Vec::new()));
    snapshot("prompts_empty", a);
}

#[test]
fn snapshot_prompts_filter_without_match() {
    let mut a = loaded_app();
    a.dispatch(Action::Filter);
    type_str(&mut a, "zzz");
    snapshot("prompts_filter_nomatch", a);
}

#[test]
fn snapshot_prompts_help_overlay() {
    let mut a = loaded_app();
    a.dispatch(Action::Help);
    snapshot("prompts_help", a);
}

#[test]
fn snapshot_prompts_editor() {
    let mut a = loaded_app();
    a.dispatch(Action::Edit);
    snapshot("prompts_editor", a);
}

#[test]
fn snapshot_prompts_version_diff() {
    let mut a = loaded_app();
    a.on_event(Event::Diff(VersionDiff {
        name: "support-answer".into(),
        old: 2,
        new: 3,
        spans: temper::analysis::worddiff::word_diff(
            &temper::tui::text::body_text(&body("Rule 2: answer only from the context.")),
            &temper::tui::text::body_text(&body("Rule 3: answer only from the cited context.")),
        ),
    }));
    snapshot("prompts_diff", a);
}

#[test]
fn snapshot_error_states() {
    let mut a = app();
    a.on_event(Event::Fatal(
        "/nope/t.db is not a temper database (not SQLite); it was left untouched".into(),
    ));
    snapshot("fatal_db", a);
    let mut a = loaded_app();
    a.on_event(Event::Failed {
        what: "saving support-answer".into(),
        error: "database is locked".into(),
    });
    snapshot("prompts_failed_request", a);
}

#[test]
fn snapshot_bad_theme_warns_in_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[colors]\nadded = 12\n").unwrap();
    let a = new_app(&Options {
        theme: Some("high-contrast-typo".into()),
        ..Default::default()
    });
    snapshot("bad_theme", a);
}

#[test]
fn snapshot_other_views_state_what_they_need() {
    for tab in [Tab::Run, Tab::Diff, Tab::Trace, Tab::Cost] {
        let mut a = loaded_app();
        a.dispatch(Action::ShowTab(tab));
        snapshot(&format!("view_{}", tab.title().to_lowercase()), a);
    }
}

// ---- key handling ----------------------------------------------------------------------

#[test]
fn prompts_navigation_requests_what_it_shows() {
    let mut a = app();
    a.on_event(Event::Prompts(vec![summary("a", 1), summary("b", 2)]));
    assert_eq!(requests(&mut a), [Request::LoadLog { name: "a".into() }]);
    a.on_key(&key('j'));
    assert_eq!(requests(&mut a), [Request::LoadLog { name: "b".into() }]);
    a.on_event(Event::Log {
        name: "b".into(),
        versions: vec![info("b", 2, "two", &[]), info("b", 1, "one", &[])],
    });
    assert_eq!(
        requests(&mut a),
        [Request::LoadVersion {
            name: "b".into(),
            number: 2
        }]
    );
    a.on_key(&code(KeyCode::Tab)); // focus versions
    a.on_key(&key('j'));
    assert_eq!(
        requests(&mut a),
        [Request::LoadVersion {
            name: "b".into(),
            number: 1
        }]
    );
    assert_eq!(a.prompts.selected_version().unwrap().number, 1);
    a.on_key(&key('k'));
    a.on_key(&key('k'));
    assert_eq!(
        a.prompts.selected_version().unwrap().number,
        2,
        "clamped at the top"
    );
}

#[test]
fn prompts_filter_narrows_and_esc_clears() {
    let mut a = loaded_app();
    a.on_key(&key('/'));
    type_str(&mut a, "agent");
    assert_eq!(a.prompts.selected_prompt().unwrap().name, "agent-ops");
    a.on_key(&code(KeyCode::Enter));
    // `q` no longer types into the filter: it quits.
    a.on_key(&code(KeyCode::Esc));
    assert_eq!(a.prompts.selected_prompt().unwrap().name, "agent-ops");
    a.on_key(&key('j'));
    assert_eq!(a.prompts.selected_prompt().unwrap().name, "support-answer");
    a.on_key(&key('q'));
    assert!(a.quit);
}

#[test]
fn prompts_edit_save_asks_for_message_then_saves() {
    let mut a = loaded_app();
    a.on_key(&key('e'));
    assert!(
        a.view(Tab::Prompts)
            .capture_hint()
            .unwrap()
            .contains("ctrl-s")
    );
    // Typing `q` in the editor types, it does not quit.
    a.on_key(&code(KeyCode::End));
    a.on_key(&code(KeyCode::Enter));
    type_str(&mut a, "tools = []");
    assert!(!a.quit);
    a.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    type_str(&mut a, "new rule");
    a.on_key(&code(KeyCode::Enter));
    let reqs = requests(&mut a);
    let [
        Request::Save {
            name,
            message,
            body,
        },
    ] = reqs.as_slice()
    else {
        panic!("expected one save, got {reqs:?}");
    };
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("support-answer", "new rule")
    );
    assert_eq!(body.messages.len(), 2);
}

#[test]
fn prompts_editor_reports_parse_errors_with_position() {
    let mut a = loaded_app();
    a.on_key(&key('e'));
    type_str(&mut a, "= broken");
    a.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let (_, text) = a.status.clone().unwrap();
    assert!(text.contains("editor:1:"), "{text}");
    // Esc with changes asks first, the second esc discards.
    a.on_key(&code(KeyCode::Esc));
    assert!(a.status.clone().unwrap().1.contains("unsaved changes"));
    a.on_key(&code(KeyCode::Esc));
    assert!(a.view(Tab::Prompts).capture_hint().is_none());
}

#[test]
fn prompts_label_and_diff_requests() {
    let mut a = loaded_app();
    a.on_key(&key('L'));
    type_str(&mut a, "prod");
    a.on_key(&code(KeyCode::Enter));
    assert_eq!(
        requests(&mut a),
        [Request::SetLabel {
            name: "support-answer".into(),
            label: "prod".into(),
            number: 3
        }]
    );
    a.on_key(&key('d'));
    assert_eq!(
        requests(&mut a),
        [Request::Diff {
            name: "support-answer".into(),
            old: 2,
            new: 3
        }]
    );
    a.on_key(&key('D'));
    type_str(&mut a, "x");
    a.on_key(&code(KeyCode::Enter));
    assert!(a.status.clone().unwrap().1.contains("version number"));
    a.on_key(&code(KeyCode::Backspace));
    type_str(&mut a, "1");
    a.on_key(&code(KeyCode::Enter));
    assert_eq!(
        requests(&mut a),
        [Request::Diff {
            name: "support-answer".into(),
            old: 1,
            new: 3
        }]
    );
    a.on_event(Event::Labelled {
        name: "support-answer".into(),
        moved: LabelMove {
            label: "prod".into(),
            from: Some(2),
            to: 3,
        },
    });
    assert!(
        a.status
            .clone()
            .unwrap()
            .1
            .contains("prod: @2 → support-answer@3")
    );
}

#[test]
fn saved_event_reloads_and_reports() {
    let mut a = loaded_app();
    a.on_event(Event::Saved(SaveOutcome {
        version: info("support-answer", 4, "x", &[]),
        created: true,
    }));
    assert_eq!(a.status.clone().unwrap().1, "saved support-answer@4");
    assert_eq!(requests(&mut a), [Request::ListPrompts]);
}

#[test]
fn copy_takes_the_focused_text() {
    let mut a = loaded_app();
    a.on_key(&key('y'));
    assert_eq!(a.take_effects(), [Effect::Copy("support-answer".into())]);
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&key('y'));
    assert_eq!(a.take_effects(), [Effect::Copy("support-answer@3".into())]);
}

#[test]
fn tabs_help_and_other_view_keys() {
    let mut a = loaded_app();
    a.on_key(&key('3'));
    assert_eq!(a.tab, Tab::Diff);
    a.on_key(&key(']'));
    assert_eq!(a.tab, Tab::Trace);
    a.on_key(&key('o'));
    assert!(
        a.view(Tab::Trace)
            .capture_hint()
            .unwrap()
            .contains("trace file")
    );
    a.on_key(&code(KeyCode::Esc));
    assert!(a.view(Tab::Trace).capture_hint().is_none());
    a.on_key(&key('5'));
    a.on_key(&key('+'));
    assert_eq!(a.cost.calls_per_day, 2000);
    a.on_key(&key('2'));
    a.on_key(&key('-'));
    assert_eq!(a.run.n, 9);
    a.on_key(&key('?'));
    assert!(a.help);
    a.on_key(&key('q')); // closes help, does not quit
    assert!(!a.help && !a.quit);
    a.on_key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(a.quit);
}

#[test]
fn mouse_click_selects_tab_and_row_scroll_moves() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        TermEvent::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut a = loaded_app();
    render(&mut a, 80, 24);
    // Row 3 of the list (screen row 1 tab bar + 1 border + index 2).
    a.on_terminal(mouse(MouseEventKind::Down(MouseButton::Left), 5, 4));
    assert_eq!(
        a.prompts.selected_prompt().unwrap().name.chars().next(),
        Some('z')
    );
    a.on_terminal(mouse(MouseEventKind::ScrollUp, 5, 4));
    assert_eq!(a.prompts.selected_prompt().unwrap().name, "support-answer");
    a.on_terminal(mouse(MouseEventKind::Down(MouseButton::Left), 23, 0));
    assert_eq!(a.tab, Tab::Run);
}

// ---- the real loop with a real worker --------------------------------------------------

struct NoHost;

impl temper::tui::event_loop::Host for NoHost {
    fn copy(&mut self, _: &str) -> Result<String, String> {
        Err("no clipboard in tests".into())
    }
    fn edit_externally(&mut self, _: &str) -> Result<String, String> {
        Err("no editor in tests".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loop_with_real_worker_seeds_browses_and_quits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut app = new_app(&Options {
        db_path: db.clone(),
        ..Default::default()
    });
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let (etx, erx) = tokio::sync::mpsc::unbounded_channel();
    let worker = temper::tui::worker::spawn(db.clone(), etx).unwrap();
    let (ktx, krx) = tokio::sync::mpsc::unbounded_channel::<std::io::Result<TermEvent>>();
    let mut krx = Some(krx);
    let seeded_db = db.clone();
    let keys = tokio::spawn(async move {
        // Keys go once the worker has seeded the file (read-only peeks, so the test never
        // creates or migrates it), plus time for its prompt list to reach the loop: a fixed
        // sleep lost the race on a loaded machine.
        for _ in 0..600 {
            if seeded_prompts(&seeded_db) == 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for c in ['j', 'y', 'q'] {
            ktx.send(Ok(TermEvent::Key(key(c)))).unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    let make_input =
        move || tokio_stream_from(krx.take().expect("input is made once in this test"));
    temper::tui::event_loop::run_loop(
        &mut terminal,
        &mut app,
        make_input,
        erx,
        &worker,
        &mut NoHost,
    )
    .await
    .unwrap();
    keys.await.unwrap();
    assert!(app.quit);
    assert_eq!(
        app.prompts.selected_prompt().unwrap().name,
        "classify-ticket"
    );
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("Prompts (4)"), "{screen}");
    assert!(screen.contains("no clipboard in tests"), "{screen}");
    // The worker wrote the seeded prompts to the real file.
    let store = temper::store::Store::open(&db).unwrap();
    assert_eq!(store.list_prompts().unwrap().len(), 4);
}

/// How many prompts the DB file holds, read without writing it (0 while it is not there yet).
fn seeded_prompts(db: &std::path::Path) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    rusqlite::Connection::open_with_flags(db, flags)
        .and_then(|c| c.query_row("SELECT count(*) FROM prompts", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<std::io::Result<TermEvent>>,
) -> impl futures::Stream<Item = std::io::Result<TermEvent>> + Unpin {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

// ---- Run and Diff views over stored runs -----------------------------------------------

fn run(id: i64, status: temper::store::RunStatus) -> temper::store::RunInfo {
    temper::store::RunInfo {
        id,
        source: "cli".into(),
        session: None,
        status,
        started_at: format!("2026-11-24T10:0{id}:00Z"),
        finished_at: None,
        prompts: vec!["support-answer@3".into()],
    }
}

fn cell(id: i64, run_id: i64, variant: &str) -> temper::store::CellInfo {
    temper::store::CellInfo {
        id,
        run_id,
        prompt: "support-answer".into(),
        prompt_number: 3,
        cell: temper::store::NewCell {
            prompt_version_id: 3,
            variant_name: variant.into(),
            variant_json: "{}".into(),
            case_name: String::new(),
            case_json: "{}".into(),
            n: 5,
        },
    }
}

fn sample(
    cell_id: i64,
    idx: u32,
    output: Option<&str>,
    error: Option<&str>,
) -> temper::store::SampleRow {
    use temper::store::{NewSample, SampleRow, SampleStatus};
    SampleRow {
        created_at: "2026-11-24T10:00:00Z".into(),
        sample: NewSample {
            cell_id,
            idx,
            status: Some(if error.is_some() {
                SampleStatus::Error
            } else {
                SampleStatus::Ok
            }),
            output: output.map(str::to_string),
            error: error.map(str::to_string),
            input_tokens: Some(120),
            output_tokens: Some(14),
            latency_ms: Some(310.0),
            finish_reason: Some("stop".into()),
            ..Default::default()
        },
    }
}

fn runs_app() -> App {
    use temper::store::RunStatus;
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    assert_eq!(requests(&mut a), [Request::ListRuns]);
    a.on_event(Event::Runs(vec![
        run(2, RunStatus::Running),
        run(1, RunStatus::Done),
    ]));
    assert_eq!(
        requests(&mut a),
        [
            Request::LoadCells { run_id: 2 },
            Request::LoadRunSent { run_id: 2 }
        ]
    );
    a.on_event(Event::Cells {
        run_id: 2,
        cells: vec![cell(7, 2, "mock:drift"), cell(8, 2, "mock:echo")],
    });
    assert_eq!(requests(&mut a), [Request::LoadSamples { cell_id: 7 }]);
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: vec![
            sample(
                7,
                0,
                Some("Annual plans are refundable within 30 days [c2]."),
                None,
            ),
            sample(
                7,
                1,
                Some("Annual plans are refundable within 14 days [c2]."),
                None,
            ),
            sample(7, 2, Some("{\"refund_days\": 30, \"cite\": \"c2\"}"), None),
            sample(
                7,
                3,
                None,
                Some("HTTP 429: rate limited (after 4 attempts)"),
            ),
        ],
    });
    a
}

#[test]
fn snapshot_run_view_with_stored_runs() {
    let mut a = runs_app();
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::Down);
    a.dispatch(Action::Down);
    snapshot("run_loaded", a);
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_event(Event::Runs(Vec::new()));
    snapshot("run_empty", a);
}

#[test]
fn run_view_keys_load_and_poll() {
    let mut a = runs_app();
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&key('j'));
    assert_eq!(requests(&mut a), [Request::LoadSamples { cell_id: 8 }]);
    assert_eq!(
        a.run.selected_cell().unwrap().cell.variant_name,
        "mock:echo"
    );
    // The selected run is still running: every 4th tick polls it.
    let polls: usize = (0..8)
        .map(|_| {
            a.on_tick();
            requests(&mut a).len()
        })
        .filter(|n| *n > 0)
        .count();
    assert_eq!(polls, 2);
    a.on_key(&key('r'));
    // The worker estimates first: nothing starts from the key itself.
    let asked = requests(&mut a);
    let [
        Request::Estimate(RunSpec::Prompt {
            version, models, n, ..
        }),
    ] = asked.as_slice()
    else {
        panic!("expected one estimate request")
    };
    assert_eq!(
        (version.info.number, models.as_slice(), *n),
        (3, &["mock:drift".to_string()][..], 10)
    );
    assert!(a.run.estimating);
    a.on_key(&key('v'));
    a.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_str(&mut a, "mock:drift, mock:echo temp=1");
    a.on_key(&code(KeyCode::Enter));
    // A bad variant keeps the input (and what was typed) open, with the reason.
    assert_eq!(a.run.models, ["mock:drift"]);
    let (_, why) = a.status.clone().unwrap();
    assert!(why.contains("unknown parameter \"temp\""), "{why}");
    for _ in 0..6 {
        a.on_key(&code(KeyCode::Backspace));
    }
    type_str(&mut a, "  temperature=0.5");
    a.on_key(&code(KeyCode::Enter));
    assert_eq!(a.run.models, ["mock:drift", "mock:echo temperature=0.5"]);
    a.on_key(&key('c'));
    assert_eq!(a.take_effects(), [Effect::CancelRun]);
    a.on_key(&code(KeyCode::BackTab));
    a.on_key(&key('j')); // run #1 (done): no polling
    requests(&mut a);
    for _ in 0..8 {
        a.on_tick();
    }
    assert_eq!(requests(&mut a), []);
}

#[test]
fn snapshot_diff_view_compares_two_samples() {
    let mut a = runs_app();
    a.dispatch(Action::ShowTab(Tab::Diff));
    snapshot("diff_samples", a);
}

#[test]
fn diff_view_keys_move_samples_and_jump_changes() {
    let mut a = runs_app();
    a.on_key(&key('3'));
    // The run has two cells: the other one's samples are asked for, to find the least stable.
    assert_eq!(requests(&mut a), [Request::LoadRunSamples { cell_id: 8 }]);
    // A: the modal cluster; B: the sample that diverges earliest (the JSON one, at char 0).
    assert_eq!((a.diff.a, a.diff.b), (0, 2));
    assert!(temper::analysis::worddiff::has_changes(a.diff.spans()));
    a.on_key(&key('y'));
    assert_eq!(
        a.take_effects(),
        [Effect::Copy(
            "{\"refund_days\": 30, \"cite\": \"c2\"}".into()
        )]
    );
    a.on_key(&key('k'));
    assert_eq!(a.diff.b, 1);
    a.on_key(&key('j'));
    assert_eq!(a.diff.b, 2);
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&key('j'));
    assert_eq!((a.diff.a, a.diff.b), (1, 2));
    a.on_key(&key('n'));
    a.on_key(&key('N'));
    assert_eq!(a.diff.change, 0);
    // Mouse: a click on the left pane focuses A, the wheel scrolls.
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let m = |kind, column| {
        TermEvent::Mouse(MouseEvent {
            kind,
            column,
            row: 5,
            modifiers: KeyModifiers::NONE,
        })
    };
    a.on_terminal(m(MouseEventKind::Down(MouseButton::Left), 70));
    assert_eq!(a.diff.side, temper::tui::text::Side::New);
    a.on_terminal(m(MouseEventKind::Down(MouseButton::Left), 5));
    assert_eq!(a.diff.side, temper::tui::text::Side::Old);
    a.on_terminal(m(MouseEventKind::ScrollDown, 5));
    assert_eq!(a.diff.scroll, 3);
    // Two identical outputs: no changes, highlighted as they are.
    a.on_key(&key('j'));
    a.on_key(&key('j'));
    a.on_key(&key('j'));
    assert_eq!(a.diff.a, 3);
}

// ---- Cost view --------------------------------------------------------------------------

fn history(model: &str, stability: f64, mean: Option<f64>) -> temper::cost::history::ModelHistory {
    temper::cost::history::ModelHistory {
        model: model.into(),
        samples: 10,
        mean_output_tokens: Some(42.0),
        p50_output_tokens: Some(42),
        p95_output_tokens: Some(60),
        stability: Some(stability),
        cost: temper::cost::CostSummary {
            samples: 10,
            priced: if mean.is_some() { 10 } else { 0 },
            total_usd: mean.unwrap_or(0.0) * 10.0,
            mean_usd: mean,
            p95_usd: mean.map(|m| m * 1.2),
        },
    }
}

fn cost_event(models: Vec<temper::cost::history::ModelHistory>) -> Event {
    Event::Cost(Box::new(temper::tui::event::VersionCost {
        version_id: 3,
        label: "support-answer@3".into(),
        models,
        table_date: "2026-11-01".into(),
        cascade: None,
    }))
}

#[test]
fn cost_view_prices_the_selected_version() {
    let mut a = loaded_app();
    a.on_key(&key('5'));
    assert_eq!(
        requests(&mut a),
        [
            Request::LoadCostSplit,
            Request::LoadCost {
                version_id: 3,
                label: "support-answer@3".into()
            }
        ]
    );
    a.on_event(cost_event(vec![
        history("openai:gpt-4o", 1.0, Some(0.004)),
        history("openai:gpt-4o-mini", 0.95, Some(0.0003)),
        history("mock:drift", 0.6, Some(0.0)),
        history("local:llama", 1.0, None),
    ]));
    let best = a.cost.recommended().unwrap();
    assert_eq!(
        best.model, "openai:gpt-4o-mini",
        "cheapest that meets the bar"
    );
    a.on_key(&key('y'));
    assert_eq!(
        a.take_effects(),
        [Effect::Copy("openai:gpt-4o-mini".into())]
    );
    snapshot("cost_loaded", a);
}

#[test]
fn snapshot_cost_view_empty_states() {
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Cost));
    a.on_event(cost_event(Vec::new()));
    snapshot("cost_no_runs", a);
}

// ---- Trace view -------------------------------------------------------------------------

fn trace_event(path: &str) -> Event {
    let dir = tempfile::tempdir().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    worker(&dir.path().join("t.db")).handle(Request::LoadTrace { path })
}

fn trace_app(path: &str) -> App {
    let mut a = app();
    a.on_key(&key('4'));
    a.on_key(&key('o'));
    a.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    type_str(&mut a, full.to_str().unwrap());
    a.on_key(&code(KeyCode::Enter));
    assert_eq!(requests(&mut a), [Request::LoadTrace { path: full }]);
    a.on_event(trace_event(path));
    a.status = None; // the status names the absolute path, which differs per checkout
    a
}

#[test]
fn snapshot_trace_view_rag_and_agent() {
    let a = trace_app("examples/traces/rag-answer.temper.jsonl");
    let loaded = a.trace.loaded().unwrap();
    assert!(!loaded.chunks.is_empty() && !a.trace.shown().unwrap().1.answer.is_empty());
    snapshot("trace_rag", a);
    let mut a = trace_app("examples/traces/agent-tools.temper.jsonl");
    assert!(!a.trace.loaded().unwrap().tools.is_empty());
    a.on_key(&key('G'));
    snapshot("trace_agent", a);
}

#[test]
fn trace_view_unreadable_file_is_an_error_state() {
    let mut a = app();
    a.on_key(&key('4'));
    a.on_key(&key('o'));
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-trace.jsonl");
    type_str(&mut a, full.to_str().unwrap());
    a.on_key(&code(KeyCode::Enter));
    let reqs = requests(&mut a);
    assert_eq!(reqs.len(), 1);
    a.on_event(trace_event("no-such-trace.jsonl"));
    let (_, status) = a.status.clone().unwrap();
    assert!(status.contains("no-such-trace.jsonl"), "{status}");
    a.status = None;
    let mut t = render(&mut a, 80, 24);
    let screen = format!("{}", t.backend_mut());
    assert!(screen.contains("no-such-trace.jsonl"), "{screen}");
    assert!(screen.contains("o opens another file"), "{screen}");
}

#[test]
fn trace_view_mouse_focuses_and_selects() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = trace_app("examples/traces/rag-answer.temper.jsonl");
    render(&mut a, 80, 24);
    let click = |kind, column, row| {
        TermEvent::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Third row of the span tree (tab bar, border, then rows 0..).
    a.on_terminal(click(MouseEventKind::Down(MouseButton::Left), 3, 4));
    assert_eq!(
        a.trace.selected_span(),
        Some(a.trace.loaded().unwrap().walk[2].0 as usize)
    );
    // Scrolling over the chunks pane focuses it.
    a.on_terminal(click(MouseEventKind::ScrollDown, 60, 3));
    assert_eq!(
        a.trace.focus(),
        temper::tui::views::trace::TracePane::Chunks
    );
}

#[test]
fn trace_view_keys_move_focus_and_copy() {
    let mut a = trace_app("examples/traces/rag-answer.temper.jsonl");
    a.on_key(&key('j'));
    let span = a.trace.selected_span().unwrap();
    assert_eq!(span, a.trace.loaded().unwrap().walk[1].0 as usize);
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&key('y'));
    let effects = a.take_effects();
    let [Effect::Copy(text)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(text, &a.trace.shown().unwrap().1.answer);
}

#[test]
fn hostile_strings_never_reach_the_screen_raw() {
    let mut a = app();
    a.on_event(Event::Prompts(vec![summary(
        "evil\u{1b}]52;c;aGk=\u{7}name",
        1,
    )]));
    a.on_event(Event::Failed {
        what: "x\u{1b}[2J".into(),
        error: "y\u{202E}z".into(),
    });
    let mut t = render(&mut a, 80, 24);
    let screen = format!("{}", t.backend_mut());
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{202E}'),
        "{screen}"
    );
    assert!(screen.contains("evilname"), "{screen}");
    assert!(screen.contains("y<U+202E>z"), "{screen}");
}

#[test]
fn run_progress_events_follow_the_new_run() {
    use temper::runner::RunEvent;
    let mut a = runs_app();
    a.on_event(Event::RunProgress(Box::new(RunEvent::Started {
        run_id: 9,
        total: 5,
        cells: Vec::new(),
    })));
    assert_eq!(requests(&mut a), [Request::ListRuns]);
    let s = sample(7, 0, None, Some("boom"));
    a.on_event(Event::RunProgress(Box::new(RunEvent::Sample {
        sample: Box::new(s.sample),
    })));
    let live = a.run.live.clone().unwrap();
    assert_eq!(
        (live.run_id, live.done, live.errors, live.finished),
        (9, 1, 1, false)
    );
    let screen = format!("{}", render(&mut a, 80, 24).backend());
    assert!(screen.contains("running #9: 1/5 ✗1"), "{screen}");
    // The list now has run 9: it is selected.
    a.on_event(Event::Runs(vec![
        run(9, temper::store::RunStatus::Running),
        run(2, temper::store::RunStatus::Done),
    ]));
    assert_eq!(a.run.selected_run().unwrap().id, 9);
    a.on_event(Event::RunEnded(Err(
        "no API key for openai: set OPENAI_API_KEY".into(),
    )));
    assert!(a.status.clone().unwrap().1.contains("OPENAI_API_KEY"));
    assert!(a.run.live.clone().unwrap().finished);
}

// ---- issue 16 item 16: the help overlay and G stay within their content ----------------

fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn help_scrolls_to_its_last_row_and_no_further_at_80x24() {
    let mut a = loaded_app();
    render(&mut a, 80, 24);
    a.on_key(&key('?'));
    for _ in 0..200 {
        a.on_key(&key('j'));
    }
    let screen = rows(&render(&mut a, 80, 24));
    // The last row of the overlay (above its bottom border) is its last line, not a blank.
    let border = screen.iter().rposition(|r| r.contains('┗')).unwrap();
    assert!(screen[border - 1].contains("mouse: click"), "{screen:#?}");
}

#[test]
fn bottom_key_in_a_text_pane_shows_the_last_page_not_blank_rows() {
    let mut a = loaded_app();
    render(&mut a, 80, 14);
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&code(KeyCode::Tab));
    a.on_key(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    let screen = rows(&render(&mut a, 80, 14));
    let pane: Vec<&String> = screen
        .iter()
        .filter(|r| r.contains("┃") && r.matches('┃').count() == 2 && r.starts_with('│'))
        .collect();
    let text: Vec<String> = pane
        .iter()
        .map(|r| r.split('┃').nth(1).unwrap_or("").trim().to_string())
        .collect();
    assert!(text.last().is_some_and(|l| !l.is_empty()), "{screen:#?}");
    // Pressing k once after G moves up at once (no hidden offset past the end to climb back).
    let before = text.clone();
    a.on_key(&key('k'));
    let after = rows(&render(&mut a, 80, 14));
    assert_ne!(
        before.last(),
        after
            .iter()
            .filter(|r| r.matches('┃').count() == 2 && r.starts_with('│'))
            .map(|r| r.split('┃').nth(1).unwrap_or("").trim().to_string())
            .collect::<Vec<_>>()
            .last(),
        "{after:#?}"
    );
}
