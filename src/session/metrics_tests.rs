//! Unit tests of `metrics.rs` (kept beside it so the module reads without them).

use super::*;
use crate::session::Answer;
use crate::store::{NewSample, SampleStatus};

fn sample(idx: u32, output: Option<&str>) -> SampleRow {
    SampleRow {
        created_at: String::new(),
        sample: NewSample {
            idx,
            status: Some(if output.is_some() {
                SampleStatus::Ok
            } else {
                SampleStatus::Error
            }),
            output: output.map(str::to_string),
            ..NewSample::default()
        },
    }
}

#[test]
fn raw_and_answer_agreement_differ_when_only_the_wording_varies() {
    let checks = Checks {
        answer: Answer::Regex(regex::Regex::new(r"label: (\w+)").unwrap()),
        must_contain: vec!["label".into()],
        ..Checks::default()
    };
    let split = [
        sample(0, Some("label: billing.")),
        sample(1, Some("label: billing!")),
    ];
    let same = [sample(0, Some("label: bug")), sample(1, Some("label: bug"))];
    let broken = [sample(0, Some("label: bug")), sample(1, None)];
    let cells = [&split[..], &same[..], &broken[..]].map(|s| CellFacts {
        prompt: "p@1",
        variant: "v",
        case: "c",
        samples: s,
        grades: &[],
    });
    let m = &variant_metrics(&checks, &cells)[0];
    assert_eq!((m.cases, m.samples), (3, 2));
    assert!((m.tar_raw - 1.0 / 3.0).abs() < 1e-9, "{m:?}");
    assert!((m.tar_answer - 2.0 / 3.0).abs() < 1e-9, "{m:?}");
    assert!((m.pass_at_k - 1.0).abs() < 1e-9, "{m:?}");
    assert!((m.pass_all_k - 2.0 / 3.0).abs() < 1e-9, "{m:?}");
}

#[test]
fn pointer_answers_compare_json_values() {
    let checks = Checks {
        answer: Answer::Pointer("/label".into()),
        ..Checks::default()
    };
    let s = [
        sample(0, Some(r#"{"label":"a","why":"x"}"#)),
        sample(1, Some(r#"{"why":"y","label":"a"}"#)),
    ];
    let a = case_agreement(&checks, &s, &[]);
    assert!(!a.raw_agree && a.answer_agree && a.all_pass);
    let missing = [sample(0, Some(r#"{"label":"a"}"#)), sample(1, Some("{}"))];
    assert!(!case_agreement(&checks, &missing, &[]).answer_agree);
}
