//! Unit tests of `paths.rs` (kept beside it so the module reads without them).

use super::*;

fn names(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(n, d)| (n.to_string(), *d)).collect()
}

#[test]
fn one_match_completes_and_a_directory_gets_a_slash() {
    let n = names(&[("traces", true), ("prompts", true), ("readme.md", false)]);
    assert_eq!(extend("tr", &n), "traces/");
    assert_eq!(extend("rea", &n), "readme.md");
    assert_eq!(extend("x", &n), "x");
}

#[test]
fn several_matches_complete_to_their_common_prefix() {
    let n = names(&[
        ("rag-answer.jsonl", false),
        ("rag-agent.json", false),
        (".rag", false),
    ]);
    assert_eq!(extend("r", &n), "rag-a");
    assert_eq!(extend("rag-an", &n), "rag-answer.jsonl");
}

#[test]
fn completes_against_a_real_directory() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("traces")).unwrap_or_default();
    std::fs::write(dir.path().join("traces/run.jsonl"), "").unwrap_or_default();
    let base = dir.path().display().to_string();
    assert_eq!(complete(&format!("{base}/tr")), format!("{base}/traces/"));
    assert_eq!(
        complete(&format!("{base}/traces/")),
        format!("{base}/traces/run.jsonl")
    );
}
