//! Import and export between the store and directories of prompt files, and first-start seeding.
//!
//! Export writes a prompt's whole history as `DIR/NAME/0001.toml, 0002.toml, …`, each with its
//! version message and labels. Import reads any tree of `.toml` prompt files in path order; a
//! file whose content already is the same-numbered version is skipped, so importing the same
//! export twice changes nothing.

use super::{Reference, Store, StoreError};
use crate::prompt::{FileError, PromptFile, example_prompts};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why an import or export failed; nothing is half-written to the DB for a file that fails.
#[derive(Debug, Error)]
pub enum TransferError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} holds no .toml prompt files")]
    Empty(PathBuf),
}

/// What an import did, per file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub unchanged: Vec<String>,
    pub labels: Vec<String>,
}

/// Write every version of `name` under `dir/name/`; returns the files written.
///
/// A name that could point outside `dir` (stored by an older temper before names were checked)
/// is refused: nothing is written outside the target directory.
pub fn export_prompt(store: &Store, name: &str, dir: &Path) -> Result<Vec<PathBuf>, TransferError> {
    let inside = std::path::Path::new(name)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if let Err(why) = crate::prompt::validate_name(name).and_then(|()| {
        inside
            .then_some(())
            .ok_or_else(|| format!("name {name:?} points outside the export directory"))
    }) {
        return Err(StoreError::Invalid {
            what: "prompt name for export".into(),
            why: format!("{why}; it was not exported"),
        }
        .into());
    }
    let target = dir.join(name);
    std::fs::create_dir_all(&target).map_err(|source| TransferError::Io {
        path: target.clone(),
        source,
    })?;
    let mut written = Vec::new();
    for version in store.history(name)? {
        let file = PromptFile {
            name: name.to_string(),
            message: Some(version.info.message.clone()).filter(|m| !m.is_empty()),
            labels: version.info.labels.clone(),
            body: version.body,
        };
        let path = target.join(format!("{:04}.toml", version.info.number));
        std::fs::write(&path, file.to_toml()).map_err(|source| TransferError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Import a prompt file or every `.toml` file under a directory (in path order).
///
/// Every file is parsed before anything is saved, so a malformed file aborts the import with
/// its line and column and the DB is unchanged.
pub fn import_path(store: &mut Store, path: &Path) -> Result<ImportReport, TransferError> {
    let files = if path.is_dir() {
        let mut files = Vec::new();
        collect_toml(path, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(TransferError::Empty(path.to_path_buf()));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let parsed = files
        .iter()
        .map(|f| PromptFile::read(f).map(|p| (f.display().to_string(), p)))
        .collect::<Result<Vec<_>, _>>()?;
    import_files(store, parsed)
}

/// Import the embedded example prompts into an empty DB; returns how many were created.
pub fn seed_examples(store: &mut Store) -> Result<usize, TransferError> {
    if !store.list_prompts()?.is_empty() {
        return Ok(0);
    }
    Ok(import_examples(store)?.created.len())
}

/// Import the example prompts built into temper (`temper prompt import --examples`): works
/// anywhere, unlike a path into the source checkout. Importing twice changes nothing.
pub fn import_examples(store: &mut Store) -> Result<ImportReport, TransferError> {
    let files = example_prompts()
        .into_iter()
        .map(|p| (format!("example {}", p.name), p))
        .collect();
    import_files(store, files)
}

fn import_files(
    store: &mut Store,
    files: Vec<(String, PromptFile)>,
) -> Result<ImportReport, TransferError> {
    let mut report = ImportReport::default();
    let mut position: std::collections::HashMap<String, u32> = Default::default();
    for (origin, file) in files {
        let number = position.entry(file.name.clone()).or_insert(0);
        *number += 1;
        let existing = store.resolve(&Reference::Number(file.name.clone(), *number));
        let same = matches!(&existing, Ok(v) if v.body.content_hash() == file.body.content_hash());
        let version = if same {
            report.unchanged.push(origin);
            existing?.info
        } else {
            let message = file.message.clone().unwrap_or_else(|| "imported".into());
            let outcome = store.save_version(&file.name, &file.body, &message)?;
            if outcome.created {
                report.created.push(origin);
            } else {
                report.unchanged.push(origin);
            }
            outcome.version
        };
        for label in &file.labels {
            store.set_label(&file.name, label, version.number)?;
            report
                .labels
                .push(format!("{}:{label} -> @{}", file.name, version.number));
        }
    }
    Ok(report)
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TransferError> {
    let io = |source| TransferError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}
