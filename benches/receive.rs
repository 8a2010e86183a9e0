//! Live ingestion: OTLP/HTTP protobuf bodies of 512 spans (the SDK's default batch) POSTed by 4
//! concurrent clients into the receiver, every span decoded, passed on and held by `LiveTraces`
//! (cap 100,000, so old traces are evicted as in a long session). Reports spans/s end to end,
//! first with a bare consumer, then with the TUI open: the real live feed (`tui::live`: ingest,
//! rebuild, detectors, the view's index) on the same 2-thread runtime, and this thread playing
//! the UI loop, taking in every feed frame and drawing at the TUI's frame cap into a
//! `TestBackend`, until the screen holds every span received (held + evicted = sent).
//! Run with `cargo bench --bench receive`. Target (issue 19): >= 50,000 spans/s on 2 cores with
//! the TUI open, and every frame < 2 ms p95 with 100,000 spans held while spans arrive.

#[path = "baseline/mod.rs"]
mod baseline;

use baseline::{Better, Figures};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as V};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::time::Duration;
use std::time::Instant;
use temper::trace::receiver::{Config, LiveTraces, Receiver};

const SPANS_PER_BODY: u64 = 512;
const BODIES: u64 = 400;
const CLIENTS: u64 = 4;
const CAP: usize = 100_000;

fn kv(key: &str, value: V) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

