//! Opt-in tests against a real model server (SmolLM2-135M behind llama.cpp's OpenAI-compatible
//! API; `scripts/local-model start` serves one). Not part of the default `cargo test`:
//!
//! ```console
//! $ scripts/local-model start
//! $ cargo test --test real_model -- --ignored
//! ```
//!
//! The tests take turns on the server (see [`ONE_AT_A_TIME`]).
//!
//! `TEMPER_REAL_BASE_URL` points elsewhere (default `http://127.0.0.1:8765/v1`), and
//! `TEMPER_REAL_MODEL` names the served model (default `smollm2-135m`).

use assert_cmd::Command;
use serde_json::Value;
use temper::prompt::{Message, PromptBody, Role};
use temper::store::Store;

/// Held by each test while it talks to the server: llama.cpp decodes concurrent requests in
/// one batch, and a batch's size changes the float sums, so two tests at once could make a
/// temperature-0 answer differ from the same request alone.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Real {
    dir: tempfile::TempDir,
    model: String,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Real {
    /// A DB holding `prompt` (one user message, no `[params]`: no temperature set anywhere) and
    /// a config with provider `real` at the server.
    fn new(prompt: &str) -> Real {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let base = std::env::var("TEMPER_REAL_BASE_URL")
            .unwrap_or_else(|_| "http://127.0.0.1:8765/v1".into());
        let model = std::env::var("TEMPER_REAL_MODEL").unwrap_or_else(|_| "smollm2-135m".into());
        let dir = tempfile::tempdir().unwrap();
        let body = PromptBody {
            messages: vec![Message::new(Role::User, prompt)],
            ..PromptBody::default()
        };
        Store::open(&dir.path().join("t.db"))
            .unwrap()
            .save_version("real", &body, "first")
            .unwrap();
        let config = format!("[providers.real]\nkind = \"openai\"\nbase_url = \"{base}\"\n");
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Real {
            dir,
            model,
            _turn: turn,
        }
    }

    fn temper(&self, args: &[&str]) -> Value {
        let out = Command::cargo_bin("temper")
            .unwrap()
            .env("TEMPER_DB", self.dir.path().join("t.db"))
            .env("TEMPER_CONFIG", self.dir.path().join("config.toml"))
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "temper {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `temper run real -n N -c 1 -m "real:MODEL PARAMS"`; the run's JSON.
    fn run(&self, n: &str, params: &str) -> Value {
        let variant = format!("real:{} {params}", self.model);
        self.temper(&["run", "real", "-n", n, "-c", "1", "-m", variant.trim()])
    }

    /// Every sample output of a run's cells, in order.
    fn outputs(&self, run_id: i64) -> Vec<Vec<String>> {
        let store = Store::open(&self.dir.path().join("t.db")).unwrap();
        store
            .cells(run_id)
            .unwrap()
            .iter()
            .map(|c| {
                let rows = store.samples(c.id).unwrap();
                rows.into_iter()
                    .map(|s| s.sample.output.unwrap_or_default())
                    .collect()
            })
            .collect()
    }
}

#[test]
#[ignore = "needs a real model server: scripts/local-model start"]
fn real_model_no_temperature_gives_identical_outputs() {
    let real = Real::new("Name three colours of the rainbow.");
    let run = real.run("4", "max_tokens=24");
    assert_eq!(run["ok"], 4, "{run}");
    let outputs = &real.outputs(run["run_id"].as_i64().unwrap())[0];
    println!("4 samples, first: {:?}", outputs[0]);
    assert!(outputs.iter().all(|o| o == &outputs[0]), "{outputs:#?}");
    let report = real.temper(&["report", &run["run_id"].to_string()]);
    assert_eq!(report["cells"][0]["params_sent"]["temperature"], 0.0);
    assert_eq!(report["cells"][0]["analysis"]["distinct"], 1);
}

#[test]
#[ignore = "needs a real model server: scripts/local-model start"]
fn real_model_streaming_gives_the_same_text() {
    let real = Real::new("Name three colours of the rainbow.");
    let plain = real.run("2", "max_tokens=24");
    let streamed = real.run("2", "max_tokens=24 stream=true");
    let plain = real.outputs(plain["run_id"].as_i64().unwrap());
    let streamed_id = streamed["run_id"].as_i64().unwrap();
    let streamed_out = real.outputs(streamed_id);
    println!(
        "plain {:?} / streamed {:?}",
        plain[0][0], streamed_out[0][0]
    );
    assert_eq!(plain, streamed_out);
    let report = real.temper(&["report", &streamed_id.to_string()]);
    let cell = &report["cells"][0];
    println!(
        "ttft p50 {} ms, latency p50 {} ms",
        cell["ttft_p50_ms"], cell["latency_p50_ms"]
    );
    assert!(cell["ttft_p50_ms"].as_f64().unwrap() > 0.0);
    assert!(cell["ttft_p50_ms"].as_f64() <= cell["latency_p50_ms"].as_f64());
}

#[test]
#[ignore = "needs a real model server: scripts/local-model start"]
fn real_model_explain_names_the_server_settings_not_sampling() {
    // A repetitive answer: llama.cpp's default repeat penalty (1.1) then picks tokens below
    // the top logprob although temperature 0 is sent.
    let real = Real::new("Say yes yes yes yes yes yes yes yes yes yes");
    let run = real.run("1", "max_tokens=40");
    let report = real.temper(&["report", &run["run_id"].to_string(), "--explain"]);
    let cell = &report["explain"]["cells"][0];
    let passed_over = cell["fragility"]["modal"]["passed_over"].as_u64().unwrap();
    println!("passed-over tokens at temperature 0: {passed_over}");
    let out = Command::cargo_bin("temper")
        .unwrap()
        .env("TEMPER_DB", real.dir.path().join("t.db"))
        .env("TEMPER_CONFIG", real.dir.path().join("config.toml"))
        .args(["report", &run["run_id"].to_string(), "--explain"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        passed_over > 0,
        "the prompt should trip the repeat penalty: {text}"
    );
    assert!(text.contains("temperature 0 was sent"), "{text}");
    assert!(text.contains("repeat or presence penalty"), "{text}");
    assert!(!text.contains("sampling above temperature 0"), "{text}");
}
