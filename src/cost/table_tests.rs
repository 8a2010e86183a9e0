//! Unit tests of `table.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn embedded_table_parses_and_names_are_unique_per_provider() {
    let (info, rows) = parse_table(EMBEDDED_TABLE).unwrap();
    assert_eq!(info.as_of.len(), 10, "as_of is a date");
    assert!(rows.len() > 40);
    for provider in ["openai", "anthropic", "google", "mistral", "deepseek"] {
        assert!(rows.iter().any(|r| r.provider == provider), "{provider}");
        assert!(info.sources.contains_key(provider), "{provider} source");
    }
    for row in &rows {
        for name in std::iter::once(&row.model).chain(&row.aliases) {
            let hits = find_rows(&rows, Some(&row.provider), name);
            assert_eq!(hits.len(), 1, "{} answers for {name}", hits.len());
        }
    }
}

#[test]
fn snapshots_strip_to_their_base_name() {
    assert_eq!(strip_snapshot("gpt-4o-2024-08-06"), Some("gpt-4o"));
    assert_eq!(
        strip_snapshot("claude-3-5-haiku-20241022"),
        Some("claude-3-5-haiku")
    );
    assert_eq!(strip_snapshot("gpt-4-0613"), Some("gpt-4"));
    assert_eq!(strip_snapshot("mistral-large-2411"), Some("mistral-large"));
    assert_eq!(strip_snapshot("codestral-latest"), Some("codestral"));
    assert_eq!(strip_snapshot("gemini-2.0-flash-001"), None);
    assert_eq!(strip_snapshot("gpt-4o"), None);
    assert_eq!(strip_snapshot("é-2024-08-06"), Some("é"));
}

#[test]
fn exact_snapshot_row_beats_the_stripped_name() {
    let (_, rows) = parse_table(EMBEDDED_TABLE).unwrap();
    let hits = find_rows(&rows, None, "gpt-4o-2024-05-13");
    assert_eq!(hits[0].input, 5.0);
    let hits = find_rows(&rows, None, "gpt-4o-2024-08-06");
    assert_eq!(hits[0].model, "gpt-4o");
}

#[test]
fn bad_table_names_the_line() {
    let err = parse_table("as_of = \"x\"\nnote = \"\"\n[sources]\n[[models]]\nprovider = 1\n")
        .unwrap_err();
    assert!(err.starts_with("5:"), "{err}");
}
