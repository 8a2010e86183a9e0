//! Arbitrary bytes through the console trace reader: as a file loaded with `--format`, and with the
//! format detected from the content (binary protobuf and console text are sniffed from bytes).
#![no_main]

mod trace_common;

use libfuzzer_sys::fuzz_target;
use temper::trace::Format;

fuzz_target!(|data: &[u8]| {
    trace_common::as_file(Some(Format::Console), data);
    trace_common::as_file(None, data);
});
