//! Trace loading at scale, each figure beside its reference in the same run (issue 25 goal 4):
//! - `temper trace` (the real binary) opening a 100 MB OpenInference JSONL against one
//!   `jq -c . FILE > /dev/null` pass: ≥ 2x faster, peak RSS < 2x the file;
//! - `temper trace FILE --json` on 50 MB and 200 MB temper JSONL: peak RSS of each, beside the
//!   same document from the trace loaded whole (which must be byte-identical);
//! - chains of 25k / 100k / 200k spans, each the parent of the next: time per span (linear);
//! - in process: a 100 MB temper JSONL load, detectors and walk (issue 6: ≤ 1.5 s, ≤ 3x file);
//! - OTLP protobuf against the same spans as OTLP/JSON (issue 26).
//!
//! Run with `cargo bench --bench trace` (see docs/performance.md); `-- NAME` runs only the cases
//! whose name holds NAME: jq, json, chains, load, proto.

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "trace_gen/mod.rs"]
mod trace_gen;

use baseline::{Better, Figures};

use opentelemetry_proto::tonic as pb;
use std::io::{BufWriter, Write};
use std::time::Instant;
use temper::trace::detectors::{self, Limits};
use temper::trace::{Document, Span, SpanKind, Status, ToolCall, Usage, write_jsonl};

const TARGET_BYTES: u64 = 100 * 1024 * 1024;

