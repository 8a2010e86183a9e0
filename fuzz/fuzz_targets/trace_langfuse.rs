//! Arbitrary bytes through the langfuse trace reader: as one JSON document, and as a file loaded
//! with `--format langfuse`.
#![no_main]

mod trace_common;

use libfuzzer_sys::fuzz_target;
use temper::trace::Format;

fuzz_target!(|data: &[u8]| {
    trace_common::as_document(Format::Langfuse, data);
    trace_common::as_file(Some(Format::Langfuse), data);
});
