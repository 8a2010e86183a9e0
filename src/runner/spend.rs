//! The spend estimate shown before any run (CLI, session, TUI run dialog) and the decision it
//! leads to: start, ask first, or refuse. Prompt tokens are counted from the rendered requests,
//! exactly for priced models and at about 4 bytes per token for local and unpriced ones (no
//! spend depends on them, and no tokenizer table is loaded for them); output tokens are bounded by `max_tokens` (the upper bound) and taken from past
//! samples of the same prompt version and model (the likely figure).
//!
//! ```no_run
//! # fn demo(plan: &temper::runner::Plan, registry: &temper::provider::Registry,
//! #         book: &temper::cost::PriceBook, store: &temper::store::Store) -> anyhow::Result<()> {
//! use temper::runner::{self, Decision, SpendPolicy};
//! let cells = plan.prepare(registry)?;
//! let estimate = runner::estimate(&cells, book, store)?;
//! for line in estimate.lines(plan.budget_usd) { eprintln!("{line}"); }
//! let policy = SpendPolicy { budget_usd: plan.budget_usd, confirm_above_usd: Some(1.0),
//!                            yes: false, interactive: false };
//! match estimate.decide(&policy) {
//!     Decision::Start => { /* runner::execute(plan, cells, …) */ }
//!     Decision::Confirm { question } => { /* ask, then execute or drop */ }
//!     Decision::Refuse { reason } => anyhow::bail!(reason),
//! }
//! # Ok(()) }
//! ```

use super::PreparedCell;
use super::price::{CellPrice, OutputBound};
use crate::cost::history::{ModelHistory, version_history};
use crate::cost::{PriceBook, Pricing, Usage, format_usd};
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Where the likely output-token figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LikelySource {
    /// Mean output tokens of past answered samples of the same prompt version and model.
    PastSamples { samples: usize },
    /// No past samples: `max_tokens` (so likely = upper bound).
    MaxTokens,
    /// Nothing to go on: output counted as 0, the likely figure is a lower bound.
    Unknown,
}

/// One model's share of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSpend {
    pub model: String,
    pub calls: usize,
    pub pricing: Pricing,
    /// Why pricing failed, when the lookup itself failed (e.g. an ambiguous model name).
    pub lookup_error: Option<String>,
    /// Input tokens of all its calls; exact for OpenAI models, else `input_estimated`.
    pub input_tokens: u64,
    pub input_estimated: bool,
    /// Output tokens of all its calls at their bound; `None` when unbounded.
    pub output_upper_tokens: Option<u64>,
    /// The loosest bound among its cells.
    pub bound: OutputBound,
    pub output_likely_tokens: u64,
    pub likely_source: LikelySource,
    /// `None` when unpriced or when the output is unbounded.
    pub upper_usd: Option<f64>,
    /// `None` when unpriced.
    pub likely_usd: Option<f64>,
    /// Most a single call can cost (input cost alone when unbounded); `None` when unpriced.
    pub worst_call_usd: Option<f64>,
    /// Priced models with a close name when this one is unpriced: a typo is named, not billed
    /// as unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<String>,
    /// Which loopback pricing rule applied, when the provider's URL is loopback (a known
    /// hosted model is priced whatever the URL; only unknown models there are $0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loopback_rule: Option<String>,
}

/// What a run is about to do and spend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpendEstimate {
    /// Calls the run makes (before retries): cells x samples.
    pub calls: usize,
    pub cells: usize,
    pub prompts: usize,
    pub variants: usize,
    pub cases: usize,
    pub samples_per_cell: u32,
    pub models: Vec<ModelSpend>,
    /// Sum of the priced models' upper bounds.
    pub upper_usd: f64,
    /// False when some priced model's output has no bound: `upper_usd` then leaves it out.
    pub upper_complete: bool,
    /// Sum of the priced models' likely costs.
    pub likely_usd: f64,
    /// Models with no price: their cost is unknown and the budget cannot be enforced for them.
    pub unpriced: Vec<String>,
    /// The price table's `as_of` date.
    pub prices_as_of: String,
}

