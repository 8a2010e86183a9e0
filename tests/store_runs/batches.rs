//! Sample batches on both backends: each batch is stored whole or not at all, whatever refuses
//! it (a missing cell, a duplicate index) and wherever in the batch the refusal comes, and the
//! error says what the server said.

use super::store_support;
use super::{populate, sample};
use temper::store::{NewSample, Store};

/// A sample must name a stored cell on both backends: SQLite by its foreign key, PostgreSQL by
/// the statement-level check of migration 6. A batch naming a missing cell stores nothing.
#[test]
fn a_sample_must_name_a_cell_and_a_cell_with_samples_stays() {
    for db in store_support::backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 3);
        // The second cell: the first has a recorded request, whose own key would refuse first.
        let cell = store.cells(run).unwrap()[1].id;
        let missing = cell + 1000;
        let batch = vec![sample(cell, 100), sample(missing, 0)];
        let err = store.insert_samples(&batch).unwrap_err().to_string();
        assert!(
            err.contains("FOREIGN KEY") || err.contains(&format!("{missing} names no cell")),
            "{}: {err}",
            db.name
        );
        assert_eq!(store.sample_count(run).unwrap(), 6, "{}", db.name);
        let Some(mut client) = db.client() else {
            continue;
        };
        let refused = client
            .batch_execute(&format!("DELETE FROM cells WHERE id = {cell}"))
            .unwrap_err();
        let why = refused.as_db_error().map(|e| e.message().to_string());
        assert_eq!(why, Some(format!("cell {cell} still has samples")));
    }
}

/// The PostgreSQL check locks the batch's cells as a foreign key would: a cell deleted while
/// another process writes its samples waits for that writer, then fails instead of leaving
/// the samples without their cell.
#[test]
fn a_cell_deleted_during_a_sample_batch_is_refused_on_postgres() {
    let Some(db) = store_support::TestDb::postgres() else {
        return;
    };
    let mut store = Store::open(&db.location).unwrap();
    let run = populate(&mut store, 2);
    let cell = store.cells(run).unwrap()[1].id;
    let mut writer = db.client().unwrap();
    let mut tx = writer.transaction().unwrap();
    tx.batch_execute(&format!(
        "INSERT INTO samples(cell_id, idx, status, attempts, created_at)
         VALUES ({cell}, 50, 'ok', 1, 'now')"
    ))
    .unwrap();
    let mut deleter = db.client().unwrap();
    let deleting = std::thread::spawn(move || {
        deleter.batch_execute(&format!(
            "BEGIN; DELETE FROM samples WHERE cell_id = {cell};
             DELETE FROM cells WHERE id = {cell}; COMMIT;"
        ))
    });
    // The delete must be waiting on the writer's lock, not done.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !deleting.is_finished(),
        "the delete did not wait for the writer"
    );
    tx.commit().unwrap();
    let outcome = deleting.join().unwrap();
    let why = outcome
        .unwrap_err()
        .as_db_error()
        .map(|e| e.message().to_string());
    assert_eq!(why, Some(format!("cell {cell} still has samples")));
    assert_eq!(store.sample_count(run).unwrap(), 5);
}

/// On PostgreSQL a batch is sent in pieces while it is encoded, so the server may refuse its
/// first row while the rest is still on the way: the error is still the server's (not a lost
/// connection), nothing of the batch is kept, and the connection takes the next batch.
#[test]
fn a_large_batch_refused_at_its_first_row_stores_nothing_and_says_why() {
    for db in store_support::backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 3);
        let cell = store.cells(run).unwrap()[1].id;
        // About 1.5 MB: a hundred pieces of COPY data after the duplicate of sample 0.
        let batch: Vec<NewSample> = std::iter::once(0)
            .chain(100..1100)
            .map(|i| NewSample {
                output: Some(format!("{i} {}", "long answer ".repeat(120))),
                ..sample(cell, i)
            })
            .collect();
        let err = store.insert_samples(&batch).unwrap_err().to_string();
        assert!(
            err.contains("UNIQUE") || err.contains("duplicate key"),
            "{}: {err}",
            db.name
        );
        assert_eq!(store.sample_count(run).unwrap(), 6, "{}", db.name);
        store.insert_samples(&batch[1..]).unwrap();
        assert_eq!(store.sample_count(run).unwrap(), 1006, "{}", db.name);
        let back = store.samples(cell).unwrap();
        assert_eq!(
            back.last().map(|r| &r.sample.output),
            Some(&batch[1000].output)
        );
    }
}
