//! `temper check --run` on a stored run of one cell of N samples (`run_store::fill`: five
//! distinct answers, 1% failed): the real binary, the verdict in process, and the reference
//! beside them (every sample read back with `Store::checked_samples`, then evaluated: the path
//! the verdict took before). The two verdicts must agree to the byte.

use super::baseline::{Better, Figures};
use super::run_store::{fill, measure};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use temper::session::{CellFacts, Session, evaluate, metrics, stored};
use temper::store::Store;

/// Checks that fail on this data (errors, stability, distinct answers, an answer listed by
/// its samples, the dearest call, p95 latency) and two that hold.
const SESSION: &str = r#"name = "stored"
prompts = ["hist"]

[[variants]]
name = "mini"
model = "mock:echo"

[check]
must_contain = ["refund"]
must_not_contain = ["within 7"]
regex = ["business days\\."]
min_stability = 0.5
max_distinct = 3
max_cost_per_call_usd = 0.00004
max_p95_latency_ms = 400
"#;

/// Run `bin` to completion under `/usr/bin/time`; (wall ms, peak RSS in MB, stdout). A
/// verdict that fails exits 1, which is expected here.
fn run_temper(bin: &Path, dir: &Path, args: &[&str]) -> (f64, f64, String) {
    let rss_file = dir.join("check.rss");
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .arg(bin)
        .arg("--db")
        .arg(dir.join("check.db"))
        .args(args)
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env("NO_COLOR", "1")
        .stderr(Stdio::null())
        .output()
        .expect("/usr/bin/time (Debian package `time`) runs temper");
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "temper {args:?} failed: {:?}",
        out.status
    );
    let kb: f64 = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|t| t.trim().lines().last()?.parse().ok())
        .unwrap_or(f64::NAN);
    (
        wall,
        kb / 1024.0,
        String::from_utf8_lossy(&out.stdout).into(),
    )
}

/// The reference: every sample of the session's cells read back, then evaluated.
fn every_sample(store: &Store, session: &Session, run: i64) -> Vec<temper::session::Failure> {
    let cells = stored::session_cells(store, session, run, &[]).expect("cells");
    let samples: Vec<_> = cells
        .iter()
        .map(|c| store.checked_samples(c.id).expect("samples"))
        .collect();
    let labels = stored::labels(&cells);
    let grades = vec![Vec::new(); cells.len()];
    let facts: Vec<CellFacts<'_>> = stored::facts(&cells, &samples, &labels, &grades);
    let failures = evaluate(&session.check, session.mode, &facts);
    // The metrics were computed over the same held samples: part of the reference's work.
    std::hint::black_box(metrics::variant_metrics(&session.check, &facts));
    failures
}

pub fn bench(figures: &mut Figures, n: u32, label: &str) {
    let dir = match std::env::var_os("TEMPER_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let d = dir.path();
    let (run, _, rate) = fill(&d.join("check.db"), n);
    println!("stored {label}: filled {n} samples at {rate:.0} samples/s");
    std::fs::write(d.join("config.toml"), "").expect("config");
    std::fs::write(d.join("s.toml"), SESSION).expect("session");
    let session = Session::read(&d.join("s.toml")).expect("session parses");
    let run_arg = run.to_string();
    let (file, junit, summary) = (d.join("s.toml"), d.join("junit.xml"), d.join("summary.md"));
    let args = [
        "check",
        file.to_str().expect("utf-8 path"),
        "--run",
        &run_arg,
        "--junit",
        junit.to_str().expect("utf-8 path"),
        "--summary",
        summary.to_str().expect("utf-8 path"),
    ];
    let (ms, mb, text) = run_temper(Path::new(env!("CARGO_BIN_EXE_temper")), d, &args);
    println!("stored {label}: `temper check --run {run}` {ms:.0} ms, peak {mb:.1} MB");
    print!("{text}");
    figures.record(
        &format!("stored_{label}.temper_check_ms"),
        ms,
        Better::Lower,
    );
    figures.record(
        &format!("stored_{label}.temper_check_rss_mb"),
        mb,
        Better::Lower,
    );
    if let Some(bin) = std::env::var_os("TEMPER_CHECK_REFERENCE_BIN") {
        let files = || [&junit, &summary].map(|f| std::fs::read(f).expect("CI file written"));
        let ours = files();
        let (ms, mb, old) = run_temper(Path::new(&bin), d, &args);
        println!("stored {label}: reference binary, same command {ms:.0} ms, peak {mb:.1} MB");
        assert_eq!(old, text, "the reference binary's verdict differs");
        assert!(
            files() == ours,
            "the reference binary's JUnit or summary differs"
        );
    }

    let store = Store::open(&d.join("check.db")).expect("reopen");
    let (verdict, ms, mb) = measure(|| stored::verdict(&store, &session, run).expect("verdict"));
    println!("stored {label}: verdict in process {ms:.0} ms, peak {mb:.1} MB");
    figures.record(&format!("stored_{label}.verdict_ms"), ms, Better::Lower);
    figures.record(&format!("stored_{label}.verdict_rss_mb"), mb, Better::Lower);
    let (reference, ms, mb) = measure(|| every_sample(&store, &session, run));
    println!("stored {label}: reference (every sample read back) {ms:.0} ms, peak {mb:.1} MB");
    assert_eq!(
        verdict.checks.failures, reference,
        "the verdict from answers disagrees with the one from every sample"
    );
    assert_eq!(verdict.checks.failures.len(), 6, "{reference:#?}");
}
