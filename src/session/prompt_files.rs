//! Prompt files in a session's `prompts` list (`prompts = ["prompts/support.toml", "x:prod"]`):
//! a fresh CI checkout then runs from the repository alone. `temper check` imports each file as
//! a version on load (a new version only when its content differs from the prompt's latest),
//! applies the file's labels, and runs that version; readers that may not write (the TUI) find
//! the version by its content instead.

use super::file::Session;
use super::resolve::ResolveError;
use crate::prompt::PromptFile;
use crate::store::{Store, StoreError, Version};
use std::path::PathBuf;

/// Whether a `prompts` entry names a prompt file rather than a DB reference.
pub fn is_file(entry: &str) -> bool {
    entry.ends_with(".toml")
}

impl Session {
    /// The prompt file a `prompts` entry names, resolved against the session's directory.
    pub fn prompt_file(&self, entry: &str) -> Option<PathBuf> {
        is_file(entry).then(|| {
            self.path
                .parent()
                .unwrap_or(std::path::Path::new(""))
                .join(entry)
        })
    }
}

/// What loading one prompt file did.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The entry as written in the session.
    pub entry: String,
    /// `name@N` of the version that holds the file's content.
    pub version: String,
    /// Whether that version was created by this load.
    pub created: bool,
    /// Labels moved onto it (`prod`), as `name:label`.
    pub labels: Vec<String>,
}

/// Import every prompt file of `session` into `store`: save its content as a new version unless
/// it equals the latest, and point the file's labels at that version.
pub fn load(store: &mut Store, session: &Session) -> Result<Vec<Loaded>, ResolveError> {
    let mut loaded = Vec::new();
    for p in &session.prompts {
        let Some(path) = session.prompt_file(&p.value) else {
            continue;
        };
        let err = |message: String| error(session, p.line, message);
        let file = PromptFile::read(&path).map_err(|e| err(e.to_string()))?;
        let message = file
            .message
            .clone()
            .unwrap_or_else(|| "from a session".into());
        let saved = store
            .save_version(&file.name, &file.body, &message)
            .map_err(|e| err(format!("importing {}: {e}", path.display())))?;
        let mut labels = Vec::new();
        for label in &file.labels {
            if saved.version.labels.contains(label) {
                continue;
            }
            store
                .set_label(&file.name, label, saved.version.number)
                .map_err(|e| err(format!("label {label:?} in {}: {e}", path.display())))?;
            labels.push(format!("{}:{label}", file.name));
        }
        loaded.push(Loaded {
            entry: p.value.clone(),
            version: format!("{}@{}", file.name, saved.version.number),
            created: saved.created,
            labels,
        });
    }
    Ok(loaded)
}

/// The stored version holding the content of the prompt file at `path` (the newest such), for
/// `resolve`; a file not imported yet is an error saying how to import it.
pub(crate) fn stored_version(store: &Store, path: &std::path::Path) -> Result<Version, String> {
    let file = PromptFile::read(path).map_err(|e| e.to_string())?;
    let hash = file.body.content_hash();
    let not_imported = || {
        format!(
            "prompt file {} is not in the database yet: `temper check` imports it, or run `temper prompt import {}`",
            path.display(),
            path.display()
        )
    };
    let versions = match store.log(&file.name) {
        Ok(v) => v,
        Err(StoreError::UnknownPrompt { .. }) => return Err(not_imported()),
        Err(e) => return Err(e.to_string()),
    };
    let found = versions
        .iter()
        .find(|v| v.hash == hash)
        .ok_or_else(not_imported)?;
    store
        .resolve_str(&format!("{}@{}", file.name, found.number))
        .map_err(|e| e.to_string())
}

fn error(session: &Session, line: usize, message: String) -> ResolveError {
    ResolveError {
        path: session.path.display().to_string(),
        line,
        key: "prompts".into(),
        message,
    }
}
