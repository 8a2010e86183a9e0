//! The stored hash of a sample's normalised output (`samples.output_hash`): the answer text and
//! the tools it called (name and arguments, without the per-call ids that differ every time).
//! Two answered samples with the same hash are the same answer, so distinct outputs and
//! clusters are a `GROUP BY` instead of a pass over every sample (docs/architecture.md,
//! "History at scale"). Failed and skipped samples have no hash.

use super::Result;
use super::db::{Row, Value, vals};
use sha2::{Digest, Sha256};

/// The hash of an answer: the first 8 bytes of SHA-256 over the text (absent = empty), then,
/// when there are tool calls, each call's name and arguments. Stable across builds and
/// platforms, since it is stored. 64 bits: a collision among a million distinct answers has a
/// chance of about 3 in 10^8.
pub fn output_hash(output: Option<&str>, tool_calls_json: Option<&str>) -> i64 {
    let mut h = Sha256::new();
    h.update(output.unwrap_or_default().as_bytes());
    for (name, arguments) in tool_calls_key(tool_calls_json) {
        h.update([0u8]);
        h.update(name.as_bytes());
        h.update([0u8]);
        h.update(arguments.as_bytes());
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Tool calls as `(name, arguments)`, ids left out; text that is not a list of calls counts as
/// no calls (as the run summary always treated it).
fn tool_calls_key(json: Option<&str>) -> Vec<(String, String)> {
    let Some(list) = json
        .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
        .and_then(|v| v.as_array().cloned())
    else {
        return Vec::new();
    };
    let text = |call: &serde_json::Value, key: &str| {
        call.get(key).and_then(|v| v.as_str()).map(str::to_string)
    };
    let calls: Option<Vec<(String, String)>> = list
        .iter()
        .map(|c| Some((text(c, "name")?, text(c, "arguments")?)))
        .collect();
    calls.unwrap_or_default()
}

/// Reads rows through the migrating transaction.
type Query<'a> = &'a dyn Fn(&str, &[Value]) -> Result<Vec<Row>>;
/// Writes through the migrating transaction; returns the rows changed.
type Execute<'a> = &'a dyn Fn(&str, &[Value]) -> Result<u64>;

/// How many rows one backfill step reads: bounds its memory whatever the DB holds.
const BACKFILL_PAGE: i64 = 1000;

/// Hash every answered sample stored before [`super::schema::OUTPUT_HASH_MIGRATION`] (run at that
/// migration, while samples still have the `id` PostgreSQL drops at migration 8), page by
/// page, through the caller's transaction (`query` reads, `execute` writes). Returns how many
/// rows were hashed.
pub(super) fn backfill(query: Query<'_>, execute: Execute<'_>) -> Result<u64> {
    let (mut after, mut done) = (0i64, 0u64);
    loop {
        let rows = query(
            "SELECT id, output, tool_calls_json FROM samples
             WHERE id > ?1 AND status = 'ok' ORDER BY id LIMIT ?2",
            vals![after, BACKFILL_PAGE],
        )?;
        for r in &rows {
            let id: i64 = r.get(0)?;
            let (output, calls): (Option<String>, Option<String>) = (r.get(1)?, r.get(2)?);
            let hash = output_hash(output.as_deref(), calls.as_deref());
            execute(
                "UPDATE samples SET output_hash = ?2 WHERE id = ?1",
                vals![id, hash],
            )?;
            after = id;
            done += 1;
        }
        if (rows.len() as i64) < BACKFILL_PAGE {
            return Ok(done);
        }
    }
}

#[cfg(test)]
#[path = "output_hash_tests.rs"]
mod tests;
