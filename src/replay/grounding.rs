//! The grounding probe's report: the samples of the probed request (a chunk removed, or the
//! chunks reordered) against those of the unmodified replay fired in the same run, so a user sees
//! whether and how the answer depends on what was retrieved (docs/replay.md, "Grounding probe").

use super::Replayable;
use super::compare::{ModelReplay, RecordedDivergence, compare};
use super::probe::{self, Probe, ProbeError};
use crate::analysis::cell::observed;
use crate::store::{Store, StoreError};
use crate::trace::Trace;
use serde::Serialize;

/// What to change in the replayed request: chunks to drop (ids or unique prefixes), and whether
/// to reorder the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeSpec {
    pub without: Vec<String>,
    pub shuffle: bool,
}

impl ProbeSpec {
    /// True when the spec changes nothing (a plain replay).
    pub fn is_empty(&self) -> bool {
        self.without.is_empty() && !self.shuffle
    }
}

/// The probed request of `replay` (a span of `trace`, read from `file`), checked before anything
/// is saved: every named chunk must be a retrieved chunk whose text is in the messages.
pub fn build(
    trace: &Trace,
    replay: &Replayable,
    spec: &ProbeSpec,
    file: &str,
) -> Result<(Replayable, Probe), ProbeError> {
    let chunks = probe::chunks(trace);
    let probe = probe::apply(
        &replay.body,
        &chunks,
        &spec.without,
        spec.shuffle,
        (&replay.span_id, file),
    )?;
    let probed = Replayable {
        body: probe.body.clone(),
        ..replay.clone()
    };
    Ok((probed, probe))
}

/// The prompt a probe of prompt `name` is saved under, so `name` keeps the recorded request
/// and `temper diff NAME NAME-probe` shows what the probe changed.
pub fn probe_name(name: &str) -> String {
    format!("{name}-probe")
}

/// What the probe changed, in words: "without chunk a" / "with the chunks reordered (c, b, a)".
pub fn describe(probe: &Probe) -> String {
    let mut parts = Vec::new();
    if !probe.removed.is_empty() {
        let s = if probe.removed.len() == 1 { "" } else { "s" };
        parts.push(format!("without chunk{s} {}", probe.removed.join(", ")));
    }
    if !probe.order.is_empty() {
        parts.push(format!(
            "with the chunks reordered ({})",
            probe.order.join(", ")
        ));
    }
    parts.join(" and ")
}

/// The version message of a saved probe: what it changed, in which span of which file.
pub fn message(probe: &Probe, span_id: &str, file: &str) -> String {
    format!(
        "grounding probe of span {span_id} from {file}: {}",
        describe(probe)
    )
}

/// One variant's probe: its answers against the unmodified replay's modal answer and against the
/// recorded output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeModel {
    pub model: String,
    pub n: usize,
    pub ok: usize,
    /// Probe answers equal to the unmodified replay's modal answer.
    pub same_as_replay: usize,
    /// Probe answers equal to the recorded output.
    pub reproduced: usize,
    pub distinct: usize,
    /// The probe's modal answer differs from the replay's.
    pub changed: bool,
    /// Where the probe's modal answer first leaves the replay's (`recorded` is the replay's side).
    pub divergence: Option<RecordedDivergence>,
    pub modal_output: Option<String>,
}

/// A run that fired the unmodified request and its probe: each compared as described above.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResults {
    pub replay: Vec<ModelReplay>,
    pub probe: Vec<ProbeModel>,
}