/// Estimate the spend of prepared cells with `book`, reading past samples from `store`.
pub fn estimate(
    cells: &[PreparedCell],
    book: &PriceBook,
    store: &Store,
) -> Result<SpendEstimate, StoreError> {
    let mut histories: BTreeMap<i64, BTreeMap<String, ModelHistory>> = BTreeMap::new();
    let mut models: Vec<ModelSpend> = Vec::new();
    for cell in cells {
        let price = CellPrice::of(cell, Some(book));
        let version = cell.new_cell.prompt_version_id;
        let history = match histories.entry(version) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(version_history(store, version)?)
            }
        };
        let past = history
            .get(&price.model)
            .and_then(|h| h.mean_output_tokens.map(|m| (m, h.samples)));
        let n = u64::from(cell.new_cell.n);
        let max_tokens = cell.request.params.max_tokens.map(u64::from);
        let (likely_per_call, likely_source) = match (past, max_tokens) {
            (Some((mean, samples)), _) => {
                (mean.round() as u64, LikelySource::PastSamples { samples })
            }
            (None, Some(m)) => (m, LikelySource::MaxTokens),
            (None, None) => (0, LikelySource::Unknown),
        };
        let likely_call = price.pricing.cost_usd(&Usage {
            input: price.input.tokens,
            cached: 0,
            output: likely_per_call,
        });
        let bounded = price.bound != OutputBound::Unbounded;
        let cell_spend = ModelSpend {
            model: price.model.clone(),
            calls: cell.new_cell.n as usize,
            lookup_error: price.lookup_error.clone(),
            input_tokens: price.input.tokens * n,
            input_estimated: price.input.estimated,
            output_upper_tokens: price.max_output.map(|m| m * n),
            bound: price.bound,
            output_likely_tokens: likely_per_call * n,
            likely_source,
            upper_usd: price.worst_usd.filter(|_| bounded).map(|w| w * n as f64),
            likely_usd: likely_call.map(|c| c * n as f64),
            worst_call_usd: price.worst_usd,
            did_you_mean: match price.pricing {
                Pricing::Unpriced { .. } => book.did_you_mean(&price.model),
                _ => Vec::new(),
            },
            loopback_rule: book.loopback_rule(&price.model).map(str::to_string),
            pricing: price.pricing,
        };
        match models.iter_mut().find(|m| m.model == cell_spend.model) {
            Some(m) => merge(m, cell_spend),
            None => models.push(cell_spend),
        }
    }
    let priced = || models.iter().filter(|m| !is_unpriced(m));
    let distinct =
        |f: &dyn Fn(&PreparedCell) -> String| cells.iter().map(f).collect::<BTreeSet<_>>().len();
    Ok(SpendEstimate {
        calls: cells.iter().map(|c| c.new_cell.n as usize).sum(),
        cells: cells.len(),
        prompts: distinct(&|c| c.new_cell.prompt_version_id.to_string()),
        variants: distinct(&|c| c.new_cell.variant_name.clone()),
        cases: distinct(&|c| c.new_cell.case_name.clone()),
        samples_per_cell: cells.iter().map(|c| c.new_cell.n).max().unwrap_or(0),
        upper_usd: priced().filter_map(|m| m.upper_usd).sum(),
        upper_complete: priced().all(|m| m.upper_usd.is_some()),
        likely_usd: priced().filter_map(|m| m.likely_usd).sum(),
        unpriced: models
            .iter()
            .filter(|m| is_unpriced(m))
            .map(|m| m.model.clone())
            .collect(),
        prices_as_of: book.table_info().as_of.clone(),
        models,
    })
}

fn is_unpriced(m: &ModelSpend) -> bool {
    matches!(m.pricing, Pricing::Unpriced { .. })
}

