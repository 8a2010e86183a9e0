//! Unit tests of `evidence.rs` (kept beside it so the module reads without them).

use super::*;
use crate::store::NewSample;
use std::cell::Cell;

fn row(idx: u32, status: SampleStatus, output: &str, cost: Option<f64>) -> SampleRow {
    SampleRow {
        created_at: String::new(),
        sample: NewSample {
            idx,
            status: Some(status),
            output: Some(output.into()),
            cost_usd: cost,
            error: (status == SampleStatus::Error).then(|| format!("boom {idx}")),
            ..NewSample::default()
        },
    }
}

#[test]
fn samples_become_one_answer_per_text_and_grade() {
    let rows = [
        row(0, SampleStatus::Ok, "a", Some(2.0)),
        row(1, SampleStatus::Error, "", Some(3.0)),
        row(2, SampleStatus::Ok, "b", Some(3.0)),
        row(3, SampleStatus::Ok, "a", None),
        row(4, SampleStatus::Skipped, "", None),
        row(5, SampleStatus::Ok, "a", Some(1.0)),
    ];
    let low = Grade::Score {
        score: 0.1,
        reason: None,
    };
    let grades = [Graded {
        sample: 5,
        grade: low.clone(),
    }];
    let ev = Evidence::of_samples(&rows, &grades);
    assert_eq!((ev.samples, ev.answered, ev.unanswered()), (6, 4, 2));
    let answers: Vec<(&str, usize, u32, &[u32])> = ev
        .answers
        .iter()
        .map(|a| (a.text.as_str(), a.size, a.first, &a.members[..]))
        .collect();
    assert_eq!(
        answers,
        [
            ("a", 2, 0, &[0, 3][..]),
            ("b", 1, 2, &[2][..]),
            ("a", 1, 5, &[5][..])
        ]
    );
    assert_eq!(ev.answers[2].grade, Some(low));
    assert_eq!(ev.first_unanswered, Some((1, Some("boom 1".into()))));
    // The dearest call is the last of the tied ones, as `max_by` picks it.
    assert_eq!(ev.priced.dearest, Some((3.0, 2)));
    assert_eq!((ev.priced.calls, ev.priced.total_usd), (4, 9.0));
    assert_eq!(ev.analysis(Mode::Exact).distinct, 2);
}

/// Members read one answer at a time, counting the reads.
struct Counted<'a>(&'a Cell<usize>);

impl Members for Counted<'_> {
    fn first(&self, answer: &Answer, limit: usize) -> Result<Vec<u32>, StoreError> {
        self.0.set(self.0.get() + 1);
        Held.first(answer, limit)
    }
}

#[test]
fn listing_reads_a_few_answers_whatever_their_number() {
    // 1,000 answers of 10 samples each, interleaved: answer k holds k, k + 1000, ...
    let answers: Vec<Answer> = (0..1000u32)
        .map(|k| Answer {
            text: k.to_string(),
            size: 10,
            first: k,
            members: (0..10).map(|j| k + 1000 * j).collect(),
            hash: None,
            grade: None,
        })
        .collect();
    let reads = Cell::new(0);
    let picked = answers.iter().rev().filter(|a| a.first % 3 != 0);
    let listed = first_members(picked, &Counted(&reads), 5).unwrap_or_default();
    assert_eq!(listed, [1, 2, 4, 5, 7]);
    assert_eq!(reads.get(), 5);
    // One large answer lists its own first members.
    let one = first_members(&answers[7..8], &Held, 5).unwrap_or_default();
    assert_eq!(one, [7, 1007, 2007, 3007, 4007]);
}
