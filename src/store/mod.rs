//! Storage: the only module that runs SQL.
//!
//! Two backends behind one [`Store`] API ([`db::Db`]): a SQLite file (the embedded default, WAL
//! mode with a busy timeout so the TUI and a CLI run can write the same DB at once) or a
//! PostgreSQL server shared by a team (`postgres://…`, docs/postgres.md). The schema comes from
//! numbered migrations ([`schema`], [`schema_pg`]); a DB from a newer temper, or one that is not
//! a temper DB, is refused and left untouched, never recreated.

mod aggregates;
mod checks;
mod copy;
mod cost_split;
pub(crate) mod db;
mod groups;
mod labels;
pub mod output_hash;
mod pg;
mod pg_open;
mod pg_tls;
mod prompt_delete;
mod prompts;
mod reference;
mod runs;
mod samples;
pub mod schema;
pub mod schema_pg;
mod sqlite_open;
mod transfer;
mod trends;

pub use aggregates::{CostTotals, Measure, SampleTotals, nearest_rank};
pub use checks::{AnswerCounts, PricedCalls};
pub use copy::{CopyReport, TableCopy, copy_database};
pub use cost_split::ModelTokens;
pub use groups::{AnswerGroups, CellSums, OutputGroup};
pub use pg_open::{MIN_SERVER_VERSION, is_postgres_url};

pub use labels::{Expect, LabelEvent, LabelMove};
pub use prompt_delete::PromptUsage;
pub use prompts::{PromptSummary, SaveOutcome, Version, VersionInfo};
pub use reference::Reference;
pub use runs::{CellInfo, CellRequest, CellRow, NewCell, RunInfo, RunStatus};
pub use samples::{NewSample, SampleRow, SampleStatus};
pub use transfer::{
    ImportReport, TransferError, export_prompt, import_examples, import_path, seed_examples,
};
pub use trends::VersionTrend;

use db::Db;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Everything that can go wrong in the store, worded for the user.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "{path} is not a temper database (not SQLite); it was left untouched. Use --db to pick another file"
    )]
    NotSqlite { path: PathBuf },
    #[error(
        "{path} was written by a newer temper (schema {found}, this build knows {known}); it was left untouched. Upgrade temper"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} is damaged: {detail}; it was left untouched. Restore a backup or use --db")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} is another application's SQLite database ({why}); it was left untouched. Use --db to pick another file"
    )]
    Foreign { path: PathBuf, why: String },
    #[error("cannot open database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("no prompt named {name:?}{}", suggest(.suggestions))]
    UnknownPrompt {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("{name} has no version {number} (latest is {latest})")]
    UnknownVersion {
        name: String,
        number: u32,
        latest: u32,
    },
    #[error("{name} has no label {label:?}{}", suggest(.suggestions))]
    UnknownLabel {
        name: String,
        label: String,
        suggestions: Vec<String>,
    },
    #[error("bad reference {0:?}: use name, name@3 or name:label")]
    BadReference(String),
    #[error("invalid {what}: {why}")]
    Invalid { what: String, why: String },
    #[error("no run #{0}")]
    UnknownRun(i64),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Pg(String),
    #[error("database error: {0}")]
    Decode(String),
    #[error(
        "cannot reach the PostgreSQL server at {target}: {detail}. Is it running and reachable? Check with `{check}`"
    )]
    Unreachable {
        target: String,
        detail: String,
        check: String,
    },
    #[error("PostgreSQL refused the login to {target}: {detail}")]
    Auth { target: String, detail: String },
    #[error("{target}: the database does not exist; create it first: {create}")]
    NoDatabase { target: String, create: String },
    #[error("{target} runs PostgreSQL {found}; temper needs PostgreSQL {minimum} or newer")]
    ServerTooOld {
        target: String,
        found: String,
        minimum: String,
    },
    #[error(
        "lost the connection to the PostgreSQL server at {server}: {detail}; everything committed before stays stored"
    )]
    ConnectionLost { server: String, detail: String },
    #[error(
        "{name}:{label} moved meanwhile: it is at {found}, not {expected} as expected; nothing was changed (look at `temper prompt log {name}` and retry)"
    )]
    LabelMoved {
        name: String,
        label: String,
        expected: String,
        found: String,
    },
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(", "))
    }
}

/// Shorthand for store results.
pub type Result<T> = std::result::Result<T, StoreError>;

/// `PRAGMA application_id` of a temper DB ("TMPR"): marks the file as ours, so another
/// application's SQLite file is refused instead of migrated (docs/hardening.md).
pub const APPLICATION_ID: i64 = 0x544D_5052;

/// Tables every temper schema has; with `user_version > 0` they identify a DB written before
/// the application id was set.
const TEMPER_TABLES: &[&str] = &["prompts", "prompt_versions", "runs", "samples"];

/// An open temper database.
pub struct Store {
    db: Db,
    /// The file, or the server URL without its password: what messages name.
    path: PathBuf,
    created: bool,
}

impl Store {
    /// Open (creating if absent) the DB at `path` — a SQLite file, or a `postgres://` URL —
    /// migrating an older schema forward.
    ///
    /// A file that is not SQLite, or SQLite with tables but no temper marker, is refused before
    /// anything is written to it (no migration, no WAL switch); so is a PostgreSQL database whose
    /// tables look like temper's without its schema marker.
    pub fn open(path: &Path) -> Result<Store> {
        let text = path.to_string_lossy();
        if pg_open::is_postgres_url(&text) {
            let (db, target, created) = pg_open::open(&text)?;
            return Ok(Store {
                db,
                path: PathBuf::from(target.display),
                created,
            });
        }
        sqlite_open::open(path)
    }

    /// Whether this open created the DB (a new or empty file, or a database without temper's
    /// schema), so front ends can say so and seed the example prompts.
    pub fn created(&self) -> bool {
        self.created
    }

    /// Where this DB lives: the file, or the server URL without its password.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this store is on a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.db.is_pg()
    }

    /// The schema version of this DB.
    pub fn schema_version(&self) -> Result<i64> {
        if self.db.is_pg() {
            return self
                .db
                .query_one("SELECT version FROM temper_schema", &[])?
                .get(0);
        }
        self.db.query_one("PRAGMA user_version", &[])?.get(0)
    }

    /// `PRAGMA integrity_check` on SQLite: "ok" when the file is sound. A PostgreSQL server
    /// checks its own pages, so there it is "ok" once the connection answers.
    pub fn integrity_check(&self) -> Result<String> {
        if self.db.is_pg() {
            self.db.query_one("SELECT 1", &[])?;
            return Ok("ok".into());
        }
        self.db.query_one("PRAGMA integrity_check", &[])?.get(0)
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }
}

/// Current time as RFC 3339 UTC, the format of every `*_at` column.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}
