//! Unit tests of `decode.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn content_types_ignore_parameters_and_case() {
    assert_eq!(
        Encoding::from_content_type("Application/JSON; charset=utf-8"),
        Some(Encoding::Json)
    );
    assert_eq!(
        Encoding::from_content_type("application/x-protobuf"),
        Some(Encoding::Protobuf)
    );
    assert_eq!(Encoding::from_content_type("text/plain"), None);
}

#[test]
fn gzip_bomb_is_capped() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 1 << 20]).ok();
    let small = gz.finish().unwrap_or_default();
    assert!(small.len() < 10_000);
    let err = inflate(small.into(), Some("gzip"), 1000);
    assert!(matches!(err, Err(BodyError::TooLarge(_))), "{err:?}");
}

#[test]
fn json_span_without_span_id_is_rejected_alone() {
    let body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"ok"},
        {"traceId":"0102030405060708090a0b0c0d0e0f10","name":"broken"}]}]}]}"#;
    let got = traces(body, Encoding::Json).unwrap_or_default();
    assert_eq!(got.spans.len(), 1);
    assert_eq!(got.rejected, 1);
    assert!(got.reason.unwrap_or_default().contains("spanId"));
}
