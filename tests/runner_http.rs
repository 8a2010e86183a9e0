//! The runner end to end: a real SQLite file, a real HTTP server on 127.0.0.1, the mock.
//! Retries (counts and delays), timeouts, stored errors, cancellation, replay.

mod common;

use common::fixture::Fixture;
use common::{Reply, TestServer};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use temper::config::RunDefaults;
use temper::prompt::{Message, PromptBody, Role};
use temper::runner::{self, Backoff, Case, Plan, RunEvent, Variant};
use temper::store::{RunStatus, SampleRow, SampleStatus, Store};
use tokio_util::sync::CancellationToken;

/// A DB with one prompt (`greet`, using `{{name}}`) and a `local` provider on the test server.
fn fixture(server: Option<&TestServer>) -> Fixture {
    let body = PromptBody {
        messages: vec![
            Message::new(Role::System, "Greet people by name. Be brief."),
            Message::new(Role::User, "Question: how would you greet {{name}}?"),
        ],
        ..PromptBody::default()
    };
    let f = Fixture::new("greet", &body);
    match server {
        Some(server) => f.with_server("local", server),
        None => f,
    }
}

fn plan(f: &Fixture, models: &[&str], n: u32) -> Plan {
    let store = Store::open(&f.db).unwrap();
    let version = store.resolve_str("greet").unwrap();
    let case = Case {
        name: "ada".into(),
        vars: BTreeMap::from([("name".into(), "Ada".into())]),
    };
    let variants = models.iter().map(|m| Variant::model(m)).collect();
    let mut plan = Plan::new(vec![version], variants, vec![case], &RunDefaults::default());
    plan.samples = n;
    plan.concurrency = 4;
    plan.timeout = Duration::from_secs(5);
    plan.max_retries = 3;
    plan.backoff = Backoff {
        base: Duration::from_millis(40),
        cap: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(5),
    };
    plan
}

async fn go(f: &Fixture, plan: &Plan) -> (runner::RunOutcome, Vec<RunEvent>) {
    let registry = runner::registry(&f.config, &f.db);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let outcome = runner::run(plan, &registry, &f.db, Some(tx), CancellationToken::new())
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (outcome, events)
}

/// Every stored sample of a run, per variant name.
fn stored(db: &Path, run_id: i64) -> BTreeMap<String, Vec<SampleRow>> {
    let store = Store::open(db).unwrap();
    let mut out: BTreeMap<String, Vec<SampleRow>> = BTreeMap::new();
    for cell in store.cells(run_id).unwrap() {
        out.entry(cell.cell.variant_name.clone())
            .or_default()
            .extend(store.samples(cell.id).unwrap());
    }
    out
}

