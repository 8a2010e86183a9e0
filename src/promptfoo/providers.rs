//! promptfoo `providers` mapped to temper models: `openai:MODEL`, `openai:chat:MODEL`,
//! `anthropic:messages:MODEL`, `anthropic:MODEL`, `ollama:chat:MODEL`, and the object form with
//! `id`, `label` and `config` (sampling params, `response_format`, `tools`, `apiBaseUrl`,
//! `apiKeyEnvar`). Other ids are listed as unsupported and the rest still runs.

use super::prompts::Source;
use super::{PromptfooError, line_of};
use crate::config::{ProviderConfig, ProviderKind};
use crate::prompt::{Params, ResponseFormat};
use serde_json::Value;
use std::collections::BTreeMap;

/// A provider temper can call: the variant it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct PfProvider {
    /// promptfoo's label (or id): the variant's name.
    pub label: String,
    /// `provider:model` for temper.
    pub model: String,
    pub params: Params,
    /// Function tools from `config.tools` (added to the prompts this provider runs).
    pub tools: Vec<Value>,
    /// A provider table to add to the config for `apiBaseUrl` / `apiKeyEnvar`.
    pub extra: Option<(String, ProviderConfig)>,
    pub line: usize,
}

/// What `providers` gives: the usable ones, the unsupported ids (with why), and notes on
/// ignored settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Providers {
    pub usable: Vec<PfProvider>,
    pub unsupported: Vec<String>,
    pub notes: Vec<String>,
}

/// Config keys read from a provider's `config`; others are noted as ignored.
const KNOWN: &[&str] = &[
    "temperature",
    "max_tokens",
    "top_p",
    "seed",
    "response_format",
    "tools",
    "apiBaseUrl",
    "apiKeyEnvar",
    "stop",
];

/// Read the config's `providers` (a string or a list).
pub fn load(src: Source<'_>, value: &Value) -> Result<Providers, PromptfooError> {
    let list: Vec<&Value> = match value {
        Value::Array(l) => l.iter().collect(),
        Value::String(_) | Value::Object(_) => vec![value],
        other => {
            return Err(PromptfooError::at(
                src.path,
                line_of(src.text, "providers:"),
                format!(
                    "`providers` is {}; write a list",
                    super::values::kind(other)
                ),
            ));
        }
    };
    let mut out = Providers::default();
    for (i, item) in list.into_iter().enumerate() {
        let (id, label, config) = match item {
            Value::String(id) => (id.clone(), None, None),
            Value::Object(map) => {
                let Some(id) = map.get("id").and_then(Value::as_str) else {
                    out.unsupported
                        .push(format!("provider #{} (no `id`)", i + 1));
                    continue;
                };
                let label = map.get("label").and_then(Value::as_str).map(str::to_string);
                (
                    id.to_string(),
                    label,
                    map.get("config").and_then(Value::as_object),
                )
            }
            other => {
                out.unsupported.push(format!(
                    "provider #{} ({})",
                    i + 1,
                    super::values::kind(other)
                ));
                continue;
            }
        };
        let line = line_of(src.text, &id);
        let Some((kind, model)) = temper_model(&id) else {
            out.unsupported.push(id);
            continue;
        };
        let mut p = PfProvider {
            label: label.unwrap_or_else(|| id.clone()),
            model: format!("{kind}:{model}"),
            params: Params::default(),
            tools: Vec::new(),
            extra: None,
            line,
        };
        if let Some(config) = config {
            apply_config(src, &mut p, config, kind, i, &mut out.notes)?;
        }
        out.usable.push(p);
    }
    Ok(out)
}

/// `(temper provider, model)` for a promptfoo id temper can call.
pub(crate) fn temper_model(id: &str) -> Option<(&'static str, &str)> {
    let (provider, rest) = id.split_once(':')?;
    let model = match (provider, rest.split_once(':')) {
        ("openai", Some(("chat", m))) | ("anthropic", Some(("messages", m))) => m,
        ("ollama", Some(("chat", m))) => m,
        ("openai" | "anthropic", Some((kind, _))) if kind != "ft" => return None,
        (_, _) => rest,
    };
    let kind = match provider {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "ollama" => "ollama",
        _ => return None,
    };
    (!model.is_empty()).then_some((kind, model))
}