/// Add a further cell of the same model into `into`.
fn merge(into: &mut ModelSpend, more: ModelSpend) {
    let add = |a: Option<f64>, b: Option<f64>| Some(a? + b?);
    into.calls += more.calls;
    into.input_tokens += more.input_tokens;
    into.input_estimated |= more.input_estimated;
    into.output_upper_tokens = into
        .output_upper_tokens
        .zip(more.output_upper_tokens)
        .map(|(a, b)| a + b);
    into.bound = into.bound.max(more.bound);
    into.output_likely_tokens += more.output_likely_tokens;
    if more.likely_source != into.likely_source {
        into.likely_source = more.likely_source.min_known(into.likely_source);
    }
    into.upper_usd = add(into.upper_usd, more.upper_usd);
    into.likely_usd = add(into.likely_usd, more.likely_usd);
    into.worst_call_usd = match (into.worst_call_usd, more.worst_call_usd) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
}

impl LikelySource {
    /// The less informed of two sources (for a model whose cells differ).
    fn min_known(self, other: LikelySource) -> LikelySource {
        let rank = |s: LikelySource| match s {
            LikelySource::Unknown => 0,
            LikelySource::MaxTokens => 1,
            LikelySource::PastSamples { .. } => 2,
        };
        if rank(self) <= rank(other) {
            self
        } else {
            other
        }
    }
}

/// How to treat an estimate: the budget, the confirmation threshold and the situation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendPolicy {
    pub budget_usd: Option<f64>,
    /// Ask first above this upper-bound estimate (`[run] confirm_above_usd`).
    pub confirm_above_usd: Option<f64>,
    /// `--yes`: start even over the budget (the run still stops at it) and never ask.
    pub yes: bool,
    /// Whether someone can answer a question (stdin is a terminal, or the TUI).
    pub interactive: bool,
}

/// What to do before starting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Start,
    /// Ask this yes/no question; start only on yes.
    Confirm {
        question: String,
    },
    /// Do not start; the reason says how to proceed.
    Refuse {
        reason: String,
    },
}

impl SpendEstimate {
    /// Start, ask or refuse. Over the budget: refuse unless `yes`. Above the confirmation
    /// threshold: ask, but only when interactive and no budget already covers the run.
    pub fn decide(&self, policy: &SpendPolicy) -> Decision {
        let upper = format_usd(self.upper_usd);
        if let (Some(budget), false) = (policy.budget_usd, policy.yes) {
            if !self.upper_complete {
                return Decision::Refuse {
                    reason: format!(
                        "the output of {} has no upper bound (no max_tokens and no known context window), so the run cannot be checked against the budget of {}: set max_tokens in the prompt, or pass --yes to start anyway (the run still stops at the budget)",
                        self.unbounded().join(", "),
                        format_usd(budget)
                    ),
                };
            }
            if self.upper_usd > budget {
                return Decision::Refuse {
                    reason: format!(
                        "the upper-bound estimate {upper} exceeds the budget of {} (likely {}): lower -n, set a smaller max_tokens, raise --budget-usd, or pass --yes to start anyway and stop when the budget is reached",
                        format_usd(budget),
                        format_usd(self.likely_usd)
                    ),
                };
            }
            return Decision::Start;
        }
        let Some(threshold) = policy.confirm_above_usd else {
            return Decision::Start;
        };
        let above = self.upper_usd > threshold || !self.upper_complete;
        if policy.yes || !policy.interactive || !above {
            return Decision::Start;
        }
        let bound = if self.upper_complete {
            format!("up to {upper}")
        } else {
            format!(
                "more than {upper} (output of {} unbounded)",
                self.unbounded().join(", ")
            )
        };
        Decision::Confirm {
            question: format!(
                "This run can cost {bound}, likely {}; above confirm_above_usd = {}. Start it?",
                format_usd(self.likely_usd),
                format_usd(threshold)
            ),
        }
    }

    /// Priced models whose output has no bound.
    pub(super) fn unbounded(&self) -> Vec<String> {
        self.models
            .iter()
            .filter(|m| !is_unpriced(m) && m.upper_usd.is_none())
            .map(|m| m.model.clone())
            .collect()
    }
}
