//! `temper` with no subcommand: the embedded default. Creates the DB, seeds the example prompts
//! on first start, then shows what is there and what to try.

use super::Ctx;
use std::process::ExitCode;

/// Open (or create) the user's DB, seed it on first start, and print a short tour.
pub fn execute(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let seeded = crate::prompt::seed_examples(&mut store)?;
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
        println!("  {:<24} @{}", p.name, p.latest);
    }
    println!();
    println!("try:");
    println!("  temper prompt show support-answer --render");
    println!("  temper run support-answer -n 10 --model mock:drift");
    println!("  temper prompt log support-answer");
    println!("  temper --help");
    Ok(ExitCode::SUCCESS)
}
