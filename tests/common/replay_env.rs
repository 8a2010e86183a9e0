//! A temp dir whose config points the `openai` provider at a loopback model, and the real
//! binary run against its own database there: what every `temper replay` test starts from.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use temper::store::Store;

pub struct ReplayEnv {
    pub dir: tempfile::TempDir,
}

impl ReplayEnv {
    /// `openai_base`: the loopback server's OpenAI base URL, ending in `/v1` (keyless).
    pub fn new(openai_base: &str) -> ReplayEnv {
        let dir = tempfile::tempdir().unwrap();
        let config =
            format!("[providers.openai]\nkind = \"openai\"\nbase_url = \"{openai_base}\"\n");
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        ReplayEnv { dir }
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.file("temper.db")
    }

    /// `temper ARGS` on this env's database and config.
    pub fn temper(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("temper")
            .unwrap()
            .arg("--db")
            .arg(self.db())
            .arg("--config")
            .arg(self.file("config.toml"))
            .args(args)
            .env_remove("TEMPER_DB")
            .output()
            .unwrap()
    }

    /// `temper replay ARGS`.
    pub fn replay(&self, args: &[&str]) -> std::process::Output {
        self.temper(&[&["replay"], args].concat())
    }

    /// `temper replay --json ARGS`, which must succeed; its JSON.
    pub fn replay_json(&self, args: &[&str]) -> Value {
        let out = self.replay(&[&["--json"], args].concat());
        assert!(
            out.status.success(),
            "replay failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Names of the stored prompts (none when the database was never created).
    pub fn prompt_names(&self) -> Vec<String> {
        if !self.db().exists() {
            return Vec::new();
        }
        let store = Store::open(&self.db()).unwrap();
        store
            .list_prompts()
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    }
}
