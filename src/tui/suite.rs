//! promptfoo suites in the TUI, on the worker (docs/promptfoo.md, "In the TUI"): the Run view's
//! picker lists `promptfooconfig.yaml` of the current directory beside the session files;
//! `temper check CONFIG --tui` opens one directly. Planning saves the suite's prompts and goes
//! through the same spend guard as every TUI run; after the run the stored cells are graded
//! into the flakiness report, shown as the cases list, flaky tests first.

use super::event::{Event, SpendCheck};
use crate::config::Config;
use crate::promptfoo::SuiteSpec;
use crate::promptfoo::suite_run::{self, SuiteRunError};
use crate::store::Store;
use std::path::{Path, PathBuf};

/// The names promptfoo itself looks for in the current directory.
pub const CONFIG_NAMES: [&str; 2] = ["promptfooconfig.yaml", "promptfooconfig.yml"];

/// The session list, with the promptfoo configs of the current directory after it.
pub fn with_configs(listed: Event) -> Event {
    match listed {
        Event::Sessions(mut files) => {
            files.extend(configs_in(Path::new(".")));
            Event::Sessions(files)
        }
        other => other,
    }
}

/// The promptfoo configs directly in `dir`, by promptfoo's default names.
pub fn configs_in(dir: &Path) -> Vec<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|name| dir.join(name))
        .filter(|p| p.is_file())
        .collect()
}

/// Whether the picker's `path` is a promptfoo config (YAML) rather than a session (TOML).
pub fn is_config(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
}

/// Convert the suite, save its prompts, plan it and run the spend guard over the plan.
pub fn check(store: &mut Store, config: &Config, db_path: &Path, spec: &SuiteSpec) -> Event {
    match plan(store, config, db_path, spec) {
        Ok(check) => Event::Estimated(Box::new(check)),
        Err(error) => Event::Failed {
            what: format!("planning the promptfoo suite {}", spec.path.display()),
            error,
        },
    }
}

fn plan(
    store: &mut Store,
    config: &Config,
    db_path: &Path,
    spec: &SuiteSpec,
) -> Result<SpendCheck, String> {
    let converted = spec.convert().map_err(|e| e.to_string())?;
    // The runs of the TUI use the config it was opened with: a provider the suite defines
    // (`apiBaseUrl`) must be in it, which `temper check CONFIG --tui` sees to.
    if let Some(name) = converted
        .extra_providers
        .keys()
        .find(|n| !config.providers.contains_key(*n))
    {
        return Err(format!(
            "the provider {name} is defined by the config's apiBaseUrl: open the suite with `temper check {} --tui` (or give --model)",
            spec.path.display()
        ));
    }
    let resolved = suite_run::prepare(store, &converted, config).map_err(|e| e.to_string())?;
    let plan = crate::session::plan(&converted.session, &resolved, &config.run);
    let label = format!("promptfoo {}", converted.session.name);
    super::spend::guard(store, config, db_path, (label, plan, None))
}

/// Grade run `run_id` of the suite: its flakiness report, or why not.
pub fn grade(store: &Store, spec: &SuiteSpec, run_id: i64) -> Event {
    match report(store, spec, run_id) {
        Ok(report) => Event::SuiteChecks(Box::new(report)),
        Err(e) => Event::Failed {
            what: format!("grading {} on run #{run_id}", spec.path.display()),
            error: e.to_string(),
        },
    }
}

fn report(
    store: &Store,
    spec: &SuiteSpec,
    run_id: i64,
) -> Result<crate::promptfoo::SuiteReport, SuiteRunError> {
    let converted = spec.convert()?;
    let (cells, samples) = suite_run::suite_cells(store, &converted, run_id)?;
    // llm-rubric answers are graded by the judge's stored grades (`temper check` runs it).
    let judges = crate::promptfoo::judge::judges(&converted, None).unwrap_or_default();
    suite_run::grade(
        store,
        &converted,
        (run_id, &cells, &samples),
        &judges,
        false,
    )
}
