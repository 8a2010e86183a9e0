//! Unit tests of `tree.rs` (kept beside it so the module reads without them).

use super::*;

fn span(id: &str, parent: Option<&str>) -> Span {
    Span {
        id: id.into(),
        parent: parent.map(Into::into),
        ..Span::default()
    }
}

#[test]
fn builds_tree_with_orphan_and_cycle() {
    let spans = vec![
        span("root", None),
        span("a", Some("root")),
        span("b", Some("a")),
        span("lost", Some("nowhere")),
        span("x", Some("y")),
        span("y", Some("x")),
        span("self", Some("self")),
    ];
    let t = Trace::build(Format::TemperJsonl, spans, vec![]);
    assert_eq!(t.children[0], vec![1]);
    assert_eq!(t.children[1], vec![2]);
    assert_eq!(t.orphans, vec![3]);
    assert_eq!(t.cycles.len(), 2, "x<->y cut once, self cut once");
    assert!(t.cycles.contains(&6));
    assert_eq!(t.walk().len(), 7, "every span reachable exactly once");
    assert!(
        t.flags
            .iter()
            .any(|f| f.kind == FlagKind::Orphan && f.span_id == "lost")
    );
    assert!(
        t.flags
            .iter()
            .any(|f| f.kind == FlagKind::Cycle && f.span_id == "self")
    );
}

#[test]
fn long_chain_walks_without_recursion() {
    let mut spans = vec![span("0", None)];
    for i in 1..200_000 {
        spans.push(span(&i.to_string(), Some(&(i - 1).to_string())));
    }
    let t = Trace::build(Format::TemperJsonl, spans, vec![]);
    let walk = t.walk();
    assert_eq!(walk.len(), 200_000);
    assert_eq!(walk[199_999].1, 199_999);
    assert_eq!(t.root_of(199_999), 0);
}
