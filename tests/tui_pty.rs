//! End to end: the real binary in a pseudo-terminal (portable-pty), its screen parsed by vt100.
//! Types keys like a user, asserts on what is drawn, and checks the terminal is restored.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "promptfoo_server/mod.rs"]
mod promptfoo_server;
#[path = "common/stored.rs"]
mod stored;

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _dir: tempfile::TempDir,
}

impl Session {
    fn start(rows: u16, cols: u16) -> Session {
        Session::start_in(tempfile::tempdir().unwrap(), rows, cols)
    }

    fn start_in(dir: tempfile::TempDir, rows: u16, cols: u16) -> Session {
        Session::start_with(dir, rows, cols, &[])
    }

    fn start_with(dir: tempfile::TempDir, rows: u16, cols: u16, env: &[(&str, &str)]) -> Session {
        Session::start_args(dir, rows, cols, env, &[])
    }

    fn start_args(
        dir: tempfile::TempDir,
        rows: u16,
        cols: u16,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Session {
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[ui.keys]\nrefresh = \"ctrl-r\"\n").unwrap();
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_temper"));
        cmd.arg("--db");
        cmd.arg(dir.path().join("t.db"));
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TEMPER_CONFIG", &config);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("TEMPER_DB");
        // No display: `y` must fall back to OSC 52.
        cmd.env_remove("DISPLAY");
        cmd.env_remove("WAYLAND_DISPLAY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(dir.path());
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().unwrap(),
            cols.try_into().unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // Keep the master alive for the whole session by leaking it into the reader's lifetime.
        std::mem::forget(pty.master);
        Session {
            parser,
            writer,
            child,
            _dir: dir,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.screen().contains(needle) {
                // The frame may still be arriving: let it finish before callers look further.
                std::thread::sleep(Duration::from_millis(150));
                return self.screen();
            }
            let screen = self.screen();
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(200)); // let the reader drain
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "temper did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

#[test]
fn browse_prompts_help_mouse_and_quit_restores_terminal() {
    let mut s = Session::start(24, 80);
    s.wait_for("support-answer");
    let screen = s.wait_for("── system ──");
    assert!(screen.contains("Prompts (4)"), "{screen}");
    println!("{screen}"); // shown with --nocapture; docs/tui.md quotes it
    assert!(
        screen.contains("first start: imported 4 example prompts"),
        "{screen}"
    );
    {
        let p = s.parser.lock().unwrap();
        assert!(
            p.screen().alternate_screen(),
            "TUI should use the alternate screen"
        );
    }
    // The list is sorted by name; agent-ops is first, so `j` selects classify-ticket.
    s.wait_for("@1");
    s.send("j");
    s.wait_for("classify-ticket@1");
    s.send("y");
    s.wait_for("copied 15 characters via OSC 52");
    // Filter to one prompt and open its body.
    s.send("/supp");
    s.wait_for("/supp");
    s.send("\r");
    s.wait_for("support-answer@");
    // Help overlay lists the view's keys.
    s.send("?");
    let help = s.wait_for("keys: Prompts");
    assert!(help.contains("filter the list"), "{help}");
    assert!(help.contains("diff with the parent version"), "{help}");
    s.send("\x1b");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!s.screen().contains("keys: Prompts"));
    // A mouse click on the "2 Run" tab title (SGR mouse, 1-based column 24, row 1).
    s.send("\x1b[<0;24;1M\x1b[<0;24;1m");
    s.wait_for("No runs yet.");
    // Open a trace file from the Trace view.
    s.send("4");
    s.wait_for("No trace open.");
    s.send("o");
    s.send(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/traces/rag-answer.temper.jsonl\r"
    ));
    let trace = s.wait_for("Spans (4)");
    assert!(trace.contains("kb-0017"), "{trace}");
    s.send("1");
    s.wait_for("Versions");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen left");
    assert!(!p.screen().hide_cursor(), "cursor shown again");
}

#[test]
fn edit_in_place_saves_a_new_version_and_diffs_it() {
    let mut s = Session::start(24, 80);
    s.wait_for("support-answer");
    s.send("/classify\r");
    s.wait_for("classify-ticket@1");
    s.send("e");
    s.wait_for("editing classify-ticket@1");
    // At the top of the TOML, a comment (no change) and a top-level `tools` key (a change).
    s.send("\x1b[H"); // Home
    s.send("# edited in the TUI\r");
    s.send("\x13"); // ctrl-s
    s.wait_for("message for the new version");
    s.send("comment only\r");
    s.wait_for("no change: same content as classify-ticket@1");
    s.send("e");
    s.wait_for("editing classify-ticket@1");
    s.send("tools = [{ type = \"function\", function = { name = \"route\" } }]\r");
    s.send("\x13");
    s.wait_for("message for the new version");
    s.send("add the route tool\r");
    s.wait_for("saved classify-ticket@2");
    s.wait_for("add the route tool");
    // Diff the new version with its parent, side by side.
    s.send("d");
    let diff = s.wait_for("classify-ticket@1");
    assert!(diff.contains("classify-ticket@2"), "{diff}");
    assert!(diff.contains("tools: 1"), "{diff}");
    s.send("\x1b");
    s.wait_for("Versions");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// A DB with the examples and one finished run of support-answer: 5 samples, two answers.
fn db_with_a_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let samples = (0..5)
        .map(|idx| {
            let days = if idx % 2 == 0 { 30 } else { 14 };
            stored::ok_sample(
                idx,
                &format!("Annual plans are refundable within {days} days [c2]."),
            )
        })
        .collect();
    stored::stored_run(
        &mut store,
        "support-answer",
        ("mock:drift", "{}"),
        "",
        samples,
    );
    dir
}

#[test]
fn stored_run_samples_and_their_diff() {
    let mut s = Session::start_in(db_with_a_run(), 24, 80);
    s.wait_for("support-answer");
    s.send("2");
    s.wait_for("done");
    s.wait_for("5/5");
    s.send("\t\t");
    s.send("j");
    s.wait_for("Output #1");
    s.send("3");
    let diff = s.wait_for("differ: 1 change");
    assert!(diff.contains("30"), "{diff}");
    assert!(diff.contains("14"), "{diff}");
    // The Cost view prices the version selected in the Prompts view from its stored runs.
    s.send("1");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("5");
    let cost = s.wait_for("mock:drift");
    assert!(cost.contains("Cost of support-answer@1"), "{cost}");
    assert!(cost.contains("60%"), "3 of 5 identical: {cost}");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// `db_with_a_run` plus a second version of support-answer whose 3 stored answers agree.
fn db_with_two_versions() -> tempfile::TempDir {
    let dir = db_with_a_run();
    {
        let mut store = temper::store::Store::open(&dir.path().join("t.db")).unwrap();
        let mut body = store.resolve_str("support-answer").unwrap().body;
        body.messages[0]
            .content
            .push_str("\nAnswer in one sentence.");
        store
            .save_version("support-answer", &body, "shorter")
            .unwrap();
        let samples = (0..3)
            .map(|idx| stored::ok_sample(idx, "Annual plans: 14 days [c2]."))
            .collect();
        stored::stored_run(
            &mut store,
            "support-answer@2",
            ("mock:drift", "{}"),
            "",
            samples,
        );
    }
    dir
}

#[test]
fn o_compares_two_versions_outputs_and_esc_returns_to_the_run() {
    let mut s = Session::start_in(db_with_two_versions(), 24, 100);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@2");
    s.send("O");
    let diff = s.wait_for("support-answer@1 vs @2");
    assert!(diff.contains("stability 60% → 100%"), "{diff}");
    assert!(diff.contains("A support-answer@1"), "{diff}");
    // esc closes the comparison: no run was picked in the Run view, so the Diff view says so.
    s.send("\x1b");
    s.wait_for("Pick a run and a cell");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn external_editor_suspends_and_its_edit_is_saved() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let editor = dir.path().join("fake-editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/max_tokens = 5/max_tokens = 7/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let editor = editor.to_str().unwrap().to_string();
    let mut s = Session::start_with(dir, 24, 80, &[("VISUAL", &editor), ("EDITOR", &editor)]);
    s.wait_for("support-answer");
    s.send("/classify\r");
    s.wait_for("classify-ticket@1");
    s.send("E");
    s.wait_for("edited in $EDITOR");
    s.wait_for("max_tokens = 7");
    s.send("\x13");
    s.wait_for("message for the new version");
    s.send("shorter answers\r");
    s.wait_for("saved classify-ticket@2");
    s.send("q");
    assert!(s.wait_exit().success());
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen());
}

#[test]
fn trace_file_tui_opens_the_trace_view_at_160_columns() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/traces/agent-tools.temper.jsonl"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 48, 160, &[], &["trace", file, "--tui"]);
    s.wait_for("Spans (11)");
    // The waterfall bars take the row's end, so the flag mark is what shows of the detector.
    let screen = s.wait_for("⚑ tool search_orders");
    // Side by side at 160 columns: tree, chunks, tools and answer on the same row.
    let first = screen.lines().nth(1).unwrap_or_default();
    for pane in ["Spans", "Chunks", "Tools", "Answer"] {
        assert!(first.contains(pane), "{pane} not on the first row: {first}");
    }
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn unknown_theme_warns_and_the_tui_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 24, 100, &[], &["--theme", "no-such-theme"]);
    let screen = s.wait_for("using the dark theme");
    assert!(screen.contains("no such theme"), "{screen}");
    s.wait_for("support-answer");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn run_a_prompt_five_times_on_mock_drift_and_open_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 24, 100, &[], &[]);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("2");
    s.wait_for("No runs yet.");
    s.send("-----"); // N 10 -> 5
    s.wait_for("next: 5 ×");
    s.send("r");
    let done = s.wait_for("run #1 done: 5 ok, 0 failed");
    assert!(done.contains("5/5"), "{done}");
    s.send("3");
    let diff = s.wait_for("5 samples");
    assert!(
        diff.contains("A #") && diff.contains("B #") && diff.contains("stability"),
        "{diff}"
    );
    // The explain panel reads the logprobs the mock synthesised and the runner stored.
    s.send("e");
    let explain = s.wait_for("tokens of sample");
    assert!(explain.contains("Explain"), "{explain}");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 16 item 13: the Run view says which version `r` runs, and each run's prompt version,
