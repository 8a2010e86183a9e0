//! One call billed the way its provider bills it: cache reads and writes (5-minute and 1-hour),
//! reasoning tokens, the long-context tier the prompt falls in and the batch discount. The same
//! arithmetic prices every stored sample ([`PriceRow::cost_micro_usd`]) and explains an estimate
//! line by line ([`PriceRow::bill`], `temper cost --explain`).

use super::money::Usage;
use super::table::PriceRow;
use serde::Serialize;

/// A call's tokens with the parts providers bill apart. `usage.input` includes cache reads
/// (`usage.cached`) and both kinds of cache writes; `usage.output` includes `reasoning`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallTokens {
    pub usage: Usage,
    /// Input tokens written to a 5-minute prompt cache.
    pub cache_write: u64,
    /// Input tokens written to a 1-hour prompt cache.
    pub cache_write_1h: u64,
    /// Output tokens spent on reasoning.
    pub reasoning: u64,
}

impl From<Usage> for CallTokens {
    fn from(usage: Usage) -> CallTokens {
        CallTokens {
            usage,
            ..CallTokens::default()
        }
    }
}

/// One line of a bill: what was billed, how many tokens, at which rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillLine {
    pub item: &'static str,
    pub tokens: u64,
    pub usd_per_million: f64,
    pub usd: f64,
}

/// A call's cost with the rates it used, for `temper cost --explain` and `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bill {
    /// `provider:model` of the price row.
    pub row: String,
    /// The long-context tier applied: the prompt had more input tokens than this.
    pub tier_above_tokens: Option<u64>,
    /// Whether batch rates were applied.
    pub batch: bool,
    pub lines: Vec<BillLine>,
    pub total_usd: f64,
    /// Which rates were used or missing, in words.
    pub notes: Vec<String>,
}

/// Rates in USD per 1M tokens for one call, after tier and batch.
#[derive(Debug, Clone, Copy)]
struct Rates {
    input: f64,
    cached: f64,
    write: f64,
    write_1h: f64,
    output: f64,
    reasoning: f64,
}

impl Rates {
    /// The rates in the order of [`split`]'s parts.
    fn in_order(&self) -> [f64; 6] {
        [
            self.input,
            self.cached,
            self.write,
            self.write_1h,
            self.output,
            self.reasoning,
        ]
    }
}

/// A call's tokens split into disjoint billed parts, in the order of [`Rates`].
fn split(tokens: &CallTokens) -> [u64; 6] {
    let u = tokens.usage;
    let cached = u.cached.min(u.input);
    let write_1h = tokens.cache_write_1h.min(u.input - cached);
    let write = tokens.cache_write.min(u.input - cached - write_1h);
    let reasoning = tokens.reasoning.min(u.output);
    [
        u.input - cached - write - write_1h,
        cached,
        write,
        write_1h,
        u.output - reasoning,
        reasoning,
    ]
}

const ITEMS: [&str; 6] = [
    "input",
    "cache read",
    "cache write (5m)",
    "cache write (1h)",
    "output",
    "reasoning",
];

impl PriceRow {
    /// The long-context tier a prompt of `input_tokens` falls in, if any.
    pub fn tier_for(&self, input_tokens: u64) -> Option<&super::table::ContextTier> {
        self.tiers
            .iter()
            .filter(|t| input_tokens > t.above_tokens)
            .max_by_key(|t| t.above_tokens)
    }

