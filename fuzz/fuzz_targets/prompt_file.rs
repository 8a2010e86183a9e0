//! Arbitrary bytes as a prompt file: parse, and when it parses, render and round-trip it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(file) = temper::prompt::PromptFile::parse(text, "fuzz.toml") {
        let _ = temper::prompt::render(&file.body, &Default::default());
        let again = temper::prompt::PromptFile::parse(&file.to_toml(), "again.toml");
        assert!(again.is_ok(), "a parsed file must survive its own round trip");
    }
    let _ = temper::sanitize::for_display(text);
});
