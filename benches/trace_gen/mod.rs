//! The cases of `benches/trace.rs` that run the real `temper` binary on generated files and read
//! its peak RSS from the kernel (`wait4`), beside their references: a jq pass over the same file,
//! the same command on a 4x larger file, the same chain 8x longer.

use super::baseline::{Better, Figures};
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

/// Wall seconds and peak RSS (bytes) of `cmd`, its stdout thrown away.
fn run(cmd: &mut Command) -> Result<(f64, u64), Error> {
    run_into(cmd, Stdio::null())
}

/// Wall seconds and peak RSS (bytes) of `cmd`, its stdout sent to `stdout`.
fn run_into(cmd: &mut Command, stdout: Stdio) -> Result<(f64, u64), Error> {
    let started = Instant::now();
    let child = cmd.stdout(stdout).stderr(Stdio::piped()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid pointers to locals; the child is ours.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        return Err(format!("{cmd:?} failed (wait status {status})").into());
    }
    Ok((secs, usage.ru_maxrss as u64 * 1024))
}

fn temper() -> Command {
    Command::new(env!("CARGO_BIN_EXE_temper"))
}

const MB: f64 = 1048576.0;

/// One agent turn as Phoenix exports it: a chain, a retriever with 5 chunks, an LLM call with
/// messages and token counts, and a tool call, attributes nested.
fn openinference_turn(n: usize) -> Vec<serde_json::Value> {
    let chunk = "Card refunds are issued within 5 business days after the returned item reaches our warehouse. ";
    let answer = format!("Refunds take 5 business days [kb-{:05}].", (n * 7) % 99_991);
    let span = |sid: u32, parent: Option<u32>, kind: &str, name: &str, attributes| {
        json!({
            "name": name,
            "context": {"trace_id": format!("t{n:08x}"), "span_id": format!("{n:08x}{sid:02}")},
            "parent_id": parent.map(|p| format!("{n:08x}{p:02}")),
            "span_kind": kind,
            "start_time": format!("2025-03-01T10:{:02}:{:02}.{:03}000+00:00", (n / 60) % 60, n % 60, sid * 100),
            "end_time": format!("2025-03-01T10:{:02}:{:02}.990000+00:00", (n / 60) % 60, n % 60),
            "status_code": "OK", "status_message": "", "events": [],
            "attributes": attributes,
        })
    };
    let docs: Vec<_> = (0..5)
        .map(|d| {
            json!({"document": {"id": format!("kb-{:05}", (n * 7 + d) % 99_991),
            "score": 0.9 - d as f64 * 0.07, "content": chunk.repeat(2),
            "metadata": {"source": format!("faq/section-{d}.md")}}})
        })
        .collect();
    vec![
        span(
            0,
            None,
            "CHAIN",
            "turn",
            json!({"openinference": {"span": {"kind": "CHAIN"}},
            "input": {"value": format!("question {n}")}, "output": {"value": answer}}),
        ),
        span(
            1,
            Some(0),
            "RETRIEVER",
            "kb.search",
            json!({"openinference": {"span": {"kind": "RETRIEVER"}},
            "input": {"value": format!("question {n}: how long do refunds take?")},
            "retrieval": {"documents": docs}}),
        ),
        span(
            2,
            Some(0),
            "LLM",
            "ChatOpenAI",
            json!({"openinference": {"span": {"kind": "LLM"}},
            "llm": {"model_name": "gpt-4o-mini-2024-07-18",
                "input_messages": [{"message": {"role": "system", "content": "Answer from the context."}},
                    {"message": {"role": "user", "content": chunk.repeat(4)}}],
                "output_messages": [{"message": {"role": "assistant", "content": answer}}],
                "token_count": {"prompt": 1184, "completion": 64, "total": 1248},
                "invocation_parameters": "{\"temperature\": 0.2}"},
            "input": {"value": chunk.repeat(4)}, "output": {"value": answer}}),
        ),
        span(
            3,
            Some(0),
            "TOOL",
            "get_order",
            json!({"openinference": {"span": {"kind": "TOOL"}},
            "tool": {"name": "get_order", "parameters": format!("{{\"order_id\":\"{n}\"}}")},
            "input": {"value": format!("{{\"order_id\":\"{n}\",\"verbose\":false}}")},
            "output": {"value": "{\"status\":\"delivered\",\"items\":[{\"sku\":\"BX2\",\"qty\":1}]}"}}),
        ),
    ]
}

fn write_openinference(path: &Path, bytes: u64) -> Result<u64, Error> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let (mut n, mut written) = (0, 0u64);
    while written < bytes {
        for span in openinference_turn(n) {
            let line = serde_json::to_string(&span)?;
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            written += line.len() as u64 + 1;
        }
        n += 1;
    }
    out.flush()?;
    Ok(written)
}

