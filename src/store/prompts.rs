//! Prompts, their immutable content-hashed versions, and labels with history.

use super::reference::{Reference, close_matches};
use super::{Result, Store, StoreError, now};
use crate::prompt::PromptBody;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// A version without its body: what `log` lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionInfo {
    /// Row id, stable across renames; what runs point at.
    pub id: i64,
    pub prompt: String,
    pub number: u32,
    pub hash: String,
    pub parent: Option<u32>,
    pub message: String,
    pub created_at: String,
    pub labels: Vec<String>,
}

/// A version with its body: what `show`, `diff` and the runner need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    #[serde(flatten)]
    pub info: VersionInfo,
    pub body: PromptBody,
}

/// The result of a save: the version that now holds the content, and whether it is new.
#[derive(Debug, Clone, Serialize)]
pub struct SaveOutcome {
    pub version: VersionInfo,
    /// False when the content matched the latest version, so nothing was written.
    pub created: bool,
}

/// One row of `prompt list`.
#[derive(Debug, Clone, Serialize)]
pub struct PromptSummary {
    pub name: String,
    pub versions: u32,
    pub latest: u32,
    pub updated_at: String,
    pub labels: Vec<(String, u32)>,
}

/// What `label` did: where the label was before (if anywhere) and where it is now.
#[derive(Debug, Clone, Serialize)]
pub struct LabelMove {
    pub label: String,
    pub from: Option<u32>,
    pub to: u32,
}

/// One entry of a label's history.
#[derive(Debug, Clone, Serialize)]
pub struct LabelEvent {
    pub label: String,
    pub from: Option<u32>,
    pub to: u32,
    pub at: String,
}

const VERSION_COLUMNS: &str = "v.id, p.name, v.number, v.hash, pv.number, v.message, v.created_at";

fn version_info(row: &rusqlite::Row<'_>) -> rusqlite::Result<VersionInfo> {
    Ok(VersionInfo {
        id: row.get(0)?,
        prompt: row.get(1)?,
        number: row.get(2)?,
        hash: row.get(3)?,
        parent: row.get(4)?,
        message: row.get(5)?,
        created_at: row.get(6)?,
        labels: Vec::new(),
    })
}

