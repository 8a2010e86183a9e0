//! The HTTP part shared by the wire formats: send JSON, read the whole body, and turn every way a
//! server can misbehave (error status, HTML, empty or truncated body, 200 with an error object, a
//! connection that stops) into a [`ProviderError`] with the server's own words; and the
//! [`Endpoint`] each HTTP wire format sends through.

use super::ProviderError;
use super::http_body::{describe_error, error_message, error_object, error_status, parse_body};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::{Duration, Instant};

/// A parsed JSON answer with its raw text and the time it took.
pub(crate) struct JsonReply {
    pub value: serde_json::Value,
    pub text: String,
    pub latency: Duration,
    /// The serving region, from the first region header present.
    pub region: Option<String>,
}

/// Response headers that name where a request was served, most specific first.
const REGION_HEADERS: &[&str] = &["x-ms-region", "x-region", "x-served-region"];

/// The serving region from the headers, bounded in length (it is untrusted text).
pub(super) fn region(headers: &HeaderMap) -> Option<String> {
    REGION_HEADERS.iter().find_map(|name| {
        let value = headers.get(*name)?.to_str().ok()?.trim();
        (!value.is_empty()).then(|| value.chars().take(64).collect())
    })
}

pub(crate) use super::redact::scrub;

impl JsonReply {
    /// This reply with `key` scrubbed, in any JSON spelling, from the raw text and every string
    /// of the parsed value (see [`super::redact::Scrubber`]).
    pub(crate) fn redact(mut self, key: Option<&str>) -> JsonReply {
        let scrubber = super::redact::Scrubber::new(key);
        if scrubber.value(&mut self.value) {
            self.text = serde_json::to_string(&self.value).unwrap_or_default();
        }
        self.text = scrubber.text(&self.text);
        self
    }
}

/// Default cap on one response body (`[run] max_response_mb = 32`), streamed or not.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The whole body of `response`, read chunk by chunk and refused once it passes `cap` bytes, so
/// an endless or huge answer costs at most `cap` of memory (docs/hardening.md).
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, ProviderError> {
    let mut body = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            ProviderError::Connection(format!("the response body stopped: {}", chain(&e)))
        })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > cap {
            return Err(ProviderError::BadResponse(too_big(cap)));
        }
        body.extend_from_slice(&chunk);
    }
}

/// Why an answer that passed the body cap was dropped; not retried (the next would be as big).
pub(super) fn too_big(cap: usize) -> String {
    format!(
        "the response passed {} MiB; temper stopped reading it (raise [run] max_response_mb in \
         the config if answers this big are expected)",
        cap / (1024 * 1024)
    )
}

pub(crate) use super::http_client::client_for;

/// The value of an env var holding a key, read now and never kept beyond the request.
pub(crate) fn read_key(provider: &str, env: Option<&str>) -> Result<Option<String>, ProviderError> {
    let Some(env) = env else { return Ok(None) };
    match std::env::var(env) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_string())),
        _ => Err(ProviderError::MissingKey {
            provider: provider.to_string(),
            env: env.to_string(),
        }),
    }
}

/// Extra headers from the config, skipping names or values HTTP cannot carry.
pub(crate) fn config_headers(headers: &std::collections::BTreeMap<String, String>) -> HeaderMap {
    headers
        .iter()
        .filter_map(|(k, v)| {
            Some((
                HeaderName::from_bytes(k.as_bytes()).ok()?,
                HeaderValue::from_str(v).ok()?,
            ))
        })
        .collect()
}

