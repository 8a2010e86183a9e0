//! Replayed tool use in prompts: an agent transcript where an assistant message made tool calls
//! and tool messages answer them. Checked when a prompt file is read, so a transcript a provider
//! would reject (a tool answer without the id of its call) fails before anything is saved.

use super::{Message, Role};

/// A replayed transcript must be one a provider accepts: tool calls only on assistant messages,
/// arguments that are JSON objects, and every `tool` message answering an earlier call by id.
pub fn validate(messages: &[Message]) -> Result<(), String> {
    let mut calls: Vec<&str> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let at = format!("messages[{i}] ({})", m.role.as_str());
        if !m.tool_calls.is_empty() && m.role != Role::Assistant {
            return Err(format!("{at}: only assistant messages make tool_calls"));
        }
        for (j, call) in m.tool_calls.iter().enumerate() {
            if call.id.trim().is_empty() || call.name.trim().is_empty() {
                return Err(format!("{at}: tool_calls[{j}] needs an id and a name"));
            }
            match serde_json::from_str::<serde_json::Value>(&call.arguments) {
                Ok(v) if v.is_object() => {}
                _ => {
                    return Err(format!(
                        "{at}: tool_calls[{j}].arguments must be a JSON object as text, e.g. '{{\"service\": \"payments\"}}'"
                    ));
                }
            }
            calls.push(&call.id);
        }
        match (&m.tool_call_id, m.role) {
            (None, Role::Tool) => {
                return Err(format!(
                    "{at}: a tool message needs tool_call_id, the id of the assistant tool call it answers"
                ));
            }
            (Some(id), Role::Tool) if !calls.contains(&id.as_str()) => {
                let known = if calls.is_empty() {
                    "no assistant message before it made a tool call".to_string()
                } else {
                    format!("calls made so far: {}", calls.join(", "))
                };
                return Err(format!(
                    "{at}: tool_call_id {id:?} answers no earlier call ({known})"
                ));
            }
            (Some(_), role) if role != Role::Tool => {
                return Err(format!("{at}: only tool messages carry tool_call_id"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "tool_use_tests.rs"]
mod tests;
