//! Keeping API keys out of everything a provider hands back. A server may quote the key in any
//! JSON spelling (`sk-…`, `sk-…\/…` from PHP's `json_encode`, `\u0073k-…`), so the key is
//! matched in every escaped form and also in the decoded text of every JSON string. The one
//! boundary is [`Redacting`]: every HTTP provider the registry builds is wrapped in it, so no
//! [`Response`] or [`ProviderError`] leaves `provider/` holding the key (docs/hardening.md).

use super::{BoxFuture, Provider, ProviderError, Request, Response};
use regex::Regex;
use std::sync::Arc;

/// Shortest key worth scrubbing: a placeholder like `x` (Ollama) is no secret, and replacing it
/// would mangle every answer.
pub(crate) const MIN_SECRET_LEN: usize = 8;

/// What a key is replaced with.
const REDACTED: &str = "[redacted API key]";

/// Matches one key in every JSON spelling: each character literal or as `\uXXXX` (any hex
/// case), `/` also as `\/`.
pub(crate) struct Scrubber {
    key: String,
    pattern: Option<Regex>,
}

impl Scrubber {
    /// A scrubber for `key`, or one that changes nothing when there is no key worth hiding.
    pub(crate) fn new(key: Option<&str>) -> Scrubber {
        let key = key.filter(|k| k.len() >= MIN_SECRET_LEN).unwrap_or("");
        let pattern = (!key.is_empty())
            .then(|| Regex::new(&key.chars().map(spellings).collect::<String>()).ok())
            .flatten();
        Scrubber {
            key: key.to_string(),
            pattern,
        }
    }

    /// `text` with every spelling of the key replaced.
    pub(crate) fn text(&self, text: &str) -> String {
        let Some(pattern) = &self.pattern else {
            return text.to_string();
        };
        if !text.contains('\\') && !text.contains(&self.key) {
            return text.to_string();
        }
        pattern.replace_all(text, REDACTED).into_owned()
    }

    /// Scrub every string (and object key) of a JSON value in place; true when one changed.
    pub(crate) fn value(&self, value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::String(s) => self.replace(s),
            Value::Array(items) => items.iter_mut().fold(false, |c, v| self.value(v) | c),
            Value::Object(map) => {
                let mut changed = false;
                let entries = std::mem::take(map);
                for (mut k, mut v) in entries {
                    changed |= self.replace(&mut k) | self.value(&mut v);
                    map.insert(k, v);
                }
                changed
            }
            _ => false,
        }
    }

    /// A raw body: scrubbed through its decoded JSON when it is JSON (so any escaping of the key
    /// is caught and the result stays valid JSON), else as text.
    pub(crate) fn body(&self, raw: &str) -> String {
        if self.pattern.is_none() {
            return raw.to_string();
        }
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(raw) else {
            return self.text(raw);
        };
        if self.value(&mut value) {
            serde_json::to_string(&value).unwrap_or_else(|_| self.text(raw))
        } else {
            self.text(raw)
        }
    }

    fn replace(&self, s: &mut String) -> bool {
        let scrubbed = self.text(s);
        let changed = scrubbed != *s;
        *s = scrubbed;
        changed
    }

    /// A response with the key scrubbed from every field that is stored or printed.
    pub(crate) fn response(&self, mut r: Response) -> Response {
        if self.pattern.is_none() {
            return r;
        }
        self.replace(&mut r.text);
        for call in &mut r.tool_calls {
            self.replace(&mut call.id);
            self.replace(&mut call.name);
            self.replace(&mut call.arguments);
        }
        let optional = [
            &mut r.finish_reason,
            &mut r.system_fingerprint,
            &mut r.region,
        ];
        for field in optional.into_iter().flatten() {
            self.replace(field);
        }
        r.raw = r.raw.map(|raw| self.body(&raw));
        for lp in r.logprobs.iter_mut().flatten() {
            self.replace(&mut lp.token);
            for alt in &mut lp.top {
                self.replace(&mut alt.token);
            }
        }
        r
    }
}

/// The regex for one key character in any JSON spelling.
fn spellings(c: char) -> String {
    let mut alts = vec![regex::escape(&c.to_string())];
    if let Ok(unit) = u16::try_from(c as u32) {
        alts.push(format!(r"\\u(?i:{unit:04x})"));
    }
    if c == '/' {
        alts.push(r"\\/".to_string());
    }
    format!("(?:{})", alts.join("|"))
}

/// `text` with every spelling of `key` replaced (see [`Scrubber`]).
pub(crate) fn scrub(text: &str, key: Option<&str>) -> String {
    Scrubber::new(key).text(text)
}

/// The key in `env`, read now (as the provider did for the request) and never kept.
fn current_key(env: Option<&str>) -> Option<String> {
    let value = std::env::var(env?).ok()?;
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// A provider whose answers and errors have its API key scrubbed from every field: the single
/// boundary where responses leave `provider/`.
pub(crate) struct Redacting {
    inner: Arc<dyn Provider>,
    key_env: Option<String>,
}

impl Redacting {
    /// Wrap `inner`, whose key is read from `key_env`.
    pub(crate) fn new(inner: Arc<dyn Provider>, key_env: Option<String>) -> Redacting {
        Redacting { inner, key_env }
    }
}

impl Provider for Redacting {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>> {
        Box::pin(async move {
            let result = self.inner.complete(request).await;
            let key = current_key(self.key_env.as_deref());
            let scrubber = Scrubber::new(key.as_deref());
            match result {
                Ok(response) => Ok(scrubber.response(response)),
                Err(e) => Err(e.redact(key.as_deref())),
            }
        })
    }

    fn supports_logprobs(&self) -> bool {
        self.inner.supports_logprobs()
    }

    /// The inner provider's body: it holds no key (the key goes in a header).
    fn wire_body(&self, request: &Request) -> Option<serde_json::Value> {
        self.inner.wire_body(request)
    }
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
