//! The normalised span model every reader produces, so detectors, the CLI and the TUI work the
//! same whatever tool wrote the trace. It is also, field for field, the temper JSONL line format.

use super::wire::JsonText;
use compact_str::CompactString;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

/// What a span did; readers map each format's vocabulary onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Llm,
    Retriever,
    Reranker,
    Tool,
    Chain,
    Agent,
    Embedding,
    #[default]
    #[serde(other)]
    Unknown,
}

impl SpanKind {
    /// The lowercase name used in files and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Llm => "llm",
            SpanKind::Retriever => "retriever",
            SpanKind::Reranker => "reranker",
            SpanKind::Tool => "tool",
            SpanKind::Chain => "chain",
            SpanKind::Agent => "agent",
            SpanKind::Embedding => "embedding",
            SpanKind::Unknown => "unknown",
        }
    }

    /// Parse a kind name case-insensitively (`LLM`, `retriever`, …); anything else is Unknown.
    pub fn parse(name: &str) -> SpanKind {
        match name.to_ascii_lowercase().as_str() {
            "llm" | "generation" | "chat" | "text_completion" | "generate_content" => SpanKind::Llm,
            "retriever" | "retrieval" => SpanKind::Retriever,
            "reranker" => SpanKind::Reranker,
            "tool" | "execute_tool" => SpanKind::Tool,
            "chain" | "span" => SpanKind::Chain,
            "agent" | "invoke_agent" | "create_agent" => SpanKind::Agent,
            "embedding" | "embeddings" => SpanKind::Embedding,
            _ => SpanKind::Unknown,
        }
    }
}

/// Outcome of a span as the file recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Error,
    #[default]
    #[serde(other)]
    Unset,
}

/// Token counts as the file recorded them (never estimated here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
}

impl Usage {
    /// Total tokens: the recorded total, else prompt + completion when either is known.
    pub fn total(&self) -> Option<u64> {
        self.total_tokens
            .or(match (self.prompt_tokens, self.completion_tokens) {
                (None, None) => None,
                (p, c) => Some(p.unwrap_or(0).saturating_add(c.unwrap_or(0))),
            })
    }

    /// True when no count at all was recorded.
    pub fn is_empty(&self) -> bool {
        self.prompt_tokens.is_none()
            && self.completion_tokens.is_none()
            && self.total_tokens.is_none()
    }
}

/// One retrieved (or reranked) chunk. OpenTelemetry only requires `id` and `score`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// A tool invocation: arguments and result are kept as the text the file carried (often JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "text_or_json",
        skip_serializing_if = "Option::is_none"
    )]
    pub arguments: Option<String>,
    #[serde(
        default,
        deserialize_with = "text_or_json",
        skip_serializing_if = "Option::is_none"
    )]
    pub result: Option<String>,
}

/// A tool call the model asked for in its output (OpenAI `tool_calls`, Anthropic `tool_use`,
/// GenAI `tool_call` parts…), kept on the LLM span so a call with no TOOL span still shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolRequest {
    /// The call id the framework links the executing TOOL span with, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "text_or_json",
        skip_serializing_if = "Option::is_none"
    )]
    pub arguments: Option<String>,
}

/// One normalised span; also exactly one line of a temper JSONL trace.
///
/// Held by the million in large traces, so it is kept small: the fields most spans have are
/// stored inline, and the ones only some spans have (errors, usage, chunks, tool calls, the
/// captured request…) live together in one boxed [`SpanExtra`], absent when all are empty.
/// `Span` dereferences to its `SpanExtra`, so `span.usage` reads as a field (an empty extra for
/// a span without one) and writing one allocates the box (`Span::compact` drops it again).
/// The serde shape is the flat JSONL line, field for field (see `trace::wire`).
#[derive(Debug, Clone, Default)]
pub struct Span {
    /// Inline up to 24 bytes (OTel span ids are 16 hex digits), as are `parent`, `name` and
    /// `model`: most spans hold no heap string for them.
    pub id: CompactString,
    pub parent: Option<CompactString>,
    pub kind: SpanKind,
    pub status: Status,
    pub name: CompactString,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub input: Option<String>,
    pub output: Option<String>,
    pub model: Option<CompactString>,
    /// The rarely present fields; None when every one of them is empty. Public so spans can be
    /// built with `..Span::default()`; read and write them as `span.usage` (through `Deref`).
    pub extra: Option<Box<SpanExtra>>,
}

