//! `temper prompt …`: versioned prompts from the command line.

use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::prompt::{self, PromptFile};
use crate::store::{Reference, Store, Version};
use anyhow::bail;
use clap::Subcommand;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// The prompt subcommands.
#[derive(Debug, Subcommand)]
pub enum PromptCommand {
    /// Create a prompt from a file, from --system/--user text, or in $EDITOR
    New {
        name: String,
        /// Prompt TOML file to save (its `name` must be NAME)
        #[arg(long, short = 'f')]
        file: Option<PathBuf>,
        /// System message text
        #[arg(long)]
        system: Option<String>,
        /// User message text ({{var}} placeholders allowed)
        #[arg(long)]
        user: Option<String>,
        /// Version message
        #[arg(long, short = 'm')]
        message: Option<String>,
    },
    /// Open a version in $EDITOR and save the result as a new version if it changed
    Edit {
        reference: String,
        #[arg(long, short = 'm')]
        message: Option<String>,
    },
    /// All prompts with their latest version and labels
    List,
    /// Versions of a prompt, newest first
    Log { name: String },
    /// Print one version (REF is name, name@3 or name:prod); --render fills in the vars
    Show {
        reference: String,
        #[arg(long)]
        render: bool,
        /// Variable for --render, as key=value (repeatable)
        #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
        vars: Vec<(String, String)>,
    },
    /// Word diff of two versions: the template, then the rendered messages
    Diff {
        a: String,
        b: String,
        #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
        vars: Vec<(String, String)>,
    },
    /// Point LABEL at REF's version (e.g. `label support-answer@4 prod`), or --history
    Label {
        reference: String,
        label: Option<String>,
        /// Show every move of every label of the prompt
        #[arg(long)]
        history: bool,
        /// Remove LABEL from the prompt
        #[arg(long, conflicts_with = "history")]
        delete: bool,
        /// Move only if LABEL is still at this version (`@3`, or `none` for a new label):
        /// fails, changing nothing, when someone moved it meanwhile
        #[arg(long, value_name = "@N|none", conflicts_with_all = ["history", "delete"])]
        expect: Option<String>,
    },
    /// Delete a prompt and its versions (refused when it has runs, unless --force)
    Delete {
        name: String,
        /// Delete even when it has runs: their cells and samples are deleted with it
        #[arg(long)]
        force: bool,
    },
    /// Save an old version's content as the new latest version
    Rollback {
        /// The version to go back to, as name@N or name:label
        reference: String,
    },
    /// Write prompts' whole history to DIR/NAME/0001.toml, … (all prompts when none named)
    Export {
        names: Vec<String>,
        #[arg(long, short = 'o', default_value = "prompts-export")]
        out: PathBuf,
    },
    /// Import a prompt file or a directory of them (e.g. an export), or --examples
    Import {
        #[arg(required_unless_present = "examples")]
        path: Option<PathBuf>,
        /// Import the example prompts built into temper
        #[arg(long, conflicts_with = "path")]
        examples: bool,
    },
}

/// Parse `key=value` for `--var`.
pub fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

