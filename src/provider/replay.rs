//! `replay:RUN`: answer from the stored samples of a run, to reproduce an answer (or a failure)
//! exactly without calling a model. A request is matched by its content hash (messages, params,
//! tools) and sample index, so a replay never answers a question the run was not asked.

use super::{BoxFuture, Provider, ProviderError, Request, Response, ToolCall, Usage, UsageSource};
use crate::store::{SampleStatus, Store};
use std::collections::HashMap;
use std::time::Duration;

/// What a stored sample said.
type Outcome = Result<Response, String>;

/// A provider backed by one stored run, loaded into memory when created.
pub struct Replay {
    run_id: i64,
    by_hash: HashMap<(String, u32), Outcome>,
}

impl Replay {
    /// Load run `run_id` from `store`.
    pub fn load(store: &Store, run_id: i64) -> Result<Replay, ProviderError> {
        let fail = |e: crate::store::StoreError| ProviderError::Replay(e.to_string());
        store.run_info(run_id).map_err(fail)?;
        let cells = store.cells(run_id).map_err(fail)?;
        let mut by_hash = HashMap::new();
        for cell in &cells {
            for row in store.samples(cell.id).map_err(fail)? {
                let s = row.sample;
                let outcome = match s.status {
                    Some(SampleStatus::Ok) => Ok(Response {
                        text: s.output.clone().unwrap_or_default(),
                        tool_calls: s
                            .tool_calls_json
                            .as_deref()
                            .and_then(|j| serde_json::from_str::<Vec<ToolCall>>(j).ok())
                            .unwrap_or_default(),
                        finish_reason: s.finish_reason.clone(),
                        usage: Usage {
                            input: s.input_tokens.unwrap_or(0),
                            output: s.output_tokens.unwrap_or(0),
                            cached: s.cached_tokens.unwrap_or(0),
                        },
                        usage_source: if s.usage_source.as_deref() == Some("provider") {
                            UsageSource::Provider
                        } else {
                            UsageSource::Estimated
                        },
                        system_fingerprint: s.system_fingerprint.clone(),
                        latency: Duration::ZERO,
                        raw: s.response_json.clone(),
                        logprobs: s
                            .logprobs
                            .as_deref()
                            .and_then(|b| super::logprob_codec::decode(b).ok()),
                        region: s.region.clone(),
                    }),
                    _ => Err(s.error.clone().unwrap_or_else(|| "no answer stored".into())),
                };
                if let Some(hash) = s.request_hash {
                    by_hash.insert((hash, s.idx), outcome);
                }
            }
        }
        Ok(Replay { run_id, by_hash })
    }

    fn lookup(&self, request: &Request) -> Result<Response, ProviderError> {
        let key = (request.content_hash(), request.sample_index);
        match self.by_hash.get(&key) {
            Some(Ok(response)) => Ok(response.clone()),
            Some(Err(error)) => Err(ProviderError::Replayed(error.clone())),
            None => Err(ProviderError::Replay(format!(
                "run #{} has no sample {} for this request (it was asked something else, or had fewer samples)",
                self.run_id, request.sample_index
            ))),
        }
    }
}

impl Provider for Replay {
    fn name(&self) -> &str {
        "replay"
    }

    fn complete<'a>(
        &'a self,
        request: &'a Request,
    ) -> BoxFuture<'a, Result<Response, ProviderError>> {
        Box::pin(async move { self.lookup(request) })
    }
}
