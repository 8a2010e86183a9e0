//! The Trace view fed live (`temper trace --listen` on a terminal) without a terminal: a real
//! receiver on 127.0.0.1:0, the real feed thread, real OTLP bodies (the committed llama-index and
//! openai fixtures, POSTed as the exporters sent them), and the app drawn on a TestBackend.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};
use temper::trace::detectors::Limits;
use temper::trace::receiver::{Config, Receiver};
use temper::tui::action::{Action, Tab};
use temper::tui::app::App;
use temper::tui::event::Event;
use temper::tui::live::{Feed, spawn};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

#[path = "otlp_support/mod.rs"]
mod otlp_support;
use otlp_support::{fixture, post, tls};

/// A receiver and its feed, running; the app the frames go to.
struct Live {
    rt: tokio::runtime::Runtime,
    url: String,
    events: UnboundedReceiver<Event>,
    stop: CancellationToken,
    feed: Option<std::thread::JoinHandle<()>>,
    app: App,
}

impl Live {
    fn start() -> Live {
        tls();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        };
        let receiver = rt.block_on(Receiver::start(config)).unwrap();
        let url = format!("http://{}/v1/traces", receiver.addr());
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let stop = CancellationToken::new();
        let feed = Feed {
            receiver,
            max_spans: 100_000,
            limits: Limits::default(),
            save: None,
        };
        let feed = spawn(rt.handle().clone(), feed, tx, stop.clone()).unwrap();
        let mut app = temper::tui::new_app(&temper::tui::Options::default());
        app.tab = Tab::Trace;
        Live {
            rt,
            url,
            events,
            stop,
            feed: Some(feed),
            app,
        }
    }

    /// Hand frames to the app until `done` holds (10 s at most).
    fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(&self.app) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}");
            let next = self
                .rt
                .block_on(async { tokio::time::timeout(left, self.events.recv()).await });
            if let Ok(Some(event)) = next {
                self.app.on_event(event);
            }
        }
    }

    fn post_fixture(&self, rel: &str) {
        let content_type = if rel.ends_with(".pb") {
            "application/x-protobuf"
        } else {
            "application/json"
        };
        let body = std::fs::read(fixture(rel)).unwrap();
        let (status, _, _) = post(&self.url, content_type, false, body);
        assert_eq!(status, 200, "{rel}");
    }

    /// Wait until `n` spans were received and all of them are in the view.
    fn until_shown(&mut self, n: usize) {
        // The counters may reach the view a poll after the spans (they are bumped once the batch
        // is queued), so both are waited for.
        self.until(&format!("{n} spans shown and counted"), |app| {
            app.trace.loaded().map(|l| l.trace.len()) == Some(n)
                && app
                    .trace
                    .live_state()
                    .is_some_and(|s| s.counters.spans_received == n as u64)
        });
    }

    /// The name of every tree row, top to bottom.
    fn rows(&self) -> Vec<String> {
        let l = self.app.trace.loaded().unwrap();
        self.app
            .trace
            .rows()
            .iter()
            .map(|&(i, _)| l.trace.name(i as usize).to_string())
            .collect()
    }

    fn selected(&self) -> (usize, String) {
        let l = self.app.trace.loaded().unwrap();
        let i = self.app.trace.selected_span().unwrap();
        let row = self
            .app
            .trace
            .rows()
            .iter()
            .position(|&(s, _)| s as usize == i);
        (row.unwrap(), l.trace.name(i).to_string())
    }

    fn screen(&mut self, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        temper::tui::event_loop::draw(&mut terminal, &mut self.app).unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(feed) = self.feed.take() {
            let _ = feed.join();
        }
    }
}

#[test]
fn spans_stream_in_newest_trace_on_top_and_the_selection_stays() {
    let mut live = Live::start();
    live.until("the first frame", |app| app.trace.is_live());
    let screen = live.screen(160, 48).join("\n");
    assert!(
        screen.contains("Waiting for spans on http://127.0.0.1:"),
        "{screen}"
    );

    // llama-index's first export: the indexing trace and the first spans of the query trace,
    // whose parents come in the next export (orphans for now).
    live.post_fixture("llama-index/002-traces.pb");
    live.until_shown(9);
    let rows = live.rows();
    let retrieve = rows
        .iter()
        .position(|r| r == "BM25Retriever.retrieve")
        .expect("the retriever span arrived in the first export");
    for _ in 0..retrieve {
        live.app.dispatch(Action::Down);
    }
    assert_eq!(live.selected().1, "BM25Retriever.retrieve");
    let flags_before: Vec<String> = live
        .app
        .trace
        .loaded()
        .unwrap()
        .trace
        .flags()
        .map(|f| f.kind.as_str().to_string())
        .collect();
    assert!(
        flags_before.contains(&"injection".to_string()),
        "{flags_before:?}"
    );
    assert!(
        flags_before.contains(&"orphan".to_string()),
        "{flags_before:?}"
    );
    // The chunks pane follows the selected row's trace: the three retrieved chunks.
    assert_eq!(live.app.trace.chunks().len(), 3);

    // The rest of the query trace: it links up (no orphan left), the selection stays on its span.
    live.post_fixture("llama-index/003-traces.pb");
    live.until_shown(18);
    assert_eq!(live.selected().1, "BM25Retriever.retrieve");
    let l = live.app.trace.loaded().unwrap();
    assert!(l.trace.flags().all(|f| f.kind.as_str() != "orphan"));
    assert_eq!(l.traces.len(), 2);
    let screen = live.screen(160, 48).join("\n");
    assert!(screen.contains("[injection]"), "{screen}");
    assert!(screen.contains("RetrieverQueryEngine.query"), "{screen}");

    // Three one-span traces from another app: on top, the selected span keeps its selection.
    let (row_before, _) = live.selected();
    live.post_fixture("oi-openai/002-traces.json");
    live.until_shown(21);
    let rows = live.rows();
    assert_eq!(&rows[..3], ["ChatCompletion"; 3]);
    assert_eq!(
        live.selected(),
        (row_before + 3, "BM25Retriever.retrieve".to_string())
    );
    assert_eq!(live.app.trace.chunks().len(), 3);
    // `t` jumps to the next trace down; the panes follow.
    live.app.dispatch(Action::NextTrace);
    assert_ne!(live.selected().1, "BM25Retriever.retrieve");
}

#[test]
fn status_line_counts_received_rejected_and_refused() {
    let mut live = Live::start();
    live.until("the first frame", |app| app.trace.is_live());
    live.post_fixture("oi-openai/002-traces.json");
    live.until_shown(3);
    // One span without a spanId: rejected inside an accepted request.
    let partial = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "5b8efff798038103d269b633813fc60c", "name": "no span id"}]}]}]});
    let (status, _, _) = post(
        &live.url,
        "application/json",
        false,
        partial.to_string().into_bytes(),
    );
    assert_eq!(status, 200);
    // Not OTLP at all: refused whole.
    let (status, _, _) = post(&live.url, "application/json", false, b"{\"x\": 1}".to_vec());
    assert_eq!(status, 400);
    live.until("the counters", |app| {
        app.trace
            .live_state()
            .is_some_and(|s| s.counters.spans_rejected == 1 && s.counters.requests_refused == 1)
    });
    let screen = live.screen(160, 48);
    let port = live
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let status_row = screen[1].replace(port, "PORT");
    insta::assert_snapshot!("live_status_line", status_row.trim_end());
}
