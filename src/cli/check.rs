//! `temper check`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Session file
    pub session: std::path::PathBuf,
}

/// Run `temper check`.
pub fn execute(_args: &CheckArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper check is not built yet")
}
