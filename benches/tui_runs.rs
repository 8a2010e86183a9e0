//! The TUI on a run of 1,000,000 samples (issue 25, goal 5 for runs): the Diff view opening one
//! cell of 100,000 and of 1,000,000 samples through the real worker thread on a real SQLite
//! store, a frame at 160x48, `j` to screen (one sample asked of the worker), and the process's
//! peak RSS. Reference, in the same run: the path every cell took before (all samples read by
//! the worker, sent to the view, explained and clustered there), at 100,000 samples only (it
//! needs ~7 GB at 1M).
//!
//! Targets at 1M samples: open < 300 ms, frame < 2 ms, RSS < 150 MB.
//! Run: `cargo bench --bench tui_runs` (`TEMPER_BENCH_DIR` picks where the store lives).

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "support/run_store.rs"]
mod run_store;

use baseline::{Better, Figures};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};
use temper::store::{CellInfo, Store};
use temper::tui::action::{Action, Tab};
use temper::tui::app::App;
use temper::tui::event::{Event, Request};
use temper::tui::views::Effect;
use temper::tui::views::diff::cells::DiffCell;
use temper::tui::worker::WorkerHandle;
use tokio::sync::mpsc::UnboundedReceiver;

/// The app, the real worker thread and its events.
struct Tui {
    app: App,
    worker: WorkerHandle,
    events: UnboundedReceiver<Event>,
    terminal: Terminal<TestBackend>,
}

impl Tui {
    fn start(db: &std::path::Path) -> Tui {
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let worker = temper::tui::worker::spawn(db.to_path_buf(), tx).expect("worker");
        let mut tui = Tui {
            app: temper::tui::new_app(&temper::tui::Options::default()),
            worker,
            events,
            terminal: Terminal::new(TestBackend::new(160, 48)).expect("terminal"),
        };
        tui.wait(|e| matches!(e, Event::Prompts(_)));
        tui.app.dispatch(Action::ShowTab(Tab::Diff));
        tui.send(Vec::new());
        tui
    }

    /// Send the app's pending requests (and `more`) to the worker.
    fn send(&mut self, more: Vec<Effect>) {
        for effect in self.app.take_effects().into_iter().chain(more) {
            if let Effect::Request(r) = effect {
                self.worker.send(r);
            }
        }
    }

    /// Hand every event to the app until one satisfies `done`.
    fn wait(&mut self, done: impl Fn(&Event) -> bool) {
        loop {
            let event = self.events.blocking_recv().expect("worker alive");
            let last = done(&event);
            if let Event::Failed { what, error } = &event {
                panic!("{what}: {error}");
            }
            self.app.on_event(event);
            self.send(Vec::new());
            if last {
                return;
            }
        }
    }

    fn frame(&mut self) -> Duration {
        let t = Instant::now();
        temper::tui::event_loop::draw(&mut self.terminal, &mut self.app).expect("draw");
        t.elapsed()
    }

    /// The screen as text (to check what the view shows).
    fn screen(&self) -> String {
        let buffer = self.terminal.backend().buffer();
        buffer.content().iter().map(|c| c.symbol()).collect()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p95 of `times`, in ms.
fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: usize| ms(times[(times.len() * q / 100).min(times.len() - 1)]);
    (at(50), at(95))
}

/// Open the Diff view on `cell`, draw 200 frames and step B down 30 times; records the figures
/// under `label`. `cell.cell.n` decides the path (a large cell is read as groups).
fn diff_view(figures: Option<&mut Figures>, db: &std::path::Path, cell: &CellInfo, label: &str) {
    run_store::reset_peak();
    let mut tui = Tui::start(db);
    let t = Instant::now();
    let effects = tui
        .app
        .diff
        .set_run(vec![DiffCell::of(cell)], Vec::new(), None);
    tui.send(effects);
    tui.wait(|e| matches!(e, Event::CellGroups { .. } | Event::Samples { .. }));
    tui.frame();
    let open = ms(t.elapsed());
    let shown = tui.screen();
    assert!(shown.contains("clusters"), "the Diff view shows the cell");
    let frames: Vec<Duration> = (0..200).map(|_| tui.frame()).collect();
    let (p50, p95) = percentiles(frames);
    let mut steps = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        tui.app
            .on_key(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
        let effects = tui.app.take_effects();
        let asked = effects
            .iter()
            .any(|e| matches!(e, Effect::Request(Request::LoadSample { .. })));
        tui.send(effects);
        if asked {
            tui.wait(|e| matches!(e, Event::Sample { .. }));
        }
        tui.frame();
        steps.push(t.elapsed());
    }
    let (step50, step95) = percentiles(steps);
    let rss = run_store::peak_mb();
    println!(
        "{label}: open {open:.0} ms · frame p50 {p50:.2} ms p95 {p95:.2} ms · j to screen p50 \
         {step50:.2} ms p95 {step95:.2} ms · peak RSS {rss:.0} MB"
    );
    if let Some(figures) = figures {
        figures.record(&format!("{label}.open_ms"), open, Better::Lower);
        figures.record(&format!("{label}.frame_p50_ms"), p50, Better::Lower);
        figures.record(&format!("{label}.frame_p95_ms"), p95, Better::Lower);
        figures.record(&format!("{label}.step_p95_ms"), step95, Better::Lower);
        figures.record(&format!("{label}.rss_mb"), rss, Better::Lower);
    }
}

/// A store of one cell of `n` samples; its path, kept alive by the returned dir.
fn store_of(n: u32) -> (tempfile::TempDir, std::path::PathBuf, CellInfo) {
    let dir = match std::env::var_os("TEMPER_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let db = dir.path().join("runs.db");
    let (run, _, rate) = run_store::fill(&db, n);
    println!("filled {n} samples at {rate:.0} samples/s");
    let cell = Store::open(&db)
        .expect("open")
        .cells(run)
        .expect("cells")
        .remove(0);
    (dir, db, cell)
}

fn main() {
    let mut figures = Figures::new("tui-runs");
    let (_keep, db, cell) = store_of(100_000);
    diff_view(Some(&mut figures), &db, &cell, "100k");
    let (_keep1m, db1m, cell1m) = store_of(1_000_000);
    diff_view(Some(&mut figures), &db1m, &cell1m, "1m");
    // The reference last (the memory it frees stays mapped): the same cell of 100k samples as
    // a small cell, read whole.
    let mut whole = cell.clone();
    whole.cell.n = 10;
    diff_view(None, &db, &whole, "100k reference (every sample read)");
    figures.finish();
}
