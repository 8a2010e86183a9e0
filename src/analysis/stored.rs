//! A stored cell read as groups of identical answers (the store's `GROUP BY output_hash`) instead
//! of its samples: its report row and its answers for the session's agreement metrics. Memory
//! follows the distinct answers plus 4 bytes per answered sample (the member indices the
//! clusters list), never the samples' texts (docs/architecture.md, "History at scale").

use super::cell::{CellReport, TokenTotals, variant_model};
use super::summary::{Options, analyze_groups};
use crate::store::{CellInfo, Measure, Store, StoreError};
use std::collections::HashMap;

/// One distinct answer of a cell (text and tool calls) and the samples that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerGroup {
    /// The answer text (`""` when the provider sent none), as the analysis compares it.
    pub text: String,
    /// Sample indices, ascending.
    pub members: Vec<u32>,
}

/// A cell's answers as groups, with how many samples it has in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellAnswers {
    /// Every sample, failed and skipped included.
    pub samples: usize,
    /// Answered samples (the members of every group, whether or not they are kept).
    pub answered: usize,
    /// Answered samples by distinct answer, by first member.
    pub groups: Vec<AnswerGroup>,
}

impl CellAnswers {
    /// Read `cell`'s groups and stream their members (from the index, no sample read).
    pub fn load(store: &Store, cell: i64) -> Result<CellAnswers, StoreError> {
        let stored = store.output_groups(cell)?;
        let at: HashMap<i64, usize> = stored
            .iter()
            .enumerate()
            .map(|(i, g)| (g.hash, i))
            .collect();
        let mut groups: Vec<AnswerGroup> = stored
            .into_iter()
            .map(|g| AnswerGroup {
                text: g.output.unwrap_or_default(),
                members: Vec::with_capacity(usize::try_from(g.count).unwrap_or(0)),
            })
            .collect();
        store.for_each_group_member(cell, &mut |hash, idx| {
            if let Some(g) = at.get(&hash).and_then(|&i| groups.get_mut(i)) {
                g.members.push(idx);
            }
            Ok(())
        })?;
        let samples = store.cell_sample_count(cell)?;
        Ok(CellAnswers {
            samples: usize::try_from(samples).unwrap_or(usize::MAX),
            answered: groups.iter().map(|g| g.members.len()).sum(),
            groups,
        })
    }

    /// Samples that were not answered (failed or skipped).
    pub fn unanswered(&self) -> usize {
        self.samples.saturating_sub(self.answered)
    }

    /// The same answers without their members (what the agreement metrics read): frees the
    /// 4 bytes per answered sample once the clusters are built.
    pub fn without_members(self) -> CellAnswers {
        CellAnswers {
            groups: self
                .groups
                .into_iter()
                .map(|g| AnswerGroup {
                    text: g.text,
                    members: Vec::new(),
                })
                .collect(),
            ..self
        }
    }

    /// `(text, members)` of each group, as [`analyze_groups`] takes them.
    pub fn pairs(&self) -> Vec<(&str, &[u32])> {
        self.groups
            .iter()
            .map(|g| (g.text.as_str(), g.members.as_slice()))
            .collect()
    }
}

/// The report row of one stored cell, from aggregates and groups: the same row as
/// [`super::cell::cell_report`] over its samples read back.
pub fn stored_cell_report(
    store: &Store,
    cell: &CellInfo,
    answers: &CellAnswers,
    options: Options<'_>,
) -> Result<CellReport, StoreError> {
    let sums = store.cell_sums(cell.id)?;
    let p95 = store.measure_quantiles(&[cell.id], Measure::AnyLatency, &[0.95])?;
    Ok(CellReport {
        cell_id: cell.id,
        run_id: cell.run_id,
        prompt: cell.prompt.clone(),
        version: cell.prompt_number,
        variant: cell.cell.variant_name.clone(),
        model: variant_model(cell),
        case: cell.cell.case_name.clone(),
        tokens: TokenTotals {
            input: sums.input_tokens,
            output: sums.output_tokens,
            mean_output: (sums.output_reported > 0).then(|| {
                sums.output_tokens.unwrap_or_default() as f64 / sums.output_reported as f64
            }),
        },
        cost_usd: store.cell_cost_sum(cell.id)?,
        latency_p95_ms: p95.first().copied().flatten(),
        analysis: analyze_groups(answers.samples, &answers.pairs(), options),
    })
}
