//! Round 2 of the key promise (issue 17.1): a server that quotes the API key back JSON-escaped
//! (`\/` as PHP's `json_encode` writes it, `\uXXXX` for some or all characters, either hex
//! case) gets it stored and printed nowhere: not in `samples.output`, tool call arguments,
//! `response_json`, errors, `--trace-out` files, or `report`/`trace --json`; for both wire
//! formats (OpenAI-compatible and Anthropic).

mod common;
mod hardening_support;

use common::{Reply, TestServer};
use hardening_support::{Env, KEY_ENV, files_under};

/// A key with a `/`, so PHP-style `\/` escaping applies.
const KEY: &str = "sk-live/9f8e7d6c5b4a/3210QQzz";

/// Every JSON spelling of the key a server might send inside a JSON string.
fn spellings() -> Vec<(&'static str, String)> {
    let u = |c: char| format!("\\u{:04x}", c as u32);
    let mixed = KEY
        .chars()
        .enumerate()
        .map(|(i, c)| match (i % 2, c) {
            (_, '/') => "\\/".to_string(),
            (0, c) => u(c),
            (_, c) => c.to_string(),
        })
        .collect();
    vec![
        ("plain", KEY.to_string()),
        ("php slash", KEY.replace('/', "\\/")),
        ("all \\u lower", KEY.chars().map(u).collect()),
        (
            "all \\u upper",
            KEY.chars()
                .map(|c| format!("\\u{:04X}", c as u32))
                .collect(),
        ),
        ("mixed", mixed),
    ]
}

/// An OpenAI answer quoting the key (spelled `k`) in its text, a tool call's arguments (escaped
/// once more, as arguments are a JSON string), the fingerprint and an extra field.
fn openai_body(k: &str) -> String {
    format!(
        r#"{{"id":"c1","object":"chat.completion","model":"m","choices":[{{"index":0,"message":{{"role":"assistant","content":"your key is {k} ok","tool_calls":[{{"id":"call_1","type":"function","function":{{"name":"echo","arguments":"{{\"key\":\"{k}\"}}"}}}}]}},"finish_reason":"tool_calls"}}],"usage":{{"prompt_tokens":5,"completion_tokens":7}},"system_fingerprint":"fp_{k}","debug":{{"{k}":"{k}"}}}}"#
    )
}

/// An Anthropic answer quoting the key in a text block and a `tool_use` input.
fn anthropic_body(k: &str) -> String {
    format!(
        r#"{{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{{"type":"text","text":"key {k}"}},{{"type":"tool_use","id":"tu_1","name":"echo","input":{{"key":"{k}"}}}}],"stop_reason":"tool_use","usage":{{"input_tokens":5,"output_tokens":7}}}}"#
    )
}

/// Fail if any spelling of the key (or a run of its characters) is in `bytes`.
fn assert_no_key(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    for (name, spelled) in spellings() {
        assert!(!text.contains(&spelled), "key ({name}) leaked into {what}");
    }
    for part in ["9f8e7d6c5b4a", "3210QQzz"] {
        assert!(!text.contains(part), "part of the key leaked into {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_echoed_in_any_json_escaping_is_stored_and_printed_nowhere() {
    let server = TestServer::start(Reply::raw(500, "text/plain", "unexpected")).await;
    let env = Env::loopback(&server.base_url());
    env.config(&format!(
        "[providers.loop]\nkind = \"openai\"\nbase_url = \"{0}/v1\"\napi_key_env = \"{KEY_ENV}\"\n\
         [providers.anth]\nkind = \"anthropic\"\nbase_url = \"{0}\"\napi_key_env = \"{KEY_ENV}\"\n",
        server.base_url()
    ));
    let mut printed = Vec::new();
    for (name, spelled) in spellings() {
        for (model, body) in [
            ("loop:gpt-4o-mini", openai_body(&spelled)),
            ("anth:claude-x", anthropic_body(&spelled)),
        ] {
            server.push(Reply::raw(200, "application/json", &body));
            // The same spelling in an error object, and in a body that is not even JSON.
            let error = format!(r#"{{"error":{{"message":"bad key {spelled}","type":"x"}}}}"#);
            server.push(Reply::raw(401, "application/json", &error));
            server.push(Reply::raw(
                200,
                "application/json",
                &format!("{{\"k\":\"{spelled}"),
            ));
            let trace = env.path(&format!(
                "trace-{}-{}.jsonl",
                name.replace(' ', "_"),
                &model[..4]
            ));
            let out = env
                .temper()
                .env(KEY_ENV, KEY)
                .args(["run", "probe", "--model", model, "-n", "3", "-c", "1"])
                .args(["--retries", "0", "--trace-out", trace.to_str().unwrap()])
                .output()
                .unwrap();
            let requests = server.requests();
            let auth = requests
                .last()
                .and_then(|r| r.header("authorization").or_else(|| r.header("x-api-key")));
            assert!(
                auth.is_some_and(|a| a.contains(KEY)),
                "{name}: key not sent"
            );
            printed.push((format!("run {model} {name}"), out.stdout, out.stderr));
            for args in [
                vec!["report", "--json"],
                vec!["runs", "--json"],
                vec!["trace", trace.to_str().unwrap(), "--json"],
            ] {
                let out = env.temper().env(KEY_ENV, KEY).args(&args).output().unwrap();
                printed.push((
                    format!("{} ({name})", args.join(" ")),
                    out.stdout,
                    out.stderr,
                ));
            }
        }
    }
    for (what, stdout, stderr) in &printed {
        assert_no_key(stdout, &format!("stdout of {what}"));
        assert_no_key(stderr, &format!("stderr of {what}"));
    }
    let files = files_under(env.dir.path());
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "jsonl"))
    );
    for file in files {
        assert_no_key(&std::fs::read(&file).unwrap(), &file.display().to_string());
    }
    // The answers were stored (scrubbed), not dropped.
    let store = temper::store::Store::open(&env.db()).unwrap();
    let runs = store.list_runs(100).unwrap();
    assert_eq!(runs.len(), 10, "one run per spelling and wire format");
}