    fn rates(&self, input_tokens: u64, batch: bool) -> Rates {
        let tier = self.tier_for(input_tokens);
        let pick = |base: f64, tiered: Option<f64>| tiered.unwrap_or(base);
        let input = pick(self.input, tier.and_then(|t| t.input));
        let output = pick(self.output, tier.and_then(|t| t.output));
        let write = pick(
            self.cache_write.unwrap_or(input),
            tier.and_then(|t| t.cache_write),
        );
        let mut r = Rates {
            input,
            cached: pick(
                self.cached_input.unwrap_or(input),
                tier.and_then(|t| t.cached_input),
            ),
            write,
            write_1h: self.cache_write_1h.unwrap_or(write),
            output,
            reasoning: self.reasoning.unwrap_or(output),
        };
        if let Some(b) = self.batch.as_ref().filter(|_| batch) {
            let ratio =
                |discounted: f64, full: f64| if full > 0.0 { discounted / full } else { 1.0 };
            let (fin, fout) = (ratio(b.input, self.input), ratio(b.output, self.output));
            r.cached *= fin;
            r.write *= fin;
            r.write_1h *= fin;
            r.reasoning *= fout;
            r.input *= fin;
            r.output *= fout;
            if tier.is_none() {
                r.input = b.input;
                r.output = b.output;
                r.cached = b.cached_input.unwrap_or(r.cached);
            }
        }
        r
    }

    /// Cost of one call in micro-dollars: every billed part at its rate, in the prompt's
    /// long-context tier, at batch rates when `batch` and the model has them.
    pub fn call_micro_usd(&self, tokens: &CallTokens, batch: bool) -> f64 {
        let rates = self.rates(tokens.usage.input, batch).in_order();
        split(tokens)
            .iter()
            .zip(rates)
            .map(|(n, rate)| *n as f64 * rate)
            .sum()
    }

    /// Cost of one call in micro-dollars at standard rates (the prompt's tier applies).
    pub fn cost_micro_usd(&self, usage: &Usage) -> f64 {
        self.call_micro_usd(&CallTokens::from(*usage), false)
    }

    /// Cost of one call in USD at standard rates.
    pub fn cost_usd(&self, usage: &Usage) -> f64 {
        self.cost_micro_usd(usage) / 1e6
    }

    /// The call's bill line by line, with notes on the rates used (`temper cost --explain`).
    pub fn bill(&self, tokens: &CallTokens, batch: bool) -> Bill {
        let rates = self.rates(tokens.usage.input, batch).in_order();
        let lines: Vec<BillLine> = split(tokens)
            .iter()
            .zip(rates)
            .zip(ITEMS)
            .enumerate()
            .filter(|(i, ((n, _), _))| **n > 0 || *i == 0 || *i == 4)
            .map(|(_, ((n, rate), item))| BillLine {
                item,
                tokens: *n,
                usd_per_million: round_rate(rate),
                usd: *n as f64 * rate / 1e6,
            })
            .collect();
        let tier = self.tier_for(tokens.usage.input).map(|t| t.above_tokens);
        Bill {
            row: self.key(),
            tier_above_tokens: tier,
            batch: batch && self.batch.is_some(),
            total_usd: self.call_micro_usd(tokens, batch) / 1e6,
            notes: self.bill_notes(tokens, batch, tier),
            lines,
        }
    }

    fn bill_notes(&self, tokens: &CallTokens, batch: bool, tier: Option<u64>) -> Vec<String> {
        let mut notes = Vec::new();
        match tier {
            Some(t) => notes.push(format!(
                "long-context rates: the prompt is over {} input tokens",
                super::group_thousands(&t.to_string())
            )),
            None => notes.extend(self.tiers.first().map(|t| {
                format!(
                    "base rates (long-context rates start above {} input tokens)",
                    super::group_thousands(&t.above_tokens.to_string())
                )
            })),
        }
        match (batch, &self.batch) {
            (true, Some(_)) => notes.push("batch API rates".into()),
            (true, None) => {
                notes.push("no batch rates known for this model: standard rates".into())
            }
            (false, Some(b)) => notes.push(format!(
                "standard rates (batch: ${} in / ${} out per 1M with --batch)",
                round_rate(b.input),
                round_rate(b.output)
            )),
            (false, None) => {}
        }
        if tokens.usage.cached > 0 && self.cached_input.is_none() {
            notes.push("no cache-read price: cached tokens billed as input".into());
        }
        if tokens.cache_write + tokens.cache_write_1h > 0 && self.cache_write.is_none() {
            notes.push("no cache-write price: cache writes billed as input".into());
        }
        notes
    }
}

