//! Checked ranges for every numeric flag: clap calls these as value parsers, so a value out of
//! range (`--timeout 1e20`, `nan`, `-c 0`) is a usage error (exit 2) naming the flag's range,
//! never a panic or a silent wrap. The same bounds check the config file (see [`crate::config`]).

use crate::config::limits;
use std::fmt::Display;
use std::str::FromStr;

/// `text` as a number in `min..=max`.
fn ranged<T>(text: &str, min: T, max: T) -> Result<T, String>
where
    T: FromStr + PartialOrd + Display + Copy,
{
    let value: T = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number in {min}..={max}"))?;
    // NaN compares false both ways, so it lands here too.
    if !(value >= min && value <= max) {
        return Err(format!("{text} is outside {min}..={max}"));
    }
    Ok(value)
}

/// Samples per variant.
pub fn samples(text: &str) -> Result<u32, String> {
    ranged(text, 1, limits::MAX_SAMPLES)
}

/// Calls in flight.
pub fn concurrency(text: &str) -> Result<usize, String> {
    ranged(text, 1, limits::MAX_CONCURRENCY)
}

/// Retries per sample.
pub fn retries(text: &str) -> Result<u32, String> {
    ranged(text, 0, limits::MAX_RETRIES)
}

/// Seconds per attempt (fractions allowed).
pub fn seconds(text: &str) -> Result<f64, String> {
    ranged(text, 0.001, limits::MAX_TIMEOUT_SECS as f64)
}

/// A dollar amount.
pub fn usd(text: &str) -> Result<f64, String> {
    ranged(text, 0.0, limits::MAX_USD)
}

/// A share between 0 and 1.
pub fn fraction(text: &str) -> Result<f64, String> {
    ranged(text, 0.0, 1.0)
}

/// A count of things to list or tokens to assume (at most a billion).
pub fn count(text: &str) -> Result<usize, String> {
    ranged(text, 0, 1_000_000_000)
}

/// Like [`count`], as u64 (token counts, calls per day).
pub fn count_u64(text: &str) -> Result<u64, String> {
    ranged(text, 0, 1_000_000_000_000)
}

#[cfg(test)]
#[path = "ranges_tests.rs"]
mod tests;
