//! `temper check` at CI scale: 1,000 cases from a JSONL file x 2 variants x 5 samples on the
//! mock provider, through the real binary into a fresh SQLite file, with the JUnit and markdown
//! outputs written. Then (issue 25, goal 3) `temper check --run` re-evaluating a stored run of
//! one cell of 1,000,000 samples (five distinct answers, 1% failed), beside the path it
//! replaced: every sample read back, then evaluated. Run with `cargo bench --bench check`
//! (`-- mock` or `-- stored` for one case; `TEMPER_BENCH_DIR` picks where the store lives,
//! `TEMPER_CHECK_REFERENCE_BIN` adds an older `temper` binary's run of the same command).
//!
//! Targets (issue 20): the check completes in < 2 s; peak memory < 100 MB (the child's maxrss).
//! Issue 25: a stored run's check holds its distinct answers, not its samples.

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "support/check_stored.rs"]
mod check_stored;
#[path = "support/run_store.rs"]
mod run_store;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CASES: usize = 1000;

/// Peak resident memory of the waited-for children, in MB (Linux reports ru_maxrss in KB).
fn children_peak_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |case: &str| only.is_empty() || only.iter().any(|o| o == case);
    if wants("mock") {
        mock_session();
    }
    if wants("stored") {
        let mut figures = baseline::Figures::new("check");
        check_stored::bench(&mut figures, 1_000_000, "1m");
        figures.finish();
    }
}

/// 1,000 cases x 2 variants x 5 samples on the mock, run and checked by the real binary.
fn mock_session() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "").unwrap();
    let mut cases = String::new();
    for i in 0..CASES {
        let topic = [
            "charged twice on the invoice",
            "the site is down",
            "export crashes with a bug",
        ][i % 3];
        writeln!(
            cases,
            r#"{{"name": "q{i}", "ticket": "Ticket {i}: {topic}."}}"#
        )
        .unwrap();
    }
    std::fs::write(d.join("cases.jsonl"), cases).unwrap();
    let prompt =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sessions/prompts/route.toml");
    std::fs::write(
        d.join("bench.toml"),
        "name = \"bench\"\nsamples = 5\nconcurrency = 64\nprompts = [\"route\"]\ncases_file = \"cases.jsonl\"\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[[variants]]\nname = \"drift\"\nmodel = \"mock:drift?p=0.1\"\n\n[check]\nregex = [\"^(billing|outage|bug)$\"]\nmin_stability = 0.5\n",
    )
    .unwrap();
    let temper = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_temper"));
        cmd.arg("--db")
            .arg(d.join("t.db"))
            .env("TEMPER_CONFIG", d.join("config.toml"))
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    };
    let status = temper(&["prompt", "import"]).arg(&prompt).output().unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let started = Instant::now();
    let out = temper(&["check", "-y"])
        .arg(d.join("bench.toml"))
        .arg("--junit")
        .arg(d.join("junit.xml"))
        .arg("--summary")
        .arg(d.join("summary.md"))
        .output()
        .unwrap();
    let wall = started.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let junit = std::fs::metadata(d.join("junit.xml")).unwrap().len();
    println!(
        "check: {CASES} cases x 2 variants x 5 samples on the mock ({} calls), JUnit {} KB:",
        CASES * 10,
        junit / 1024
    );
    println!(
        "  wall {:.2} s (target < 2 s) · peak RSS {:.1} MB (target < 100 MB)",
        wall.as_secs_f64(),
        children_peak_rss_mb()
    );
}
