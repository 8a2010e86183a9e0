//! Unit tests of `output_hash.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn tool_call_ids_do_not_matter_but_names_and_arguments_do() {
    let a = r#"[{"id":"call_1","name":"f","arguments":"{\"x\":1}"}]"#;
    let b = r#"[{"id":"call_2","name":"f","arguments":"{\"x\":1}"}]"#;
    let c = r#"[{"id":"call_1","name":"f","arguments":"{\"x\":2}"}]"#;
    assert_eq!(output_hash(None, Some(a)), output_hash(Some(""), Some(b)));
    assert_ne!(output_hash(None, Some(a)), output_hash(None, Some(c)));
    assert_ne!(output_hash(None, Some(a)), output_hash(None, None));
}

#[test]
fn text_alone_hashes_as_text_and_bad_tool_json_counts_as_none() {
    assert_eq!(
        output_hash(Some("hi"), None),
        output_hash(Some("hi"), Some("[]"))
    );
    assert_eq!(
        output_hash(Some("hi"), None),
        output_hash(Some("hi"), Some("{oops"))
    );
    assert_ne!(
        output_hash(Some("hi"), None),
        output_hash(Some("hi "), None)
    );
    // Pinned: the hash is stored, so it must never change between builds.
    assert_eq!(output_hash(Some(""), None), -2_039_914_840_885_289_964);
}
