//! The TUI on hostile data: the real binary in a pseudo-terminal, showing a prompt whose text
//! carries terminal escapes. The raw byte stream temper writes must not carry any of the
//! payload's own sequences (the TUI draws with escapes of its own, so the check looks for the
//! payload's: its OSC 52 clipboard data, its OSC 8 link, BEL, C1 controls, raw bidi overrides).

mod hardening_support;

use hardening_support::{Env, HOSTILE};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use temper::prompt::{Message, PromptBody, PromptFile, Role};

/// Byte strings from HOSTILE that must never reach the terminal as they are.
const FORBIDDEN: [(&str, &[u8]); 6] = [
    ("OSC 52 clipboard payload", b"ZXZpbA=="),
    ("OSC 8 link target", b"evil.example"),
    ("BEL", b"\x07"),
    ("C1 CSI", "\u{9b}".as_bytes()),
    ("C1 OSC", "\u{9d}".as_bytes()),
    ("RLO bidi override", "\u{202e}".as_bytes()),
];

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
    cmd.arg(env.db());
    cmd.env("TEMPER_CONFIG", env.path("config.toml"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("TEMPER_DB");
    cmd.cwd(env.dir.path());
    let mut child = pty.slave.spawn_command(cmd).unwrap();
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
    let mut writer = pty.master.take_writer().unwrap();
    let screen = || {
        let mut parser =
            vt100::Parser::new(40u16.try_into().unwrap(), 120u16.try_into().unwrap(), 0);
        parser.process(&raw.lock().unwrap());
        parser.screen().contents()
    };
    // The prompt's body is drawn: the bidi override shows as a visible marker.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !screen().contains("<U+202E>") {
        assert!(
            Instant::now() < deadline,
            "hostile prompt never drawn:\n{}",
            screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "temper did not quit:\n{}",
            screen()
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    std::thread::sleep(Duration::from_millis(200));
    drop(pty.master);

    let bytes = raw.lock().unwrap().clone();
    for (what, needle) in FORBIDDEN {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the TUI wrote the payload's {what} to the terminal"
        );
    }
}
