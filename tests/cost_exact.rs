//! `temper cost --exact` against a loopback server speaking Anthropic's count_tokens shape: the
//! real binary sends the rendered prompt with `x-api-key` and `anthropic-version`, uses the
//! count it gets back, never prints the key; without a key (or for other providers) the `~`
//! estimate stands and the notes say why.

use assert_cmd::Command;

mod common;

use common::cli_env::CliEnv as Env;

const KEY: &str = "sk-ant-test-9f8e7d6c5b4a";

impl Env {
    fn new(base_url: &str) -> Env {
        Env::with_config(&format!(
            "[providers.claude]\nkind = \"anthropic\"\nbase_url = \"{base_url}\"\napi_key_env = \"TEMPER_TEST_ANTHROPIC_KEY\"\n"
        ))
    }
}

fn output(cmd: &mut Command) -> (String, serde_json::Value) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{all}");
    assert!(!all.contains(KEY), "the key was printed: {all}");
    (all, serde_json::from_str(&stdout).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_uses_anthropics_count_with_its_headers() {
    let server = common::TestServer::start(common::Reply::json(
        200,
        serde_json::json!({"input_tokens": 1187}),
    ))
    .await;
    let env = Env::new(&server.base_url());
    let args = [
        "--json",
        "cost",
        "support-answer",
        "-m",
        "claude:claude-haiku-4-5",
        "-m",
        "openai:gpt-4o-mini",
        "--exact",
    ];
    let (_, j) = output(
        env.temper()
            .env("TEMPER_TEST_ANTHROPIC_KEY", KEY)
            .args(args),
    );
    let claude = &j["estimate"]["models"][0];
    assert_eq!(claude["input_tokens"]["tokens"], 1187);
    assert_eq!(claude["input_tokens"]["estimated"], false);
    assert_eq!(claude["exact"]["kind"], "counted");
    let openai = &j["estimate"]["models"][1];
    assert_eq!(openai["exact"]["kind"], "unavailable");
    assert!(
        openai["exact"]["why"]
            .as_str()
            .unwrap()
            .contains("only Anthropic")
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one count for the one Claude model");
    let r = &requests[0];
    assert_eq!(r.path, "/v1/messages/count_tokens");
    assert_eq!(r.header("x-api-key").as_deref(), Some(KEY));
    assert_eq!(r.header("anthropic-version").as_deref(), Some("2023-06-01"));
    let body = r.json();
    assert_eq!(body["model"], "claude-haiku-4-5");
    assert!(
        body["system"].as_str().unwrap().contains("Acme Cloud"),
        "{body}"
    );
    assert!(
        body.get("max_tokens").is_none() && body.get("temperature").is_none(),
        "{body}"
    );
    assert!(body["messages"][0]["content"].is_string(), "{body}");

    let (text, _) = output(
        env.temper()
            .env("TEMPER_TEST_ANTHROPIC_KEY", KEY)
            .args(&args[1..]),
    );
    assert!(
        text.contains("input tokens counted by Anthropic count_tokens (exact)"),
        "{text}"
    );
    assert!(text.contains("1,187"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_key_or_on_error_the_estimate_stands_and_says_why() {
    let server = common::TestServer::start(common::Reply::json(
        401,
        common::anthropic_error("authentication_error", "invalid x-api-key"),
    ))
    .await;
    let env = Env::new(&server.base_url());
    let args = [
        "cost",
        "support-answer",
        "-m",
        "claude:claude-haiku-4-5",
        "--exact",
    ];
    let (text, _) = output(
        env.temper()
            .env_remove("TEMPER_TEST_ANTHROPIC_KEY")
            .args(args),
    );
    assert!(text.contains("~"), "{text}");
    assert!(
        text.contains(
            "--exact: TEMPER_TEST_ANTHROPIC_KEY is not set, so the input is the o200k_base estimate"
        ),
        "{text}"
    );
    assert!(server.requests().is_empty(), "no call without a key");
    let (text, _) = output(
        env.temper()
            .env("TEMPER_TEST_ANTHROPIC_KEY", KEY)
            .args(args),
    );
    assert!(
        text.contains("--exact: count_tokens failed: HTTP 401"),
        "{text}"
    );
    assert!(text.contains("invalid x-api-key"), "{text}");
}
