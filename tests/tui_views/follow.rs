//! Issue 15 and 26 follow-ups in the TUI: the Run and Diff views show the params each cell
//! actually sent, p50/p95 latency and TTFT per variant, and a note when a temperature above 0
//! was sent; the explain panel knows the temperature; the Trace view's panes follow the
//! selected trace of a file with several (the real llama-index export: indexing and query).

use super::{App, Event, Request, key, render, requests, runs_app, snapshot};
use std::collections::HashMap;
use temper::runner::VariantSummary;
use temper::tui::action::{Action, Tab};
use temper::tui::event::RunSent;

/// What run 2 of `runs_app` sent: cell 7 at temperature 0.7, streamed; cell 8 at 0.
fn sent() -> RunSent {
    let params = HashMap::from([
        (
            7,
            serde_json::json!({"temperature": 0.7, "max_tokens": 400, "stream": true,
                "tools": [], "stop": []}),
        ),
        (
            8,
            serde_json::json!({"temperature": 0.0, "max_tokens": 400}),
        ),
    ]);
    let variant = |name: &str, ttft: Option<(f64, f64)>| VariantSummary {
        variant: name.into(),
        latency_p50_ms: Some(310.0),
        latency_p95_ms: Some(912.0),
        ttft_p50_ms: ttft.map(|t| t.0),
        ttft_p95_ms: ttft.map(|t| t.1),
        ..VariantSummary::default()
    };
    RunSent {
        run_id: 2,
        params,
        variants: vec![
            variant("mock:drift", Some((42.0, 97.0))),
            variant("mock:echo", None),
        ],
    }
}

fn screen(a: &mut App, w: u16, h: u16) -> String {
    let mut t = render(a, w, h);
    format!("{}", t.backend_mut())
}

#[test]
fn run_view_shows_what_the_cell_sent_and_warns_above_temperature_0() {
    let mut a = runs_app();
    a.on_event(Event::RunSent(Box::new(sent())));
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::FocusNext);
    let wide = screen(&mut a, 160, 48);
    for needle in [
        "sent: temperature=0.7 max_tokens=400 stream=true",
        // Wrapped at the pane's width.
        "latency p50 310ms p95",
        "ttft p50 42ms p95 97ms",
        "temperature 0.7 was sent, above 0: stability is expected to fall",
    ] {
        assert!(wide.contains(needle), "{needle} in\n{wide}");
    }
    snapshot("run_sent", a);
    // Cell 8 sent temperature 0 and did not stream: no note, no TTFT.
    let mut a = runs_app();
    a.on_event(Event::RunSent(Box::new(sent())));
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::Down);
    let wide = screen(&mut a, 160, 48);
    assert!(
        wide.contains("sent: temperature=0.0 max_tokens=400"),
        "{wide}"
    );
    assert!(
        !wide.contains("ttft") && !wide.contains("expected to fall"),
        "{wide}"
    );
}

#[test]
fn diff_view_shows_what_the_compared_cell_sent() {
    let mut a = runs_app();
    a.on_event(Event::RunSent(Box::new(sent())));
    a.on_key(&key('3'));
    assert_eq!(requests(&mut a), [Request::LoadRunSamples { cell_id: 8 }]);
    let wide = screen(&mut a, 160, 48);
    assert!(
        wide.contains("sent: temperature=0.7 max_tokens=400 stream=true"),
        "{wide}"
    );
    assert!(wide.contains("stability is expected to fall"), "{wide}");
    snapshot("diff_sent", a);
}

#[test]
fn a_run_from_before_recording_says_so() {
    let mut a = runs_app();
    let mut old = sent();
    old.params.clear();
    a.on_event(Event::RunSent(Box::new(old)));
    a.dispatch(Action::FocusNext);
    let wide = screen(&mut a, 160, 48);
    assert!(wide.contains("sent: not recorded"), "{wide}");
}

