//! `temper run`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Prompt reference: name, name@3 or name:prod
    pub reference: Option<String>,
}

/// Run `temper run`.
pub fn execute(_args: &RunArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper run is not built yet")
}
