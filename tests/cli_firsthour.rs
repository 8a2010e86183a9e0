//! A new user's first hour on the command line (issue 16): typos get a "did you mean", volumes
//! take suffixes, lists stay readable, answers can be printed, prompt files are checked. Every
//! test runs the real binary on a real SQLite file in a temp dir.

mod common;

use common::cli_env::CliEnv as Env;

use std::path::Path;

impl Env {
    fn new() -> Env {
        Env::with_config_and_examples("")
    }

    fn with_config_and_examples(config: &str) -> Env {
        let env = Env {
            db_from_env: true,
            ..Env::with_config(config)
        };
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts");
        env.temper()
            .args(["prompt", "import"])
            .arg(examples)
            .assert()
            .success();
        env
    }

    /// Run the command, assert failure, return stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.temper().args(args).output().unwrap();
        assert!(!out.status.success(), "temper {args:?} succeeded");
        String::from_utf8(out.stderr).unwrap()
    }
}

// Item 5: typos in provider and model names.

#[test]
fn unknown_provider_suggests_a_close_one_and_names_the_config_file() {
    let env = Env::with_config_and_examples(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\n",
    );
    let err = env.fails(&["run", "support-answer", "-m", "lcoal:llama3", "-n", "1"]);
    assert!(err.contains("did you mean \"local\"?"), "{err}");
    let config = env.path("config.toml").display().to_string();
    assert!(err.contains(&format!("config file: {config}")), "{err}");
    let models = env.ok(&["models"]);
    assert!(
        models.contains(&format!("config file: {config}")),
        "{models}"
    );
}

#[test]
fn unknown_provider_without_a_config_file_says_there_is_none() {
    let env = Env::new();
    let out = env
        .temper()
        .env_remove("TEMPER_CONFIG")
        .args([
            "run",
            "support-answer",
            "-m",
            "opnai:gpt-4o-mini",
            "-n",
            "1",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("did you mean \"openai\"?"), "{err}");
    assert!(
        err.contains("config file: none;") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn unpriced_model_typo_gets_did_you_mean_before_the_run() {
    let env = Env::new();
    // A key is set but nothing listens: the estimate is printed before any call fails.
    let out = env
        .temper()
        .env("OPENAI_API_KEY", "sk-test")
        // Not loopback (that would be priced as a local server); TEST-NET-1 never answers.
        .env("OPENAI_BASE_URL", "http://192.0.2.1:9/v1")
        .args([
            "run",
            "support-answer",
            "-m",
            "openai:gpt4o-mini",
            "-n",
            "1",
            "--retries",
            "0",
            "--timeout",
            "1",
        ])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("openai:gpt4o-mini is unpriced")
            && all.contains("did you mean openai:gpt-4o-mini"),
        "{all}"
    );
}

// Item 6: volumes and the runs list.

#[test]
fn calls_per_day_takes_k_and_m_suffixes() {
    let env = Env::new();
    let out = env.ok(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o-mini",
        "--calls-per-day",
        "1.5M",
    ]);
    assert!(out.contains("1,500,000 calls/day"), "{out}");
    let out = env.ok(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o-mini",
        "--calls-per-day",
        "50k",
    ]);
    assert!(out.contains("50,000 calls/day"), "{out}");
    let err = env.fails(&[
        "cost",
        "support-answer",
        "-m",
        "openai:gpt-4o-mini",
        "--calls-per-day",
        "lots",
    ]);
    assert!(err.contains("50k, 1.5M"), "{err}");
}

#[test]
fn runs_limit_zero_lists_all_and_columns_stay_apart() {
    let env = Env::new();
    for _ in 0..3 {
        env.ok(&["run", "support-answer", "-m", "mock:echo", "-n", "1"]);
    }
    let all = env.ok(&["runs", "--limit", "0"]);
    assert_eq!(
        all.lines().filter(|l| l.starts_with('#')).count(),
        3,
        "{all}"
    );
    let two = env.ok(&["runs", "--limit", "2"]);
    assert_eq!(two.lines().count(), 2, "{two}");
    for line in all.lines() {
        assert!(
            line.contains("done ") && line.contains(" 1 sample "),
            "{line:?}"
        );
    }
    // Colour (on in a terminal) must not eat the padding: `#3     cancelled17:05` was the bug.
    env.fails(&[
        "run",
        "support-answer",
        "-m",
        "mock:echo?fail=1",
        "-n",
        "1",
        "--retries",
        "0",
    ]);
    let screen = env.in_pty(&["runs"]);
    let failed = screen
        .lines()
        .find(|l| l.contains("failed"))
        .unwrap_or_default();
    assert!(failed.contains("failed       "), "{screen}");
    assert!(failed.contains(" 1 sample  2"), "{screen}");
}

