//! The explanation of one cell: clusters, split point, fragility and backend split.

use super::backend::{BackendGroup, BackendVerdict, backend_split};
use super::divergence::{ClusterView, SplitPoint, split_point};
use super::margin::{Margins, margins};
use crate::analysis::Mode;
use crate::provider::TokenLogprob;
use crate::provider::logprob_codec as codec;
use crate::runner::Schedule;
use crate::store::{CellInfo, SampleRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Everything the explain panel shows for a cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellExplanation {
    pub cell_id: i64,
    pub prompt_version_id: i64,
    pub variant: String,
    /// The variant's `model` (`provider:model`), used to pair schedules.
    pub model: Option<String>,
    pub case: String,
    pub schedule: Option<Schedule>,
    /// The variant as sent, schedule aside: the batch probe pairs cells on it, so two variants
    /// of one model with different params are compared each with its own.
    #[serde(skip)]
    pub variant_key: String,
    pub ok: usize,
    pub failed: usize,
    /// Sample indices per distinct output (exact text), largest cluster first.
    pub clusters: Vec<Vec<u32>>,
    /// Largest cluster / samples with an output; `None` without any output.
    pub stability: Option<f64>,
    pub split: Option<SplitPoint>,
    /// Margin statistics, when samples carry logprobs.
    pub fragility: Option<Fragility>,
    pub backends: Vec<BackendGroup>,
    pub backend_verdict: BackendVerdict,
    /// Samples with an output but no (readable) logprobs.
    pub without_logprobs: usize,
    /// The temperature the cell sent (from its recorded `params_sent`; `None` for runs from
    /// before temper recorded it): decides whether a passed-over token is sampling or the
    /// server's own settings. Set with [`CellExplanation::with_temperature`].
    pub temperature_sent: Option<f64>,
}

impl CellExplanation {
    /// This explanation knowing the temperature that was sent.
    pub fn with_temperature(mut self, temperature: Option<f64>) -> CellExplanation {
        self.temperature_sent = temperature;
        self
    }
}

/// How close the outputs came to going another way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fragility {
    /// Margins of the modal cluster's representative.
    pub modal_sample: u32,
    pub modal: Margins,
    /// Fewest and most fragile tokens over every sample with logprobs.
    pub fragile_min: usize,
    pub fragile_max: usize,
    pub samples_measured: usize,
    /// The modal sample's token at its closest call (see [`Margins::closest`]).
    pub closest_token: Option<String>,
}

/// Explain one cell from its stored samples; outputs are compared under `mode` (as in the report).
pub fn explain_cell(cell: &CellInfo, samples: &[SampleRow], mode: Mode) -> CellExplanation {
    let observed = crate::analysis::cell::observed(samples);
    let (found, _) = crate::analysis::cluster::clusters(&observed, mode);
    let outputs: Vec<u32> = observed
        .iter()
        .filter(|o| o.output.is_some())
        .map(|o| o.idx)
        .collect();
    let clusters: Vec<Vec<u32>> = found.iter().map(|c| c.members.clone()).collect();
    // The comparison form of each sample (what the char split is measured on).
    let text_of: HashMap<u32, &str> = found
        .iter()
        .flat_map(|c| c.members.iter().map(move |m| (*m, c.normalized.as_str())))
        .collect();
    let tokens: HashMap<u32, Vec<TokenLogprob>> = samples
        .iter()
        .filter(|s| text_of.contains_key(&s.sample.idx))
        .filter_map(|s| {
            let blob = s.sample.logprobs.as_deref()?;
            Some((s.sample.idx, codec::decode(blob).ok()?))
        })
        .collect();
    let views: Vec<ClusterView<'_>> = clusters
        .iter()
        .filter_map(|members| {
            // Prefer a member with logprobs as the cluster's representative.
            let rep = members
                .iter()
                .copied()
                .find(|i| tokens.contains_key(i))
                .or_else(|| members.first().copied())?;
            Some(ClusterView {
                sample: rep,
                size: members.len(),
                text: text_of.get(&rep).copied().unwrap_or(""),
                tokens: tokens.get(&rep).map(Vec::as_slice),
            })
        })
        .collect();
    let cluster_of: BTreeMap<u32, usize> = clusters
        .iter()
        .enumerate()
        .flat_map(|(c, members)| members.iter().map(move |m| (*m, c)))
        .collect();
    let (backends, backend_verdict) = backend_split(samples, &cluster_of);
    let variant_json = &cell.cell.variant_json;
    CellExplanation {
        cell_id: cell.id,
        prompt_version_id: cell.cell.prompt_version_id,
        variant: cell.cell.variant_name.clone(),
        model: serde_json::from_str::<serde_json::Value>(variant_json)
            .ok()
            .and_then(|v| v.get("model")?.as_str().map(str::to_string)),
        case: cell.cell.case_name.clone(),
        schedule: Schedule::of_variant_json(variant_json),
        variant_key: without_schedule(variant_json),
        ok: outputs.len(),
        failed: samples.len() - outputs.len(),
        stability: clusters
            .first()
            .map(|c| c.len() as f64 / outputs.len() as f64),
        split: split_point(&views),
        fragility: fragility(views.first().map(|v| v.sample), &tokens),
        without_logprobs: outputs.len() - tokens.len(),
        clusters,
        backends,
        backend_verdict,
        temperature_sent: None,
    }
}

/// `variant_json` without its `schedule` key (the text itself if it is not a JSON object).
fn without_schedule(variant_json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(variant_json) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.remove("schedule");
            serde_json::Value::Object(map).to_string()
        }
        _ => variant_json.to_string(),
    }
}

fn fragility(modal: Option<u32>, tokens: &HashMap<u32, Vec<TokenLogprob>>) -> Option<Fragility> {
    let modal_sample = modal.filter(|m| tokens.contains_key(m))?;
    let counts: Vec<usize> = tokens.values().map(|t| margins(t).fragile).collect();
    let modal_tokens = tokens.get(&modal_sample)?;
    let modal = margins(modal_tokens);
    Some(Fragility {
        modal_sample,
        closest_token: modal
            .closest
            .and_then(|(i, _)| modal_tokens.get(i))
            .map(|t| t.token.clone()),
        modal,
        fragile_min: counts.iter().copied().min().unwrap_or(0),
        fragile_max: counts.iter().copied().max().unwrap_or(0),
        samples_measured: counts.len(),
    })
}
