//! OpenTelemetry Python's `ConsoleSpanExporter` output: each span pretty-printed as a JSON object
//! (`span.to_json()`: `{name, context: {trace_id: "0x…", span_id: "0x…"}, parent_id, status:
//! {status_code}, attributes, events}`), printed to the terminal or a log with whatever else the
//! program printed in between. Objects start with a line `{` and end with a line `}`; everything
//! else is skipped. The span objects are OpenInference-shaped, so that reader maps them.

use super::model::{LoadWarning, Span};
use super::openinference;
use serde_json::Value;

/// Ok when `text` holds at least one printed span object.
pub fn sniff(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "{"
            && lines
                .next()
                .is_some_and(|n| n.trim_start().starts_with("\"name\":"))
        {
            return Ok(());
        }
    }
    Err(r#"no printed span object (a line "{" followed by a "name" field)"#.into())
}

/// Every printed span in `text`; an object that does not parse becomes a warning at its line.
pub fn read(text: &str, out: &mut Vec<Span>, warnings: &mut Vec<LoadWarning>) {
    let mut block = String::new();
    let mut started_at = None;
    for (n, line) in text.lines().enumerate() {
        match started_at {
            None if line == "{" => {
                started_at = Some(n + 1);
                block.clear();
                block.push_str(line);
            }
            None => {}
            Some(at) => {
                block.push('\n');
                block.push_str(line);
                if line == "}" {
                    started_at = None;
                    if let Err(message) = one(&block, out) {
                        warnings.push(LoadWarning {
                            line: at,
                            column: None,
                            message,
                        });
                    }
                }
            }
        }
    }
    if let Some(at) = started_at {
        warnings.push(LoadWarning {
            line: at,
            column: None,
            message: "span object not closed before the end of the file".into(),
        });
    }
}

fn one(block: &str, out: &mut Vec<Span>) -> Result<(), String> {
    let doc: Value = serde_json::from_str(block).map_err(|e| format!("printed span: {e}"))?;
    openinference::read(doc, out)
}
