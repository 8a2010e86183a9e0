//! Map OpenInference (`llm.*`, `retrieval.*`, `tool.*`) and OpenTelemetry GenAI (`gen_ai.*`)
//! attributes onto the span model. Both readers (Phoenix exports and OTLP) share it because OTLP
//! files often carry OpenInference attributes and vice versa.

use super::attrs::{self, Attrs, first_count, first_text, indexed, number, text};
use super::model::{Document, Span, SpanKind, Status, ToolCall, Usage};

/// Keys holding structured data that OTel allows to be JSON-encoded strings.
const JSON_KEYS: [&str; 6] = [
    "gen_ai.retrieval.documents",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.tool.call.arguments",
    "retrieval.documents",
    "reranker.output_documents",
];

/// A span event, reduced to what the mapping needs.
pub struct Event {
    pub name: String,
    pub attrs: Attrs,
}

/// Fill `span` (whose id, parent, name, times and status the reader already set) from attributes.
pub fn apply(mut a: Attrs, events: &[Event], span: &mut Span) {
    for key in JSON_KEYS {
        if key.ends_with("arguments") {
            continue; // arguments stay as the text the model produced
        }
        attrs::expand_json_string(&mut a, key);
    }
    span.kind = kind(&a, span.kind);
    span.model = first_text(
        &a,
        &[
            "llm.model_name",
            "gen_ai.response.model",
            "gen_ai.request.model",
            "embedding.model_name",
        ],
    )
    .map(Into::into);
    let usage = Usage {
        prompt_tokens: first_count(
            &a,
            &[
                "llm.token_count.prompt",
                "gen_ai.usage.input_tokens",
                "gen_ai.usage.prompt_tokens",
            ],
        ),
        completion_tokens: first_count(
            &a,
            &[
                "llm.token_count.completion",
                "gen_ai.usage.output_tokens",
                "gen_ai.usage.completion_tokens",
            ],
        ),
        total_tokens: first_count(&a, &["llm.token_count.total", "gen_ai.usage.total_tokens"]),
    };
    span.usage = (!usage.is_empty()).then_some(usage);
    span.cost = number(&a, "llm.cost.total").or_else(|| number(&a, "gen_ai.usage.cost"));
    span.input = first_text(&a, &["input.value", "gen_ai.prompt"])
        .or_else(|| messages(&a, "llm.input_messages"))
        .or_else(|| text(&a, "gen_ai.input.messages"));
    span.output = first_text(&a, &["output.value", "gen_ai.completion"])
        .or_else(|| messages(&a, "llm.output_messages"))
        .or_else(|| text(&a, "gen_ai.output.messages"));
    span.documents = documents(&a, span.kind);
    span.output_schema = text(&a, "llm.invocation_parameters")
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .as_ref()
        .and_then(schema_of_params);
    if span.kind == SpanKind::Tool {
        span.tool = Some(tool(&a, span));
        span.tool_call_id = first_text(&a, &["gen_ai.tool.call.id", "tool_call.id", "tool.id"]);
    }
    if span.kind == SpanKind::Llm {
        span.request = super::request::capture(&a)
            .as_ref()
            .map(super::JsonText::new);
        span.tool_calls = ["llm.output_messages", "gen_ai.output.messages"]
            .iter()
            .filter_map(|k| text(&a, k))
            .map(|json| super::toolcalls::extract_text(&json))
            .find(|calls| !calls.is_empty())
            .unwrap_or_default();
    }
    if let Some(msg) = first_text(&a, &["exception.message", "error.message"]) {
        span.error.get_or_insert(msg);
    }
    for event in events {
        apply_event(event, span);
    }
    if span.error.is_some() {
        span.status = Status::Error;
    }
    span.compact();
}

/// The JSON schema in a call's parameters (OpenAI's `response_format: {type: json_schema,
/// json_schema: {schema}}`, or a bare `response_format.schema`), if any.
pub fn schema_of_params(params: &serde_json::Value) -> Option<serde_json::Value> {
    let format = params.get("response_format")?;
    format
        .pointer("/json_schema/schema")
        .or_else(|| format.get("schema"))
        .filter(|s| s.is_object())
        .cloned()
}

