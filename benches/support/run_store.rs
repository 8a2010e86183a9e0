//! A real SQLite store with one run of one cell of N samples, filled through `Store::insert_samples`
//! (five distinct answers, 1% failed), and in-process peak RSS: shared by the history and
//! tui_runs benches.

#![allow(dead_code)]

use std::path::Path;
use std::time::Instant;
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{NewCell, NewSample, RunStatus, SampleStatus, Store};

pub const PROMPT: &str = "hist";
pub const MODEL: &str = "openai:gpt-4o-mini";

/// Peak resident memory of this process since the last [`reset_peak`], in MB.
pub fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Hand freed heap back to the OS, then reset VmHWM to the current RSS (Linux: writing 5 to
/// clear_refs), so a figure is not the memory an earlier step freed but malloc kept.
pub fn reset_peak() {
    // SAFETY: malloc_trim only releases free memory at the allocator's discretion.
    unsafe { libc::malloc_trim(0) };
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Time `f` and the peak RSS while it runs.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    reset_peak();
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64() * 1000.0, peak_mb())
}

/// A deterministic sample: five distinct answers, latencies spread over 1..500 ms.
pub fn sample(cell_id: i64, idx: u32) -> NewSample {
    let k = idx.wrapping_mul(2_654_435_761);
    let failed = k.is_multiple_of(97);
    NewSample {
        cell_id,
        idx,
        status: Some(if failed {
            SampleStatus::Error
        } else {
            SampleStatus::Ok
        }),
        output: (!failed).then(|| {
            format!(
                "Your refund was approved and will reach your card within {} business days. {}",
                3 + k % 5,
                "Reply to this message if anything else comes up; we are glad to help."
            )
        }),
        finish_reason: Some("stop".into()),
        input_tokens: Some(120),
        output_tokens: Some(i64::from(20 + k % 40)),
        usage_source: Some("provider".into()),
        latency_ms: Some(1.0 + f64::from(k % 499_000) / 1000.0),
        cost_usd: Some(f64::from(18 + k % 24) * 1e-6),
        error: failed.then(|| "HTTP 500 from the server".to_string()),
        attempts: 1,
        request_hash: Some("0123456789abcdef0123456789abcdef".into()),
        ..Default::default()
    }
}

/// A store at `path` with one run of one cell of `n` samples; (run id, version id, rows/s).
pub fn fill(path: &Path, n: u32) -> (i64, i64, f64) {
    let mut store = Store::open(path).expect("open store");
    let body = PromptBody {
        messages: vec![Message::new(Role::User, "Where is my refund?")],
        ..Default::default()
    };
    let version = store
        .save_version(PROMPT, &body, "")
        .expect("save")
        .version
        .id;
    let run = store.create_run("cli", None).expect("run");
    let cell = NewCell {
        prompt_version_id: version,
        variant_name: "mini".into(),
        variant_json: format!("{{\"model\":\"{MODEL}\"}}"),
        case_name: "default".into(),
        case_json: "{}".into(),
        n,
    };
    let cell = store.add_cell(run, &cell).expect("cell");
    let t = Instant::now();
    let mut idx = 0;
    while idx < n {
        let end = (idx + 5000).min(n);
        let batch: Vec<NewSample> = (idx..end).map(|i| sample(cell, i)).collect();
        store.insert_samples(&batch).expect("insert");
        idx = end;
    }
    let rate = f64::from(n) / t.elapsed().as_secs_f64();
    store.finish_run(run, RunStatus::Done).expect("finish");
    (run, version, rate)
}