impl Env {
    /// The screen after running temper in an 120x24 pseudo-terminal (colour on).
    fn in_pty(&self, args: &[&str]) -> String {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        use std::io::Read;
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_temper"));
        cmd.args(args);
        cmd.env("TEMPER_DB", self.db());
        cmd.env("TEMPER_CONFIG", self.path("config.toml"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        let mut child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let reading = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = reader.read_to_end(&mut bytes);
            bytes
        });
        child.wait().unwrap();
        drop(pty.master);
        let bytes = reading.join().unwrap();
        assert!(bytes.contains(&0x1b), "no colour in a terminal");
        let mut parser = vt100::Parser::new(24.try_into().unwrap(), 120.try_into().unwrap(), 0);
        parser.process(&bytes);
        parser.screen().contents()
    }
}

// Item 9: a base URL without /v1.

#[tokio::test(flavor = "multi_thread")]
async fn a_404_from_a_base_url_without_v1_hints_at_v1() {
    let server =
        common::TestServer::start(common::Reply::raw(404, "text/plain", "404 page not found"))
            .await;
    let config = format!(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"{}\"\n",
        server.base_url()
    );
    let env = Env::with_config_and_examples(&config);
    let out = env
        .temper()
        .args([
            "run",
            "support-answer",
            "-m",
            "local:llama3",
            "-n",
            "1",
            "--retries",
            "0",
        ])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("HTTP 404"), "{all}");
    assert!(all.contains("usually need /v1"), "{all}");
}

// Item 8: a run's answers on the command line.

/// The id of the run the last `temper run` stored (runs --json lists newest first).
fn last_run(env: &Env) -> String {
    let out = env.ok(&["runs", "--json"]);
    let runs: serde_json::Value = serde_json::from_str(&out).unwrap();
    runs[0]["id"].to_string()
}

