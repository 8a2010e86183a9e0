//! Unit tests of `citation.rs` (kept beside it so the module reads without them).

use super::citations;
use std::collections::BTreeSet;

#[test]
fn finds_shaped_and_explicit_citations() {
    let got: BTreeSet<&str> = ["kb-0017", "kb-0023"].into_iter().collect();
    let answer = "Refunds take 5 days [kb-0017]. Express is free [kb-0099][source: faq.md]. See [1] and [note].";
    assert_eq!(
        citations(answer, &got),
        vec!["kb-0017", "kb-0099", "faq.md"]
    );
}
