//! Store benchmark (issue 2 targets): 10,000 versions across 100 prompts ≤ 2 s;
//! `temper prompt log` on a prompt with 1,000 versions ≤ 50 ms (library call and whole process).
//! Issue 21: 10,000 samples stored (batches of 256, as the runner's writer commits them) on a
//! local PostgreSQL in ≤ 2x the SQLite time, and the same `prompt log` target there. The two
//! backends store their 10,000 samples in alternating rounds (median of [`ROUNDS`]), so load on
//! the machine falls on both alike.
//!
//! Run: `cargo bench --bench store` (SQLite only), or
//! `scripts/test-postgres cargo bench --bench store` for both backends.

#[path = "baseline/mod.rs"]
mod baseline;

use baseline::{Better, Figures};
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

/// Rounds of 10,000 samples per backend; the median is the figure.
const ROUNDS: usize = 5;

fn main() -> Res<()> {
    let mut figures = Figures::new("store");
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("none.toml"), "")?;
    let db = dir.path().join("bench.db");
    println!("== SQLite");
    create_versions(&db, &mut figures)?;
    log(&db, dir.path(), ("sqlite", &mut figures))?;
    let mut sqlite = SampleBench::new(&db)?;
    let Some(server) = std::env::var("TEMPER_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        let took = median((0..ROUNDS).map(|_| sqlite.round(256)).collect::<Res<_>>()?);
        println!("store 10,000 samples (batches of 256): median {took:.2?}");
        figures.record("store.sqlite_10k_samples_ms", ms(took), Better::Lower);
        println!("(TEMPER_TEST_PG not set: PostgreSQL skipped; scripts/test-postgres runs it)");
        figures.finish();
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
    let result = compare(
        &mut sqlite,
        (Path::new(&url), &name, &mut admin),
        &mut figures,
    )
    .and_then(|()| log(Path::new(&url), dir.path(), ("pg", &mut figures)));
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))?;
    result?;
    figures.finish();
    Ok(())
}

/// 10,000 samples on SQLite and on PostgreSQL, rounds alternating; records both and the ratio,
/// in wall time and in CPU time (SQLite: this thread; PostgreSQL: this thread plus the server
/// backend serving it). CPU time hardly moves with other load on the machine, wall time does.
fn compare(
    sqlite: &mut SampleBench,
    (pg, name, admin): (&Path, &str, &mut postgres::Client),
    figures: &mut Figures,
) -> Res<()> {
    let mut pg = SampleBench::new(pg)?;
    let backend: i32 = admin
        .query_one(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'temper' AND datname = $1",
            &[&name],
        )?
        .get(0);
    let (mut lite, mut server) = (Vec::new(), Vec::new());
    let (mut lite_cpu, mut client_cpu, mut server_cpu) = (0.0, 0.0, 0.0);
    for _ in 0..ROUNDS {
        let cpu = thread_cpu_ms();
        lite.push(sqlite.round(256)?);
        lite_cpu += thread_cpu_ms() - cpu;
        let (cpu, backend_cpu) = (thread_cpu_ms(), process_cpu_ms(backend));
        server.push(pg.round(256)?);
        client_cpu += thread_cpu_ms() - cpu;
        server_cpu += process_cpu_ms(backend) - backend_cpu;
    }
    let rounds = ROUNDS as f64;
    let (lite_cpu, client_cpu, server_cpu) =
        (lite_cpu / rounds, client_cpu / rounds, server_cpu / rounds);
    println!(
        "CPU per 10,000 samples: SQLite {lite_cpu:.1} ms; PostgreSQL {:.1} ms (temper {client_cpu:.1} ms + server backend {server_cpu:.1} ms): {:.2}x",
        client_cpu + server_cpu,
        (client_cpu + server_cpu) / lite_cpu
    );
    figures.record("store.sqlite_10k_samples_cpu_ms", lite_cpu, Better::Lower);
    figures.record(
        "store.pg_10k_samples_client_cpu_ms",
        client_cpu,
        Better::Lower,
    );
    figures.record(
        "store.pg_10k_samples_server_cpu_ms",
        server_cpu,
        Better::Lower,
    );
    let (lite, server) = (median(lite), median(server));
    println!(
        "store 10,000 samples (batches of 256), median of {ROUNDS}: SQLite {lite:.2?}, PostgreSQL {server:.2?}"
    );
    let ratio = server.as_secs_f64() / lite.as_secs_f64();
    println!("PostgreSQL / SQLite for 10,000 samples: {ratio:.2}x (target ≤ 2x)");
    figures.record("store.sqlite_10k_samples_ms", ms(lite), Better::Lower);
    figures.record("store.pg_10k_samples_ms", ms(server), Better::Lower);
    figures.record("store.pg_over_sqlite_10k_samples", ratio, Better::Lower);
    larger_batches(sqlite, &mut pg, figures)
}

