//! The real binary on the oldest PostgreSQL servers that matter, started by scripts/test-postgres
//! from npm's PostgreSQL builds (skipped with a notice without them, a failure under CI):
//! PostgreSQL 11 is refused with the minimum named and nothing written; PostgreSQL 12, the
//! minimum, takes every migration (the statement-level sample check of migration 6 included)
//! and a whole run, label compare-and-set and all.

mod store_support;

use store_support::{server_from, temper_on as temper};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn postgres_11_is_refused_with_the_minimum_and_left_untouched() {
    let Some(url) = server_from("TEMPER_TEST_PG_11") else {
        return;
    };
    let out = temper(&url, &["prompt", "list"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("runs PostgreSQL 11.22; temper needs PostgreSQL 12.0 or newer"),
        "{err}"
    );
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "temper wrote to a server it refused");
}

#[test]
fn postgres_12_takes_every_migration_a_run_and_label_moves() {
    let Some(url) = server_from("TEMPER_TEST_PG_12") else {
        return;
    };
    let ok = |args: &[&str]| {
        let out = temper(&url, args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let prompts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prompts");
    ok(&["prompt", "import", &prompts.display().to_string()]);
    ok(&[
        "run",
        "support-answer",
        "-n",
        "5",
        "-m",
        "mock:echo",
        "--yes",
    ]);
    ok(&[
        "prompt",
        "label",
        "support-answer@1",
        "prod",
        "--expect",
        "none",
    ]);
    let moved = temper(
        &url,
        &[
            "prompt",
            "label",
            "support-answer@1",
            "prod",
            "--expect",
            "@2",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(moved.status.code(), Some(2), "{}", text(&moved.stderr));

    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let version: i64 = client
        .query_one("SELECT version FROM temper_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, temper::store::schema_pg::MIGRATIONS.len() as i64);
    let samples: i64 = client
        .query_one("SELECT count(*) FROM samples", &[])
        .unwrap()
        .get(0);
    assert_eq!(samples, 5);
    let orphan = client
        .batch_execute(
            "INSERT INTO samples(cell_id, idx, status, attempts, created_at)
             VALUES (987654, 0, 'ok', 1, 'now')",
        )
        .unwrap_err();
    assert_eq!(
        orphan.as_db_error().map(|e| e.message().to_string()),
        Some("samples.cell_id 987654 names no cell".to_string())
    );
}
