//! Runs written straight into a store, for tests that read stored outputs back (reports, diffs,
//! the TUI): one finished run of a prompt version with one cell holding the given samples.

use temper::store::{NewCell, NewSample, RunStatus, SampleStatus, Store};

/// A successful sample's row (the cell id is filled in by [`stored_run`]).
pub fn ok_sample(idx: u32, text: &str) -> NewSample {
    NewSample {
        idx,
        status: Some(SampleStatus::Ok),
        output: Some(text.to_string()),
        ..NewSample::default()
    }
}

/// Store a finished run of `reference` with one cell (`variant`, sent as `variant_json`, case
/// `case`) holding `samples`; returns the run and cell ids.
pub fn stored_run(
    store: &mut Store,
    reference: &str,
    (variant, variant_json): (&str, &str),
    case: &str,
    samples: Vec<NewSample>,
) -> (i64, i64) {
    let version = store.resolve_str(reference).unwrap();
    let run = store.create_run("cli", None).unwrap();
    let cell = store
        .add_cell(
            run,
            &NewCell {
                prompt_version_id: version.info.id,
                variant_name: variant.into(),
                variant_json: variant_json.into(),
                case_name: case.into(),
                case_json: "{}".into(),
                n: samples.len() as u32,
            },
        )
        .unwrap();
    let rows: Vec<NewSample> = samples
        .into_iter()
        .map(|s| NewSample { cell_id: cell, ..s })
        .collect();
    store.insert_samples(&rows).unwrap();
    store.finish_run(run, RunStatus::Done).unwrap();
    (run, cell)
}
