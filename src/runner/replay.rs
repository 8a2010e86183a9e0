//! The source behind `replay:RUN`: a run's stored samples read from the DB and turned back into
//! provider answers. It lives here, above both the store and the providers, so neither imports
//! the other (see docs/architecture.md).

use crate::config::Config;
use crate::provider::{
    Recorded, RecordedRuns, Registry, Response, ToolCall, Usage, UsageSource, logprob_codec,
};
use crate::store::{NewSample, SampleStatus, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The registry runs resolve models with: the config's providers, with `replay:RUN` reading
/// runs from the DB at `db_path`.
pub fn registry(config: &Config, db_path: &Path) -> Registry {
    Registry::new(config).with_recorded(Arc::new(StoredRuns {
        path: db_path.to_path_buf(),
    }))
}

/// Recorded runs read from a DB file, opened when a replay is resolved.
pub struct StoredRuns {
    path: PathBuf,
}

impl RecordedRuns for StoredRuns {
    fn recorded(&self, run_id: i64) -> Result<Vec<Recorded>, String> {
        let store = Store::open(&self.path).map_err(|e| e.to_string())?;
        recorded(&store, run_id).map_err(|e| e.to_string())
    }
}

/// Every stored sample of run `run_id` that knows its request hash, as a replay answers it.
fn recorded(store: &Store, run_id: i64) -> Result<Vec<Recorded>, StoreError> {
    store.run_info(run_id)?;
    let mut out = Vec::new();
    for cell in store.cells(run_id)? {
        for row in store.samples(cell.id)? {
            let s = row.sample;
            let outcome = outcome(&s);
            if let Some(request_hash) = s.request_hash {
                out.push(Recorded {
                    request_hash,
                    sample_index: s.idx,
                    outcome,
                });
            }
        }
    }
    Ok(out)
}

/// What the sample said: its answer when it succeeded, else its stored error.
fn outcome(s: &NewSample) -> Result<Response, String> {
    if !matches!(s.status, Some(SampleStatus::Ok)) {
        return Err(s.error.clone().unwrap_or_else(|| "no answer stored".into()));
    }
    Ok(Response {
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
            .and_then(|b| logprob_codec::decode(b).ok()),
        region: s.region.clone(),
        ttft: None,
    })
}
