//! The real binary on a real PostgreSQL server (`TEMPER_TEST_PG`; skipped with a notice
//! without one, a failure under CI): two runs of 300 samples from two processes while a third
//! moves labels, versions saved from many connections at once, and the errors a user meets:
//! unreachable server, wrong password, missing database, a connection lost mid-run.

mod store_support;

use std::process::{Command, Output, Stdio};
use std::time::Duration;
use store_support::TestDb;
use store_support::temper_on as temper;
use temper::prompt::{Message, PromptBody, Role};
use temper::store::Store;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn body(text: &str) -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, text)],
        ..Default::default()
    }
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn two_runs_and_a_label_mover_at_once_lose_nothing() {
    let Some(db) = TestDb::postgres() else { return };
    let url = db.text();
    {
        let mut store = Store::open(&db.location).unwrap();
        for i in 1..=5 {
            store
                .save_version("p", &body(&format!("v{i}")), "")
                .unwrap();
        }
    }
    let runs: Vec<_> = (0..2)
        .map(|_| {
            temper(
                &url,
                &[
                    "run",
                    "p",
                    "-n",
                    "300",
                    "-m",
                    "mock:echo?latency_ms=3",
                    "-c",
                    "8",
                    "--json",
                    "--yes",
                ],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    // Meanwhile a third process moves prod around: every move goes somewhere new.
    let mut moves = Vec::new();
    for i in 0..24u32 {
        let to = i % 5 + 1;
        let out = temper(&url, &["prompt", "label", &format!("p@{to}"), "prod"])
            .output()
            .unwrap();
        ok(&out);
        moves.push(to);
    }
    for child in runs {
        let out = child.wait_with_output().unwrap();
        let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
        assert_eq!(json["ok"], 300, "{json}");
        assert_eq!(json["status"], "done", "{json}");
    }
    let mut client = db.client().unwrap();
    let stored: i64 = client
        .query_one("SELECT count(*) FROM samples", &[])
        .unwrap()
        .get(0);
    assert_eq!(stored, 600);
    let distinct: i64 = client
        .query_one("SELECT count(DISTINCT (cell_id, idx)) FROM samples", &[])
        .unwrap()
        .get(0);
    assert_eq!(distinct, 600);
    let history = Store::open(&db.location)
        .unwrap()
        .label_history("p")
        .unwrap();
    let tos: Vec<u32> = history.iter().filter_map(|e| e.to).collect();
    assert_eq!(tos.len(), history.len(), "no removal in this history");
    assert_eq!(tos, moves, "every move is in the history, in order");
    for pair in history.windows(2) {
        assert_eq!(
            pair[1].from, pair[0].to,
            "each move starts where the last ended"
        );
    }
}

#[test]
fn versions_saved_from_many_connections_never_collide() {
    let Some(db) = TestDb::postgres() else { return };
    drop(Store::open(&db.location).unwrap());
    std::thread::scope(|s| {
        for t in 0..4 {
            let db = &db;
            s.spawn(move || {
                let mut store = Store::open(&db.location).unwrap();
                for i in 0..10 {
                    store
                        .save_version("race", &body(&format!("t{t} i{i}")), "")
                        .unwrap();
                }
            });
        }
    });
    let log = Store::open(&db.location).unwrap().log("race").unwrap();
    let mut numbers: Vec<u32> = log.iter().map(|v| v.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
}

#[test]
fn label_expect_from_the_command_line() {
    let Some(db) = TestDb::postgres() else { return };
    let url = db.text();
    {
        let mut store = Store::open(&db.location).unwrap();
        for i in 1..=4 {
            store
                .save_version("p", &body(&format!("v{i}")), "")
                .unwrap();
        }
        store.set_label("p", "prod", 3).unwrap();
    }
    let out = temper(&url, &["prompt", "label", "p@4", "prod", "--expect", "@2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("moved meanwhile") && err.contains("@3"),
        "{err}"
    );
    ok(
        &temper(&url, &["prompt", "label", "p@4", "prod", "--expect", "@3"])
            .output()
            .unwrap(),
    );
    let shown = ok(&temper(&url, &["prompt", "show", "p:prod", "--json"])
        .output()
        .unwrap());
    let json: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(json["number"], 4);
}

#[test]
fn connection_errors_say_what_to_do() {
    let Some(server) = store_support::pg_server() else {
        return;
    };
    let port = server
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap();
    let secret = server
        .split("://")
        .nth(1)
        .and_then(|r| r.split('@').next())
        .and_then(|c| c.split_once(':'))
        .map(|(_, p)| p.to_string())
        .unwrap_or_default();
    let cases = [
        (
            "postgres://temper:x@127.0.0.1:1/temper".to_string(),
            vec![
                "cannot reach the PostgreSQL server at postgres://temper@127.0.0.1:1/temper",
                "pg_isready -h 127.0.0.1 -p 1",
            ],
        ),
        (
            format!("postgres://temper:wrong-{secret}@127.0.0.1:{port}/temper"),
            vec!["password authentication failed", "PGPASSWORD"],
        ),
        (
            format!("postgres://temper@127.0.0.1:{port}/temper"),
            vec!["none was given", "PGPASSWORD or ~/.pgpass"],
        ),
        (
            store_support::with_database(&server, "no_such_db"),
            vec![
                "does not exist",
                "createdb -h 127.0.0.1",
                "CREATE DATABASE \"no_such_db\"",
            ],
        ),
    ];
    for (url, wanted) in cases {
        let out = temper(&url, &["prompt", "list"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = text(&out.stderr);
        for w in wanted {
            assert!(err.contains(w), "{w:?} missing from {err}");
        }
        assert!(
            secret.is_empty() || !err.contains(&secret),
            "password printed: {err}"
        );
    }
    // PGPASSWORD stands in for a password missing from the URL.
    let db = TestDb::postgres().unwrap();
    let bare = db.text().replacen(&format!(":{secret}@"), "@", 1);
    let out = temper(&bare, &["prompt", "list"])
        .env("PGPASSWORD", &secret)
        .output()
        .unwrap();
    ok(&out);
    assert!(!text(&out.stderr).contains(&secret) && !text(&out.stdout).contains(&secret));
}

#[test]
fn a_connection_lost_mid_run_stops_it_and_keeps_what_was_committed() {
    let Some(db) = TestDb::postgres() else { return };
    let url = db.text();
    Store::open(&db.location)
        .unwrap()
        .save_version("p", &body("x"), "")
        .unwrap();
    let child = temper(
        &url,
        &[
            "run",
            "p",
            "-n",
            "2000",
            "-m",
            "mock:echo?latency_ms=5",
            "-c",
            "4",
            "--yes",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut admin = db.client().unwrap();
    let dbname = db.text().rsplit('/').next().unwrap().to_string();
    // Wait for samples to land, then cut every temper connection to this database.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = admin
            .query_one("SELECT count(*) FROM samples", &[])
            .unwrap()
            .get(0);
        if n >= 50 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND application_name = 'temper'",
            &[&dbname],
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("lost the connection to the PostgreSQL server at 127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("committed before stays"), "{err}");
    let kept: i64 = admin
        .query_one("SELECT count(*) FROM samples", &[])
        .unwrap()
        .get(0);
    assert!((50..2000).contains(&kept), "{kept} samples kept");
}

#[test]
fn the_password_is_printed_and_stored_nowhere() {
    let Some(db) = TestDb::postgres() else { return };
    let url = db.text();
    let secret = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('@').next())
        .and_then(|c| c.split_once(':'))
        .map(|(_, p)| p.to_string())
        .unwrap_or_default();
    if secret.is_empty() {
        eprintln!("note: TEMPER_TEST_PG has no password; nothing to scan for");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_text = copy.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["prompt", "list", "--json"],
        vec!["prompt", "list"],
        vec![
            "run",
            "support-answer",
            "-n",
            "3",
            "-m",
            "mock:echo",
            "--json",
            "--yes",
        ],
        vec!["runs", "--json"],
        vec!["report", "1", "--json"],
        vec!["prompt", "show", "support-answer", "--json"],
        vec!["db", "copy", &url, &copy_text, "--json"],
        vec!["db", "copy", &url, &url],
        vec![
            "prompt",
            "label",
            "support-answer@1",
            "prod",
            "--expect",
            "@9",
        ],
    ];
    for args in commands {
        let out = temper(&url, &args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text(bytes).contains(&secret),
                "{args:?} printed the password on {what}"
            );
        }
    }
    // Help shows where TEMPER_DB comes from, never its value.
    let help = Command::new(env!("CARGO_BIN_EXE_temper"))
        .arg("--help")
        .env("TEMPER_DB", &url)
        .output()
        .unwrap();
    assert!(
        !text(&help.stdout).contains(&secret),
        "--help printed TEMPER_DB's password"
    );
    // Nothing temper wrote, locally or in the database, holds it.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&secret));
    }
    let mut client = db.client().unwrap();
    let hits: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM runs WHERE runs::text LIKE '%' || $1 || '%')
                  + (SELECT count(*) FROM cells WHERE cells::text LIKE '%' || $1 || '%')
                  + (SELECT count(*) FROM samples WHERE samples::text LIKE '%' || $1 || '%')",
            &[&secret],
        )
        .unwrap()
        .get(0);
    assert_eq!(hits, 0);
}

/// TLS against the real server (scripts/test-postgres turns ssl on with a self-signed
/// certificate): `sslmode=require` encrypts (the server's own pg_stat_ssl says so) without
/// checking the certificate, `verify-full` refuses the self-signed one with the fix, and
/// accepts it once `sslrootcert` names it.
#[test]
fn tls_modes_against_a_self_signed_server() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(cert) = std::env::var("TEMPER_TEST_PG_CERT")
        .ok()
        .filter(|c| !c.is_empty())
    else {
        eprintln!(
            "note: TEMPER_TEST_PG_CERT not set (an older scripts/test-postgres?): TLS skipped"
        );
        return;
    };
    let url = db.text();
    let with = |query: &str| format!("{url}?{query}");
    let mut admin = db.client().unwrap();
    let dbname = url.rsplit('/').next().unwrap().to_string();
    let encrypted = |admin: &mut postgres::Client| -> (i64, i64) {
        let row = admin
            .query_one(
                "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
                 FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.datname = $1 AND a.application_name = 'temper'",
                &[&dbname],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };

    // require: the store opens, and the server reports its connection as TLS.
    let store = Store::open(std::path::Path::new(&with("sslmode=require"))).unwrap();
    assert_eq!(
        encrypted(&mut admin),
        (1, 0),
        "one TLS connection from temper"
    );
    drop(store);
    // Plain connections are still accepted by the same server, and are not TLS.
    let store = Store::open(std::path::Path::new(&url)).unwrap();
    assert_eq!(
        encrypted(&mut admin),
        (0, 1),
        "one plain connection from temper"
    );
    drop(store);

    // The binary, end to end, over TLS.
    ok(&temper(&with("sslmode=require"), &["prompt", "list"])
        .output()
        .unwrap());

    // verify-full against a self-signed certificate: a clear refusal with the fix.
    let out = temper(&with("sslmode=verify-full"), &["prompt", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for wanted in [
        "TLS failed",
        "certificate",
        "sslrootcert=PATH",
        "sslmode=require",
    ] {
        assert!(err.contains(wanted), "{wanted:?} missing from {err}");
    }
    assert!(
        !err.contains("cannot reach"),
        "not a reachability problem: {err}"
    );

    // The same certificate named as the root: verify-full (name 127.0.0.1 is in it) and
    // verify-ca pass.
    for mode in ["verify-full", "verify-ca"] {
        let query = format!("sslmode={mode}&sslrootcert={cert}");
        ok(&temper(&with(&query), &["prompt", "list"]).output().unwrap());
    }

    // A mode libpq does not have: named, with the accepted ones.
    let out = temper(&with("sslmode=on"), &["prompt", "list"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sslmode=\"on\"") && err.contains("verify-full"),
        "{err}"
    );
}