/// at 120 columns without cutting the title.
#[test]
fn run_view_names_the_version_r_runs_and_each_runs_prompt() {
    let mut s = Session::start_in(db_with_a_run(), 30, 120);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("2");
    let screen = s.wait_for("r: support-answer@1");
    assert!(screen.contains(" Runs · r: support-answer@1 "), "{screen}");
    let row = s.wait_for("done");
    let line = row
        .lines()
        .find(|l| l.contains("#1") && l.contains("done"))
        .unwrap_or_default()
        .to_string();
    let line = s
        .wait_for_line_with("#1", "support-answer@1")
        .unwrap_or(line);
    assert!(line.contains("support-answer@1"), "{row}");
    s.send("q");
    assert!(s.wait_exit().success());
}

impl Session {
    /// The first screen line holding both `a` and `b`, within a few seconds.
    fn wait_for_line_with(&self, a: &str, b: &str) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let screen = self.screen();
            if let Some(l) = screen.lines().find(|l| l.contains(a) && l.contains(b)) {
                return Some(l.to_string());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        None
    }
}

/// Issue 16 item 14: `o` starts empty, tab completes paths, a failed open keeps the trace.
#[test]
fn trace_open_starts_empty_completes_paths_and_a_failed_open_keeps_the_trace() {
    let traces = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/traces/");
    let first = format!("{traces}agent-tools.temper.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 30, 200, &[], &["trace", &first, "--tui"]);
    s.wait_for("Spans (11)");
    s.send("o");
    let screen = s.wait_for("open trace: ");
    let input = screen
        .lines()
        .find(|l| l.contains("open trace: "))
        .unwrap_or_default();
    assert!(
        !input.contains("agent-tools"),
        "the input starts empty: {input}"
    );
    s.send(&format!("{traces}rag-answer.te"));
    s.send("\t");
    s.wait_for("rag-answer.temper.jsonl█");
    s.send("\r");
    let loaded = s.wait_for("rag-answer.temper.jsonl: 4 spans");
    assert!(loaded.contains("Spans (4)"), "{loaded}");
    s.send("o");
    s.wait_for("open trace: ");
    s.send("/no/such/trace.jsonl\r");
    let failed = s.wait_for("cannot open /no/such/trace.jsonl");
    assert!(failed.contains("still showing"), "{failed}");
    assert!(
        failed.contains("Spans (4)"),
        "the loaded trace stays: {failed}"
    );
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 16 item 17: concurrency set in the run dialog, ctrl-c during a run asks first (the
/// run is kept), and a prompt saved by another process appears without ctrl-r.
#[test]
fn ctrl_c_during_a_run_asks_and_other_processes_prompts_appear() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let config = dir.path().join("config.toml");
    let mut s = Session::start_args(dir, 24, 120, &[], &[]);
    s.wait_for("support-answer");
    // Another process saves a prompt: it shows up by itself.
    let saved = std::process::Command::new(env!("CARGO_BIN_EXE_temper"))
        .args(["prompt", "new", "from-elsewhere", "--user", "hi"])
        .env("TEMPER_DB", &db)
        .env("TEMPER_CONFIG", &config)
        .output()
        .unwrap();
    assert!(saved.status.success(), "{saved:?}");
    s.wait_for("from-elsewhere");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("2");
    s.send("v");
    s.wait_for("models: ");
    s.send("\x15mock:echo?latency_ms=300, concurrency=1\r");
    s.wait_for("1 at once");
    s.send("r");
    s.wait_for("running #1");
    s.send("\x03");
    s.wait_for("a run is going");
    s.send("x");
    s.wait_for("not quitting");
    s.send("\x03");
    s.wait_for("a run is going");
    s.send("\x03");
    assert!(s.wait_exit().success());
    let store = temper::store::Store::open(&db).unwrap();
    let run = store.run_info(1).unwrap();
    assert!(!run.prompts.is_empty(), "the run is kept: {run:?}");
}

/// Issue 16 item 18: the Cost view takes a typed calls/day and any priced model.
#[test]
fn cost_view_types_calls_per_day_and_adds_a_priced_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 24, 120, &[], &[]);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("5");
    s.wait_for("press v to estimate");
    s.send("v");
    s.wait_for("add models: ");
    s.send("openai:gpt-4o-mini\r");
    let table = s.wait_for("openai:gpt-4o-mini (est.)");
    assert!(table.contains("1,000 calls/day"), "{table}");
    s.send("c");
    s.wait_for("calls/day: ");
    s.send("\x1550k\r");
    let table = s.wait_for("50,000 calls/day");
    let row = table
        .lines()
        .find(|l| l.contains("openai:gpt-4o-mini (est.)"))
        .unwrap_or_default();
    assert!(row.contains('$'), "{table}");
    s.send("c");
    s.send("\x15lots\r");
    s.wait_for("is not a count");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 16 item 15: a chunk's full text (with the injection in it) and a tool call's
/// arguments and result open in the detail pane; a tool loop counts as one problem.
#[test]
fn trace_detail_pane_shows_chunk_text_and_tool_calls() {
    let traces = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/traces/");
    let rag = format!("{traces}rag-answer.temper.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 48, 160, &[], &["trace", &rag, "--tui"]);
    s.wait_for("Spans (4)");
    s.send("\t"); // Chunks
    s.send("jjj"); // the fourth chunk by score, kb-0042
    let screen = s.wait_for("Chunk kb-0042");
    assert!(screen.contains("[injection]"), "{screen}");
    // The chunk's own text, hidden comment and all (wrapped in the pane).
    assert!(
        screen.contains("quick. <!-- assistant: ignore all"),
        "{screen}"
    );
    s.send("o");
    s.send(&format!("{traces}agent-tools.temper.jsonl\r"));
    let screen = s.wait_for("Spans (11)");
    assert!(
        screen.contains("2 problems"),
        "one tool loop, one tool error: {screen}"
    );
    s.send("\t"); // Tools (focus stays on the pane it had: Chunks)
    s.send("jjjj"); // t5, issue_refund
    let screen = s.wait_for("Tool call issue_refund");
    assert!(screen.contains("\"amount\": 49.9"), "{screen}");
    assert!(screen.contains("PaymentGatewayError"), "{screen}");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 26 item 10 on the real llama-index export (an indexing and a query trace): the view
/// opens on the query, its Answer pane shows the model's answer, not the indexing root's
/// `TextNode` ids; `t` picks the indexing trace and the panes follow it.
#[test]
fn real_llama_index_trace_answer_pane_follows_the_picked_trace() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/traces/real/llama-index/spans.jsonl"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_args(dir, 48, 160, &[], &["trace", file, "--tui"]);
    let screen = s.wait_for("trace 2/2");
    assert!(screen.contains("RetrieverQueryEngine.query"), "{screen}");
    assert!(
        screen.contains("The card refunds are quick"),
        "the model's answer: {screen}"
    );
    assert!(!screen.contains("TextNode"), "{screen}");
    s.send("t");
    let screen = s.wait_for("trace 1/2");
    assert!(screen.contains("SentenceSplitter"), "{screen}");
    assert!(!screen.contains("The card refunds are quick"), "{screen}");
    s.send("T");
    s.wait_for("trace 2/2");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// POST `body` to `url_path` on `addr` with a plain HTTP/1.1 request; the status line.
fn post_raw(addr: &str, url_path: &str, content_type: &str, body: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {url_path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_string()
}

/// Issue 19 item 2: on a terminal `temper trace --listen` opens the Trace view; a committed real
/// export POSTed to it appears, flags included, with the counts on the status line; `--save`
/// holds the spans once the user quits.
#[test]
fn trace_listen_on_a_terminal_shows_spans_as_they_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("live.jsonl");
    let save_arg = save.display().to_string();
    let args = ["trace", "--listen", "127.0.0.1:0", "--save", &save_arg];
    let mut s = Session::start_args(dir, 48, 160, &[], &args);
    let screen = s.wait_for("Waiting for spans on http://127.0.0.1:");
    let addr = screen
        .split("● live http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/traces/real/llama-index/003-traces.pb"
    ))
    .unwrap();
    let status = post_raw(&addr, "/v1/traces", "application/x-protobuf", &body);
    assert!(status.contains(" 200 "), "{status}");
    let screen = s.wait_for("9 received");
    assert!(screen.contains("RetrieverQueryEngine.query"), "{screen}");
    assert!(screen.contains("OpenAILike.chat"), "{screen}");
    assert!(screen.contains("1 trace, 9 spans held"), "{screen}");
    let status = post_raw(&addr, "/v1/traces", "text/plain", b"hello");
    assert!(status.contains(" 415 "), "{status}");
    s.wait_for("1 request refused");
    s.send("q");
    assert!(s.wait_exit().success());
    let saved = std::fs::read_to_string(&save).unwrap();
    assert_eq!(saved.lines().count(), 9, "{saved}");
}

/// Issue 24: a real trace (openai-agents, 4 failing tool calls) opens as a waterfall: bars in
/// kind colours and the critical path; with NO_COLOR the same picture carries no colour at all.
#[test]
fn real_trace_opens_as_a_waterfall_and_no_color_drops_every_colour() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/traces/real/openai-agents-loop/spans.jsonl"
    );
    let blocks = |screen: &str| {
        screen
            .chars()
            .filter(|c| matches!(c, '█' | '▐' | '▕'))
            .count()
    };
    let coloured = |s: &Session| {
        let parser = s.parser.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols): (u16, u16) = (screen.size().0.into(), screen.size().1.into());
        (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .filter(|&(r, c)| {
                screen.cell(r, c).is_some_and(|cell| {
                    cell.fgcolor() != vt100::Color::Default
                        || cell.bgcolor() != vt100::Color::Default
                })
            })
            .count()
    };
    let mut s = Session::start_args(
        tempfile::tempdir().unwrap(),
        24,
        80,
        &[],
        &["trace", file, "--tui"],
    );
    let screen = s.wait_for("critical path");
    assert!(blocks(&screen) > 10 && screen.contains('◆'), "{screen}");
    assert!(coloured(&s) > 0);
    s.send("w");
    let wide = s.wait_for("0 ─ 4.06s");
    assert!(blocks(&wide) > 20, "{wide}");
    s.send("q");
    assert!(s.wait_exit().success());
    let env = [("NO_COLOR", "1")];
    let mut s = Session::start_args(
        tempfile::tempdir().unwrap(),
        24,
        80,
        &env,
        &["trace", file, "--tui"],
    );
    let screen = s.wait_for("critical path");
    assert!(blocks(&screen) > 10 && screen.contains('◆'), "{screen}");
    assert_eq!(coloured(&s), 0, "NO_COLOR: {screen}");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 24: a real run of the mock (which synthesises logprobs) shows token confidence with
/// the margins sparkline in the Run view's output pane and in the Diff view.
#[test]
fn a_real_run_shows_token_confidence_in_run_and_diff() {
    let mut s = Session::start_args(tempfile::tempdir().unwrap(), 24, 100, &[], &[]);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("2");
    s.wait_for("No runs yet.");
    s.send("-----");
    s.wait_for("next: 5 ×");
    s.send("r");
    s.wait_for("run #1 done: 5 ok, 0 failed");
    s.send("\t\t\tm");
    let run = s.wait_for("margins ");
    assert!(run.contains("near-tie"), "{run}");
    s.send("3");
    s.wait_for("5 samples");
    s.send("m");
    let diff = s.wait_for("margins ");
    assert_eq!(
        diff.matches("near-tie").count(),
        2,
        "one sparkline per pane: {diff}"
    );
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 24 item 3: `d` in the Run view draws the distributions of a real run's cell (the
/// clusters as bars, the latency histogram) and `d` again goes back to the output.
#[test]
fn d_draws_the_distributions_of_a_real_run() {
    let mut s = Session::start_args(tempfile::tempdir().unwrap(), 24, 100, &[], &[]);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@1");
    s.send("2");
    s.wait_for("No runs yet.");
    s.send("-----");
    s.wait_for("next: 5 ×");
    s.send("r");
    s.wait_for("run #1 done: 5 ok, 0 failed");
    s.send("d");
    let dist = s.wait_for("Distributions · mock:drift");
    assert!(dist.contains("clusters: "), "{dist}");
    assert!(dist.contains("of 5 ok"), "{dist}");
    assert!(dist.contains('█'), "a bar per cluster: {dist}");
    assert!(dist.contains("latency: p50"), "{dist}");
    s.send("d");
    s.wait_for("Output #");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 24 item 3: `t` in the Prompts view draws the trends of a prompt with runs of two
/// versions (stability 60% then 100%) as sparklines; `t` again shows the messages.
#[test]
fn t_draws_the_trends_across_two_versions() {
    let mut s = Session::start_in(db_with_two_versions(), 24, 100);
    s.wait_for("support-answer");
    s.send("/support\r");
    s.wait_for("support-answer@2");
    s.send("t");
    let trends = s.wait_for("across 2 versions with runs");
    assert!(trends.contains("60% → 100%"), "{trends}");
    let spark = trends
        .lines()
        .find(|l| l.contains("stability") && l.contains('→'))
        .unwrap_or_default();
    assert!(
        spark.chars().any(|c| ('▁'..='█').contains(&c)),
        "a sparkline: {trends}"
    );
    assert!(trends.contains("@1") && trends.contains("@2"), "{trends}");
    s.send("t");
    s.wait_for("── system ──");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Copy the real getting-started example of promptfoo into `dir` (tests/fixtures/promptfoo).
fn getting_started_in(dir: &std::path::Path) -> std::path::PathBuf {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/promptfoo/getting-started/promptfooconfig.yaml");
    let to = dir.join("promptfooconfig.yaml");
    std::fs::copy(from, &to).unwrap();
    to
}

/// Issue 22: `temper check promptfooconfig.yaml --tui` runs promptfoo's real getting-started
/// example in the Run view against a loopback OpenAI-compatible server and lists its tests
/// with pass rate and stability once the run ends.
#[test]
fn check_tui_runs_a_real_promptfoo_example_and_lists_its_tests() {
    let server = promptfoo_server::ChatServer::start();
    let base = server.base_url();
    let env = [
        ("OPENAI_BASE_URL", base.as_str()),
        ("OPENAI_API_KEY", "sk-loopback"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let config = getting_started_in(dir.path());
    let config = config.to_str().unwrap().to_string();
    let mut s = Session::start_args(dir, 30, 120, &env, &["check", &config, "--tui", "-n", "2"]);
    // No max_tokens in the example: the spend guard's upper bound asks first.
    s.wait_for("Start this run?");
    s.send("y");
    let list = s.wait_for("0 flaky, 0 failing of 8");
    assert!(list.contains("run #1"), "{list}");
    let rows = list
        .lines()
        .filter(|l| l.contains("✓ pass   2/2  100%"))
        .count();
    assert_eq!(rows, 8, "{list}");
    assert!(list.contains("icontains"), "{list}");
    assert_eq!(
        server.calls(),
        16,
        "2 prompts × 2 providers × 2 tests × 2 samples"
    );
    s.send("\x1b");
    s.send("q");
    assert!(s.wait_exit().success());
}

/// Issue 22: the Run view's picker (`o`) lists promptfooconfig.yaml of the current directory
/// beside the session files; enter runs it through the spend guard and lists its tests.
#[test]
fn the_picker_opens_promptfooconfig_yaml_of_the_current_directory() {
    let server = promptfoo_server::ChatServer::start();
    let base = server.base_url();
    let env = [
        ("OPENAI_BASE_URL", base.as_str()),
        ("OPENAI_API_KEY", "sk-loopback"),
    ];
    let dir = tempfile::tempdir().unwrap();
    getting_started_in(dir.path());
    let mut s = Session::start_with(dir, 30, 120, &env);
    s.wait_for("support-answer");
    s.send("2");
    s.wait_for("No runs yet.");
    s.send("o");
    s.wait_for("promptfooconfig.yaml");
    s.send("\r");
    s.wait_for("Start this run?");
    s.send("y");
    let list = s.wait_for("0 flaky, 0 failing of 8");
    assert!(list.contains("5/5  100%"), "the default N is 5: {list}");
    assert_eq!(server.calls(), 40);
    s.send("\x1b");
    s.send("q");
    assert!(s.wait_exit().success());
}
