//! A promptfoo suite at scale: 200 tests x 2 providers x N=5 through `temper check` (the real
//! binary, a fresh SQLite file, JUnit written), on the mock and on a loopback OpenAI-compatible
//! server; and, when PROMPTFOO_BIN names a promptfoo CLI, the same config through
//! `promptfoo eval --repeat 5` against the same server, side by side.
//! Run with `cargo bench --bench promptfoo` (target: the mock run under 1 s).

#[path = "../tests/promptfoo_server/mod.rs"]
mod promptfoo_server;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const TESTS: usize = 200;

/// Peak RSS of the largest waited-for child so far, in MB.
fn children_peak_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// The suite: two prompts would double the calls, so one prompt, 200 tests, two providers.
fn write_suite(d: &Path) {
    let mut tests = String::from("question,__expected\n");
    let topics = [
        "What is the capital of France?",
        "I'm hungry",
        "Tell a story in JSON",
        "flip a coin",
    ];
    let expected = [
        "icontains:paris",
        "contains:grub",
        "is-json",
        "contains-any:heads",
    ];
    for i in 0..TESTS {
        writeln!(tests, "\"{} (#{i})\",{}", topics[i % 4], expected[i % 4]).unwrap();
    }
    std::fs::write(d.join("tests.csv"), tests).unwrap();
    std::fs::write(
        d.join("promptfooconfig.yaml"),
        "description: bench\nprompts:\n  - 'Answer briefly: {{question}}'\nproviders:\n  - openai:chat:gpt-4o-mini\n  - openai:chat:gpt-4.1-mini\ntests: file://tests.csv\n",
    )
    .unwrap();
}

fn timed(mut cmd: Command) -> (Duration, Output) {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    (started.elapsed(), out)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "[run]\nconcurrency = 16\n").unwrap();
    write_suite(d);
    let server = promptfoo_server::ChatServer::start();
    let temper = |db: &str, extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_temper"));
        cmd.arg("--db")
            .arg(d.join(db))
            .env("TEMPER_CONFIG", d.join("config.toml"))
            .env("OPENAI_BASE_URL", server.base_url())
            .env("OPENAI_API_KEY", "sk-loopback")
            .env("NO_COLOR", "1")
            .args(["check", "-y", "-n", "5", "--junit"])
            .arg(d.join("junit.xml"))
            .args(extra)
            .arg(d.join("promptfooconfig.yaml"));
        cmd
    };
    let calls = TESTS * 2 * 5;
    let (mock, out) = timed(temper(
        "mock.db",
        &["--model", "mock:echo", "--model", "mock:drift?p=0.1"],
    ));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("promptfoo suite: {TESTS} tests x 2 providers x N=5 ({calls} calls)");
    println!(
        "  temper, mock:            wall {:.2} s (target < 1 s) · peak RSS {:.1} MB",
        mock.as_secs_f64(),
        children_peak_rss_mb()
    );
    let (http, out) = timed(temper("http.db", &[]));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "  temper, loopback server: wall {:.2} s · peak RSS {:.1} MB · {} requests",
        http.as_secs_f64(),
        children_peak_rss_mb(),
        server.calls()
    );
    let Ok(bin) = std::env::var("PROMPTFOO_BIN") else {
        println!("  promptfoo: set PROMPTFOO_BIN to a promptfoo CLI to compare");
        return;
    };
    let before = server.calls();
    let mut cmd = Command::new(bin);
    cmd.current_dir(d)
        .args([
            "eval",
            "-c",
            "promptfooconfig.yaml",
            "--repeat",
            "5",
            "--no-cache",
            "--no-progress-bar",
            "--no-table",
            "-j",
            "16",
            "-o",
        ])
        .arg(d.join("promptfoo.json"))
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-loopback")
        .env("PROMPTFOO_DISABLE_TELEMETRY", "1")
        .env("PROMPTFOO_DISABLE_UPDATE", "1")
        .env("PROMPTFOO_CONFIG_DIR", d.join("promptfoo-home"));
    let (wall, out) = timed(cmd);
    println!(
        "  promptfoo eval --repeat 5: wall {:.2} s · peak RSS {:.1} MB (max of all children so far) · {} requests · exit {:?}",
        wall.as_secs_f64(),
        children_peak_rss_mb(),
        server.calls() - before,
        out.status.code()
    );
}