fn gaps(server: &TestServer) -> Vec<Duration> {
    let at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    at.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn retries_429_honouring_retry_after_then_stores_the_answer() {
    let server = TestServer::start(Reply::json(200, common::openai_text("Hello, Ada!"))).await;
    server.push(
        Reply::json(
            429,
            common::openai_error("Rate limit reached", "requests", "rate_limit_exceeded"),
        )
        .header("retry-after-ms", "300"),
    );
    let f = fixture(Some(&server));
    let (outcome, events) = go(&f, &plan(&f, &["local:gpt-4o-mini"], 1)).await;
    assert_eq!(
        (outcome.status, outcome.ok, outcome.failed),
        (RunStatus::Done, 1, 0)
    );
    assert_eq!(server.requests().len(), 2);
    assert!(
        gaps(&server)[0] >= Duration::from_millis(300),
        "{:?}",
        gaps(&server)
    );
    let retry = events.iter().find_map(|e| match e {
        RunEvent::Retrying {
            delay,
            error,
            attempt,
            ..
        } => Some((*delay, error.clone(), *attempt)),
        _ => None,
    });
    let (delay, error, attempt) = retry.expect("a Retrying event");
    assert_eq!((delay, attempt), (Duration::from_millis(300), 1));
    assert!(error.contains("HTTP 429"), "{error}");

    let samples = &stored(&f.db, outcome.run_id)["local:gpt-4o-mini"];
    let s = &samples[0].sample;
    assert_eq!(s.status, Some(SampleStatus::Ok));
    assert_eq!(s.output.as_deref(), Some("Hello, Ada!"));
    assert_eq!(s.attempts, 2);
    assert_eq!(
        (s.input_tokens, s.output_tokens, s.cached_tokens),
        (Some(19), Some(10), Some(4))
    );
    assert_eq!(s.usage_source.as_deref(), Some("provider"));
    assert_eq!(s.system_fingerprint.as_deref(), Some("fp_44709d6fcb"));
    assert!(s.response_json.as_deref().unwrap().contains("chatcmpl-"));
    assert_eq!(s.request_hash.as_ref().map(String::len), Some(64));
    // The prompt was rendered with the case's vars.
    assert_eq!(
        server.requests()[0].json()["messages"][1]["content"],
        "Question: how would you greet Ada?"
    );
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = TestServer::start(Reply::json(200, common::openai_text("hi"))).await;
    server.push(
        Reply::json(503, common::openai_error("busy", "server_error", "503"))
            .header("retry-after", "1"),
    );
    let f = fixture(Some(&server));
    let (outcome, _) = go(&f, &plan(&f, &["local:m"], 1)).await;
    assert_eq!(outcome.ok, 1);
    assert!(
        gaps(&server)[0] >= Duration::from_secs(1),
        "{:?}",
        gaps(&server)
    );
}

#[tokio::test]
async fn server_errors_back_off_exponentially_then_give_up() {
    let server = TestServer::start(Reply::raw(500, "text/plain", "upstream exploded")).await;
    let f = fixture(Some(&server));
    let (outcome, _) = go(&f, &plan(&f, &["local:m"], 1)).await;
    assert_eq!(
        (outcome.status, outcome.ok, outcome.failed),
        (RunStatus::Failed, 0, 1)
    );
    assert_eq!(server.requests().len(), 4, "1 attempt + 3 retries");
    let g = gaps(&server);
    // base 40 ms doubling, jitter in [0.5, 1]: >= 20, 40, 80 ms.
    for (gap, floor) in g.iter().zip([20, 40, 80]) {
        assert!(*gap >= Duration::from_millis(floor), "{g:?}");
    }
    let s = &stored(&f.db, outcome.run_id)["local:m"][0].sample;
    assert_eq!(s.status, Some(SampleStatus::Error));
    assert_eq!(s.attempts, 4);
    assert_eq!(s.error.as_deref(), Some("HTTP 500: upstream exploded"));
    let run = Store::open(&f.db)
        .unwrap()
        .run_info(outcome.run_id)
        .unwrap();
    assert_eq!(run.status, RunStatus::Failed);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = TestServer::start(Reply::json(
        400,
        common::openai_error(
            "Invalid value for 'temperature'",
            "invalid_request_error",
            "invalid_value",
        ),
    ))
    .await;
    let f = fixture(Some(&server));
    let (outcome, _) = go(&f, &plan(&f, &["local:m"], 2)).await;
    assert_eq!(outcome.failed, 2);
    assert_eq!(server.requests().len(), 2, "one attempt per sample");
    let s = &stored(&f.db, outcome.run_id)["local:m"][0].sample;
    assert_eq!(s.attempts, 1);
    assert!(
        s.error
            .as_deref()
            .unwrap()
            .contains("Invalid value for 'temperature'")
    );
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let server = TestServer::start(
        Reply::json(200, common::openai_text("late")).after(Duration::from_secs(3)),
    )
    .await;
    let f = fixture(Some(&server));
    let mut p = plan(&f, &["local:m"], 1);
    p.timeout = Duration::from_millis(200);
    p.max_retries = 1;
    let started = Instant::now();
    let (outcome, _) = go(&f, &p).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests().len(), 2);
    let s = &stored(&f.db, outcome.run_id)["local:m"][0].sample;
    assert_eq!(s.error.as_deref(), Some("timed out after 0.2 s"));
    assert_eq!(s.attempts, 2);
}

#[tokio::test]
async fn bad_bodies_are_stored_per_sample_and_the_run_goes_on() {
    let server = TestServer::start(Reply::json(200, common::openai_text("fine"))).await;
    server.push(Reply::raw(
        200,
        "text/html",
        "<!doctype html><title>Login</title>",
    ));
    server.push(Reply::raw(
        200,
        "application/json",
        r#"{"choices":[{"message":{"content":"Hel"#,
    ));
    server.push(Reply::json(
        200,
        common::openai_error(
            "model overloaded",
            "invalid_request_error",
            "model_not_found",
        ),
    ));
    let f = fixture(Some(&server));
    let mut p = plan(&f, &["local:m", "mock:echo"], 6);
    p.concurrency = 1;
    let (outcome, _) = go(&f, &p).await;
    assert_eq!(
        (outcome.status, outcome.ok, outcome.failed),
        (RunStatus::Done, 9, 3)
    );
    let by = stored(&f.db, outcome.run_id);
    let errors: Vec<String> = by["local:m"]
        .iter()
        .filter_map(|r| r.sample.error.clone())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("HTML page"), "{errors:?}");
    assert!(errors[1].contains("truncated JSON"), "{errors:?}");
    assert!(errors[2].contains("model overloaded"), "{errors:?}");
    assert!(
        by["mock:echo"]
            .iter()
            .all(|r| r.sample.status == Some(SampleStatus::Ok))
    );
    let summary = runner::summarize(&Store::open(&f.db).unwrap(), outcome.run_id).unwrap();
    assert_eq!(
        (summary[0].ok, summary[0].failed, summary[0].distinct),
        (3, 3, 1)
    );
    assert_eq!(summary[1].variant, "mock:echo");
}

