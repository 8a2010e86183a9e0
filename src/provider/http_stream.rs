//! Streamed answers: read server-sent events as they arrive, hand each event to a wire format's
//! [`Assembler`], and measure the time to the first answer token. Every way a stream can go wrong
//! (cut mid-way, no end marker, an error event, lines that are not SSE) is a
//! [`ProviderError::Stream`] that keeps the text received so far. A server that ignores `stream`
//! and answers plain JSON is accepted as if the request had not streamed.

use super::http::{JsonReply, Sent, chain, post, read_capped, too_big};
use super::http_body::{describe_error, error_message, error_object, error_status, parse_body};
use super::stream_sse::SseParser;
use super::{ProviderError, Response};
use futures::StreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use std::time::{Duration, Instant};

/// Longest excerpt of unexpected input quoted in an error.
const EXCERPT: usize = 120;

/// What one SSE event meant to the answer being assembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Metadata (role, usage, ping): nothing of the answer yet.
    Nothing,
    /// Part of the answer (text or a tool call): the first one stops the TTFT clock.
    Content,
    /// The end marker (`[DONE]`, `message_stop`).
    Done,
}

/// Timings of a finished stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub latency: Duration,
    pub ttft: Option<Duration>,
}

/// A wire format's reading of its own stream events into one [`Response`].
pub(crate) trait Assembler: Send {
    /// Take one event (`event:` name if any, the joined `data:` lines). An `Err` is why the
    /// stream cannot be used (an error event, data that is not JSON), in words for the user.
    fn event(&mut self, name: Option<&str>, data: &str) -> Result<Step, String>;
    /// The answer text so far, kept when the stream fails.
    fn partial(&self) -> &str;
    /// The whole answer, once the end marker came.
    fn finish(self, timing: Timing, region: Option<String>) -> Response;
}

/// `text` cut to [`EXCERPT`] characters, for quoting unexpected input.
pub(crate) fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}

/// An error event's description, when `data` is one (`{"error": …}`, `{"type": "error", …}`).
pub(crate) fn error_event(data: &serde_json::Value) -> Option<String> {
    let error = error_object(data)?;
    let status = error_status(error)
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    Some(format!(
        "error event mid-stream{status}: {}",
        describe_error(error)
    ))
}

/// One request: the client, the URL, the headers (with the key), the JSON body and the most
/// bytes of the answer to read.
pub(crate) type Outgoing<'a> = (
    &'a reqwest::Client,
    &'a str,
    HeaderMap,
    &'a serde_json::Value,
    usize,
);

/// POST a streaming request and assemble its answer (see the module doc).
pub(crate) async fn post_stream<A: Assembler>(
    (client, url, headers, body, cap): Outgoing<'_>,
    assembler: A,
    parse: impl FnOnce(JsonReply) -> Result<Response, ProviderError>,
) -> Result<Response, ProviderError> {
    let started = Instant::now();
    let Sent {
        response,
        status,
        retry_after,
        region,
    } = post(client, url, headers, body).await?;
    let sse = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if !(200..300).contains(&status) || !sse {
        let bytes = read_capped(response, cap).await?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if !(200..300).contains(&status) {
            return Err(ProviderError::Http {
                status,
                message: error_message(&text),
                retry_after,
            });
        }
        let value = parse_body(&text)?;
        if let Some(error) = error_object(&value) {
            return Err(ProviderError::Http {
                status: error_status(error).unwrap_or(status),
                message: format!(
                    "error object in a {status} answer: {}",
                    describe_error(error)
                ),
                retry_after,
            });
        }
        let latency = started.elapsed();
        return parse(JsonReply {
            value,
            text,
            latency,
            region,
        });
    }
    read_events(response.bytes_stream(), assembler, (started, cap), region).await
}

/// Read the SSE body to its end marker.
async fn read_events<A: Assembler, B: AsRef<[u8]>>(
    mut body: impl futures::Stream<Item = reqwest::Result<B>> + Unpin,
    mut assembler: A,
    (started, cap): (Instant, usize),
    region: Option<String>,
) -> Result<Response, ProviderError> {
    let mut parser = SseParser::default();
    let mut ttft = None;
    let mut read = 0usize;
    loop {
        let chunk = match body.next().await {
            Some(Ok(chunk)) => chunk,
            Some(Err(e)) => {
                let why = format!(
                    "the stream broke after {} event{}: {}",
                    parser.events,
                    if parser.events == 1 { "" } else { "s" },
                    chain(&e)
                );
                return Err(failed(&assembler, why, true));
            }
            None => {
                let why = match parser.events {
                    0 => "the stream ended before any event".to_string(),
                    n => format!(
                        "the stream ended after {n} event{} without its end marker ([DONE] or message_stop)",
                        if n == 1 { "" } else { "s" }
                    ),
                };
                return Err(failed(&assembler, why, true));
            }
        };
        let chunk = chunk.as_ref();
        read += chunk.len();
        if read > cap {
            return Err(failed(&assembler, too_big(cap), false));
        }
        let mut done = None;
        parser
            .push(chunk, |name, data| {
                match assembler.event(name, data)? {
                    Step::Content if ttft.is_none() => ttft = Some(started.elapsed()),
                    Step::Done => done = Some(started.elapsed()),
                    _ => {}
                }
                Ok(done.is_some())
            })
            .map_err(|why| failed(&assembler, why, false))?;
        if let Some(latency) = done {
            return Ok(assembler.finish(Timing { latency, ttft }, region));
        }
    }
}

fn failed(assembler: &impl Assembler, why: String, retryable: bool) -> ProviderError {
    ProviderError::Stream {
        why,
        partial: assembler.partial().to_string(),
        retryable,
    }
}
