//! What a short command costs (issue 25, goal 1), on the real binary against a loopback
//! OpenAI-compatible server: a run on a local model never loads a BPE table (a priced model's
//! estimate does, for its exact count), and the database a process leaves is one self-contained
//! file: a copy of `t.db` alone holds every run.

#[path = "../benches/support/child.rs"]
mod child;
mod promptfoo_server;

use promptfoo_server::ChatServer;
use std::path::Path;
use std::process::Command;

fn temper(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_temper"));
    cmd.arg("--db")
        .arg(dir.join("t.db"))
        .env("TEMPER_CONFIG", dir.join("config.toml"))
        .env_remove("TEMPER_DB")
        .env_remove("OPENAI_API_KEY");
    cmd
}

fn setup(server: &ChatServer) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"{}\"\n",
        server.base_url()
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let out = temper(dir.path())
        .args(["prompt", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    dir
}

fn run(dir: &Path, model: &str) -> Command {
    let mut cmd = temper(dir);
    cmd.args(["run", "support-answer", "-n", "1", "-m", model]);
    cmd
}

#[test]
fn a_run_on_a_local_model_never_loads_a_bpe_table() {
    let server = ChatServer::start();
    let dir = setup(&server);
    let d = dir.path();
    // The estimate says how the prompt was counted: roughly for a $0 model, exactly when priced.
    let out = run(d, "local:bench-model").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("tok/call (estimated)") && stderr.contains("local: $0"),
        "{stderr}"
    );
    let out = run(d, "local:gpt-4o-mini").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tok/call (exact)"), "{stderr}");
    // o200k_base alone takes over 30 MB once loaded: the local run stays far below the priced one.
    let (_, local_mb) = child::measure(run(d, "local:bench-model"));
    let (_, priced_mb) = child::measure(run(d, "local:gpt-4o-mini"));
    assert!(
        local_mb + 25.0 < priced_mb,
        "local run {local_mb:.1} MB, priced run {priced_mb:.1} MB"
    );
    assert_eq!(server.calls(), 4);
}

#[test]
fn the_database_file_alone_holds_every_commit_after_exit() {
    let server = ChatServer::start();
    let dir = setup(&server);
    let d = dir.path();
    for _ in 0..3 {
        let out = run(d, "local:bench-model").output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    // What a user does to back up or share: copy the one file, not its -wal.
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(d.join("t.db"), copy.path().join("t.db")).unwrap();
    std::fs::copy(d.join("config.toml"), copy.path().join("config.toml")).unwrap();
    let out = temper(copy.path())
        .args(["runs", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = runs.as_array().or_else(|| runs["runs"].as_array()).unwrap();
    assert_eq!(runs.len(), 3, "{runs:?}");
}
