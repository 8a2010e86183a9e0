//! Sessions in the TUI, on the worker: list `sessions/*.toml`, and after a session's run,
//! evaluate its checks over the stored cells as `temper check` does.

use super::event::Event;
use crate::session::{CellFacts, Failure, Session, evaluate};
use crate::store::{SampleRow, Store};
use std::path::{Path, PathBuf};

/// A session's check verdict for one run, for the Run view.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionChecks {
    pub name: String,
    pub run_id: i64,
    pub cells: usize,
    /// Every check the session sets, in evaluation order.
    pub checks: Vec<String>,
    /// The checks that did not hold (value vs bar), per cell.
    pub failures: Vec<Failure>,
}

impl SessionChecks {
    /// Whether `check` held in every cell.
    pub fn passed(&self, check: &str) -> bool {
        !self.failures.iter().any(|f| f.check == check)
    }
}

/// The `*.toml` files in `dir`, sorted; a missing directory is an empty list.
pub fn list(dir: &Path) -> Event {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Event::Sessions(Vec::new()),
        Err(e) => {
            return Event::Failed {
                what: format!("listing {}", dir.display()),
                error: e.to_string(),
            };
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Event::Sessions(files)
}

/// Evaluate the checks of the session at `path` over run `run_id`.
pub fn check(store: &Store, path: &Path, run_id: i64) -> Event {
    match evaluate_run(store, path, run_id) {
        Ok(checks) => Event::SessionChecks(Box::new(checks)),
        Err(error) => Event::Failed {
            what: format!("checking {} on run #{run_id}", path.display()),
            error,
        },
    }
}

fn evaluate_run(store: &Store, path: &Path, run_id: i64) -> Result<SessionChecks, String> {
    let session = Session::read(path).map_err(|e| e.to_string())?;
    let cells: Vec<_> = store
        .cells(run_id)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| {
            session
                .variants
                .iter()
                .any(|v| v.name == c.cell.variant_name)
                && session.cases.iter().any(|k| k.name == c.cell.case_name)
        })
        .collect();
    let samples: Vec<Vec<SampleRow>> = cells
        .iter()
        .map(|c| store.samples(c.id))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let labels: Vec<String> = cells
        .iter()
        .map(|c| format!("{}@{}", c.prompt, c.prompt_number))
        .collect();
    let facts: Vec<CellFacts<'_>> = cells
        .iter()
        .zip(&samples)
        .zip(&labels)
        .map(|((c, s), label)| CellFacts {
            prompt: label,
            variant: &c.cell.variant_name,
            case: &c.cell.case_name,
            samples: s,
        })
        .collect();
    Ok(SessionChecks {
        failures: evaluate(&session.check, session.mode, &facts),
        checks: session.check.names(),
        cells: cells.len(),
        name: session.name,
        run_id,
    })
}
