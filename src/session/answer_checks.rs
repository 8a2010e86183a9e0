//! The checks that read each answer's text (or its grade): each runs once per distinct answer
//! of a cell and counts the answer's samples, so a cell of a million samples and five answers
//! is five checks. A failure names the first sample that missed (every answer knows its first)
//! or lists the first few (read from the members, a few answers at most).

use super::checks::JsonSchema;
use super::evaluate::{LISTED, Miss};
use super::evidence::{Answer, Evidence, Members, first_members};
use crate::analysis::normalize::parse_json;
use crate::store::StoreError;

/// The answer with the lowest first sample among `answers` that miss, with why it missed, and
/// how many samples missed in all.
fn first_miss<'a, T>(
    answers: &'a [Answer],
    why: impl Fn(&'a Answer) -> Option<T>,
) -> Option<(&'a Answer, T, usize)> {
    let mut missed = 0;
    let mut first: Option<(&Answer, T)> = None;
    for answer in answers {
        if let Some(reason) = why(answer) {
            missed += answer.size;
            if first.as_ref().is_none_or(|(f, _)| answer.first < f.first) {
                first = Some((answer, reason));
            }
        }
    }
    first.map(|(answer, reason)| (answer, reason, missed))
}

/// A text check every successful output must `pass` (`must_contain`, `must_not_contain`,
/// `regex`); `words` are the value's lead (`missing in`) and the bar, listing the samples missed.
pub(super) fn every_answer(
    (ev, members): (&Evidence, &dyn Members),
    check: String,
    words: (&str, &str),
    pass: impl Fn(&str) -> bool,
) -> Result<Option<Miss>, StoreError> {
    let missed: Vec<&Answer> = ev.answers.iter().filter(|a| !pass(&a.text)).collect();
    if missed.is_empty() {
        return Ok(None);
    }
    let count: usize = missed.iter().map(|a| a.size).sum();
    let listed = first_members(missed, members, LISTED)?;
    Ok(Some(Miss {
        check,
        value: format!("{} {count}/{}", words.0, ev.answered),
        bar: words.1.into(),
        detail: Some(samples_list(&listed, count)),
    }))
}

/// `samples 3, 8, …`: the first samples of `total`.
fn samples_list(shown: &[u32], total: usize) -> String {
    let shown: Vec<String> = shown.iter().map(u32::to_string).collect();
    let more = if total > LISTED { ", …" } else { "" };
    format!("samples {}{more}", shown.join(", "))
}

/// `json_schema`: every successful output parses as JSON valid against the schema.
pub(super) fn json_schema(schema: &JsonSchema, ev: &Evidence) -> Option<Miss> {
    let why = |a: &Answer| match parse_json(&a.text) {
        None => Some("not JSON".to_string()),
        Some(value) => schema.validator.validate(&value).err().map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("at {at}: {e}")
        }),
    };
    let (first, why, bad) = first_miss(&ev.answers, why)?;
    let name = schema
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(Miss {
        check: "json_schema".into(),
        value: format!("{bad}/{} invalid", ev.answered),
        bar: format!("all match {name}"),
        detail: Some(format!(
            "sample {}: {}",
            first.first,
            crate::sanitize::one_line(&why)
        )),
    })
}

/// `must_equal`: every successful sample gives the expected answer (or one similar enough).
pub(super) fn must_equal(expected: &super::expect::MustEqual, ev: &Evidence) -> Option<Miss> {
    let (first, similarity, missed) = first_miss(&ev.answers, |a| expected.mismatch(&a.text))?;
    let bar = if expected.min_similarity >= 1.0 {
        format!(
            "equal to {:?}",
            super::expect::clipped(&expected.output, 60)
        )
    } else {
        format!("similarity >= {:.2}", expected.min_similarity)
    };
    Some(Miss {
        check: expected.name(),
        value: format!("differs in {missed}/{}", ev.answered),
        bar,
        detail: Some(format!(
            "sample {} (similarity {similarity:.2}): {:?}",
            first.first,
            super::expect::clipped(&first.text, 80)
        )),
    })
}

/// `judge`: every answered sample scores at least `pass_score`; an unreadable grade, a failed
/// judge call or a sample not graded yet fails too, with the judge's words (sanitised).
pub(super) fn judged(judge: &super::judge::Judge, ev: &Evidence) -> Option<Miss> {
    use super::expect::clipped;
    use super::judge::Grade;
    let why = |a: &Answer| -> Option<String> {
        Some(match &a.grade {
            Some(Grade::Score { score, .. }) if *score + 1e-9 >= judge.pass_score => return None,
            Some(Grade::Score { score, reason }) => match reason {
                Some(r) => format!("score {score:.2}: {}", clipped(r, 100)),
                None => format!("score {score:.2}"),
            },
            Some(Grade::Unreadable { text }) => {
                format!("no score in the judge's answer: {:?}", clipped(text, 120))
            }
            Some(Grade::CallFailed { error }) => {
                format!("the judge's call failed: {}", clipped(error, 120))
            }
            None => "not graded yet (`temper check --run RUN` grades a stored run)".into(),
        })
    };
    let (first, why, missed) = first_miss(&ev.answers, why)?;
    Some(Miss {
        check: "judge".into(),
        value: format!("failed {missed}/{}", ev.answered),
        bar: format!(
            "score >= {:.2} from {}",
            judge.pass_score,
            crate::sanitize::one_line(&judge.model)
        ),
        detail: Some(format!("sample {}: {why}", first.first)),
    })
}
