//! Structured-output failures: a call asked for output following a JSON schema (its
//! `response_format`) and the output is not JSON, or does not follow the schema. The reason names
//! the first offending path so the fix is findable in a long answer.

use super::flag;
use crate::trace::model::{Flag, FlagKind};
use crate::trace::tree::Trace;

/// Errors listed per span before the rest are counted.
const SHOWN: usize = 2;

/// Flag every span whose output breaks the schema it asked for.
pub fn scan(trace: &Trace, flags: &mut Vec<Flag>) {
    for (i, span) in trace.spans.iter().enumerate() {
        let (Some(schema), Some(output)) = (&span.output_schema, &span.output) else {
            continue;
        };
        if let Some(reason) = check(schema, output) {
            flags.push(flag(trace, i, FlagKind::SchemaMismatch, reason));
        }
    }
}

/// Why `output` breaks `schema`, or `None` when it follows it.
fn check(schema: &serde_json::Value, output: &str) -> Option<String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => return Some(format!("the requested schema itself is invalid: {e}")),
    };
    let value: serde_json::Value = match serde_json::from_str(output.trim()) {
        Ok(v) => v,
        Err(e) => {
            return Some(format!(
                "output is not JSON ({e}), but the call asked for a JSON schema"
            ));
        }
    };
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("at {at}: {e}")
        })
        .collect();
    match errors.len() {
        0 => None,
        n => {
            let mut reason = format!(
                "output does not follow the requested schema: {}",
                errors[..n.min(SHOWN)].join("; ")
            );
            if n > SHOWN {
                reason.push_str(&format!(" (+{} more)", n - SHOWN));
            }
            Some(reason)
        }
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
