//! Sessions: a TOML experiment (prompts x variants x cases x N) with a `[check]` table; the
//! CI gate (`temper check`) runs one and fails when a check does not hold.

mod answer_checks;
pub mod baseline;
pub mod cases_file;
pub mod checks;
pub mod ci;
pub mod evaluate;
pub mod evidence;
pub mod expect;
pub mod file;
pub mod judge;
pub mod judge_run;
pub mod metrics;
pub mod outcomes;
pub mod plan;
pub mod prompt_files;
pub mod resolve;
pub mod save;
#[cfg(test)]
mod save_tests;
pub mod stored;

pub use cases_file::CasesFile;
pub use checks::{Answer, Checks, JsonSchema};
pub use evaluate::{CellFacts, CheckedCell, Failure, evaluate, evaluate_checked};
pub use evidence::Evidence;
pub use expect::MustEqual;
pub use file::{Case, Located, Session, SessionError, Variant};
pub use judge::{Grade, Graded, Judge};
pub use metrics::VariantMetrics;
pub use outcomes::{CaseOutcome, CheckOutcome};
pub use plan::plan;
pub use resolve::{ResolveError, Resolved, resolve};
pub use save::{SaveError, save};
pub use stored::{RunChecks, RunVerdict, check_run, verdict};
