//! Unit tests of `snapshot.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn the_snapshot_decodes_and_matches_its_note() {
    let note = provenance().unwrap();
    assert_eq!(note.as_of.len(), 10);
    assert_eq!(note.gzip_bytes, SNAPSHOT_GZ.len());
    let json = snapshot_json().unwrap();
    assert_eq!(json.len(), note.json_bytes);
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(map.len(), note.models);
    let (info, rows) = builtin().unwrap();
    assert_eq!(info.as_of, note.as_of);
    // Two keys may spell one provider's model (bedrock and bedrock_converse): one row.
    assert!(rows.len() * 100 >= note.models * 95, "{} rows", rows.len());
    for provider in [
        "openai",
        "anthropic",
        "google",
        "mistral",
        "deepseek",
        "groq",
    ] {
        assert!(rows.iter().any(|r| r.provider == provider), "{provider}");
    }
}

#[test]
fn every_name_answers_for_one_row_per_provider() {
    let (_, rows) = builtin().unwrap();
    for row in rows
        .iter()
        .filter(|r| r.origin == table::PriceOrigin::Table)
    {
        for name in std::iter::once(&row.model).chain(&row.aliases) {
            let hits = table::find_rows(&rows, Some(&row.provider), name);
            assert_eq!(
                hits.len(),
                1,
                "{}: {} rows answer to {name}",
                row.key(),
                hits.len()
            );
        }
    }
}
