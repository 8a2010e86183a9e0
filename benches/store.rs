//! Store benchmark (issue 2 targets): 10,000 versions across 100 prompts ≤ 2 s;
//! `temper prompt log` on a prompt with 1,000 versions ≤ 50 ms (library call and whole process).
//!
//! Run: `cargo bench --bench store`

use std::time::{Duration, Instant};
use temper::prompt::{Message, PromptBody, Role};
use temper::store::Store;

fn body(prompt: usize, version: usize) -> PromptBody {
    PromptBody {
        messages: vec![
            Message::new(
                Role::System,
                "Answer only from the context. Cite chunk ids like [c2].",
            ),
            Message::new(
                Role::User,
                format!("Context:\n{{{{context}}}}\n\nQuestion {prompt}: revision {version}"),
            ),
        ],
        ..Default::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    std::fs::write(dir.path().join("none.toml"), "")?;
    let mut store = Store::open(&db)?;

    let start = Instant::now();
    for version in 0..100 {
        for prompt in 0..100 {
            store.save_version(
                &format!("prompt-{prompt:03}"),
                &body(prompt, version),
                "bench",
            )?;
        }
    }
    let create = start.elapsed();
    println!("create 10,000 versions across 100 prompts: {create:.2?} (target ≤ 2 s)");

    for version in 0..1_000 {
        store.save_version("big", &body(0, version), "bench")?;
    }
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            let log = store.log("big").map(|l| l.len());
            assert_eq!(log.ok(), Some(1_000));
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "store.log on 1,000 versions: median {:.2?}, max {:.2?}",
        times[25], times[49]
    );

    let exe = env!("CARGO_BIN_EXE_temper");
    let mut runs: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let out = std::process::Command::new(exe)
                .args(["prompt", "log", "big", "--db"])
                .arg(&db)
                .env("TEMPER_CONFIG", dir.path().join("none.toml"))
                .env("NO_COLOR", "1")
                .output();
            assert!(out.is_ok_and(|o| o.status.success() && o.stdout.len() > 1_000));
            t.elapsed()
        })
        .collect();
    runs.sort();
    println!(
        "`temper prompt log big` (1,000 versions, whole process): median {:.2?}, max {:.2?} (target ≤ 50 ms)",
        runs[10], runs[19]
    );
    Ok(())
}
