//! `replay:RUN`: answer from the stored samples of a run, to reproduce an answer (or a failure)
//! exactly without calling a model. A request is matched by its content hash (messages, params,
//! tools) and sample index, so a replay never answers a question the run was not asked.
//!
//! The provider layer does not read the store: the recorded answers come from a
//! [`RecordedRuns`] source the caller hands the registry (the runner's reads the DB), so imports
//! keep running downhill (see docs/architecture.md).

use super::{BoxFuture, Provider, ProviderError, Request, Response};
use std::collections::HashMap;

/// What a stored sample said: its answer, or the error it failed with.
pub type Outcome = Result<Response, String>;

/// One recorded answer of a run, keyed as a replayed request will ask for it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// [`Request::content_hash`] of the request the run sent.
    pub request_hash: String,
    /// Which of the N samples it was.
    pub sample_index: u32,
    pub outcome: Outcome,
}

/// Where `replay:RUN` finds a run's recorded answers; the owner of the database provides it, so
/// this layer never opens the store itself.
pub trait RecordedRuns: Send + Sync {
    /// Every recorded answer of run `run_id`, or why they cannot be read (worded for the user).
    fn recorded(&self, run_id: i64) -> Result<Vec<Recorded>, String>;
}

/// A provider backed by one stored run, held in memory.
pub struct Replay {
    run_id: i64,
    by_hash: HashMap<(String, u32), Outcome>,
}

impl Replay {
    /// A replay of run `run_id` answering with `recorded` (a later duplicate key wins).
    pub fn new(run_id: i64, recorded: Vec<Recorded>) -> Replay {
        let by_hash = recorded
            .into_iter()
            .map(|r| ((r.request_hash, r.sample_index), r.outcome))
            .collect();
        Replay { run_id, by_hash }
    }

    fn lookup(&self, request: &Request) -> Result<Response, ProviderError> {
        let key = (request.content_hash(), request.sample_index);
        // Runs recorded before temper made temperature 0 explicit hashed the request without it.
        let implicit = || {
            let mut older = request.clone();
            older.params.temperature = None;
            (older.content_hash(), request.sample_index)
        };
        let found = self.by_hash.get(&key).or_else(|| {
            (request.params.temperature == Some(crate::prompt::DEFAULT_TEMPERATURE))
                .then(implicit)
                .and_then(|k| self.by_hash.get(&k))
        });
        match found {
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
