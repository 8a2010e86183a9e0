//! Running a promptfoo suite and grading its run, shared by `temper check CONFIG` and the TUI
//! (`temper check CONFIG --tui`, the Run view's picker): the config's prompts saved as
//! versions, its `apiBaseUrl` providers laid over the user's config, and the stored cells of a
//! run graded into the flakiness report (docs/promptfoo.md).

use super::convert::Converted;
use super::judge::RubricJudge;
use super::report::{SuiteReport, build_report};
use crate::config::Config;
use crate::session::{CellFacts, Resolved};
use crate::store::{CellInfo, SampleRow, Store, StoreError};
use std::path::PathBuf;
use thiserror::Error;

/// Samples per test when none is given (promptfoo's `--repeat` is 1; flakiness needs more).
pub const DEFAULT_SAMPLES: u32 = 5;

/// A suite to run: the config, the models that replace its providers (none: its own) and N.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteSpec {
    pub path: PathBuf,
    pub models: Vec<String>,
    pub samples: u32,
}

impl SuiteSpec {
    /// The config at `path` on its own providers, [`DEFAULT_SAMPLES`] each.
    pub fn new(path: PathBuf) -> SuiteSpec {
        SuiteSpec {
            path,
            models: Vec::new(),
            samples: DEFAULT_SAMPLES,
        }
    }

    /// Read and convert the config (nothing runs half-configured: no `--keep-going` here).
    pub fn convert(&self) -> Result<Converted, SuiteRunError> {
        let suite = super::load(&self.path, false)?;
        Ok(super::convert(&suite, &self.models, self.samples.max(1))?)
    }
}

/// Why a suite could not be run or graded.
#[derive(Debug, Error)]
pub enum SuiteRunError {
    #[error(transparent)]
    Config(#[from] super::PromptfooError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Resolve(String),
    #[error("run #{run_id} has no cell of this promptfoo suite; run it first")]
    NoCells { run_id: i64 },
}

/// `config` with the provider tables the suite's `apiBaseUrl`/`apiKeyEnvar` need laid over
/// (the user's own tables of the same name win).
pub fn config_with_providers(config: &Config, converted: &Converted) -> Config {
    let mut config = config.clone();
    for (name, provider) in &converted.extra_providers {
        config
            .providers
            .entry(name.clone())
            .or_insert_with(|| provider.clone());
    }
    config
}

/// Save the suite's prompts (a new version only when the content changed) and resolve its
/// session against the store.
pub fn prepare(
    store: &mut Store,
    converted: &Converted,
    config: &Config,
) -> Result<Resolved, SuiteRunError> {
    let origin = format!("promptfoo: {}", converted.session.path.display());
    for (name, body) in &converted.prompts {
        store.save_version(name, body, &origin)?;
    }
    crate::session::resolve(&converted.session, store, config)
        .map_err(|e| SuiteRunError::Resolve(e.to_string()))
}

/// The cells of run `run_id` that belong to the suite, with their samples.
pub fn suite_cells(
    store: &Store,
    converted: &Converted,
    run_id: i64,
) -> Result<(Vec<CellInfo>, Vec<Vec<SampleRow>>), SuiteRunError> {
    let variants: Vec<&str> = converted
        .session
        .variants
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let cells: Vec<CellInfo> = store
        .cells(run_id)?
        .into_iter()
        .filter(|c| {
            variants.contains(&c.cell.variant_name.as_str())
                && converted.tests.contains_key(&c.cell.case_name)
        })
        .collect();
    if cells.is_empty() {
        return Err(SuiteRunError::NoCells { run_id });
    }
    let samples = cells
        .iter()
        .map(|c| store.samples(c.id))
        .collect::<Result<_, _>>()?;
    Ok((cells, samples))
}

/// Grade `cells` of run `run_id` (from [`suite_cells`]) with the judges' stored grades.
pub fn grade(
    store: &Store,
    converted: &Converted,
    (run_id, cells, samples): (i64, &[CellInfo], &[Vec<SampleRow>]),
    judges: &[RubricJudge],
    fail_on_flaky: bool,
) -> Result<SuiteReport, SuiteRunError> {
    let rubric_grades = super::judge::rubric_grades(store, judges, cells, samples)?;
    let labels: Vec<String> = cells
        .iter()
        .map(|c| format!("{}@{}", c.prompt, c.prompt_number))
        .collect();
    let facts: Vec<CellFacts<'_>> = cells
        .iter()
        .zip(samples)
        .zip(&labels)
        .map(|((c, s), label)| CellFacts {
            prompt: label,
            variant: &c.cell.variant_name,
            case: &c.cell.case_name,
            samples: s,
            grades: &[],
        })
        .collect();
    Ok(build_report(
        converted,
        run_id,
        (&facts, &rubric_grades),
        fail_on_flaky,
    ))
}
