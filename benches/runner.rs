//! Runner throughput and overhead against a zero-latency OpenAI-compatible server on 127.0.0.1,
//! including the SQLite writes. Run with `cargo bench --bench runner`.
//!
//! Targets (issue 3): 1,000 samples at concurrency 32 in <= 1 s; peak RSS <= 50 MB (VmHWM, which
//! here includes the in-process test server); overhead per call above the server's own time
//! <= 0.5 ms (sequential runner calls vs sequential raw HTTP calls to the same server).

#[path = "baseline/mod.rs"]
mod baseline;
#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/sse_server/mod.rs"]
mod sse_server;

use common::fixture::Fixture;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use temper::config::RunDefaults;
use temper::prompt::{Message, PromptBody, Role};
use temper::provider::{OpenAiCompat, Provider, Request};
use temper::runner::{self, Case, Plan, Variant};
use temper::store::Store;
use tokio_util::sync::CancellationToken;

const SAMPLES: u32 = 1000;
const CONCURRENCY: usize = 32;
const SEQUENTIAL: u32 = 300;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut figures = baseline::Figures::new("runner");
    rt.block_on(bench());
    rt.block_on(bench_streaming(&mut figures));
    figures.finish();
}

/// CPU time this thread has used so far.
fn thread_cpu() -> Duration {
    cpu(libc::RUSAGE_THREAD)
}

/// CPU time of `who` (`RUSAGE_THREAD`: this thread, `RUSAGE_SELF`: the whole process).
fn cpu(who: libc::c_int) -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_THREAD is Linux's per-thread usage.
    let usage = unsafe {
        libc::getrusage(who, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Target (issue 15): streaming adds <= 5% CPU per sample over non-streamed calls at
/// concurrency 32 against a loopback server. The client (temper's provider) runs on its own
/// single-threaded runtime on one OS thread, and only that thread's CPU time is charged to it;
/// the SSE server runs on the main runtime's worker threads, and its CPU (the rest of the
/// process) is shown apart. Both answers carry the same 40 words (one SSE event per word when
/// streamed, 43 events with the finish, usage and `[DONE]` events).
async fn bench_streaming(figures: &mut baseline::Figures) {
    const CALLS: usize = 2000;
    let server = sse_server::SseServer::start(false).await;
    let base = server.base_url.clone();
    let (per_sample, (raw_plain, raw_stream)) = std::thread::Builder::new()
        .name("temper-client".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let provider = OpenAiCompat::new("local", &base, None, Default::default()).unwrap();
                let mut out = Vec::new();
                for stream in [false, true, false, true, false, true] {
                    let mut request = Request {
                        model: "long".into(),
                        messages: vec![Message::new(Role::User, "hi")],
                        ..Request::default()
                    };
                    request.params.stream = Some(stream);
                    let (started, process) = (thread_cpu(), cpu(libc::RUSAGE_SELF));
                    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
                    let calls = (0..CALLS).map(|_| {
                        let (sem, provider, request) = (sem.clone(), &provider, &request);
                        async move {
                            let _permit = sem.acquire().await.unwrap();
                            let r = provider.complete(request).await.unwrap();
                            assert_eq!(r.text.len(), 270);
                        }
                    });
                    futures::future::join_all(calls).await;
                    let client = thread_cpu() - started;
                    let rest = (cpu(libc::RUSAGE_SELF) - process).saturating_sub(client);
                    let us = |d: Duration| d.as_secs_f64() * 1e6 / CALLS as f64;
                    out.push((stream, us(client), us(rest)));
                }
                (out, raw_reqwest(&base, CALLS).await)
            })
        })
        .unwrap()
        .join()
        .unwrap();
    // The median of the rounds of each kind (the first round also warms the pool up).
    let median = |s: bool, pick: fn(&(bool, f64, f64)) -> f64| {
        let mut v: Vec<f64> = per_sample.iter().filter(|p| p.0 == s).map(pick).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (plain, streamed) = (median(false, |p| p.1), median(true, |p| p.1));
    let (plain_server, streamed_server) = (median(false, |p| p.2), median(true, |p| p.2));
    let extra = (streamed / plain - 1.0) * 100.0;
    println!("streaming vs non-streamed, {CALLS} calls @ concurrency {CONCURRENCY} (client CPU):");
    println!(
        "  non-streamed {plain:.1} µs/sample · streamed {streamed:.1} µs/sample · {extra:+.1}% (target <= +5%)"
    );
    println!(
        "  (the loopback server's own CPU, not charged above: non-streamed {plain_server:.1} µs/sample, streamed {streamed_server:.1} µs/sample)"
    );
    println!(
        "  reference, reqwest alone on the same thread (POST, read the body, no parsing): non-streamed {raw_plain:.1} µs/sample, streamed {raw_stream:.1} µs/sample ({:+.1}%)",
        (raw_stream / raw_plain - 1.0) * 100.0
    );
    println!(
        "  temper's own work above reqwest: non-streamed {:.1} µs/sample, streamed {:.1} µs/sample",
        plain - raw_plain,
        streamed - raw_stream
    );
    figures.record(
        "runner.plain_client_cpu_us_per_sample",
        plain,
        baseline::Better::Lower,
    );
    figures.record(
        "runner.stream_client_cpu_us_per_sample",
        streamed,
        baseline::Better::Lower,
    );
}

