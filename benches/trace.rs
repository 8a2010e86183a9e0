//! Load a generated 100 MB temper JSONL trace and report time and peak memory (VmHWM).
//! Run with `cargo bench --bench trace`. Target (issue 6): ≤ 1.5 s, peak ≤ 3x the file size.

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
        id: format!("{root}-{id}"),
        parent: Some(root.clone()),
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
        id: root.clone(),
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

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("big.jsonl");
    let t0: jiff::Timestamp = "2025-03-01T10:00:00Z".parse()?;
    let started = Instant::now();
    {
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        let mut n = 0;
        let mut written = 0u64;
        while written < TARGET_BYTES {
            let mut buf = Vec::new();
            write_jsonl(&turn(n, t0), &mut buf)?;
            written += buf.len() as u64;
            out.write_all(&buf)?;
            n += 1;
        }
        out.flush()?;
    }
    let size = std::fs::metadata(&path)?.len();
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
    Ok(())
}
