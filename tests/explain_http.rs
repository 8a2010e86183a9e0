//! Explain against a real HTTP server on 127.0.0.1: OpenAI-format logprobs with top_logprobs
//! requested, stored and shown at the split; a fingerprint change mid-run blamed on the backend;
//! a server whose answers vary only under concurrent load, caught by the batch probe.

mod common;

use common::fixture::Fixture;
use common::{Reply, TestServer, Tok, openai_logprobs};
use std::path::Path;
use std::time::Duration;
use temper::analysis::Mode;
use temper::config::RunDefaults;
use temper::explain::{self, BackendVerdict, RunExplanation, SplitPoint};
use temper::prompt::{Message, PromptBody, Role};
use temper::runner::{self, Plan, Schedule, Variant};
use temper::store::Store;
use tokio_util::sync::CancellationToken;

const UNUSED: &[Tok] = &[
    ("Items", 0.99, &[("Products", 0.005)]),
    (" must", 0.97, &[(" should", 0.02)]),
    (" be", 0.99, &[]),
    (" unused", 0.51, &[(" unworn", 0.48), (" new", 0.01)]),
    (".", 0.98, &[("!", 0.01)]),
];
const UNWORN: &[Tok] = &[
    ("Items", 0.99, &[("Products", 0.005)]),
    (" must", 0.97, &[(" should", 0.02)]),
    (" be", 0.99, &[]),
    (" unworn", 0.50, &[(" unused", 0.49), (" new", 0.01)]),
    (".", 0.98, &[("!", 0.01)]),
];

/// A DB with one prompt (`returns`) and a `local` provider on `server`.
fn fixture(server: &TestServer) -> Fixture {
    let body = PromptBody {
        messages: vec![Message::new(Role::User, "Which items can be returned?")],
        ..PromptBody::default()
    };
    Fixture::new("returns", &body).with_server("local", server)
}

fn plan(f: &Fixture, n: u32, concurrency: usize) -> Plan {
    let version = Store::open(&f.db).unwrap().resolve_str("returns").unwrap();
    let mut plan = Plan::new(
        vec![version],
        vec![Variant::model("local:m")],
        vec![],
        &RunDefaults::default(),
    );
    plan.samples = n;
    plan.concurrency = concurrency;
    plan.max_retries = 0;
    plan
}

async fn run_and_explain(f: &Fixture, plan: &Plan) -> RunExplanation {
    let registry = runner::registry(&f.config, &f.db);
    let outcome = runner::run(plan, &registry, &f.db, None, CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(outcome.ok, plan.total_samples());
    explain_stored(&f.db, outcome.run_id)
}

fn explain_stored(db: &Path, run_id: i64) -> RunExplanation {
    let store = Store::open(db).unwrap();
    let cells: Vec<_> = store
        .cells(run_id)
        .unwrap()
        .into_iter()
        .map(|c| {
            let samples = store.samples(c.id).unwrap();
            (c, samples)
        })
        .collect();
    explain::explain_run(&cells, Mode::Exact)
}

#[tokio::test]
async fn logprobs_are_requested_stored_compactly_and_shown_at_the_split() {
    let server = TestServer::start(Reply::json(200, openai_logprobs(UNUSED, "fp_a"))).await;
    for _ in 0..4 {
        server.push(Reply::json(200, openai_logprobs(UNWORN, "fp_a")));
    }
    let f = fixture(&server);
    let explained = run_and_explain(&f, &plan(&f, 10, 1)).await;

    let body = server.requests()[0].json();
    assert_eq!(
        (body["logprobs"].clone(), body["top_logprobs"].clone()),
        (true.into(), 5.into())
    );

    let store = Store::open(&f.db).unwrap();
    let cell = &store.cells(1).unwrap()[0];
    let sample = &store.samples(cell.id).unwrap()[9].sample;
    let blob = sample
        .logprobs
        .as_deref()
        .expect("a logprobs blob per sample");
    let tokens = temper::provider::logprob_codec::decode(blob).unwrap();
    assert_eq!(tokens.len(), 5);
    assert_eq!(tokens[3].token, " unused");
    assert_eq!(tokens[3].top[1].token, " unworn");
    assert!(
        blob.len() * 3 < sample.response_json.as_ref().unwrap().len(),
        "blob is compact"
    );

    let cell = &explained.cells[0];
    let Some(SplitPoint::Token { index, choices }) = &cell.split else {
        panic!("expected a token split: {cell:?}");
    };
    assert_eq!(*index, 3);
    assert_eq!(choices[0].token.as_deref(), Some(" unused"));
    assert_eq!(choices[0].size, 6);
    let text = explained.sentences().join("\n");
    assert!(
        text.contains("outputs split at token 4: ' unused' (p=0.51, 6 samples) vs ' unworn' (p=0.50, 4 samples)"),
        "{text}"
    );
    assert!(text.contains("a near-tie"), "{text}");
    assert!(text.contains("' unworn' 0.48, ' new' 0.01"), "{text}");
    // Only ' unused' (0.51 vs 0.48) is decided by less than 0.05 in the modal sample.
    let fragility = cell.fragility.as_ref().unwrap();
    assert_eq!((fragility.modal.fragile, fragility.modal.measured), (1, 5));
    assert!(
        text.contains("1 of 5 tokens of sample 4 were decided by less than 0.05"),
        "{text}"
    );
    assert_eq!(cell.backend_verdict, BackendVerdict::Single);

    // --no-logprobs: the parameters are not sent.
    let mut quiet = plan(&f, 1, 1);
    quiet.logprobs = None;
    run_and_explain(&f, &quiet).await;
    let last = server.requests().last().unwrap().json();
    assert!(last.get("logprobs").is_none() && last.get("top_logprobs").is_none());
}

#[tokio::test]
async fn a_fingerprint_change_mid_run_is_blamed_on_the_backend() {
    let server = TestServer::start(
        Reply::json(200, openai_logprobs(UNWORN, "fp_b")).header("x-ms-region", "eastus"),
    )
    .await;
    for _ in 0..5 {
        server.push(Reply::json(200, openai_logprobs(UNUSED, "fp_a")));
    }
    let f = fixture(&server);
    let explained = run_and_explain(&f, &plan(&f, 8, 1)).await;
    let cell = &explained.cells[0];
    assert_eq!(
        cell.backend_verdict,
        BackendVerdict::SplitByBackend,
        "{cell:?}"
    );
    assert_eq!(cell.backends.len(), 2);
    assert_eq!(cell.backends[1].backend.region.as_deref(), Some("eastus"));
    let text = explained.sentences().join("\n");
    assert!(
        text.contains("outputs differ only across backends: fp_a · gpt-4o-mini-2024-07-18 (5 samples) → output #1; fp_b · gpt-4o-mini-2024-07-18 · eastus (3 samples) → output #2; the backend changed, not the prompt"),
        "{text}"
    );

    // The same change, but fp_a also disagrees with itself: the prompt is unstable too.
    server.push(Reply::json(200, openai_logprobs(UNUSED, "fp_a")));
    server.push(Reply::json(200, openai_logprobs(UNWORN, "fp_a")));
    let explained = run_and_explain(&f, &plan(&f, 4, 1)).await;
    assert_eq!(explained.cells[0].backend_verdict, BackendVerdict::Mixed);
    assert!(
        explained
            .sentences()
            .join("\n")
            .contains("outputs also differ within one backend")
    );
}

#[tokio::test]
async fn the_batch_probe_catches_drift_that_only_happens_under_load() {
    let hold = Duration::from_millis(40);
    let server = TestServer::start(Reply::under_load(
        Reply::json(200, openai_logprobs(UNUSED, "fp_a")),
        vec![
            Reply::json(200, openai_logprobs(UNUSED, "fp_a")),
            Reply::json(200, openai_logprobs(UNWORN, "fp_a")),
        ],
        hold,
    ))
    .await;
    let f = fixture(&server);
    let mut plan = plan(&f, 6, 2);
    plan.schedules = vec![Schedule::Sequential, Schedule::Burst];
    let explained = run_and_explain(&f, &plan).await;

    // Sequential requests never overlap; the burst's all arrive within one hold.
    let at: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 12);
    assert!(
        at[..6].windows(2).all(|w| w[1] - w[0] >= hold),
        "sequential overlapped"
    );
    assert!(at[11] - at[6] < hold, "burst was not all at once");

    let [seq, burst] = &explained.cells[..] else {
        panic!("two cells expected");
    };
    assert_eq!(seq.schedule, Some(Schedule::Sequential));
    assert_eq!((seq.clusters.len(), burst.clusters.len()), (1, 2));
    assert_eq!(burst.variant, "local:m [burst]");
    let text = explained.sentences().join("\n");
    assert!(
        text.contains("batch probe local:m · default: sequential stability 1.00 (1 distinct of 6) vs burst stability 0.50 (2 distinct of 6): drift appears only under concurrent load"),
        "{text}"
    );
}

