//! `temper models`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper models`.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {}

/// Run `temper models`.
pub fn execute(_args: &ModelsArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper models is not built yet")
}
