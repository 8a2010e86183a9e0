//! Runs, cells, samples (with logprobs blobs), requests, deletion, the production view and
//! `db copy`, on both backends (PostgreSQL when `TEMPER_TEST_PG` is set).

#[path = "store_runs/batches.rs"]
mod batches;
mod store_support;

use store_support::{TestDb, backends};
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{
    CellRequest, NewCell, NewSample, RunStatus, SampleStatus, Store, copy_database,
};

fn body(text: &str) -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, text)],
        ..Default::default()
    }
}

fn sample(cell_id: i64, idx: u32) -> NewSample {
    NewSample {
        cell_id,
        idx,
        status: Some(if idx % 5 == 4 {
            SampleStatus::Error
        } else {
            SampleStatus::Ok
        }),
        output: Some(format!("answer {idx} — ünïcode ✓")),
        finish_reason: Some("stop".into()),
        input_tokens: Some(12),
        output_tokens: Some(i64::from(idx) + 3),
        latency_ms: Some(12.5 + f64::from(idx)),
        cost_usd: Some(0.000_123_4 * f64::from(idx)),
        error: (idx % 5 == 4).then(|| "HTTP 500".to_string()),
        attempts: 1 + idx % 3,
        request_hash: Some(format!("h{idx}")),
        logprobs: Some((0..=255u8).cycle().skip(idx as usize).take(300).collect()),
        region: idx.is_multiple_of(2).then(|| "eu-west".to_string()),
        ttft_ms: Some(3.25),
        ..Default::default()
    }
}

/// A store with two prompts, a label, and one run of 2 cells x `n` samples; returns the run id.
fn populate(store: &mut Store, n: u32) -> i64 {
    let v1 = store.save_version("alpha", &body("one"), "first").unwrap();
    store.save_version("alpha", &body("two"), "second").unwrap();
    let b = store.save_version("beta", &body("b"), "").unwrap();
    store.set_label("alpha", "prod", 1).unwrap();
    store.set_label("alpha", "prod", 2).unwrap();
    let run = store.create_run("cli", Some("s.toml")).unwrap();
    let mut cells = Vec::new();
    for (i, v) in [v1.version.id, b.version.id].into_iter().enumerate() {
        let cell = NewCell {
            prompt_version_id: v,
            variant_name: format!("m{i}"),
            variant_json: "{\"model\":\"mock\"}".into(),
            case_name: "default".into(),
            case_json: "{}".into(),
            n,
        };
        cells.push(store.add_cell(run, &cell).unwrap());
    }
    for c in &cells {
        let batch: Vec<NewSample> = (0..n).map(|i| sample(*c, i)).collect();
        store.insert_samples(&batch).unwrap();
    }
    store
        .record_cell_requests(&[CellRequest {
            cell_id: cells[0],
            params_sent: "{\"temperature\":0}".into(),
            request_json: "{}".into(),
        }])
        .unwrap();
    store.finish_run(run, RunStatus::Done).unwrap();
    run
}

#[test]
fn runs_cells_and_samples_round_trip_with_blobs() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 7);
        let info = store.run_info(run).unwrap();
        assert_eq!(info.status, RunStatus::Done);
        assert_eq!(info.prompts, vec!["alpha@1", "beta@1"]);
        assert_eq!(store.list_runs(10).unwrap().len(), 1);
        assert_eq!(store.sample_count(run).unwrap(), 14);
        let cells = store.cells(run).unwrap();
        assert_eq!(cells.len(), 2);
        assert_eq!(
            (cells[0].prompt.as_str(), cells[0].prompt_number),
            ("alpha", 1)
        );
        let rows = store.samples(cells[0].id).unwrap();
        assert_eq!(rows.len(), 7);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.sample, sample(cells[0].id, i as u32), "sample {i}");
        }
        // Replacing a cell's request keeps one row per cell.
        let again = CellRequest {
            cell_id: cells[0].id,
            params_sent: "{\"temperature\":1}".into(),
            request_json: "{\"x\":1}".into(),
        };
        store
            .record_cell_requests(std::slice::from_ref(&again))
            .unwrap();
        assert_eq!(store.cell_request(cells[0].id).unwrap(), Some(again));
        assert_eq!(store.run_params_sent(run).unwrap().len(), 1);
        assert_eq!(
            store
                .latest_run_for_version(cells[1].cell.prompt_version_id)
                .unwrap(),
            Some(run)
        );
        assert_eq!(
            store
                .cells_for_version(cells[1].cell.prompt_version_id)
                .unwrap()
                .len(),
            1
        );
        // A run left running by a dead process is marked interrupted; our own is not.
        let mine = store.create_run("cli", None).unwrap();
        assert_eq!(store.mark_orphaned_runs().unwrap(), 0);
        assert_eq!(store.run_info(mine).unwrap().status, RunStatus::Running);

        let usage = store.delete_prompt("beta").unwrap();
        assert_eq!((usage.versions, usage.cells, usage.samples), (1, 1, 7));
        assert_eq!(store.sample_count(run).unwrap(), 7);
        assert_eq!(store.remove_label("alpha", "prod").unwrap(), 2);
    }
}

