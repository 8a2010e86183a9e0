//! Unit tests of `http.rs` (kept beside it so the module reads without them).

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                HeaderName::from_static(k),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

#[test]
fn keys_are_scrubbed_but_placeholders_are_not() {
    let key = Some("sk-0123456789abcdef");
    assert_eq!(
        scrub("bad key sk-0123456789abcdef!", key),
        "bad key [redacted API key]!"
    );
    assert_eq!(scrub("x marks the spot", Some("x")), "x marks the spot");
    let text = r#"{"echo": "sk-0123456789abcdef"}"#.to_string();
    let reply = JsonReply {
        value: serde_json::from_str(&text).unwrap(),
        text,
        latency: Duration::ZERO,
        region: None,
    }
    .redact(key);
    assert!(!reply.text.contains("sk-0123") && reply.value["echo"] == "[redacted API key]");
}

#[test]
fn retry_after_forms() {
    let h = headers(&[("retry-after", "2")]);
    assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
    let h = headers(&[("retry-after-ms", "150"), ("retry-after", "9")]);
    assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
    let h = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
    assert_eq!(retry_after(&h), Some(Duration::ZERO));
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
}
