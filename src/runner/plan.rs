//! What to run: prompt versions x variants x cases x N samples, and how (concurrency, timeout,
//! retries). [`Plan::prepare`] renders and resolves everything up front, so a missing variable,
//! an unknown provider or a missing key fails before any call is made or any run is stored.

use super::Backoff;
use crate::config::RunDefaults;
use crate::cost::PriceBook;
use crate::prompt::{Params, RenderError};
use crate::provider::{Provider, ProviderError, Registry, Request};
use crate::store::{NewCell, Version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// A model with the params it overrides; `name` labels it in reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    /// `provider:model[?query]`.
    pub model: String,
    #[serde(default)]
    pub params: Params,
}

impl Variant {
    /// A variant named after its model, with no param overrides.
    pub fn model(model: &str) -> Variant {
        Variant {
            name: model.to_string(),
            model: model.to_string(),
            params: Params::default(),
        }
    }
}

/// Values for the prompt's `{{vars}}`; `name` labels it in reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

/// Everything one run needs. Build it with [`Plan::new`] and adjust the public fields.
#[derive(Debug, Clone)]
pub struct Plan {
    pub prompts: Vec<Version>,
    pub variants: Vec<Variant>,
    pub cases: Vec<Case>,
    /// N: samples per (prompt, variant, case) cell.
    pub samples: u32,
    /// Calls in flight at once, across all cells.
    pub concurrency: usize,
    /// Per attempt, unless the provider's config sets `timeout_secs`.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub backoff: Backoff,
    /// `cli`, `session` or `tui`, stored on the run.
    pub source: String,
    /// The session name, when a session file started the run.
    pub session: Option<String>,
    /// Stop before any call that could take actual spend past this many USD (the spend
    /// guard); from `[run] budget_usd`, `--budget-usd` or the session's budget.
    pub budget_usd: Option<f64>,
    /// Prices for `cost_usd` on every sample and for the budget. `None`: the embedded table
    /// with the built-in providers; pass `PriceBook::load(&config, …)` so configured local
    /// servers and `[prices]` overrides count.
    pub prices: Option<Arc<PriceBook>>,
    /// Ask for token logprobs with this many alternatives, where the provider can return them.
    pub logprobs: Option<u8>,
    /// Send each cell's samples under these schedules (one cell per schedule); empty: the
    /// usual shared pool of `concurrency`.
    pub schedules: Vec<super::Schedule>,
}

impl Plan {
    /// A plan with the `[run]` defaults from the config.
    pub fn new(
        prompts: Vec<Version>,
        variants: Vec<Variant>,
        cases: Vec<Case>,
        defaults: &RunDefaults,
    ) -> Plan {
        Plan {
            prompts,
            variants,
            cases,
            samples: defaults.samples,
            concurrency: defaults.concurrency,
            timeout: Duration::from_secs(defaults.timeout_secs),
            max_retries: defaults.max_retries,
            backoff: Backoff::default(),
            source: "cli".into(),
            session: None,
            budget_usd: defaults.budget_usd,
            prices: None,
            logprobs: Some(crate::provider::DEFAULT_TOP_LOGPROBS),
            schedules: Vec::new(),
        }
    }

    /// Total calls the plan makes (before retries).
    pub fn total_samples(&self) -> usize {
        self.prompts.len()
            * self.variants.len()
            * self.cases.len().max(1)
            * self.schedules.len().max(1)
            * self.samples as usize
    }

    /// Render every cell and resolve every model. Cases default to one unnamed case.
    pub fn prepare(&self, registry: &Registry) -> Result<Vec<PreparedCell>, PlanError> {
        if self.prompts.is_empty() || self.variants.is_empty() {
            return Err(PlanError::Empty);
        }
        if self.samples == 0 || self.concurrency == 0 {
            return Err(PlanError::Zero);
        }
        let default_case = [Case {
            name: "default".into(),
            vars: BTreeMap::new(),
        }];
        let cases: &[Case] = if self.cases.is_empty() {
            &default_case
        } else {
            &self.cases
        };
        let mut providers: BTreeMap<&str, (Arc<dyn Provider>, String)> = BTreeMap::new();
        for v in &self.variants {
            if !providers.contains_key(v.model.as_str()) {
                let resolved = registry
                    .resolve(&v.model)
                    .map_err(|error| PlanError::Model {
                        variant: v.name.clone(),
                        error,
                    })?;
                providers.insert(&v.model, resolved);
            }
        }
        let mut cells = Vec::new();
        for version in &self.prompts {
            let reference = format!("{}@{}", version.info.prompt, version.info.number);
            for variant in &self.variants {
                let Some((provider, model)) = providers.get(variant.model.as_str()) else {
                    continue;
                };
                for case in cases {
                    let rendered =
                        crate::prompt::render(&version.body, &case.vars).map_err(|error| {
                            PlanError::Render {
                                prompt: reference.clone(),
                                case: case.name.clone(),
                                error,
                            }
                        })?;
                    let request = Request {
                        model: model.clone(),
                        messages: rendered.messages,
                        params: version.body.params.merged_with(&variant.params).effective(),
                        tools: version.body.tools.clone(),
                        sample_index: 0,
                        logprobs: self.logprobs.filter(|_| provider.supports_logprobs()),
                    };
                    cells.push(PreparedCell {
                        new_cell: NewCell {
                            prompt_version_id: version.info.id,
                            variant_name: variant.name.clone(),
                            variant_json: serde_json::to_string(variant).unwrap_or_default(),
                            case_name: case.name.clone(),
                            case_json: serde_json::to_string(case).unwrap_or_default(),
                            n: self.samples,
                        },
                        request_hash: request.content_hash(),
                        request,
                        provider: provider.clone(),
                        timeout: registry.timeout_for(&variant.model).unwrap_or(self.timeout),
                        warnings: rendered.warnings,
                        schedule: None,
                    });
                }
            }
        }
        Ok(super::schedule::apply(cells, &self.schedules))
    }
}

/// One cell ready to send: the exact request (sample index 0) and its provider.
#[derive(Clone)]
pub struct PreparedCell {
    pub new_cell: NewCell,
    pub request: Request,
    pub request_hash: String,
    pub provider: Arc<dyn Provider>,
    /// Per attempt: the provider's `timeout_secs` from the config, else the plan's.
    pub timeout: Duration,
    /// Render warnings (unused variables), worth showing once.
    pub warnings: Vec<String>,
    /// Set by the batch probe: how this cell's samples are sent.
    pub schedule: Option<super::Schedule>,
}

/// Why a plan cannot run.
#[derive(Debug, Error)]
pub enum PlanError {
    #[error("nothing to run: the plan needs at least one prompt and one model")]
    Empty,
    #[error("samples and concurrency must be at least 1")]
    Zero,
    #[error("variant {variant}: {error}")]
    Model {
        variant: String,
        error: ProviderError,
    },
    #[error("{prompt}, case {case}: {error}")]
    Render {
        prompt: String,
        case: String,
        error: RenderError,
    },
}
