//! The built-in price table: a pinned snapshot of LiteLLM's price map, embedded gzip-compressed
//! and decoded once on first use, plus temper's own rows (`prices.toml`) for models the
//! snapshot does not list (retired models still found in stored runs) and their aliases.
//! `scripts/refresh-prices WHEEL_OR_JSON` regenerates the snapshot and its provenance note.

use super::litellm;
use super::table::{self, PriceRow, TableInfo};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// LiteLLM's chat, completion and responses models with the fields temper reads, gzipped.
static SNAPSHOT_GZ: &[u8] = include_bytes!("litellm_prices.json.gz");

/// Where the snapshot came from; written by `scripts/refresh-prices`.
const PROVENANCE: &str = include_str!("litellm_prices.provenance.json");

/// Where LiteLLM maintains the price map.
pub const LITELLM_URL: &str =
    "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json";

/// The snapshot's provenance: which LiteLLM release, when, and the hash of its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub source: String,
    pub litellm_version: String,
    pub as_of: String,
    pub json_sha256: String,
    pub models: usize,
    pub providers: usize,
    pub json_bytes: usize,
    pub gzip_bytes: usize,
}

/// The provenance note compiled in beside the snapshot.
pub fn provenance() -> Result<Provenance, String> {
    serde_json::from_str(PROVENANCE).map_err(|e| format!("provenance note: {e}"))
}

/// The built-in table (snapshot rows, then temper's rows for models the snapshot lacks),
/// decoded on first use and shared.
pub fn builtin() -> Result<(TableInfo, Arc<Vec<PriceRow>>), String> {
    static TABLE: OnceLock<Result<Table, String>> = OnceLock::new();
    TABLE.get_or_init(build).clone()
}

/// Start decoding the built-in table on a thread of its own: a command that is about to price
/// a model (`temper run`) overlaps the decode with opening the store and resolving the prompt
/// instead of waiting for it on the start-up path. Whoever needs the table first waits for
/// this decode rather than starting a second one.
pub fn warm_in_background() {
    std::thread::spawn(|| {
        let _ = builtin();
    });
}

/// The table's date and sources with its rows, shared by every price book.
type Table = (TableInfo, Arc<Vec<PriceRow>>);

/// The snapshot's JSON text, decompressed (tests compare prices against it).
pub fn snapshot_json() -> Result<String, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(SNAPSHOT_GZ)
        .read_to_string(&mut text)
        .map_err(|e| format!("embedded snapshot: {e}"))?;
    Ok(text)
}

fn build() -> Result<Table, String> {
    let note = provenance()?;
    let mut rows = litellm::rows_from_json(&snapshot_json()?)?;
    let (curated_info, curated) = table::parse_table(table::EMBEDDED_TABLE)?;
    let snapshot_len = rows.len();
    for row in curated {
        merge_curated(&mut rows, row);
    }
    let mut sources = curated_info.sources;
    sources.insert("litellm".into(), LITELLM_URL.into());
    let info = TableInfo {
        as_of: note.as_of.clone(),
        note: format!(
            "{}: {snapshot_len} models; plus {} rows of temper's own table (as of {}) for models it does not list",
            note.source,
            rows.len() - snapshot_len,
            curated_info.as_of
        ),
        sources,
        file: None,
    };
    Ok((info, Arc::new(rows)))
}

/// A row of temper's table: its aliases join the snapshot's row of the same model; a model the
/// snapshot lacks keeps temper's row. An alias another row already answers to is dropped.
fn merge_curated(rows: &mut Vec<PriceRow>, mut row: PriceRow) {
    let taken = |rows: &[PriceRow], name: &str| {
        rows.iter()
            .any(|r| r.provider.eq_ignore_ascii_case(&row.provider) && r.answers_to(name))
    };
    row.aliases.retain(|a| !taken(rows, a));
    let same = rows.iter().position(|r| {
        r.provider.eq_ignore_ascii_case(&row.provider) && r.model.eq_ignore_ascii_case(&row.model)
    });
    match same.and_then(|i| rows.get_mut(i)) {
        Some(existing) => existing.aliases.append(&mut row.aliases),
        None => rows.push(row),
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
