//! Unit tests of `examples.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn every_example_parses() {
    for (name, text) in EXAMPLES {
        PromptFile::parse(text, name).unwrap();
    }
    assert_eq!(example_prompts().len(), EXAMPLES.len());
}
