//! Samples of a replay against the recorded output: how many reproduced it (whitespace-
//! normalised, JSON-aware when the recorded output is JSON), how the rest group, where the
//! modal sample first leaves the recorded answer, and a one-line verdict.

use crate::analysis::cell::observed;
use crate::analysis::cluster::{Cluster, Observed};
use crate::analysis::divergence::first_divergence;
use crate::analysis::normalize::{Mode, normalize, parse_json};
use crate::analysis::{Options, analyze};
use crate::store::{Store, StoreError};
use serde::Serialize;

/// One variant's replay, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReplay {
    pub model: String,
    /// Samples fired (failed ones included).
    pub n: usize,
    /// Samples that got an answer.
    pub ok: usize,
    /// Answers equal to the recorded output.
    pub reproduced: usize,
    /// Distinct answers among the ok samples.
    pub distinct: usize,
    /// Largest group of equal answers / ok samples.
    pub stability: Option<f64>,
    /// How answers were compared: `json` when the recorded output is JSON, else `whitespace`.
    pub mode: Mode,
    /// Where the modal sample first leaves the recorded output (`None` when equal).
    pub divergence: Option<RecordedDivergence>,
    /// The modal answer, for showing beside the recorded one.
    pub modal_output: Option<String>,
}

/// The first point where the modal sample differs from the recorded output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedDivergence {
    /// Characters shared (in the comparison form) before the point.
    pub char_offset: usize,
    pub context: String,
    /// What the recorded output says next.
    pub recorded: String,
    /// What the modal sample says instead.
    pub modal: String,
    pub modal_sample: u32,
}

/// Compare `samples` (one variant's) with `recorded`.
pub fn compare(model: &str, recorded: &str, samples: &[Observed<'_>]) -> ModelReplay {
    let mode = if parse_json(recorded).is_some() {
        Mode::Json
    } else {
        Mode::Whitespace
    };
    let analysis = analyze(samples, Options::mode(mode));
    let target = normalize(recorded, mode).text;
    let reproduced = analysis
        .clusters
        .iter()
        .find(|c| c.normalized == target)
        .map_or(0, Cluster::size);
    let modal = analysis.clusters.first();
    let divergence = modal.filter(|m| m.normalized != target).and_then(|m| {
        let pair = [Cluster::of(vec![u32::MAX], target.clone()), m.clone()];
        first_divergence(&pair, None).map(|d| RecordedDivergence {
            char_offset: d.char_offset,
            context: d.context,
            recorded: d.modal_continuation,
            modal: d.other_continuation,
            modal_sample: m.representative(),
        })
    });
    let modal_output = modal.and_then(|m| {
        samples
            .iter()
            .find(|s| s.idx == m.representative())
            .and_then(|s| s.output.map(str::to_string))
    });
    ModelReplay {
        model: model.to_string(),
        n: analysis.n,
        ok: analysis.ok,
        reproduced,
        distinct: analysis.distinct,
        stability: analysis.stability,
        mode,
        divergence,
        modal_output,
    }
}

/// The comparison of every cell of run `run_id` (one per variant) with `recorded`.
pub fn results(store: &Store, run_id: i64, recorded: &str) -> Result<Vec<ModelReplay>, StoreError> {
    let mut out = Vec::new();
    for cell in store.cells(run_id)? {
        let rows = store.samples(cell.id)?;
        out.push(compare(&cell.cell.variant_name, recorded, &observed(&rows)));
    }
    Ok(out)
}

/// One line saying whether the recorded answer reproduces on `r`'s model, and how often.
pub fn verdict(r: &ModelReplay) -> String {
    let on = format!("on {}", r.model);
    if r.ok == 0 {
        return format!("no sample got an answer {on}: nothing to compare (see the errors above)");
    }
    let others = r.ok - r.reproduced;
    let other_groups = r.distinct - usize::from(r.reproduced > 0);
    if others == 0 {
        return format!(
            "the recorded answer came back in all {} samples {on}: it reproduces every time",
            r.ok
        );
    }
    let rest = if other_groups <= 1 {
        format!("the other {others} agree with each other")
    } else {
        format!("the other {others} split into {other_groups} different answers")
    };
    if r.reproduced == 0 {
        let all = if other_groups <= 1 {
            "they all agree on another answer".to_string()
        } else {
            format!("they split into {other_groups} different answers")
        };
        return format!(
            "the recorded answer came back in none of {} samples {on}; {all}: it does not reproduce with this model and params",
            r.ok
        );
    }
    format!(
        "the recorded answer came back in {} of {} samples {on}; {rest}: the failure is intermittent",
        r.reproduced, r.ok
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(outputs: &[&'static str]) -> Vec<Observed<'static>> {
        outputs
            .iter()
            .enumerate()
            .map(|(i, o)| Observed::ok(i as u32, o))
            .collect()
    }

    #[test]
    fn counts_whitespace_equal_answers_and_finds_the_divergence() {
        let r = compare(
            "m",
            "Paris is  the capital.",
            &obs(&[
                "Paris is the capital.",
                "Lyon is the capital.",
                "Lyon is the capital.",
                "Lyon is the capital.",
            ]),
        );
        assert_eq!((r.n, r.ok, r.reproduced, r.distinct), (4, 4, 1, 2));
        let d = r
            .divergence
            .clone()
            .expect("modal differs from the recorded answer");
        assert_eq!(
            (d.char_offset, d.recorded.as_str()),
            (0, "Paris is the capital.")
        );
        assert!(d.modal.starts_with("Lyon"));
        assert_eq!(
            verdict(&r),
            "the recorded answer came back in 1 of 4 samples on m; the other 3 agree with each other: the failure is intermittent"
        );
    }

    #[test]
    fn json_outputs_compare_canonically() {
        let r = compare("m", r#"{"a": 1, "b": 2}"#, &obs(&[r#"{"b":2,"a":1}"#]));
        assert_eq!(
            (r.mode, r.reproduced, r.divergence.is_none()),
            (Mode::Json, 1, true)
        );
        assert!(verdict(&r).contains("reproduces every time"));
    }

    #[test]
    fn never_reproduced_and_failed_samples() {
        let mut samples = obs(&["x", "y"]);
        samples.push(Observed::failed(2));
        let r = compare("m", "z", &samples);
        assert_eq!((r.n, r.ok, r.reproduced), (3, 2, 0));
        assert!(
            verdict(&r).contains("none of 2 samples on m; they split into 2 different answers")
        );
        let none = compare("m", "z", &[Observed::failed(0)]);
        assert!(verdict(&none).starts_with("no sample got an answer"));
    }
}
