//! Arbitrary bytes as a session file (`temper check`): parse and validate, including the check
//! table (regexes compiled, JSON schema paths resolved against a directory that does not exist).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("/nonexistent-temper-fuzz/session.toml");
    match temper::session::Session::parse(text, path) {
        Ok(session) => {
            assert!(!session.name.is_empty());
            assert!(!session.prompts.is_empty());
        }
        Err(e) => {
            let _ = temper::sanitize::for_display(&e.to_string());
        }
    }
});