/// A realistic mix: per agent turn one chain, one retriever with 5 chunks, one LLM call, two tools.
fn turn(n: usize, t0: jiff::Timestamp) -> Vec<Span> {
    let at = |ms: i64| {
        t0.checked_add(jiff::SignedDuration::from_millis(n as i64 * 1000 + ms))
            .ok()
    };
    let root = format!("turn-{n}");
    let child = |id: &str, kind: SpanKind, name: &str, a: i64, b: i64| Span {
        id: format!("{root}-{id}").into(),
        parent: Some(root.clone().into()),
        kind,
        name: name.into(),
        start: at(a),
        end: at(b),
        status: Status::Ok,
        ..Span::default()
    };
    let chunk = "Card refunds are issued within 5 business days after the returned item reaches our warehouse. ";
    let mut retr = child("r", SpanKind::Retriever, "kb.search", 5, 90);
    retr.input = Some(format!("question {n}: how long do refunds take?"));
    retr.documents = (0..5)
        .map(|d| Document {
            id: Some(format!("kb-{:05}", (n * 7 + d) % 99_991)),
            source: Some(format!("faq/section-{d}.md")),
            score: Some(0.9 - d as f64 * 0.07),
            content: Some(chunk.repeat(2)),
        })
        .collect();
    let mut llm = child("l", SpanKind::Llm, "answer", 95, 900);
    llm.model = Some("gpt-4o-mini-2024-07-18".into());
    llm.input = Some(format!(
        "system: Answer from the context.\nuser: {}",
        chunk.repeat(4)
    ));
    llm.output = Some(format!(
        "Refunds take 5 business days [kb-{:05}].",
        (n * 7) % 99_991
    ));
    llm.usage = Some(Usage {
        prompt_tokens: Some(1184),
        completion_tokens: Some(64),
        total_tokens: Some(1248),
    });
    llm.cost = Some(0.000216);
    let tool = |id: &str, name: &str, a: i64| {
        let mut s = child(id, SpanKind::Tool, name, a, a + 40);
        s.tool = Some(ToolCall {
            name: name.into(),
            arguments: Some(format!(r#"{{"order_id":"{n}","verbose":false}}"#)),
            result: Some(r#"{"status":"delivered","items":[{"sku":"BX2","qty":1}]}"#.into()),
        });
        s
    };
    let root_span = Span {
        id: root.clone().into(),
        kind: SpanKind::Chain,
        name: "turn".into(),
        start: at(0),
        end: at(990),
        status: Status::Ok,
        input: Some(format!("question {n}")),
        ..Span::default()
    };
    vec![
        root_span,
        retr,
        llm,
        tool("t1", "get_order", 910),
        tool("t2", "send_email", 950),
    ]
}

/// One agent turn as OTLP protobuf spans with GenAI attributes: a chain, an LLM call with its
/// messages and usage, and a tool call.
fn proto_turn(n: u64, t0: u64) -> Vec<pb::trace::v1::Span> {
    use pb::common::v1::{AnyValue, KeyValue, any_value::Value as V};
    let kv = |k: &str, v: V| KeyValue {
        key: k.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    };
    let s = |k: &str, v: String| kv(k, V::StringValue(v));
    let id = |k: u64| (n * 4 + k).to_be_bytes().to_vec();
    let span =
        |k: u64, parent: Option<u64>, name: &str, attributes: Vec<KeyValue>| pb::trace::v1::Span {
            trace_id: [n.to_be_bytes(), n.to_be_bytes()].concat(),
            span_id: id(k),
            parent_span_id: parent.map(id).unwrap_or_default(),
            name: name.into(),
            start_time_unix_nano: t0 + n * 1_000_000_000 + k * 1_000_000,
            end_time_unix_nano: t0 + n * 1_000_000_000 + 900_000_000,
            attributes,
            ..Default::default()
        };
    let chunk = "Card refunds are issued within 5 business days after the returned item reaches our warehouse. ";
    vec![
        span(
            0,
            None,
            "invoke_agent support",
            vec![s("gen_ai.operation.name", "invoke_agent".into())],
        ),
        span(
            1,
            Some(0),
            "chat gpt-4o-mini",
            vec![
                s("gen_ai.operation.name", "chat".into()),
                s("gen_ai.request.model", "gpt-4o-mini-2024-07-18".into()),
                kv("gen_ai.usage.input_tokens", V::IntValue(1184)),
                kv("gen_ai.usage.output_tokens", V::IntValue(64)),
                s(
                    "gen_ai.input.messages",
                    format!(
                        r#"[{{"role":"user","parts":[{{"type":"text","content":"{}"}}]}}]"#,
                        chunk.repeat(4)
                    ),
                ),
                s(
                    "gen_ai.output.messages",
                    format!(
                        r#"[{{"role":"assistant","parts":[{{"type":"tool_call","id":"c{n}","name":"get_order","arguments":{{"order_id":"{n}"}}}}]}}]"#
                    ),
                ),
            ],
        ),
        span(
            2,
            Some(0),
            "execute_tool get_order",
            vec![
                s("gen_ai.operation.name", "execute_tool".into()),
                s("gen_ai.tool.name", "get_order".into()),
                s("gen_ai.tool.call.id", format!("c{n}")),
                s(
                    "gen_ai.tool.call.arguments",
                    format!(r#"{{"order_id":"{n}"}}"#),
                ),
                s(
                    "gen_ai.tool.call.result",
                    r#"{"status":"delivered"}"#.into(),
                ),
            ],
        ),
    ]
}

/// The same span as OTLP/JSON (hex ids, int64 as strings), as the JSON exporters write it.
fn span_json(sp: &pb::trace::v1::Span) -> serde_json::Value {
    use pb::common::v1::any_value::Value as V;
    let attrs: Vec<serde_json::Value> = sp
        .attributes
        .iter()
        .map(|kv| {
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(V::IntValue(i)) => serde_json::json!({"intValue": i.to_string()}),
                Some(V::StringValue(t)) => serde_json::json!({"stringValue": t}),
                _ => serde_json::json!({}),
            };
            serde_json::json!({"key": kv.key, "value": value})
        })
        .collect();
    serde_json::json!({
        "traceId": hex::encode(&sp.trace_id), "spanId": hex::encode(&sp.span_id),
        "parentSpanId": hex::encode(&sp.parent_span_id), "name": sp.name, "kind": 1,
        "startTimeUnixNano": sp.start_time_unix_nano.to_string(),
        "endTimeUnixNano": sp.end_time_unix_nano.to_string(),
        "attributes": attrs, "status": {}
    })
}

/// Issue 26: a 100 MB protobuf body loads at least as fast as the same spans in OTLP/JSON
/// (written as the JSON file exporter does, one export request of 512 spans per line).
fn otlp_proto_vs_json(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use prost::Message;
    let mut spans = Vec::new();
    let mut bytes = 0usize;
    let mut n = 0;
    while bytes < TARGET_BYTES as usize {
        for sp in proto_turn(n, 1_740_823_200_000_000_000) {
            bytes += sp.encoded_len() + 4;
            spans.push(sp);
        }
        n += 1;
    }
    let json_path = dir.join("big.otlp.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&json_path)?);
        for batch in spans.chunks(512) {
            let line = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans":
                batch.iter().map(span_json).collect::<Vec<_>>()}]}]});
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let request = pb::collector::trace::v1::ExportTraceServiceRequest {
        resource_spans: vec![pb::trace::v1::ResourceSpans {
            scope_spans: vec![pb::trace::v1::ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let pb_path = dir.join("big.pb");
    std::fs::write(&pb_path, request.encode_to_vec())?;
    drop(request);
    let mb = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len() as f64 / 1048576.0);
    let time =
        |p: &std::path::Path| -> Result<(f64, usize, usize, usize), Box<dyn std::error::Error>> {
            let started = Instant::now();
            let t = temper::trace::load(p, None)?;
            Ok((
                started.elapsed().as_secs_f64(),
                t.spans.len(),
                t.model_calls().len(),
                t.tool_call_count(),
            ))
        };
    let (pb_s, pb_spans, pb_llm, pb_tools) = time(&pb_path)?;
    let (json_s, json_spans, json_llm, json_tools) = time(&json_path)?;
    println!(
        "otlp-proto {:.1} MB: load {pb_s:.3} s · {pb_spans} spans · {pb_llm} LLM · {pb_tools} tools",
        mb(&pb_path)?
    );
    println!(
        "otlp/json  {:.1} MB: load {json_s:.3} s · {json_spans} spans · {json_llm} LLM · {json_tools} tools",
        mb(&json_path)?
    );
    println!(
        "protobuf / JSON load time: {:.2}x (target ≤ 1x)",
        pb_s / json_s
    );
    Ok(())
}

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn write_temper(path: &std::path::Path, bytes: u64) -> std::io::Result<u64> {
    let t0: jiff::Timestamp = "2025-03-01T10:00:00Z"
        .parse()
        .map_err(std::io::Error::other)?;
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let (mut n, mut written) = (0, 0u64);
    while written < bytes {
        let mut buf = Vec::new();
        write_jsonl(&turn(n, t0), &mut buf)?;
        written += buf.len() as u64;
        out.write_all(&buf)?;
        n += 1;
    }
    out.flush()?;
    Ok(written)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut figures = Figures::new("trace");
    // `cargo bench --bench trace -- json` runs only the cases whose name holds "json".
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |case: &str| filter.as_deref().is_none_or(|f| case.contains(f));
    if wanted("jq") {
        trace_gen::against_jq(dir.path(), &mut figures)?;
    }
    if wanted("json") {
        trace_gen::json_streams(dir.path(), &mut figures, write_temper)?;
    }
    if wanted("chains") {
        trace_gen::chains(dir.path(), &mut figures)?;
    }
    if wanted("load") {
        in_process(dir.path(), &mut figures)?;
    }
    if wanted("proto") {
        otlp_proto_vs_json(dir.path())?;
    }
    figures.finish();
    Ok(())
}

/// A 100 MB temper JSONL loaded, checked and walked in this process.
fn in_process(
    dir: &std::path::Path,
    figures: &mut Figures,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = dir.join("big.jsonl");
    let started = Instant::now();
    let size = write_temper(&path, TARGET_BYTES)?;
    println!(
        "generated {:.1} MB in {:.2?}",
        size as f64 / 1048576.0,
        started.elapsed()
    );
    let before = vm_hwm_kb().unwrap_or(0);

    let started = Instant::now();
    let mut trace = temper::trace::load(&path, None)?;
    let load = started.elapsed();
    let after_load = vm_hwm_kb().unwrap_or(0);
    let started = Instant::now();
    detectors::run(&mut trace, &Limits::default());
    let detect = started.elapsed();
    let started = Instant::now();
    let rows = trace.walk().len();
    let walk = started.elapsed();
    let peak = vm_hwm_kb().unwrap_or(0);

    println!(
        "spans {} · bad lines {} · flags {} · tree rows {rows}",
        trace.spans.len(),
        trace.bad_lines,
        trace.flags.len()
    );
    println!("load      {:>8.3} s   (target ≤ 1.5 s)", load.as_secs_f64());
    println!("detectors {:>8.3} s", detect.as_secs_f64());
    println!("walk      {:>8.3} s", walk.as_secs_f64());
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "VmHWM before load {:.1} MB, after load {:.1} MB, after detectors {:.1} MB",
        mb(before),
        mb(after_load),
        mb(peak)
    );
    println!(
        "peak / file size: {:.2}x after load, {:.2}x overall (target ≤ 3x)",
        after_load as f64 * 1024.0 / size as f64,
        peak as f64 * 1024.0 / size as f64
    );
    figures.record(
        "trace.temper_100mb_load_s",
        load.as_secs_f64(),
        Better::Lower,
    );
    figures.record(
        "trace.temper_100mb_detect_s",
        detect.as_secs_f64(),
        Better::Lower,
    );
    drop(trace);
    std::fs::remove_file(&path)?;
    Ok(())
}
