//! `temper replay`: a production LLM call found in a trace becomes a prompt version, is fired N
//! times through the runner and compared with the answer production got (docs/replay.md).
//!
//! The request is rebuilt by `trace::request`; saving goes through the store; firing is the
//! runner's plan; comparing is `analysis` (normalisation, clusters, divergence) in [`compare`].

mod compare;
pub mod fire;
pub mod grounding;
pub mod probe;
mod to_session;

pub use compare::{ModelReplay, RecordedDivergence, compare, results, verdict};
pub use to_session::{SetEntry, Skipped, llm_spans, session_text};

use crate::prompt::{PromptBody, template_vars};
use crate::provider::Registry;
use crate::runner::Variant;
use crate::store::{Store, StoreError, Version, VersionInfo};
use crate::trace::{LlmRequest, RequestError, Span, Trace};
use std::path::Path;
use thiserror::Error;

/// Why a span cannot be replayed; nothing is saved when one of these is returned.
#[derive(Debug, Error)]
pub enum ReplayError {
    #[error("no span {id:?} in {file}: list the spans with `temper trace {file}`")]
    NoSpan { id: String, file: String },
    #[error("span id prefix {id:?} matches {count} spans in {file}: give more of the id")]
    Ambiguous {
        id: String,
        file: String,
        count: usize,
    },
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(
        "span {id} records no model name: pass the model to replay on, e.g. --model openai:gpt-4o-mini"
    )]
    NoModel { id: String },
    #[error(
        "no provider serves model {model:?}: {why} (configure one in the config's [providers], or pass --model PROVIDER:MODEL)"
    )]
    UnknownModel { model: String, why: String },
    #[error("bad --model {spec:?}: {why}")]
    BadModel { spec: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An LLM span ready to replay: its rebuilt request and the prompt body it becomes.
#[derive(Debug, Clone)]
pub struct Replayable {
    pub span_id: String,
    pub request: LlmRequest,
    pub body: PromptBody,
}

/// The span `id` names: an exact id, else a unique prefix of one.
pub fn find<'t>(trace: &'t Trace, id: &str, file: &str) -> Result<&'t Span, ReplayError> {
    if let Some(span) = trace.spans.iter().find(|s| s.id == id) {
        return Ok(span);
    }
    let matches: Vec<&Span> = trace
        .spans
        .iter()
        .filter(|s| !id.is_empty() && s.id.starts_with(id))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(ReplayError::NoSpan {
            id: id.into(),
            file: file.into(),
        }),
        many => Err(ReplayError::Ambiguous {
            id: id.into(),
            file: file.into(),
            count: many.len(),
        }),
    }
}

/// Rebuild `span`'s request and the prompt body holding it.
pub fn prepare(span: &Span) -> Result<Replayable, ReplayError> {
    let request = crate::trace::reconstruct(span)?;
    Ok(Replayable {
        span_id: span.id.to_string(),
        body: body_of(&request),
        request,
    })
}

/// The prompt body of a request. Recorded text is sent as is: a `{{name}}` in it gets a default
/// var holding that same text, so rendering leaves it unchanged instead of asking for a value.
pub fn body_of(request: &LlmRequest) -> PromptBody {
    let mut body = PromptBody {
        params: request.params.clone(),
        messages: request.messages.clone(),
        tools: request.tools.clone(),
        ..PromptBody::default()
    };
    for name in template_vars(&body) {
        let literal = format!("{{{{{name}}}}}");
        body.vars.insert(name, literal);
    }
    body
}

/// The model the span was recorded on, as a temper model address: `anthropic:` for Anthropic
/// spans (by system or a `claude` model name), `openai:` for every OpenAI-compatible one.
pub fn recorded_model(request: &LlmRequest) -> Option<String> {
    let model = request.model.as_deref()?.trim();
    if model.is_empty() {
        return None;
    }
    let system = request.system.as_deref().unwrap_or("").to_ascii_lowercase();
    let provider = if system.contains("anthropic") || model.starts_with("claude") {
        "anthropic"
    } else {
        "openai"
    };
    Some(format!("{provider}:{model}"))
}

/// The variants to fire: `--model` specs when given, else the recorded model. Each must be
/// served by a provider of `registry`, checked before anything is saved.
pub fn variants(
    replay: &Replayable,
    specs: &[String],
    registry: &Registry,
) -> Result<Vec<Variant>, ReplayError> {
    let specs: Vec<String> = if specs.is_empty() {
        vec![
            recorded_model(&replay.request).ok_or_else(|| ReplayError::NoModel {
                id: replay.span_id.clone(),
            })?,
        ]
    } else {
        specs.to_vec()
    };
    let mut out: Vec<Variant> = Vec::new();
    for spec in specs {
        let variant = Variant::parse(&spec).map_err(|e| ReplayError::BadModel {
            spec: spec.clone(),
            why: e.to_string(),
        })?;
        registry
            .resolve(&variant.model)
            .map_err(|e| ReplayError::UnknownModel {
                model: variant.model.clone(),
                why: e.to_string(),
            })?;
        if !out.iter().any(|v| v.name == variant.name) {
            out.push(variant);
        }
    }
    Ok(out)
}

/// `replay-<first 8 characters of the span id>`, kept to characters a prompt name allows.
pub fn default_name(span_id: &str) -> String {
    let id: String = span_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(8)
        .collect();
    format!("replay-{}", if id.is_empty() { "span" } else { &id })
}

/// Save the replayed request as the next version of `name`; the message names file and span.
pub fn save(
    store: &mut Store,
    name: &str,
    replay: &Replayable,
    file: &Path,
) -> Result<VersionInfo, ReplayError> {
    let message = format!("replay of span {} from {}", replay.span_id, file.display());
    Ok(store.save_version(name, &replay.body, &message)?.version)
}

/// The version [`save`] will produce, before anything is written: the latest version of `name`
/// when it holds the same body (saving then writes nothing), else the next number with no row id
/// yet. Plans and spend estimates are made on it so a refusal saves nothing.
pub fn pending_version(
    store: &Store,
    name: &str,
    replay: &Replayable,
) -> Result<Version, ReplayError> {
    let hash = replay.body.content_hash();
    let latest = match store.resolve_str(name) {
        Ok(v) => Some(v),
        Err(StoreError::UnknownPrompt { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(v) = latest.as_ref().filter(|v| v.info.hash == hash) {
        return Ok(v.clone());
    }
    let parent = latest.as_ref().map(|v| v.info.number);
    Ok(Version {
        info: VersionInfo {
            id: -1,
            prompt: name.to_string(),
            number: parent.map_or(1, |n| n + 1),
            hash,
            parent,
            message: String::new(),
            created_at: String::new(),
            labels: Vec::new(),
        },
        body: replay.body.clone(),
    })
}
