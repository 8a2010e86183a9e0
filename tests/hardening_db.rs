//! Opening a database (issues 16.1-16.4, 17.6), through the real binary: a new DB is seeded with
//! the example prompts and said so once; a mistyped `--db` (missing directory, URL) is an error,
//! not a new empty DB; another application's SQLite file is refused byte for byte untouched; a
//! DB from before the application id is accepted and gets the marker.

mod hardening_support;

use hardening_support::Env;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_new_database_is_seeded_and_announced_once() {
    let env = Env::new();
    let out = env
        .temper()
        .args(["run", "support-answer", "-m", "mock:drift", "-n", "2", "-y"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.matches("created new database at").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("imported 4 example prompts"), "{stderr}");
    let again = env.temper().args(["prompt", "list"]).output().unwrap();
    assert!(!text(&again.stderr).contains("created new database"));
    assert!(text(&again.stdout).contains("classify-ticket"));
}

#[test]
fn a_mistyped_db_path_is_an_error_not_a_new_database() {
    let env = Env::new();
    let missing = env.path("no-such-dir/temper.db");
    let out = env
        .temper()
        .arg("--db")
        .arg(&missing)
        .args(["prompt", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not exist") && text(&out.stderr).contains("--create"));
    assert!(!env.path("no-such-dir").exists());
    let out = env
        .temper()
        .arg("--db")
        .arg(&missing)
        .args(["--create", "prompt", "list"])
        .output()
        .unwrap();
    assert!(
        out.status.success() && missing.exists(),
        "{}",
        text(&out.stderr)
    );
    // A PostgreSQL URL is a server, not a file: nothing is created locally either way.
    let out = env
        .temper()
        .current_dir(env.dir.path())
        .args(["--db", "postgres://user@127.0.0.1:1/db", "prompt", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot reach the PostgreSQL server"),
        "{}",
        text(&out.stderr)
    );
    for url in ["http://example.com/t.db", "sqlite://t.db"] {
        let out = env
            .temper()
            .current_dir(env.dir.path())
            .args(["--db", url, "prompt", "list"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(text(&out.stderr).contains("looks like a URL"), "{url}");
    }
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !left.iter().any(|n| n.to_string_lossy().contains(':')),
        "{left:?}"
    );
}

#[test]
fn another_applications_sqlite_file_is_refused_untouched() {
    let env = Env::new();
    let foreign = env.path("foreign.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x');").unwrap();
    }
    let marked = env.path("marked.db");
    {
        let c = rusqlite::Connection::open(&marked).unwrap();
        c.execute_batch("PRAGMA application_id = 1234;").unwrap();
    }
    for file in [&foreign, &marked] {
        let before = std::fs::read(file).unwrap();
        for args in [
            &["prompt", "list"][..],
            &["runs"],
            &["run", "support-answer", "-m", "mock:echo", "-n", "1"],
        ] {
            let out = env
                .temper()
                .arg("--db")
                .arg(file)
                .args(args)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(
                text(&out.stderr).contains("another application's SQLite database"),
                "{}",
                text(&out.stderr)
            );
        }
        assert_eq!(
            std::fs::read(file).unwrap(),
            before,
            "{} was modified",
            file.display()
        );
        assert!(
            !env.path(&format!(
                "{}-wal",
                file.file_name().unwrap().to_string_lossy()
            ))
            .exists()
        );
    }
}

#[test]
fn a_temper_database_from_before_the_marker_is_accepted_and_marked() {
    let env = Env::new();
    env.temper().args(["prompt", "list"]).output().unwrap();
    {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.execute_batch("PRAGMA application_id = 0;").unwrap();
    }
    let out = env.temper().args(["prompt", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("support-answer"));
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let id: i64 = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, temper::store::APPLICATION_ID);
}

#[test]
fn empty_lists_and_failed_checks_say_how_to_load_prompts() {
    let env = Env::new();
    // An emptied DB (the examples deleted by hand) and a session naming a missing prompt.
    env.temper().args(["prompt", "list"]).output().unwrap();
    {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.execute_batch("PRAGMA foreign_keys=OFF; DELETE FROM labels; DELETE FROM label_events; DELETE FROM prompt_versions; DELETE FROM prompts;").unwrap();
    }
    let out = env.temper().args(["prompt", "list"]).output().unwrap();
    assert!(
        text(&out.stdout).contains("temper prompt import --examples"),
        "{}",
        text(&out.stdout)
    );
    let out = env
        .temper()
        .args(["prompt", "import", "--examples"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(
            &env.temper()
                .args(["prompt", "list"])
                .output()
                .unwrap()
                .stdout
        )
        .contains("support-answer")
    );
    let session = env.file(
        "s.toml",
        "name = \"s\"\nprompts = [\"not-here\"]\n[[variants]]\nname = \"e\"\nmodel = \"mock:echo\"\n[[cases]]\nname = \"c\"\n",
    );
    let out = env.temper().args(["check"]).arg(&session).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no prompt named \"not-here\""), "{stderr}");
    assert!(stderr.contains(&env.db().display().to_string()), "{stderr}");
    assert!(stderr.contains("temper prompt import"), "{stderr}");
}
