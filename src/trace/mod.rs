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
pub(crate) mod spill;
pub mod stream;
mod temper;
mod toolcalls;
mod tree;
mod wire;

pub use calls::ToolFact;
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

/// Give the pages the allocator holds free back to the operating system (glibc's
/// `malloc_trim`, which also releases free pages inside its heaps); elsewhere the allocator
/// returns freed memory by itself and this does nothing.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only touches the allocator's own free lists,
    // under the allocator's locks; it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