/// The real binary: `temper run --schedule both` against the loopback server, then
/// `temper report --explain` in text and JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_explain_from_the_command_line() {
    let server = TestServer::start(Reply::under_load(
        Reply::json(200, openai_logprobs(UNUSED, "fp_44709d6fcb")),
        vec![
            Reply::json(200, openai_logprobs(UNUSED, "fp_44709d6fcb")),
            Reply::json(200, openai_logprobs(UNWORN, "fp_44709d6fcb")),
            Reply::json(200, openai_logprobs(UNUSED, "fp_44709d6fcb")),
        ],
        Duration::from_millis(40),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.local]\nkind = \"openai\"\nbase_url = \"{}/v1\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let db = dir.path().join("t.db");
    let temper = move |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("temper").unwrap();
        cmd.env("TEMPER_DB", &db)
            .env("TEMPER_CONFIG", &config)
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    };
    let out = tokio::task::spawn_blocking(move || {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts");
        temper(&["prompt", "import", examples.to_str().unwrap()])
            .assert()
            .success();
        let run = temper(&[
            "run",
            "support-answer",
            "-m",
            "local:gpt-4o-mini",
            "-n",
            "6",
            "--schedule",
            "both",
        ])
        .assert()
        .success();
        let report = temper(&["report", "1", "--explain"]).assert().success();
        let json = temper(&["report", "1", "--explain", "--json"])
            .assert()
            .success();
        [run, report, json].map(|a| String::from_utf8(a.get_output().stdout.clone()).unwrap())
    })
    .await
    .unwrap();
    let [run, report, json] = out;
    println!("{run}\n{report}");
    assert!(run.contains("local:gpt-4o-mini [sequential]"), "{run}");
    assert!(report.contains("outputs split at token 4: ' unused' (p=0.51, 4 samples) vs ' unworn' (p=0.50, 2 samples)"), "{report}");
    assert!(
        report.contains("drift appears only under concurrent load"),
        "{report}"
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let explain = &json["explain"];
    assert_eq!(explain["schedules"][0]["verdict"], "drift_under_load");
    assert_eq!(explain["cells"][1]["split"]["kind"], "token");
    assert_eq!(explain["cells"][1]["split"]["index"], 3);
    assert_eq!(explain["cells"][0]["fragility"]["modal"]["fragile"], 1);
}
