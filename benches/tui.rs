//! TUI benchmark (issue 7 targets), on ratatui's TestBackend:
//! - startup to first frame with 1,000 prompts in the DB ≤ 100 ms (and to the first frame that
//!   shows the list, which includes opening the DB on the worker thread);
//! - frame render p95 ≤ 2 ms with large lists (100,000 prompts, 1,000 versions; lists are
//!   windowed, so only visible rows are built);
//! - keystroke to screen ≤ 16 ms (key handled + frame drawn).
//!
//! - the live Trace view of `temper trace --listen` with 100,000 spans (see `tui_live`).
//!
//! Run: `cargo bench --bench tui`

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{PromptSummary, Store, Version, VersionInfo};
use temper::tui::event::Event;
use temper::tui::event_loop::draw;
use temper::tui::{Options, new_app};

#[path = "tui_live/mod.rs"]
mod tui_live;

fn body(i: usize) -> PromptBody {
    PromptBody {
        messages: vec![
            Message::new(
                Role::System,
                "Answer only from the context. Cite chunk ids like [c2].",
            ),
            Message::new(
                Role::User,
                format!("Question {i}: {}", "lorem ipsum ".repeat(200)),
            ),
        ],
        ..Default::default()
    }
}

fn p95(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    let max = *times.last().unwrap_or(&Duration::ZERO);
    (p95, max)
}

