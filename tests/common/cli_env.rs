//! A temp dir with a config file and a SQLite file, and the real `temper` binary run against
//! them: what the command-line tests start from. A test file adds its own constructors and
//! helpers in an `impl CliEnv` block (the type is local to each test crate).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The temp dir; `config.toml` and the database (`t.db`) live in it.
pub struct CliEnv {
    pub dir: tempfile::TempDir,
    /// Name the database with `TEMPER_DB` (as a user's shell would) instead of `--db`.
    pub db_from_env: bool,
}

impl CliEnv {
    /// A config file with `config` and no database yet.
    pub fn with_config(config: &str) -> CliEnv {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        CliEnv {
            dir,
            db_from_env: false,
        }
    }

    /// Like [`CliEnv::with_config`], with the example prompts stored through the library.
    pub fn seeded(config: &str) -> CliEnv {
        let env = CliEnv::with_config(config);
        let mut store = temper::store::Store::open(&env.db()).unwrap();
        temper::store::seed_examples(&mut store).unwrap();
        env
    }

    /// Like [`CliEnv::with_config`], with `examples/prompts` imported by the binary.
    pub fn imported(config: &str) -> CliEnv {
        let env = CliEnv::with_config(config);
        env.temper()
            .args(["prompt", "import"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts"))
            .assert()
            .success();
        env
    }

    /// A path inside the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.path("t.db")
    }

    /// Write `content` to `name` in the temp dir.
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// `temper` on this env's config and database, with nothing inherited that changes what it
    /// does (no API keys, no editor, no colour, HOME in the temp dir).
    pub fn temper(&self) -> Command {
        let mut cmd = Command::cargo_bin("temper").unwrap();
        cmd.env("TEMPER_CONFIG", self.path("config.toml"))
            .env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .env_remove("OPENAI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("VISUAL")
            .env_remove("EDITOR");
        if self.db_from_env {
            cmd.env("TEMPER_DB", self.db());
        } else {
            cmd.env_remove("TEMPER_DB").arg("--db").arg(self.db());
        }
        cmd
    }

    /// `temper --json ARGS`, which must succeed; its JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.temper().arg("--json").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "temper --json {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `temper ARGS`, which must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.temper().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "temper {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}
