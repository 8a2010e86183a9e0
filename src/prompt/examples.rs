//! The example prompts, embedded in the binary so a fresh DB has something to try from any
//! directory (`cargo run --release` with no checkout-relative paths).

use super::PromptFile;

/// File name and TOML text of every example under examples/prompts/.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "support-answer.toml",
        include_str!("../../examples/prompts/support-answer.toml"),
    ),
    (
        "extract-invoice.toml",
        include_str!("../../examples/prompts/extract-invoice.toml"),
    ),
    (
        "agent-ops.toml",
        include_str!("../../examples/prompts/agent-ops.toml"),
    ),
    (
        "classify-ticket.toml",
        include_str!("../../examples/prompts/classify-ticket.toml"),
    ),
];

/// The parsed examples. They are checked by a unit test, so a parse failure here is a build bug.
pub fn example_prompts() -> Vec<PromptFile> {
    EXAMPLES
        .iter()
        .filter_map(|(name, text)| PromptFile::parse(text, name).ok())
        .collect()
}

#[cfg(test)]
#[path = "examples_tests.rs"]
mod tests;
