//! `temper replay TRACE… --to-session FILE`: LLM calls seen in traces become a regression set,
//! a session file `temper check` runs (docs/replay.md).
//!
//! Each replayed span is saved as a prompt version (its messages cannot be one template with
//! vars), listed in `prompts`; its recorded answer becomes a `[[check.must_equal]]` entry the
//! user can loosen with `min_similarity` or drop.

use crate::runner::Variant;
use crate::trace::{SpanKind, Trace};

/// One span of the set: where it came from, the prompt version holding it, the recorded answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SetEntry {
    pub trace: String,
    pub span_id: String,
    /// Prompt name and version number the span was saved as.
    pub prompt: String,
    pub number: u32,
    pub output: String,
}

/// A span left out of the set and why (not captured, no recorded answer…).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub trace: String,
    pub span: String,
    pub why: String,
}

/// The LLM spans of `trace`, in file order: the ones `--to-session` takes when no `--span` is given.
pub fn llm_spans(trace: &Trace) -> Vec<&crate::trace::Span> {
    trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Llm)
        .collect()
}

/// Session variant keys a variant's params may set (`[[variants]]` of docs/architecture.md).
const VARIANT_PARAMS: [&str; 7] = [
    "temperature",
    "top_p",
    "max_tokens",
    "seed",
    "stop",
    "stream",
    "response_format",
];

/// The session file text: `samples` per cell, every entry's prompt on every variant, one
/// `must_equal` per entry. Strings are TOML-quoted, so any recorded text round-trips.
pub fn session_text(
    name: &str,
    samples: u32,
    entries: &[SetEntry],
    variants: &[Variant],
) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::new();
    out.push_str("# Regression set written by `temper replay --to-session` (docs/replay.md).\n");
    out.push_str(
        "# Each prompt is one LLM call of a trace; each [[check.must_equal]] holds the answer\n",
    );
    out.push_str("# production got. Loosen one with `min_similarity = 0.8`, or delete it.\n");
    out.push_str(&format!(
        "name = {}\nsamples = {samples}\nprompts = [\n",
        q(name)
    ));
    for e in entries {
        out.push_str(&format!(
            "  {},\n",
            q(&format!("{}@{}", e.prompt, e.number))
        ));
    }
    out.push_str("]\n");
    for v in variants {
        out.push_str(&format!(
            "\n[[variants]]\nname = {}\nmodel = {}\n",
            q(&v.name),
            q(&v.model)
        ));
        out.push_str(&variant_params(v));
    }
    for e in entries {
        out.push_str(&format!(
            "\n[[check.must_equal]]\n# span {} of {}\nprompt = {}\noutput = {}\n",
            crate::sanitize::one_line(&e.span_id),
            crate::sanitize::one_line(&e.trace),
            q(&e.prompt),
            q(&e.output)
        ));
    }
    out
}

/// The params of a `--model` spec a session variant can hold, as `key = value` lines.
fn variant_params(v: &Variant) -> String {
    let Ok(toml::Value::Table(mut table)) = toml::Value::try_from(&v.params) else {
        return String::new();
    };
    table.retain(|k, _| VARIANT_PARAMS.contains(&k));
    toml::to_string(&table).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use std::path::Path;

    #[test]
    fn the_text_parses_back_as_a_session_with_the_recorded_answers() {
        let entries = vec![SetEntry {
            trace: "spans.jsonl".into(),
            span_id: "7986d5a7abc".into(),
            prompt: "replay-7986d5a7".into(),
            number: 2,
            output: "line \"one\"\nline two {{x}} ''' \\".into(),
        }];
        let variant =
            Variant::parse("local:smollm2-135m temperature=0 max_tokens=24").expect("a valid spec");
        let text = session_text("regress", 3, &entries, &[variant]);
        let session = Session::parse(&text, Path::new("regress.toml")).expect("parses");
        assert_eq!(session.samples, Some(3));
        assert_eq!(session.prompts[0].value, "replay-7986d5a7@2");
        assert_eq!(session.variants[0].model.value, "local:smollm2-135m");
        assert_eq!(session.variants[0].params.temperature, Some(0.0));
        assert_eq!(session.variants[0].params.max_tokens, Some(24));
        let must = &session.check.must_equal[0];
        assert_eq!(must.output, entries[0].output);
        assert_eq!(must.prompt.as_deref(), Some("replay-7986d5a7"));
        assert_eq!(must.min_similarity, 1.0);
    }
}
