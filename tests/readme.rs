//! The README's own examples, run in order on a fresh HOME: every ```` ```console ```` block of
//! README.md is extracted at test time, each `$ command` runs through `sh` with this build's
//! `temper` first on PATH, and the lines the README shows under it must appear in its output, in
//! order. Blocks fenced ```` ```console needs-server ```` (they need a model server) and every
//! other fence are not run. The README stays the source: when it and the binary disagree, this
//! fails and names the command and the first line that did not match.
//!
//! Compared leniently where output legitimately varies: runs of spaces count as one, and
//! timings (`0.01 s`, `240 ms`), dates and timestamps, and content hashes are masked on both
//! sides. A line that is only `…` stands for lines the README left out.

use regex::Regex;
use std::path::Path;
use std::process::Command;

/// One `$ command` of a console block and the lines the README shows for it.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The checked examples of `readme`, in order.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut checked = false;
    for (i, line) in readme.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            if in_block {
                in_block = false;
            } else {
                in_block = true;
                checked = info.trim() == "console";
            }
            continue;
        }
        if !(in_block && checked) {
            continue;
        }
        match line.strip_prefix("$ ") {
            Some(command) => out.push(Example {
                line: i + 1,
                command: command.to_string(),
                expected: Vec::new(),
            }),
            None => {
                if let Some(last) = out.last_mut()
                    && !line.trim().is_empty()
                {
                    last.expected.push(line.to_string());
                }
            }
        }
    }
    out
}

/// `line` with what legitimately varies masked and spaces collapsed.
fn normalise(line: &str, masks: &[(Regex, &str)]) -> String {
    let mut text = line.to_string();
    for (re, with) in masks {
        text = re.replace_all(&text, *with).into_owned();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn masks() -> Vec<(Regex, &'static str)> {
    [
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?",
            "<time>",
        ),
        (r"\d{4}-\d{2}-\d{2}", "<date>"),
        (r"\b\d+(\.\d+)? ?(ms|s)\b", "<dur>"),
        (r"\b\d+(\.\d+)?s\b", "<dur>"),
        (r"\b[0-9a-f]{12,64}\b", "<hash>"),
    ]
    .into_iter()
    .map(|(re, with)| (Regex::new(re).unwrap(), with))
    .collect()
}

/// The first expected line (normalised) not found in order in `actual`, if any.
fn first_missing<'a>(
    expected: &'a [String],
    actual: &str,
    masks: &[(Regex, &str)],
) -> Option<&'a str> {
    let actual: Vec<String> = actual.lines().map(|l| normalise(l, masks)).collect();
    let mut from = 0;
    for want in expected {
        if want.trim() == "…" {
            continue;
        }
        let want_n = normalise(want, masks);
        match actual[from..].iter().position(|a| *a == want_n) {
            Some(i) => from += i + 1,
            None => return Some(want),
        }
    }
    None
}

#[test]
fn readme_console_examples_match_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 10,
        "expected the README's console examples, found {}",
        examples.len()
    );
    let home = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_temper")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let shell = |command: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("{command} 2>&1"))
            .current_dir(root)
            .env("HOME", home.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("TEMPER_DB")
            .env_remove("TEMPER_CONFIG")
            .env_remove("OPENAI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            // A user at a terminal: in CI, `check` would pick a temporary database.
            .env_remove("CI")
            .output()
            .unwrap()
    };
    // The README's first instruction: open temper once (off a terminal it prints the tour).
    assert!(shell("temper").status.success());
    let masks = masks();
    let mut failures = Vec::new();
    for ex in &examples {
        let out = shell(&ex.command);
        let text = String::from_utf8_lossy(&out.stdout);
        // A command succeeds unless the README shows it failing.
        let shows_error = ex.expected.iter().any(|l| l.starts_with("error:"));
        if out.status.success() == shows_error {
            failures.push(format!(
                "README.md:{}: `{}` exited with {} (the README shows {}):\n{text}",
                ex.line,
                ex.command,
                out.status,
                if shows_error { "an error" } else { "success" }
            ));
            continue;
        }
        if let Some(missing) = first_missing(&ex.expected, &text, &masks) {
            failures.push(format!(
                "README.md:{}: `{}` does not print the README's line\n  {missing}\nit printed:\n{text}",
                ex.line, ex.command
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_extractor_runs_only_console_blocks_and_masks_what_varies() {
    let readme =
        "```console\n$ a\nout 1\n\n$ b\n```\n```console needs-server\n$ c\n```\n```sh\n$ d\n```\n";
    let found = examples(readme);
    let commands: Vec<&str> = found.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(commands, ["a", "b"]);
    assert_eq!(found[0].expected, ["out 1"]);
    let masks = masks();
    let expected = vec![
        "run #1 done · 8 samples in 4.06 s".to_string(),
        "…".to_string(),
        "saved p@2 (46d85e32e349)".to_string(),
    ];
    let actual = "run #1 done · 8 samples in 0.01 s\nnoise\nsaved p@2 (0123456789ab)\n";
    assert_eq!(first_missing(&expected, actual, &masks), None);
    let wrong = "run #1 done · 8 samples in 0.01 s\nsaved p@3 (0123456789ab)\n";
    assert_eq!(
        first_missing(&expected, wrong, &masks),
        Some("saved p@2 (46d85e32e349)")
    );
}
