//! Arbitrary bytes as a trace file with no `--format`: sniffing picks the reader.
#![no_main]

mod trace_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trace_common::as_file(None, data);
});
