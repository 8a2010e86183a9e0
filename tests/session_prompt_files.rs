//! Prompt files in a session's `prompts`, and the temporary database in CI: a fresh checkout
//! (prompt files and a session, no database) checked by the real binary with `CI` set.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use temper::session::{Session, resolve};
use temper::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

/// A checkout: `prompts/route.toml` (labelled prod), `evals/s.toml` naming it, and the cases.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("prompts")).unwrap();
    std::fs::create_dir_all(d.join("evals")).unwrap();
    std::fs::copy(fixture("prompts/route.toml"), d.join("prompts/route.toml")).unwrap();
    std::fs::copy(fixture("cases.jsonl"), d.join("evals/cases.jsonl")).unwrap();
    std::fs::write(
        d.join("evals/s.toml"),
        "name = \"gate\"\nsamples = 2\nprompts = [\"../prompts/route.toml\"]\ncases_file = \"cases.jsonl\"\n\n[[variants]]\nname = \"echo\"\nmodel = \"mock:echo\"\n\n[check]\nregex = [\"^(billing|outage|bug)$\"]\n",
    )
    .unwrap();
    std::fs::write(d.join("config.toml"), "").unwrap();
    dir
}

fn temper(d: &Path) -> Command {
    let mut cmd = Command::cargo_bin("temper").unwrap();
    cmd.current_dir(d)
        .env("TEMPER_CONFIG", d.join("config.toml"))
        .env("NO_COLOR", "1")
        .env_remove("TEMPER_DB")
        .env_remove("CI");
    cmd
}

#[test]
fn a_fresh_checkout_in_ci_runs_from_the_repository_alone() {
    let dir = checkout();
    let d = dir.path();
    let out = temper(d)
        .env("CI", "true")
        .env("HOME", d.join("home"))
        .env("XDG_DATA_HOME", d.join("data"))
        .args(["check", "evals/s.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("CI is set and no database was named (--db, TEMPER_DB or `db` in the config): using a new temporary database"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "prompt file ../prompts/route.toml is route@1 (new version, labels route:prod)"
        ),
        "{stderr}"
    );
    assert!(stdout.contains("[route@1]: 3/3 cases pass"), "{stdout}");
    // The temporary database holds the run; the default data dir was never touched.
    let db = stderr
        .split("using a new temporary database ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap();
    let store = Store::open(Path::new(db.trim())).unwrap();
    assert_eq!(store.list_runs(10).unwrap().len(), 1);
    assert!(!d.join("data").exists(), "the default DB was created");
}

#[test]
fn a_prompt_file_becomes_a_version_only_when_it_changes_and_its_labels_follow() {
    let dir = checkout();
    let d = dir.path();
    let check = || {
        let out = temper(d)
            .arg("--db")
            .arg(d.join("t.db"))
            .args(["check", "evals/s.toml"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(check().contains("is route@1 (new version, labels route:prod)"));
    assert!(check().contains("is route@1 (unchanged)"));
    let path = d.join("prompts/route.toml");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("category only", "category name only");
    std::fs::write(&path, edited).unwrap();
    assert!(check().contains("is route@2 (new version, labels route:prod)"));
    let store = Store::open(&d.join("t.db")).unwrap();
    assert_eq!(store.log("route").unwrap().len(), 2);
    assert_eq!(store.resolve_str("route:prod").unwrap().info.number, 2);
    assert_eq!(store.list_runs(10).unwrap().len(), 3);
}

#[test]
fn readers_that_do_not_import_find_the_version_by_content_or_say_how_to_import_it() {
    let dir = checkout();
    let d = dir.path();
    let session = Session::read(&d.join("evals/s.toml")).unwrap();
    let mut store = Store::open(&d.join("t.db")).unwrap();
    let config = temper::config::Config::default();
    let e = resolve(&session, &store, &config).unwrap_err().to_string();
    assert!(e.contains("evals/s.toml:3: `prompts`: prompt file"), "{e}");
    assert!(
        e.contains("is not in the database yet: `temper check` imports it"),
        "{e}"
    );
    let loaded = temper::session::prompt_files::load(&mut store, &session).unwrap();
    assert_eq!(loaded[0].version, "route@1");
    let resolved = resolve(&session, &store, &config).unwrap();
    assert_eq!(resolved.versions[0].1.info.number, 1);
}

#[test]
fn a_missing_prompt_file_is_a_session_error_with_its_line() {
    let dir = checkout();
    let d = dir.path();
    std::fs::remove_file(d.join("prompts/route.toml")).unwrap();
    let out = temper(d)
        .arg("--db")
        .arg(d.join("t.db"))
        .args(["check", "evals/s.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("s.toml:3: `prompts`: cannot read"),
        "{stderr}"
    );
    assert!(stderr.contains("route.toml"), "{stderr}");
}
