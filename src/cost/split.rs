//! Which model eats the budget: the last 30 days of stored samples per model, their tokens split
//! into input, cached input and output (one SQL GROUP BY, `Store::token_split_since`) and each
//! part priced at the model's rates from the price book (docs/cost.md, "Where the money went").
//! The Cost view draws it as bars; `temper cost --split` prints it.

use super::{PriceBook, Pricing, Usage};
use crate::store::{ModelTokens, Store, StoreError};
use serde::Serialize;

/// The window the split covers.
pub const DAYS: i64 = 30;

/// One model's spend over the window, by kind of token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSplit {
    pub model: String,
    pub samples: u64,
    /// Input tokens not served from the cache.
    pub input_tokens: u64,
    pub cached_tokens: u64,
    pub output_tokens: u64,
    /// Each part at the model's base rate; `None` when the model is unpriced.
    pub input_usd: Option<f64>,
    pub cached_usd: Option<f64>,
    pub output_usd: Option<f64>,
    /// The three parts added up; `None` when unpriced.
    pub total_usd: Option<f64>,
    /// The sum of the stored per-call costs, for reference (long-context tiers, cache writes
    /// and reasoning rates included there, not in the parts).
    pub stored_usd: Option<f64>,
    /// `provider:model (table)`, `local (mock): $0` or `unpriced`.
    pub price: String,
}

impl CostSplit {
    /// The share of the total that was cached input, 0..=1 (`None` when unpriced or $0).
    pub fn cached_share(&self) -> Option<f64> {
        let total = self.total_usd.filter(|t| *t > 0.0)?;
        Some(self.cached_usd? / total)
    }
}

/// The cutoff `days` before `now`, as RFC 3339 UTC (the format of `created_at`).
pub fn since(now: jiff::Timestamp, days: i64) -> String {
    let cutoff = now
        .checked_sub(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
        .unwrap_or(jiff::Timestamp::MIN);
    cutoff.to_string()
}

/// The split of the last [`DAYS`] days before `now`, priced with `book`, the biggest spender
/// first (unpriced models last, by tokens).
pub fn last_days(
    store: &Store,
    book: &PriceBook,
    now: jiff::Timestamp,
) -> Result<Vec<CostSplit>, StoreError> {
    let rows = store.token_split_since(&since(now, DAYS))?;
    let mut split: Vec<CostSplit> = rows.iter().map(|r| price(r, book)).collect();
    split.sort_by(|a, b| {
        let key = |s: &CostSplit| s.total_usd.unwrap_or(-1.0);
        key(b)
            .total_cmp(&key(a))
            .then_with(|| tokens(b).cmp(&tokens(a)))
    });
    Ok(split)
}

fn tokens(s: &CostSplit) -> u64 {
    s.input_tokens + s.cached_tokens + s.output_tokens
}

/// Price one model's tokens part by part. The rate of each part is the cost of one token of
/// it, so a long-context tier (which applies per call) never lifts a 30-day sum.
pub fn price(row: &ModelTokens, book: &PriceBook) -> CostSplit {
    let cached = row.cached_tokens.min(row.input_tokens);
    let name = row.model.split('?').next().unwrap_or(&row.model);
    let pricing = book.lookup(name).unwrap_or(Pricing::Unpriced {
        model: name.to_string(),
    });
    let rate = |usage: Usage| pricing.cost_usd(&usage);
    let part = |tokens: u64, usage: Usage| rate(usage).map(|r| r * tokens as f64);
    let input_usd = part(row.input_tokens - cached, usage(1, 0, 0));
    let cached_usd = part(cached, usage(1, 1, 0));
    let output_usd = part(row.output_tokens, usage(0, 0, 1));
    CostSplit {
        model: row.model.clone(),
        samples: row.samples,
        input_tokens: row.input_tokens - cached,
        cached_tokens: cached,
        output_tokens: row.output_tokens,
        input_usd,
        cached_usd,
        output_usd,
        total_usd: match (input_usd, cached_usd, output_usd) {
            (Some(i), Some(c), Some(o)) => Some(i + c + o),
            _ => None,
        },
        stored_usd: row.stored_cost_usd,
        price: pricing.describe(),
    }
}

fn usage(input: u64, cached: u64, output: u64) -> Usage {
    Usage {
        input,
        cached,
        output,
    }
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