/// The real binary runs `support-answer` 3 times on mock:drift at temperature 0.7 into a DB in
/// a tempdir; the worker reads what it sent back from that SQLite file.
#[test]
fn worker_reads_what_a_real_run_sent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let temper = || {
        let mut cmd = assert_cmd::Command::cargo_bin("temper").unwrap();
        cmd.env("TEMPER_DB", &db)
            .env("TEMPER_CONFIG", dir.path().join("config.toml"))
            .env("NO_COLOR", "1");
        cmd
    };
    std::fs::write(dir.path().join("config.toml"), "[run]\nconcurrency = 2\n").unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts");
    temper()
        .args(["prompt", "import"])
        .arg(examples)
        .assert()
        .success();
    temper()
        .args(["run", "support-answer", "-n", "3", "--model"])
        .args(["mock:drift temperature=0.7", "--model", "mock:echo"])
        .assert()
        .success();
    let mut worker = super::worker(&db);
    let Event::Runs(runs) = worker.handle(Request::ListRuns) else {
        panic!("runs")
    };
    let run_id = runs[0].id;
    let Event::RunSent(sent) = worker.handle(Request::LoadRunSent { run_id }) else {
        panic!("what the run sent")
    };
    let Event::Cells { cells, .. } = worker.handle(Request::LoadCells { run_id }) else {
        panic!("cells")
    };
    assert_eq!(sent.run_id, run_id);
    assert_eq!(sent.params.len(), cells.len());
    let temps: Vec<Option<f64>> = cells.iter().map(|c| sent.temperature(c.id)).collect();
    assert!(
        temps.contains(&Some(0.7)) && temps.contains(&Some(0.0)),
        "{temps:?}"
    );
    assert_eq!(sent.variants.len(), 2);
    assert!(sent.variants.iter().all(|v| v.latency_p50_ms.is_some()));
    // The Run view shows it for the drifting cell.
    let mut a = super::loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_event(Event::Runs(runs));
    a.on_event(Event::Cells { run_id, cells });
    a.on_event(Event::RunSent(sent));
    let wide = screen(&mut a, 160, 48);
    assert!(wide.contains("sent: temperature="), "{wide}");
}

// ---- Trace view: panes follow the selected trace ----------------------------------------

const LLAMA: &str = "tests/fixtures/traces/real/llama-index/spans.jsonl";

#[test]
fn llama_index_trace_opens_on_the_query_and_its_answer() {
    let mut a = super::trace_app(LLAMA);
    let loaded = a.trace.loaded().unwrap();
    assert_eq!(loaded.traces.len(), 2, "indexing and query");
    let (index, shown) = a.trace.shown().unwrap();
    assert_eq!(index, 1, "opens on the trace with the LLM call");
    assert!(!shown.answer.contains("TextNode"), "{}", shown.answer);
    assert!(!shown.answer.is_empty());
    let wide = screen(&mut a, 160, 48);
    assert!(wide.contains("trace 2/2"), "{wide}");
    snapshot("trace_llama_query", a);
}

#[test]
fn t_picks_the_other_trace_and_the_panes_follow_it() {
    let mut a = super::trace_app(LLAMA);
    let query_answer = a.trace.shown().unwrap().1.answer.clone();
    let query_chunks = a.trace.chunks().len();
    assert!(query_chunks > 0, "the BM25 retriever's chunks");
    a.on_key(&key('t'));
    let (index, indexing) = a.trace.shown().unwrap();
    assert_eq!(index, 0);
    assert_ne!(indexing.answer, query_answer);
    assert_eq!(a.trace.chunks().len(), 0, "indexing retrieves nothing");
    assert_eq!(
        a.trace.rows()[0].1,
        0,
        "the tree starts at the trace's root"
    );
    let wide = screen(&mut a, 160, 48);
    assert!(wide.contains("trace 1/2"), "{wide}");
    a.on_key(&key('T'));
    assert_eq!(a.trace.shown().unwrap().0, 1);
}

/// Move the tree selection to the first span of `kind`.
fn select_kind(a: &mut App, kind: temper::trace::SpanKind) {
    let rows = a.trace.rows().to_vec();
    let t = a.trace.loaded().unwrap().trace.clone();
    let row = rows
        .iter()
        .position(|&(i, _)| t.kind(i as usize) == kind)
        .unwrap_or_else(|| panic!("a {kind:?} span"));
    for _ in 0..row {
        a.on_key(&key('j'));
    }
}

#[test]
fn selecting_an_llm_span_shows_its_messages_and_output() {
    let mut a = super::trace_app(LLAMA);
    select_kind(&mut a, temper::trace::SpanKind::Llm);
    let wide = screen(&mut a, 160, 48);
    assert!(wide.contains("LLM call"), "{wide}");
    assert!(wide.contains("input") && wide.contains("output"), "{wide}");
    snapshot("trace_llama_llm", a);
}

#[test]
fn selecting_a_retriever_shows_its_chunks_with_text() {
    let mut a = super::trace_app(LLAMA);
    select_kind(&mut a, temper::trace::SpanKind::Retriever);
    let i = a.trace.selected_span().unwrap();
    let t = a.trace.loaded().unwrap().trace.clone();
    let span = t.span(i);
    let docs = &span.documents;
    assert!(!docs.is_empty());
    let wide = screen(&mut a, 160, 48);
    let words: String = docs[0]
        .content
        .as_deref()
        .unwrap()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(wide.contains(&words), "{words} in\n{wide}");
    snapshot("trace_llama_retriever", a);
}

#[test]
fn a_single_trace_file_shows_no_picker() {
    let mut a = super::trace_app("examples/traces/rag-answer.temper.jsonl");
    assert_eq!(a.trace.loaded().unwrap().traces.len(), 1);
    a.on_key(&key('t'));
    assert_eq!(a.trace.shown().unwrap().0, 0);
    let wide = screen(&mut a, 160, 48);
    assert!(!wide.contains("trace 1/1"), "{wide}");
}