#[tokio::test]
async fn cancelling_keeps_finished_samples_and_marks_the_run() {
    let server = TestServer::start(
        Reply::json(200, common::openai_text("slow")).after(Duration::from_secs(10)),
    )
    .await;
    let f = fixture(Some(&server));
    let p = plan(&f, &["local:m", "mock:echo"], 3);
    let registry = runner::registry(&f.config, &f.db);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let outcome = runner::run(&p, &registry, &f.db, None, cancel)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(outcome.status, RunStatus::Cancelled);
    let store = Store::open(&f.db).unwrap();
    assert_eq!(
        store.run_info(outcome.run_id).unwrap().status,
        RunStatus::Cancelled
    );
    // The mock answered before the cancel; the slow calls were dropped, not stored as answers.
    let by = stored(&f.db, outcome.run_id);
    assert!(!by.get("mock:echo").map(Vec::is_empty).unwrap_or(true));
    assert!(by.get("local:m").map(Vec::is_empty).unwrap_or(true));
    assert_eq!(
        outcome.ok as i64,
        store.sample_count(outcome.run_id).unwrap()
    );
    assert!(outcome.not_run >= 3);
}

#[tokio::test]
async fn drift_reproduces_and_replay_returns_the_same_answers() {
    let f = fixture(None);
    let p = plan(&f, &["mock:drift?p=0.5&seed=3"], 12);
    let (first, _) = go(&f, &p).await;
    let (second, _) = go(&f, &p).await;
    let outputs = |run| -> Vec<Option<String>> {
        stored(&f.db, run)
            .into_values()
            .flatten()
            .map(|r| r.sample.output)
            .collect()
    };
    assert_eq!(outputs(first.run_id), outputs(second.run_id));
    let distinct: std::collections::BTreeSet<_> = outputs(first.run_id).into_iter().collect();
    assert!(distinct.len() >= 2, "drift varied nothing: {distinct:?}");

    let replay = plan(&f, &[&format!("replay:{}", first.run_id)], 12);
    let (replayed, _) = go(&f, &replay).await;
    assert_eq!(replayed.ok, 12);
    assert_eq!(outputs(replayed.run_id), outputs(first.run_id));
}

#[tokio::test]
async fn plan_errors_come_before_any_run_is_stored() {
    let f = fixture(None);
    let registry = runner::registry(&f.config, &f.db);
    let mut p = plan(&f, &["mock:echo"], 1);
    p.cases = vec![Case {
        name: "none".into(),
        vars: BTreeMap::new(),
    }];
    let e = runner::run(&p, &registry, &f.db, None, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("missing variable name"), "{e}");
    let e = runner::run(
        &plan(&f, &["nope:x"], 1),
        &registry,
        &f.db,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("known providers:"), "{e}");
    assert!(
        Store::open(&f.db)
            .unwrap()
            .list_runs(10)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn samples_are_committed_while_the_run_is_still_going() {
    // The server's answers come long after the mock's (which wait for the token table, seconds
    // in a debug build on a loaded machine): the run is still going while the mock's are read.
    let server = TestServer::start(
        Reply::json(200, common::openai_text("slow")).after(Duration::from_secs(8)),
    )
    .await;
    let f = fixture(Some(&server));
    let mut p = plan(&f, &["mock:echo", "local:m"], 4);
    p.concurrency = 8;
    p.timeout = Duration::from_secs(30);
    let registry = runner::registry(&f.config, &f.db);
    let db = f.db.clone();
    let started = std::time::Instant::now();
    let running = tokio::spawn(async move {
        runner::run(&p, &registry, &db, None, CancellationToken::new()).await
    });
    // Another connection sees the mock's answers once flushed, long before the end.
    let (store, run) = loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let store = Store::open(&f.db).unwrap();
        if let Some(run) = store.list_runs(1).unwrap().first().cloned()
            && store.sample_count(run.id).unwrap() == 4
        {
            break (store, run);
        }
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "the mock's answers were not committed while the run went on"
        );
    };
    assert_eq!(
        store.run_info(run.id).unwrap().status,
        RunStatus::Running,
        "read before the server answered"
    );
    let outcome = running.await.unwrap().unwrap();
    assert_eq!((outcome.status, outcome.ok), (RunStatus::Done, 8));
    assert_eq!(store.sample_count(run.id).unwrap(), 8);
}

#[tokio::test]
async fn a_provider_timeout_in_the_config_overrides_the_plan() {
    let server = TestServer::start(
        Reply::json(200, common::openai_text("late")).after(Duration::from_secs(3)),
    )
    .await;
    let mut f = fixture(Some(&server));
    f.config.providers.get_mut("local").unwrap().timeout_secs = Some(1);
    let mut p = plan(&f, &["local:m"], 1);
    p.max_retries = 0;
    p.timeout = Duration::from_secs(30);
    let (outcome, _) = go(&f, &p).await;
    let s = &stored(&f.db, outcome.run_id)["local:m"][0].sample;
    assert_eq!(s.error.as_deref(), Some("timed out after 1.0 s"));
}
