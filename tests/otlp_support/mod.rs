//! Helpers shared by the OTLP receiver tests (tests/trace_receive.rs, tests/trace_live.rs): the
//! real fixture files and a blocking POST as an exporter sends it.

use std::path::{Path, PathBuf};

/// reqwest is built without a default TLS provider (as in temper itself).
pub fn tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A file of the real-instrumentation fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/traces/real")
        .join(rel)
}

/// POST a body; the answer's status, content type and bytes.
pub fn post(url: &str, content_type: &str, gzip: bool, body: Vec<u8>) -> (u16, String, Vec<u8>) {
    tls();
    let client = reqwest::blocking::Client::new();
    let mut req = client
        .post(url)
        .header("Content-Type", content_type)
        .body(body);
    if gzip {
        req = req.header("Content-Encoding", "gzip");
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, resp.bytes().unwrap().to_vec())
}
