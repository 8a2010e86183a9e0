//! From `provider:model[?query]` to a ready [`Provider`], using the configured providers.

use super::replay::RecordedRuns;
use super::{Anthropic, Mock, MockOptions, OpenAiCompat, Provider, ProviderError, Replay, http};
use super::{Counter, TokenCounter};
use crate::config::{Config, ProviderConfig, ProviderKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A parsed model address: `openai:gpt-4o-mini`, `mock:drift?p=0.3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelRef {
    pub provider: String,
    pub model: String,
    /// Everything after `?` (mock options), without the `?`.
    pub query: String,
}

impl ModelRef {
    /// Split `provider:model[?query]`; the model part may itself contain `:` (`ollama:llama3.2:1b`).
    pub fn parse(text: &str) -> Result<ModelRef, ProviderError> {
        let bad = |why: &str| ProviderError::BadModel {
            given: text.to_string(),
            why: why.to_string(),
        };
        let (head, query) = text.split_once('?').unwrap_or((text, ""));
        let (provider, model) = head
            .split_once(':')
            .ok_or_else(|| bad("use provider:model, e.g. openai:gpt-4o-mini or mock:echo"))?;
        if provider.trim().is_empty() || model.trim().is_empty() {
            return Err(bad(
                "use provider:model, e.g. openai:gpt-4o-mini or mock:echo",
            ));
        }
        Ok(ModelRef {
            provider: provider.trim().to_string(),
            model: model.trim().to_string(),
            query: query.to_string(),
        })
    }
}

impl std::fmt::Display for ModelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider, self.model)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

/// One provider as `temper models` shows it; never carries the key itself.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderEntry {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    /// Whether the key env var is set and non-empty (None when the provider needs no key).
    pub key_set: Option<bool>,
}

/// The providers known to this process, and the recorded runs that `replay:` reads.
pub struct Registry {
    providers: BTreeMap<String, ProviderConfig>,
    recorded: Option<Arc<dyn RecordedRuns>>,
    /// `[run] max_response_mb` in bytes, handed to every HTTP provider.
    max_response_bytes: usize,
}

impl Registry {
    /// The built-in providers with the config's laid over them.
    pub fn new(config: &Config) -> Registry {
        Registry {
            providers: config.providers(),
            recorded: None,
            max_response_bytes: usize::try_from(config.run.max_response_mb.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
        }
    }

    /// Let `replay:RUN` answer from these recorded runs (`runner::registry` passes the DB's).
    pub fn with_recorded(mut self, recorded: Arc<dyn RecordedRuns>) -> Registry {
        self.recorded = Some(recorded);
        self
    }

    /// Every provider, for listing.
    pub fn entries(&self) -> Vec<ProviderEntry> {
        self.providers
            .iter()
            .map(|(name, p)| ProviderEntry {
                name: name.clone(),
                kind: p.kind,
                base_url: p.base_url.clone(),
                api_key_env: p.api_key_env.clone(),
                key_set: p
                    .api_key_env
                    .as_deref()
                    .map(|env| std::env::var(env).is_ok_and(|v| !v.trim().is_empty())),
            })
            .collect()
    }

    /// Build the provider for `text` and return it with the model name to put in requests.
    /// Fails early on an unknown provider, a bad model or a missing key.
    pub fn resolve(&self, text: &str) -> Result<(Arc<dyn Provider>, String), ProviderError> {
        let model = ModelRef::parse(text)?;
        let config =
            self.providers
                .get(&model.provider)
                .ok_or_else(|| ProviderError::UnknownProvider {
                    name: model.provider.clone(),
                    known: self.providers.keys().cloned().collect(),
                })?;
        if !model.query.is_empty() && config.kind != ProviderKind::Mock {
            return Err(ProviderError::BadModel {
                given: text.to_string(),
                why: "only mock: models take ?options".into(),
            });
        }
        let provider: Arc<dyn Provider> = match config.kind {
            ProviderKind::Mock => {
                Arc::new(Mock::new(MockOptions::parse(&model.model, &model.query)?))
            }
            ProviderKind::Replay => Arc::new(self.replay(&model)?),
            ProviderKind::Openai | ProviderKind::Anthropic => {
                http::read_key(&model.provider, config.api_key_env.as_deref())?;
                let base = config
                    .base_url
                    .as_deref()
                    .ok_or_else(|| ProviderError::BadModel {
                        given: text.to_string(),
                        why: format!("provider {} has no base_url in the config", model.provider),
                    })?;
                let headers = http::config_headers(&config.headers);
                let key = config.api_key_env.clone();
                let cap = self.max_response_bytes;
                let name = &model.provider;
                let inner: Arc<dyn Provider> = if config.kind == ProviderKind::Openai {
                    Arc::new(
                        OpenAiCompat::new(name, base, key.clone(), headers)?
                            .with_max_response_bytes(cap),
                    )
                } else {
                    Arc::new(
                        Anthropic::new(name, base, key.clone(), headers)?
                            .with_max_response_bytes(cap),
                    )
                };
                Arc::new(super::redact::Redacting::new(inner, key))
            }
        };
        Ok((provider, model.model))
    }

    /// Anthropic's count_tokens endpoint for `text`'s provider, when it speaks the Anthropic
    /// API and its key is set (`temper cost --exact`); otherwise why not.
    pub fn token_counter(&self, text: &str) -> Result<Counter, ProviderError> {
        let model = ModelRef::parse(text)?;
        let Some(config) = self.providers.get(&model.provider) else {
            return Ok(Counter::Unavailable(format!(
                "unknown provider {}",
                model.provider
            )));
        };
        if config.kind != ProviderKind::Anthropic {
            return Ok(Counter::Unavailable(
                "only Anthropic providers offer count_tokens".into(),
            ));
        }
        let Some(base) = config.base_url.as_deref() else {
            return Ok(Counter::Unavailable(format!(
                "provider {} has no base_url",
                model.provider
            )));
        };
        if http::read_key(&model.provider, config.api_key_env.as_deref()).is_err() {
            let env = config.api_key_env.as_deref().unwrap_or("its key");
            return Ok(Counter::Unavailable(format!("{env} is not set")));
        }
        let headers = http::config_headers(&config.headers);
        let counter =
            TokenCounter::new(&model.provider, base, config.api_key_env.clone(), headers)?;
        Ok(Counter::Ready(Box::new(counter), model.model))
    }

    /// The provider's own `timeout_secs` from the config, if it sets one (e.g. a slow local server).
    pub fn timeout_for(&self, text: &str) -> Option<std::time::Duration> {
        let model = ModelRef::parse(text).ok()?;
        let secs = self.providers.get(&model.provider)?.timeout_secs?;
        Some(std::time::Duration::from_secs(secs))
    }

    fn replay(&self, model: &ModelRef) -> Result<Replay, ProviderError> {
        let run_id: i64 =
            model
                .model
                .trim_start_matches('#')
                .parse()
                .map_err(|_| ProviderError::BadModel {
                    given: model.to_string(),
                    why: "use replay:RUN_ID, e.g. replay:12 (see temper runs)".into(),
                })?;
        let recorded = self
            .recorded
            .as_ref()
            .ok_or_else(|| ProviderError::Replay("no database to replay from".into()))?;
        let answers = recorded.recorded(run_id).map_err(ProviderError::Replay)?;
        Ok(Replay::new(run_id, answers))
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
