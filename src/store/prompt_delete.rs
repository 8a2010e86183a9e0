//! Removing what a user asks to remove: a label, or a whole prompt. Deleting a prompt that has
//! runs also deletes their samples, so the caller is told exactly what would go first
//! ([`Store::prompt_usage`]) and must ask for it.

use super::{Result, Store, StoreError};
use rusqlite::params;
use serde::Serialize;

/// What a prompt holds and what deleting it takes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptUsage {
    pub versions: u64,
    pub labels: u64,
    /// Runs with at least one cell of the prompt.
    pub runs: u64,
    /// Cells of the prompt's versions and their samples (stored answers).
    pub cells: u64,
    pub samples: u64,
}

/// Cells of every version of prompt `?1`.
const PROMPT_CELLS: &str = "SELECT c.id FROM cells c JOIN prompt_versions v ON v.id = c.prompt_version_id WHERE v.prompt_id = ?1";

impl Store {
    /// Remove `label` from prompt `name`; returns the version number it pointed at.
    pub fn remove_label(&mut self, name: &str, label: &str) -> Result<u32> {
        let prompt_id = self.prompt_id(name)?;
        let number: Option<u32> = Store::optional(self.conn().query_row(
            "SELECT v.number FROM labels l JOIN prompt_versions v ON v.id = l.version_id
             WHERE l.prompt_id = ?1 AND l.label = ?2",
            params![prompt_id, label],
            |r| r.get(0),
        ))?;
        let Some(number) = number else {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT label FROM labels WHERE prompt_id = ?1 ORDER BY label")?;
            let suggestions = stmt
                .query_map([prompt_id], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            return Err(StoreError::UnknownLabel {
                name: name.to_string(),
                label: label.to_string(),
                suggestions,
            });
        };
        self.conn().execute(
            "DELETE FROM labels WHERE prompt_id = ?1 AND label = ?2",
            params![prompt_id, label],
        )?;
        Ok(number)
    }

    /// Count what prompt `name` holds: versions, labels, and the runs, cells and samples made
    /// with it.
    pub fn prompt_usage(&self, name: &str) -> Result<PromptUsage> {
        let id = self.prompt_id(name)?;
        let count = |sql: &str| -> Result<u64> {
            Ok(self.conn().query_row(sql, [id], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok(PromptUsage {
            versions: count("SELECT COUNT(*) FROM prompt_versions WHERE prompt_id = ?1")?,
            labels: count("SELECT COUNT(*) FROM labels WHERE prompt_id = ?1")?,
            runs: count(&format!(
                "SELECT COUNT(DISTINCT run_id) FROM cells WHERE id IN ({PROMPT_CELLS})"
            ))?,
            cells: count(&format!("SELECT COUNT(*) FROM ({PROMPT_CELLS})"))?,
            samples: count(&format!(
                "SELECT COUNT(*) FROM samples WHERE cell_id IN ({PROMPT_CELLS})"
            ))?,
        })
    }

    /// Delete prompt `name` with its versions, labels and label history, and the cells and
    /// samples of its runs (runs left with no cells go too); one transaction. Returns what was
    /// deleted. Callers refuse first when [`Store::prompt_usage`] shows runs the user did not
    /// agree to lose.
    pub fn delete_prompt(&mut self, name: &str) -> Result<PromptUsage> {
        let usage = self.prompt_usage(name)?;
        let id = self.prompt_id(name)?;
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS doomed_runs(id INTEGER PRIMARY KEY)",
            [],
        )?;
        tx.execute("DELETE FROM doomed_runs", [])?;
        tx.execute(
            &format!("INSERT INTO doomed_runs SELECT DISTINCT run_id FROM cells WHERE id IN ({PROMPT_CELLS})"),
            [id],
        )?;
        // Every table that hangs off a cell goes before the cell itself.
        for table in ["samples", "cell_requests"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE cell_id IN ({PROMPT_CELLS})"),
                [id],
            )?;
        }
        tx.execute(
            &format!("DELETE FROM cells WHERE id IN ({PROMPT_CELLS})"),
            [id],
        )?;
        tx.execute(
            "DELETE FROM runs WHERE id IN (SELECT id FROM doomed_runs)
             AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.run_id = runs.id)",
            [],
        )?;
        for table in ["label_events", "labels", "prompt_versions"] {
            tx.execute(&format!("DELETE FROM {table} WHERE prompt_id = ?1"), [id])?;
        }
        tx.execute("DELETE FROM prompts WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM doomed_runs", [])?;
        tx.commit()?;
        Ok(usage)
    }
}