/// Goal 4: `temper trace` on a 100 MB OpenInference JSONL against one jq pass.
pub fn against_jq(dir: &Path, figures: &mut Figures) -> Result<(), Error> {
    let path = dir.join("big.openinference.jsonl");
    let size = write_openinference(&path, 100 * 1024 * 1024)? as f64;
    let (open_s, rss) = run(temper().arg("trace").arg(&path))?;
    println!(
        "temper trace, {:.1} MB OpenInference JSONL: {open_s:.3} s, peak RSS {:.1} MB = {:.2}x the file (target < 2x)",
        size / MB,
        rss as f64 / MB,
        rss as f64 / size
    );
    figures.record("trace.openinference_100mb_open_s", open_s, Better::Lower);
    figures.record(
        "trace.openinference_100mb_rss_ratio",
        rss as f64 / size,
        Better::Lower,
    );
    match run(Command::new("jq").args(["-c", "."]).arg(&path)) {
        Ok((jq_s, _)) => {
            println!(
                "jq -c . on the same file: {jq_s:.3} s → temper is {:.2}x faster (target ≥ 2x)",
                jq_s / open_s
            );
            figures.record(
                "trace.openinference_vs_jq_speedup",
                jq_s / open_s,
                Better::Higher,
            );
        }
        Err(e) => println!("jq not run ({e}); install it with `apt-get install jq` to compare"),
    }
    std::fs::remove_file(&path)?;
    Ok(())
}

/// Goal 4: `temper trace FILE --json` streams its output; its peak RSS on 50 MB and 200 MB,
/// each beside the loading path on the same file (an empty logs file after it loads the
/// trace whole, as every `--json` did before), whose document must be the same byte for byte.
pub fn json_streams(
    dir: &Path,
    figures: &mut Figures,
    write: fn(&Path, u64) -> std::io::Result<u64>,
) -> Result<(), Error> {
    let no_logs = dir.join("no-logs.json");
    std::fs::write(&no_logs, "{}")?;
    let mut peaks = Vec::new();
    for mb in [50u64, 200] {
        let path = dir.join(format!("json-{mb}.jsonl"));
        let size = write(&path, mb * 1024 * 1024)? as f64;
        let docs = [dir.join("streamed.json"), dir.join("loaded.json")];
        let json = |logs: &[&Path], doc: &Path| {
            let mut cmd = temper();
            cmd.args(["--json", "trace"]).arg(&path).args(logs);
            run_into(&mut cmd, std::fs::File::create(doc)?.into())
        };
        let (secs, rss) = json(&[], &docs[0])?;
        let (ref_secs, ref_rss) = json(&[&no_logs], &docs[1])?;
        println!(
            "temper --json trace, {:.1} MB temper JSONL: {secs:.3} s, peak RSS {:.1} MB ({:.2}x the file); loaded whole: {ref_secs:.3} s, {:.1} MB",
            size / MB,
            rss as f64 / MB,
            rss as f64 / size,
            ref_rss as f64 / MB,
        );
        if !same_file(&docs[0], &docs[1])? {
            return Err(format!(
                "--json on {mb} MB: the streamed document differs from the loaded one"
            )
            .into());
        }
        figures.record(&format!("trace.json_{mb}mb_s"), secs, Better::Lower);
        figures.record(
            &format!("trace.json_{mb}mb_rss_mb"),
            rss as f64 / MB,
            Better::Lower,
        );
        peaks.push(rss as f64);
        for p in docs.iter().chain([&path]) {
            std::fs::remove_file(p)?;
        }
    }
    println!(
        "--json peak RSS 200 MB / 50 MB: {:.2}x (1x = independent of the file size)",
        peaks[1] / peaks[0]
    );
    figures.record(
        "trace.json_rss_200mb_over_50mb",
        peaks[1] / peaks[0],
        Better::Lower,
    );
    Ok(())
}

/// The two files hold the same bytes (read in pieces: they are large).
fn same_file(a: &Path, b: &Path) -> Result<bool, Error> {
    use std::io::Read;
    let (mut a, mut b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = a.read(&mut x)?;
        let mut got = 0;
        while got < n {
            match b.read(&mut y[got..n])? {
                0 => return Ok(false),
                k => got += k,
            }
        }
        if n == 0 {
            return Ok(b.read(&mut y)? == 0);
        }
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

/// Goal 4: a chain of spans, each the parent of the next (LLM and tool spans alternating).
fn write_chain(path: &Path, n: usize) -> Result<(), Error> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        let mut span = json!({"id": format!("s{i}"), "kind": if i % 2 == 1 { "llm" } else { "tool" },
            "name": "step", "start": "2025-03-01T10:00:00Z"});
        if i > 0 {
            span["parent"] = json!(format!("s{}", i - 1));
        }
        if i % 2 == 0 {
            span["tool"] = json!({"name": "lookup", "arguments": format!("{{\"i\":{i}}}")});
        }
        writeln!(out, "{span}")?;
    }
    out.flush()?;
    Ok(())
}

/// Goal 4: `temper trace` on chains of 25k, 100k and 200k spans; linear means the same time
/// per span at every length.
pub fn chains(dir: &Path, figures: &mut Figures) -> Result<(), Error> {
    let mut per_span = Vec::new();
    for n in [25_000usize, 100_000, 200_000] {
        let path = dir.join(format!("chain-{n}.jsonl"));
        write_chain(&path, n)?;
        let (secs, _) = run(temper().arg("trace").arg(&path))?;
        println!(
            "temper trace, chain of {n} spans: {secs:.3} s ({:.2} µs per span)",
            secs * 1e6 / n as f64
        );
        figures.record(&format!("trace.chain_{}k_s", n / 1000), secs, Better::Lower);
        per_span.push(secs / n as f64);
        std::fs::remove_file(&path)?;
    }
    let growth = per_span[2] / per_span[0];
    println!("time per span, 200k chain / 25k chain: {growth:.2}x (1x = linear; was ~8x)");
    figures.record("trace.chain_per_span_growth", growth, Better::Lower);
    Ok(())
}
