//! `temper models`: the providers temper knows (built in and from the config), their wire
//! format, base URL, and whether their key env var is set. Never the key itself.

use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::config::ProviderKind;
use crate::provider::Registry;
use std::process::ExitCode;

/// Arguments of `temper models`.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {}

/// Run `temper models`.
pub fn execute(_args: &ModelsArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let entries = Registry::new(&ctx.config).entries();
    if ctx.json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = entries
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{}",
        paint(
            Tone::Muted,
            &format!(
                "{:<width$}  {:<9}  {:<34}  key",
                "provider", "kind", "base url"
            )
        )
    );
    for e in &entries {
        let kind = match e.kind {
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Mock => "mock",
            ProviderKind::Replay => "replay",
        };
        let base = e.base_url.as_deref().unwrap_or("(offline)");
        let key = match (&e.api_key_env, e.key_set) {
            (Some(env), Some(true)) => paint(Tone::Good, &format!("{env} set")),
            (Some(env), _) => paint(Tone::Removed, &format!("{env} not set")),
            (None, _) => paint(Tone::Muted, "no key needed"),
        };
        println!(
            "{:<width$}  {kind:<9}  {:<34}  {key}",
            crate::sanitize::one_line(&e.name),
            crate::sanitize::one_line(base)
        );
    }
    println!(
        "{}",
        paint(
            Tone::Muted,
            "address a model as provider:model, e.g. openai:gpt-4o-mini, ollama:llama3.2, mock:drift?p=0.3&seed=7, replay:RUN"
        )
    );
    Ok(ExitCode::SUCCESS)
}
