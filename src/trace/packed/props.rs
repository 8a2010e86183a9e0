//! Property test of the packed trace: any spans (any field set or not, any text, any time jiff
//! holds, ids that repeat and parents that are missing or loop) pack and decode to themselves.

use super::tests::assert_same;
use super::*;
use crate::trace::detectors::{self, Limits};
use crate::trace::model::{Document, SpanExtra, ToolCall, ToolRequest, Usage};
use crate::trace::tree::Trace;
use crate::trace::wire::JsonText;
use proptest::option::of;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,12}", "\\PC{0,40}", Just(String::new())]
}

fn number() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("NaN is never equal to itself", |f| !f.is_nan())
}

fn time() -> impl Strategy<Value = Option<Timestamp>> {
    let range = Timestamp::MIN.as_nanosecond()..=Timestamp::MAX.as_nanosecond();
    of(prop_oneof![range, -1_000_000_000i128..1_000_000_000]
        .prop_map(|ns| Timestamp::from_nanosecond(ns).ok()))
    .prop_map(Option::flatten)
}

fn document() -> impl Strategy<Value = Document> {
    (of(text()), of(text()), of(number()), of(text())).prop_map(|(id, source, score, content)| {
        Document {
            id,
            source,
            score,
            content,
        }
    })
}

fn extra() -> impl Strategy<Value = SpanExtra> {
    let usage =
        (of(any::<u64>()), of(any::<u64>()), of(any::<u64>())).prop_map(|(p, c, t)| Usage {
            prompt_tokens: p,
            completion_tokens: c,
            total_tokens: t,
        });
    let tool = (text(), of(text()), of(text())).prop_map(|(name, arguments, result)| ToolCall {
        name,
        arguments,
        result,
    });
    let call = (of(text()), text(), of(text())).prop_map(|(id, name, arguments)| ToolRequest {
        id,
        name,
        arguments,
    });
    let json = || of(text().prop_map(|t| serde_json::json!({ "t": t, "n": [1.5, -3] })));
    (
        (
            of(text()),
            of(usage),
            of(number()),
            prop::collection::vec(document(), 0..4),
        ),
        (
            of(tool),
            prop::collection::vec(call, 0..3),
            of(text()),
            json(),
            json(),
        ),
    )
        .prop_map(|((error, usage, cost, documents), rest)| {
            let (tool, tool_calls, tool_call_id, output_schema, request) = rest;
            SpanExtra {
                error,
                usage,
                cost,
                documents,
                tool,
                tool_calls,
                tool_call_id,
                output_schema,
                request: request.as_ref().map(JsonText::new),
            }
        })
}

fn span() -> impl Strategy<Value = Span> {
    let id = prop_oneof![(0..12u8).prop_map(|i| format!("s{i}")), text()];
    let parent = of(prop_oneof![(0..14u8).prop_map(|i| format!("s{i}")), text()]);
    (
        (id, parent, 0..8usize, 0..3usize, text(), time(), time()),
        (of(text()), of(text()), of(text()), of(extra())),
    )
        .prop_map(|((id, parent, kind, status, name, start, end), rest)| {
            let (input, output, model, extra) = rest;
            let span = Span {
                id: id.into(),
                parent: parent.map(Into::into),
                kind: KINDS[kind],
                status: STATUSES[status],
                name: name.into(),
                start,
                end,
                input,
                output,
                model: model.map(Into::into),
                extra: None,
            };
            match extra {
                Some(x) => span.with_extra(x),
                None => span,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_spans_pack_and_decode_to_themselves(spans in prop::collection::vec(span(), 0..40)) {
        let mut t = Trace::build(Format::TemperJsonl, spans, Vec::new());
        detectors::run(&mut t, &Limits::default());
        assert_same(&t, &PackedTrace::pack(t.clone()), "generated");
    }
}
