//! The price table `temper prices update FILE` stores beside the config: the file as given
//! (`prices/table.json`) and what it is (`prices/table.about.json`: format, source, date). When
//! present it is the table in force: its rows replace the built-in rows of the same models and
//! the built-in snapshot prices the rest; config `[prices]` and `--prices` still override it
//! (docs/cost.md).

use super::formats::{self, PriceFormat};
use super::table::{PriceRow, TableInfo};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the stored table is: written beside it, shown by `temper models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct About {
    pub format: PriceFormat,
    /// The file it was updated from, as given.
    pub source: String,
    /// The day it was stored (`YYYY-MM-DD`): the table's `as_of`.
    pub updated: String,
    /// Priced text models read from it.
    pub models: usize,
}

fn table_path(dir: &Path) -> PathBuf {
    dir.join("table.json")
}

fn about_path(dir: &Path) -> PathBuf {
    dir.join("table.about.json")
}

/// Read `text` (from `source`) and, when it is a price file temper reads, store it in `dir` as
/// the table in force dated `today`. A bad file changes nothing and says what is wrong.
pub fn save(dir: &Path, source: &str, text: &str, today: &str) -> Result<About, String> {
    let (format, rows) = formats::read(text).map_err(|e| format!("{source}: {e}"))?;
    let about = About {
        format,
        source: source.to_string(),
        updated: today.to_string(),
        models: rows.len(),
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let about_json = serde_json::to_string_pretty(&about).map_err(|e| e.to_string())?;
    write_atomic(&table_path(dir), text)?;
    write_atomic(&about_path(dir), &about_json)?;
    Ok(about)
}

/// Write through a temporary file and a rename, so a reader never sees half a table.
fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// The stored table in `dir`, `None` when there is none.
pub fn load(dir: &Path) -> Result<Option<(About, Vec<PriceRow>)>, String> {
    let about_file = about_path(dir);
    if !about_file.exists() {
        return Ok(None);
    }
    let fix = "run `temper prices update FILE` again, or delete the prices folder to use the built-in table";
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .map_err(|e| format!("stored price table {}: {e}; {fix}", p.display()))
    };
    let about: About = serde_json::from_str(&read(&about_file)?)
        .map_err(|e| format!("stored price table {}: {e}; {fix}", about_file.display()))?;
    let table = table_path(dir);
    let (_, rows) = formats::read(&read(&table)?)
        .map_err(|e| format!("stored price table {}: {e}; {fix}", table.display()))?;
    Ok(Some((about, rows)))
}

/// The built-in rows with the stored ones laid over them (same provider and model replaced,
/// new ones added), and the table info that says so.
pub fn apply(
    builtin: (&TableInfo, &[PriceRow]),
    stored: (&About, Vec<PriceRow>),
    dir: &Path,
) -> (TableInfo, Vec<PriceRow>) {
    let (info, base) = builtin;
    let (about, rows) = stored;
    let key = |r: &PriceRow| r.key().to_ascii_lowercase();
    let mut out: Vec<PriceRow> = base.to_vec();
    let index: HashMap<String, usize> = out.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
    for row in rows {
        match index.get(&key(&row)) {
            Some(&i) => {
                out[i] = PriceRow {
                    aliases: out[i].aliases.clone(),
                    ..row
                }
            }
            None => out.push(row),
        }
    }
    let mut sources = info.sources.clone();
    sources.insert(
        format!("{:?}", about.format).to_ascii_lowercase(),
        about.format.url().into(),
    );
    let table = TableInfo {
        as_of: about.updated.clone(),
        note: format!(
            "{} from {}, updated {}: {} models; the built-in table (as of {}) prices the rest",
            about.format.describe(),
            about.source,
            about.updated,
            about.models,
            info.as_of
        ),
        sources,
        file: Some(table_path(dir).display().to_string()),
    };
    (table, out)
}
