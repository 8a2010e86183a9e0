//! The answer to "what does this model cost?" ([`Pricing`]) and the listing `temper models`
//! prints; the price book (book.rs) computes them.

use super::money::Usage;
use super::overrides::FileInfo;
use super::table::{PriceRow, TableInfo};
use serde::Serialize;

/// What a model costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pricing {
    /// Priced by a row of the table or an override (boxed: a row with tiers is large).
    Priced { row: Box<PriceRow> },
    /// Runs on this machine or offline (ollama, llama.cpp on localhost, mock, replay): $0.
    Local { provider: String },
    /// No price known: costs are unknown, not zero.
    Unpriced { model: String },
}

impl Pricing {
    /// Cost of a call in USD: `None` when unpriced, `Some(0.0)` when local.
    pub fn cost_usd(&self, usage: &Usage) -> Option<f64> {
        match self {
            Pricing::Priced { row } => Some(row.cost_usd(usage)),
            Pricing::Local { .. } => Some(0.0),
            Pricing::Unpriced { .. } => None,
        }
    }

    /// The model's context window, when the price row knows it.
    pub fn context_window(&self) -> Option<u64> {
        match self {
            Pricing::Priced { row } => row.context_window,
            _ => None,
        }
    }

    /// A short description for tables: `openai:gpt-4o (table)`, `local`, `unpriced`.
    pub fn describe(&self) -> String {
        match self {
            Pricing::Priced { row } => format!("{} ({})", row.key(), row.origin),
            Pricing::Local { provider } => format!("local ({provider}): $0"),
            Pricing::Unpriced { .. } => "unpriced".to_string(),
        }
    }
}

/// The price rows in use with the table's date and the override files: `temper models`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceListing {
    pub table: TableInfo,
    pub price_files: Vec<FileInfo>,
    pub rows: Vec<PriceRow>,
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
