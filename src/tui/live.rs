//! The live feed of `temper trace --listen` on a terminal. A thread of its own drives the
//! receiver on the TUI's runtime: it takes the batches, keeps the session's traces (bounded by the
//! span cap), appends new spans to `--save`, rebuilds the traces that changed with their
//! detector flags (each packed once, see `trace::packed`), and sends the Trace view one combined
//! packed trace, newest trace first, already indexed for its panes (walk, chunks, tools, rows by
//! span id), as [`Event::Live`]. The UI loop never awaits the receiver (see docs/architecture.md).
//!
//! Rebuilds are coalesced: at most one per [`MIN_GAP`], or per twice the last build's time when
//! that is longer, so a flood of spans costs the UI a bounded number of frames.

use super::event::Event;
use super::views::trace::Loaded;
use crate::trace::PackedTrace;
use crate::trace::detectors::Limits;
use crate::trace::receiver::{CountersSnapshot, LiveTraces, Receiver, Snapshots};
use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Shortest time between two rebuilds of the view's trace.
pub const MIN_GAP: Duration = Duration::from_millis(100);
/// How often the counters are looked at when no span arrives (rejected requests send none).
const COUNTER_POLL: Duration = Duration::from_millis(250);

/// What the feed needs: a started receiver and how to hold and judge what it receives.
pub struct Feed {
    pub receiver: Receiver,
    /// Spans held; past it the oldest traces are dropped (and counted).
    pub max_spans: usize,
    pub limits: Limits,
    /// `--save FILE`: every received span appended as temper JSONL, flushed per batch.
    pub save: Option<BufWriter<File>>,
}

/// What the Trace view gets each time something changed.
#[derive(Debug, Clone)]
pub struct LiveFrame {
    pub addr: SocketAddr,
    pub counters: CountersSnapshot,
    /// Every held trace, newest first, indexed for the Trace view on the feed thread (so the
    /// UI only swaps it in); `None` when only the counters moved.
    pub loaded: Option<Arc<Loaded>>,
    /// Traces held right now.
    pub traces: usize,
    /// Why `--save` stopped, once it failed.
    pub save_error: Option<String>,
}

/// Start the feed on `runtime` (where the receiver runs); it sends on `events` until the UI hangs
/// up or `stop` is cancelled, then flushes `--save`. Join the handle to know the file is closed.
pub fn spawn(
    runtime: tokio::runtime::Handle,
    feed: Feed,
    events: UnboundedSender<Event>,
    stop: CancellationToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("temper-live".into())
        .spawn(move || runtime.block_on(run(feed, events, stop)))
}

/// Index `trace` (packed by `Snapshots::combine`) for the Trace view (see `Loaded::with_rows`)
/// and keep it in `sent`, the last two sent: the older one is let go here, so freeing a
/// 100,000-span trace happens on the feed thread, not in a frame of the UI (which has swapped
/// it out by then, unless it lags two rebuilds behind).
pub fn index(trace: PackedTrace, sent: &mut VecDeque<Arc<Loaded>>) -> Arc<Loaded> {
    let loaded = Arc::new(Loaded::with_rows(Arc::new(trace)));
    sent.push_back(loaded.clone());
    if sent.len() > 2 {
        sent.pop_front();
    }
    loaded
}

struct State {
    live: LiveTraces,
    snapshots: Snapshots,
    /// Traces changed since the last rebuild.
    touched: BTreeSet<String>,
    save: Option<BufWriter<File>>,
    save_error: Option<String>,
    addr: SocketAddr,
    /// The last two indexed traces sent (see [`index`]).
    sent: VecDeque<Arc<Loaded>>,
}

async fn run(feed: Feed, events: UnboundedSender<Event>, stop: CancellationToken) {
    let Feed {
        mut receiver,
        max_spans,
        limits,
        save,
    } = feed;
    let counters = receiver.counters();
    let mut state = State {
        live: LiveTraces::new(max_spans, counters.clone()),
        snapshots: Snapshots::new(limits),
        touched: BTreeSet::new(),
        save,
        save_error: None,
        addr: receiver.addr(),
        sent: VecDeque::new(),
    };
    // The first frame says where to send spans, before any arrive.
    let mut shown = counters.snapshot();
    let _ = events.send(state.frame(shown, None));
    let mut poll = tokio::time::interval(COUNTER_POLL);
    let mut next_build = Instant::now();
    loop {
        tokio::select! {
            batch = receiver.next() => match batch {
                Some(batch) => state.take(batch),
                None => break,
            },
            _ = tokio::time::sleep_until(next_build), if !state.touched.is_empty() => {
                let started = Instant::now();
                let trace = state.rebuild();
                next_build = Instant::now() + MIN_GAP.max(started.elapsed() * 2);
                shown = counters.snapshot();
                if events.send(state.frame(shown, Some(trace))).is_err() {
                    break;
                }
            }
            _ = poll.tick() => {
                let now = counters.snapshot();
                if now != shown {
                    shown = now;
                    if events.send(state.frame(now, None)).is_err() {
                        break;
                    }
                }
            }
            () = stop.cancelled() => break,
        }
    }
    receiver.shutdown().await;
    while let Some(batch) = receiver.try_next() {
        state.take(batch);
    }
    if let Some(file) = state.save.as_mut() {
        let _ = file.flush();
    }
}

impl State {
    fn take(&mut self, batch: crate::trace::receiver::Batch) {
        let update = self.live.ingest(batch);
        if let (Some(file), None) = (self.save.as_mut(), &self.save_error) {
            let written = crate::trace::write_jsonl(&update.new_spans, &mut *file)
                .map_err(|e| e.to_string())
                .and_then(|()| file.flush().map_err(|e| e.to_string()));
            if let Err(e) = written {
                self.save_error = Some(format!("cannot write to the --save file: {e}"));
            }
        }
        self.touched
            .extend(update.touched.into_iter().map(|(id, _)| id));
        self.touched.extend(update.changed);
    }

    fn rebuild(&mut self) -> Arc<Loaded> {
        let touched = std::mem::take(&mut self.touched);
        let trace = self.snapshots.combine(&self.live, &touched);
        index(trace, &mut self.sent)
    }

    fn frame(&self, counters: CountersSnapshot, loaded: Option<Arc<Loaded>>) -> Event {
        Event::Live(Box::new(LiveFrame {
            addr: self.addr,
            counters,
            loaded,
            traces: self.live.traces().len(),
            save_error: self.save_error.clone(),
        }))
    }
}