/// Compare the cells of run `run_id`: those of prompt `base` are the unmodified replay (against
/// `recorded`), the others the probe (against the replay's modal answer of the same variant).
pub fn results(
    store: &Store,
    run_id: i64,
    base: &str,
    recorded: &str,
) -> Result<ProbeResults, StoreError> {
    let mut replay = Vec::new();
    let mut probed = Vec::new();
    for cell in store.cells(run_id)? {
        let rows = store.samples(cell.id)?;
        let name = cell.cell.variant_name.clone();
        if cell.prompt == base {
            replay.push(compare(&name, recorded, &observed(&rows)));
        } else {
            probed.push((name, rows));
        }
    }
    let probe = probed
        .iter()
        .map(|(model, rows)| {
            let samples = observed(rows);
            let vs_recorded = compare(model, recorded, &samples);
            let base = replay.iter().find(|r| &r.model == model);
            match base.and_then(|b| b.modal_output.as_deref()) {
                Some(modal) => {
                    let vs = compare(model, modal, &samples);
                    ProbeModel {
                        model: model.clone(),
                        n: vs.n,
                        ok: vs.ok,
                        same_as_replay: vs.reproduced,
                        reproduced: vs_recorded.reproduced,
                        distinct: vs.distinct,
                        changed: vs.divergence.is_some(),
                        divergence: vs.divergence,
                        modal_output: vs.modal_output,
                    }
                }
                None => unanswered(vs_recorded),
            }
        })
        .collect();
    Ok(ProbeResults { replay, probe })
}

/// A probe whose unmodified replay got no answer: nothing to compare it with.
fn unanswered(r: ModelReplay) -> ProbeModel {
    ProbeModel {
        model: r.model,
        n: r.n,
        ok: r.ok,
        same_as_replay: 0,
        reproduced: r.reproduced,
        distinct: r.distinct,
        changed: false,
        divergence: None,
        modal_output: r.modal_output,
    }
}

/// One line saying whether the probe changed the answer on `p`'s model, and what that says about
/// the chunks; `probe` is what was changed.
pub fn verdict(p: &ProbeModel, probe: &Probe, replay_answered: bool) -> String {
    let what = describe(probe);
    let on = format!("on {}", p.model);
    if p.ok == 0 || !replay_answered {
        return format!("{what}: no answer to compare {on} (see the errors above)");
    }
    let cause = match probe.removed.len() {
        0 => "the chunk order",
        1 => "that chunk",
        _ => "those chunks",
    };
    if !p.changed {
        return format!(
            "{what}, {} of {} samples {on} give the replay's answer: the answer does not depend on {cause}",
            p.same_as_replay, p.ok
        );
    }
    let now = p
        .modal_output
        .as_deref()
        .map(|m| {
            crate::sanitize::one_line(m)
                .chars()
                .take(60)
                .collect::<String>()
        })
        .unwrap_or_default();
    let how = if p.same_as_replay == 0 {
        format!("none of {} samples give the replay's answer", p.ok)
    } else {
        format!(
            "only {} of {} samples give the replay's answer",
            p.same_as_replay, p.ok
        )
    };
    format!("{what}, the answer changes {on}: {how} (now {now:?}): it depends on {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(removed: &[&str], order: &[&str]) -> Probe {
        Probe {
            body: Default::default(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            order: order.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn model(same: usize, ok: usize, changed: bool) -> ProbeModel {
        ProbeModel {
            model: "m".into(),
            n: ok,
            ok,
            same_as_replay: same,
            reproduced: 0,
            distinct: 1,
            changed,
            divergence: None,
            modal_output: Some("Refunds take\n5 days.".into()),
        }
    }

    #[test]
    fn verdicts_say_what_changed_and_what_it_depends_on() {
        let one = probe(&["kb-1"], &[]);
        assert_eq!(
            verdict(&model(3, 3, false), &one, true),
            "without chunk kb-1, 3 of 3 samples on m give the replay's answer: the answer does not depend on that chunk"
        );
        assert_eq!(
            verdict(&model(0, 4, true), &one, true),
            "without chunk kb-1, the answer changes on m: none of 4 samples give the replay's answer (now \"Refunds take 5 days.\"): it depends on that chunk"
        );
        let both = probe(&["a", "b"], &["c", "d"]);
        assert!(
            verdict(&model(1, 4, true), &both, true).starts_with(
                "without chunks a, b and with the chunks reordered (c, d), the answer changes on m: only 1 of 4"
            )
        );
        assert!(verdict(&model(1, 4, true), &both, true).ends_with("it depends on those chunks"));
        let order = probe(&[], &["c", "d"]);
        assert!(verdict(&model(2, 2, false), &order, true).ends_with("on the chunk order"));
        assert!(verdict(&model(0, 0, false), &order, true).contains("no answer to compare"));
        assert!(verdict(&model(2, 2, false), &order, false).contains("no answer to compare"));
    }
}
