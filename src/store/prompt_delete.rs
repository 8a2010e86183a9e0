//! Removing what a user asks to remove: a label, or a whole prompt. Deleting a prompt that has
//! runs also deletes their samples, so the caller is told exactly what would go first
//! ([`Store::prompt_usage`]) and must ask for it.

use super::db::vals;
use super::{Result, Store, StoreError, now};
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
        let tx = self.db().begin()?;
        let found = tx
            .query_opt(
                "SELECT v.id, v.number FROM labels l JOIN prompt_versions v ON v.id = l.version_id
                 WHERE l.prompt_id = ?1 AND l.label = ?2",
                vals![prompt_id, label],
            )?
            .map(|r| Ok::<_, StoreError>((r.get::<i64>(0)?, r.get::<u32>(1)?)))
            .transpose()?;
        let Some((version_id, number)) = found else {
            drop(tx);
            let suggestions = self
                .labels_of(prompt_id)?
                .into_iter()
                .map(|(l, _)| l)
                .collect();
            return Err(StoreError::UnknownLabel {
                name: name.to_string(),
                label: label.to_string(),
                suggestions,
            });
        };
        tx.execute(
            "DELETE FROM labels WHERE prompt_id = ?1 AND label = ?2",
            vals![prompt_id, label],
        )?;
        tx.execute(
            "INSERT INTO label_events(prompt_id, label, from_version_id, to_version_id, at)
             VALUES (?1, ?2, ?3, NULL, ?4)",
            vals![prompt_id, label, version_id, now()],
        )?;
        tx.commit()?;
        Ok(number)
    }

    /// Count what prompt `name` holds: versions, labels, and the runs, cells and samples made
    /// with it.
    pub fn prompt_usage(&self, name: &str) -> Result<PromptUsage> {
        let id = self.prompt_id(name)?;
        let count = |sql: &str| -> Result<u64> {
            Ok(self.db().query_one(sql, vals![id])?.get::<i64>(0)? as u64)
        };
        Ok(PromptUsage {
            versions: count("SELECT COUNT(*) FROM prompt_versions WHERE prompt_id = ?1")?,
            labels: count("SELECT COUNT(*) FROM labels WHERE prompt_id = ?1")?,
            runs: count(&format!(
                "SELECT COUNT(DISTINCT run_id) FROM cells WHERE id IN ({PROMPT_CELLS})"
            ))?,
            cells: count(&format!(
                "SELECT COUNT(*) FROM ({PROMPT_CELLS}) AS cells_of_prompt"
            ))?,
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
        let tx = self.db().begin()?;
        let doomed = tx
            .query(
                &format!("SELECT DISTINCT run_id FROM cells WHERE id IN ({PROMPT_CELLS})"),
                vals![id],
            )?
            .iter()
            .map(|r| r.get::<i64>(0))
            .collect::<Result<Vec<_>>>()?;
        // Every table that hangs off a cell goes before the cell itself.
        for table in ["samples", "cell_requests", "cells"] {
            let key = if table == "cells" { "id" } else { "cell_id" };
            tx.execute(
                &format!("DELETE FROM {table} WHERE {key} IN ({PROMPT_CELLS})"),
                vals![id],
            )?;
        }
        for run in doomed {
            tx.execute(
                "DELETE FROM runs WHERE id = ?1
                 AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.run_id = runs.id)",
                vals![run],
            )?;
        }
        for table in ["label_events", "labels", "prompt_versions"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE prompt_id = ?1"),
                vals![id],
            )?;
        }
        tx.execute("DELETE FROM prompts WHERE id = ?1", vals![id])?;
        tx.commit()?;
        Ok(usage)
    }
}
