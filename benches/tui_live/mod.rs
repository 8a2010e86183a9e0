//! The live Trace view of `temper trace --listen` (issue 19): 100,000 spans held in 10,000 traces
//! arriving through `LiveTraces` and the feed's `Snapshots`, then frames drawn while a new trace
//! arrives every 10th frame. Reports the frame render alone, the frame that takes a new live
//! frame (the view's re-index + selection kept + draw), and the feed's rebuild of one touched
//! trace with 100,000 spans held (on the feed thread, off the UI loop).

#[path = "../baseline/mod.rs"]
mod baseline;
pub mod million;

use super::{measure, report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::VecDeque;
use std::sync::Arc;
use temper::trace::detectors::Limits;

/// Start and end of span `i` in [`wide_tree`].
pub type Times = (Option<jiff::Timestamp>, Option<jiff::Timestamp>);

/// `n` spans, each the child of span (i-1)/10 (a tree ten wide), every third an LLM call, the
/// rest tools, built with their detector flags: the trace the Trace view benches draw.
pub fn wide_tree(n: usize, times: impl Fn(usize) -> Times) -> temper::trace::Trace {
    use temper::trace::{Format, Span, SpanKind, Trace};
    let spans: Vec<Span> = (0..n)
        .map(|i| Span {
            start: times(i).0,
            end: times(i).1,
            id: format!("s{i}").into(),
            parent: (i > 0).then(|| format!("s{}", (i - 1) / 10).into()),
            kind: if i % 3 == 0 {
                SpanKind::Llm
            } else {
                SpanKind::Tool
            },
            name: format!("step-{i}").into(),
            output: Some(format!("output {i}")),
            ..Default::default()
        })
        .collect();
    let mut trace = Trace::build(Format::TemperJsonl, spans, Vec::new());
    temper::trace::detectors::run(&mut trace, &Limits::default());
    trace
}
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
                id: format!("{t:08x}{i:08x}").into(),
                parent: (i > 0).then(|| format!("{t:08x}{:08x}", 0).into()),
                kind: match i {
                    0 => SpanKind::Chain,
                    1 => SpanKind::Retriever,
                    i if i % 2 == 0 => SpanKind::Llm,
                    _ => SpanKind::Tool,
                },
                name: format!("turn-{t} step-{i}").into(),
                output: Some(format!("output {t}.{i}")),
                ..Default::default()
            },
        })
        .collect()
}

/// What the feed thread does for a frame: rebuild, index (`tui::live::index`, which also lets
/// the frame before last go on this thread, as the feed does).
fn frame(
    live: &LiveTraces,
    snaps: &mut Snapshots,
    touched: &[String],
    sent: &mut VecDeque<Arc<Loaded>>,
) -> Event {
    let trace = snaps.combine(live, touched);
    Event::Live(Box::new(LiveFrame {
        addr: "127.0.0.1:4318".parse().expect("address"),
        counters: Default::default(),
        loaded: Some(temper::tui::live::index(trace, sent)),
        traces: live.traces().len(),
        save_error: None,
    }))
}

/// Traces held (10 spans each): 100,000 spans, the figure.
const TRACES: usize = 10_000;

/// The trace cases of the TUI bench (1M-span file view, then the live view), their figures
/// gated against `benches/baseline/tui-trace.json`.
pub fn trace_figures(terminal: &mut Terminal<TestBackend>) {
    let mut figures = baseline::Figures::new("tui-trace");
    let m = million::bench(terminal);
    use baseline::Better::Lower;
    figures.record("tui.trace_1m_open_ms", m.open_ms, Lower);
    figures.record("tui.trace_1m_frame_p95_ms", m.frame_p95_ms, Lower);
    figures.record("tui.trace_1m_rss_growth_mb", m.rss_growth_mb, Lower);
    figures.record("tui.trace_1m_pack_ms", m.pack_ms, Lower);
    let (frame, swap, rebuild) = bench(terminal);
    figures.record("tui.live_100k_frame_p95_ms", frame, Lower);
    figures.record("tui.live_100k_swap_p95_ms", swap, Lower);
    figures.record("tui.live_100k_rebuild_p95_ms", rebuild, Lower);
    figures.finish();
}

fn p95_ms(samples: &[std::time::Duration]) -> f64 {
    let mut s = samples.to_vec();
    s.sort();
    s.get(s.len() * 95 / 100)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Run the live cases on `terminal`; returns the frame, the new-trace frame and the feed
/// rebuild p95 in ms.
pub fn bench(terminal: &mut Terminal<TestBackend>) -> (f64, f64, f64) {
    let mut live = LiveTraces::new(200_000, Arc::new(Counters::default()));
    let mut snaps = Snapshots::new(Limits::default());
    let mut touched = Vec::new();
    for t in 0..TRACES {
        let update = live.ingest(Batch::Spans(turn(t)));
        touched.extend(update.touched.into_iter().map(|(id, _)| id));
    }
    let mut app = temper::tui::new_app(&temper::tui::Options::default());
    app.tab = temper::tui::action::Tab::Trace;
    let mut sent = VecDeque::new();
    app.on_event(frame(&live, &mut snaps, &touched, &mut sent));
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    let (mut frames, mut updates, mut rebuilds) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..300 {
        if n % 10 == 0 {
            let update = live.ingest(Batch::Spans(turn(TRACES + n)));
            let ids: Vec<String> = update.touched.into_iter().map(|(id, _)| id).collect();
            let mut event = None;
            // The feed thread's share: rebuild and index (see `tui::live`).
            rebuilds.push(measure(|| {
                event = Some(frame(&live, &mut snaps, &ids, &mut sent))
            }));
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
    let result = (p95_ms(&frames), p95_ms(&updates), p95_ms(&rebuilds));
    report(
        "frame render, live Trace view with 100,000 spans in 10,000 traces, 160x48",
        frames,
        "≤ 2 ms",
    );
    report(
        "frame with a new live trace (swap in the feed's indexed trace, keep the selection, draw)",
        updates,
        "≤ 2 ms",
    );
    report(
        "feed rebuild of one touched trace, 100,000 spans held (feed thread)",
        rebuilds,
        "≤ 100 ms (the coalescing gap)",
    );
    result
}
