//! The Trace view on a trace of 1,000,000 spans (issue 25 goal 5): the time the view takes to
//! open it (the UI thread's share: indexing the loaded trace and the first frame; reading the
//! file is the worker's and is measured by `benches/trace.rs`), frames while moving through
//! it, and the process's resident memory with it open.

use super::{measure, report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;
use temper::trace::Span;
use temper::tui::event::Event;
use temper::tui::event_loop::draw;

const SPANS: usize = 1_000_000;

fn vm_kb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with(field))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0.0)
}

/// Open a 1M-span trace (ten children per span) in the Trace view and move through it.
/// Returns (open ms, frame p95 ms, RSS growth in MB from before the trace was built).
pub fn bench(terminal: &mut Terminal<TestBackend>) -> (f64, f64, f64) {
    let rss_before = vm_kb("VmRSS:");
    let built = Instant::now();
    let trace = super::wide_tree(SPANS, |_| (None, None));
    println!(
        "1,000,000-span trace built with its flags (the worker's share) in {:.0} ms; Span is {} bytes",
        built.elapsed().as_secs_f64() * 1000.0,
        std::mem::size_of::<Span>()
    );
    let mut app = temper::tui::new_app(&temper::tui::Options::default());
    let path = std::path::PathBuf::from("million.jsonl");
    app.trace.path = Some(path.clone());
    app.dispatch(temper::tui::action::Action::ShowTab(
        temper::tui::action::Tab::Trace,
    ));
    let event = Event::Trace {
        path,
        result: Ok(std::sync::Arc::new(trace)),
    };
    let open = measure(|| {
        app.on_event(event);
        app.take_effects();
        let _ = draw(terminal, &mut app);
    });
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    let mut frames = Vec::new();
    for _ in 0..300 {
        app.dirty = true;
        frames.push(measure(|| {
            let _ = draw(terminal, &mut app);
        }));
        app.on_key(&j);
    }
    let rss = vm_kb("VmRSS:") / 1024.0;
    let open_ms = open.as_secs_f64() * 1000.0;
    println!(
        "Trace view opening a 1,000,000-span trace (index + first frame): {open_ms:.1} ms [target < 300 ms]; RSS {rss:.0} MB with it open ({:.0} MB before building it) [target < 150 MB]",
        rss_before / 1024.0
    );
    let mut sorted = frames.clone();
    sorted.sort();
    let p95 = sorted[sorted.len() * 95 / 100].as_secs_f64() * 1000.0;
    report(
        "frame render, Trace view with 1,000,000 spans, 160x48",
        frames,
        "≤ 2 ms",
    );
    (open_ms, p95, rss - rss_before / 1024.0)
}
