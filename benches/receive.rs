//! Live ingestion: OTLP/HTTP protobuf bodies of 512 spans (the SDK's default batch) POSTed by 4
//! concurrent clients into the receiver, every span decoded, passed on and held by `LiveTraces`
//! (cap 100,000, so old traces are evicted as in a long session). Reports spans/s end to end.
//! Run with `cargo bench --bench receive`. Target (issue 19): >= 50,000 spans/s on 2 cores.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as V};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bodies: Vec<Vec<u8>> = (0..BODIES).map(body).collect();
    let mb = bodies.iter().map(Vec::len).sum::<usize>() as f64 / 1048576.0;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut rx = Receiver::start(Config {
            addr: "127.0.0.1:0".parse()?,
            ..Config::default()
        })
        .await?;
        let url = format!("http://{}/v1/traces", rx.addr());
        let mut live = LiveTraces::new(CAP, rx.counters());
        let total = BODIES * SPANS_PER_BODY;
        let started = Instant::now();
        let client = reqwest::Client::new();
        let bodies = std::sync::Arc::new(bodies);
        for c in 0..CLIENTS {
            let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
            tokio::spawn(async move {
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
        let mut ingested = 0u64;
        while ingested < total {
            let Some(batch) = rx.next().await else { break };
            let update = live.ingest(batch);
            ingested += update.new_spans.len() as u64;
        }
        let secs = started.elapsed().as_secs_f64();
        let c = rx.counters().snapshot();
        println!(
            "receive: {total} spans in {BODIES} protobuf bodies ({mb:.1} MB), {CLIENTS} clients: {secs:.2} s = {:.0} spans/s; held {} (cap {CAP}), dropped {}, rejected {}",
            total as f64 / secs,
            live.span_count(),
            c.spans_dropped,
            c.spans_rejected
        );
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}
