//! Unit tests of `from_run.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::{Message, PromptBody, Role};
use crate::store::{NewCell, NewSample, RunStatus};

/// A run of two cells: one of 2,345 samples (pages cross), one failed sample in the other.
fn stored_run(store: &mut Store) -> (i64, [i64; 2]) {
    let body = PromptBody {
        messages: vec![Message::new(Role::User, "hi")],
        ..Default::default()
    };
    let version = store.save_version("p", &body, "").unwrap().version.id;
    let run = store.create_run("cli", None).unwrap();
    let mut ids = [0; 2];
    for (i, n) in [2345u32, 3].into_iter().enumerate() {
        let cell = NewCell {
            prompt_version_id: version,
            variant_name: format!("v{i}"),
            variant_json: "{\"model\":\"mock:echo\"}".into(),
            case_name: "c".into(),
            case_json: "{}".into(),
            n,
        };
        ids[i] = store.add_cell(run, &cell).unwrap();
        let failed = |idx: u32| i == 1 && idx == 2;
        let batch: Vec<NewSample> = (0..n)
            .map(|idx| NewSample {
                cell_id: ids[i],
                idx,
                status: Some(if failed(idx) {
                    SampleStatus::Error
                } else {
                    SampleStatus::Ok
                }),
                output: (!failed(idx)).then(|| format!("answer {}", idx % 3)),
                error: failed(idx).then(|| "HTTP 500".to_string()),
                cost_usd: Some(1e-6),
                ..Default::default()
            })
            .collect();
        store.insert_samples(&batch).unwrap();
    }
    store.finish_run(run, RunStatus::Done).unwrap();
    (run, ids)
}

#[test]
fn a_run_is_written_page_by_page_with_every_sample_under_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let (run, [big, small]) = stored_run(&mut store);
    let path = dir.path().join("run.jsonl");
    let written = write_run_trace(&store, run, &path).unwrap();
    assert_eq!(written, 1 + 2 + 2345 + 3);
    let trace = crate::trace::load(&path, None).unwrap();
    let spans = &trace.spans;
    assert_eq!(spans.len(), written);
    let by_id = |id: &str| spans.iter().find(|s| s.id == id).unwrap();
    assert_eq!(by_id(&format!("run-{run}")).status, Status::Error);
    assert_eq!(by_id(&format!("cell-{big}")).status, Status::Ok);
    assert_eq!(by_id(&format!("cell-{small}")).status, Status::Error);
    let samples: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent.as_deref() == Some(&format!("cell-{big}")))
        .collect();
    assert_eq!(samples.len(), 2345);
    for (i, s) in samples.iter().enumerate() {
        assert_eq!(s.id, format!("sample-{big}-{i}"));
        assert_eq!(
            s.output.as_deref(),
            Some(format!("answer {}", i % 3).as_str())
        );
    }
    let failed = by_id(&format!("sample-{small}-2"));
    assert_eq!(
        (failed.status, failed.error.as_deref()),
        (Status::Error, Some("HTTP 500"))
    );
}