/// Run a prompt subcommand.
pub fn execute(command: &PromptCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    // Commands that add the user's own prompts do not seed a new DB with the examples.
    let adds = matches!(
        command,
        PromptCommand::New { .. } | PromptCommand::Import { .. }
    );
    let (mut store, _) = ctx.open_store_with(!adds)?;
    match command {
        PromptCommand::New {
            name,
            file,
            system,
            user,
            message,
        } => super::prompt_new::new(&mut store, ctx, name, file.as_ref(), system, user, message),
        PromptCommand::Edit { reference, message } => {
            super::prompt_edit::edit(&mut store, ctx, reference, message.as_deref())
        }
        PromptCommand::List => list(&store, ctx),
        PromptCommand::Log { name } => log(&store, ctx, name),
        PromptCommand::Show {
            reference,
            render,
            vars,
        } => show(&store, ctx, reference, *render, vars),
        PromptCommand::Diff { a, b, vars } => super::prompt_diff::diff(&store, ctx, a, b, vars),
        PromptCommand::Label {
            reference,
            label,
            delete: true,
            ..
        } => super::prompt_delete::delete_label(&mut store, ctx, reference, label.as_deref()),
        PromptCommand::Label {
            reference,
            label,
            history,
            expect,
            ..
        } => {
            let expect = match expect {
                Some(e) => crate::store::Expect::parse(e)?,
                None => crate::store::Expect::Any,
            };
            set_label(
                &mut store,
                ctx,
                reference,
                label.as_deref(),
                (*history, expect),
            )
        }
        PromptCommand::Delete { name, force } => {
            super::prompt_delete::delete_prompt(&mut store, ctx, name, *force)
        }
        PromptCommand::Rollback { reference } => rollback(&mut store, ctx, reference),
        PromptCommand::Export { names, out } => export(&store, ctx, names, out),
        PromptCommand::Import { path, examples } => {
            let (report, origin) = match path {
                Some(path) if !examples => (
                    crate::store::import_path(&mut store, path)?,
                    path.display().to_string(),
                ),
                _ => (
                    crate::store::import_examples(&mut store)?,
                    "the built-in examples".to_string(),
                ),
            };
            if ctx.json {
                print_json(&report)?;
            } else {
                println!(
                    "imported {}: {}, {} unchanged",
                    crate::sanitize::one_line(&origin),
                    crate::plural::count(report.created.len() as u64, "new version"),
                    report.unchanged.len()
                );
                for l in &report.labels {
                    println!("  label {l}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Print the outcome of a save (shared by new, edit and rollback).
pub(super) fn report_save(
    ctx: &Ctx,
    outcome: &crate::store::SaveOutcome,
) -> anyhow::Result<ExitCode> {
    if ctx.json {
        print_json(outcome)?;
    } else if outcome.created {
        println!(
            "saved {}@{} ({})",
            outcome.version.prompt,
            outcome.version.number,
            &outcome.version.hash[..12]
        );
    } else {
        println!(
            "no change: content is identical to {}@{}; no new version",
            outcome.version.prompt, outcome.version.number
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(store: &Store, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let prompts = store.list_prompts()?;
    if ctx.json {
        print_json(&prompts)?;
        return Ok(ExitCode::SUCCESS);
    }
    if prompts.is_empty() {
        println!(
            "no prompts yet: try `temper prompt import --examples` (or `temper prompt import DIR` for your own files)"
        );
    }
    for p in prompts {
        let labels: Vec<String> = p.labels.iter().map(|(l, n)| format!("{l}@{n}")).collect();
        println!(
            "{:<28} @{:<4} {:>12}  {}",
            paint(Tone::Strong, &p.name),
            p.latest,
            crate::plural::count(p.versions as u64, "version"),
            paint(Tone::Good, &labels.join(" "))
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn log(store: &Store, ctx: &Ctx, name: &str) -> anyhow::Result<ExitCode> {
    let versions = store.log(name)?;
    if ctx.json {
        print_json(&versions)?;
        return Ok(ExitCode::SUCCESS);
    }
    for v in versions {
        let labels = if v.labels.is_empty() {
            String::new()
        } else {
            paint(Tone::Good, &format!(" ({})", v.labels.join(", ")))
        };
        println!(
            "@{:<4} {} {}{}  {}",
            v.number,
            paint(Tone::Muted, &v.hash[..12]),
            paint(Tone::Muted, &v.created_at[..v.created_at.len().min(19)]),
            labels,
            crate::sanitize::one_line(&v.message)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(
    store: &Store,
    ctx: &Ctx,
    reference: &str,
    render: bool,
    vars: &[(String, String)],
) -> anyhow::Result<ExitCode> {
    let version = store.resolve_str(reference)?;
    let vars: BTreeMap<String, String> = vars.iter().cloned().collect();
    if render {
        let rendered = prompt::render(&version.body, &vars)?;
        for w in &rendered.warnings {
            eprintln!("warning: {w}");
        }
        if ctx.json {
            print_json(&json!({"version": version.info, "messages": rendered.messages}))?;
        } else {
            for m in &rendered.messages {
                println!(
                    "{}\n{}\n",
                    paint(Tone::Strong, m.role.as_str()),
                    crate::sanitize::for_display(&m.display_text())
                );
            }
        }
    } else if ctx.json {
        print_json(&version)?;
    } else {
        print!(
            "{}",
            crate::sanitize::for_display(&as_file(&version).to_toml())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A stored version as the file a user would edit.
pub(super) fn as_file(version: &Version) -> PromptFile {
    PromptFile {
        name: version.info.prompt.clone(),
        message: Some(version.info.message.clone()).filter(|m| !m.is_empty()),
        labels: Vec::new(),
        body: version.body.clone(),
    }
}

fn set_label(
    store: &mut Store,
    ctx: &Ctx,
    reference: &str,
    label: Option<&str>,
    (history, expect): (bool, crate::store::Expect),
) -> anyhow::Result<ExitCode> {
    let parsed = Reference::parse(reference)?;
    if history {
        let events = store.label_history(parsed.name())?;
        if ctx.json {
            print_json(&events)?;
        } else {
            for e in events {
                let from = e.from.map_or("(new)".to_string(), |n| format!("@{n}"));
                let to = e.to.map_or("(removed)".to_string(), |n| format!("@{n}"));
                println!(
                    "{}  {:<10} {from} -> {to}",
                    &e.at[..e.at.len().min(19)],
                    e.label,
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(label) = label else {
        bail!("name the label: `temper prompt label {reference} prod` (or --history)");
    };
    let version = store.resolve(&parsed)?;
    let moved = store.set_label_expect(parsed.name(), label, version.info.number, expect)?;
    if ctx.json {
        print_json(&moved)?;
    } else {
        match moved.from {
            Some(from) if from == moved.to => println!("{label} already on @{from}"),
            Some(from) => println!("{label}: @{from} -> @{}", moved.to),
            None => println!("{label} -> @{}", moved.to),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rollback(store: &mut Store, ctx: &Ctx, reference: &str) -> anyhow::Result<ExitCode> {
    let old = store.resolve_str(reference)?;
    let message = format!("rollback to @{}", old.info.number);
    let outcome = store.save_version(&old.info.prompt, &old.body, &message)?;
    report_save(ctx, &outcome)
}

fn export(
    store: &Store,
    ctx: &Ctx,
    names: &[String],
    out: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let names: Vec<String> = if names.is_empty() {
        store.list_prompts()?.into_iter().map(|p| p.name).collect()
    } else {
        names.to_vec()
    };
    let mut written = Vec::new();
    for name in &names {
        written.extend(crate::store::export_prompt(store, name, out)?);
    }
    if ctx.json {
        print_json(&written)?;
    } else {
        println!(
            "exported {}, {} to {}",
            crate::plural::count(names.len() as u64, "prompt"),
            crate::plural::count(written.len() as u64, "version file"),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
