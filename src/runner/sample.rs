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
        response_json: r.raw,
        ..base
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
