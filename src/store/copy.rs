//! `temper db copy SRC DST`: a whole history moved between SQLite and PostgreSQL (either way),
//! ids kept (samples are named by cell and index), in one transaction on the destination, then verified table by table: the
//! destination is read back and its row count and SHA-256 must equal the source's.

use super::db::{Db, Row, Value, vals};
use super::{Result, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Rows read per page from the source.
const PAGE: i64 = 2_000;

/// Every table with the columns both backends share, parents before children; the first
/// column is the paging key (unique, integer) unless the table is small and keyed otherwise.
const TABLES: &[(&str, &[&str])] = &[
    ("prompts", &["id", "name", "created_at"]),
    (
        "prompt_versions",
        &[
            "id",
            "prompt_id",
            "number",
            "hash",
            "parent_id",
            "body_json",
            "message",
            "created_at",
        ],
    ),
    (
        "labels",
        &["prompt_id", "label", "version_id", "updated_at"],
    ),
    (
        "label_events",
        &[
            "id",
            "prompt_id",
            "label",
            "from_version_id",
            "to_version_id",
            "at",
        ],
    ),
    (
        "runs",
        &[
            "id",
            "source",
            "session",
            "status",
            "pid",
            "started_at",
            "finished_at",
        ],
    ),
    (
        "cells",
        &[
            "id",
            "run_id",
            "prompt_version_id",
            "variant_name",
            "variant_json",
            "case_name",
            "case_json",
            "n",
        ],
    ),
    ("samples", &[]), // columns: samples::SAMPLE_COLUMNS, keyed by (cell_id, idx)
    ("cell_requests", &["cell_id", "params_sent", "request_json"]),
];

/// One table's copy: how many rows and their digest (equal on both sides, or the copy fails).
#[derive(Debug, Clone, Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    pub sha256: String,
}

/// What a copy moved, table by table.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    pub source: String,
    pub destination: String,
    pub tables: Vec<TableCopy>,
}

fn columns(table: &str, listed: &'static [&'static str]) -> Vec<&'static str> {
    if table == "samples" {
        super::samples::SAMPLE_COLUMNS.to_vec()
    } else {
        listed.to_vec()
    }
}

/// Copy everything in `src` into `dst`, which must hold no prompts and no runs.
pub fn copy_database(src: &Store, dst: &mut Store) -> Result<CopyReport> {
    let occupied: i64 = dst
        .db()
        .query_one(
            "SELECT (SELECT count(*) FROM prompts) + (SELECT count(*) FROM runs)",
            &[],
        )?
        .get(0)?;
    if occupied > 0 {
        return Err(StoreError::Invalid {
            what: "copy destination".into(),
            why: format!(
                "{} already holds prompts or runs; copy into a new file or an empty database",
                dst.path().display()
            ),
        });
    }
    let mut tables = Vec::new();
    let tx = dst.db().begin()?;
    for (table, listed) in TABLES {
        let cols = columns(table, listed);
        let (rows, digest) = copy_table(src.db(), &tx, table, &cols)?;
        tables.push(TableCopy {
            table: table.to_string(),
            rows,
            sha256: digest,
        });
    }
    if tx.is_pg() {
        reset_identities(&tx)?;
    }
    for t in &tables {
        let cols = columns(
            &t.table,
            TABLES.iter().find(|x| x.0 == t.table).map_or(&[], |x| x.1),
        );
        let (rows, digest) = digest_table(&tx, &t.table, &cols)?;
        if rows != t.rows || digest != t.sha256 {
            return Err(StoreError::Invalid {
                what: "copy".into(),
                why: format!(
                    "{}: the destination reads back {rows} rows (sha256 {digest}), the source had {} (sha256 {}); nothing was kept",
                    t.table, t.rows, t.sha256
                ),
            });
        }
    }
    tx.commit()?;
    Ok(CopyReport {
        source: src.path().display().to_string(),
        destination: dst.path().display().to_string(),
        tables,
    })
}