/// Wall time of `f`.
fn measure(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// `p50 · p95 (max)`. On a loaded shared machine a frame that loses its core waits a whole
/// scheduler slice (~4 ms), so p50 shows the work and p95 shows the machine as well.
fn report(label: &str, mut samples: Vec<Duration>, target: &str) {
    samples.sort();
    let p50 = samples[samples.len() / 2];
    let (p, max) = p95(samples);
    println!(
        "{label}: p50 {} · p95 {} (max {})  [target {target}]",
        ms(p50),
        ms(p),
        ms(max)
    );
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn startup(db: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let start = Instant::now();
    let mut app = new_app(&Options {
        db_path: db.to_path_buf(),
        ..Default::default()
    });
    let mut terminal = Terminal::new(TestBackend::new(160, 48))?;
    draw(&mut terminal, &mut app)?;
    let first = start.elapsed();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _worker = temper::tui::worker::spawn(db.to_path_buf(), tx)?;
    rt.block_on(async {
        while let Some(ev) = rx.recv().await {
            let listed = matches!(ev, Event::Prompts(_));
            app.on_event(ev);
            if listed {
                break;
            }
        }
    });
    draw(&mut terminal, &mut app)?;
    let with_list = start.elapsed();
    let shown = format!("{}", terminal.backend()).contains("Prompts (1000)");
    println!(
        "startup to first frame (1,000 prompts in the DB): {}  [target ≤ 100 ms]",
        ms(first)
    );
    println!(
        "startup to first frame showing the 1,000-prompt list: {}  [target ≤ 100 ms] {}",
        ms(with_list),
        if shown { "" } else { "(LIST NOT SHOWN)" }
    );
    Ok(())
}

fn big_app() -> temper::tui::app::App {
    let mut app = new_app(&Options::default());
    let prompts: Vec<PromptSummary> = (0..100_000)
        .map(|i| PromptSummary {
            name: format!("prompt-{i:06}"),
            versions: 1000,
            latest: 1000,
            updated_at: "2026-11-24T10:00:00Z".into(),
            labels: Vec::new(),
        })
        .collect();
    app.on_event(Event::Prompts(prompts));
    let versions: Vec<VersionInfo> = (1..=1000u32)
        .rev()
        .map(|n| VersionInfo {
            id: n as i64,
            prompt: "prompt-000000".into(),
            number: n,
            hash: String::new(),
            parent: n.checked_sub(1).filter(|p| *p > 0),
            message: format!("revision {n}"),
            created_at: "2026-11-24T10:00:00Z".into(),
            labels: Vec::new(),
        })
        .collect();
    app.on_event(Event::Log {
        name: "prompt-000000".into(),
        versions: versions.clone(),
    });
    app.on_event(Event::Version(Box::new(Version {
        info: versions[0].clone(),
        body: body(0),
    })));
    app.take_effects();
    app
}

fn big_runs() -> temper::tui::app::App {
    use temper::store::{
        CellInfo, NewCell, NewSample, RunInfo, RunStatus, SampleRow, SampleStatus,
    };
    let mut app = new_app(&Options::default());
    app.dispatch(temper::tui::action::Action::ShowTab(
        temper::tui::action::Tab::Run,
    ));
    app.on_event(Event::Runs(vec![RunInfo {
        id: 1,
        source: "cli".into(),
        session: None,
        status: RunStatus::Done,
        started_at: "2026-11-24T10:00:00Z".into(),
        finished_at: None,
        prompts: vec!["support-answer@1".into()],
    }]));
    app.on_event(Event::Cells {
        run_id: 1,
        cells: vec![CellInfo {
            id: 1,
            run_id: 1,
            prompt: "p".into(),
            prompt_number: 1,
            cell: NewCell {
                prompt_version_id: 1,
                variant_name: "mock:drift".into(),
                variant_json: "{}".into(),
                case_name: String::new(),
                case_json: "{}".into(),
                n: 10_000,
            },
        }],
    });
    // 400 tokens with three candidates each on the first samples (what A and B show).
    let tokens: Vec<temper::provider::TokenLogprob> = (0..400)
        .map(|i| {
            let p = if i % 50 == 7 { 0.5f32 } else { 0.97 };
            let alt = |t: &str, p: f32| temper::provider::Alternative {
                token: t.into(),
                logprob: p.ln(),
            };
            temper::provider::TokenLogprob {
                token: format!(" w{i}"),
                logprob: p.ln(),
                top: vec![alt(&format!(" w{i}"), p), alt(" x", 0.48), alt(" y", 0.01)],
            }
        })
        .collect();
    let blob = temper::provider::logprob_codec::encode(&tokens);
    let samples = (0..10_000u32)
        .map(|idx| SampleRow {
            created_at: String::new(),
            sample: NewSample {
                cell_id: 1,
                idx,
                status: Some(SampleStatus::Ok),
                output: Some(format!(
                    "{{\"answer\": \"refund within {} days\"}}",
                    idx % 3
                )),
                latency_ms: Some(120.0),
                logprobs: (idx < 400).then(|| blob.clone()),
                ..Default::default()
            },
        })
        .collect();
    app.on_event(Event::Samples {
        cell_id: 1,
        samples,
    });
    app.take_effects();
    app
}

/// A 100,000-span trace with times: ten children per span, siblings overlapping (parallel).
fn timed_trace() -> temper::tui::app::App {
    let mut app = big_trace_with(|i| {
        let at = |ms: i64| jiff::Timestamp::from_millisecond(1_700_000_000_000 + ms).ok();
        let from = (i as i64 % 1000) * 7;
        (at(from), at(from + 50 + (i as i64 % 13) * 40))
    });
    app.on_key(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE));
    app
}

fn big_trace() -> temper::tui::app::App {
    big_trace_with(|_| (None, None))
}

use tui_live::Times;

fn big_trace_with(times: impl Fn(usize) -> Times) -> temper::tui::app::App {
    let trace = tui_live::wide_tree(100_000, times);
    let mut app = new_app(&Options::default());
    let path = std::path::PathBuf::from("big.jsonl");
    app.trace.path = Some(path.clone());
    app.dispatch(temper::tui::action::Action::ShowTab(
        temper::tui::action::Tab::Trace,
    ));
    app.on_event(Event::Trace {
        path,
        result: Ok(std::sync::Arc::new(temper::trace::PackedTrace::pack(trace))),
    });
    app.take_effects();
    app
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    {
        let mut store = Store::open(&db)?;
        for i in 0..1000 {
            store.save_version(&format!("prompt-{i:04}"), &body(i), "bench")?;
        }
    }
    startup(&db)?;

    let mut app = big_app();
    let mut terminal = Terminal::new(TestBackend::new(160, 48))?;
    draw(&mut terminal, &mut app)?;
    let mut frames = Vec::new();
    for _ in 0..1000 {
        app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut app);
        }));
    }
    report(
        "frame render, 100,000 prompts + 1,000 versions, 160x48",
        frames,
        "≤ 2 ms",
    );

    let mut keys = Vec::new();
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    for _ in 0..1000 {
        keys.push(measure(|| {
            app.on_key(&j);
            let _ = draw(&mut terminal, &mut app);
        }));
        app.take_effects();
    }
    report(
        "keystroke to screen (j in a 100,000-prompt list)",
        keys,
        "≤ 16 ms",
    );

    // Run view with a 10,000-sample cell, Trace view with a 100,000-span trace.
    let mut run_app = big_runs();
    let mut frames = Vec::new();
    for _ in 0..300 {
        run_app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut run_app);
        }));
    }
    report(
        "frame render, Run view with 10,000 samples in a cell, 160x48",
        frames,
        "≤ 2 ms",
    );
    // Diff view on that cell: opening it (clusters, divergence, explanation of 10,000 samples on
    // the UI thread), frames with the explain panel open (differing JSON outputs, syntax colours
    // under the word diff), and `j` (a new B sample) to screen.
    let mut diff_app = big_runs();
    // The app loads the tokenizer and syntect's sets on background threads at start; so here.
    temper::cost::warm_up(temper::cost::Encoding::O200kBase);
    let _ = temper::tui::highlight::highlight(
        "{}",
        temper::tui::highlight::Lang::Json,
        "base16-ocean.dark",
        ratatui::style::Style::default(),
    );
    let open = measure(|| {
        diff_app.dispatch(temper::tui::action::Action::ShowTab(
            temper::tui::action::Tab::Diff,
        ));
        let _ = draw(&mut terminal, &mut diff_app);
    });
    println!(
        "opening the Diff view on a 10,000-sample cell (analysis + explanation): {}",
        ms(open)
    );
    diff_app.on_key(&KeyEvent::new(KeyCode::Char('e'), KeyModifiers::NONE));
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    diff_app.on_key(&tab); // j moves B
    let mut frames = Vec::new();
    for _ in 0..300 {
        diff_app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut diff_app);
        }));
    }
    report(
        "frame render, Diff view (10,000 samples, explain panel open), 160x48",
        frames,
        "≤ 2 ms",
    );
    let mut keys = Vec::new();
    for _ in 0..300 {
        keys.push(measure(|| {
            diff_app.on_key(&j);
            let _ = draw(&mut terminal, &mut diff_app);
        }));
    }
    report(
        "keystroke to screen (j: the next B sample, re-diffed and highlighted)",
        keys,
        "≤ 16 ms",
    );
    let mut trace_app = big_trace();
    let mut frames = Vec::new();
    for _ in 0..300 {
        trace_app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut trace_app);
        }));
        trace_app.on_key(&j);
    }
    report(
        "frame render, Trace view with 100,000 spans, 160x48",
        frames,
        "≤ 2 ms",
    );
    tui_live::trace_figures(&mut terminal);
    let load = Instant::now();
    let mut trace_app = timed_trace();
    println!(
        "loading a 100,000-span timed trace into the view (axis, critical path): {}",
        ms(load.elapsed())
    );
    let mut frames = Vec::new();
    for _ in 0..300 {
        trace_app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut trace_app);
        }));
        trace_app.on_key(&j);
    }
    report(
        "frame render, Trace waterfall (wide) with 100,000 timed spans, 160x48",
        frames,
        "≤ 2 ms",
    );
    // The Diff view of the 10,000-sample cell with token confidence on (logprobs on A and B).
    diff_app.on_key(&KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE));
    let mut frames = Vec::new();
    for _ in 0..300 {
        diff_app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(&mut terminal, &mut diff_app);
        }));
    }
    report(
        "frame render, Diff view (10,000 samples, token confidence on), 160x48",
        frames,
        "≤ 2 ms",
    );

    let mut filter = Vec::new();
    app.on_key(&KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    for c in "prompt-0999".chars() {
        filter.push(measure(|| {
            app.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            let _ = draw(&mut terminal, &mut app);
        }));
        app.take_effects();
    }
    report(
        "filter keystroke to screen (100,000 prompts)",
        filter,
        "≤ 16 ms",
    );
    Ok(())
}
