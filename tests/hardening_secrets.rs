//! What a run leaves behind, through the real binary against a loopback server: the API key
//! never lands in the DB (main file, WAL, shared memory), exports, stdout/stderr or error
//! messages, even when the server echoes it back; and hostile model outputs and error messages
//! are stored byte for byte but printed inert.

mod common;
mod hardening_support;

use common::{Reply, TestServer, openai_error, openai_text};
use hardening_support::{Env, HOSTILE, KEY_ENV, TEST_KEY, files_under};
use serde_json::Value;
use temper::store::{SampleStatus, Store};

/// Fail if `bytes` contain the test key (`what` says where it was found).
fn assert_no_key(bytes: &[u8], what: &str) {
    let key = TEST_KEY.as_bytes();
    assert!(
        !bytes.windows(key.len()).any(|w| w == key),
        "the API key leaked into {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_is_sent_but_stored_and_printed_nowhere() {
    let server = TestServer::start(Reply::json(200, openai_text("hello Ada"))).await;
    // A server that quotes the key back (some proxies and gateways do) in every kind of error.
    let echo = format!("Incorrect API key provided: {TEST_KEY}. You can find your key at …");
    server.push(Reply::json(
        401,
        openai_error(&echo, "invalid_request_error", "invalid_api_key"),
    ));
    server.push(Reply::json(
        500,
        openai_error(&echo, "server_error", "internal"),
    ));
    server.push(Reply::raw(
        502,
        "text/html",
        &format!("<html>bad gateway for {TEST_KEY}</html>"),
    ));
    let env = Env::loopback(&server.base_url());
    let mut outputs = Vec::new();
    let mut run = |args: &[&str]| {
        let out = env.temper().args(args).output().unwrap();
        outputs.push((args.join(" "), out.stdout, out.stderr));
    };
    let base = [
        "run",
        "probe",
        "--model",
        "loop:gpt-4o-mini",
        "--var",
        "name=Ada",
    ];
    run(&[&base[..], &["-n", "1", "-c", "1", "--retries", "0"]].concat());
    run(&[&base[..], &["-n", "1", "-c", "1", "--retries", "2"]].concat());
    run(&[&base[..], &["-n", "6", "--json"]].concat());
    let export = env.path("export");
    run(&["prompt", "export", "-o", export.to_str().unwrap()]);
    run(&["runs"]);
    run(&["runs", "--json"]);
    run(&["models"]);
    run(&["models", "--json"]);

    // The key did go out, as a bearer token, on every request.
    let requests = server.requests();
    assert!(requests.len() >= 9);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TEST_KEY}"))
        );
    }
    // The echoed errors were stored (redacted), so the test looked where the key would be.
    let store = Store::open(&env.db()).unwrap();
    let cell = &store.cells(1).unwrap()[0];
    let first = &store.samples(cell.id).unwrap()[0].sample;
    assert_eq!(first.status, Some(SampleStatus::Error));
    assert!(
        first
            .error
            .as_deref()
            .unwrap()
            .contains("Incorrect API key provided"),
        "{first:?}"
    );
    drop(store);

    for (what, stdout, stderr) in &outputs {
        assert_no_key(stdout, &format!("stdout of temper {what}"));
        assert_no_key(stderr, &format!("stderr of temper {what}"));
    }
    let models = String::from_utf8_lossy(&outputs[6].1);
    assert!(models.contains(&format!("{KEY_ENV} set")), "{models}");
    // The DB and its WAL as they are on disk right after the runs (no checkpoint in between).
    for file in files_under(env.dir.path()) {
        assert_no_key(&std::fs::read(&file).unwrap(), &file.display().to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_outputs_and_errors_are_stored_intact_and_printed_inert() {
    let huge = format!("{}{HOSTILE}", "y".repeat(10 * 1024 * 1024));
    let server = TestServer::start(Reply::json(200, openai_text(HOSTILE))).await;
    server.push(Reply::json(
        400,
        openai_error(HOSTILE, "invalid_request_error", "bad"),
    ));
    server.push(Reply::json(200, openai_text(&huge)));
    server.push(Reply::raw(
        200,
        "application/json",
        &format!("{{\"choices\": {}", "[".repeat(10_000)),
    ));
    let env = Env::loopback(&server.base_url());
    let run = [
        "run",
        "probe",
        "--model",
        "loop:gpt-4o-mini",
        "--var",
        "name=Ada",
        "-c",
        "1",
        "-n",
        "5",
    ];
    env.run_inert(&run);
    env.run_inert(&[&run[..], &["--json"]].concat());
    env.ok_inert(&["runs"]);
    env.ok_inert(&["runs", "--json"]);
    for args in [
        &["report", "1"][..],
        &["report", "probe", "--json"],
        &["diff", "1"],
        &["diff", "1", "--side-by-side"],
        &["diff", "1", "--granularity", "char"],
        &["diff", "1", "--sample", "1", "--sample", "3", "--json"],
    ] {
        let started = std::time::Instant::now();
        env.ok_inert(args);
        eprintln!("temper {}: {:?}", args.join(" "), started.elapsed());
    }

    let store = Store::open(&env.db()).unwrap();
    let cell = &store.cells(1).unwrap()[0];
    let rows: Vec<_> = store
        .samples(cell.id)
        .unwrap()
        .into_iter()
        .map(|r| r.sample)
        .collect();
    let outputs: Vec<&str> = rows.iter().filter_map(|s| s.output.as_deref()).collect();
    assert!(
        outputs.contains(&HOSTILE),
        "the hostile output is stored byte for byte"
    );
    assert!(
        outputs.contains(&huge.as_str()),
        "the 10 MB output is stored whole"
    );
    let errors: Vec<&str> = rows.iter().filter_map(|s| s.error.as_deref()).collect();
    assert!(errors.iter().any(|e| e.contains(HOSTILE)), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.starts_with("bad response")),
        "deep JSON is a clean error: {errors:?}"
    );
    let summary: Value = serde_json::from_slice(&env.ok_inert(&["runs", "--json"])).unwrap();
    assert_eq!(summary[0]["samples"], 5);
}
