//! `temper db copy SRC DST`: move a whole history between a SQLite file and a PostgreSQL
//! server, either way, verified table by table (docs/postgres.md).

use super::{Ctx, print_json};
use crate::store::Store;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every prompt, label, run and sample from SRC into DST (an empty DB), then verify
    /// row counts and SHA-256 per table. Each is a SQLite file or postgres://USER@HOST:PORT/DB
    Copy(CopyArgs),
}

/// Arguments of `db copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Where to read from (a file or a postgres:// URL); must exist
    pub src: PathBuf,
    /// Where to write to (a new file, or a PostgreSQL database without temper data)
    pub dst: PathBuf,
}

/// Run a `db` subcommand.
pub fn execute(command: &DbCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Copy(args) => copy(args, ctx),
    }
}

fn copy(args: &CopyArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let src_text = args.src.to_string_lossy();
    if !crate::store::is_postgres_url(&src_text) && !args.src.is_file() {
        anyhow::bail!(
            "source {} does not exist; name an existing temper DB file or a postgres:// URL",
            crate::sanitize::one_line(&src_text)
        );
    }
    let src = Store::open(&args.src).context("opening the source")?;
    let mut dst = Store::open(&args.dst).context("opening the destination")?;
    let report = crate::store::copy_database(&src, &mut dst)?;
    if ctx.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    for t in &report.tables {
        println!(
            "{:<16} {:>9} rows  sha256 {}",
            t.table,
            t.rows,
            &t.sha256[..16]
        );
    }
    println!(
        "copied {} into {}: counts and hashes match",
        crate::sanitize::one_line(&report.source),
        crate::sanitize::one_line(&report.destination)
    );
    Ok(ExitCode::SUCCESS)
}
