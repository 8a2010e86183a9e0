//! temper: a terminal workbench that hardens LLM prompts before they ship.
//!
//! Every feature lives here as a library function; the CLI (`cli/`) and the TUI (`tui/`) are thin
//! front ends. Only `store/` runs SQL and only `provider/` speaks HTTP; the layers and the rule
//! of flow are in docs/architecture.md.
#![deny(clippy::unwrap_used)]

pub mod analysis;
pub mod cli;
pub mod config;
pub mod cost;
pub mod explain;
pub mod fsio;
pub mod plural;
pub mod prompt;
pub mod promptfoo;
pub mod provider;
pub mod replay;
pub mod runner;
pub mod sanitize;
pub mod session;
pub mod store;
pub mod toml_error;
pub mod trace;
pub mod tui;
