//! One sample's life: send, wait at most the timeout, retry what is worth retrying with
//! exponential backoff and jitter (or exactly what `Retry-After` asks), stop when cancelled.

use crate::provider::{Provider, ProviderError, Request, Response};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Exponential backoff: attempt k waits `base * 2^(k-1)`, capped, times a jitter in [0.5, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets this.
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// How long to wait before retry number `retry` (1-based), given what the server asked.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_retry_after);
        }
        let exp = self
            .base
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(self.cap);
        exp.mul_f64(0.5 + rand::random::<f64>() * 0.5)
    }
}

/// How one sample ended.
#[derive(Debug)]
pub(crate) enum Attempted {
    Answer {
        response: Response,
        attempts: u32,
    },
    Failed {
        error: ProviderError,
        attempts: u32,
        latency: Duration,
    },
    Cancelled,
}

/// What the retry loop reports before each wait.
pub(crate) struct RetryNotice<'a> {
    pub attempt: u32,
    pub delay: Duration,
    pub error: &'a ProviderError,
}

/// Policy for one call.
pub(crate) struct CallPolicy<'a> {
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff: &'a Backoff,
    pub cancel: &'a CancellationToken,
}

/// Send `request` until it succeeds, fails for good, runs out of retries or is cancelled.
pub(crate) async fn call_with_retries(
    provider: &dyn Provider,
    request: &Request,
    policy: &CallPolicy<'_>,
    mut on_retry: impl FnMut(RetryNotice<'_>),
) -> Attempted {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = tokio::select! {
            biased;
            _ = policy.cancel.cancelled() => return Attempted::Cancelled,
            r = tokio::time::timeout(policy.timeout, provider.complete(request)) => {
                r.unwrap_or(Err(ProviderError::Timeout(policy.timeout)))
            }
        };
        let error = match result {
            Ok(response) => {
                return Attempted::Answer {
                    response,
                    attempts: attempt,
                };
            }
            Err(e) => e,
        };
        if !error.is_retryable() || attempt > policy.max_retries {
            return Attempted::Failed {
                error,
                attempts: attempt,
                latency: started.elapsed(),
            };
        }
        let delay = policy.backoff.delay(attempt, error.retry_after());
        on_retry(RetryNotice {
            attempt,
            delay,
            error: &error,
        });
        tokio::select! {
            biased;
            _ = policy.cancel.cancelled() => return Attempted::Cancelled,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_jitter_and_honour_retry_after() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(350),
            max_retry_after: Duration::from_secs(5),
        };
        for _ in 0..50 {
            let d1 = b.delay(1, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d2 = b.delay(2, None);
            assert!(d2 >= Duration::from_millis(100) && d2 <= Duration::from_millis(200));
            let d9 = b.delay(9, None);
            assert!(d9 <= Duration::from_millis(350));
        }
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(90))),
            Duration::from_secs(5)
        );
    }
}
