//! What every subcommand shares: the resolved config and DB path, and output helpers.

use super::Cli;
use crate::config::Config;
use crate::store::Store;
use anyhow::Context;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Resolved global options, handed to every subcommand.
pub struct Ctx {
    pub json: bool,
    pub db_path: PathBuf,
    /// Whether a DB was named (`--db`, `TEMPER_DB` or the config's `db`), rather than the
    /// default path (`temper check` in CI then uses a temporary DB instead).
    pub db_given: bool,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub theme: Option<String>,
}

impl Ctx {
    /// Load the config and resolve the DB path from the parsed command line.
    pub fn new(cli: &Cli) -> anyhow::Result<Ctx> {
        let (config, config_path) = Config::load(cli.config.as_deref())?;
        let db_path = config.db_path(cli.db.as_deref())?;
        if let Some(explicit) = cli.db.as_deref() {
            check_db_arg(explicit, cli.create)?;
        }
        // `--theme` wins; a non-empty NO_COLOR (no-color.org) beats the config file's theme.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let theme = cli
            .theme
            .clone()
            .or_else(|| no_color.then(|| "mono".to_string()))
            .or_else(|| config.ui.theme.clone());
        Ok(Ctx {
            json: cli.json,
            db_given: cli.db.is_some() || config.db.is_some(),
            db_path,
            config,
            config_path,
            theme,
        })
    }

    /// Open the DB, marking runs orphaned by a crashed process as interrupted. A new DB is
    /// seeded with the example prompts (as the TUI does), and both are said once on stderr.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Ok(self.open_store_seeded()?.0)
    }

    /// [`Ctx::open_store`], also saying how many example prompts were seeded (0 unless the DB
    /// was created by this call).
    pub fn open_store_seeded(&self) -> anyhow::Result<(Store, usize)> {
        self.open_store_with(true)
    }

    /// Open the DB; a new one is announced, and seeded with the examples when `seed` (commands
    /// that add the user's own prompts, `prompt new` and `prompt import`, do not seed).
    pub fn open_store_with(&self, seed: bool) -> anyhow::Result<(Store, usize)> {
        let mut store = Store::open(&self.db_path)?;
        store
            .mark_orphaned_runs()
            .context("marking interrupted runs")?;
        let mut seeded = 0;
        if store.created() {
            let path = crate::sanitize::one_line(&store.path().display().to_string());
            if seed {
                seeded = crate::store::seed_examples(&mut store)
                    .context("importing the example prompts")?;
                eprintln!(
                    "created new database at {path}; imported {seeded} example prompts (temper prompt list)"
                );
            } else {
                eprintln!("created new database at {path}");
            }
        }
        Ok((store, seeded))
    }
}

/// A `--db` value must name a file in an existing directory (unless `--create`) or a
/// PostgreSQL server (`postgres://…`); any other URL is refused, since it would otherwise
/// silently become a new empty SQLite file.
fn check_db_arg(path: &Path, create: bool) -> anyhow::Result<()> {
    let text = path.to_string_lossy();
    if crate::store::is_postgres_url(&text) {
        return Ok(());
    }
    if text.contains("://") {
        anyhow::bail!(
            "--db {} looks like a URL but not a PostgreSQL one; pass a SQLite file path such as --db temper.db, or postgres://USER@HOST:PORT/DB",
            crate::sanitize::one_line(&redact_url(&text))
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
        && !create
    {
        anyhow::bail!(
            "--db {}: directory {} does not exist; check the path, or pass --create to create it",
            crate::sanitize::one_line(&text),
            crate::sanitize::one_line(&dir.display().to_string())
        );
    }
    Ok(())
}

impl Ctx {
    /// The DB as messages may name it: the file, or the server URL with any password masked.
    pub fn db_shown(&self) -> String {
        redact_url(&self.db_path.to_string_lossy())
    }
}

/// A URL with any `user:password@` password replaced by `***`, for messages.
fn redact_url(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    match rest.split_once('@') {
        Some((creds, host)) if creds.contains(':') => {
            let user = creds.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => text.to_string(),
    }
}

/// Print a value as pretty JSON on stdout (the `--json` output of every command).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let text = inert_json(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// Pretty JSON where the characters serde_json leaves raw but a terminal acts on (DEL, C1
/// controls, bidi overrides) are written as `\uXXXX` escapes: a parser reads the same value, and
/// `--json` printed to a terminal cannot move the cursor or reorder text. They can only occur
/// inside JSON strings, where an escape is always valid.
fn inert_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(inert)
}

/// Compact JSON on one line, escaped like `print_json` (for output streamed piece by piece).
pub fn inert_json_line<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(inert)
}

/// `text` with terminal-active characters (C1 controls, DEL, bidi overrides) as `\uXXXX`.
fn inert(text: String) -> String {
    let active = |c: char| (c.is_control() && c != '\n') || crate::sanitize::is_bidi_control(c);
    if !text.chars().any(active) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        if active(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