/// A rate rounded to a nano-dollar per 1M tokens, so `2.5e-06 x 1e6` prints as 2.5.
pub fn round_rate(rate: f64) -> f64 {
    (rate * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::table::{BatchRates, ContextTier};

    fn row() -> PriceRow {
        PriceRow {
            provider: "p".into(),
            model: "m".into(),
            input: 3.0,
            cached_input: Some(0.3),
            output: 15.0,
            cache_write: Some(3.75),
            cache_write_1h: Some(6.0),
            tiers: vec![ContextTier {
                above_tokens: 200_000,
                input: Some(6.0),
                output: Some(22.5),
                ..ContextTier::default()
            }],
            batch: Some(BatchRates {
                input: 1.5,
                output: 7.5,
                cached_input: None,
            }),
            ..PriceRow::default()
        }
    }

    fn tokens(input: u64, cached: u64, write: u64, write_1h: u64, output: u64) -> CallTokens {
        CallTokens {
            usage: Usage {
                input,
                cached,
                output,
            },
            cache_write: write,
            cache_write_1h: write_1h,
            reasoning: 0,
        }
    }

    #[test]
    fn cache_reads_and_both_writes_have_their_rates() {
        // 1000 plain x 3 + 2000 read x 0.3 + 1000 5m x 3.75 + 1000 1h x 6 + 100 out x 15
        let t = tokens(5000, 2000, 1000, 1000, 100);
        let micro = row().call_micro_usd(&t, false);
        assert!((micro - (3000.0 + 600.0 + 3750.0 + 6000.0 + 1500.0)).abs() < 1e-6);
        let bill = row().bill(&t, false);
        let items: Vec<&str> = bill.lines.iter().map(|l| l.item).collect();
        assert_eq!(
            items,
            [
                "input",
                "cache read",
                "cache write (5m)",
                "cache write (1h)",
                "output"
            ]
        );
        assert!((bill.total_usd * 1e6 - micro).abs() < 1e-6);
    }

    #[test]
    fn the_long_context_tier_prices_the_whole_call() {
        let t = tokens(200_001, 0, 0, 0, 1000);
        let micro = row().call_micro_usd(&t, false);
        assert!((micro - (200_001.0 * 6.0 + 1000.0 * 22.5)).abs() < 1e-6);
        assert_eq!(row().bill(&t, false).tier_above_tokens, Some(200_000));
        let at = tokens(200_000, 0, 0, 0, 0);
        assert_eq!(row().bill(&at, false).tier_above_tokens, None);
    }

    #[test]
    fn batch_rates_and_batch_discount_on_a_tier() {
        let t = tokens(1000, 0, 0, 0, 1000);
        assert!((row().call_micro_usd(&t, true) - (1500.0 + 7500.0)).abs() < 1e-6);
        // Long context in batch: the tier's rates at the batch discount (half).
        let long = tokens(300_000, 0, 0, 0, 0);
        assert!((row().call_micro_usd(&long, true) - 300_000.0 * 3.0).abs() < 1e-6);
        let no_batch = PriceRow {
            batch: None,
            ..row()
        };
        let bill = no_batch.bill(&t, true);
        assert!(!bill.batch);
        assert!(bill.notes.iter().any(|n| n.contains("no batch rates")));
    }

    #[test]
    fn reasoning_tokens_at_their_own_rate_when_known() {
        let mut t = tokens(0, 0, 0, 0, 1000);
        t.reasoning = 400;
        let r = PriceRow {
            reasoning: Some(20.0),
            ..row()
        };
        assert!((r.call_micro_usd(&t, false) - (600.0 * 15.0 + 400.0 * 20.0)).abs() < 1e-6);
        assert!((row().call_micro_usd(&t, false) - 1000.0 * 15.0).abs() < 1e-6);
    }
}