/// The transport floor: the same requests with reqwest alone (the HTTP stack temper uses), the
/// body read to its end and not parsed; returns client CPU µs per call, non-streamed and
/// streamed (median of three rounds each).
async fn raw_reqwest(base: &str, calls: usize) -> (f64, f64) {
    use futures::StreamExt;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let url = format!("{base}/chat/completions");
    let mut rounds: Vec<(bool, f64)> = Vec::new();
    for stream in [false, true, false, true, false, true] {
        let body = serde_json::json!({"model": "long", "stream": stream,
            "messages": [{"role": "user", "content": "hi"}]});
        let started = thread_cpu();
        let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let requests = (0..calls).map(|_| {
            let (sem, client, url, body) = (sem.clone(), &client, &url, &body);
            async move {
                let _permit = sem.acquire().await.unwrap();
                let response = client.post(url).json(body).send().await.unwrap();
                let mut bytes = response.bytes_stream();
                let mut read = 0;
                while let Some(chunk) = bytes.next().await {
                    read += chunk.unwrap().len();
                }
                assert!(read > 270);
            }
        });
        futures::future::join_all(requests).await;
        let us = (thread_cpu() - started).as_secs_f64() * 1e6 / calls as f64;
        rounds.push((stream, us));
    }
    let median = |s: bool| {
        let mut v: Vec<f64> = rounds.iter().filter(|r| r.0 == s).map(|r| r.1).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(false), median(true))
}

async fn bench() {
    // Every run prices its cells (the spend guard) and so loads the o200k tokenizer table: load
    // it first, to tell its fixed memory from the runner's.
    let before_tokenizer = peak_rss_mb();
    temper::cost::warm_up(temper::cost::Encoding::O200kBase);
    let tokenizer_mb = peak_rss_mb() - before_tokenizer;
    let server = common::TestServer::start_with(
        common::Reply::json(
            200,
            common::openai_text("Annual plans are refundable in full within 30 days [c2]."),
        ),
        false,
    )
    .await;
    let body = PromptBody {
        messages: vec![
            Message::new(Role::System, "Answer from the context; cite chunk ids."),
            Message::new(Role::User, "Question: {{q}}"),
        ],
        ..PromptBody::default()
    };
    let base = format!("{}/v1", server.base_url());
    let Fixture {
        dir: _dir,
        db,
        config,
    } = Fixture::new("bench", &body).with_provider("local", &base);
    let version = Store::open(&db).unwrap().resolve_str("bench").unwrap();
    let registry = runner::registry(&config, &db);
    let case = Case {
        name: "c".into(),
        vars: BTreeMap::from([("q".into(), "How long is the refund window?".into())]),
    };
    let make_plan = |model: &str, n: u32, concurrency: usize| {
        let mut plan = Plan::new(
            vec![version.clone()],
            vec![Variant::model(model)],
            vec![case.clone()],
            &RunDefaults::default(),
        );
        plan.samples = n;
        plan.concurrency = concurrency;
        plan
    };
    let run = |plan: Plan| {
        let registry = &registry;
        let db = &db;
        async move {
            let started = Instant::now();
            let outcome = runner::run(&plan, registry, db, None, CancellationToken::new())
                .await
                .unwrap();
            assert_eq!(outcome.ok, plan.total_samples(), "every sample answered");
            started.elapsed()
        }
    };

    // Warm up connections, allocator and SQLite.
    run(make_plan("local:m", 100, CONCURRENCY)).await;

    // 1. Throughput: 1,000 samples at concurrency 32, HTTP + JSON + SQLite.
    let wall = run(make_plan("local:m", SAMPLES, CONCURRENCY)).await;
    let per_s = f64::from(SAMPLES) / wall.as_secs_f64();

    // 2. Overhead per call: sequential runner vs sequential raw calls to the same server.
    let provider = OpenAiCompat::new("local", &base, None, Default::default()).unwrap();
    let request = Request {
        model: "m".into(),
        messages: temper::prompt::render(&version.body, &case.vars)
            .unwrap()
            .messages,
        ..Request::default()
    };
    let started = Instant::now();
    for i in 0..SEQUENTIAL {
        let mut r = request.clone();
        r.sample_index = i;
        provider.complete(&r).await.unwrap();
    }
    let raw = started.elapsed();
    let seq = run(make_plan("local:m", SEQUENTIAL, 1)).await;
    let overhead_ms = (seq.as_secs_f64() - raw.as_secs_f64()) * 1000.0 / f64::from(SEQUENTIAL);

    // Memory of the runner itself, before the mock loads the o200k tokenizer table.
    let runner_rss = peak_rss_mb();

    // 3. The runner alone (mock, no HTTP), for reference.
    let mock_wall = run(make_plan("mock:echo", SAMPLES, CONCURRENCY)).await;

    let stored = Store::open(&db).unwrap().list_runs(100).unwrap().len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "runner benchmark (zero-latency server on 127.0.0.1, SQLite WAL file, {stored} runs stored)"
    );
    println!(
        "  {SAMPLES} samples @ concurrency {CONCURRENCY}: {:.0} ms wall, {per_s:.0} samples/s (target >= 1000/s)",
        ms(wall)
    );
    println!(
        "  sequential: raw HTTP {:.3} ms/call, runner {:.3} ms/call, overhead {overhead_ms:.3} ms/call (target <= 0.5)",
        ms(raw) / f64::from(SEQUENTIAL),
        ms(seq) / f64::from(SEQUENTIAL)
    );
    println!(
        "  mock:echo {SAMPLES} samples @ {CONCURRENCY}: {:.0} ms wall, {:.0} samples/s",
        ms(mock_wall),
        f64::from(SAMPLES) / mock_wall.as_secs_f64()
    );
    println!(
        "  peak RSS (VmHWM, incl. the in-process server) after the HTTP runs: {runner_rss:.1} MB, of which the o200k tokenizer table {tokenizer_mb:.1} MB: the runner {:.1} MB (target <= 50)",
        runner_rss - tokenizer_mb
    );
    println!(
        "  peak RSS after the mock run (its usage and synthetic logprobs load the o200k tokenizer): {:.1} MB",
        peak_rss_mb()
    );
}
