//! The request as sent: per cell the effective parameters (`params_sent`: what the server was
//! actually asked, temperature always explicit) and the exact body, stored so a report, the TUI
//! and `temper show-request` show what ran rather than what the prompt file said.

use super::PreparedCell;
use crate::prompt::ResponseFormat;
use crate::provider::Request;
use crate::store::CellRequest;
use serde_json::{Value, json};

/// The effective params of `request` as one JSON object: temperature, top_p, max_tokens, seed,
/// stop, response_format, tools by name, stream (absent ones are null or empty).
pub fn params_sent(request: &Request) -> Value {
    let p = &request.params;
    let format = match (p.response_format, &p.response_schema) {
        (Some(f), _) => Some(f.as_str()),
        (None, Some(_)) => Some(ResponseFormat::JsonSchema.as_str()),
        (None, None) => None,
    };
    let tools: Vec<&str> = request
        .tools
        .iter()
        .filter_map(|t| {
            t.pointer("/function/name")
                .or_else(|| t.get("name"))
                .and_then(Value::as_str)
        })
        .collect();
    json!({
        "temperature": p.temperature,
        "top_p": p.top_p,
        "max_tokens": p.max_tokens,
        "seed": p.seed,
        "stop": p.stop,
        "response_format": format,
        "tools": tools,
        "stream": p.streams(),
    })
}

/// `params_sent` in one line for people: `temperature=0 max_tokens=64 stream=true tools=a,b`
/// (only what is set; `stream` only when on).
pub fn params_line(sent: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["temperature", "top_p", "max_tokens", "seed"] {
        if let Some(v) = sent.get(key).filter(|v| !v.is_null()) {
            parts.push(format!("{key}={v}"));
        }
    }
    let list = |key: &str| -> Vec<String> {
        sent.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let stop = list("stop");
    if !stop.is_empty() {
        parts.push(format!("stop={}", json!(stop)));
    }
    if let Some(f) = sent.get("response_format").and_then(Value::as_str) {
        parts.push(format!("response_format={f}"));
    }
    let tools = list("tools");
    if !tools.is_empty() {
        parts.push(format!("tools={}", tools.join(",")));
    }
    if sent.get("stream").and_then(Value::as_bool) == Some(true) {
        parts.push("stream=true".into());
    }
    crate::sanitize::one_line(&parts.join(" "))
}

/// The temperature in `params_sent`, when one was sent above 0 (stability is then expected
/// to fall, and the run says so).
pub fn temperature_above_zero(sent: &Value) -> Option<f64> {
    sent.get("temperature")
        .and_then(Value::as_f64)
        .filter(|t| *t > 0.0)
}

/// What the prepared `cell` (stored as `cell_id`) sends.
pub(crate) fn cell_request(cell: &PreparedCell, cell_id: i64) -> CellRequest {
    let r = &cell.request;
    let body = cell.provider.wire_body(r).unwrap_or_else(
        || json!({"model": r.model, "messages": r.messages, "params": r.params, "tools": r.tools}),
    );
    CellRequest {
        cell_id,
        params_sent: params_sent(r).to_string(),
        request_json: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::Params;

    #[test]
    fn params_sent_and_its_line() {
        let request = Request {
            params: Params {
                stream: Some(true),
                max_tokens: Some(64),
                stop: vec!["\n".into()],
                response_schema: Some(json!({"type": "object"})),
                ..Params::default()
            }
            .effective(),
            tools: vec![json!({"type": "function", "function": {"name": "lookup"}})],
            ..Request::default()
        };
        let sent = params_sent(&request);
        assert_eq!(sent["temperature"], 0.0);
        assert_eq!(sent["response_format"], "json_schema");
        assert_eq!(sent["tools"], json!(["lookup"]));
        assert_eq!(
            params_line(&sent),
            "temperature=0.0 max_tokens=64 stop=[\"\\n\"] response_format=json_schema tools=lookup stream=true"
        );
        assert_eq!(temperature_above_zero(&sent), None);
        assert_eq!(
            temperature_above_zero(&json!({"temperature": 0.7})),
            Some(0.7)
        );
    }
}
