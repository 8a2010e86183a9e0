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
mod tests {
    use super::*;

    #[test]
    fn a_model_alone_keeps_its_name() {
        let v = Variant::parse("  mock:drift?p=0.4  ").unwrap();
        assert_eq!(v, Variant::model("mock:drift?p=0.4"));
    }

    #[test]
    fn params_follow_the_model() {
        let v = Variant::parse("openai:gpt-4o-mini  temperature=0.7 seed=7 top_p=1 max_tokens=64")
            .unwrap();
        assert_eq!(v.model, "openai:gpt-4o-mini");
        assert_eq!(
            v.name,
            "openai:gpt-4o-mini temperature=0.7 seed=7 top_p=1 max_tokens=64"
        );
        assert_eq!(v.params.temperature, Some(0.7));
        assert_eq!(v.params.seed, Some(7));
        assert_eq!(v.params.top_p, Some(1.0));
        assert_eq!(v.params.max_tokens, Some(64));
    }

    #[test]
    fn bad_specs_say_what_and_how() {
        let e = |s: &str| Variant::parse(s).unwrap_err().to_string();
        assert_eq!(Variant::parse(" ").unwrap_err(), VariantSpecError::Empty);
        assert_eq!(
            e("m temp=1"),
            "variant \"m temp=1\": unknown parameter \"temp\" (known: temperature, top_p, max_tokens, seed, stream, response_format)"
        );
        assert_eq!(
            e("m temperature=3"),
            "variant \"m temperature=3\": temperature=\"3\": expected a number in 0..=2"
        );
        assert!(e("m seed").contains("\"seed\" is not key=value"));
        assert!(e("m max_tokens=0").contains("expected a whole number ≥ 1"));
        assert!(e("m max_tokens=99999999999").contains("too large"));
        assert!(e("m stream=yes").contains("stream=\"yes\": expected true or false"));
        assert!(e("m temperature=-1").contains("expected a number in 0..=2"));
        assert!(e("m response_format=xml").contains("expected json_schema or json_object"));
    }

    #[test]
    fn stream_and_response_format() {
        let v = Variant::parse("local:smollm stream=true response_format=json_object").unwrap();
        assert_eq!(v.params.stream, Some(true));
        assert_eq!(v.params.response_format, Some(ResponseFormat::JsonObject));
        assert!(v.name.ends_with("stream=true response_format=json_object"));
    }
}
