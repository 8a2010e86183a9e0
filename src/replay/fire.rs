//! The two steps around the spend guard that `temper replay` and the TUI's Trace view (`R`, `x`)
//! share: the versions a replay (and its grounding probe) will be saved as, planned and priced
//! before anything is written, then saving them and pointing the planned cells at them
//! (docs/replay.md).

use super::grounding::{self, probe_name};
use super::probe::Probe;
use super::{ReplayError, Replayable, pending_version, save};
use crate::runner::{Plan, PreparedCell};
use crate::store::{Store, StoreError, Version};
use std::path::Path;

/// The versions to plan on, before anything is saved: the replay's, then the probe's (saved
/// under `NAME-probe`) when there is one.
pub fn pending(
    store: &Store,
    name: &str,
    replay: &Replayable,
    probe: Option<&Replayable>,
) -> Result<Vec<Version>, ReplayError> {
    let mut out = vec![pending_version(store, name, replay)?];
    if let Some(probed) = probe {
        let mut version = pending_version(store, &probe_name(name), probed)?;
        // Both unsaved versions have no row id yet: a distinct placeholder keeps the estimate
        // counting two prompts.
        if version.info.id < 0 {
            version.info.id = -2;
        }
        out.push(version);
    }
    Ok(out)
}

/// Save the replay (and the probe) once the spend guard let the run through, and point `plan`
/// and its `cells` at the saved versions. Returns their labels (`name@n`), replay first.
pub fn commit(
    store: &mut Store,
    (plan, cells): (&mut Plan, &mut [PreparedCell]),
    name: &str,
    replay: &Replayable,
    probe: Option<&(Replayable, Probe)>,
    file: &Path,
) -> Result<Vec<String>, ReplayError> {
    let mut saved = vec![save(store, name, replay, file)?];
    if let Some((probed, p)) = probe {
        let shown = file.display().to_string();
        let message = grounding::message(p, &replay.span_id, &shown);
        saved.push(
            store
                .save_version(&probe_name(name), &probed.body, &message)?
                .version,
        );
    }
    let labels: Vec<String> = saved
        .iter()
        .map(|v| format!("{}@{}", v.prompt, v.number))
        .collect();
    plan.prompts = labels
        .iter()
        .map(|l| store.resolve_str(l))
        .collect::<Result<_, StoreError>>()?;
    // Cells come prompt by prompt, each prompt with one cell per variant.
    let per_prompt = (cells.len() / saved.len()).max(1);
    for (i, cell) in cells.iter_mut().enumerate() {
        if let Some(v) = saved.get(i / per_prompt) {
            cell.new_cell.prompt_version_id = v.id;
        }
    }
    Ok(labels)
}
