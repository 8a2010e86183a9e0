//! What a session's checks measure of one cell: each distinct answer once (its text, how many
//! samples gave it, the first of them, the judge's grade) and a few figures (failed calls, the
//! dearest call, latency and TTFT percentiles). Built from samples held in memory, or from a
//! stored cell's aggregates without reading a sample, so `temper check` on a stored run holds
//! the distinct answers, not the samples (docs/architecture.md, "History at scale").

use super::checks::Checks;
use super::judge::{Grade, Graded};
use crate::analysis::cell::percentile;
use crate::analysis::{Analysis, Group, Mode, Options, analyze_groups};
use crate::store::{Measure, PricedCalls, SampleRow, SampleStatus, Store, StoreError};
use std::collections::HashMap;

/// One distinct answer of a cell and the samples that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The answer text (`""` when the provider sent none): what the text checks read.
    pub text: String,
    /// How many samples gave it.
    pub size: usize,
    /// The lowest sample index that gave it.
    pub first: u32,
    /// Every member, ascending, when read from samples; empty for a stored cell, whose members
    /// are listed from the index only when a failure names them ([`Members`]).
    pub members: Vec<u32>,
    /// The stored output hash of a stored cell's group (what its members are found by).
    pub hash: Option<i64>,
    /// The judge's grade of this answer, when the session has a judge and it graded it.
    pub grade: Option<Grade>,
}

/// A percentile and how many values it was taken over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    pub value: f64,
    pub over: usize,
}

/// What the checks measure of one cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Every sample, failed and skipped included.
    pub samples: usize,
    /// Samples with status `ok` (the sizes of every answer).
    pub answered: usize,
    /// The answered samples by distinct answer, by first member.
    pub answers: Vec<Answer>,
    /// The first sample (by index) that was not answered, with its error text.
    pub first_unanswered: Option<(u32, Option<String>)>,
    /// The calls with a stored cost, their sum and the dearest.
    pub priced: PricedCalls,
    /// p95 of every latency stored (failed calls included); a stored cell's only when
    /// `max_p95_latency_ms` is set.
    pub latency_p95: Option<Quantile>,
    /// p95 of every time to first token stored; a stored cell's only when `max_p95_ttft_ms`
    /// is set.
    pub ttft_p95: Option<Quantile>,
}

impl Evidence {
    /// The evidence of `samples` (in index order, as the store returns them) and the judge's
    /// `grades` of them: answers are grouped by text and grade.
    pub fn of_samples(samples: &[SampleRow], grades: &[Graded]) -> Evidence {
        let mut graded: HashMap<u32, &Grade> = HashMap::new();
        for g in grades {
            graded.entry(g.sample).or_insert(&g.grade);
        }
        let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut answers: Vec<Answer> = Vec::new();
        for s in samples
            .iter()
            .filter(|s| s.sample.status == Some(SampleStatus::Ok))
        {
            let (idx, text) = (s.sample.idx, s.sample.output.as_deref().unwrap_or(""));
            let grade = graded.get(&idx).copied();
            let same = by_text.entry(text).or_default();
            match same.iter().find(|&&i| answers[i].grade.as_ref() == grade) {
                Some(&i) => {
                    answers[i].size += 1;
                    answers[i].members.push(idx);
                }
                None => {
                    same.push(answers.len());
                    answers.push(Answer {
                        text: text.to_string(),
                        size: 1,
                        first: idx,
                        members: vec![idx],
                        hash: None,
                        grade: grade.cloned(),
                    });
                }
            }
        }
        let measured = |f: fn(&SampleRow) -> Option<f64>| {
            let values: Vec<f64> = samples.iter().filter_map(f).collect();
            percentile(&values, 0.95).map(|value| Quantile {
                value,
                over: values.len(),
            })
        };
        Evidence {
            samples: samples.len(),
            answered: answers.iter().map(|a| a.size).sum(),
            answers,
            first_unanswered: samples
                .iter()
                .find(|s| s.sample.status != Some(SampleStatus::Ok))
                .map(|s| (s.sample.idx, s.sample.error.clone())),
            priced: priced(samples),
            latency_p95: measured(|s| s.sample.latency_ms),
            ttft_p95: measured(|s| s.sample.ttft_ms),
        }
    }

