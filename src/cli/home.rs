//! `temper` with no subcommand: the embedded default. On a terminal it opens the TUI; in a pipe
//! or CI (stdin or stdout not a terminal) or with `--json` it prints a short tour instead. Either
//! way the DB is created and seeded with the example prompts on first start.

use super::Ctx;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Open the TUI when interactive, else print the tour.
pub fn execute(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if interactive && !ctx.json {
        crate::tui::run(crate::tui::Options {
            db_path: ctx.db_path.clone(),
            theme: ctx.theme.clone(),
            keys: ctx.config.ui.keys.clone(),
            config: ctx.config.clone(),
            trace: None,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    tour(ctx)
}

/// Create the DB, seed it on first start, and print what is there and what to try.
fn tour(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let (mut store, seeded) = ctx.open_store_seeded()?;
    let seeded = seeded + crate::store::seed_examples(&mut store)?;
    let prompts = store.list_prompts()?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "db": store.path(), "seeded": seeded, "prompts": prompts,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("temper: harden LLM prompts before they ship");
    println!("database: {}", store.path().display());
    if seeded > 0 {
        println!("first start: imported {seeded} example prompts");
    }
    println!();
    for p in &prompts {
        println!("  {:<24} @{}", crate::sanitize::one_line(&p.name), p.latest);
    }
    println!();
    println!("try:");
    println!("  temper                      (in a terminal: the interactive workbench)");
    println!("  temper prompt show support-answer --render");
    println!("  temper run support-answer -n 10 --model mock:drift");
    println!("  temper prompt log support-answer");
    println!("  temper --help");
    Ok(ExitCode::SUCCESS)
}
