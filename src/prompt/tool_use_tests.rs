//! Unit tests of `tool_use.rs` (kept beside it so the module reads without them).

use crate::prompt::PromptFile;

const TRANSCRIPT: &str = r#"
name = "agent-replay"
[[messages]]
role = "user"
content = "Is payments healthy?"
[[messages]]
role = "assistant"
[[messages.tool_calls]]
id = "call_1"
name = "get_service_status"
arguments = '{"service": "payments"}'
[[messages]]
role = "tool"
tool_call_id = "call_1"
content = '{"status": "degraded"}'
"#;

fn error(text: &str) -> String {
    PromptFile::parse(text, "t.toml").unwrap_err().to_string()
}

#[test]
fn a_transcript_parses_round_trips_and_reads_as_text() {
    let f = PromptFile::parse(TRANSCRIPT, "t.toml").unwrap();
    let assistant = &f.body.messages[1];
    assert_eq!(
        assistant.content, "",
        "content may be left out next to tool calls"
    );
    assert_eq!(assistant.tool_calls[0].name, "get_service_status");
    assert_eq!(f.body.messages[2].tool_call_id.as_deref(), Some("call_1"));
    assert_eq!(PromptFile::parse(&f.to_toml(), "again").unwrap(), f);
    assert_eq!(
        assistant.display_text(),
        "→ call_1: get_service_status({\"service\": \"payments\"})"
    );
    assert_eq!(
        f.body.messages[2].display_text(),
        "(answers call_1)\n{\"status\": \"degraded\"}"
    );
}

#[test]
fn a_message_without_tool_use_serialises_as_before() {
    // Content hashes of existing versions must not change.
    let m = crate::prompt::Message::new(crate::prompt::Role::User, "hi");
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"role":"user","content":"hi"}"#
    );
}

#[test]
fn transcripts_a_provider_would_reject_are_refused() {
    let no_id = TRANSCRIPT.replace("tool_call_id = \"call_1\"\n", "");
    assert!(
        error(&no_id).contains("messages[2] (tool): a tool message needs tool_call_id"),
        "{}",
        error(&no_id)
    );
    let wrong = TRANSCRIPT.replace("tool_call_id = \"call_1\"", "tool_call_id = \"call_9\"");
    assert!(
        error(&wrong).contains(
            "tool_call_id \"call_9\" answers no earlier call (calls made so far: call_1)"
        ),
        "{}",
        error(&wrong)
    );
    let bad_args = TRANSCRIPT.replace(r#"'{"service": "payments"}'"#, "'payments'");
    assert!(error(&bad_args).contains("tool_calls[0].arguments must be a JSON object"));
    let user_calls = TRANSCRIPT.replacen("role = \"assistant\"", "role = \"user\"", 1);
    assert!(error(&user_calls).contains("only assistant messages make tool_calls"));
    let stray = TRANSCRIPT.replacen(
        "content = \"Is payments healthy?\"",
        "content = \"hi\"\ntool_call_id = \"call_1\"",
        1,
    );
    assert!(error(&stray).contains("messages[0] (user): only tool messages carry tool_call_id"));
}
