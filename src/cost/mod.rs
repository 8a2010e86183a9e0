//! Token cost: offline token counts, a dated price table (a pinned snapshot of LiteLLM's price
//! map, see [`snapshot`]) with overrides, each call billed the way its provider bills
//! ([`Bill`]: cache reads and writes, reasoning, long-context tiers, batch), cost per sample,
//! per variant and per run, and projections per day and month (docs/cost.md, docs/architecture.md).
//!
//! Callers: the runner prices each sample with [`PriceBook::cost_usd`]; `temper report` groups
//! stored costs with [`summarize`]; `temper cost` estimates before running ([`estimate`]);
//! `temper models` prints [`PriceBook::listing`] (rows in use, table date and sources).

mod bill;
mod book;
pub mod cascade;
pub mod estimate;
pub mod formats;
pub mod history;
pub mod litellm;
mod local;
mod money;
mod overrides;
mod pricing;
pub mod snapshot;
pub mod split;
pub mod stored;
mod table;
mod tokens;

pub use bill::{Bill, BillLine, CallTokens, round_rate};
pub use book::{PriceBook, PriceListing, Pricing};
pub use local::is_loopback_url;
pub use money::{
    CostSummary, Projection, Usage, format_usd, group_thousands, parse_volume, percentile, project,
    round_micro, summarize,
};
pub use overrides::{FileInfo, PatchFields, PriceError, PricePatch, parse_file};
pub use table::{
    BatchRates, ContextTier, EMBEDDED_TABLE, PriceOrigin, PriceRow, TableInfo, strip_snapshot,
};
pub use tokens::{
    Encoding, TokenCount, count_chat, count_request, count_text, count_tools, encoding_for,
    rough_count_request, split_text, warm_up, warm_up_in_background,
};
