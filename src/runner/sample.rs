//! One sample, start to end: the call with its retries, the answer or the error as a row for the
//! writer, and the events the CLI and the TUI show (retrying, stored, failed).

use super::*;

pub(super) async fn one_sample(shared: &Shared, live: &LiveCell, idx: u32, ticket: Ticket) {
    let (cell, cell_id) = (&live.cell, live.id);
    let mut request = cell.request.clone();
    request.sample_index = idx;
    let policy = CallPolicy {
        timeout: cell.timeout,
        max_retries: shared.max_retries,
        backoff: &shared.backoff,
        cancel: &shared.cancel,
    };
    let attempted = call_with_retries(cell.provider.as_ref(), &request, &policy, |n| {
        if let Some(tx) = &shared.events {
            let _ = tx.send(RunEvent::Retrying {
                cell_id,
                idx,
                attempt: n.attempt,
                delay: n.delay,
                error: n.error.to_string(),
            });
        }
    })
    .await;
    let base = NewSample {
        cell_id,
        idx,
        request_hash: Some(cell.request_hash.clone()),
        ..NewSample::default()
    };
    let sample = match attempted {
        Attempted::Cancelled => {
            shared.budget.settle(ticket, None);
            return;
        }
        Attempted::Answer {
            mut response,
            attempts,
        } => {
            fill_missing_usage(&mut response, &request);
            let cost_usd = live.price.cost_usd(&response.usage);
            shared.budget.settle(ticket, cost_usd);
            let broken = schema_check::violation(live.schema.as_deref(), &response.text);
            let answered = NewSample {
                cost_usd,
                ..answer_sample(base, response, attempts)
            };
            match broken {
                None => {
                    shared.ok.fetch_add(1, Ordering::Relaxed);
                    answered
                }
                Some(why) => {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                    NewSample {
                        status: Some(SampleStatus::Error),
                        error: Some(why),
                        ..answered
                    }
                }
            }
        }
        Attempted::Failed {
            error,
            attempts,
            latency,
        } => {
            shared.failed.fetch_add(1, Ordering::Relaxed);
            shared.budget.settle(ticket, None);
            error_sample(base, &error, attempts, latency)
        }
    };
    if let Some(tx) = &shared.events {
        let mut light = sample.clone();
        light.response_json = None;
        light.logprobs = None;
        let _ = tx.send(RunEvent::Sample {
            sample: Box::new(light),
        });
    }
    shared.writer.send(sample);
}

fn answer_sample(base: NewSample, r: Response, attempts: u32) -> NewSample {
    // An answer that is only tool calls is what the model decided to do: store the calls (ids
    // dropped, they differ on every call) as its output, so clusters, diffs and checks see them.
    let output = if r.text.trim().is_empty() && !r.tool_calls.is_empty() {
        crate::provider::tool_calls_as_text(&r.tool_calls)
    } else {
        r.text
    };
    NewSample {
        status: Some(SampleStatus::Ok),
        output: Some(output),
        tool_calls_json: (!r.tool_calls.is_empty())
            .then(|| serde_json::to_string(&r.tool_calls).unwrap_or_default()),
        finish_reason: r.finish_reason,
        input_tokens: Some(r.usage.input),
        output_tokens: Some(r.usage.output),
        cached_tokens: Some(r.usage.cached),
        usage_source: Some(r.usage_source.as_str().to_string()),
        latency_ms: Some(r.latency.as_secs_f64() * 1000.0),
        ttft_ms: r.ttft.map(|t| t.as_secs_f64() * 1000.0),
        system_fingerprint: r.system_fingerprint,
        logprobs: r
            .logprobs
            .as_deref()
            .map(crate::provider::logprob_codec::encode),
        region: r.region,
        attempts,
        response_json: compact_raw(r.raw),
        ..base
    }
}

/// Raw bodies up to this size are stored as received.
const RAW_KEEP: usize = 64 * 1024;
/// In a bigger raw body, strings longer than this are elided: the answer text is already in
/// `samples.output` (and tool calls in `tool_calls_json`, logprobs in `logprobs`).
const RAW_STRING_KEEP: usize = 1024;

/// The raw body to store: as received when small; when big, the same JSON with its long strings
/// and its logprobs replaced by a note, so a 50 MB answer is stored once (in `output`) while
/// what `explain` and replay read (model, usage, ids, fingerprint) stays. Dropped when a big
/// body is not JSON.
fn compact_raw(raw: Option<String>) -> Option<String> {
    let raw = raw?;
    if raw.len() <= RAW_KEEP {
        return Some(raw);
    }
    let mut value: serde_json::Value = serde_json::from_str(&raw).ok()?;
    elide(&mut value);
    serde_json::to_string(&value).ok()
}

fn elide(value: &mut serde_json::Value) {
    use serde_json::Value;
    let note = |what: &str| Value::String(format!("[temper: {what} elided, stored elsewhere]"));
    match value {
        Value::String(s) if s.len() > RAW_STRING_KEEP => {
            *value = note(&format!("{} bytes", s.len()))
        }
        Value::Array(items) => items.iter_mut().for_each(elide),
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if key == "logprobs" && !field.is_null() {
                    *field = note("logprobs");
                } else {
                    elide(field);
                }
            }
        }
        _ => {}
    }
}

fn error_sample(base: NewSample, e: &ProviderError, attempts: u32, latency: Duration) -> NewSample {
    NewSample {
        status: Some(SampleStatus::Error),
        error: Some(e.to_string()),
        // A stream cut mid-way keeps the text it had delivered.
        output: e.partial_text().map(str::to_string),
        latency_ms: Some(latency.as_secs_f64() * 1000.0),
        attempts,
        ..base
    }
}

#[cfg(test)]
#[path = "sample_tests.rs"]
mod tests;
