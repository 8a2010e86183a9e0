//! History at scale (issue 25, goals 2, 3 and 5 for runs): a real SQLite store filled through
//! the Store API with 100,000 and 1,000,000 samples in one cell, then the end-of-run summary,
//! the cost history every estimate reads, `temper cost` and `temper report` (the real binary),
//! and a report row in process, each beside the reference of reading every sample back (the
//! code path these replaced). Run with `cargo bench --bench history`.
//!
//! Targets: summary and cost history in memory flat in N (summary <= 40 MB at 1M samples);
//! `temper cost` O(1) in stored samples (was 290 MB / 0.72 s after 200k samples); `temper
//! report` O(1) in samples but the 4 bytes per answer of its clusters' member lists (was 192 MB
//! at 100k samples).
//! RSS in-process is VmHWM after resetting it (`/proc/self/clear_refs`); a child's is its
//! maxrss as `/usr/bin/time` reports it (a child forked from this large process would inherit
//! its RSS in ru_maxrss). The reference runs last: the memory it frees stays mapped. The store
//! lives in the system temp dir, or in `TEMPER_BENCH_DIR` when set.

#[path = "baseline/mod.rs"]
mod baseline;

use baseline::{Better, Figures};
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use temper::store::{SampleStatus, Store};

#[path = "support/run_store.rs"]
mod run_store;

use run_store::{MODEL, PROMPT, fill, measure};

/// Today's reference: read every sample of the run back and summarise in memory.
fn reference_summary(store: &Store, run: i64) -> (usize, usize, Option<f64>) {
    let mut rows = Vec::new();
    for cell in store.cells(run).expect("cells") {
        rows.extend(store.samples(cell.id).expect("samples"));
    }
    let ok: Vec<_> = rows
        .iter()
        .filter(|r| r.sample.status == Some(SampleStatus::Ok))
        .collect();
    let distinct: HashSet<&str> = ok
        .iter()
        .filter_map(|r| r.sample.output.as_deref())
        .collect();
    let mut latencies: Vec<f64> = ok.iter().filter_map(|r| r.sample.latency_ms).collect();
    latencies.sort_by(f64::total_cmp);
    (
        ok.len(),
        distinct.len(),
        temper::runner::percentile(&latencies, 95.0),
    )
}

/// Run the binary to completion under `/usr/bin/time`: (wall ms, its peak RSS in MB).
fn run_binary(db: &Path, args: &[&str]) -> (f64, f64) {
    let rss_file = db.with_extension("rss");
    let t = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_file)
        .arg(env!("CARGO_BIN_EXE_temper"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("/usr/bin/time (Debian package `time`) runs temper");
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    assert!(status.success(), "temper {args:?} failed");
    let kb: f64 = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|t| t.trim().lines().last()?.parse().ok())
        .unwrap_or(f64::NAN);
    (wall, kb / 1024.0)
}

/// A report row in process from the answer groups, beside the reference (every sample read
/// back, then `cell_report`): time, peak RSS, and the two rows must be equal.
fn report_rows(figures: &mut Figures, store: &Store, run: i64, label: &str) {
    use temper::analysis::cell::cell_report;
    use temper::analysis::stored::{CellAnswers, stored_cell_report};
    let cells = store.cells(run).expect("cells");
    let cell = cells.first().expect("one cell");
    let options = temper::analysis::Options::default();
    let (row, ms, mb) = measure(|| {
        let answers = CellAnswers::load(store, cell.id).expect("groups");
        stored_cell_report(store, cell, &answers, options).expect("row")
    });
    println!("{label}: report row from groups {ms:.0} ms, peak {mb:.1} MB");
    figures.record(&format!("{label}.report_row_ms"), ms, Better::Lower);
    figures.record(&format!("{label}.report_row_rss_mb"), mb, Better::Lower);
    let (reference, ms, mb) = measure(|| {
        let samples = store.samples(cell.id).expect("samples");
        cell_report(cell, &samples, options)
    });
    println!("{label}: reference report row (every sample read back) {ms:.0} ms, peak {mb:.1} MB");
    assert_eq!(
        row, reference,
        "the grouped report row disagrees with the reference"
    );
}

fn bench(figures: &mut Figures, n: u32, label: &str) {
    let dir = match std::env::var_os("TEMPER_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let db = dir.path().join("history.db");
    let (run, version, rate) = fill(&db, n);
    println!("{label}: filled {n} samples at {rate:.0} samples/s (Store::insert_samples)");
    figures.record(&format!("{label}.fill_samples_per_s"), rate, Better::Higher);
    let store = Store::open(&db).expect("reopen");

    let (summary, ms, mb) = measure(|| temper::runner::summarize(&store, run).expect("summary"));
    let s = &summary[0];
    let got = (s.ok, s.distinct, s.latency_p95_ms);
    println!("{label}: summary {ms:.0} ms, peak {mb:.1} MB (ok, distinct, p95: {got:?})");
    figures.record(&format!("{label}.summary_ms"), ms, Better::Lower);
    figures.record(&format!("{label}.summary_rss_mb"), mb, Better::Lower);

    let (history, ms, mb) =
        measure(|| temper::cost::history::version_history(&store, version).expect("history"));
    let h = history.get(MODEL).expect("model history");
    println!(
        "{label}: cost history {ms:.0} ms, peak {mb:.1} MB (p50 {:?} p95 {:?} tokens)",
        h.p50_output_tokens, h.p95_output_tokens
    );
    figures.record(&format!("{label}.cost_history_ms"), ms, Better::Lower);
    figures.record(&format!("{label}.cost_history_rss_mb"), mb, Better::Lower);

    let (ms, mb) = run_binary(&db, &["cost", PROMPT, "--model", MODEL]);
    println!("{label}: `temper cost {PROMPT} --model {MODEL}` {ms:.0} ms, {mb:.1} MB");
    figures.record(&format!("{label}.temper_cost_ms"), ms, Better::Lower);
    figures.record(&format!("{label}.temper_cost_rss_mb"), mb, Better::Lower);
    let (ms, mb) = run_binary(&db, &["report", &run.to_string()]);
    println!("{label}: `temper report {run}` {ms:.0} ms, {mb:.1} MB");
    figures.record(&format!("{label}.temper_report_ms"), ms, Better::Lower);
    figures.record(&format!("{label}.temper_report_rss_mb"), mb, Better::Lower);
    report_rows(figures, &store, run, label);

    let (reference, ms, mb) = measure(|| reference_summary(&store, run));
    println!("{label}: reference summary (every sample read back) {ms:.0} ms, peak {mb:.1} MB");
    assert_eq!(reference, got, "the aggregates disagree with the reference");
}

fn main() {
    let mut figures = Figures::new("history");
    bench(&mut figures, 100_000, "100k");
    bench(&mut figures, 1_000_000, "1m");
    figures.finish();
}
