//! The worker's queue on a real SQLite file: a load the user has scrolled past (another of its
//! kind queued behind it) is dropped unanswered, everything else is answered in order.

use super::*;
use std::sync::mpsc;
use temper::tui::worker::Worker;

/// A worker on a store with three stored runs of one cell each; their (run, cell) ids.
fn worker_with_three_cells() -> (tempfile::TempDir, Worker, Vec<(i64, i64)>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let mut store = temper::store::Store::open(&db).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let ids = ["first", "second", "third"]
        .iter()
        .map(|text| {
            let sample = super::stored::ok_sample(0, text);
            let variant = ("mock:echo", r#"{"model":"mock:echo"}"#);
            super::stored::stored_run(&mut store, "support-answer", variant, "", vec![sample])
        })
        .collect();
    let worker = Worker::new(store, temper::config::Config::default(), db);
    (dir, worker, ids)
}

/// Queue every request before the worker drains, let it serve them all, and return what it
/// answered after the startup prompt list.
fn serve(worker: Worker, requests: Vec<Request>) -> Vec<Event> {
    let (tx, rx) = mpsc::channel();
    for request in requests {
        tx.send(request).unwrap();
    }
    drop(tx);
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    worker.serve(rx, &etx);
    let mut events = Vec::new();
    while let Ok(event) = erx.try_recv() {
        events.push(event);
    }
    assert!(
        matches!(events.first(), Some(Event::Prompts(_))),
        "{events:?}"
    );
    events.split_off(1)
}

/// What each answer is about, short enough to compare.
fn answers(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|event| match event {
            Event::Samples { cell_id, samples } => {
                let output = samples[0].sample.output.clone().unwrap_or_default();
                format!("samples {cell_id}: {output}")
            }
            Event::Cells { run_id, cells } => format!("cells {run_id}: {}", cells.len()),
            Event::Runs(runs) => format!("runs: {}", runs.len()),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[test]
fn only_the_newest_of_three_queued_sample_loads_is_answered() {
    let (_dir, worker, ids) = worker_with_three_cells();
    let requests = ids
        .iter()
        .map(|&(_, cell_id)| Request::LoadSamples { cell_id })
        .collect();
    let events = serve(worker, requests);
    assert_eq!(
        answers(&events),
        [format!("samples {}: third", ids[2].1)],
        "the cells scrolled past are not loaded"
    );
}

#[test]
fn other_requests_and_the_diff_views_batch_are_all_answered_in_order() {
    let (_dir, worker, ids) = worker_with_three_cells();
    let [(run_a, a), (_, b), (run_c, c)] = ids[..] else {
        panic!("three cells")
    };
    let events = serve(
        worker,
        vec![
            Request::LoadCells { run_id: run_a },
            Request::LoadSamples { cell_id: a },
            Request::ListRuns,
            Request::LoadSamples { cell_id: b },
            Request::LoadRunSamples { cell_id: a },
            Request::LoadRunSamples { cell_id: c },
            Request::LoadCells { run_id: run_c },
        ],
    );
    assert_eq!(
        answers(&events),
        [
            "runs: 3".to_string(),
            format!("samples {b}: second"),
            format!("samples {a}: first"),
            format!("samples {c}: third"),
            format!("cells {run_c}: 1"),
        ]
    );
}

#[test]
fn a_load_queued_after_the_worker_drained_is_still_answered() {
    // The worker answers what is queued when it looks: a load sent after it answered an
    // earlier one of the same kind is a new question, not a superseded one.
    let (_dir, worker, ids) = worker_with_three_cells();
    let (tx, rx) = mpsc::channel();
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    let thread = std::thread::spawn(move || worker.serve(rx, &etx));
    let mut answered = Vec::new();
    for &(_, cell_id) in &ids {
        tx.send(Request::LoadSamples { cell_id }).unwrap();
        loop {
            match erx.blocking_recv() {
                Some(Event::Samples { cell_id, .. }) => break answered.push(cell_id),
                Some(Event::Prompts(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    drop(tx);
    thread.join().unwrap();
    let cells: Vec<i64> = ids.iter().map(|&(_, cell)| cell).collect();
    assert_eq!(answered, cells);
}
