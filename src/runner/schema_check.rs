//! `response_format=json_object`: the server is only asked for a JSON object, so temper checks
//! each answer against the prompt's `response_schema` itself; an answer that does not follow it
//! is stored as an error with its text kept.

use crate::prompt::ResponseFormat;
use crate::provider::Request;
use std::sync::Arc;

/// The compiled schema to check answers against, when the request asks for a JSON object only.
/// A schema that does not compile is left to the server's own handling (none is checked).
pub(super) fn validator(request: &Request) -> Option<Arc<jsonschema::Validator>> {
    if request.params.response_format != Some(ResponseFormat::JsonObject) {
        return None;
    }
    let schema = request.params.response_schema.as_ref()?;
    jsonschema::validator_for(schema).ok().map(Arc::new)
}

/// Why `text` breaks the schema, or `None` when it follows it (or there is no schema).
pub(super) fn violation(schema: Option<&jsonschema::Validator>, text: &str) -> Option<String> {
    let schema = schema?;
    let prefix = "the answer does not follow the prompt's response_schema (checked by temper: response_format=json_object)";
    let value: serde_json::Value = match serde_json::from_str(text.trim()) {
        Ok(v) => v,
        Err(e) => return Some(format!("{prefix}: not JSON: {e}")),
    };
    schema.iter_errors(&value).next().map(|e| {
        let at = e.instance_path().to_string();
        let at = if at.is_empty() { "/".to_string() } else { at };
        format!("{prefix}: at {at}: {e}")
    })
}

#[cfg(test)]
#[path = "schema_check_tests.rs"]
mod tests;