    /// The evidence of stored cell `cell` for `checks`, from the store's groups and aggregates:
    /// no sample is read, members are listed later from the index ([`Indexed`]); percentiles
    /// cost 8 bytes per value on SQLite while picked, and are read only when a check uses them.
    pub fn load(store: &Store, cell: i64, checks: &Checks) -> Result<Evidence, StoreError> {
        let counts = store.answer_counts(cell)?;
        let answers: Vec<Answer> = store
            .output_groups(cell)?
            .into_iter()
            .map(|g| Answer {
                text: g.output.unwrap_or_default(),
                size: usize::try_from(g.count).unwrap_or(usize::MAX),
                first: g.first_idx,
                members: Vec::new(),
                hash: Some(g.hash),
                grade: None,
            })
            .collect();
        let quantile = |on: bool, measure, over: u64| -> Result<Option<Quantile>, StoreError> {
            if !on {
                return Ok(None);
            }
            let p95 = store.measure_quantiles(&[cell], measure, &[0.95])?;
            Ok(p95.first().copied().flatten().map(|value| Quantile {
                value,
                over: usize::try_from(over).unwrap_or(usize::MAX),
            }))
        };
        let latency = checks.max_p95_latency_ms.is_some();
        let ttft = checks.max_p95_ttft_ms.is_some();
        Ok(Evidence {
            samples: usize::try_from(counts.samples).unwrap_or(usize::MAX),
            answered: answers.iter().map(|a| a.size).sum(),
            answers,
            first_unanswered: counts.first_unanswered,
            priced: store.priced_calls(cell)?,
            latency_p95: quantile(latency, Measure::AnyLatency, counts.latencies)?,
            ttft_p95: quantile(ttft, Measure::AnyTtft, counts.ttfts)?,
        })
    }

    /// The analysis of the answered samples under `mode`, from the answers' sizes and first
    /// members (the same stability, distinct count and divergence as over every sample).
    pub fn analysis(&self, mode: Mode) -> Analysis {
        let groups: Vec<Group<'_>> = self
            .answers
            .iter()
            .map(|a| Group::first(&a.text, a.size, &a.first))
            .collect();
        analyze_groups(self.answered, &groups, Options::mode(mode))
    }

    /// Samples that were not answered (failed or skipped).
    pub fn unanswered(&self) -> usize {
        self.samples.saturating_sub(self.answered)
    }
}

/// The priced calls of `samples`, as [`Store::priced_calls`] counts them.
fn priced(samples: &[SampleRow]) -> PricedCalls {
    let costs = samples
        .iter()
        .filter_map(|s| s.sample.cost_usd.map(|c| (c, s.sample.idx)));
    PricedCalls {
        calls: costs.clone().count() as u64,
        total_usd: costs.clone().map(|c| c.0).sum(),
        dearest: costs.max_by(|a, b| a.0.total_cmp(&b.0)),
    }
}

/// Where the members of a cell's answers come from when a failure lists them.
pub trait Members {
    /// The lowest `limit` members of `answer`, ascending.
    fn first(&self, answer: &Answer, limit: usize) -> Result<Vec<u32>, StoreError>;
}

/// Answers read from samples hold every member.
pub struct Held;

impl Members for Held {
    fn first(&self, answer: &Answer, limit: usize) -> Result<Vec<u32>, StoreError> {
        Ok(answer.members.iter().take(limit).copied().collect())
    }
}

/// A stored cell's answers: members read from the index `(cell_id, output_hash, idx)`.
pub struct Indexed<'s> {
    pub store: &'s Store,
    pub cell: i64,
}

impl Members for Indexed<'_> {
    fn first(&self, answer: &Answer, limit: usize) -> Result<Vec<u32>, StoreError> {
        match answer.hash {
            Some(hash) => {
                let limit = u32::try_from(limit).unwrap_or(u32::MAX);
                self.store.group_first_members(self.cell, hash, limit)
            }
            None => Ok(vec![answer.first]),
        }
    }
}

/// The lowest `limit` sample indices among `picked` answers (given by first member), ascending.
/// An answer whose first member is above the `limit` found so far cannot add one, so at most
/// `limit` answers are listed, whatever their sizes.
pub fn first_members<'a>(
    picked: impl IntoIterator<Item = &'a Answer>,
    members: &dyn Members,
    limit: usize,
) -> Result<Vec<u32>, StoreError> {
    let mut best: Vec<u32> = Vec::new();
    let mut picked: Vec<&Answer> = picked.into_iter().collect();
    picked.sort_by_key(|a| a.first);
    for answer in picked {
        if best.len() >= limit && best.last().is_some_and(|&last| last < answer.first) {
            break;
        }
        best.extend(members.first(answer, limit)?);
        best.sort_unstable();
        best.truncate(limit);
    }
    Ok(best)
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
