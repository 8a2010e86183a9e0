//! Why a call failed, worded for the user and classified for the retry loop.

use std::time::Duration;
use thiserror::Error;

/// Everything that can go wrong talking to a model. The message is what gets stored on the
/// sample, so it names the provider's own words where there are any.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ProviderError {
    /// The server answered with an error status (or a 200 carrying an error object).
    #[error("HTTP {status}: {message}")]
    Http {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No answer within the per-request timeout.
    #[error("timed out after {:.1} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// Nothing listens at the address (connection refused, unknown host): not retried, since
    /// waiting rarely starts a server and N samples would each wait out the backoff.
    #[error("cannot connect: {0}. Is the server running and base_url right?")]
    Unreachable(String),
    /// The connection broke (reset, body stopped mid-way).
    #[error("connection failed: {0}")]
    Connection(String),
    /// A streamed answer that broke, carried an error event or was not server-sent events;
    /// `partial` is the answer text received before, kept on the stored sample.
    #[error("stream: {why}")]
    Stream {
        why: String,
        partial: String,
        retryable: bool,
    },
    /// The server refused `response_format: json_schema` (llama.cpp, Ollama and others).
    #[error(
        "the server does not support response_format json_schema (HTTP {status}: {message}). Fix: add the variant param response_format=json_object (e.g. -m \"MODEL response_format=json_object\"); temper then checks the schema itself"
    )]
    SchemaUnsupported { status: u16, message: String },
    /// A 2xx answer that is not a usable response: HTML, truncated JSON, empty body, wrong shape.
    #[error("bad response: {0}")]
    BadResponse(String),
    #[error("{provider} needs an API key: set the environment variable {env}")]
    MissingKey { provider: String, env: String },
    #[error("unknown provider {name:?}{}; known providers: {}. Add one under [providers.{name}] in the config", did_you_mean(name, known), .known.join(", "))]
    UnknownProvider { name: String, known: Vec<String> },
    #[error("bad model {given:?}: {why}")]
    BadModel { given: String, why: String },
    /// A failure the mock was asked to produce (`fail=` query parameter).
    #[error("mock: injected failure (sample {0})")]
    Injected(u32),
    /// The replayed sample had failed; this is its stored error.
    #[error("replayed error: {0}")]
    Replayed(String),
    #[error("replay: {0}")]
    Replay(String),
    /// The HTTP client could not be built (TLS setup).
    #[error("HTTP client: {0}")]
    Client(String),
}

/// `; did you mean "local"?` when a known provider is a likely typo of `name`, else nothing.
fn did_you_mean(name: &str, known: &[String]) -> String {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("; did you mean {k:?}?"))
        .unwrap_or_default()
}

impl ProviderError {
    /// Worth another attempt: 408, 409, 429, 5xx, timeouts and broken connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Http { status, .. } => {
                matches!(status, 408 | 409 | 429) || (500..600).contains(status)
            }
            ProviderError::Timeout(_) | ProviderError::Connection(_) => true,
            ProviderError::Stream { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// How long the server asked us to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// This error with `key` scrubbed from the server's words (see [`super::http::scrub`]).
    pub(crate) fn redact(self, key: Option<&str>) -> ProviderError {
        let scrub = |m: String| super::http::scrub(&m, key);
        match self {
            ProviderError::Http {
                status,
                message,
                retry_after,
            } => ProviderError::Http {
                status,
                message: scrub(message),
                retry_after,
            },
            ProviderError::Unreachable(m) => ProviderError::Unreachable(scrub(m)),
            ProviderError::Connection(m) => ProviderError::Connection(scrub(m)),
            ProviderError::BadResponse(m) => ProviderError::BadResponse(scrub(m)),
            ProviderError::Stream {
                why,
                partial,
                retryable,
            } => ProviderError::Stream {
                why: scrub(why),
                partial: scrub(partial),
                retryable,
            },
            ProviderError::SchemaUnsupported { status, message } => {
                ProviderError::SchemaUnsupported {
                    status,
                    message: scrub(message),
                }
            }
            other => other,
        }
    }

    /// The answer text received before a stream broke, kept on the stored sample.
    pub fn partial_text(&self) -> Option<&str> {
        match self {
            ProviderError::Stream { partial, .. } if !partial.is_empty() => Some(partial),
            _ => None,
        }
    }

    /// This error, turned into [`ProviderError::SchemaUnsupported`] when it is a server's
    /// refusal of `response_format: json_schema` (asked for in the request that got it).
    pub(crate) fn schema_refusal(self) -> ProviderError {
        match self {
            ProviderError::Http {
                status, message, ..
            } if matches!(status, 400 | 422 | 500 | 501)
                && (message.contains("json_schema") || message.contains("response_format")) =>
            {
                ProviderError::SchemaUnsupported { status, message }
            }
            other => other,
        }
    }

    /// The HTTP status when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ProviderError::Http { status, .. }
            | ProviderError::SchemaUnsupported { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> ProviderError {
        ProviderError::Http {
            status,
            message: "x".into(),
            retry_after: None,
        }
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 409, 429, 500, 502, 503, 529] {
            assert!(http(s).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!http(s).is_retryable(), "{s}");
        }
        assert!(ProviderError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(!ProviderError::BadResponse("html".into()).is_retryable());
        assert!(!ProviderError::Injected(3).is_retryable());
        assert!(!ProviderError::Unreachable("x".into()).is_retryable());
    }
}
