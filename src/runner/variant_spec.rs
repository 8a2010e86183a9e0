//! Variants written on one line, for `temper run -m` and the TUI's model list: the model, then
//! sampling parameters as `key=value` (`openai:gpt-4o-mini temperature=0.7 seed=7`), so the run
//! matrix can be models x params without a session file.

use super::Variant;
use crate::prompt::{Params, ResponseFormat};
use thiserror::Error;

/// Parameters a one-line variant may set.
const KEYS: &str = "temperature, top_p, max_tokens, seed, stream, response_format";

/// Why a variant spec cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum VariantSpecError {
    #[error("empty variant: give a model such as mock:echo or openai:gpt-4o-mini")]
    Empty,
    #[error("variant {spec:?}: {why}")]
    Bad { spec: String, why: String },
}

impl Variant {
    /// Parse `MODEL [key=value]...`; the variant is named by its normalised spec (`MODEL` alone
    /// when no parameter is set, so plain model lists keep their names).
    pub fn parse(spec: &str) -> Result<Variant, VariantSpecError> {
        let mut words = spec.split_whitespace();
        let model = words.next().ok_or(VariantSpecError::Empty)?;
        let bad = |why: String| VariantSpecError::Bad {
            spec: spec.trim().to_string(),
            why,
        };
        let mut params = Params::default();
        let mut name = model.to_string();
        for word in words {
            let (key, value) = word
                .split_once('=')
                .ok_or_else(|| bad(format!("{word:?} is not key=value (known keys: {KEYS})")))?;
            let number = |lo: f64, hi: f64| -> Result<f64, VariantSpecError> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (lo..=hi).contains(v))
                    .ok_or_else(|| {
                        bad(format!("{key}={value:?}: expected a number in {lo}..={hi}"))
                    })
            };
            let integer = |min: u64| -> Result<u64, VariantSpecError> {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|v| *v >= min)
                    .ok_or_else(|| bad(format!("{key}={value:?}: expected a whole number ≥ {min}")))
            };
            match key {
                "temperature" => params.temperature = Some(number(0.0, 2.0)?),
                "top_p" => params.top_p = Some(number(0.0, 1.0)?),
                "max_tokens" => {
                    let n = integer(1)?;
                    params.max_tokens = Some(
                        u32::try_from(n).map_err(|_| bad(format!("{key}={value} is too large")))?,
                    );
                }
                "seed" => params.seed = Some(integer(0)?),
                "stream" => {
                    params.stream = Some(match value {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad(format!("stream={value:?}: expected true or false"))),
                    });
                }
                "response_format" => {
                    params.response_format = Some(match value {
                        "json_schema" => ResponseFormat::JsonSchema,
                        "json_object" => ResponseFormat::JsonObject,
                        _ => {
                            return Err(bad(format!(
                                "response_format={value:?}: expected json_schema or json_object"
                            )));
                        }
                    });
                }
                other => {
                    return Err(bad(format!("unknown parameter {other:?} (known: {KEYS})")));
                }
            }
            name.push(' ');
            name.push_str(key);
            name.push('=');
            name.push_str(value);
        }
        Ok(Variant {
            name,
            model: model.to_string(),
            params,
        })
    }
}

#[cfg(test)]
#[path = "variant_spec_tests.rs"]
mod tests;
