//! Unit tests of `prompts.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn text_file_splits_on_dashes_with_lines() {
    let parts = split_prompts("one {{a}}\n---\ntwo\nlines\n---\n\nthree\n");
    assert_eq!(
        parts,
        vec![(1, "one {{a}}"), (3, "two\nlines"), (6, "\nthree")]
    );
}

#[test]
fn inline_json_chat_becomes_messages() {
    let text = r#"[{"role":"system","content":"Be {{ tone }}"},{"role":"user","content":"{{q}}"}]"#;
    let src = Source {
        path: Path::new("c.yaml"),
        text,
    };
    let p = inline(src, text, "l".into()).unwrap();
    assert_eq!(p.messages.len(), 2);
    assert_eq!(p.messages[0].0, Role::System);
    assert_eq!(p.messages[0].1.text, "Be {{tone}}");
}
