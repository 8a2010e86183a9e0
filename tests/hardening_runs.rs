//! `temper run` under stress, through the real binary against a loopback server: killed
//! mid-run (SIGKILL → `interrupted`, SIGINT → `cancelled`), two runs writing one DB at once,
//! and a server injecting 500s, 429s with Retry-After, malformed bodies and timeouts.
//! The 10,000-sample load run is `#[ignore]`d: `cargo test --test hardening_runs -- --ignored`.

mod common;
mod hardening_support;

use common::{Reply, TestServer, openai_error, openai_text};
use hardening_support::Env;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Child;
use std::time::{Duration, Instant};
use temper::store::{RunStatus, SampleRow, SampleStatus, Store};

/// Every sample of a run, across its cells.
fn samples(store: &Store, run_id: i64) -> Vec<SampleRow> {
    store
        .cells(run_id)
        .unwrap()
        .iter()
        .flat_map(|c| store.samples(c.id).unwrap())
        .collect()
}

/// Wait (off the async runtime) until run 1 has at least `at_least` samples committed; return
/// the indices seen at that moment.
async fn wait_for_samples(env: &Env, at_least: usize, child: &mut Child) -> BTreeSet<u32> {
    let db = env.db();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "temper run ended before it was interrupted"
        );
        assert!(Instant::now() < deadline, "no samples were stored in time");
        let seen = tokio::task::spawn_blocking({
            let db = db.clone();
            move || {
                let store = Store::open(&db).ok()?;
                let rows = samples(&store, 1);
                Some(rows.iter().map(|r| r.sample.idx).collect::<BTreeSet<u32>>())
            }
        })
        .await
        .unwrap()
        .unwrap_or_default();
        if seen.len() >= at_least {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Interrupt a 200-sample run against a slow server with `signal`, then check the DB.
async fn interrupt_run(signal: &str) -> (Env, BTreeSet<u32>, Store) {
    let server = TestServer::start(
        Reply::json(200, openai_text("hello Ada")).after(Duration::from_millis(60)),
    )
    .await;
    let env = Env::loopback(&server.base_url());
    let mut child = env.spawn_run(&["-n", "200", "-c", "2"]);
    let seen = wait_for_samples(&env, 12, &mut child).await;
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    // Reap it: a zombie still has /proc/PID, and would look alive to the orphan check.
    let status = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        !status.status.success(),
        "the run was interrupted, it must not report success"
    );
    let store = Store::open(&env.db()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let kept: BTreeSet<u32> = samples(&store, 1).iter().map(|r| r.sample.idx).collect();
    assert!(
        seen.is_subset(&kept),
        "samples seen committed before the kill are gone"
    );
    assert!(
        kept.len() < 200,
        "the run finished before it could be interrupted"
    );
    (env, kept, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_keeps_samples_and_marks_the_run_interrupted() {
    let (env, kept, store) = interrupt_run("-KILL").await;
    // Nobody closed the run: it still says running until the next temper start looks at it.
    assert_eq!(store.run_info(1).unwrap().status, RunStatus::Running);
    drop(store);
    let runs: Value = serde_json::from_slice(&env.ok_inert(&["runs", "--json"])).unwrap();
    assert_eq!(runs[0]["status"], "interrupted");
    assert_eq!(runs[0]["samples"], kept.len());
    // The interrupted DB takes new runs as usual.
    env.temper()
        .args([
            "run",
            "probe",
            "-n",
            "2",
            "--model",
            "mock:echo",
            "--var",
            "name=Ada",
        ])
        .assert()
        .success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_mid_run_keeps_samples_and_marks_the_run_cancelled() {
    let (_env, _kept, store) = interrupt_run("-INT").await;
    assert_eq!(store.run_info(1).unwrap().status, RunStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_into_one_db_at_once_lose_nothing() {
    let server = TestServer::start(
        Reply::json(200, openai_text("hello Ada")).after(Duration::from_millis(2)),
    )
    .await;
    let env = Env::loopback(&server.base_url());
    let runs: Vec<Child> = (0..2)
        .map(|_| env.spawn_run(&["-n", "150", "-c", "8"]))
        .collect();
    // Meanwhile a third writer saves prompt versions, as the TUI would.
    for i in 0..20 {
        env.ok_inert(&["prompt", "new", &format!("side-{i}"), "--user", "x"]);
    }
    for child in runs {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("locked"), "{stderr}");
    }
    let store = Store::open(&env.db()).unwrap();
    for run in [1, 2] {
        let rows = samples(&store, run);
        assert_eq!(rows.len(), 150, "run {run}");
        assert!(
            rows.iter()
                .all(|r| r.sample.status == Some(SampleStatus::Ok)),
            "run {run}"
        );
        assert_eq!(store.run_info(run).unwrap().status, RunStatus::Done);
    }
    assert_eq!(store.list_prompts().unwrap().len(), 21);
}

// ---- load with faults ------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so a failing script can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What the fault script injected, for the accounting afterwards.
#[derive(Default, Debug)]
struct Faults {
    server_errors: usize,
    rate_limits: usize,
    malformed: usize,
    timeouts: usize,
}

/// Queue `n` replies: 5% 500, 5% 429 with Retry-After, 1% malformed 200, 1% slower than the
/// client timeout, the rest good (as is every request after the script runs out).
fn script_faults(server: &TestServer, n: usize, seed: u64) -> Faults {
    let mut rng = Rng(seed);
    let mut faults = Faults::default();
    for _ in 0..n {
        let roll = rng.below(100);
        let reply = match roll {
            0..5 => {
                faults.server_errors += 1;
                Reply::json(
                    500,
                    openai_error("The server had an error", "server_error", "internal"),
                )
            }
            5..10 => {
                faults.rate_limits += 1;
                let reply = Reply::json(
                    429,
                    openai_error("Rate limit reached", "requests", "rate_limit_exceeded"),
                );
                if roll.is_multiple_of(2) {
                    reply.header("retry-after", "1")
                } else {
                    reply.header("retry-after-ms", "30")
                }
            }
            10 => {
                faults.malformed += 1;
                Reply::raw(
                    200,
                    "application/json",
                    r#"{"id": "chatcmpl-x", "choices": [{"message": {"#,
                )
            }
            11 => {
                faults.timeouts += 1;
                Reply::json(200, openai_text("too late")).after(Duration::from_secs(3))
            }
            _ => Reply::json(200, openai_text("hello Ada")),
        };
        server.push(reply);
    }
    faults
}

/// Resident memory of a process in KiB (Linux), None once it is gone.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn load_with_faults(n: usize, concurrency: usize) {
    const RETRIES: u32 = 4;
    let server = TestServer::start(Reply::json(200, openai_text("hello Ada"))).await;
    let faults = script_faults(&server, n, 0x9e37_79b9_7f4a_7c15);
    let env = Env::loopback(&server.base_url());
    let child = env.spawn_run(&[
        "-n",
        &n.to_string(),
        "-c",
        &concurrency.to_string(),
        "--timeout",
        "1",
        "--retries",
        &RETRIES.to_string(),
        "--json",
    ]);
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut rss = Vec::new();
        while let Some(kib) = rss_kib(pid) {
            rss.push(kib);
            std::thread::sleep(Duration::from_millis(100));
        }
        rss
    });
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let rss = sampler.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();

    let store = Store::open(&env.db()).unwrap();
    let rows = samples(&store, 1);
    let idx: BTreeSet<u32> = rows.iter().map(|r| r.sample.idx).collect();
    assert_eq!(rows.len(), n, "one row per sample");
    assert_eq!(idx, (0..n as u32).collect(), "every index exactly once");
    let ok = rows
        .iter()
        .filter(|r| r.sample.status == Some(SampleStatus::Ok))
        .count();
    assert_eq!(summary["ok"], ok);
    assert_eq!(summary["failed"], n - ok);
    assert_eq!(summary["not_run"], 0);
    // Retries are bounded, and every request the server saw belongs to exactly one sample.
    assert!(
        rows.iter()
            .all(|r| (1..=RETRIES + 1).contains(&r.sample.attempts))
    );
    let attempts: u64 = rows.iter().map(|r| u64::from(r.sample.attempts)).sum();
    assert_eq!(attempts, server.requests().len() as u64, "{faults:?}");
    // Only the malformed bodies fail for good (they are not retried); the rest recover.
    for r in rows
        .iter()
        .filter(|r| r.sample.status != Some(SampleStatus::Ok))
    {
        let error = r.sample.error.as_deref().unwrap_or("");
        assert!(
            error.starts_with("bad response") || r.sample.attempts == RETRIES + 1,
            "{error}"
        );
    }
    assert!(
        n - ok <= faults.malformed + 2,
        "{} failed, {faults:?}",
        n - ok
    );
    assert!(
        attempts
            >= (n + faults.server_errors + faults.rate_limits + faults.timeouts) as u64 * 9 / 10
    );
    // Memory stays flat: the last quarter of the run uses no more than the second quarter.
    if rss.len() >= 8 {
        let quarter = rss.len() / 4;
        let early = *rss[quarter..2 * quarter].iter().max().unwrap();
        let late = *rss[3 * quarter..].iter().max().unwrap();
        eprintln!(
            "rss KiB: early {early}, late {late}, {} samples of it",
            rss.len()
        );
        assert!(
            late <= early + early / 4 + 8 * 1024,
            "memory grew: {early} KiB -> {late} KiB"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_samples_with_injected_faults_are_each_accounted_once() {
    load_with_faults(300, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "about a minute: cargo test --test hardening_runs -- --ignored"]
async fn ten_thousand_samples_with_injected_faults_are_each_accounted_once() {
    load_with_faults(10_000, 32).await;
}
