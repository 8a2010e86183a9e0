//! The command line: parse (clap derive), load config, dispatch to one file per subcommand.
//!
//! Exit codes: 0 ok, 1 a check failed, 2 a usage, input or runtime error. Every subcommand takes
//! `--json` for machine-readable output on stdout; errors always go to stderr.

mod check;
mod check_baseline;
mod check_run;
mod compare;
mod cost;
mod cost_cascade;
mod cost_exact;
mod cost_split;
mod cost_text;
mod db;
mod diff;
mod hints;
mod home;
mod import;
mod import_promptfoo;
mod import_promptfoo_text;
mod models;
mod output;
mod prices;
mod prompt;
mod prompt_delete;
mod prompt_diff;
mod prompt_edit;
mod prompt_new;
mod ranges;
mod replay;
mod replay_probe;
mod replay_session;
mod report;
mod report_outputs;
mod report_text;
mod run;
mod run_input;
mod run_spend;
mod run_summary;
mod runs;
mod show_request;
mod style;
mod trace;

pub use output::{Ctx, print_json};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when a check (`temper check`) did not hold.
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code for bad usage, bad input or a failure to do the work.
pub const EXIT_ERROR: u8 = 2;

/// temper: harden LLM prompts before they ship.
#[derive(Debug, Parser)]
#[command(name = "temper", version, about, long_about = None)]
pub struct Cli {
    /// SQLite database file, or a PostgreSQL server as postgres://USER@HOST:PORT/DB
    /// [default: temper.db in the user's data dir]
    #[arg(
        long,
        global = true,
        env = "TEMPER_DB",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    pub db: Option<PathBuf>,
    /// Create the directory of --db when it does not exist yet
    #[arg(long, global = true)]
    pub create: bool,
    /// Config file [default: config.toml in the user's config dir]
    #[arg(long, global = true, env = "TEMPER_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Machine-readable JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// TUI colour theme: dark, light, high-contrast, mono, or a theme file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every subcommand; with none, temper opens the TUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Versioned prompts: new, edit, list, log, show, diff, label, rollback, export, import, delete
    #[command(subcommand)]
    Prompt(prompt::PromptCommand),
    /// Fire a prompt N times per model and store every sample
    Run(run::RunArgs),
    /// List recent runs with their status and sample counts
    Runs(runs::RunsArgs),
    /// Nondeterminism report of a run or of a prompt's latest run
    Report(report::ReportArgs),
    /// Diff two samples of a run, or the outputs of two prompt versions
    Diff(diff::DiffArgs),
    /// Run a session file and exit 1 if any of its checks fails (for CI)
    Check(check::CheckArgs),
    /// A/B two prompt versions on the same models and cases: stability, tokens, cost, latency, checks
    Compare(compare::CompareArgs),
    /// Estimate tokens and cost per call, per day and per month before shipping
    Cost(cost::CostArgs),
    /// Providers, their keys (set or not) and the price table
    Models(models::ModelsArgs),
    /// The price table: `temper prices update FILE` puts a newer one in force
    #[command(subcommand)]
    Prices(prices::PricesCommand),
    /// Inspect a trace file (or receive traces live): spans, chunks, tool calls, detector flags
    Trace(trace::TraceArgs),
    /// Replay an LLM call of a trace N times and compare with the answer it recorded
    Replay(replay::ReplayArgs),
    /// Convert a suite from another tool into temper prompt files and a session file
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Print the exact request body a sample was sent with (messages and params, no headers)
    ShowRequest(show_request::ShowRequestArgs),
    /// The database itself: copy a whole history between SQLite and PostgreSQL
    #[command(subcommand)]
    Db(db::DbCommand),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let args: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            match run_input::param_flag_hint(&e, &args) {
                Some(hint) => eprintln!("error: {hint}"),
                // clap quotes the offending argument as given: escapes in it must not reach
                // the terminal, so such an error is printed plain and sanitised.
                None if args
                    .iter()
                    .any(|a| crate::sanitize::for_display(a) != a.as_str()) =>
                {
                    eprint!("{}", crate::sanitize::for_display(&e.render().to_string()));
                }
                None => {
                    let _ = e.print();
                }
            }
            return ExitCode::from(code);
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", crate::sanitize::for_display(&describe(&e)));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes on one line, each cause once: library errors often quote their
/// source in their own message already (`cannot read config F: No such file…`).
pub(crate) fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Ctx::new(&cli)?;
    execute(&cli, &ctx).map_err(|e| hints::add(e, &ctx))
}

fn execute(cli: &Cli, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match &cli.command {
        None => home::execute(ctx),
        Some(Command::Prompt(c)) => prompt::execute(c, ctx),
        Some(Command::Run(a)) => run::execute(a, ctx),
        Some(Command::Runs(a)) => runs::execute(a, ctx),
        Some(Command::Report(a)) => report::execute(a, ctx),
        Some(Command::Diff(a)) => diff::execute(a, ctx),
        Some(Command::Check(a)) => check::execute(a, ctx),
        Some(Command::Compare(a)) => compare::execute(a, ctx),
        Some(Command::Cost(a)) => cost::execute(a, ctx),
        Some(Command::Models(a)) => models::execute(a, ctx),
        Some(Command::Prices(c)) => prices::execute(c, ctx),
        Some(Command::Trace(a)) => trace::execute(a, ctx),
        Some(Command::Replay(a)) => replay::execute(a, ctx),
        Some(Command::ShowRequest(a)) => show_request::execute(a, ctx),
        Some(Command::Import(c)) => import::execute(c, ctx),
        Some(Command::Db(c)) => db::execute(c, ctx),
    }
}
