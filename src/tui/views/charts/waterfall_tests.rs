//! Unit tests of `waterfall.rs` (kept beside it so the module reads without them).

use super::*;
use crate::trace::{Format, Span as S, Trace};

fn span(id: &str, parent: Option<&str>, kind: SpanKind, from_ms: i64, to_ms: i64) -> S {
    let at = |ms: i64| jiff::Timestamp::from_millisecond(1_700_000_000_000 + ms).ok();
    S {
        id: id.into(),
        parent: parent.map(Into::into),
        kind,
        name: id.into(),
        start: at(from_ms),
        end: at(to_ms),
        ..Default::default()
    }
}

/// agent 0..1000: llm 0..200, two tools in parallel 200..600 and 270..510, llm 600..1000.
fn agent() -> PackedTrace {
    PackedTrace::pack(agent_trace())
}

fn agent_trace() -> Trace {
    Trace::build(
        Format::TemperJsonl,
        vec![
            span("a", None, SpanKind::Agent, 0, 1000),
            span("l1", Some("a"), SpanKind::Llm, 0, 200),
            span("t1", Some("a"), SpanKind::Tool, 200, 600),
            span("t2", Some("a"), SpanKind::Tool, 270, 510),
            span("l2", Some("a"), SpanKind::Llm, 600, 1000),
        ],
        Vec::new(),
    )
}

#[test]
fn the_critical_path_skips_the_shorter_parallel_call() {
    let t = agent();
    let w = Waterfall::new(&t, &t.walk());
    assert_eq!(w.axis.map(|a| a.ms()), Some(1000.0));
    // a, l1, t1 (ends at 600 where l2 starts), l2; t2 ran beside t1 and is not on it.
    assert_eq!(w.critical, [0, 1, 2, 4]);
    assert!(!w.on_path(3));
}

#[test]
fn parallel_calls_overlap_on_the_axis() {
    let t = agent();
    let w = Waterfall::new(&t, &t.walk());
    let theme = Theme::default();
    let text = |i| -> String {
        w.cells(&t, i, 21, &theme)
            .iter()
            .map(|s| s.content.as_ref())
            .collect()
    };
    assert_eq!(text(2), format!("{CRITICAL}     ████████"));
    assert_eq!(text(3), "       ▐████▎");
    assert_eq!(text(1), format!("{CRITICAL} ████"));
    // Narrow: the offset as text.
    let narrow: String = w
        .cells(&t, 3, 5, &theme)
        .iter()
        .map(|s| s.content.as_ref())
        .collect();
    assert_eq!(narrow, "  @270ms");
}

#[test]
fn bars_are_coloured_by_kind_and_errors_win() {
    let theme = Theme::default();
    let t = agent();
    assert_eq!(kind_color(&t, 1, &theme), theme.accent);
    assert_eq!(kind_color(&t, 2, &theme), theme.role_tool);
    let mut t = agent_trace();
    t.spans[2].error = Some("boom".into());
    assert_eq!(kind_color(&PackedTrace::pack(t), 2, &theme), theme.error);
}

#[test]
fn spans_without_times_draw_no_axis() {
    let t = PackedTrace::pack(Trace::build(
        Format::TemperJsonl,
        vec![S::default()],
        Vec::new(),
    ));
    let w = Waterfall::new(&t, &t.walk());
    assert_eq!(w, Waterfall::default());
    assert_eq!(w.legend(), None);
}

#[test]
fn a_deep_chain_does_not_overflow() {
    let spans: Vec<S> = (0..50_000)
        .map(|i| {
            let parent = (i > 0).then(|| format!("s{}", i - 1));
            span(
                &format!("s{i}"),
                parent.as_deref(),
                SpanKind::Chain,
                i,
                100_000 - i,
            )
        })
        .collect();
    let t = PackedTrace::pack(Trace::build(Format::TemperJsonl, spans, Vec::new()));
    assert_eq!(critical_path(&t, 0).len(), 50_000);
}

#[test]
fn fit_line_cuts_with_a_mark_and_pads() {
    let line = Line::from(vec![Span::raw("abc"), Span::raw("def")]);
    let cut: String = fit_line(line.clone(), 4)
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect();
    assert_eq!(cut, "abc…");
    let pad: String = fit_line(line, 8)
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect();
    assert_eq!(pad, "abcdef  ");
    assert_eq!(duration(5950.0), "5.95s");
    assert_eq!(duration(125_000.0), "2m05s");
}
