//! Trace inspection: read RAG and agent traces from temper, OpenInference/Phoenix, OTLP GenAI
//! and Langfuse into one span tree, then run deterministic detectors over it.
//!
//! ```no_run
//! let mut trace = temper::trace::load(std::path::Path::new("t.jsonl"), None)?;
//! temper::trace::detectors::run(&mut trace, &temper::trace::detectors::Limits::default());
//! # Ok::<(), temper::trace::TraceError>(())
//! ```

mod attrs;
mod calls;
mod console;
pub mod detectors;
mod format;
mod from_run;
pub mod index;
mod langfuse;
mod lines;
mod load;
mod logs;
pub mod model;
mod openinference;
mod otlp;
mod otlp_pb;
pub mod packed;
pub(crate) mod parallel;
pub mod pricing;
pub mod receiver;
pub mod request;
mod reread;
mod semconv;
pub mod stream;
mod temper;
mod toolcalls;
mod tree;
mod wire;

pub use format::{Format, TraceError};
pub use from_run::{RunTraceError, write_run_trace};
pub use load::{load, load_with_logs};
pub use logs::LogEvent;
pub use model::{
    Document, Flag, FlagKind, LoadWarning, Span, SpanExtra, SpanKind, Status, ToolCall,
    ToolRequest, Usage,
};
pub use packed::PackedTrace;
pub use request::{LlmRequest, RequestError, reconstruct};
pub use temper::write_jsonl;
pub use tree::Trace;
pub use wire::JsonText;
