//! Labels (`prod`, `staging`) and their history. A move is one transaction that locks the
//! prompt's row (PostgreSQL) or the DB (SQLite), so concurrent moves from several machines are
//! serialised, every move lands in `label_events`, and a compare-and-set ([`Expect`]) fails
//! instead of overwriting a move it did not see.

use super::db::vals;
use super::reference::Reference;
use super::{Result, Store, StoreError, now};
use serde::Serialize;

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
    /// Where the label was; `None` when this event created it.
    pub from: Option<u32>,
    /// Where it went; `None` when this event removed it (`temper prompt label P prod --delete`).
    pub to: Option<u32>,
    pub at: String,
}

/// Where a label must be for a move to go ahead (`temper prompt label P@4 prod --expect @3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Move wherever the label is.
    Any,
    /// Only if the label does not exist yet.
    Absent,
    /// Only if the label points at this version number.
    At(u32),
}

impl Expect {
    /// Parse `--expect`: `@3` or `3`, or `none` for a label that must not exist yet.
    pub fn parse(text: &str) -> Result<Expect> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("none") {
            return Ok(Expect::Absent);
        }
        t.trim_start_matches('@')
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Expect::At)
            .ok_or_else(|| StoreError::Invalid {
                what: "--expect".into(),
                why: format!("{t:?}: use a version like @3, or none for a new label"),
            })
    }

    fn holds(self, current: Option<u32>) -> bool {
        match self {
            Expect::Any => true,
            Expect::Absent => current.is_none(),
            Expect::At(n) => current == Some(n),
        }
    }
}

fn at_text(v: Option<u32>) -> String {
    v.map_or_else(|| "nowhere (no such label)".into(), |n| format!("@{n}"))
}

impl Store {
    /// Point `label` at version `number` of `name`, recording the move in the label's history.
    pub fn set_label(&mut self, name: &str, label: &str, number: u32) -> Result<LabelMove> {
        self.set_label_expect(name, label, number, Expect::Any)
    }

    /// [`Store::set_label`] as a compare-and-set: nothing changes, and
    /// [`StoreError::LabelMoved`] says where the label is, unless it is where `expect` says.
    pub fn set_label_expect(
        &mut self,
        name: &str,
        label: &str,
        number: u32,
        expect: Expect,
    ) -> Result<LabelMove> {
        crate::prompt::validate_label(label).map_err(|why| StoreError::Invalid {
            what: "label".into(),
            why,
        })?;
        let target = self.resolve(&Reference::Number(name.to_string(), number))?;
        let at = now();
        let tx = self.db().begin()?;
        let prompt_id: i64 = tx
            .query_one(
                &format!("SELECT id FROM prompts WHERE name = ?1{}", tx.for_update()),
                vals![name],
            )?
            .get(0)?;
        let from: Option<(i64, u32)> = match tx.query_opt(
            "SELECT l.version_id, v.number FROM labels l
             JOIN prompt_versions v ON v.id = l.version_id
             WHERE l.prompt_id = ?1 AND l.label = ?2",
            vals![prompt_id, label],
        )? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        };
        let current = from.map(|(_, n)| n);
        if !expect.holds(current) {
            let expected = match expect {
                Expect::At(n) => format!("@{n}"),
                _ => "absent".into(),
            };
            return Err(StoreError::LabelMoved {
                name: name.to_string(),
                label: label.to_string(),
                expected,
                found: at_text(current),
            });
        }
        if from.map(|(id, _)| id) != Some(target.info.id) {
            tx.execute(
                "INSERT INTO labels(prompt_id, label, version_id, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(prompt_id, label) DO UPDATE SET version_id = ?3, updated_at = ?4",
                vals![prompt_id, label, target.info.id, at.as_str()],
            )?;
            tx.execute(
                "INSERT INTO label_events(prompt_id, label, from_version_id, to_version_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                vals![prompt_id, label, from.map(|(id, _)| id), target.info.id, at],
            )?;
        }
        tx.commit()?;
        Ok(LabelMove {
            label: label.to_string(),
            from: current,
            to: number,
        })
    }

    /// Every label move of `name`, removals included, oldest first.
    pub fn label_history(&self, name: &str) -> Result<Vec<LabelEvent>> {
        let prompt_id = self.prompt_id(name)?;
        self.db()
            .query(
                "SELECT e.label, f.number, t.number, e.at FROM label_events e
                 LEFT JOIN prompt_versions f ON f.id = e.from_version_id
                 LEFT JOIN prompt_versions t ON t.id = e.to_version_id
                 WHERE e.prompt_id = ?1 ORDER BY e.id",
                vals![prompt_id],
            )?
            .iter()
            .map(|r| {
                Ok(LabelEvent {
                    label: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    at: r.get(3)?,
                })
            })
            .collect()
    }

    /// The labels of a prompt with the version row each points at, by label.
    pub(super) fn labels_of(&self, prompt_id: i64) -> Result<Vec<(String, i64)>> {
        self.db()
            .query(
                "SELECT label, version_id FROM labels WHERE prompt_id = ?1 ORDER BY label",
                vals![prompt_id],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect()
    }
}
