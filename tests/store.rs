//! The store on both backends (a real SQLite file, and a real PostgreSQL database when
//! `TEMPER_TEST_PG` is set): versions, dedup, labels, references, migrations, round trips.

mod store_support;

use store_support::{TestDb, backends};
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{Expect, Reference, Store, StoreError, export_prompt, import_path};

fn body(text: &str) -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, text)],
        ..Default::default()
    }
}

/// Run `test` once per backend on a fresh store.
fn each(test: impl Fn(&TestDb, Store)) {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let store = Store::open(&db.location).unwrap();
        test(&db, store);
    }
}

#[test]
fn versions_are_numbered_with_parents_and_deduplicated() {
    each(|_db, mut store| {
        let v1 = store.save_version("a", &body("one"), "first").unwrap();
        assert!(v1.created);
        assert_eq!((v1.version.number, v1.version.parent), (1, None));
        let again = store.save_version("a", &body("one"), "same").unwrap();
        assert!(
            !again.created,
            "identical content must not create a version"
        );
        assert_eq!(again.version.number, 1);
        let v2 = store.save_version("a", &body("two"), "second").unwrap();
        assert_eq!((v2.version.number, v2.version.parent), (2, Some(1)));
        assert_ne!(v1.version.hash, v2.version.hash);
        // Old content again is a rollback: a new version, same hash as v1.
        let v3 = store.save_version("a", &body("one"), "rollback").unwrap();
        assert!(v3.created);
        assert_eq!(v3.version.hash, v1.version.hash);
        let log = store.log("a").unwrap();
        let numbers: Vec<u32> = log.iter().map(|v| v.number).collect();
        assert_eq!(numbers, vec![3, 2, 1]);
        assert_eq!(log[1].message, "second");
    });
}

#[test]
fn references_resolve_and_unknowns_suggest() {
    each(|_db, mut store| {
        store
            .save_version("support-answer", &body("v1"), "")
            .unwrap();
        store
            .save_version("support-answer", &body("v2"), "")
            .unwrap();
        store.set_label("support-answer", "prod", 1).unwrap();
        let content = |r: &str| {
            store.resolve_str(r).unwrap().body.messages[0]
                .content
                .clone()
        };
        assert_eq!(content("support-answer"), "v2");
        assert_eq!(content("support-answer@1"), "v1");
        assert_eq!(content("support-answer:prod"), "v1");

        match store.resolve_str("suport-answer") {
            Err(StoreError::UnknownPrompt { suggestions, .. }) => {
                assert_eq!(suggestions, vec!["support-answer"])
            }
            other => panic!("expected UnknownPrompt, got {other:?}"),
        }
        let err = store
            .resolve_str("support-answer@9")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no version 9 (latest is 2)"), "{err}");
        let err = store
            .resolve_str("support-answer:prd")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean prod"), "{err}");
    });
}

#[test]
fn labels_move_and_keep_history() {
    each(|_db, mut store| {
        for text in ["a", "b", "c"] {
            store.save_version("p", &body(text), "").unwrap();
        }
        let first = store.set_label("p", "prod", 1).unwrap();
        assert_eq!((first.from, first.to), (None, 1));
        let moved = store.set_label("p", "prod", 3).unwrap();
        assert_eq!((moved.from, moved.to), (Some(1), 3));
        let same = store.set_label("p", "prod", 3).unwrap();
        assert_eq!(same.from, Some(3));
        store.set_label("p", "staging", 2).unwrap();
        let history = store.label_history("p").unwrap();
        let moves: Vec<(String, Option<u32>, Option<u32>)> = history
            .into_iter()
            .map(|e| (e.label, e.from, e.to))
            .collect();
        assert_eq!(
            moves,
            vec![
                ("prod".into(), None, Some(1)),
                ("prod".into(), Some(1), Some(3)),
                ("staging".into(), None, Some(2))
            ]
        );
        assert_eq!(
            store.resolve_str("p:prod").unwrap().info.labels,
            vec!["prod"]
        );
        assert!(store.set_label("p", "bad label", 1).is_err());
        // A removal is the last event of its label's history, in the same transaction.
        assert_eq!(store.remove_label("p", "staging").unwrap(), 2);
        let last = store.label_history("p").unwrap().pop().unwrap();
        assert_eq!(
            (last.label.as_str(), last.from, last.to),
            ("staging", Some(2), None)
        );
        assert!(store.remove_label("p", "staging").is_err());
        assert_eq!(store.label_history("p").unwrap().len(), 4);
    });
}

#[test]
fn export_then_import_round_trips_history() {
    each(|db, mut store| {
        for (i, text) in ["one", "two {{x}}", "three"].iter().enumerate() {
            let mut b = body(text);
            b.params.temperature = Some(0.0);
            b.vars.insert("x".into(), format!("value {i}"));
            store.save_version("p", &b, &format!("msg {i}")).unwrap();
        }
        store.set_label("p", "prod", 2).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("export");
        let files = export_prompt(&store, "p", &out).unwrap();
        assert_eq!(files.len(), 3);

        let other = db.sibling();
        let mut fresh = Store::open(&other.location).unwrap();
        let report = import_path(&mut fresh, &out).unwrap();
        assert_eq!(report.created.len(), 3);
        let original = store.history("p").unwrap();
        let imported = fresh.history("p").unwrap();
        assert_eq!(original.len(), imported.len());
        for (a, b) in original.iter().zip(&imported) {
            assert_eq!(a.body, b.body);
            assert_eq!(a.info.number, b.info.number);
            assert_eq!(a.info.hash, b.info.hash);
            assert_eq!(a.info.message, b.info.message);
            assert_eq!(a.info.labels, b.info.labels);
        }
        // A second import of the same export changes nothing.
        let again = import_path(&mut fresh, &out).unwrap();
        assert!(again.created.is_empty());
        assert_eq!(fresh.log("p").unwrap().len(), 3);
    });
}

