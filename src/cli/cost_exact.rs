//! `temper cost --exact`: input tokens counted by the provider where it offers a counter
//! (Anthropic's free `count_tokens`, when the key is set), else the offline estimate stands
//! and the notes say why (docs/cost.md). The HTTP call is `crate::provider::TokenCounter`'s.

use crate::cost::estimate::ExactCount;
use crate::prompt::PromptBody;
use crate::provider::{Counter, Registry, Request};
use anyhow::Context;
use std::collections::BTreeMap;

/// Who counts when `--exact` gets an answer.
const COUNTED_BY: &str = "Anthropic count_tokens";

/// Per model, the provider's count of the rendered prompt, or why there is none.
pub(super) fn exact_counts(
    body: &PromptBody,
    vars: &BTreeMap<String, String>,
    models: &[String],
    config: &crate::config::Config,
) -> anyhow::Result<BTreeMap<String, ExactCount>> {
    let rendered = crate::prompt::render(body, vars)?;
    let registry = Registry::new(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut out = BTreeMap::new();
    for model in models {
        let found = match registry.token_counter(model) {
            Ok(Counter::Ready(counter, name)) => {
                let request = Request {
                    model: name,
                    messages: rendered.messages.clone(),
                    params: body.params.clone(),
                    tools: body.tools.clone(),
                    ..Request::default()
                };
                match runtime.block_on(counter.count(&request)) {
                    Ok(tokens) => ExactCount::Counted {
                        tokens,
                        by: COUNTED_BY.into(),
                    },
                    Err(e) => ExactCount::Unavailable {
                        why: format!("count_tokens failed: {e}"),
                    },
                }
            }
            Ok(Counter::Unavailable(why)) => ExactCount::Unavailable { why },
            Err(e) => ExactCount::Unavailable { why: e.to_string() },
        };
        out.insert(model.clone(), found);
    }
    Ok(out)
}

/// The note under the table: who counted, or why the `~` estimate stands.
pub(super) fn note(exact: &ExactCount) -> String {
    match exact {
        ExactCount::Counted { by, .. } => format!("input tokens counted by {by} (exact)"),
        ExactCount::Unavailable { why } => {
            format!("--exact: {why}, so the input is the o200k_base estimate")
        }
    }
}
