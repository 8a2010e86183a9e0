//! The serde shape of a [`Span`]: one flat object, field for field the temper JSONL line, in
//! the order it always had. `Span` itself keeps its rare fields boxed (see `model`), so it is
//! written through a borrowed view and read through an owned flat struct moved into place.

use super::model::text_or_json;
use super::model::{Document, Span, SpanExtra, SpanKind, Status, ToolCall, ToolRequest, Usage};
use compact_str::CompactString;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span as written: every field borrowed, empty ones skipped.
#[derive(Serialize)]
struct SpanOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    kind: SpanKind,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<Timestamp>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<f64>,
    #[serde(skip_serializing_if = "<[Document]>::is_empty")]
    documents: &'a [Document],
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<&'a ToolCall>,
    #[serde(skip_serializing_if = "<[ToolRequest]>::is_empty")]
    tool_calls: &'a [ToolRequest],
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_schema: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<&'a JsonText>,
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let x: &SpanExtra = self;
        SpanOut {
            id: &self.id,
            parent: self.parent.as_deref(),
            kind: self.kind,
            name: &self.name,
            start: self.start,
            end: self.end,
            status: self.status,
            error: x.error.as_deref(),
            input: self.input.as_deref(),
            output: self.output.as_deref(),
            model: self.model.as_deref(),
            usage: x.usage.as_ref(),
            cost: x.cost,
            documents: &x.documents,
            tool: x.tool.as_ref(),
            tool_calls: &x.tool_calls,
            tool_call_id: x.tool_call_id.as_deref(),
            output_schema: x.output_schema.as_ref(),
            request: x.request.as_ref(),
        }
        .serialize(ser)
    }
}

/// A span as read: the flat line, owned, before its rare fields are boxed.
#[derive(Deserialize)]
#[serde(rename = "Span")]
struct SpanIn {
    id: CompactString,
    #[serde(default)]
    parent: Option<CompactString>,
    #[serde(default)]
    kind: SpanKind,
    #[serde(default)]
    name: CompactString,
    #[serde(default)]
    start: Option<Timestamp>,
    #[serde(default)]
    end: Option<Timestamp>,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, deserialize_with = "text_or_json")]
    input: Option<String>,
    #[serde(default, deserialize_with = "text_or_json")]
    output: Option<String>,
    #[serde(default)]
    model: Option<CompactString>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    documents: Vec<Document>,
    #[serde(default)]
    tool: Option<ToolCall>,
    #[serde(default)]
    tool_calls: Vec<ToolRequest>,
    #[serde(default)]
    tool_call_id: Option<String>,
    #[serde(default)]
    output_schema: Option<serde_json::Value>,
    #[serde(default)]
    request: Option<JsonText>,
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Span, D::Error> {
        let w = SpanIn::deserialize(de)?;
        let span = Span {
            id: w.id,
            parent: w.parent,
            kind: w.kind,
            status: w.status,
            name: w.name,
            start: w.start,
            end: w.end,
            input: w.input,
            output: w.output,
            model: w.model,
            extra: None,
        };
        Ok(span.with_extra(SpanExtra {
            error: w.error,
            usage: w.usage,
            cost: w.cost,
            documents: w.documents,
            tool: w.tool,
            tool_calls: w.tool_calls,
            tool_call_id: w.tool_call_id,
            output_schema: w.output_schema,
            request: w.request,
        }))
    }
}

/// A JSON value kept as its compact text. A parsed tree of small objects costs several times
/// its text (each object is a map node of a few hundred bytes), and the values kept this way
/// (an LLM call's captured request) are only read back when a span is replayed or written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// Keep `value` as compact text.
    pub fn new(value: &serde_json::Value) -> JsonText {
        JsonText(value.to_string().into_boxed_str())
    }

    /// The compact text itself (what `trace::packed` stores, so a span round-trips unparsed).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Text `as_str` gave back, kept as it is (it is already compact JSON).
    pub(crate) fn from_text(text: &str) -> JsonText {
        JsonText(text.into())
    }

    /// The value parsed back (Null if the text were ever not JSON, which `new` never makes).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(ser)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<JsonText, D::Error> {
        serde_json::Value::deserialize(de).map(|v| JsonText::new(&v))
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
