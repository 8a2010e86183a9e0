//! Check a session against the DB and the config before any call: every prompt reference,
//! label and provider must exist and every case must render.

use super::file::Session;
use crate::config::Config;
use crate::prompt::render;
use crate::store::{Store, Version};
use thiserror::Error;

/// A session that names something that does not exist, with the line to fix.
#[derive(Debug, Error)]
#[error("{path}:{line}: `{key}`: {message}")]
pub struct ResolveError {
    pub path: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// The prompt versions a session runs, in file order (the reference as written and the version).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub versions: Vec<(String, Version)>,
}

/// Resolve every prompt reference and check providers and case variables.
pub fn resolve(
    session: &Session,
    store: &Store,
    config: &Config,
) -> Result<Resolved, ResolveError> {
    let path = session.path.display().to_string();
    let err = |line: usize, key: &str, message: String| ResolveError {
        path: path.clone(),
        line,
        key: key.to_string(),
        message,
    };
    let mut versions = Vec::new();
    for p in &session.prompts {
        let version = match session.prompt_file(&p.value) {
            Some(path) => super::prompt_files::stored_version(store, &path)
                .map_err(|e| err(p.line, "prompts", e))?,
            None => store
                .resolve_str(&p.value)
                .map_err(|e| err(p.line, "prompts", e.to_string()))?,
        };
        for case in &session.cases {
            render(&version.body, &case.vars).map_err(|e| {
                err(
                    p.line,
                    "cases",
                    case_error(session, &case.name, &p.value, e),
                )
            })?;
        }
        versions.push((p.value.clone(), version));
    }
    let providers = config.providers();
    let models = session
        .variants
        .iter()
        .map(|v| (v.model.line, "variants.model", v.model.value.as_str()))
        .chain(
            session
                .check
                .judge
                .iter()
                .map(|j| (j.line, "check.judge.model", j.model.as_str())),
        );
    for (line, key, model) in models {
        let provider = model.split_once(':').map_or("", |(p, _)| p);
        if !providers.contains_key(provider) {
            let known: Vec<&str> = providers.keys().map(String::as_str).collect();
            return Err(err(
                line,
                key,
                format!(
                    "unknown provider {provider:?} in {model:?}; known providers: {} (add one under [providers.{provider}] in the config)",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(Resolved { versions })
}

/// Why `case` does not render with `prompt`; for a case from the `cases_file`, its file and line
/// and the column to add.
fn case_error(
    session: &Session,
    case: &str,
    prompt: &str,
    e: crate::prompt::RenderError,
) -> String {
    let crate::prompt::RenderError::MissingVars(vars) = &e;
    let from_file = session
        .cases_file
        .as_ref()
        .and_then(|f| Some((f, f.lines.iter().find(|(n, _)| n == case)?.1)));
    match from_file {
        Some((file, line)) => format!(
            "case {case:?} ({}:{line}) lacks variable{} {} that prompt {prompt} needs: add {} to {}",
            file.path.display(),
            if vars.len() > 1 { "s" } else { "" },
            vars.join(", "),
            if vars.len() > 1 {
                "these columns (CSV) or keys (JSONL)"
            } else {
                "the column (CSV) or key (JSONL)"
            },
            file.written
        ),
        None => format!("case {case:?} with {prompt}: {e}"),
    }
}
