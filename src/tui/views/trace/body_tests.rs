//! Unit tests of `body.rs`: the detail pane's span is decoded when the selection changes and
//! read from there by every frame.

use super::*;
use crate::trace::{Format, PackedTrace, SpanKind, ToolCall, Trace};
use crate::tui::action::Action;
use crate::tui::event::Event;
use crate::tui::views::View;
use std::path::PathBuf;

fn span(id: &str, parent: Option<&str>, kind: SpanKind) -> Span {
    Span {
        id: id.into(),
        parent: parent.map(Into::into),
        kind,
        name: id.into(),
        ..Span::default()
    }
}

/// A chain with an LLM call (a 100 KB input) and a tool call under it, opened in the view.
fn opened() -> (TraceView, Arc<PackedTrace>) {
    let mut llm = span("l", Some("r"), SpanKind::Llm);
    llm.input = Some("x".repeat(100_000));
    let mut tool = span("t", Some("r"), SpanKind::Tool);
    tool.tool = Some(ToolCall {
        name: "search".into(),
        ..ToolCall::default()
    });
    let spans = vec![span("r", None, SpanKind::Chain), llm, tool];
    let packed = Arc::new(PackedTrace::pack(Trace::build(
        Format::TemperJsonl,
        spans,
        Vec::new(),
    )));
    let mut view = TraceView::default();
    let path = PathBuf::from("t.jsonl");
    view.path = Some(path.clone());
    view.on_event(&Event::Trace {
        path,
        result: Ok(packed.clone()),
    });
    (view, packed)
}

fn cached(view: &TraceView) -> Option<usize> {
    view.body.as_ref().map(|b| b.span)
}

#[test]
fn the_selected_span_is_decoded_once_and_read_from_the_cache() {
    let (mut view, packed) = opened();
    assert_eq!(cached(&view), Some(0), "the root, selected on open");
    view.on_action(Action::Down);
    assert_eq!(view.selected_span(), Some(1));
    assert_eq!(cached(&view), Some(1));
    // A frame borrows the decoded span; any other span is decoded on the spot.
    let Some(Cow::Borrowed(llm)) = view.decoded(1) else {
        panic!("the selected span is not the cached one");
    };
    assert_eq!(*llm, packed.span(1));
    assert_eq!(llm.input.as_ref().map(String::len), Some(100_000));
    assert!(matches!(view.decoded(0), Some(Cow::Owned(_))));
    assert!(view.decoded(3).is_none(), "no such span");
}

#[test]
fn the_cache_follows_the_pane_the_detail_shows() {
    let (mut view, _) = opened();
    // Tree -> Chunks -> Tools: the detail pane shows the selected tool call's span.
    view.on_action(Action::FocusNext);
    view.on_action(Action::FocusNext);
    assert_eq!(view.detail(), TracePane::Tools);
    assert_eq!(view.selected_tool(), Some(2));
    assert_eq!(cached(&view), Some(2));
    let (title, _) =
        super::super::detail::detail(&view, view.loaded().expect("loaded"), &Default::default());
    assert!(title.contains("Tool call search"), "{title}");
}