/// Copy one table page by page; returns its row count and digest as read from the source.
fn copy_table(src: &Db, dst: &Db, table: &str, cols: &[&str]) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut count = 0u64;
    let mut pages = Pages::new(table, cols);
    while let Some(rows) = pages.next(src)? {
        for r in &rows {
            hash_row(&mut hasher, r);
        }
        count += rows.len() as u64;
        dst.insert_rows(table, cols, rows.iter().map(|r| &r.0))?;
    }
    Ok((count, hex::encode(hasher.finalize())))
}

/// Row count and digest of a table as `db` holds it.
fn digest_table(db: &Db, table: &str, cols: &[&str]) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut count = 0u64;
    let mut pages = Pages::new(table, cols);
    while let Some(rows) = pages.next(db)? {
        rows.iter().for_each(|r| hash_row(&mut hasher, r));
        count += rows.len() as u64;
    }
    Ok((count, hex::encode(hasher.finalize())))
}

/// Reads a table in key order: by `id` (or `cell_id`) in pages, `samples` by `(cell_id, idx)`
/// (its key), or `labels` whole.
struct Pages {
    sql: String,
    paged: bool,
    /// The key of the last row read: one column, or `samples`' two.
    after: [i64; 2],
    /// Whether the key has two columns (`samples`).
    pair: bool,
    done: bool,
}

impl Pages {
    fn new(table: &str, cols: &[&str]) -> Pages {
        let list = cols.join(", ");
        let key = cols.first().copied().unwrap_or("id");
        let paged = table != "labels";
        let sql = if table == "samples" {
            format!(
                "SELECT {list} FROM samples WHERE (cell_id, idx) > (?1, ?2)
                 ORDER BY cell_id, idx LIMIT ?3"
            )
        } else if paged {
            format!("SELECT {list} FROM {table} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2")
        } else {
            format!("SELECT {list} FROM {table} ORDER BY prompt_id, label")
        };
        Pages {
            sql,
            paged,
            after: [i64::MIN; 2],
            pair: table == "samples",
            done: false,
        }
    }

    fn next(&mut self, db: &Db) -> Result<Option<Vec<Row>>> {
        if self.done {
            return Ok(None);
        }
        if !self.paged {
            self.done = true;
            return Ok(Some(db.query(&self.sql, &[])?));
        }
        let rows = match self.pair {
            true => db.query(&self.sql, vals![self.after[0], self.after[1], PAGE])?,
            false => db.query(&self.sql, vals![self.after[0], PAGE])?,
        };
        if rows.is_empty() {
            self.done = true;
            return Ok(None);
        }
        if let Some(last) = rows.last() {
            self.after = [last.get(0)?, if self.pair { last.get(1)? } else { 0 }];
        }
        Ok(Some(rows))
    }
}

/// Feed one row to the digest, each value tagged by kind; whole-number reals count as
/// integers, since SQLite may hand back `5` where PostgreSQL says `5.0`.
fn hash_row(h: &mut Sha256, row: &Row) {
    for v in &row.0 {
        match v {
            Value::Null => h.update([0u8]),
            Value::Int(i) => {
                h.update([1u8]);
                h.update(i.to_le_bytes());
            }
            Value::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                h.update([1u8]);
                h.update((*f as i64).to_le_bytes());
            }
            Value::Real(f) => {
                h.update([2u8]);
                h.update(f.to_bits().to_le_bytes());
            }
            Value::Text(s) => {
                h.update([3u8]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            Value::Blob(b) => {
                h.update([4u8]);
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }
}

/// Move PostgreSQL identity sequences past the copied ids, so new rows do not collide.
fn reset_identities(db: &Db) -> Result<()> {
    for (table, cols) in TABLES {
        if cols.first() == Some(&"id") {
            db.query(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                     (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ),
                &[],
            )?;
        }
    }
    Ok(())
}