/// Span `i` of body `b`: turns of one agent span, one chat call with usage and messages, and
/// one tool call, each turn its own trace.
fn span(b: u64, i: u64) -> Span {
    let turn = b * SPANS_PER_BODY / 3 + i / 3;
    let id = |k: u64| (turn * 4 + k).to_be_bytes().to_vec();
    let t0 = 1_740_823_200_000_000_000 + turn * 1_000_000_000;
    let s = |k: &str, v: &str| kv(k, V::StringValue(v.into()));
    let (name, parent, attributes) = match i % 3 {
        0 => (
            "invoke_agent support",
            None,
            vec![s("gen_ai.operation.name", "invoke_agent")],
        ),
        1 => (
            "chat gpt-4o-mini",
            Some(0),
            vec![
                s("gen_ai.operation.name", "chat"),
                s("gen_ai.request.model", "gpt-4o-mini"),
                kv("gen_ai.usage.input_tokens", V::IntValue(1184)),
                kv("gen_ai.usage.output_tokens", V::IntValue(64)),
                s(
                    "gen_ai.input.messages",
                    r#"[{"role":"user","parts":[{"type":"text","content":"How long do card refunds take after the item reaches the warehouse?"}]}]"#,
                ),
                s(
                    "gen_ai.output.messages",
                    r#"[{"role":"assistant","parts":[{"type":"text","content":"Five business days."}]}]"#,
                ),
            ],
        ),
        _ => (
            "execute_tool get_order",
            Some(0),
            vec![
                s("gen_ai.operation.name", "execute_tool"),
                s("gen_ai.tool.name", "get_order"),
                s("gen_ai.tool.call.arguments", r#"{"order_id":"A-1"}"#),
                s("gen_ai.tool.call.result", r#"{"status":"delivered"}"#),
            ],
        ),
    };
    Span {
        trace_id: [turn.to_be_bytes(), turn.to_be_bytes()].concat(),
        span_id: id(i % 3),
        parent_span_id: parent.map(id).unwrap_or_default(),
        name: name.into(),
        start_time_unix_nano: t0 + (i % 3) * 1_000_000,
        end_time_unix_nano: t0 + 900_000_000,
        attributes,
        ..Default::default()
    }
}

fn body(b: u64) -> Vec<u8> {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: (0..SPANS_PER_BODY).map(|i| span(b, i)).collect(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

/// POST every body from `CLIENTS` concurrent clients on `rt`.
fn send_all(rt: &tokio::runtime::Runtime, url: String, bodies: std::sync::Arc<Vec<Vec<u8>>>) {
    let client = reqwest::Client::new();
    for c in 0..CLIENTS {
        let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
        rt.spawn(async move {
            for b in (c..BODIES).step_by(CLIENTS as usize) {
                let resp = client
                    .post(&url)
                    .header("Content-Type", "application/x-protobuf")
                    .body(bodies[b as usize].clone())
                    .send()
                    .await;
                if !resp.is_ok_and(|r| r.status().is_success()) {
                    eprintln!("body {b} was not accepted");
                }
            }
        });
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn config() -> Config {
    Config {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Config::default()
    }
}

/// The receiver alone: spans/s into `LiveTraces`.
fn bare(bodies: &std::sync::Arc<Vec<Vec<u8>>>) -> Result<f64, Box<dyn std::error::Error>> {
    let rt = runtime()?;
    let mut rx = rt.block_on(Receiver::start(config()))?;
    let url = format!("http://{}/v1/traces", rx.addr());
    let mut live = LiveTraces::new(CAP, rx.counters());
    let total = BODIES * SPANS_PER_BODY;
    let started = Instant::now();
    send_all(&rt, url, bodies.clone());
    let mut ingested = 0u64;
    rt.block_on(async {
        while ingested < total {
            let Some(batch) = rx.next().await else { break };
            ingested += live.ingest(batch).new_spans.len() as u64;
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let c = rx.counters().snapshot();
    println!(
        "receive (no UI): {total} spans, {CLIENTS} clients: {secs:.2} s = {:.0} spans/s; held {} (cap {CAP}), dropped {}, rejected {}",
        total as f64 / secs,
        live.span_count(),
        c.spans_dropped,
        c.spans_rejected
    );
    Ok(total as f64 / secs)
}

/// What the UI loop measured while spans arrived.
struct WithTui {
    spans_per_s: f64,
    /// Draws of the Trace view (every frame, at most one per `FRAME`).
    draws: Vec<Duration>,
    /// Taking in a feed frame with a new trace (the swap and the selection kept).
    swaps: Vec<Duration>,
    held: usize,
}

/// The receiver, the real live feed and a UI loop drawing into a `TestBackend`.
fn with_tui(bodies: &std::sync::Arc<Vec<Vec<u8>>>) -> Result<WithTui, Box<dyn std::error::Error>> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use temper::tui::event::Event;
    use temper::tui::event_loop::{FRAME, TICK, draw};
    let rt = runtime()?;
    let receiver = rt.block_on(Receiver::start(config()))?;
    let url = format!("http://{}/v1/traces", receiver.addr());
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let stop = tokio_util::sync::CancellationToken::new();
    let feed = temper::tui::live::Feed {
        receiver,
        max_spans: CAP,
        limits: temper::trace::detectors::Limits::default(),
        save: None,
    };
    let feeding = temper::tui::live::spawn(rt.handle().clone(), feed, tx, stop.clone())?;
    let mut app = temper::tui::new_app(&temper::tui::Options::default());
    app.tab = temper::tui::action::Tab::Trace;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48))?;
    let total = BODIES * SPANS_PER_BODY;
    let (mut draws, mut swaps, mut held) = (Vec::new(), Vec::new(), 0);
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    let started = Instant::now();
    send_all(&rt, url, bodies.clone());
    let mut next_tick = Instant::now() + TICK;
    let mut shown = 0u64;
    while shown < total && started.elapsed() < Duration::from_secs(60) {
        let frame_start = Instant::now();
        while let Ok(event) = events.try_recv() {
            if let Event::Live(frame) = &event
                && let Some(l) = &frame.loaded
            {
                held = l.trace.len();
                shown = held as u64 + frame.counters.spans_dropped;
                let t = Instant::now();
                app.on_event(event);
                swaps.push(t.elapsed());
            } else {
                app.on_event(event);
            }
        }
        if Instant::now() >= next_tick {
            app.on_tick();
            app.on_key(&j);
            next_tick += TICK;
        }
        if app.dirty {
            let t = Instant::now();
            draw(&mut terminal, &mut app)?;
            draws.push(t.elapsed());
        }
        std::thread::sleep(FRAME.saturating_sub(frame_start.elapsed()));
    }
    let secs = started.elapsed().as_secs_f64();
    stop.cancel();
    let _ = feeding.join();
    if shown < total {
        return Err(format!("only {shown} of {total} spans reached the screen in 60 s").into());
    }
    Ok(WithTui {
        spans_per_s: total as f64 / secs,
        draws,
        swaps,
        held,
    })
}

fn p95(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get((v.len() * 95 / 100).min(v.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bodies: Vec<Vec<u8>> = (0..BODIES).map(body).collect();
    let mb = bodies.iter().map(Vec::len).sum::<usize>() as f64 / 1048576.0;
    println!("{BODIES} protobuf bodies of {SPANS_PER_BODY} spans, {mb:.1} MB");
    let bodies = std::sync::Arc::new(bodies);
    let mut figures = Figures::new("receive");
    figures.record("receive.bare_spans_per_s", bare(&bodies)?, Better::Higher);
    let tui = with_tui(&bodies)?;
    let (draws, swaps) = (tui.draws.len(), tui.swaps.len());
    let (draw_p95, swap_p95) = (p95(tui.draws), p95(tui.swaps));
    println!(
        "receive with the TUI open: {:.0} spans/s (target >= 50,000); {} spans held at the end; {draws} frames drawn, p95 {draw_p95:.3} ms; {swaps} feed frames taken in, p95 {swap_p95:.3} ms (target < 2 ms)",
        tui.spans_per_s, tui.held
    );
    figures.record("receive.tui_spans_per_s", tui.spans_per_s, Better::Higher);
    figures.record("receive.tui_draw_p95_ms", draw_p95, Better::Lower);
    figures.record("receive.tui_swap_p95_ms", swap_p95, Better::Lower);
    figures.finish();
    Ok(())
}