#[test]
fn the_production_view_lists_current_labels() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        populate(&mut store, 1);
        let sql = "SELECT prompt, label, version, body_json FROM prompt_labels_current";
        let rows: Vec<(String, String, i64, String)> = match db.client() {
            Some(mut c) => c
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect(),
            None => {
                let c = rusqlite::Connection::open(&db.location).unwrap();
                let mut stmt = c.prepare(sql).unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
        };
        assert_eq!(rows.len(), 1, "{}", db.name);
        assert_eq!(
            (rows[0].0.as_str(), rows[0].1.as_str(), rows[0].2),
            ("alpha", "prod", 2)
        );
        let body: PromptBody = serde_json::from_str(&rows[0].3).unwrap();
        assert_eq!(body.messages[0].content, "two");
    }
}

/// Everything a user sees of a store, for comparing two copies.
fn snapshot(store: &Store) -> String {
    let mut out = format!(
        "{:?}\n",
        store
            .list_prompts()
            .unwrap()
            .iter()
            .map(|p| (&p.name, p.versions, &p.labels))
            .collect::<Vec<_>>()
    );
    for p in store.list_prompts().unwrap() {
        out += &format!(
            "{:?}\n{:?}\n",
            store.history(&p.name).unwrap(),
            store.label_history(&p.name).unwrap()
        );
    }
    for run in store.list_runs(100).unwrap() {
        out += &format!("{run:?}\n");
        for cell in store.cells(run.id).unwrap() {
            out += &format!("{cell:?}\n{:?}\n", store.samples(cell.id).unwrap());
        }
    }
    out
}

#[test]
fn db_copy_moves_everything_both_ways_and_verifies() {
    let Some(pg) = TestDb::postgres() else {
        // Without a server, SQLite to SQLite still exercises the copy and its checks.
        let (a, b) = (TestDb::sqlite(), TestDb::sqlite());
        let mut src = Store::open(&a.location).unwrap();
        populate(&mut src, 5);
        let mut dst = Store::open(&b.location).unwrap();
        copy_database(&src, &mut dst).unwrap();
        assert_eq!(snapshot(&src), snapshot(&dst));
        return;
    };
    let (a, back) = (TestDb::sqlite(), TestDb::sqlite());
    let mut src = Store::open(&a.location).unwrap();
    populate(&mut src, 300);
    let mut mid = Store::open(&pg.location).unwrap();
    let report = copy_database(&src, &mut mid).unwrap();
    let samples = report.tables.iter().find(|t| t.table == "samples").unwrap();
    assert_eq!(samples.rows, 600);
    assert_eq!(snapshot(&src), snapshot(&mid));
    // New rows on the copy get fresh ids (identity sequences moved past the copied ones).
    mid.save_version("gamma", &body("g"), "").unwrap();
    let run = mid.create_run("cli", None).unwrap();
    assert!(run > 1);
    let mut home = Store::open(&back.location).unwrap();
    let back_report = copy_database(&mid, &mut home).unwrap();
    assert_eq!(snapshot(&mid), snapshot(&home));
    let digest = |r: &temper::store::CopyReport, t: &str| {
        r.tables
            .iter()
            .find(|x| x.table == t)
            .unwrap()
            .sha256
            .clone()
    };
    assert_eq!(digest(&report, "samples"), digest(&back_report, "samples"));
    // A destination that already holds data is refused, and left as it was.
    let err = copy_database(&src, &mut home).unwrap_err().to_string();
    assert!(err.contains("already holds"), "{err}");
    assert_eq!(snapshot(&mid), snapshot(&home));
}

/// The rows of a store at migration 7 (before samples were keyed by cell and index): a prompt,
/// a run, a cell and `SAMPLES` samples, one in five failed, each with a logprobs blob.
const OLD_ROWS: &str = "
    INSERT INTO prompts(id, name, created_at) VALUES (1, 'p', 'x');
    INSERT INTO prompt_versions(id, prompt_id, number, hash, body_json, created_at)
        VALUES (1, 1, 1, 'h', '{}', 'x');
    INSERT INTO runs(id, source, status, started_at) VALUES (1, 'cli', 'done', 'x');
    INSERT INTO cells(id, run_id, prompt_version_id, variant_name, variant_json, case_name,
        case_json, n) VALUES (1, 1, 1, 'v', '{}', 'c', '{}', 300);";

const SAMPLES: u32 = 300;

