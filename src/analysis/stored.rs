//! A stored cell read as groups of identical answers (the store's `GROUP BY output_hash`) instead
//! of its samples: its report row and its answers for the session's agreement metrics. Memory
//! follows the distinct answers plus 4 bytes per answered sample (the member indices the
//! clusters list), never the samples' texts (docs/architecture.md, "History at scale").

use super::cell::{CellReport, TokenTotals, variant_model};
use super::cluster::Group;
use super::summary::{Options, analyze_groups};
use crate::store::{CellInfo, Measure, Store, StoreError};
use std::collections::HashMap;

/// One distinct answer of a cell (text and tool calls) and the samples that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerGroup {
    /// The answer text (`""` when the provider sent none), as the analysis compares it.
    pub text: String,
    /// How many samples gave it.
    pub size: usize,
    /// The lowest sample index that gave it.
    pub first: u32,
    /// Sample indices, ascending: every one when read with [`CellAnswers::load`], none with
    /// [`CellAnswers::sizes`] or after [`CellAnswers::without_members`].
    pub members: Vec<u32>,
}

/// A cell's answers as groups, with how many samples it has in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellAnswers {
    /// Every sample, failed and skipped included.
    pub samples: usize,
    /// Answered samples (the sizes of every group).
    pub answered: usize,
    /// Answered samples by distinct answer, by first member.
    pub groups: Vec<AnswerGroup>,
}

impl CellAnswers {
    /// Read `cell`'s groups and stream their members (from the index, no sample read).
    pub fn load(store: &Store, cell: i64) -> Result<CellAnswers, StoreError> {
        let (mut answers, hashes) = CellAnswers::read(store, cell)?;
        let at: HashMap<i64, usize> = hashes.into_iter().zip(0..).collect();
        for g in &mut answers.groups {
            g.members.reserve_exact(g.size);
        }
        let groups = &mut answers.groups;
        store.for_each_group_member(cell, &mut |hash, idx| {
            if let Some(g) = at.get(&hash).and_then(|&i| groups.get_mut(i)) {
                g.members.push(idx);
            }
            Ok(())
        })?;
        Ok(answers)
    }

    /// Read `cell`'s groups with their sizes and first samples only, no member listed (what
    /// the Diff view shows of a large cell).
    pub fn sizes(store: &Store, cell: i64) -> Result<CellAnswers, StoreError> {
        Ok(CellAnswers::read(store, cell)?.0)
    }

    /// The groups without members, and each one's stored hash (what members are matched by).
    fn read(store: &Store, cell: i64) -> Result<(CellAnswers, Vec<i64>), StoreError> {
        let stored = store.answer_groups(cell)?;
        let hashes: Vec<i64> = stored.groups.iter().map(|g| g.hash).collect();
        let groups: Vec<AnswerGroup> = stored
            .groups
            .into_iter()
            .map(|g| AnswerGroup {
                text: g.output.unwrap_or_default(),
                size: usize::try_from(g.count).unwrap_or(usize::MAX),
                first: g.first_idx,
                members: Vec::new(),
            })
            .collect();
        let answers = CellAnswers {
            samples: usize::try_from(stored.samples).unwrap_or(usize::MAX),
            answered: groups.iter().map(|g| g.size).sum(),
            groups,
        };
        Ok((answers, hashes))
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
                    members: Vec::new(),
                    ..g
                })
                .collect(),
            ..self
        }
    }

    /// Each group as [`analyze_groups`] takes it: with its members when they were read, else
    /// by its size and first sample.
    pub fn groups(&self) -> Vec<Group<'_>> {
        self.groups
            .iter()
            .map(|g| match g.members.is_empty() {
                true => Group::first(&g.text, g.size, &g.first),
                false => Group::all(&g.text, &g.members),
            })
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
        analysis: analyze_groups(answers.samples, &answers.groups(), options),
    })
}
