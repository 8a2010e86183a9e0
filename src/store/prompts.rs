//! Prompts, their immutable content-hashed versions, and labels with history.

use super::db::{Row, vals};
use super::reference::{Reference, close_matches};
use super::{Result, Store, StoreError, now};
use crate::prompt::PromptBody;
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

const VERSION_COLUMNS: &str = "v.id, p.name, v.number, v.hash, pv.number, v.message, v.created_at";

fn version_info(row: &Row) -> Result<VersionInfo> {
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
        let tx = self.db().begin()?;
        tx.execute(
            "INSERT INTO prompts(name, created_at) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
            vals![name, at.as_str()],
        )?;
        // The prompt row lock serialises saves and label moves of one prompt on PostgreSQL, so
        // two machines saving at once get consecutive numbers (UNIQUE(prompt_id, number) backs it).
        let prompt_id: i64 = tx
            .query_one(
                &format!("SELECT id FROM prompts WHERE name = ?1{}", tx.for_update()),
                vals![name],
            )?
            .get(0)?;
        let latest = tx.query_opt(
            "SELECT id, number, hash FROM prompt_versions WHERE prompt_id = ?1
             ORDER BY number DESC LIMIT 1",
            vals![prompt_id],
        )?;
        let latest: Option<(i64, u32, String)> = match latest {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        };
        let created = match &latest {
            Some((_, _, latest_hash)) if *latest_hash == hash => false,
            _ => {
                let number = latest.as_ref().map_or(1, |(_, n, _)| n + 1);
                tx.execute(
                    "INSERT INTO prompt_versions
                     (prompt_id, number, hash, parent_id, body_json, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    vals![
                        prompt_id,
                        number,
                        hash.as_str(),
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
        let rows = self.db().query(
            "SELECT p.name, count(v.id), max(v.number), max(v.created_at)
             FROM prompts p JOIN prompt_versions v ON v.prompt_id = p.id
             GROUP BY p.id, p.name ORDER BY p.name",
            &[],
        )?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(PromptSummary {
                    name: r.get(0)?,
                    versions: r.get(1)?,
                    latest: r.get(2)?,
                    updated_at: r.get(3)?,
                    labels: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let labels = self.db().query(
            "SELECT p.name, l.label, v.number FROM labels l
             JOIN prompts p ON p.id = l.prompt_id JOIN prompt_versions v ON v.id = l.version_id
             ORDER BY p.name, l.label",
            &[],
        )?;
        for row in labels {
            let (name, label, number): (String, String, u32) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
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
        let mut versions = self
            .db()
            .query(&sql, vals![prompt_id])?
            .iter()
            .map(version_info)
            .collect::<Result<Vec<_>>>()?;
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
        let found = match reference {
            Reference::Latest(_) => self.db().query_opt(
                &format!("{base} ORDER BY v.number DESC LIMIT 1"),
                vals![prompt_id],
            )?,
            Reference::Number(_, number) => self.db().query_opt(
                &format!("{base} AND v.number = ?2"),
                vals![prompt_id, *number],
            )?,
            Reference::Label(_, label) => self.db().query_opt(
                &format!(
                    "{base} AND v.id = (SELECT version_id FROM labels
                     WHERE prompt_id = ?1 AND label = ?2)"
                ),
                vals![prompt_id, label],
            )?,
        };
        let found = match found {
            Some(r) => Some((version_info(&r)?, r.get::<String>(7)?)),
            None => None,
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
        let id = self
            .db()
            .query_opt("SELECT id FROM prompts WHERE name = ?1", vals![name])?
            .map(|r| r.get::<i64>(0))
            .transpose()?;
        match id {
            Some(id) => Ok(id),
            None => {
                let names = self
                    .db()
                    .query("SELECT name FROM prompts", &[])?
                    .iter()
                    .map(|r| r.get::<String>(0))
                    .collect::<Result<Vec<_>>>()?;
                Err(StoreError::UnknownPrompt {
                    name: name.to_string(),
                    suggestions: close_matches(name, names.iter().map(String::as_str)),
                })
            }
        }
    }

    fn not_found(&self, reference: &Reference, prompt_id: i64) -> Result<StoreError> {
        let latest: u32 = self
            .db()
            .query_one(
                "SELECT coalesce(max(number), 0) FROM prompt_versions WHERE prompt_id = ?1",
                vals![prompt_id],
            )?
            .get(0)?;
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
