//! Shared by the trace targets: drive one reader on arbitrary bytes, both as a whole JSON
//! document (the reader's from-value entry point) and as a file through `trace::load` (line
//! splitting, format sniffing, the JSONL fallback), then build the tree, run every detector,
//! price the spans and sanitise every string, as `temper trace` does.
#![allow(dead_code)] // each target uses a part of this module

use std::path::PathBuf;
use temper::sanitize::for_display;
use temper::trace::detectors::{self, Limits};
use temper::trace::{Format, Trace};

/// One temp file per fuzzing process, rewritten on every input.
fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("temper-fuzz-{}.trace", std::process::id()))
}

/// Everything `temper trace` does after loading, minus the printing.
fn inspect(mut trace: Trace) {
    let limits = Limits {
        context_window: Box::new(|_| Some(1000)),
        ..Limits::default()
    };
    detectors::run(&mut trace, &limits);
    let costs = temper::trace::pricing::span_costs(&trace, &|_, u| {
        Some(u.prompt_tokens? as f64 * 1e-6)
    });
    assert_eq!(costs.len(), trace.spans.len());
    for (i, _depth) in trace.walk() {
        let span = &trace.spans[i];
        let _ = trace.root_of(i);
        let _ = trace.flags_of(i);
        let _ = span.duration_ms();
        for text in [&span.input, &span.output, &span.error, &span.model]
            .into_iter()
            .flatten()
        {
            assert!(!for_display(text).contains('\u{1b}'));
        }
    }
    let _ = serde_json::to_string(&trace);
}

/// Feed `data` to `format`'s reader as one JSON document.
pub fn as_document(format: Format, data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    // `--format` can force a reader onto a document its sniff refuses: read it regardless.
    let _ = format.sniff(&doc);
    let mut spans = Vec::new();
    let _ = format.read(doc, &mut spans);
    inspect(Trace::build(format, spans, Vec::new()));
}

/// Write `data` to a file and load it, with `format` forced or (None) detected.
pub fn as_file(format: Option<Format>, data: &[u8]) {
    let path = scratch();
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(trace) = temper::trace::load(&path, format) {
        inspect(trace);
    }
}
