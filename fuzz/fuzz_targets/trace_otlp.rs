//! Arbitrary bytes through the otlp trace reader: as one JSON document, and as a file loaded
//! with `--format otlp`.
#![no_main]

mod trace_common;

use libfuzzer_sys::fuzz_target;
use temper::trace::Format;

fuzz_target!(|data: &[u8]| {
    trace_common::as_document(Format::Otlp, data);
    trace_common::as_file(Some(Format::Otlp), data);
});