/// A header value marked sensitive, so it never shows up in debug output.
pub(crate) fn secret_header(value: &str) -> Result<HeaderValue, ProviderError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| ProviderError::BadModel {
        given: "API key".into(),
        why: "the key contains characters HTTP headers cannot carry".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// One HTTP provider's endpoint: its name, where requests go, the env var holding its key, its
/// extra headers and the shared client, with the send-and-redact steps every wire format takes.
pub(crate) struct Endpoint {
    name: String,
    url: String,
    key_env: Option<String>,
    headers: HeaderMap,
    client: reqwest::Client,
    /// The header carrying the key and the text before it (`Authorization: Bearer …`).
    auth: (HeaderName, &'static str),
    /// Most bytes of one response body read, streamed or not.
    max_body: usize,
}

impl Endpoint {
    /// An endpoint at `url` sending `headers` with each request and the key (read from `key_env`
    /// at each call) as `auth.0: auth.1 KEY`.
    pub(crate) fn new(
        name: &str,
        url: String,
        key_env: Option<String>,
        headers: HeaderMap,
        auth: (HeaderName, &'static str),
    ) -> Result<Endpoint, ProviderError> {
        let client = client_for(&url)?;
        Ok(Endpoint {
            name: name.to_string(),
            url,
            key_env,
            headers,
            client,
            auth,
            max_body: DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// Cap every response body at `bytes` (at least 1 KiB) instead of the default.
    pub(crate) fn set_max_body(&mut self, bytes: usize) {
        self.max_body = bytes.max(1024);
    }

    /// The provider's name as addressed.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Where requests go.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// POST `body` with the key, then `parse` the answer; the key is scrubbed from the answer and
    /// from every error, so nothing stored or printed holds it.
    pub(crate) async fn send<T>(
        &self,
        body: &serde_json::Value,
        parse: impl FnOnce(JsonReply) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let (headers, key) = self.keyed_headers()?;
        let reply = post_json(&self.client, &self.url, headers, body, self.max_body)
            .await
            .map_err(|e| e.redact(key.as_deref()))?;
        parse(reply.redact(key.as_deref())).map_err(|e| e.redact(key.as_deref()))
    }
}

impl Endpoint {
    /// The configured headers plus the key header, and the key (to scrub answers with).
    fn keyed_headers(&self) -> Result<(HeaderMap, Option<String>), ProviderError> {
        let mut headers = self.headers.clone();
        let key = read_key(&self.name, self.key_env.as_deref())?;
        if let Some(key) = &key {
            let (name, prefix) = &self.auth;
            headers.insert(name.clone(), secret_header(&format!("{prefix}{key}"))?);
        }
        Ok((headers, key))
    }

    /// POST `body` as a streaming request: server-sent events go to `assembler`, and a server
    /// that ignores `stream` and answers JSON goes to `parse`. The key is scrubbed as in
    /// [`Endpoint::send`].
    pub(crate) async fn send_stream(
        &self,
        body: &serde_json::Value,
        assembler: impl super::http_stream::Assembler,
        parse: impl FnOnce(JsonReply) -> Result<super::Response, ProviderError>,
    ) -> Result<super::Response, ProviderError> {
        let (headers, key) = self.keyed_headers()?;
        let key = key.as_deref();
        let request = (
            &self.client,
            self.url.as_str(),
            headers,
            body,
            self.max_body,
        );
        let answer =
            super::http_stream::post_stream(request, assembler, |reply| parse(reply.redact(key)))
                .await
                .map_err(|e| e.redact(key))?;
        Ok(super::Response {
            text: scrub(&answer.text, key),
            raw: answer.raw.map(|r| scrub(&r, key)),
            ..answer
        })
    }
}

/// A response whose headers are read: what both the JSON and the streaming paths need first.
pub(super) struct Sent {
    pub response: reqwest::Response,
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub region: Option<String>,
}

/// POST `body` as JSON to `url`; a transport failure is an error naming the URL.
pub(super) async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    body: &serde_json::Value,
) -> Result<Sent, ProviderError> {
    let response = client
        .post(url)
        .headers(headers)
        .json(body)
        .send()
        .await
        .map_err(|e| send_error(url, e.without_url()))?;
    Ok(Sent {
        status: response.status().as_u16(),
        retry_after: retry_after(response.headers()),
        region: region(response.headers()),
        response,
    })
}

/// POST `body` as JSON to `url` and return the parsed answer, or the reason there is none.
async fn post_json(
    client: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    body: &serde_json::Value,
    cap: usize,
) -> Result<JsonReply, ProviderError> {
    let started = Instant::now();
    let sent = post(client, url, headers, body).await?;
    let (status, retry_after, region) = (sent.status, sent.retry_after, sent.region);
    let bytes = read_capped(sent.response, cap).await?;
    let latency = started.elapsed();
    // Valid UTF-8 (nearly always) becomes the text in place, without a copy.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if !(200..300).contains(&status) {
        return Err(ProviderError::Http {
            status,
            message: error_message(&text),
            retry_after,
        });
    }
    let value = parse_body(&text)?;
    if let Some(error) = error_object(&value) {
        let status = error_status(error).unwrap_or(status);
        return Err(ProviderError::Http {
            status,
            message: format!(
                "error object in a {status} answer: {}",
                describe_error(error)
            ),
            retry_after,
        });
    }
    Ok(JsonReply {
        value,
        text,
        latency,
        region,
    })
}

pub(super) fn send_error(url: &str, e: reqwest::Error) -> ProviderError {
    let e = &e;
    if e.is_timeout() {
        ProviderError::Connection(format!("{url}: timed out: {}", chain(e)))
    } else if e.is_connect() {
        ProviderError::Unreachable(format!("{url}: {}", chain(e)))
    } else {
        ProviderError::Connection(format!("{url}: {}", chain(e)))
    }
}

/// An error with its causes, since reqwest's own message alone rarely says what happened.
pub(super) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// `Retry-After` in seconds or as an HTTP date, or OpenAI's `retry-after-ms`.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = get("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