#[test]
fn report_outputs_lists_each_cluster_with_its_full_text() {
    let env = Env::new();
    env.ok(&[
        "run",
        "support-answer",
        "-m",
        "mock:drift?p=0.5&seed=3",
        "-n",
        "6",
    ]);
    let run = last_run(&env);
    let out = env.ok(&["report", &run, "--outputs"]);
    let clusters: Vec<&str> = out.lines().filter(|l| l.starts_with("cluster ")).collect();
    assert!(clusters.len() >= 2, "{out}");
    assert!(clusters[0].contains("samples"), "{out}");
    // Full text, not an excerpt: the whole answer of the mock, citation included.
    let full = out
        .lines()
        .filter(|l| {
            l.starts_with("  Annual plans are refundable in full within 30 days of purchase [c")
        })
        .count();
    assert_eq!(full, clusters.len(), "{out}");
    let json = env.ok(&["report", &run, "--outputs", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &v["outputs"][0]["clusters"][0];
    assert!(
        first["text"].as_str().unwrap().starts_with("Annual plans"),
        "{json}"
    );
}

#[test]
fn report_outputs_neutralises_terminal_escapes_in_answers() {
    let env = Env::new();
    let file = env.path("hostile.toml");
    std::fs::write(
        &file,
        "name = \"hostile\"\n[[messages]]\nrole = \"user\"\ncontent = \"say \\u001b[2Jgotcha\"\n",
    )
    .unwrap();
    env.ok(&["prompt", "import", file.to_str().unwrap()]);
    env.ok(&["run", "hostile", "-m", "mock:echo", "-n", "2"]);
    let out = env.ok(&["report", &last_run(&env), "--outputs"]);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("gotcha"), "{out}");
}

#[test]
fn diff_of_identical_samples_says_so_and_shows_the_text_once() {
    let env = Env::new();
    env.ok(&["run", "support-answer", "-m", "mock:echo", "-n", "3"]);
    let out = env.ok(&["diff", &last_run(&env)]);
    assert!(out.contains("all 3 answered samples of run #"), "{out}");
    assert!(out.contains("are identical"), "{out}");
    assert_eq!(
        out.matches("Annual plans are refundable").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("+++"), "{out}");
}

// Item 11: divergence excerpts start at a word boundary.

#[test]
fn report_divergence_excerpts_start_at_a_word() {
    let env = Env::new();
    env.ok(&[
        "run",
        "support-answer",
        "-m",
        "mock:drift?p=0.5&seed=3",
        "-n",
        "6",
    ]);
    let out = env.ok(&["report", &last_run(&env)]);
    let modal = out
        .lines()
        .find(|l| l.contains("modal  →"))
        .unwrap_or_default();
    let other = out
        .lines()
        .find(|l| l.contains("other  →"))
        .unwrap_or_default();
    // The mock drifts in the citation digit: `[c2]` vs `[c3]`, never a bare `2]`.
    assert!(modal.contains("→ c"), "{out}");
    assert!(other.contains("→ c"), "{out}");
}

// Item 10: prompt files, labels and deleting prompts.

#[test]
fn unclosed_placeholder_is_a_warning_with_line_and_column() {
    let env = Env::new();
    let file = env.path("greet.toml");
    std::fs::write(
        &file,
        "name = \"greet\"\n[[messages]]\nrole = \"user\"\ncontent = \"Hello {{name}, welcome\"\n",
    )
    .unwrap();
    let out = env
        .temper()
        .args(["prompt", "new", "greet", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // Line 4, column 18 of the file: where `{{name}` starts.
    assert!(err.contains("greet.toml:4:18:"), "{err}");
    assert!(err.contains("{{name} is not closed"), "{err}");
}

#[test]
fn prompt_new_with_a_file_naming_another_prompt_is_an_error() {
    let env = Env::new();
    let file = env.path("other.toml");
    std::fs::write(
        &file,
        "name = \"other\"\n[[messages]]\nrole = \"user\"\ncontent = \"hi\"\n",
    )
    .unwrap();
    let err = env.fails(&["prompt", "new", "mine", "-f", file.to_str().unwrap()]);
    assert!(
        err.contains("names the prompt \"other\", not \"mine\""),
        "{err}"
    );
    let list = env.ok(&["prompt", "list"]);
    assert!(!list.contains("mine") && !list.contains("other"), "{list}");
}

#[test]
fn prompt_new_with_the_skeleton_unchanged_saves_nothing_and_says_why() {
    let env = Env::new();
    let out = env
        .temper()
        .env("EDITOR", "true")
        .args(["prompt", "new", "fresh"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing saved: the skeleton came back unchanged"),
        "{err}"
    );
    assert!(!env.ok(&["prompt", "list"]).contains("fresh"));
}

#[test]
fn label_delete_removes_only_that_label() {
    let env = Env::new();
    env.ok(&["prompt", "label", "support-answer@1", "staging"]);
    let out = env.ok(&["prompt", "label", "support-answer", "staging", "--delete"]);
    assert!(
        out.contains("deleted label staging of support-answer (it pointed at @1)"),
        "{out}"
    );
    let list = env.ok(&["prompt", "list"]);
    let row = list
        .lines()
        .find(|l| l.starts_with("support-answer"))
        .unwrap();
    assert!(!row.contains("staging"), "{row}");
    let err = env.fails(&["prompt", "label", "support-answer", "staging", "--delete"]);
    assert!(err.contains("no label \"staging\""), "{err}");
}

#[test]
fn prompt_delete_refuses_a_prompt_with_runs_unless_forced() {
    let env = Env::new();
    env.ok(&["run", "support-answer", "-m", "mock:echo", "-n", "2"]);
    env.ok(&["run", "classify-ticket", "-m", "mock:echo", "-n", "1"]);
    let err = env.fails(&["prompt", "delete", "support-answer"]);
    assert!(err.contains("has 1 run with 2 samples stored"), "{err}");
    assert!(err.contains("--force"), "{err}");
    // Refused: nothing was touched.
    assert!(env.ok(&["prompt", "list"]).contains("support-answer"));
    assert_eq!(env.ok(&["runs"]).lines().count(), 2);

    let out = env.ok(&["prompt", "delete", "support-answer", "--force"]);
    assert!(out.contains("and 1 cell of 1 run (2 samples)"), "{out}");
    assert!(!env.ok(&["prompt", "list"]).contains("support-answer"));
    let runs = env.ok(&["runs"]);
    assert_eq!(runs.lines().count(), 1, "{runs}");
    assert!(runs.contains("classify-ticket"), "{runs}");

    // A prompt without runs goes without --force.
    let out = env.ok(&["prompt", "delete", "extract-invoice"]);
    assert!(
        out.starts_with("deleted extract-invoice: 1 version"),
        "{out}"
    );
    let err = env.fails(&["prompt", "delete", "extract-invoice"]);
    assert!(err.contains("no prompt named"), "{err}");
}