fn kind(a: &Attrs, current: SpanKind) -> SpanKind {
    if let Some(k) = text(a, "openinference.span.kind") {
        return SpanKind::parse(&k);
    }
    if let Some(op) = text(a, "gen_ai.operation.name") {
        let parsed = SpanKind::parse(&op);
        if parsed != SpanKind::Unknown {
            return parsed;
        }
    }
    if attrs::has(a, "gen_ai.tool.name") || attrs::has(a, "tool.name") {
        return SpanKind::Tool;
    }
    if attrs::has(a, "gen_ai.retrieval.documents") || attrs::has(a, "retrieval.documents") {
        return SpanKind::Retriever;
    }
    if attrs::has(a, "gen_ai.request.model") || attrs::has(a, "llm.model_name") {
        return SpanKind::Llm;
    }
    current
}

/// Message contents (`prefix.N.message.content`) as `role: content` lines.
fn messages(a: &Attrs, prefix: &str) -> Option<String> {
    let lines: Vec<String> = indexed(a, prefix)
        .iter()
        .filter_map(|m| {
            let content = text(a, &format!("{m}.message.content"))?;
            Some(match text(a, &format!("{m}.message.role")) {
                Some(role) if prefix.ends_with("input_messages") => format!("{role}: {content}"),
                _ => content,
            })
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn documents(a: &Attrs, kind: SpanKind) -> Vec<Document> {
    let (prefix, inner) =
        if kind == SpanKind::Reranker && attrs::has(a, "reranker.output_documents") {
            ("reranker.output_documents", ".document")
        } else if attrs::has(a, "retrieval.documents") {
            ("retrieval.documents", ".document")
        } else {
            ("gen_ai.retrieval.documents", "")
        };
    indexed(a, prefix)
        .iter()
        .map(|d| {
            let base = format!("{d}{inner}");
            let field = |f: &str| text(a, &format!("{base}.{f}"));
            let mut meta = Attrs::new();
            if let Some(v) = field("metadata").and_then(|m| serde_json::from_str(&m).ok()) {
                meta = attrs::flatten(v);
            }
            Document {
                id: field("id").or_else(|| first_text(&meta, &["id", "chunk_id", "document_id"])),
                source: field("source")
                    .or_else(|| first_text(&meta, &["source", "url", "file_path", "title"])),
                score: number(a, &format!("{base}.score")),
                content: field("content").or_else(|| field("text")),
            }
        })
        .collect()
}

fn tool(a: &Attrs, span: &Span) -> ToolCall {
    ToolCall {
        name: first_text(
            a,
            &["gen_ai.tool.name", "tool.name", "tool_call.function.name"],
        )
        .unwrap_or_else(|| span.name.to_string()),
        arguments: first_text(
            a,
            &["gen_ai.tool.call.arguments", "tool_call.function.arguments"],
        )
        .or_else(|| span.input.clone())
        .or_else(|| text(a, "tool.parameters")),
        result: text(a, "gen_ai.tool.call.result").or_else(|| span.output.clone()),
    }
}

/// Exceptions set the error; GenAI content events fill input/output when attributes did not.
fn apply_event(event: &Event, span: &mut Span) {
    let a = &event.attrs;
    match event.name.as_str() {
        "exception" => {
            let msg = first_text(a, &["exception.message", "exception.type"])
                .unwrap_or_else(|| "exception".into());
            span.error.get_or_insert(msg);
        }
        "gen_ai.content.prompt" if span.input.is_none() => span.input = text(a, "gen_ai.prompt"),
        "gen_ai.content.completion" if span.output.is_none() => {
            span.output = text(a, "gen_ai.completion")
        }
        "gen_ai.system.message" | "gen_ai.user.message" if span.input.is_none() => {
            span.input = text(a, "content")
        }
        "gen_ai.choice" if span.output.is_none() => {
            span.output = first_text(a, &["message.content", "content", "message"])
        }
        _ => {}
    }
}