fn apply_config(
    src: Source<'_>,
    p: &mut PfProvider,
    config: &serde_json::Map<String, Value>,
    kind: &str,
    index: usize,
    notes: &mut Vec<String>,
) -> Result<(), PromptfooError> {
    let bad = |key: &str, why: &str| {
        PromptfooError::at(
            src.path,
            line_of(src.text, key),
            format!("provider {:?} config `{key}`: {why}", p.label),
        )
    };
    let num = |key: &str| config.get(key).and_then(Value::as_f64);
    p.params.temperature = num("temperature");
    p.params.top_p = num("top_p");
    p.params.max_tokens = config
        .get("max_tokens")
        .and_then(Value::as_u64)
        .map(|v| v.min(u32::MAX as u64) as u32);
    p.params.seed = config.get("seed").and_then(Value::as_u64);
    if let Some(stop) = config.get("stop") {
        p.params.stop = match stop {
            Value::String(s) => vec![s.clone()],
            Value::Array(l) => l
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => return Err(bad("stop", "must be text or a list of texts")),
        };
    }
    if let Some(format) = config.get("response_format") {
        match format.get("type").and_then(Value::as_str) {
            Some("json_object") => {
                p.params.response_format = Some(ResponseFormat::JsonObject);
                p.params.response_schema = Some(serde_json::json!({"type": "object"}));
            }
            Some("json_schema") => {
                let schema = format
                    .pointer("/json_schema/schema")
                    .cloned()
                    .ok_or_else(|| {
                        bad("response_format", "json_schema needs json_schema.schema")
                    })?;
                p.params.response_format = Some(ResponseFormat::JsonSchema);
                p.params.response_schema = Some(schema);
            }
            Some("text") | None => {}
            Some(other) => {
                return Err(bad(
                    "response_format",
                    &format!("type {other:?} is not supported"),
                ));
            }
        }
    }
    if let Some(tools) = config.get("tools") {
        p.tools = tools
            .as_array()
            .cloned()
            .ok_or_else(|| bad("tools", "must be a list of function tools"))?;
    }
    let base = config.get("apiBaseUrl").and_then(Value::as_str);
    let key_env = config.get("apiKeyEnvar").and_then(Value::as_str);
    if base.is_some() || key_env.is_some() {
        let (provider_kind, default_base, default_key) = match kind {
            "anthropic" => (
                ProviderKind::Anthropic,
                "https://api.anthropic.com",
                "ANTHROPIC_API_KEY",
            ),
            _ => (
                ProviderKind::Openai,
                "https://api.openai.com/v1",
                "OPENAI_API_KEY",
            ),
        };
        let name = format!("promptfoo-{}", index + 1);
        let model = p.model.split_once(':').map_or("", |(_, m)| m).to_string();
        p.model = format!("{name}:{model}");
        p.extra = Some((
            name,
            ProviderConfig {
                kind: provider_kind,
                base_url: Some(base.unwrap_or(default_base).to_string()),
                api_key_env: Some(key_env.unwrap_or(default_key).to_string()),
                timeout_secs: None,
                headers: BTreeMap::new(),
            },
        ));
    }
    for key in config.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
        notes.push(format!(
            "provider {:?}: config `{key}` is not used by temper",
            p.label
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_temper_models() {
        assert_eq!(
            temper_model("openai:gpt-4o-mini"),
            Some(("openai", "gpt-4o-mini"))
        );
        assert_eq!(
            temper_model("openai:chat:gpt-4o"),
            Some(("openai", "gpt-4o"))
        );
        assert_eq!(
            temper_model("anthropic:messages:claude-3-5-haiku-latest"),
            Some(("anthropic", "claude-3-5-haiku-latest"))
        );
        assert_eq!(
            temper_model("anthropic:claude-3-opus"),
            Some(("anthropic", "claude-3-opus"))
        );
        assert_eq!(
            temper_model("ollama:chat:llama3"),
            Some(("ollama", "llama3"))
        );
        assert_eq!(
            temper_model("openai:embedding:text-embedding-3-small"),
            None
        );
        assert_eq!(temper_model("vertex:gemini-pro"), None);
        assert_eq!(temper_model("echo"), None);
    }
}
