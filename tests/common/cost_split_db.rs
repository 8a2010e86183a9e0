//! A real SQLite file with 30 days of samples of three models for the cost split tests:
//! gpt-4o-mini, the biggest spender, with most of its input served from the cache, gpt-4.1 with none, mock:drift
//! (local, $0), and one gpt-4.1 sample from 40 days ago that the split must leave out.
#![allow(dead_code)]

use temper::store::{NewSample, SampleStatus, Store};

/// One answered sample with token counts.
pub fn tokens(idx: u32, input: i64, cached: i64, output: i64) -> NewSample {
    NewSample {
        idx,
        status: Some(SampleStatus::Ok),
        output: Some("ok".into()),
        input_tokens: Some(input),
        cached_tokens: Some(cached),
        output_tokens: Some(output),
        ..NewSample::default()
    }
}

/// Store one run of `model` on the seeded support-answer prompt; its cell id.
fn run(store: &mut Store, model: &str, samples: Vec<NewSample>) -> i64 {
    let json = serde_json::json!({ "name": model, "model": model }).to_string();
    super::stored::stored_run(store, "support-answer", (model, &json), "", samples).1
}

/// The database at `db`; returns nothing, the samples are in the file.
pub fn fill(db: &std::path::Path) {
    let mut store = Store::open(db).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    // 100 calls of 100k input tokens, 90k of them cached, 2k output each.
    let mini = (0..100)
        .map(|i| tokens(i, 100_000, 90_000, 2_000))
        .collect();
    run(&mut store, "openai:gpt-4o-mini", mini);
    // 4 calls of 50k input, nothing cached, 5k output.
    let big = (0..4).map(|i| tokens(i, 50_000, 0, 5_000)).collect();
    run(&mut store, "openai:gpt-4.1", big);
    let drift = (0..3).map(|i| tokens(i, 1_000, 0, 100)).collect();
    run(&mut store, "mock:drift", drift);
    let old = run(
        &mut store,
        "openai:gpt-4.1",
        vec![tokens(0, 9_000_000, 0, 9_000_000)],
    );
    drop(store);
    let conn = rusqlite::Connection::open(db).unwrap();
    let then = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(40 * 24)).to_string();
    conn.execute(
        "UPDATE samples SET created_at = ?1 WHERE cell_id = ?2",
        rusqlite::params![then, old],
    )
    .unwrap();
}