/// A database at migration 7 with [`OLD_ROWS`] at `db`, written with the old schema's SQL.
fn at_migration_7(db: &TestDb) {
    let samples = |blob: &str, series: &str| {
        format!(
            "INSERT INTO samples(cell_id, idx, status, output, error, logprobs, created_at)
             SELECT 1, i, CASE WHEN i % 5 = 4 THEN 'error' ELSE 'ok' END,
                    CASE WHEN i % 5 = 4 THEN NULL ELSE 'out ' || i END,
                    CASE WHEN i % 5 = 4 THEN 'HTTP 500' END, {blob}, 'x' FROM {series};"
        )
    };
    match db.client() {
        Some(mut client) => {
            let old = temper::store::schema_pg::MIGRATIONS[..7].join("\n");
            client.batch_execute(&old).unwrap();
            let rows = samples(
                "decode('00ff7f', 'hex')",
                &format!("generate_series(0, {}) AS i", SAMPLES - 1),
            );
            client
                .batch_execute(&format!(
                    "CREATE TABLE temper_schema (version BIGINT NOT NULL);
                     INSERT INTO temper_schema(version) VALUES (7); {OLD_ROWS} {rows}"
                ))
                .unwrap();
        }
        None => {
            let conn = rusqlite::Connection::open(&db.location).unwrap();
            for sql in &temper::store::schema::MIGRATIONS[..7] {
                conn.execute_batch(sql).unwrap();
            }
            let series = format!(
                "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {}) SELECT i FROM s)",
                SAMPLES - 1
            );
            let rows = samples("x'00ff7f'", &series);
            conn.execute_batch(&format!(
                "PRAGMA user_version = 7; PRAGMA application_id = 1414352978; {OLD_ROWS} {rows}"
            ))
            .unwrap();
        }
    }
}

/// Migration 8 keys samples by (cell_id, idx): a database written at migration 7 keeps every
/// sample as it was, takes new ones, and refuses a second sample at the same index.
#[test]
fn an_older_database_keeps_every_sample_when_samples_are_keyed_by_cell_and_index() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        at_migration_7(&db);
        let mut store = Store::open(&db.location).unwrap();
        assert_eq!(store.schema_version().unwrap(), 8, "{}", db.name);
        let rows = store.samples(1).unwrap();
        assert_eq!(rows.len(), SAMPLES as usize, "{}", db.name);
        for (i, r) in (0..).zip(&rows) {
            let s = &r.sample;
            let failed = i % 5 == 4;
            assert_eq!(s.idx, i);
            assert_eq!(s.status == Some(SampleStatus::Error), failed);
            assert_eq!(s.output, (!failed).then(|| format!("out {i}")));
            assert_eq!(s.error.is_some(), failed);
            assert_eq!(s.logprobs.as_deref(), Some(&[0u8, 0xff, 0x7f][..]));
        }
        store.insert_samples(&[sample(1, SAMPLES)]).unwrap();
        let again = store
            .insert_samples(&[sample(1, 0)])
            .unwrap_err()
            .to_string();
        assert!(
            again.contains("UNIQUE") || again.contains("duplicate key"),
            "{}: {again}",
            db.name
        );
        assert_eq!(store.sample_count(1).unwrap(), i64::from(SAMPLES) + 1);
        // The cell check (migration 6 on PostgreSQL, the foreign key on SQLite) still holds.
        let orphan = store
            .insert_samples(&[sample(99, 0)])
            .unwrap_err()
            .to_string();
        assert!(
            orphan.contains("FOREIGN KEY") || orphan.contains("99 names no cell"),
            "{}: {orphan}",
            db.name
        );
        let Some(mut client) = db.client() else {
            continue;
        };
        let key: Vec<String> = client
            .query(
                "SELECT a.attname FROM pg_index i
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                 WHERE i.indrelid = 'samples'::regclass AND i.indisprimary ORDER BY a.attnum",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(key, ["cell_id", "idx"]);
        let ids: i64 = client
            .query_one(
                "SELECT count(*) FROM information_schema.columns
                 WHERE table_name = 'samples' AND column_name = 'id'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(ids, 0, "no identity left to draw from");
    }
}

/// What `temper check` reads of a cell: every sample with every field but the raw response,
/// the logprobs and the request hash, on both backends.
#[test]
fn checked_samples_are_the_samples_without_their_heavy_columns() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 7);
        for cell in store.cells(run).unwrap() {
            let want: Vec<_> = store
                .samples(cell.id)
                .unwrap()
                .into_iter()
                .map(|mut r| {
                    assert!(r.sample.logprobs.is_some() && r.sample.request_hash.is_some());
                    r.sample.request_hash = None;
                    r.sample.response_json = None;
                    r.sample.logprobs = None;
                    r
                })
                .collect();
            assert_eq!(store.checked_samples(cell.id).unwrap(), want, "{}", db.name);
        }
    }
}
