//! `temper import promptfoo CONFIG -o DIR`: a promptfoo config converted into temper prompt
//! files and a session file a user can keep and edit. Existing files are never overwritten
//! without `--force`.

use super::Ctx;
use crate::prompt::PromptFile;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `temper import` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// A promptfoo config: prompt files under DIR/prompts/ and a session file in DIR
    Promptfoo(ImportPromptfooArgs),
}

/// Arguments of `temper import promptfoo`.
#[derive(Debug, clap::Args)]
pub struct ImportPromptfooArgs {
    /// The promptfoo config (promptfooconfig.yaml)
    #[arg(value_name = "CONFIG")]
    pub file: PathBuf,
    /// Directory to write into (created when missing)
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Overwrite files that already exist
    #[arg(long)]
    pub force: bool,
    /// Convert the usable part of a config that has unknown keys or broken tests
    #[arg(long)]
    pub keep_going: bool,
    /// Samples per case written into the session file
    #[arg(short = 'n', long = "samples", default_value_t = 5)]
    pub samples: u32,
}

/// Run `temper import`.
pub fn execute(command: &ImportCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let ImportCommand::Promptfoo(args) = command;
    let suite = crate::promptfoo::load(&args.file, args.keep_going)?;
    for e in &suite.dropped {
        eprintln!("warning: left out (--keep-going): {e}");
    }
    let mut converted = crate::promptfoo::convert(&suite, &[], args.samples.max(1))?;
    let stem = converted
        .prompts
        .first()
        .map_or("suite".to_string(), |(n, _)| {
            n.trim_start_matches("promptfoo/")
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .trim_end_matches('-')
                .to_string()
        });
    let session_path = args.out.join(format!("{stem}.toml"));
    converted.session.path = session_path.clone();
    let mut files: Vec<(PathBuf, String)> = converted
        .prompts
        .iter()
        .map(|(name, body)| {
            let file = PromptFile {
                name: name.clone(),
                message: Some(format!("imported from {}", args.file.display())),
                labels: Vec::new(),
                body: body.clone(),
            };
            let base = name.rsplit('/').next().unwrap_or(name);
            (
                args.out.join("prompts").join(format!("{base}.toml")),
                file.to_toml(),
            )
        })
        .collect();
    let body = crate::session::save::to_toml(&converted.session, &args.out)
        .context("writing the session")?;
    let text = format!("{}{body}", header(&args.file, &converted));
    crate::session::Session::parse(&text, &session_path)
        .context("the converted session does not read back")?;
    files.push((session_path, text));
    if !args.force
        && let Some((existing, _)) = files.iter().find(|(p, _)| p.exists())
    {
        anyhow::bail!(
            "{} exists; nothing was written (pass --force to overwrite)",
            existing.display()
        );
    }
    for (path, text) in &files {
        write(path, text)?;
    }
    if ctx.json {
        let written: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        super::print_json(&serde_json::json!({"written": written, "notes": converted.notes}))?;
    } else {
        for (path, _) in &files {
            println!("wrote {}", path.display());
        }
        println!(
            "next: temper prompt import {} && temper check {}",
            args.out.join("prompts").display(),
            files
                .last()
                .map_or(String::new(), |(p, _)| p.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Comments that open the session file: where it came from, and each test's assertions, which
/// a session file's `[check]` (one set for every case) cannot carry per case.
fn header(config: &Path, converted: &crate::promptfoo::Converted) -> String {
    let mut out = format!(
        "# Converted from the promptfoo config {} by `temper import promptfoo`.\n# Per-test assertions are listed below; `temper check {}` grades them per sample.\n",
        config.display(),
        config.display()
    );
    for (case, test) in &converted.tests {
        if test.asserts.is_empty() {
            continue;
        }
        let names: Vec<String> = test
            .asserts
            .iter()
            .map(|a| crate::sanitize::one_line(&a.name))
            .collect();
        out.push_str(&format!(
            "#   {}: {}\n",
            crate::sanitize::one_line(case),
            names.join("; ")
        ));
    }
    out.push('\n');
    out
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
