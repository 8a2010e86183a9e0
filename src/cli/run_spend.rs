//! The spend guard of `temper run`: print the estimate, then start, ask, or refuse, before any
//! call is made. Questions are only asked when stdin and stderr are terminals; in CI the budget
//! flag alone decides.

use super::Ctx;
use crate::runner::{self, Decision, PreparedCell, SpendEstimate, SpendPolicy};
use crate::sanitize::one_line;
use std::io::{BufRead, IsTerminal, Write};

/// What the guard needs from the command line.
pub(super) struct GuardInput<'a> {
    pub cells: &'a [PreparedCell],
    pub book: &'a crate::cost::PriceBook,
    pub store: &'a crate::store::Store,
    pub budget_usd: Option<f64>,
    pub yes: bool,
}

/// Estimate, print (text mode, on stderr) and decide. `Ok(None)` means the user declined.
pub(super) fn guard(input: &GuardInput<'_>, ctx: &Ctx) -> anyhow::Result<Option<SpendEstimate>> {
    let estimate = runner::estimate(input.cells, input.book, input.store)?;
    if !ctx.json {
        for line in estimate.lines(input.budget_usd) {
            eprintln!("{}", one_line(&line));
        }
    }
    let policy = SpendPolicy {
        budget_usd: input.budget_usd,
        confirm_above_usd: ctx.config.run.confirm_above_usd,
        yes: input.yes,
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    match estimate.decide(&policy) {
        Decision::Start => Ok(Some(estimate)),
        Decision::Refuse { reason } => anyhow::bail!("not started: {reason}"),
        Decision::Confirm { question } => {
            if ask(&question)? {
                Ok(Some(estimate))
            } else {
                Ok(None)
            }
        }
    }
}

/// Ask a yes/no question on the terminal; only `y` or `yes` starts.
fn ask(question: &str) -> anyhow::Result<bool> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{} [y/N] ", one_line(question))?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `--budget-usd` must be a non-negative number.
pub(super) fn check_budget(budget: Option<f64>) -> anyhow::Result<Option<f64>> {
    if let Some(b) = budget {
        anyhow::ensure!(
            b.is_finite() && b >= 0.0,
            "--budget-usd takes a non-negative amount in USD, e.g. --budget-usd 0.50; got {b}"
        );
    }
    Ok(budget)
}
