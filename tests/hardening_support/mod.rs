//! Shared by the hardening tests: a throwaway temper environment (config + DB in a tempdir,
//! colour off), the hostile payloads, and the check that output reaching a terminal is inert.
#![allow(dead_code)] // each test file uses a part of this module

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every terminal trick at once: clear screen, cursor moves, OSC 52 clipboard write, OSC 8 link,
/// BEL, C1 CSI/OSC/ST, NUL, DEL, and bidi overrides and isolates (Trojan Source).
pub const HOSTILE: &str = "clear\x1b[2J\x1b[H move\x1b[10;20H\x1b[5A up \
osc52\x1b]52;c;ZXZpbA==\x07 link\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \
bel\x07 c1csi\u{9b}31m c1osc\u{9d}0;title\u{9c} c1nel\u{85} nul\0 del\x7f \
trojan\u{202e}devil\u{202c} iso\u{2066}x\u{2069} end";

/// `HOSTILE` as a command-line argument: argv cannot carry NUL, everything else stays.
pub fn hostile_arg() -> String {
    HOSTILE.replace('\0', "")
}

/// The env var the loopback provider reads its key from, and the key the tests set.
pub const KEY_ENV: &str = "TEMPER_HARDEN_KEY";
pub const TEST_KEY: &str = "sk-harden-7f3c9a1e5b2d4c6e8a0b1d3f5e7c9a2b";

/// A command must never take longer than this (a hang fails the test instead of CI's job).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A temper home in a tempdir: empty config file, DB file, colour off.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        Env { dir }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("temper.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `temper` on this environment's config and DB, colour off, no editor.
    pub fn temper(&self) -> Command {
        let mut cmd = Command::cargo_bin("temper").unwrap();
        cmd.env("TEMPER_DB", self.db())
            .env("TEMPER_CONFIG", self.path("config.toml"))
            .env("NO_COLOR", "1")
            .env(KEY_ENV, TEST_KEY)
            .env_remove("VISUAL")
            .env_remove("EDITOR")
            .timeout(TIMEOUT);
        cmd
    }

    /// Replace the config file's content.
    pub fn config(&self, toml: &str) -> &Env {
        std::fs::write(self.path("config.toml"), toml).unwrap();
        self
    }

    /// Config with one OpenAI-style provider `loop` at `base_url` (a loopback test server),
    /// whose key is read from the env var [`KEY_ENV`]; then a prompt `probe` to run (`{{name}}`,
    /// default Ada).
    pub fn loopback(base_url: &str) -> Env {
        let env = Env::new();
        env.config(&format!(
            "[providers.loop]\nkind = \"openai\"\nbase_url = \"{base_url}/v1\"\napi_key_env = \"{KEY_ENV}\"\n"
        ));
        let probe = env.file(
            "probe.toml",
            "name = \"probe\"\n[[messages]]\nrole = \"user\"\ncontent = \"Say hi to {{name}}\"\n[vars]\nname = \"Ada\"\n",
        );
        env.ok_inert(&["prompt", "import", probe.to_str().unwrap()]);
        env
    }

    /// `temper run probe` as a background process (stdout/stderr piped), with the key set.
    pub fn spawn_run(&self, extra: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("temper"))
            .env("TEMPER_DB", self.db())
            .env("TEMPER_CONFIG", self.path("config.toml"))
            .env("NO_COLOR", "1")
            .env(KEY_ENV, TEST_KEY)
            .args([
                "run",
                "probe",
                "--model",
                "loop:gpt-4o-mini",
                "--var",
                "name=Ada",
            ])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Write a file into the environment.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    /// Run temper with `args`; return (success, stdout, stderr) after checking both are inert.
    pub fn run_inert(&self, args: &[&str]) -> (bool, Vec<u8>, Vec<u8>) {
        let out = self.temper().args(args).output().unwrap();
        let what = format!("temper {}", args.join(" "));
        assert_inert(&out.stdout, &format!("stdout of {what}"));
        assert_inert(&out.stderr, &format!("stderr of {what}"));
        (out.status.success(), out.stdout, out.stderr)
    }

    /// Like `run_inert`, but the command must succeed.
    pub fn ok_inert(&self, args: &[&str]) -> Vec<u8> {
        let (ok, stdout, stderr) = self.run_inert(args);
        assert!(
            ok,
            "temper {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&stderr)
        );
        stdout
    }
}

/// True for characters a terminal may act on: C0 controls other than newline/tab/CR, DEL, C1
/// controls, and the bidi controls that reorder text.
pub fn is_active(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Fail unless `bytes` hold nothing a terminal would act on: no ESC, no BEL, no C1 control
/// (as UTF-8 or as a raw 8-bit byte), no NUL, no bidi control.
pub fn assert_inert(bytes: &[u8], what: &str) {
    if let Some(at) = bytes.iter().position(|&b| b == 0x1b || b == 0x07 || b == 0) {
        panic!(
            "{what}: control byte {:#04x} at {at}: {}",
            bytes[at],
            context(bytes, at)
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_active(c)) {
                panic!(
                    "{what}: active char U+{:04X} at {at}: {}",
                    c as u32,
                    context(bytes, at)
                );
            }
        }
        // Output that is not UTF-8 would let a lone 0x9b byte act as an 8-bit CSI.
        Err(e) => panic!("{what}: not UTF-8 at {}", e.valid_up_to()),
    }
}

fn context(bytes: &[u8], at: usize) -> String {
    let from = at.saturating_sub(40);
    let to = (at + 40).min(bytes.len());
    format!("{:?}", String::from_utf8_lossy(&bytes[from..to]))
}

/// `[[[…]]]` nested `depth` deep.
pub fn nested_json(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// Absolute path of a file in the repository.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every file under `dir`, recursively (DB, WAL, SHM, exports, anything temper wrote).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