#[test]
fn malformed_import_saves_nothing() {
    each(|_db, mut store| {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir(&src).unwrap();
        std::fs::write(
            src.join("a.toml"),
            "name = \"a\"\n[[messages]]\nrole = \"user\"\ncontent = \"hi\"\n",
        )
        .unwrap();
        std::fs::write(src.join("b.toml"), "name = \"b\"\n[[messages]\n").unwrap();
        let err = import_path(&mut store, &src).unwrap_err().to_string();
        assert!(err.contains("b.toml:2:"), "{err}");
        assert!(store.list_prompts().unwrap().is_empty());
    });
}

#[test]
fn newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path) {
        Err(StoreError::TooNew { found, .. }) => assert_eq!(found, 999),
        other => panic!("expected TooNew, got {:?}", other.err()),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn non_sqlite_and_corrupt_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "these are my notes, not a database\n").unwrap();
    assert!(matches!(
        Store::open(&text),
        Err(StoreError::NotSqlite { .. })
    ));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "these are my notes, not a database\n"
    );

    let path = dir.path().join("t.db");
    {
        let mut store = Store::open(&path).unwrap();
        for i in 0..50 {
            store
                .save_version(&format!("p{i}"), &body("x"), "")
                .unwrap();
        }
    }
    // Keep the header, trash the pages after it.
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(100) {
        *b = 0xAB;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).err().expect("corrupt DB must not open");
    let message = err.to_string();
    assert!(message.contains("left untouched"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[cfg(unix)]
#[test]
fn read_only_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let result = Store::open(&locked.join("sub").join("t.db"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Root ignores permissions; only assert when the directory really was read-only.
    if let Err(e) = result {
        assert!(e.to_string().contains("cannot"), "{e}");
    }
}

#[test]
fn reference_parse_matches_resolution() {
    assert_eq!(
        Reference::parse("a:prod").unwrap(),
        Reference::Label("a".into(), "prod".into())
    );
}

#[test]
fn label_compare_and_set_refuses_a_label_that_moved() {
    each(|_db, mut store| {
        for text in ["a", "b", "c", "d"] {
            store.save_version("p", &body(text), "").unwrap();
        }
        store
            .set_label_expect("p", "prod", 1, Expect::Absent)
            .unwrap();
        // Another process moves prod to 2 meanwhile; our move expects 1 and must fail.
        store.set_label("p", "prod", 2).unwrap();
        match store.set_label_expect("p", "prod", 4, Expect::At(1)) {
            Err(StoreError::LabelMoved {
                expected, found, ..
            }) => assert_eq!((expected.as_str(), found.as_str()), ("@1", "@2")),
            other => panic!("expected LabelMoved, got {other:?}"),
        }
        assert_eq!(store.resolve_str("p:prod").unwrap().info.number, 2);
        let moved = store
            .set_label_expect("p", "prod", 4, Expect::At(2))
            .unwrap();
        assert_eq!((moved.from, moved.to), (Some(2), 4));
        assert!(
            store
                .set_label_expect("p", "prod", 3, Expect::Absent)
                .is_err()
        );
        assert_eq!(store.label_history("p").unwrap().len(), 3);
        assert_eq!(Expect::parse("@3").unwrap(), Expect::At(3));
        assert_eq!(Expect::parse("none").unwrap(), Expect::Absent);
        assert!(Expect::parse("@x").is_err());
    });
}

#[test]
fn postgres_newer_schema_and_foreign_tables_are_refused_untouched() {
    let Some(db) = TestDb::postgres() else { return };
    drop(Store::open(&db.location).unwrap());
    let mut client = db.client().unwrap();
    client
        .batch_execute("UPDATE temper_schema SET version = 999")
        .unwrap();
    match Store::open(&db.location) {
        Err(StoreError::TooNew { found, path, .. }) => {
            assert_eq!(found, 999);
            assert_no_password(&path.display().to_string(), &db.text());
        }
        other => panic!("expected TooNew, got {:?}", other.err()),
    }
    let version: i64 = client
        .query_one("SELECT version FROM temper_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 999, "a refused database must be left untouched");

    let other = db.sibling();
    let mut client = other.client().unwrap();
    client
        .batch_execute("CREATE TABLE prompts (x TEXT)")
        .unwrap();
    match Store::open(&other.location) {
        Err(StoreError::Foreign { .. }) => {}
        other => panic!("expected Foreign, got {:?}", other.err()),
    }
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing may be created next to a foreign table");
}

/// `text` must not contain the password of `url` (when it has one).
fn assert_no_password(text: &str, url: &str) {
    let secret = password(url);
    assert!(secret.is_empty() || !text.contains(&secret), "{text}");
}

/// The password part of a URL (empty when there is none).
fn password(url: &str) -> String {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('@').next())
        .and_then(|creds| creds.split_once(':'))
        .map(|(_, p)| p.to_string())
        .unwrap_or_default()
}

#[test]
fn postgres_concurrent_first_opens_migrate_once() {
    let Some(db) = TestDb::postgres() else { return };
    let created: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| Store::open(&db.location).unwrap().created()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(created.iter().filter(|c| **c).count(), 1, "{created:?}");
    let store = Store::open(&db.location).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        temper::store::schema::LATEST
    );
    assert_no_password(&store.path().display().to_string(), &db.text());
}
