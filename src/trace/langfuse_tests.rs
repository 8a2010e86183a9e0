//! Unit tests of `langfuse.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;

#[test]
fn ui_download_with_json_encoded_strings() {
    let doc = json!({"result": {"data": {"json": {
        "trace": {"id": "t1", "name": "support", "input": "\"Where is 8812?\""},
        "observations": [{"id": "g1", "type": "GENERATION", "model": "gpt-4o",
            "output": "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{}\"}}]}"}],
        "scores": []
    }}}});
    assert!(sniff(&doc).is_ok());
    let mut spans = Vec::new();
    read(doc, &mut spans).expect("reads");
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].input.as_deref(), Some("Where is 8812?"));
    assert_eq!(spans[1].parent.as_deref(), Some("t1"));
    let calls = crate::trace::toolcalls::extract_text(spans[1].output.as_deref().unwrap_or(""));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "lookup");
}