/// The same 10,000 samples in fewer, larger batches (what a writer committing less often would
/// send): fewer round trips and statements per sample on both backends.
fn larger_batches(
    sqlite: &mut SampleBench,
    pg: &mut SampleBench,
    figures: &mut Figures,
) -> Res<()> {
    for batch in [1024, 4096] {
        let (mut lite, mut server) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            lite.push(sqlite.round(batch)?);
            server.push(pg.round(batch)?);
        }
        let (lite, server) = (median(lite), median(server));
        let ratio = server.as_secs_f64() / lite.as_secs_f64();
        println!(
            "store 10,000 samples (batches of {batch}), median of {ROUNDS}: SQLite {lite:.2?}, PostgreSQL {server:.2?}: {ratio:.2}x"
        );
        figures.record(
            &format!("store.pg_over_sqlite_10k_samples_batch{batch}"),
            ratio,
            Better::Lower,
        );
    }
    Ok(())
}

/// CPU time of this thread so far, in ms.
fn thread_cpu_ms() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_THREAD is Linux's per-thread usage.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr());
        usage.assume_init()
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// CPU time of process `pid` (the PostgreSQL backend, on this machine) so far, in ms, from
/// /proc/PID/stat (utime + stime, in clock ticks); 0 when it cannot be read.
fn process_cpu_ms(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is parenthesised and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let field = |n: usize| -> f64 {
        rest.split_whitespace()
            .nth(n)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (field(11) + field(12)) * 1000.0 / ticks.max(1.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A store with one run, taking rounds of 10,000 samples (each round a new cell).
struct SampleBench {
    store: Store,
    version: i64,
    run: i64,
    rounds: i64,
}

impl SampleBench {
    fn new(db: &Path) -> Res<SampleBench> {
        let mut store = Store::open(db)?;
        let version = store
            .save_version("sampled", &body(0, 0), "bench")?
            .version
            .id;
        let run = store.create_run("cli", None)?;
        Ok(SampleBench {
            store,
            version,
            run,
            rounds: 0,
        })
    }

    /// 10,000 samples in batches of `batch` into a new cell; returns the time taken.
    fn round(&mut self, batch: usize) -> Res<Duration> {
        let cell = NewCell {
            prompt_version_id: self.version,
            variant_name: "mock:echo".into(),
            variant_json: "{}".into(),
            case_name: format!("case-{}", self.rounds),
            case_json: "{}".into(),
            n: 10_000,
        };
        let cell_id = self.store.add_cell(self.run, &cell)?;
        let all: Vec<NewSample> = (0..10_000u32).map(|idx| sample(cell_id, idx)).collect();
        let start = Instant::now();
        for chunk in all.chunks(batch) {
            self.store.insert_samples(chunk)?;
        }
        let took = start.elapsed();
        self.rounds += 1;
        assert_eq!(self.store.sample_count(self.run)?, 10_000 * self.rounds);
        Ok(took)
    }
}

fn sample(cell_id: i64, idx: u32) -> NewSample {
    NewSample {
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
    }
}

fn create_versions(db: &Path, figures: &mut Figures) -> Res<()> {
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
    figures.record(
        "store.sqlite_create_10k_versions_ms",
        ms(create),
        Better::Lower,
    );
    Ok(())
}

/// `log` on a prompt with 1,000 versions, as a library call and as a whole process.
fn log(db: &Path, dir: &Path, (backend, figures): (&str, &mut Figures)) -> Res<()> {
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
    figures.record(
        &format!("store.{backend}_log_1k_versions_ms"),
        ms(times[25]),
        Better::Lower,
    );
    figures.record(
        &format!("store.{backend}_prompt_log_process_ms"),
        ms(runs[10]),
        Better::Lower,
    );
    Ok(())
}
