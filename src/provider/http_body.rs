//! What a server's body says: a 2xx body parsed as JSON (or exactly what is wrong with it), and
//! the server's own words from an error body (a JSON error object, an HTML page's title, or a
//! sanitised snippet), for [`ProviderError`] messages.

use super::ProviderError;

/// How much of an unreadable body to quote in an error.
const SNIPPET: usize = 160;

/// Parse a 2xx body, naming exactly what is wrong with it when it is not JSON.
pub(super) fn parse_body(text: &str) -> Result<serde_json::Value, ProviderError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ProviderError::BadResponse("empty body".into()));
    }
    if looks_html(trimmed) {
        return Err(ProviderError::BadResponse(format!(
            "an HTML page instead of JSON (is base_url the API root, e.g. http://host/v1?): {}",
            snippet(trimmed)
        )));
    }
    serde_json::from_str(text).map_err(|e| {
        let what = if e.is_eof() {
            "truncated JSON"
        } else {
            "malformed JSON"
        };
        ProviderError::BadResponse(format!(
            "{what} at line {} column {} ({} bytes): {}",
            e.line(),
            e.column(),
            text.len(),
            snippet(trimmed)
        ))
    })
}

fn looks_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with("<head")
}

/// The error object of a body, if it carries one (`{"error": …}`, Anthropic `{"type":"error"}`).
pub(super) fn error_object(value: &serde_json::Value) -> Option<&serde_json::Value> {
    value.get("error").filter(|e| !e.is_null())
}

pub(super) fn error_status(error: &serde_json::Value) -> Option<u16> {
    let code = error.get("code")?;
    code.as_u64()
        .or_else(|| code.as_str().and_then(|s| s.parse().ok()))
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
}

pub(super) fn describe_error(error: &serde_json::Value) -> String {
    let message = error
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .or_else(|| error.as_str().map(str::to_string))
        .unwrap_or_else(|| snippet(&error.to_string()));
    match error.get("type").and_then(|t| t.as_str()) {
        Some(kind) => format!("{kind}: {message}"),
        None => message,
    }
}

/// The message of an error body: the JSON error's message, an HTML page's title, or a snippet.
pub(super) fn error_message(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "(empty body)".into();
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
        if let Some(error) = error_object(&value) {
            return describe_error(error);
        }
        if let Some(m) = value.get("message").and_then(|m| m.as_str()) {
            return m.to_string();
        }
    }
    if looks_html(trimmed) {
        let title = trimmed
            .find("<title>")
            .and_then(|s| {
                let rest = &trimmed[s + 7..];
                rest.find("</title>").map(|e| rest[..e].trim().to_string())
            })
            .unwrap_or_default();
        return format!("an HTML error page {title:?}");
    }
    snippet(trimmed)
}

fn snippet(text: &str) -> String {
    let one = crate::sanitize::one_line(text);
    if one.chars().count() <= SNIPPET {
        one
    } else {
        format!("{}…", one.chars().take(SNIPPET).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_classified() {
        assert!(
            parse_body("")
                .unwrap_err()
                .to_string()
                .contains("empty body")
        );
        let html = parse_body("<!DOCTYPE html><html>").unwrap_err().to_string();
        assert!(html.contains("HTML page"), "{html}");
        let cut = parse_body("{\"choices\": [").unwrap_err().to_string();
        assert!(cut.contains("truncated JSON"), "{cut}");
        let bad = parse_body("{nope}").unwrap_err().to_string();
        assert!(bad.contains("malformed JSON"), "{bad}");
        assert_eq!(
            error_message("{\"error\":{\"message\":\"Rate limit\",\"type\":\"requests\"}}"),
            "requests: Rate limit"
        );
        assert_eq!(
            error_message("<html><title>502 Bad Gateway</title></html>"),
            "an HTML error page \"502 Bad Gateway\""
        );
    }
}
