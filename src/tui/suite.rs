//! promptfoo suites in the TUI, on the worker (docs/promptfoo.md, "In the TUI"): the Run view's
//! picker lists `promptfooconfig.yaml` of the current directory beside the session files;
//! `temper check CONFIG --tui` opens one directly. Planning saves the suite's prompts and goes
//! through the same spend guard as every TUI run; after the run each `llm-rubric` judge's calls
//! are offered through the spend guard too (a run of their own), then the stored cells are
//! graded into the flakiness report, shown as the cases list, flaky tests first.

use super::event::{Event, SpendCheck, SuiteGrading};
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

/// Go on grading a suite's run: the next judge (from `grading.judged` on) with answers left to
/// grade is offered through the spend guard as a run of its own (its end comes back here with
/// the judge after it); when none is left, the flakiness report, or why not. A judge whose
/// calls cannot be planned is skipped with the reason, and the report still comes.
pub fn grade(store: &mut Store, config: &Config, db_path: &Path, grading: SuiteGrading) -> Event {
    match next_judge_or_report(store, config, db_path, &grading) {
        Ok(Next::Judge(check)) => Event::Estimated(Box::new(check)),
        Ok(Next::Report(report)) => Event::SuiteChecks(Box::new(report)),
        Err(error) => Event::Failed {
            what: format!(
                "grading {} on run #{}",
                grading.suite.path.display(),
                grading.run_id
            ),
            error,
        },
    }
}

/// Where grading a suite's run goes next.
enum Next {
    /// A judge's calls, to run through the spend guard first.
    Judge(SpendCheck),
    /// Every judge is done: the flakiness report.
    Report(crate::promptfoo::SuiteReport),
}

/// The spend check of the first judge from `grading.judged` on that has answers to grade, else
/// the report from the judges' stored grades. The suite is converted and the run's cells read
/// once for both.
fn next_judge_or_report(
    store: &mut Store,
    config: &Config,
    db_path: &Path,
    grading: &SuiteGrading,
) -> Result<Next, String> {
    let text = |e: SuiteRunError| e.to_string();
    let converted = grading.suite.convert().map_err(|e| e.to_string())?;
    let judges = crate::promptfoo::judge::judges(&converted, None).map_err(|e| e.to_string())?;
    let (cells, samples) =
        suite_run::suite_cells(store, &converted, grading.run_id).map_err(text)?;
    let suite = (converted.session.name.as_str(), &cells[..], &samples[..]);
    for (i, judge) in judges.iter().enumerate().skip(grading.judged) {
        let pending = crate::promptfoo::judge::pending_plan(store, judge, suite, &config.run)
            .map_err(|e| e.to_string())?;
        let Some(plan) = pending else { continue };
        let label = format!(
            "judge {} on {} (run #{})",
            judge.judge.model, converted.session.name, grading.run_id
        );
        let mut check = super::spend::guard(store, config, db_path, (label, plan, None))?;
        check.grading = Some(SuiteGrading {
            judged: i + 1,
            ..grading.clone()
        });
        return Ok(Next::Judge(check));
    }
    // llm-rubric answers are graded by the judges' stored grades (their calls ran just before).
    let report = suite_run::grade(
        store,
        &converted,
        (grading.run_id, &cells, &samples),
        &judges,
        false,
    )
    .map_err(text)?;
    Ok(Next::Report(report))
}
