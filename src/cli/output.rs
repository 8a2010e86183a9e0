//! What every subcommand shares: the resolved config and DB path, and output helpers.

use super::Cli;
use crate::config::Config;
use crate::store::Store;
use anyhow::Context;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Resolved global options, handed to every subcommand.
pub struct Ctx {
    pub json: bool,
    pub db_path: PathBuf,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub theme: Option<String>,
}

impl Ctx {
    /// Load the config and resolve the DB path from the parsed command line.
    pub fn new(cli: &Cli) -> anyhow::Result<Ctx> {
        let (config, config_path) = Config::load(cli.config.as_deref())?;
        let db_path = config.db_path(cli.db.as_deref())?;
        let theme = cli.theme.clone().or_else(|| config.ui.theme.clone());
        Ok(Ctx {
            json: cli.json,
            db_path,
            config,
            config_path,
            theme,
        })
    }

    /// Open the DB, marking runs orphaned by a crashed process as interrupted.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        let mut store = Store::open(&self.db_path)?;
        store
            .mark_orphaned_runs()
            .context("marking interrupted runs")?;
        Ok(store)
    }
}

/// Print a value as pretty JSON on stdout (the `--json` output of every command).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
