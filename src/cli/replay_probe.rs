//! Output of `temper replay --without-chunk ID / --shuffle-chunks`: the unmodified replay as
//! usual, then the probe against it (docs/replay.md, "Grounding probe").

use super::print_json;
use super::replay::print_models;
use crate::replay::grounding::{self, ProbeModel, ProbeResults};
use crate::replay::probe::Probe;
use crate::replay::{self};
use crate::sanitize::one_line;

/// What the run saved and compared with, for the header lines and `--json`.
pub(super) struct Shown<'a> {
    pub label: &'a str,
    pub probe_label: &'a str,
    pub span: &'a str,
    pub run_id: i64,
    pub recorded: &'a str,
}

/// Print a replay with its probe, as text or one JSON object.
pub(super) fn print(
    shown: &Shown<'_>,
    results: &ProbeResults,
    probe: &Probe,
    json: bool,
) -> anyhow::Result<()> {
    let answered = |p: &ProbeModel| {
        results
            .replay
            .iter()
            .any(|r| r.model == p.model && r.modal_output.is_some())
    };
    let verdicts: Vec<String> = results
        .probe
        .iter()
        .map(|p| grounding::verdict(p, probe, answered(p)))
        .collect();
    if json {
        return print_json(&serde_json::json!({
            "prompt": shown.label,
            "span": shown.span,
            "run_id": shown.run_id,
            "recorded_output": shown.recorded,
            "models": results.replay,
            "verdicts": results.replay.iter().map(replay::verdict).collect::<Vec<_>>(),
            "probe": {
                "prompt": shown.probe_label,
                "removed": probe.removed,
                "order": probe.order,
                "models": results.probe,
                "verdicts": verdicts,
            },
        }));
    }
    println!(
        "saved {} and {} · run #{}",
        shown.label, shown.probe_label, shown.run_id
    );
    println!("recorded output\n  {}", one_line(shown.recorded));
    print_models(&results.replay);
    println!(
        "probe {}: {}",
        shown.probe_label,
        grounding::describe(probe)
    );
    for p in &results.probe {
        print_probe(p);
    }
    for r in &results.replay {
        println!("{}", one_line(&replay::verdict(r)));
    }
    for v in verdicts {
        println!("{}", one_line(&v));
    }
    Ok(())
}

fn print_probe(p: &ProbeModel) {
    let state = if p.changed { "changed" } else { "unchanged" };
    println!(
        "{}  {state} · {}/{} give the replay's answer · {}/{} the recorded one · {} distinct",
        one_line(&p.model),
        p.same_as_replay,
        p.ok,
        p.reproduced,
        p.ok,
        p.distinct
    );
    if let Some(d) = &p.divergence {
        println!(
            "  first divergence at char {}: after {:?}, replay {:?} vs probe sample #{} {:?}",
            d.char_offset,
            one_line(&d.context),
            one_line(&d.recorded),
            d.modal_sample,
            one_line(&d.modal)
        );
    }
}
