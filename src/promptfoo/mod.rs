//! promptfoo configs (`promptfooconfig.yaml`) read as they are: prompts, providers, tests and
//! assertions become an in-memory temper session, run by the same runner, and graded per sample
//! so the report can say which tests are flaky (docs/promptfoo.md; floor in
//! docs/architecture.md).

pub mod assert;
pub mod config;
pub mod convert;
pub mod detect;
pub mod grade;
pub mod judge;
pub mod nunjucks;
pub mod prompts;
pub mod providers;
pub mod report;
pub mod suite_run;
pub mod tests_load;
pub mod values;

pub use assert::{Assertion, Kind};
pub use config::{Suite, load};
pub use convert::{Converted, convert};
pub use detect::looks_like_promptfoo;
pub use grade::{SampleFacts, grade_test};
pub use report::{SuiteReport, TestReport, build_report};
pub use suite_run::SuiteSpec;

use thiserror::Error;

/// A promptfoo config temper cannot use as written: the file, the line and what is wrong.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{path}:{line}: {message}")]
pub struct PromptfooError {
    pub path: String,
    /// 1-based; 0 when the place is the whole file.
    pub line: usize,
    pub message: String,
}

impl PromptfooError {
    /// An error at `line` of `path`.
    pub fn at(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        PromptfooError {
            path: path.display().to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The 1-based line of the first occurrence of `needle` in `text` (1 when absent), so an error
/// found after parsing still points near its cause.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}
