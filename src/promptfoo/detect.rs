//! Telling a promptfoo config from a temper session file by content, so `temper check` takes
//! either without a flag.

use serde_json::Value;
use std::path::Path;

/// Whether `text` (the file at `path`) is a promptfoo config: not TOML by extension, and a YAML
/// or JSON mapping with `prompts` and `providers` or `tests`.
pub fn looks_like_promptfoo(path: &Path, text: &str) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("toml") {
        return false;
    }
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            map.contains_key("prompts")
                && (map.contains_key("providers") || map.contains_key("tests"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_configs_are_told_from_sessions() {
        let yaml = "prompts:\n  - 'Hi {{x}}'\nproviders: [openai:gpt-4o-mini]\n";
        assert!(looks_like_promptfoo(
            Path::new("promptfooconfig.yaml"),
            yaml
        ));
        assert!(looks_like_promptfoo(
            Path::new("suite.json"),
            r#"{"prompts":["a"],"tests":[]}"#
        ));
        let toml = "name = \"s\"\nprompts = [\"a\"]\n";
        assert!(!looks_like_promptfoo(Path::new("s.toml"), toml));
        assert!(!looks_like_promptfoo(Path::new("s.txt"), toml));
        assert!(!looks_like_promptfoo(Path::new("x.yaml"), "a: 1\n"));
    }
}
