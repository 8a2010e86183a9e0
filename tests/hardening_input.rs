//! Hostile input on the command line and in files (issue 17.2, 17.3, 17.4, 17.10, 17.13), through
//! the real binary: names that climb out of the export directory, `--trace-out` aimed at the
//! database, numeric flags that used to panic, special files, and byte order marks.

mod hardening_support;

use hardening_support::Env;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn prompt_file(name: &str) -> String {
    format!("name = \"{name}\"\n[[messages]]\nrole = \"user\"\ncontent = \"hi\"\n")
}

#[test]
fn prompt_names_cannot_climb_out_of_the_export_directory() {
    let env = Env::new();
    for bad in ["../../outside-dir", "/abs/path", "a/../../b", "a//b", "./x"] {
        let file = env.file("bad.toml", prompt_file(bad));
        let out = env
            .temper()
            .args(["prompt", "import"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "import {bad}");
        let out = env
            .temper()
            .args(["prompt", "new", bad, "--user", "hi"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "new {bad}: {}",
            text(&out.stderr)
        );
    }
    // A name stored by an older temper is still refused by export.
    let file = env.file("ok.toml", prompt_file("fine"));
    env.temper()
        .args(["prompt", "import"])
        .arg(&file)
        .output()
        .unwrap();
    {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.execute(
            "UPDATE prompts SET name = '../../escaped' WHERE name = 'fine'",
            [],
        )
        .unwrap();
    }
    let out_dir = env.path("exports/here");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = env
        .temper()
        .args(["prompt", "export", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        !env.path("escaped").exists() && !env.dir.path().parent().unwrap().join("escaped").exists()
    );
    assert!(!out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn trace_out_never_destroys_the_database_or_a_foreign_file() {
    let env = Env::new();
    let run = |out: &std::path::Path, extra: &[&str]| {
        env.temper()
            .args([
                "run",
                "support-answer",
                "-m",
                "mock:drift",
                "-n",
                "2",
                "--trace-out",
            ])
            .arg(out)
            .args(extra)
            .output()
            .unwrap()
    };
    env.temper().args(["prompt", "list"]).output().unwrap();
    let before = std::fs::read(env.db()).unwrap();
    let out = run(&env.db(), &["--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("open database"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        std::fs::read(env.db())
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert_eq!(std::fs::read(env.db()).unwrap().len(), before.len());
    let runs = env.temper().args(["runs", "--json"]).output().unwrap();
    assert_eq!(
        text(&runs.stdout).trim(),
        "[]",
        "a refused trace-out must not start the run"
    );
    // Another SQLite file, even with --force.
    let other = env.path("other.db");
    std::fs::copy(env.db(), &other).unwrap();
    assert_eq!(run(&other, &["--force"]).status.code(), Some(2));
    assert!(
        std::fs::read(&other)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    // A file that is not a trace needs --force; a trace is replaced whole.
    let notes = env.file("notes.md", "# my notes\n");
    assert_eq!(run(&notes, &[]).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "# my notes\n");
    assert!(run(&notes, &["--force"]).status.success());
    let trace = env.path("t.jsonl");
    assert!(run(&trace, &[]).status.success());
    assert!(
        run(&trace, &[]).status.success(),
        "a trace file is overwritten without --force"
    );
    let spans = std::fs::read_to_string(&trace).unwrap();
    assert!(
        spans.lines().all(|l| l.starts_with('{')) && spans.lines().count() == 4,
        "{spans}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn numeric_flags_out_of_range_are_usage_errors_not_panics() {
    let env = Env::new();
    let cases: &[&[&str]] = &[
        &["run", "support-answer", "--timeout", "1e20"],
        &["run", "support-answer", "--timeout", "18446744073709551615"],
        &["run", "support-answer", "--timeout", "nan"],
        &["run", "support-answer", "--timeout", "inf"],
        &["run", "support-answer", "--timeout", "-1"],
        &["run", "support-answer", "-c", "0"],
        &["run", "support-answer", "-n", "0"],
        &["run", "support-answer", "-n", "4294967296"],
        &["run", "support-answer", "--budget-usd", "nan"],
        &["run", "support-answer", "--retries", "1000000"],
        &["cost", "support-answer", "--cached-fraction", "2"],
        &["cost", "support-answer", "--calls-per-day", "-5"],
        &["trace", "x.jsonl", "--min-score", "nan"],
        &["run", "support-answer", "-m", "mock:drift?latency_ms=1e300"],
    ];
    for args in cases {
        let out = env.temper().args(*args).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    for (key, value) in [
        ("samples", "0"),
        ("concurrency", "0"),
        ("timeout_secs", "0"),
        ("max_retries", "100000"),
        ("budget_usd", "-1.0"),
    ] {
        env.config(&format!("[run]\n{key} = {value}\n"));
        let out = env.temper().args(["runs"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}");
        assert!(
            text(&out.stderr).contains(&format!("run.{key}")),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_usage_error_never_echoes_escapes_or_panics_on_bytes_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let hostile = "2\x1b]0;pwned\x07\x1b[2J\u{202e}";
    let out = env
        .temper()
        .args(["run", "support-answer", "-c", hostile])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid value"), "{stderr}");
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(!stderr.contains('\u{202e}'), "{stderr:?}");
    let not_utf8 = std::ffi::OsStr::from_bytes(b"--f\xff\xfeoo");
    let out = env.temper().arg("run").arg(not_utf8).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn special_files_are_refused_with_a_clear_error() {
    let env = Env::new();
    let fifo = env.path("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let session = env.file("s.toml", "name = \"s\"\nprompts = [\"support-answer\"]\n[[variants]]\nname = \"e\"\nmodel = \"mock:echo\"\n[[cases]]\nname = \"c\"\n[check]\njson_schema = \"/dev/zero\"\n");
    let fifo_s = fifo.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["trace", "/dev/zero"],
        vec!["trace", fifo_s],
        vec!["--config", "/dev/zero", "models"],
        vec!["--config", fifo_s, "models"],
        vec!["prompt", "import", "/dev/zero"],
        vec!["prompt", "import", fifo_s],
        vec!["check", "/dev/zero"],
        vec!["check", session.to_str().unwrap()],
        vec!["cost", "support-answer", "--prices", "/dev/zero"],
    ];
    for args in cases {
        let started = std::time::Instant::now();
        let out = env.temper().args(&args).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("temper reads only regular files"),
            "{args:?}: {stderr}"
        );
        assert!(started.elapsed().as_secs() < 20, "{args:?} took too long");
    }
    // A regular file over the cap is refused with the cap named.
    let big = env.file("big.toml", vec![b'#'; (16 << 20) + 1]);
    let out = env
        .temper()
        .args(["prompt", "import"])
        .arg(&big)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("larger than 16 MiB"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_byte_order_mark_is_accepted_in_every_file_temper_reads() {
    let env = Env::new();
    let bom = "\u{feff}";
    let prompt = env.file("p.toml", format!("{bom}{}", prompt_file("bom-prompt")));
    let out = env
        .temper()
        .args(["prompt", "import"])
        .arg(&prompt)
        .output()
        .unwrap();
    assert!(out.status.success(), "prompt: {}", text(&out.stderr));
    let trace = env.file(
        "t.jsonl",
        format!("{bom}{{\"id\":\"a\",\"kind\":\"llm\",\"name\":\"x\"}}\n"),
    );
    let out = env.temper().args(["trace"]).arg(&trace).output().unwrap();
    assert!(out.status.success(), "trace: {}", text(&out.stderr));
    let otlp = env.file("o.json", format!("{bom}{{\n\"resourceSpans\": []\n}}\n"));
    let out = env.temper().args(["trace"]).arg(&otlp).output().unwrap();
    assert!(
        !text(&out.stderr).contains("invalid JSON"),
        "otlp: {}",
        text(&out.stderr)
    );
    env.config(&format!("{bom}[run]\nsamples = 3\n"));
    let out = env.temper().args(["runs"]).output().unwrap();
    assert!(out.status.success(), "config: {}", text(&out.stderr));
    let session = env.file("s.toml", format!("{bom}name = \"s\"\nprompts = [\"bom-prompt\"]\n[[variants]]\nname = \"e\"\nmodel = \"mock:echo\"\n[[cases]]\nname = \"c\"\n"));
    let out = env
        .temper()
        .args(["check", "-y"])
        .arg(&session)
        .output()
        .unwrap();
    assert!(
        out.status.code() != Some(2),
        "session: {}",
        text(&out.stderr)
    );
}
