//! The HTTP side of the receiver: routes, status codes and the OTLP response bodies
//! (`ExportTraceServiceResponse` / `ExportLogsServiceResponse` with `partial_success`, and a
//! `google.rpc.Status` for refused requests), in the encoding of the request.

use super::decode::{self, BodyError, Encoding};
use super::{Batch, Config, Counters};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

/// gRPC status codes used in refusal bodies, as OTLP/HTTP asks.
const INVALID_ARGUMENT: i32 = 3;
const RESOURCE_EXHAUSTED: i32 = 8;
const UNAVAILABLE: i32 = 14;

/// What every handler shares.
#[derive(Clone)]
pub struct State {
    tx: mpsc::Sender<Batch>,
    counters: Arc<Counters>,
    permits: Arc<Semaphore>,
    max_body: usize,
    stop: CancellationToken,
}

impl State {
    /// The handlers' state for one receiver.
    pub fn new(
        config: &Config,
        tx: mpsc::Sender<Batch>,
        counters: Arc<Counters>,
        stop: CancellationToken,
    ) -> State {
        State {
            stop,
            tx,
            counters,
            permits: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            max_body: config.max_body,
        }
    }
}

/// The OTLP/HTTP routes; any other path is 404 and any other method 405 (axum's defaults).
pub fn router(state: State) -> Router {
    Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(logs))
        // Our own limit is checked in `read_body`, so axum's 2 MB default must not apply first.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

#[derive(Clone, Copy)]
enum Signal {
    Traces,
    Logs,
}

async fn traces(
    axum::extract::State(state): axum::extract::State<State>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(state, Signal::Traces, headers, body).await
}

async fn logs(
    axum::extract::State(state): axum::extract::State<State>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(state, Signal::Logs, headers, body).await
}

/// A refusal: status, gRPC code and message, answered in the request's encoding.
struct Refusal {
    status: StatusCode,
    code: i32,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => RESOURCE_EXHAUSTED,
            StatusCode::SERVICE_UNAVAILABLE => UNAVAILABLE,
            _ => INVALID_ARGUMENT,
        };
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<BodyError> for Refusal {
    fn from(e: BodyError) -> Refusal {
        let status = match &e {
            BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Bad(_) => StatusCode::BAD_REQUEST,
            BodyError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        };
        Refusal::new(status, e.to_string())
    }
}

async fn handle(state: State, signal: Signal, headers: HeaderMap, body: Body) -> Response {
    let encoding = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Encoding::from_content_type);
    let result = match encoding {
        None => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)",
        )),
        Some(encoding) => accept(&state, signal, encoding, &headers, body).await,
    };
    let encoding = encoding.unwrap_or(Encoding::Json);
    match result {
        Ok((rejected, reason)) => success(signal, encoding, rejected, reason),
        Err(refusal) => {
            state
                .counters
                .requests_refused
                .fetch_add(1, Ordering::Relaxed);
            refuse(encoding, refusal)
        }
    }
}

/// Read, decode and pass on one request; Ok carries the rejected span count and first reason.
async fn accept(
    state: &State,
    signal: Signal,
    encoding: Encoding,
    headers: &HeaderMap,
    body: Body,
) -> Result<(u64, Option<String>), Refusal> {
    let Ok(_permit) = state.permits.try_acquire() else {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests in progress; retry later",
        ));
    };
    let raw = read_body(headers, body, state.max_body).await?;
    let content_encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let bytes = decode::inflate(raw, content_encoding, state.max_body)?;
    // Decoding is CPU work; keep it off the threads that drive connections.
    let decoded = tokio::task::spawn_blocking(move || match signal {
        Signal::Traces => decode::traces(&bytes, encoding).map(|s| {
            let counts = (s.spans.len() as u64, s.rejected, s.reason);
            (Batch::Spans(s.spans), counts)
        }),
        Signal::Logs => decode::logs(&bytes, encoding).map(|l| {
            let n = l.len() as u64;
            (Batch::Logs(l), (n, 0, None))
        }),
    })
    .await
    .map_err(|e| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let (batch, (accepted, rejected, reason)) = decoded;
    // A full queue makes the exporter wait, unless temper is stopping and no longer reading it.
    let sent = tokio::select! {
        sent = state.tx.send(batch) => sent.is_ok(),
        () = state.stop.cancelled() => false,
    };
    if !sent {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temper is shutting down",
        ));
    }
    let counters = &state.counters;
    match signal {
        Signal::Traces => {
            counters
                .spans_received
                .fetch_add(accepted, Ordering::Relaxed);
            counters
                .spans_rejected
                .fetch_add(rejected, Ordering::Relaxed);
        }
        Signal::Logs => {
            counters
                .logs_received
                .fetch_add(accepted, Ordering::Relaxed);
        }
    }
    Ok((rejected, reason))
}

/// The whole body, refusing early by Content-Length and again while reading past the cap.
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is over {max} bytes (the body limit); send smaller batches or raise --max-body"
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, max).await.map_err(|e| {
        let is_limit = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if is_limit {
            too_large()
        } else {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("could not read the body: {e}"),
            )
        }
    })
}

fn success(signal: Signal, encoding: Encoding, rejected: u64, reason: Option<String>) -> Response {
    let message = reason.unwrap_or_default();
    let body = match (signal, encoding) {
        (Signal::Traces, Encoding::Protobuf) => ExportTraceServiceResponse {
            partial_success: (rejected > 0).then(|| ExportTracePartialSuccess {
                rejected_spans: i64::try_from(rejected).unwrap_or(i64::MAX),
                error_message: message,
            }),
        }
        .encode_to_vec(),
        (Signal::Logs, Encoding::Protobuf) => ExportLogsServiceResponse {
            partial_success: None::<ExportLogsPartialSuccess>,
        }
        .encode_to_vec(),
        (Signal::Traces, Encoding::Json) if rejected > 0 => json!({
            "partialSuccess": {"rejectedSpans": rejected.to_string(), "errorMessage": message}
        })
        .to_string()
        .into_bytes(),
        (_, Encoding::Json) => b"{}".to_vec(),
    };
    respond(StatusCode::OK, encoding, body)
}

fn refuse(encoding: Encoding, refusal: Refusal) -> Response {
    let body = match encoding {
        Encoding::Protobuf => {
            // google.rpc.Status { int32 code = 1; string message = 2; }
            let mut buf = Vec::new();
            prost::encoding::int32::encode(1, &refusal.code, &mut buf);
            prost::encoding::string::encode(2, &refusal.message, &mut buf);
            buf
        }
        Encoding::Json => json!({"code": refusal.code, "message": refusal.message})
            .to_string()
            .into_bytes(),
    };
    let mut response = respond(refusal.status, encoding, body);
    if refusal.status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

fn respond(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response()
}
