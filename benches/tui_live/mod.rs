//! The live Trace view of `temper trace --listen` (issue 19): 100,000 spans held in 10,000 traces
//! arriving through `LiveTraces` and the feed's `Snapshots`, then frames drawn while a new trace
//! arrives every 10th frame. Reports the frame render alone, the frame that takes a new live
//! frame (the view's re-index + selection kept + draw), and the feed's rebuild of one touched
//! trace with 100,000 spans held (on the feed thread, off the UI loop).

use super::{measure, report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use temper::trace::detectors::Limits;
use temper::trace::receiver::{Batch, Counters, LiveSpan, LiveTraces, Snapshots};
use temper::trace::{Span, SpanKind};
use temper::tui::event::Event;
use temper::tui::event_loop::draw;
use temper::tui::live::LiveFrame;
use temper::tui::views::trace::Loaded;

/// One RAG turn of 10 spans: a chain root, a retriever with a chunk, LLM and tool calls.
fn turn(t: usize) -> Vec<LiveSpan> {
    (0..10)
        .map(|i| LiveSpan {
            trace_id: format!("{t:032x}"),
            span: Span {
                id: format!("{t:08x}{i:08x}"),
                parent: (i > 0).then(|| format!("{t:08x}{:08x}", 0)),
                kind: match i {
                    0 => SpanKind::Chain,
                    1 => SpanKind::Retriever,
                    i if i % 2 == 0 => SpanKind::Llm,
                    _ => SpanKind::Tool,
                },
                name: format!("turn-{t} step-{i}"),
                output: Some(format!("output {t}.{i}")),
                ..Default::default()
            },
        })
        .collect()
}

fn frame(live: &LiveTraces, snaps: &mut Snapshots, touched: &[String]) -> Event {
    let trace = snaps.combine(live, touched);
    Event::Live(Box::new(LiveFrame {
        addr: "127.0.0.1:4318".parse().expect("address"),
        counters: Default::default(),
        loaded: Some(Arc::new(Loaded::with_rows(Arc::new(trace)))),
        traces: live.traces().len(),
        save_error: None,
    }))
}

/// Traces held (10 spans each): 100,000 spans, the figure.
const TRACES: usize = 10_000;

/// Run the live cases on `terminal`.
pub fn bench(terminal: &mut Terminal<TestBackend>) {
    let mut live = LiveTraces::new(200_000, Arc::new(Counters::default()));
    let mut snaps = Snapshots::new(Limits::default());
    let mut touched = Vec::new();
    for t in 0..TRACES {
        let update = live.ingest(Batch::Spans(turn(t)));
        touched.extend(update.touched.into_iter().map(|(id, _)| id));
    }
    let mut app = temper::tui::new_app(&temper::tui::Options::default());
    app.tab = temper::tui::action::Tab::Trace;
    app.on_event(frame(&live, &mut snaps, &touched));
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    let (mut frames, mut updates, mut rebuilds) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..300 {
        if n % 10 == 0 {
            let update = live.ingest(Batch::Spans(turn(TRACES + n)));
            let ids: Vec<String> = update.touched.into_iter().map(|(id, _)| id).collect();
            let mut event = None;
            rebuilds.push(measure(|| event = Some(frame(&live, &mut snaps, &ids))));
            let Some(event) = event else { continue };
            updates.push(measure(|| {
                app.on_event(event);
                let _ = draw(terminal, &mut app);
            }));
        } else {
            app.dirty = true;
            frames.push(measure(|| {
                let _ = draw(terminal, &mut app);
            }));
        }
        app.on_key(&j);
    }
    report(
        "frame render, live Trace view with 100,000 spans in 10,000 traces, 160x48",
        frames,
        "≤ 2 ms",
    );
    report(
        "frame with a new live trace (re-index 100,000 spans, keep the selection, draw)",
        updates,
        "≤ 16 ms",
    );
    report(
        "feed rebuild of one touched trace, 100,000 spans held (feed thread)",
        rebuilds,
        "≤ 100 ms (the coalescing gap)",
    );
}
