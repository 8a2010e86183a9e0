//! `temper prompt …` through the real binary on a real SQLite file in a temp dir.

mod common;

use common::cli_env::CliEnv as Env;

use predicates::prelude::*;
use std::path::{Path, PathBuf};

impl Env {
    fn new() -> Env {
        Env {
            db_from_env: true,
            ..Env::with_config("")
        }
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts")
}

#[test]
fn first_start_seeds_examples_once() {
    let env = Env::new();
    env.temper()
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 4 example prompts"))
        .stdout(predicate::str::contains("support-answer"));
    env.temper()
        .assert()
        .success()
        .stdout(predicate::str::contains("imported").not());
    let list = env.json(&["prompt", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
}

#[test]
fn import_show_render_and_missing_var() {
    let env = Env::new();
    env.temper()
        .args(["prompt", "import"])
        .arg(examples())
        .assert()
        .success()
        .stdout(predicate::str::contains("4 new versions"));
    env.temper()
        .args(["prompt", "show", "classify-ticket", "--render"])
        .assert()
        .success()
        .stdout(predicate::str::contains("charged twice"));
    env.temper()
        .args([
            "prompt",
            "new",
            "greet",
            "--user",
            "Hello {{who}} from {{where}}",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("saved greet@1"));
    env.temper()
        .args(["prompt", "show", "greet", "--render", "--var", "who=Ada"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing variable where"));
    env.temper()
        .args([
            "prompt",
            "show",
            "greet",
            "--render",
            "--var",
            "who=Ada",
            "--var",
            "where=Paris",
            "--var",
            "extra=1",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Hello Ada from Paris"))
        .stderr(predicate::str::contains("extra is not used"));
}

#[test]
fn edit_saves_changes_and_keeps_broken_edits() {
    let env = Env::new();
    env.temper()
        .args([
            "prompt",
            "new",
            "p",
            "--system",
            "Be brief.",
            "--user",
            "{{q}}",
        ])
        .assert()
        .success();
    // A non-interactive "editor": sed edits the file in place.
    env.temper()
        .env("EDITOR", "sed -i s/brief/concise/")
        .args(["prompt", "edit", "p", "-m", "wording"])
        .assert()
        .success()
        .stdout(predicate::str::contains("saved p@2"));
    env.temper()
        .env("EDITOR", "true")
        .args(["prompt", "edit", "p"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no change"));
    let out = env
        .temper()
        .env("EDITOR", "sed -i s/role/rolle/")
        .args(["prompt", "edit", "p"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("your edit is kept in"), "{err}");
    let kept = err
        .split("your edit is kept in ")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap();
    assert!(std::fs::read_to_string(kept).unwrap().contains("rolle"));
    let log = env.json(&["prompt", "log", "p"]);
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["message"], "wording");
}

#[test]
fn diff_label_rollback_export_import() {
    let env = Env::new();
    env.temper()
        .args(["prompt", "new", "p", "--user", "The cat sat on the mat"])
        .assert()
        .success();
    env.temper()
        .env("EDITOR", "sed -i s/cat/dog/")
        .args(["prompt", "edit", "p"])
        .assert()
        .success();
    env.temper()
        .args(["prompt", "diff", "p@1", "p@2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[-cat-]{+dog+}"));
    let diff = env.json(&["prompt", "diff", "p@1", "p@2"]);
    assert_eq!(diff["changed"], true);

    env.temper()
        .args(["prompt", "label", "p@1", "prod"])
        .assert()
        .success()
        .stdout(predicate::str::contains("prod -> @1"));
    env.temper()
        .args(["prompt", "label", "p@2", "prod"])
        .assert()
        .success()
        .stdout(predicate::str::contains("prod: @1 -> @2"));
    env.temper()
        .args(["prompt", "rollback", "p@1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("saved p@3"));
    assert_eq!(
        env.json(&["prompt", "show", "p"])["body"]["messages"][0]["content"],
        "The cat sat on the mat"
    );

    let out = env.dir.path().join("out");
    env.temper()
        .args(["prompt", "export", "p", "-o"])
        .arg(&out)
        .assert()
        .success();
    let other = Env::new();
    other
        .temper()
        .args(["prompt", "import"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 new versions"));
    assert_eq!(
        other.json(&["prompt", "show", "p:prod"])["number"],
        serde_json::json!(2)
    );
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.temper().arg("--bogus").assert().code(2);
    env.temper()
        .args(["prompt", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no prompt named \"nope\""));
    env.temper()
        .args(["prompt", "show", "x@zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad reference"));
    std::fs::write(env.db(), "not a database at all, just text").unwrap();
    env.temper()
        .args(["prompt", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a temper database"));
    assert_eq!(
        std::fs::read_to_string(env.db()).unwrap(),
        "not a database at all, just text"
    );
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let env = Env::new();
    // Two directories of 60 versions each, imported by two processes at the same time.
    for side in ["a", "b"] {
        let dir = env.dir.path().join(side);
        std::fs::create_dir(&dir).unwrap();
        for i in 0..60 {
            std::fs::write(
                dir.join(format!("{i:04}.toml")),
                format!(
                    "name = \"{side}\"\n[[messages]]\nrole = \"user\"\ncontent = \"{side} {i}\"\n"
                ),
            )
            .unwrap();
        }
    }
    env.temper().args(["prompt", "list"]).assert().success(); // create the DB first
    let spawn = |side: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("temper"))
            .env("TEMPER_DB", env.db())
            .env("TEMPER_CONFIG", env.dir.path().join("config.toml"))
            .args(["prompt", "import"])
            .arg(env.dir.path().join(side))
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn("a"));
        let b = s.spawn(|| spawn("b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        env.json(&["prompt", "log", "a"]).as_array().unwrap().len(),
        60
    );
    assert_eq!(
        env.json(&["prompt", "log", "b"]).as_array().unwrap().len(),
        60
    );
    let store = temper::store::Store::open(&env.db()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
