//! The TUI on hostile data: the real binary in a pseudo-terminal, showing a prompt whose text
//! carries terminal escapes. The raw byte stream temper writes must not carry any of the
//! payload's own sequences (the TUI draws with escapes of its own, so the check looks for the
//! payload's: its OSC 52 clipboard data, its OSC 8 link, BEL, C1 controls, raw bidi overrides).

mod common;
mod hardening_support;

use common::{Reply, TestServer, openai_text};
use hardening_support::{Env, HOSTILE, KEY_ENV, TEST_KEY};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use temper::prompt::{Message, PromptBody, PromptFile, Role};
use temper::store::{RunStatus, SampleStatus, Store};

/// Byte strings from HOSTILE that must never reach the terminal as they are.
const FORBIDDEN: [(&str, &[u8]); 6] = [
    ("OSC 52 clipboard payload", b"ZXZpbA=="),
    ("OSC 8 link target", b"evil.example"),
    ("BEL", b"\x07"),
    ("C1 CSI", "\u{9b}".as_bytes()),
    ("C1 OSC", "\u{9d}".as_bytes()),
    ("RLO bidi override", "\u{202e}".as_bytes()),
];

/// The real binary's TUI in a 40x120 pseudo-terminal, every byte it writes kept.
struct Tui {
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    fn start(env: &Env) -> Tui {
        Tui::start_at(env.dir.path())
    }

    /// Start on the DB and config of an [`Env`] rooted at `dir`.
    fn start_at(dir: &std::path::Path) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_temper"));
        cmd.arg("--db");
        cmd.arg(dir.join("temper.db"));
        cmd.env("TEMPER_CONFIG", dir.join("config.toml"));
        cmd.env("TERM", "xterm-256color");
        cmd.env(KEY_ENV, TEST_KEY);
        cmd.env_remove("TEMPER_DB");
        cmd.cwd(dir);
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let raw = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = raw.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Tui {
            raw,
            writer,
            child,
            _master: pty.master,
        }
    }

    fn screen(&self) -> String {
        let mut parser =
            vt100::Parser::new(40u16.try_into().unwrap(), 120u16.try_into().unwrap(), 0);
        parser.process(&self.raw.lock().unwrap());
        parser.screen().contents()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                std::thread::sleep(Duration::from_millis(150));
                return self.screen();
            }
            assert!(Instant::now() < deadline, "never saw {needle:?}:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Press q, wait for the exit, and return everything the TUI wrote.
    fn quit(mut self) -> Vec<u8> {
        self.send("q");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "temper did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
        std::thread::sleep(Duration::from_millis(200));
        self.raw.lock().unwrap().clone()
    }
}

#[test]
fn hostile_prompt_text_is_drawn_inert_in_the_tui() {
    let env = Env::new();
    let mut body = PromptBody::default();
    body.messages.push(Message::new(Role::System, HOSTILE));
    body.messages
        .push(Message::new(Role::User, format!("user {HOSTILE}")));
    let file = PromptFile {
        name: "evil".into(),
        message: Some(HOSTILE.into()),
        labels: Vec::new(),
        body,
    };
    let path = env.file("evil.toml", file.to_toml());
    env.ok_inert(&["prompt", "import", path.to_str().unwrap()]);

    let tui = Tui::start(&env);
    // The prompt's body is drawn: the bidi override shows as a visible marker.
    tui.wait_for("<U+202E>");
    let bytes = tui.quit();
    for (what, needle) in FORBIDDEN {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the TUI wrote the payload's {what} to the terminal"
        );
    }
}

/// The TUI and a CLI run write the same DB at once: both runs complete, nothing is lost, and
/// neither reports "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tui_run_and_a_cli_run_share_one_db() {
    let server = TestServer::start(
        Reply::json(200, openai_text("hello Ada")).after(Duration::from_millis(20)),
    )
    .await;
    let env = Env::loopback(&server.base_url());
    let mut cli = env.spawn_run(&["-n", "300", "-c", "2"]);
    let outcome = tokio::task::spawn_blocking({
        let dir = env.dir.path().to_path_buf();
        move || {
            let mut tui = Tui::start_at(&dir);
            tui.wait_for("probe");
            tui.send("2");
            tui.wait_for("next: 10");
            tui.send("v");
            tui.send(&"\x7f".repeat(40));
            tui.send("loop:gpt-4o-mini\r");
            tui.wait_for("× loop:gpt");
            tui.send("r");
            // gpt-4o-mini is priced even on a loopback URL (issue 17.9); bounded by its context
            // window the estimate stays under confirm_above_usd, so the run starts unasked.
            let done = tui.wait_for("done: 10 ok, 0 failed");
            (done, tui.quit())
        }
    })
    .await
    .unwrap();
    assert!(
        !String::from_utf8_lossy(&outcome.1).contains("locked"),
        "{}",
        outcome.0
    );
    assert!(
        cli.try_wait().unwrap().is_none(),
        "the CLI run ended before the TUI run: no overlap"
    );
    let out = tokio::task::spawn_blocking(move || cli.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("locked"),
        "{stderr}"
    );
    let store = Store::open(&env.db()).unwrap();
    let mut sizes = Vec::new();
    for run in store.list_runs(10).unwrap() {
        assert_eq!(run.status, RunStatus::Done, "run #{}", run.id);
        let rows: Vec<_> = store
            .cells(run.id)
            .unwrap()
            .iter()
            .flat_map(|c| store.samples(c.id).unwrap())
            .collect();
        assert!(
            rows.iter()
                .all(|r| r.sample.status == Some(SampleStatus::Ok))
        );
        sizes.push(rows.len());
    }
    sizes.sort();
    assert_eq!(sizes, [10, 300]);
}
