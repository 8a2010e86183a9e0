//! Runner throughput of the real binary against the reference server (nginx `return 200`
//! with a fixed chat completion), start-up and SQLite writes included (issue 25, goal 2):
//! - 1,000 samples at concurrency 32 beside promptfoo's `eval --repeat 1000 -j 32 --no-cache`
//!   on the same server (set PROMPTFOO_BIN to a promptfoo CLI); target ≥ 80x faster;
//! - 100,000 samples beside wrk's request rate on the same server; target ≥ 20% of it;
//! - with `-- million`, also 1,000,000 samples (10 models x 100,000, the most one cell takes):
//!   peak RSS beside the 100,000-sample run's (target flat in N, ≤ 40 MB at 1M; about a minute
//!   more).
//!
//! Run with `cargo bench --bench throughput`. Without nginx the temper figures are taken against
//! an in-process server and the comparisons are skipped (the bench says how to install it).

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "support/child.rs"]
mod child;
#[path = "support/nginx.rs"]
mod nginx;
#[path = "support/reply_server.rs"]
mod reply_server;

use baseline::{Better, Figures};
use child::measure;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const SMALL: u32 = 1_000;
const LARGE: u32 = 100_000;
const MILLION: u32 = 1_000_000;
/// Models of the 1M run: a cell takes at most 100,000 samples.
const MILLION_MODELS: usize = 10;
const CONCURRENCY: &str = "32";

fn temper_run(dir: &Path, db: &str, n: u32) -> Command {
    temper_run_models(dir, db, n, 1)
}

/// `temper run` of `n` samples on each of `models` models (`local:bench-model-K`; the server
/// answers every name alike).
fn temper_run_models(dir: &Path, db: &str, n: u32, models: usize) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_temper"));
    cmd.arg("--db")
        .arg(dir.join(db))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env_remove("TEMPER_DB")
        .args(["run", "support-answer", "-c", CONCURRENCY])
        .args(["-n", &n.to_string()]);
    for k in 0..models {
        let model = if models == 1 {
            "local:bench-model".to_string()
        } else {
            format!("local:bench-model-{k}")
        };
        cmd.args(["-m", &model]);
    }
    cmd
}

/// promptfoo's wall time for `eval --repeat 1000 -j 32 --no-cache`, when PROMPTFOO_BIN is set.
fn promptfoo(dir: &Path, base_url: &str) -> Option<Duration> {
    let Ok(bin) = std::env::var("PROMPTFOO_BIN") else {
        println!("promptfoo: set PROMPTFOO_BIN to a promptfoo CLI (npm i promptfoo) to compare");
        return None;
    };
    std::fs::write(
        dir.join("promptfooconfig.yaml"),
        "prompts:\n  - 'Answer briefly: {{question}}'\nproviders:\n  - openai:chat:bench-model\n\
         tests:\n  - vars:\n      question: What is the capital of France?\n",
    )
    .ok()?;
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .args(["eval", "-c", "promptfooconfig.yaml", "--repeat", "1000"])
        .args([
            "-j",
            CONCURRENCY,
            "--no-cache",
            "--no-progress-bar",
            "--no-table",
        ])
        .arg("-o")
        .arg(dir.join("promptfoo.json"))
        .env("OPENAI_BASE_URL", format!("{base_url}/v1"))
        .env("OPENAI_API_KEY", "sk-loopback")
        .env("PROMPTFOO_DISABLE_TELEMETRY", "1")
        .env("PROMPTFOO_DISABLE_UPDATE", "1")
        .env("PROMPTFOO_CONFIG_DIR", dir.join("promptfoo-home"));
    Some(measure(cmd).0)
}

/// wrk's requests per second over 5 s at 32 connections, when wrk is installed.
fn wrk_rate(url: &str) -> Option<f64> {
    let out = Command::new("wrk")
        .args(["-t", "2", "-c", CONCURRENCY, "-d", "5s", url])
        .output();
    let Ok(out) = out else {
        println!("wrk not found: install it (`apt-get install wrk`) to compare");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nginx = nginx::Nginx::start(d, reply_server::BODY);
    let fallback = nginx
        .is_none()
        .then(reply_server::ReplyServer::start)
        .map(|s| s.base_url().trim_end_matches("/v1").to_string());
    let base = nginx.as_ref().map(nginx::Nginx::url).or(fallback).unwrap();
    std::fs::write(
        d.join("config.toml"),
        format!("[providers.local]\nkind = \"openai\"\nbase_url = \"{base}/v1\"\n"),
    )
    .unwrap();
    let mut figures = Figures::new("throughput");

    measure(temper_run(d, "warm.db", 10));
    let (small, small_mb) = measure(temper_run(d, "small.db", SMALL));
    let small_ms = small.as_secs_f64() * 1000.0;
    println!("temper run -n {SMALL} -c {CONCURRENCY}: {small_ms:.0} ms, {small_mb:.1} MB");
    figures.record("throughput.run_1k_wall_ms", small_ms, Better::Lower);
    if nginx.is_some()
        && let Some(pf) = promptfoo(d, &base)
    {
        let speedup = pf.as_secs_f64() / small.as_secs_f64();
        println!(
            "promptfoo eval --repeat {SMALL} -j {CONCURRENCY} --no-cache: {:.0} ms; temper is {speedup:.0}x faster (target ≥ 80x)",
            pf.as_secs_f64() * 1000.0
        );
        figures.record(
            "throughput.speedup_vs_promptfoo_1k",
            speedup,
            Better::Higher,
        );
    }

    let (large, large_mb) = measure(temper_run(d, "large.db", LARGE));
    let rate = f64::from(LARGE) / large.as_secs_f64();
    println!(
        "temper run -n {LARGE} -c {CONCURRENCY}: {:.2} s, {rate:.0} samples/s, {large_mb:.1} MB",
        large.as_secs_f64()
    );
    figures.record("throughput.run_100k_samples_per_s", rate, Better::Higher);
    figures.record("throughput.run_100k_rss_mb", large_mb, Better::Lower);
    if nginx.is_some()
        && let Some(wrk) = wrk_rate(&base)
    {
        let share = rate / wrk * 100.0;
        println!(
            "wrk -t2 -c{CONCURRENCY} -d5s: {wrk:.0} requests/s; temper reaches {share:.1}% of it (target ≥ 20%)"
        );
        figures.record("throughput.share_of_wrk_pct", share, Better::Higher);
    }
    if std::env::args().skip(1).any(|a| a == "million") {
        let per_model = MILLION / MILLION_MODELS as u32;
        let (took, mb) = measure(temper_run_models(
            d,
            "million.db",
            per_model,
            MILLION_MODELS,
        ));
        println!(
            "temper run -n {MILLION} -c {CONCURRENCY}: {:.1} s, {:.0} samples/s, peak RSS {mb:.1} MB (at {LARGE}: {large_mb:.1} MB; target ≤ 40 MB, flat in N)",
            took.as_secs_f64(),
            f64::from(MILLION) / took.as_secs_f64()
        );
        figures.record("throughput.run_1m_rss_mb", mb, Better::Lower);
    }
    figures.finish();
}
