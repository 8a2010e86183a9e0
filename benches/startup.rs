//! Start-up of the real binary (issue 25, goal 1): `temper run P -n 1` against a loopback
//! OpenAI-compatible server, wall time and peak RSS of the whole process, beside
//! `temper --version` (the floor any process of this binary pays); and the TUI's first frame
//! (spawn to the prompt list drawn) in a pseudo-terminal. Run with `cargo bench --bench startup`.
//!
//! Targets: run ≤ 30 ms wall and ≤ 25 MB RSS; first frame ≤ 50 ms. The run uses a model the
//! price table does not list, on a loopback URL (a local server: $0), so nothing needs an exact
//! token count; the same run with `gpt-4o-mini` (priced, so its estimate counts the prompt with
//! the BPE table) is measured beside it.

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "support/child.rs"]
mod child;
#[path = "support/reply_server.rs"]
mod reply_server;

use baseline::{Better, Figures};
use child::measure;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Timed runs per figure (after one warm-up run).
const RUNS: usize = 15;

/// Median wall (ms) and largest peak RSS (MB) over [`RUNS`] runs of `make()`.
fn sample(make: impl Fn() -> Command) -> (f64, f64) {
    measure(make());
    let mut walls = Vec::new();
    let mut rss: f64 = 0.0;
    for _ in 0..RUNS {
        let (wall, mb) = measure(make());
        walls.push(wall.as_secs_f64() * 1000.0);
        rss = rss.max(mb);
    }
    walls.sort_by(f64::total_cmp);
    (walls[walls.len() / 2], rss)
}

fn temper(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_temper"));
    cmd.arg("--db")
        .arg(dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env_remove("TEMPER_DB")
        .env("NO_COLOR", "1");
    cmd
}

/// Spawn to the first frame holding the prompt list, in a 40x120 pseudo-terminal.
fn tui_first_frame(dir: &Path) -> Duration {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_temper"));
    cmd.arg("--db");
    cmd.arg(dir.join("t.db"));
    cmd.env("TEMPER_CONFIG", dir.join("config.toml"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("TEMPER_DB");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        40.try_into().unwrap(),
        120.try_into().unwrap(),
        0,
    )));
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let sink = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let drawn = loop {
        if parser
            .lock()
            .unwrap()
            .screen()
            .contents()
            .contains("support-answer")
        {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no frame");
        std::thread::sleep(Duration::from_micros(200));
    };
    child.kill().unwrap();
    let _ = child.wait();
    drawn
}

fn main() {
    let server = reply_server::ReplyServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("config.toml"),
        format!(
            "[providers.local]\nkind = \"openai\"\nbase_url = \"{}\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let out = temper(d).args(["prompt", "list"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let run = |model: &'static str| {
        move || {
            let mut cmd = temper(d);
            cmd.args(["run", "support-answer", "-n", "1", "-m", model]);
            cmd
        }
    };
    let mut figures = Figures::new("startup");
    let (version_ms, version_mb) = sample(|| {
        let mut cmd = temper(d);
        cmd.arg("--version");
        cmd
    });
    println!("temper --version: {version_ms:.1} ms, {version_mb:.1} MB (the floor)");
    let (run_ms, run_mb) = sample(run("local:bench-model"));
    println!(
        "temper run P -n 1 (local model on loopback): {run_ms:.1} ms (target ≤ 30), {run_mb:.1} MB (target ≤ 25)"
    );
    let (priced_ms, priced_mb) = sample(run("local:gpt-4o-mini"));
    println!(
        "temper run P -n 1 (gpt-4o-mini on loopback, priced: BPE count): {priced_ms:.1} ms, {priced_mb:.1} MB"
    );
    let calls_before = server.calls();
    assert!(calls_before >= 2 * (RUNS + 1), "{calls_before} calls");
    let mut frames: Vec<f64> = (0..5)
        .map(|_| tui_first_frame(d).as_secs_f64() * 1000.0)
        .collect();
    frames.sort_by(f64::total_cmp);
    let frame_ms = frames[frames.len() / 2];
    println!("temper (TUI) first frame: {frame_ms:.1} ms (target ≤ 50)");
    figures.record("startup.version_wall_ms", version_ms, Better::Lower);
    figures.record("startup.run_wall_ms", run_ms, Better::Lower);
    figures.record("startup.run_rss_mb", run_mb, Better::Lower);
    figures.record("startup.run_priced_wall_ms", priced_ms, Better::Lower);
    figures.record("startup.run_priced_rss_mb", priced_mb, Better::Lower);
    figures.record("startup.tui_first_frame_ms", frame_ms, Better::Lower);
    figures.finish();
}
