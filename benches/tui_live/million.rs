//! The Trace view on a trace of 1,000,000 spans (issue 25 goal 5): the time the view takes to
//! open it (the UI thread's share: indexing the packed trace and the first frame; reading the
//! file is the worker's and is measured by `benches/trace.rs`), frames while moving through
//! it, and the process's resident memory with it open. The worker's share here is building the
//! `Trace` with its flags and packing it (`PackedTrace::from_loaded`, the call the worker makes:
//! it consumes the `Trace` and hands the freed memory back), on a thread of its own as in the
//! TUI, so what stays is what the view holds.

use super::{measure, report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use std::time::Instant;
use temper::trace::{PackedTrace, Span};
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

/// What the worker thread did: the packed trace, the build and pack times in ms, and the RSS
/// (MB) while it held the whole `Trace` (the reference: what the view held before).
type Worker = (Arc<PackedTrace>, f64, f64, f64);

/// The worker's share on a thread of its own: the trace built with its flags, then packed.
fn worker() -> Worker {
    let thread = std::thread::spawn(|| {
        let built = Instant::now();
        let trace = super::wide_tree(SPANS, |_| (None, None));
        let build_ms = built.elapsed().as_secs_f64() * 1000.0;
        let rss_with_trace = vm_kb("VmRSS:") / 1024.0;
        let packed = Instant::now();
        let trace = Arc::new(PackedTrace::from_loaded(trace));
        let pack_ms = packed.elapsed().as_secs_f64() * 1000.0;
        (trace, build_ms, pack_ms, rss_with_trace)
    });
    thread.join().expect("the worker thread")
}

/// What the bench measured of the 1M-span trace.
pub struct Million {
    pub open_ms: f64,
    pub frame_p95_ms: f64,
    /// RSS with the view open, less RSS before the trace was built.
    pub rss_growth_mb: f64,
    /// The worker's `PackedTrace::from_loaded`.
    pub pack_ms: f64,
}

/// Open a 1M-span trace (ten children per span) in the Trace view and move through it.
pub fn bench(terminal: &mut Terminal<TestBackend>) -> Million {
    // The earlier cases of this bench left memory free in glibc's heaps; the worker's
    // `from_loaded` hands free pages back, so give those back first, or the growth below
    // would be flattered by memory that was never the trace's.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only works on the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
    let rss_before = vm_kb("VmRSS:");
    let (trace, build_ms, pack_ms, rss_with_trace) = worker();
    println!(
        "1,000,000-span trace built with its flags in {build_ms:.0} ms and packed in {pack_ms:.0} ms (the worker's share); Span is {} bytes, the packed trace holds {:.0} MB; RSS {:.0} MB after the worker dropped the Trace",
        std::mem::size_of::<Span>(),
        trace.heap_bytes() as f64 / 1e6,
        vm_kb("VmRSS:") / 1024.0
    );
    println!(
        "reference, same run: RSS growth while the worker held the whole Trace (what the view held before, without its index): {:.0} MB",
        rss_with_trace - rss_before / 1024.0
    );
    let mut app = temper::tui::new_app(&temper::tui::Options::default());
    let path = std::path::PathBuf::from("million.jsonl");
    app.trace.path = Some(path.clone());
    app.dispatch(temper::tui::action::Action::ShowTab(
        temper::tui::action::Tab::Trace,
    ));
    let event = Event::Trace {
        path,
        result: Ok(trace),
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
    Million {
        open_ms,
        frame_p95_ms: p95,
        rss_growth_mb: rss - rss_before / 1024.0,
        pack_ms,
    }
}
