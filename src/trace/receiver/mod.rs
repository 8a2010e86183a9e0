//! Live traces: an OTLP/HTTP receiver (`POST /v1/traces`, `POST /v1/logs`, protobuf or JSON,
//! gzip) so an app's exporter can send its spans straight to temper. It is the one place besides
//! `provider/` that speaks HTTP (see docs/architecture.md). Bodies are read by the same readers as
//! trace files; accepted spans come out of a bounded channel as `Batch`es for the CLI or the TUI,
//! and `Counters` say what was received, rejected and dropped.
//!
//! ```no_run
//! # async fn f() -> Result<(), temper::trace::receiver::ReceiverError> {
//! use temper::trace::receiver::{Config, Receiver};
//! let mut rx = Receiver::start(Config::default()).await?;
//! while let Some(batch) = rx.next().await { /* LiveTraces::ingest(batch) */ }
//! # Ok(()) }
//! ```

mod decode;
mod http;
mod live;
mod snapshot;

pub use decode::{BodyError, Encoding};
pub use live::{LiveTrace, LiveTraces, Update};
pub use snapshot::{Snapshots, concat};

use super::logs::LogEvent;
use super::model::Span;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The address an OTLP/HTTP collector listens on by default (loopback only).
pub const DEFAULT_ADDR: &str = "127.0.0.1:4318";

/// A span as received, with the trace it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSpan {
    /// The OTLP trace id, lowercase hex.
    pub trace_id: String,
    pub span: Span,
}

/// What one accepted request carried.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch {
    Spans(Vec<LiveSpan>),
    Logs(Vec<LogEvent>),
}

/// Running totals, shared by the server and whoever shows them.
#[derive(Debug, Default)]
pub struct Counters {
    /// Spans accepted and passed on.
    pub spans_received: AtomicU64,
    /// Spans refused inside an otherwise good request (bad ids, missing fields).
    pub spans_rejected: AtomicU64,
    /// Spans evicted by the span cap (see `LiveTraces`).
    pub spans_dropped: AtomicU64,
    /// Log records accepted.
    pub logs_received: AtomicU64,
    /// Requests refused whole: not OTLP, too large, wrong content type, or busy.
    pub requests_refused: AtomicU64,
}

/// A copy of `Counters` at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CountersSnapshot {
    pub spans_received: u64,
    pub spans_rejected: u64,
    pub spans_dropped: u64,
    pub logs_received: u64,
    pub requests_refused: u64,
}

impl Counters {
    /// Read every counter.
    pub fn snapshot(&self) -> CountersSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CountersSnapshot {
            spans_received: get(&self.spans_received),
            spans_rejected: get(&self.spans_rejected),
            spans_dropped: get(&self.spans_dropped),
            logs_received: get(&self.logs_received),
            requests_refused: get(&self.requests_refused),
        }
    }
}

/// How the receiver listens and what it accepts.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// Largest body accepted, before and after gzip (bigger ones get 413).
    pub max_body: usize,
    /// Requests decoded at once; more get 503 with Retry-After, so memory stays bounded.
    pub max_in_flight: usize,
    /// Batches waiting for the consumer; when full, requests wait (backpressure).
    pub queue: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 4318)),
            max_body: 16 * 1024 * 1024,
            max_in_flight: 16,
            queue: 64,
        }
    }
}

/// Why the receiver could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReceiverError {
    #[error(
        "cannot listen on {addr}: {source}\n  hint: another collector may hold the port; pass another address, e.g. `--listen 127.0.0.1:4319`"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running OTLP/HTTP receiver. Dropping it stops the server.
pub struct Receiver {
    addr: SocketAddr,
    batches: mpsc::Receiver<Batch>,
    counters: Arc<Counters>,
    stop: CancellationToken,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Bind `config.addr` and start serving on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Receiver, ReceiverError> {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| ReceiverError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ReceiverError::Bind {
                addr: config.addr,
                source,
            })?;
        let (tx, batches) = mpsc::channel(config.queue.max(1));
        let counters = Arc::new(Counters::default());
        let stop = CancellationToken::new();
        let router = http::router(http::State::new(
            &config,
            tx,
            counters.clone(),
            stop.clone(),
        ));
        let shutdown = stop.clone();
        let server = tokio::spawn(async move {
            // Errors of single connections are handled inside axum; serve ends on shutdown.
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move { shutdown.cancelled().await })
                .await;
        });
        Ok(Receiver {
            addr,
            batches,
            counters,
            stop,
            server,
        })
    }

    /// The address actually bound (the port is chosen by the OS for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared counters (the span cap of `LiveTraces` adds to `spans_dropped`).
    pub fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }

    /// The next accepted batch; None once the server has stopped and the queue is drained.
    pub async fn next(&mut self) -> Option<Batch> {
        self.batches.recv().await
    }

    /// A batch if one is waiting, without blocking (for a UI loop).
    pub fn try_next(&mut self) -> Option<Batch> {
        self.batches.try_recv().ok()
    }

    /// Stop accepting connections, let requests in progress finish, and keep what they sent
    /// readable through `next` until it returns None.
    pub async fn shutdown(&mut self) {
        self.stop.cancel();
        let _ = (&mut self.server).await;
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// True when `addr` is reachable only from this machine.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
