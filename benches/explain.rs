//! What storing token logprobs costs the runner: 1,000 samples at concurrency 32 against a
//! zero-latency OpenAI-compatible server on 127.0.0.1 whose answers carry 60 tokens with 5
//! alternatives each, with logprobs off (not parsed, not stored) and on (parsed, encoded, one
//! blob per sample). Target (issue 9): on is at most 20% slower than off. Also the plain answer
//! without logprobs, for reference. Run with `cargo bench --bench explain`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixture::Fixture;
use std::time::{Duration, Instant};
use temper::config::RunDefaults;
use temper::prompt::{Message, PromptBody, Role};
use temper::runner::{self, Plan, Variant};
use temper::store::Store;
use tokio_util::sync::CancellationToken;

const SAMPLES: u32 = 1000;
const CONCURRENCY: usize = 32;
const ROUNDS: usize = 3;
const WORDS: [&str; 6] = [" refund", " within", " thirty", " days", " of", " purchase"];

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(bench());
}

fn tokens() -> Vec<common::Tok> {
    const ALTS: &[(&str, f64)] = &[(" a", 0.01), (" b", 0.005), (" c", 0.002), (" d", 0.001)];
    (0..60)
        .map(|i| (WORDS[i % WORDS.len()], 0.97, ALTS))
        .collect()
}

async fn bench() {
    let with = common::TestServer::start_with(
        common::Reply::json(200, common::openai_logprobs(&tokens(), "fp_bench")),
        false,
    )
    .await;
    let plain_text: String = tokens().iter().map(|t| t.0).collect();
    let plain = common::TestServer::start_with(
        common::Reply::json(200, common::openai_text(&plain_text)),
        false,
    )
    .await;
    let body = PromptBody {
        messages: vec![Message::new(Role::User, "How long is the refund window?")],
        ..PromptBody::default()
    };
    let Fixture {
        dir: _dir,
        db,
        config,
    } = Fixture::new("bench", &body)
        .with_server("lp", &with)
        .with_server("plain", &plain);
    let version = Store::open(&db).unwrap().resolve_str("bench").unwrap();
    let registry = runner::registry(&config, &db);
    let run = |model: &str, logprobs: bool, n: u32| {
        let mut plan = Plan::new(
            vec![version.clone()],
            vec![Variant::model(model)],
            vec![],
            &RunDefaults::default(),
        );
        plan.samples = n;
        plan.concurrency = CONCURRENCY;
        plan.logprobs = logprobs.then_some(5);
        let (registry, db) = (&registry, &db);
        async move {
            let started = Instant::now();
            let outcome = runner::run(&plan, registry, db, None, CancellationToken::new())
                .await
                .unwrap();
            assert_eq!(outcome.ok, n as usize);
            started.elapsed()
        }
    };
    run("lp:m", true, 200).await;
    run("plain:m", false, 200).await;
    let mut best = [Duration::MAX; 3];
    for _ in 0..ROUNDS {
        // Interleaved, so machine noise hits every configuration alike.
        best[0] = best[0].min(run("lp:m", false, SAMPLES).await);
        best[1] = best[1].min(run("lp:m", true, SAMPLES).await);
        best[2] = best[2].min(run("plain:m", false, SAMPLES).await);
    }
    let rate = |d: Duration| f64::from(SAMPLES) / d.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let store = Store::open(&db).unwrap();
    let last = store.list_runs(1).unwrap()[0].id;
    let lp_run = last - 1;
    let cell = &store.cells(lp_run).unwrap()[0];
    let sample = &store.samples(cell.id).unwrap()[0].sample;
    println!(
        "explain benchmark: {SAMPLES} samples @ concurrency {CONCURRENCY}, best of {ROUNDS}, zero-latency server"
    );
    println!(
        "  logprobs off (60-token answer with logprobs on the wire, not stored): {:.0} ms, {:.0} samples/s",
        ms(best[0]),
        rate(best[0])
    );
    println!(
        "  logprobs on  (parsed, encoded, one blob per sample):                 {:.0} ms, {:.0} samples/s",
        ms(best[1]),
        rate(best[1])
    );
    println!(
        "  slowdown from storing logprobs: {:+.1}% (target <= +20%)",
        (best[1].as_secs_f64() / best[0].as_secs_f64() - 1.0) * 100.0
    );
    println!(
        "  plain answer, no logprobs on the wire (reference):                  {:.0} ms, {:.0} samples/s",
        ms(best[2]),
        rate(best[2])
    );
    println!(
        "  blob {} bytes per sample vs {} bytes of response JSON",
        sample.logprobs.as_ref().map_or(0, Vec::len),
        sample.response_json.as_ref().map_or(0, String::len)
    );
}
