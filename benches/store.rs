//! Store benchmark (issue 2 targets): 10,000 versions across 100 prompts ≤ 2 s;
//! `temper prompt log` on a prompt with 1,000 versions ≤ 50 ms (library call and whole process).
//! Issue 21: 10,000 samples stored (batches of 256, as the runner's writer commits them) on a
//! local PostgreSQL in ≤ 2x the SQLite time, and the same `prompt log` target there.
//!
//! Run: `cargo bench --bench store` (SQLite only), or
//! `scripts/test-postgres cargo bench --bench store` for both backends.

use std::path::Path;
use std::time::{Duration, Instant};
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{NewCell, NewSample, SampleStatus, Store};

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

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("none.toml"), "")?;
    let db = dir.path().join("bench.db");
    println!("== SQLite");
    create_versions(&db)?;
    let sqlite = samples(&db)?;
    log(&db, dir.path())?;
    let Some(server) = std::env::var("TEMPER_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("(TEMPER_TEST_PG not set: PostgreSQL skipped; scripts/test-postgres runs it)");
        return Ok(());
    };
    let name = format!("temper_bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls)?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let url = format!(
        "{}/{name}",
        &server[..server.rfind('/').unwrap_or(server.len())]
    );
    println!("== PostgreSQL");
    let result = samples(Path::new(&url)).and_then(|pg| {
        log(Path::new(&url), dir.path())?;
        println!(
            "PostgreSQL / SQLite for 10,000 samples: {:.2}x (target ≤ 2x)",
            pg.as_secs_f64() / sqlite.as_secs_f64()
        );
        Ok(())
    });
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))?;
    result
}

/// 10,000 samples in batches of 256 into one run; returns the time taken.
fn samples(db: &Path) -> Res<Duration> {
    let mut store = Store::open(db)?;
    let version = store
        .save_version("sampled", &body(0, 0), "bench")?
        .version
        .id;
    let run = store.create_run("cli", None)?;
    let cell = NewCell {
        prompt_version_id: version,
        variant_name: "mock:echo".into(),
        variant_json: "{}".into(),
        case_name: "default".into(),
        case_json: "{}".into(),
        n: 10_000,
    };
    let cell_id = store.add_cell(run, &cell)?;
    let all: Vec<NewSample> = (0..10_000u32)
        .map(|idx| NewSample {
            cell_id,
            idx,
            status: Some(SampleStatus::Ok),
            output: Some(format!(
                "Annual plans are refundable within 30 days [c2]. ({idx})"
            )),
            finish_reason: Some("stop".into()),
            input_tokens: Some(154),
            output_tokens: Some(16),
            latency_ms: Some(1.0),
            cost_usd: Some(0.0),
            attempts: 1,
            request_hash: Some(format!("{idx:064x}")),
            logprobs: Some(vec![7u8; 96]),
            ..Default::default()
        })
        .collect();
    let start = Instant::now();
    for batch in all.chunks(256) {
        store.insert_samples(batch)?;
    }
    let took = start.elapsed();
    assert_eq!(store.sample_count(run)?, 10_000);
    println!("store 10,000 samples (batches of 256): {took:.2?}");
    Ok(took)
}

fn create_versions(db: &Path) -> Res<()> {
    let mut store = Store::open(db)?;
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
    Ok(())
}

/// `log` on a prompt with 1,000 versions, as a library call and as a whole process.
fn log(db: &Path, dir: &Path) -> Res<()> {
    let mut store = Store::open(db)?;
    let start = Instant::now();
    for version in 0..1_000 {
        store.save_version("big", &body(0, version), "bench")?;
    }
    println!("save 1,000 versions of one prompt: {:.2?}", start.elapsed());
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
                .arg(db)
                .env("TEMPER_CONFIG", dir.join("none.toml"))
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
