//! Sessions in the TUI, on the worker: list `sessions/*.toml`, open one, save the workspace as
//! one, and after a session's run, evaluate its checks over the stored cells as `temper check`
//! does.

use super::event::{Event, SessionChecks};
use crate::session::Session;
use crate::store::Store;
use std::path::{Path, PathBuf};

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

/// Read the session at `path` (matrix, checks, traces) for the Run and Trace views.
pub fn open(path: &Path) -> Event {
    match Session::read(path) {
        Ok(session) => Event::SessionOpened(Box::new(session)),
        Err(e) => Event::Failed {
            what: format!("opening {}", path.display()),
            error: e.to_string(),
        },
    }
}

/// Write the workspace `session` as `dir/NAME.toml` (never over an existing file).
pub fn save(dir: &Path, name: &str, session: &Session) -> Event {
    match crate::session::save(dir, name, session) {
        Ok(path) => Event::SessionSaved(path),
        Err(e) => Event::Failed {
            what: "saving the session".into(),
            error: e.to_string(),
        },
    }
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
    let verdict = crate::session::verdict(store, &session, run_id).map_err(|e| e.to_string())?;
    let crate::session::RunChecks { cells, failures } = verdict.checks;
    Ok(SessionChecks {
        failures,
        cases: verdict.cases,
        checks: session.check.names(),
        cells: cells.len(),
        name: session.name,
        run_id,
    })
}