/// The fields of a span that most spans do not have, boxed together (see [`Span`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpanExtra {
    pub error: Option<String>,
    pub usage: Option<Usage>,
    /// Cost in USD as recorded by the tool that wrote the file (never recomputed here).
    pub cost: Option<f64>,
    pub documents: Vec<Document>,
    pub tool: Option<ToolCall>,
    /// Tool calls an LLM span's output asked for (see `ToolRequest`).
    pub tool_calls: Vec<ToolRequest>,
    /// The call id a TOOL span answered (`gen_ai.tool.call.id`, `tool_call.id`), to link it to
    /// the request in the LLM output.
    pub tool_call_id: Option<String>,
    /// The JSON schema the call asked its output to follow (`response_format`), when the file
    /// records it: the schema detector checks the output against it.
    pub output_schema: Option<serde_json::Value>,
    /// The raw parts of an LLM call's request (`{messages, tools, params, system, output}`,
    /// OpenAI shape) for `temper replay`; see `trace::request`. Kept as text (see `JsonText`).
    pub request: Option<JsonText>,
}

/// What a span without extra fields reads through `Deref`.
static NO_EXTRA: SpanExtra = SpanExtra {
    error: None,
    usage: None,
    cost: None,
    documents: Vec::new(),
    tool: None,
    tool_calls: Vec::new(),
    tool_call_id: None,
    output_schema: None,
    request: None,
};

impl SpanExtra {
    /// True when no field is set, so the span need not hold a box for it.
    pub fn is_empty(&self) -> bool {
        *self == NO_EXTRA
    }
}

impl std::ops::Deref for Span {
    type Target = SpanExtra;
    fn deref(&self) -> &SpanExtra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }
}

impl std::ops::DerefMut for Span {
    fn deref_mut(&mut self) -> &mut SpanExtra {
        self.extra.get_or_insert_with(Box::default)
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Span) -> bool {
        self.id == other.id
            && self.parent == other.parent
            && self.kind == other.kind
            && self.status == other.status
            && self.name == other.name
            && self.start == other.start
            && self.end == other.end
            && self.input == other.input
            && self.output == other.output
            && self.model == other.model
            && **self == **other
    }
}

impl Span {
    /// The span with `extra` as its rare fields (boxed only when one is set).
    pub fn with_extra(mut self, extra: SpanExtra) -> Span {
        self.extra = (!extra.is_empty()).then(|| Box::new(extra));
        self
    }

    /// Drop the box of rare fields when a write left it empty.
    pub fn compact(&mut self) {
        if self.extra.as_deref().is_some_and(SpanExtra::is_empty) {
            self.extra = None;
        }
    }

    /// Wall time of the span in milliseconds, when both ends are known and in order.
    pub fn duration_ms(&self) -> Option<f64> {
        let (start, end) = (self.start?, self.end?);
        let nanos = end.as_nanosecond() - start.as_nanosecond();
        (nanos >= 0).then(|| nanos as f64 / 1e6)
    }

    /// True when the file marked the span as failed.
    pub fn failed(&self) -> bool {
        self.status == Status::Error || self.error.is_some()
    }
}

/// Accept a string as is, or any other JSON value as its compact JSON text (messages, objects).
pub(super) fn text_or_json<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(de)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A line (or place) of the file that could not be used, kept so the user sees what was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadWarning {
    /// 1-based line in the file (0 when the problem is not tied to a line).
    pub line: usize,
    /// 1-based column, when the JSON parser reported one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

/// What a detector noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    ToolLoop,
    ToolError,
    ToolEmpty,
    TooManySteps,
    Injection,
    UnretrievedCitation,
    ContextNearLimit,
    LowRetrievalScores,
    SchemaMismatch,
    LlmError,
    TurnLimit,
    Orphan,
    Cycle,
}

impl FlagKind {
    /// Short name shown in brackets in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::ToolLoop => "tool-loop",
            FlagKind::ToolError => "tool-error",
            FlagKind::ToolEmpty => "tool-empty",
            FlagKind::TooManySteps => "too-many-steps",
            FlagKind::Injection => "injection",
            FlagKind::UnretrievedCitation => "unretrieved-citation",
            FlagKind::ContextNearLimit => "context-near-limit",
            FlagKind::LowRetrievalScores => "low-retrieval-scores",
            FlagKind::SchemaMismatch => "schema-mismatch",
            FlagKind::LlmError => "llm-error",
            FlagKind::TurnLimit => "turn-limit",
            FlagKind::Orphan => "orphan",
            FlagKind::Cycle => "cycle",
        }
    }
}

/// A detector finding attached to one span (by index into `Trace::spans`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    #[serde(skip)]
    pub span: usize,
    pub span_id: String,
    pub kind: FlagKind,
    pub reason: String,
}
