//! The offline provider: `mock:echo` answers deterministically from the request; `mock:drift`
//! changes a word or a number in a seeded fraction of samples, so a demo shows nondeterminism
//! that reproduces run after run; `mock:judge` grades an answer against a rubric (a session's
//! `[check] judge`, offline). All take `latency_ms`, `fail` and `seed` query parameters.

use super::{
    BoxFuture, Provider, ProviderError, Request, Response, mock_answer, mock_judge, mock_logprobs,
};
use std::time::{Duration, Instant};

/// How the mock behaves, from `mock:MODE?key=value&…`.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOptions {
    /// Fraction of samples that drift (0 for `echo`).
    pub p: f64,
    /// Time each answer takes.
    pub latency: Duration,
    /// Fraction of samples that fail with an injected, non-retryable error.
    pub fail: f64,
    pub seed: u64,
    /// `mock:judge`: answer with a grade of the `<response>` against the `<rubric>`.
    pub judge: bool,
}

/// Query keys the mock understands, for the error message.
const KEYS: &str = "p, latency_ms, fail, seed";

impl MockOptions {
    /// Parse the model part (`echo`, `drift`) and its query string.
    pub fn parse(model: &str, query: &str) -> Result<MockOptions, ProviderError> {
        let bad = |why: String| ProviderError::BadModel {
            given: format!(
                "mock:{model}{}{query}",
                if query.is_empty() { "" } else { "?" }
            ),
            why,
        };
        let mut options = match model {
            "echo" => MockOptions {
                p: 0.0,
                latency: Duration::ZERO,
                fail: 0.0,
                seed: 0,
                judge: false,
            },
            "drift" => MockOptions {
                p: 0.3,
                latency: Duration::ZERO,
                fail: 0.0,
                seed: 0,
                judge: false,
            },
            "judge" => MockOptions {
                p: 0.0,
                latency: Duration::ZERO,
                fail: 0.0,
                seed: 0,
                judge: true,
            },
            other => {
                return Err(bad(format!(
                    "the mock has no model {other:?}; use mock:echo, mock:drift or mock:judge"
                )));
            }
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| bad(format!("{key}={value:?} is not a non-negative number")))?;
            let fraction = || {
                if number <= 1.0 {
                    Ok(number)
                } else {
                    Err(bad(format!(
                        "{key} is a fraction between 0 and 1, got {number}"
                    )))
                }
            };
            match key {
                "p" => options.p = fraction()?,
                "fail" => options.fail = fraction()?,
                "latency_ms" => {
                    options.latency = Duration::try_from_secs_f64(number / 1000.0)
                        .ok()
                        .filter(|d| *d <= Duration::from_secs(3600))
                        .ok_or_else(|| bad(format!("latency_ms={number} is outside 0..=3600000")))?
                }
                "seed" => options.seed = number as u64,
                other => return Err(bad(format!("unknown parameter {other:?}; known: {KEYS}"))),
            }
        }
        Ok(options)
    }
}

/// The built-in offline provider.
pub struct Mock {
    options: MockOptions,
}

impl Mock {
    /// A mock with these options. Its answers report usage counted with o200k_base, so the
    /// table starts loading now, on a background thread, rather than in the first call.
    pub fn new(options: MockOptions) -> Mock {
        crate::cost::warm_up_in_background();
        Mock { options }
    }

    /// The answer for a request, without the simulated latency.
    pub fn answer(&self, request: &Request) -> Result<Response, ProviderError> {
        let salt = fnv(request.content_hash().as_bytes());
        let stream = |what: u64| mix(mix(self.options.seed) ^ salt ^ mix(what));
        let roll = |what: u64| unit(stream(what), request.sample_index);
        if roll(1) < self.options.fail {
            return Err(ProviderError::Injected(request.sample_index));
        }
        let (mut text, mut calls) = if self.options.judge {
            (mock_judge::grade(request.last_user_text()), Vec::new())
        } else {
            mock_answer::answer(request)
        };
        // The answer before drift, kept only when the text drifts (its logprobs show the swap).
        let mut undrifted = None;
        if roll(2) < self.options.p {
            let pick = (roll(3) * 1_000_000.0) as usize;
            match calls.first_mut() {
                Some(call) => call.arguments = drift(&call.arguments, pick),
                None => {
                    let drifted = drift(&text, pick);
                    undrifted = Some(std::mem::replace(&mut text, drifted));
                }
            }
        }
        let mut response = Response::estimated(request, text, calls);
        response.system_fingerprint = Some(format!("mock_{:08x}", self.options.seed as u32));
        // Logprobs cover the text, as real APIs do; a tool-call answer has none.
        if let Some(top) = request.logprobs
            && response.tool_calls.is_empty()
        {
            response.logprobs = Some(mock_logprobs::synthesize(
                &request.model,
                undrifted.as_deref().unwrap_or(&response.text),
                &response.text,
                top,
                self.options.seed,
            ));
        }
        Ok(response)
    }
}

impl Provider for Mock {
    fn name(&self) -> &str {
        "mock"
    }

    /// Synthetic, but shaped like a real server's, so explain works offline.
    fn supports_logprobs(&self) -> bool {
        true
    }

    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>> {
        Box::pin(async move {
            // The answer first: its latency is the simulated one, not the wait for a
            // tokenizer table still loading when the first calls start.
            let mut response = self.answer(request)?;
            let started = Instant::now();
            if !self.options.latency.is_zero() {
                tokio::time::sleep(self.options.latency).await;
            }
            response.latency = started.elapsed();
            Ok(response)
        })
    }
}

/// Words the drift swaps, both ways, so changed answers still read naturally.
pub(super) const SWAPS: &[(&str, &str)] = &[
    ("within", "in"),
    ("full", "whole"),
    ("days", "calendar days"),
    ("can", "may"),
    ("must", "should"),
    ("the", "this"),
    ("is", "remains"),
    ("are", "remain"),
];

/// `text` with one number changed, or else one word swapped (`pick` chooses which).
fn drift(text: &str, pick: usize) -> String {
    let numbers: Vec<(usize, usize)> = spans(text, |c| c.is_ascii_digit());
    if !numbers.is_empty() {
        let (start, end) = numbers[pick % numbers.len()];
        let digits = &text[start..end];
        let changed = digits
            .parse::<u64>()
            .map(|n| (n + 1 + (pick % 3) as u64).to_string())
            .unwrap_or_else(|_| format!("{digits}1"));
        return format!("{}{changed}{}", &text[..start], &text[end..]);
    }
    let words = spans(text, char::is_alphabetic);
    let swappable: Vec<&(usize, usize)> = words
        .iter()
        .filter(|(s, e)| SWAPS.iter().any(|(a, _)| *a == &text[*s..*e]))
        .collect();
    if let Some((start, end)) = swappable.get(pick % swappable.len().max(1)) {
        let word = &text[*start..*end];
        let to = SWAPS
            .iter()
            .find(|(a, _)| *a == word)
            .map(|(_, b)| *b)
            .unwrap_or(word);
        return format!("{}{to}{}", &text[..*start], &text[*end..]);
    }
    format!("{} ", text.trim_end())
}

/// Byte ranges of maximal runs of chars matching `f`.
fn spans(text: &str, f: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (f(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

pub(super) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The splitmix64 finaliser: nearby inputs give unrelated outputs.
pub(super) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A reproducible number in [0, 1) from a stream and a sample index.
pub(super) fn unit(stream: u64, index: u32) -> f64 {
    let z = mix(stream ^ u64::from(index).wrapping_mul(0xd1b5_4a32_d192_ed03));
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
#[path = "mock_tests.rs"]
mod tests;
