//! A promptfoo config read whole: every key checked, every file it names read, every template
//! and assertion compiled, before anything runs.

use super::prompts::{PfPrompt, Source};
use super::providers::Providers;
use super::tests_load::{Defaults, PfTest};
use super::values::{file_ref, parse_yaml, read_ref};
use super::{PromptfooError, line_of};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A promptfoo suite ready to convert: prompts, providers and tests.
#[derive(Debug, Clone)]
pub struct Suite {
    /// A name for the session (the description, else the config's directory or stem).
    pub name: String,
    pub path: PathBuf,
    pub prompts: Vec<PfPrompt>,
    pub providers: Providers,
    pub tests: Vec<PfTest>,
    /// Settings read but not used (outputPath, sharing, …), to show the user.
    pub notes: Vec<String>,
    /// Errors skipped under `--keep-going` (the parts they name do not run).
    pub dropped: Vec<PromptfooError>,
}

/// Keys temper reads.
const READ: &[&str] = &[
    "description",
    "prompts",
    "providers",
    "tests",
    "defaultTest",
    "assertionTemplates",
];
/// Keys that do not change what is asked or how it is graded.
const IGNORED: &[&str] = &[
    "outputPath",
    "sharing",
    "evaluateOptions",
    "commandLineOptions",
    "tags",
    "metadata",
    "writeLatestResults",
    "env",
    "tracing",
    "$schema",
];

/// Read and check the config at `path`; with `keep_going`, unknown keys and broken tests are
/// left out (listed in `dropped`) instead of stopping.
pub fn load(path: &Path, keep_going: bool) -> Result<Suite, PromptfooError> {
    let text = crate::fsio::read_text(path).map_err(|e| {
        PromptfooError::at(path, 0, format!("cannot read the promptfoo config: {e}"))
    })?;
    let root = match parse_yaml(&text, path)? {
        Value::Object(map) => map,
        other => {
            return Err(PromptfooError::at(
                path,
                1,
                format!(
                    "a promptfoo config is a mapping, not {}",
                    super::values::kind(&other)
                ),
            ));
        }
    };
    let src = Source { path, text: &text };
    let mut dropped = Vec::new();
    let mut notes = Vec::new();
    for key in root.keys() {
        if READ.contains(&key.as_str()) {
            continue;
        }
        if IGNORED.contains(&key.as_str()) {
            notes.push(format!("`{key}` is not used by temper"));
            continue;
        }
        let e = PromptfooError::at(
            path,
            key_line(&text, key),
            format!(
                "unknown or unsupported top-level key `{key}` (temper reads {}; ignores {})",
                READ.join(", "),
                IGNORED.join(", ")
            ),
        );
        if !keep_going {
            return Err(e);
        }
        dropped.push(e);
    }
    let prompts_value = root
        .get("prompts")
        .ok_or_else(|| PromptfooError::at(path, 1, "the config has no `prompts`"))?;
    let prompts = super::prompts::load(src, prompts_value)?;
    let providers = match root.get("providers") {
        Some(v) => super::providers::load(src, v)?,
        None => Providers::default(),
    };
    let default_test = default_test(src, root.get("defaultTest"))?;
    let defaults = Defaults {
        test: default_test.as_ref(),
        templates: root.get("assertionTemplates").and_then(Value::as_object),
    };
    let tests_value = root.get("tests").cloned().unwrap_or(Value::Null);
    let mut tests =
        super::tests_load::load(src, &tests_value, &defaults, keep_going, &mut dropped)?;
    if tests.is_empty() && dropped.is_empty() {
        // promptfoo runs each prompt once with the defaultTest's vars when there are no tests.
        let one = Value::Array(vec![Value::Object(Map::new())]);
        tests = super::tests_load::load(src, &one, &defaults, keep_going, &mut dropped)?;
    }
    let name = root
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| fallback_name(path));
    Ok(Suite {
        name,
        path: path.to_path_buf(),
        prompts,
        providers,
        tests,
        notes,
        dropped,
    })
}

/// `defaultTest` inline or from a `file://` YAML/JSON file.
fn default_test(
    src: Source<'_>,
    value: Option<&Value>,
) -> Result<Option<Map<String, Value>>, PromptfooError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(Value::String(s)) if file_ref(s).is_some() => {
            let written = file_ref(s).unwrap_or_default();
            let (file, body) = read_ref(src.path, src.text, written, "defaultTest")?;
            match parse_yaml(&body, &file)? {
                Value::Object(m) => Ok(Some(m)),
                other => Err(PromptfooError::at(
                    &file,
                    1,
                    format!(
                        "defaultTest is {}; write a mapping",
                        super::values::kind(&other)
                    ),
                )),
            }
        }
        Some(other) => Err(PromptfooError::at(
            src.path,
            line_of(src.text, "defaultTest:"),
            format!(
                "`defaultTest` is {}; write a mapping",
                super::values::kind(other)
            ),
        )),
    }
}

/// The line a top-level key is written on.
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.starts_with(&format!("{key}:"))
                || l.starts_with(&format!("'{key}':"))
                || l.starts_with(&format!("\"{key}\":"))
        })
        .map_or(1, |i| i + 1)
}

fn fallback_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("promptfoo");
    match path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|d| d.to_str())
    {
        Some(dir) if stem == "promptfooconfig" => dir.to_string(),
        _ => stem.to_string(),
    }
}
