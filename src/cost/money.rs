//! Cost arithmetic: per sample from usage, per variant (mean, p95), per run, per day and month.
//!
//! A price in USD per 1M tokens is also micro-dollars per token, so a sample's cost is computed
//! in micro-dollars (exact for list prices with up to three decimals) and reported in USD.

use serde::Serialize;

/// Token usage of one call. `input` includes `cached` (OpenAI's convention; for Anthropic add
/// `cache_read_input_tokens` and `cache_creation_input_tokens` to `input_tokens`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
}

impl Usage {
    /// Usage as stored on a sample (absent counts are 0; negative counts are treated as 0).
    pub fn from_stored(input: Option<i64>, cached: Option<i64>, output: Option<i64>) -> Usage {
        let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
        Usage {
            input: n(input),
            cached: n(cached),
            output: n(output),
        }
    }
}

/// `usd` rounded to the micro-dollar, the precision temper reports.
pub fn round_micro(usd: f64) -> f64 {
    (usd * 1e6).round() / 1e6
}

/// Costs of a group of samples (a variant, a run): how many were priced, total, mean and p95.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CostSummary {
    /// Samples considered.
    pub samples: usize,
    /// Samples with a cost (the rest were unpriced or had no usage).
    pub priced: usize,
    pub total_usd: f64,
    pub mean_usd: Option<f64>,
    /// Nearest-rank 95th percentile.
    pub p95_usd: Option<f64>,
}

/// Summarise per-sample costs; `None` entries count as samples without a cost.
pub fn summarize(costs: impl IntoIterator<Item = Option<f64>>) -> CostSummary {
    let mut samples = 0;
    let mut known: Vec<f64> = Vec::new();
    for cost in costs {
        samples += 1;
        known.extend(cost.filter(|c| c.is_finite()));
    }
    let total: f64 = known.iter().sum();
    let mean = (!known.is_empty()).then(|| total / known.len() as f64);
    known.sort_by(f64::total_cmp);
    let p95 = percentile(&known, 0.95);
    CostSummary {
        samples,
        priced: known.len(),
        total_usd: total,
        mean_usd: mean,
        p95_usd: p95,
    }
}

/// Nearest-rank percentile of sorted values (`q` in 0..=1).
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// What a per-call cost comes to at a volume.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    pub calls_per_day: u64,
    pub per_call_usd: f64,
    pub per_day_usd: f64,
    pub per_30_days_usd: f64,
}

/// Per day = calls/day x per call; per 30 days = 30 x per day.
pub fn project(per_call_usd: f64, calls_per_day: u64) -> Projection {
    let per_day = per_call_usd * calls_per_day as f64;
    Projection {
        calls_per_day,
        per_call_usd,
        per_day_usd: per_day,
        per_30_days_usd: per_day * 30.0,
    }
}

/// A volume as people write it: `1000`, `1,000`, `50k`, `1.5M`, `2B` (k = thousand, M =
/// million, B = billion, either case). The error says what was wrong and what is accepted.
pub fn parse_volume(text: &str) -> Result<u64, String> {
    let clean: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    let (digits, scale) = match clean.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&clean[..clean.len() - 1], 1e3),
        Some('m') => (&clean[..clean.len() - 1], 1e6),
        Some('b') => (&clean[..clean.len() - 1], 1e9),
        _ => (clean.as_str(), 1.0),
    };
    let bad = || format!("{text:?} is not a count: write e.g. 1000, 50k, 1.5M or 2B");
    let value: f64 = digits.trim().parse().map_err(|_| bad())?;
    let n = value * scale;
    if !n.is_finite() || !(1.0..=1e15).contains(&n) {
        return Err(format!(
            "{text:?} is out of range: between 1 and 1,000,000,000,000,000"
        ));
    }
    Ok(n.round() as u64)
}

/// `$0.000263` for sub-cent amounts, `$12.35` for larger ones, `$1,234.50` with separators.
pub fn format_usd(usd: f64) -> String {
    if usd == 0.0 {
        return "$0".to_string();
    }
    if usd.abs() < 0.01 {
        return format!("${usd:.6}");
    }
    if usd.abs() < 1.0 {
        return format!("${usd:.4}");
    }
    let cents = format!("{usd:.2}");
    let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
    format!("${}.{frac}", group_thousands(whole))
}

/// `1234567` -> `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
#[path = "money_tests.rs"]
mod tests;