impl Store {
    /// Save `body` as the next version of `name` (creating the prompt if new).
    ///
    /// Content equal to the latest version writes nothing and returns it with `created: false`.
    /// Content equal to an older version is saved again as a new version (that is a rollback),
    /// so history stays linear; the hash index then has two rows, which is why it is not unique.
    pub fn save_version(
        &mut self,
        name: &str,
        body: &PromptBody,
        message: &str,
    ) -> Result<SaveOutcome> {
        crate::prompt::validate_name(name).map_err(|why| StoreError::Invalid {
            what: "prompt name".into(),
            why,
        })?;
        let hash = body.content_hash();
        let json = body.canonical_json();
        let at = now();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO prompts(name, created_at) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
            params![name, at],
        )?;
        let prompt_id: i64 =
            tx.query_row("SELECT id FROM prompts WHERE name = ?1", [name], |r| {
                r.get(0)
            })?;
        let latest: Option<(i64, u32, String)> = tx
            .query_row(
                "SELECT id, number, hash FROM prompt_versions WHERE prompt_id = ?1
                 ORDER BY number DESC LIMIT 1",
                [prompt_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let created = match &latest {
            Some((_, _, latest_hash)) if *latest_hash == hash => false,
            _ => {
                let number = latest.as_ref().map_or(1, |(_, n, _)| n + 1);
                tx.execute(
                    "INSERT INTO prompt_versions
                     (prompt_id, number, hash, parent_id, body_json, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        prompt_id,
                        number,
                        hash,
                        latest.as_ref().map(|(id, _, _)| *id),
                        json,
                        message,
                        at
                    ],
                )?;
                true
            }
        };
        tx.commit()?;
        let version = self.resolve(&Reference::Latest(name.to_string()))?.info;
        Ok(SaveOutcome { version, created })
    }

    /// All prompts with their version counts and labels, by name.
    pub fn list_prompts(&self) -> Result<Vec<PromptSummary>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.name, count(v.id), max(v.number), max(v.created_at)
             FROM prompts p JOIN prompt_versions v ON v.prompt_id = p.id
             GROUP BY p.id ORDER BY p.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PromptSummary {
                name: r.get(0)?,
                versions: r.get(1)?,
                latest: r.get(2)?,
                updated_at: r.get(3)?,
                labels: Vec::new(),
            })
        })?;
        let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut labels = self.conn().prepare_cached(
            "SELECT p.name, l.label, v.number FROM labels l
             JOIN prompts p ON p.id = l.prompt_id JOIN prompt_versions v ON v.id = l.version_id
             ORDER BY p.name, l.label",
        )?;
        let rows = labels.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (name, label, number) = row?;
            if let Some(p) = out.iter_mut().find(|p| p.name == name) {
                p.labels.push((label, number));
            }
        }
        Ok(out)
    }

    /// Every version of `name`, newest first, with the labels each carries.
    pub fn log(&self, name: &str) -> Result<Vec<VersionInfo>> {
        let prompt_id = self.prompt_id(name)?;
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
             LEFT JOIN prompt_versions pv ON pv.id = v.parent_id
             WHERE v.prompt_id = ?1 ORDER BY v.number DESC"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut versions = stmt
            .query_map([prompt_id], version_info)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let labels = self.labels_of(prompt_id)?;
        for v in &mut versions {
            v.labels = labels
                .iter()
                .filter(|(_, id)| *id == v.id)
                .map(|(l, _)| l.clone())
                .collect();
        }
        Ok(versions)
    }

    /// Resolve a reference to a version with its body.
    pub fn resolve(&self, reference: &Reference) -> Result<Version> {
        let name = reference.name();
        let prompt_id = self.prompt_id(name)?;
        let base = format!(
            "SELECT {VERSION_COLUMNS}, v.body_json FROM prompt_versions v
             JOIN prompts p ON p.id = v.prompt_id
             LEFT JOIN prompt_versions pv ON pv.id = v.parent_id WHERE v.prompt_id = ?1"
        );
        let row = |r: &rusqlite::Row<'_>| Ok((version_info(r)?, r.get::<_, String>(7)?));
        let found = match reference {
            Reference::Latest(_) => Store::optional(self.conn().query_row(
                &format!("{base} ORDER BY v.number DESC LIMIT 1"),
                [prompt_id],
                row,
            ))?,
            Reference::Number(_, number) => Store::optional(self.conn().query_row(
                &format!("{base} AND v.number = ?2"),
                params![prompt_id, number],
                row,
            ))?,
            Reference::Label(_, label) => Store::optional(self.conn().query_row(
                &format!(
                    "{base} AND v.id = (SELECT version_id FROM labels
                     WHERE prompt_id = ?1 AND label = ?2)"
                ),
                params![prompt_id, label],
                row,
            ))?,
        };
        let Some((mut info, json)) = found else {
            return Err(self.not_found(reference, prompt_id)?);
        };
        let body: PromptBody = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
            path: self.path().to_path_buf(),
            detail: format!(
                "version {}@{} has an unreadable body: {e}",
                name, info.number
            ),
        })?;
        info.labels = self
            .labels_of(prompt_id)?
            .into_iter()
            .filter(|(_, id)| *id == info.id)
            .map(|(l, _)| l)
            .collect();
        Ok(Version { info, body })
    }

    /// Resolve a reference typed by the user (`name`, `name@3`, `name:prod`).
    pub fn resolve_str(&self, reference: &str) -> Result<Version> {
        self.resolve(&Reference::parse(reference)?)
    }

    /// Point `label` at version `number` of `name`, recording the move in the label's history.
    pub fn set_label(&mut self, name: &str, label: &str, number: u32) -> Result<LabelMove> {
        crate::prompt::validate_label(label).map_err(|why| StoreError::Invalid {
            what: "label".into(),
            why,
        })?;
        let target = self.resolve(&Reference::Number(name.to_string(), number))?;
        let prompt_id = self.prompt_id(name)?;
        let at = now();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let from: Option<(i64, u32)> = tx
            .query_row(
                "SELECT l.version_id, v.number FROM labels l
                 JOIN prompt_versions v ON v.id = l.version_id
                 WHERE l.prompt_id = ?1 AND l.label = ?2",
                params![prompt_id, label],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if from.map(|(id, _)| id) != Some(target.info.id) {
            tx.execute(
                "INSERT INTO labels(prompt_id, label, version_id, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(prompt_id, label) DO UPDATE SET version_id = ?3, updated_at = ?4",
                params![prompt_id, label, target.info.id, at],
            )?;
            tx.execute(
                "INSERT INTO label_events(prompt_id, label, from_version_id, to_version_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![prompt_id, label, from.map(|(id, _)| id), target.info.id, at],
            )?;
        }
        tx.commit()?;
        Ok(LabelMove {
            label: label.to_string(),
            from: from.map(|(_, n)| n),
            to: number,
        })
    }

    /// Every label move of `name`, oldest first.
    pub fn label_history(&self, name: &str) -> Result<Vec<LabelEvent>> {
        let prompt_id = self.prompt_id(name)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT e.label, f.number, t.number, e.at FROM label_events e
             LEFT JOIN prompt_versions f ON f.id = e.from_version_id
             JOIN prompt_versions t ON t.id = e.to_version_id
             WHERE e.prompt_id = ?1 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([prompt_id], |r| {
            Ok(LabelEvent {
                label: r.get(0)?,
                from: r.get(1)?,
                to: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every version of `name` with its body, oldest first (for export).
    pub fn history(&self, name: &str) -> Result<Vec<Version>> {
        let mut infos = self.log(name)?;
        infos.reverse();
        infos
            .into_iter()
            .map(|info| self.resolve(&Reference::Number(name.to_string(), info.number)))
            .collect()
    }

    pub(super) fn prompt_id(&self, name: &str) -> Result<i64> {
        let id = Store::optional(self.conn().query_row(
            "SELECT id FROM prompts WHERE name = ?1",
            [name],
            |r| r.get(0),
        ))?;
        match id {
            Some(id) => Ok(id),
            None => {
                let mut stmt = self.conn().prepare_cached("SELECT name FROM prompts")?;
                let names = stmt
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Err(StoreError::UnknownPrompt {
                    name: name.to_string(),
                    suggestions: close_matches(name, names.iter().map(String::as_str)),
                })
            }
        }
    }

    fn labels_of(&self, prompt_id: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT label, version_id FROM labels WHERE prompt_id = ?1 ORDER BY label",
        )?;
        let rows = stmt.query_map([prompt_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn not_found(&self, reference: &Reference, prompt_id: i64) -> Result<StoreError> {
        let latest: u32 = self.conn().query_row(
            "SELECT coalesce(max(number), 0) FROM prompt_versions WHERE prompt_id = ?1",
            [prompt_id],
            |r| r.get(0),
        )?;
        Ok(match reference {
            Reference::Label(name, label) => {
                let labels = self.labels_of(prompt_id)?;
                StoreError::UnknownLabel {
                    name: name.clone(),
                    label: label.clone(),
                    suggestions: close_matches(label, labels.iter().map(|(l, _)| l.as_str())),
                }
            }
            Reference::Number(name, number) => StoreError::UnknownVersion {
                name: name.clone(),
                number: *number,
                latest,
            },
            Reference::Latest(name) => StoreError::UnknownPrompt {
                name: name.clone(),
                suggestions: Vec::new(),
            },
        })
    }
}
