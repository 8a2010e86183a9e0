//! Writing a session file, e.g. the TUI's "save the workspace" (`S` in the Run view).
//!
//! The TOML comes from the `toml` serializer, never from string formatting, so untrusted text
//! (prompt vars, model names) is escaped correctly. A file is written only when it reads back
//! as a valid session, and an existing file is never overwritten.

use super::file::{Case, Session, SessionError};
use crate::prompt::Params;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use thiserror::Error;

/// Why a session could not be saved.
#[derive(Debug, Error)]
pub enum SaveError {
    #[error(
        "{name:?} is not a session name: {why} (use letters, digits, '-', '_' and '.', e.g. refund-drift)"
    )]
    BadName { name: String, why: String },
    #[error("{path} already exists: pick another name (session files are never overwritten)")]
    Exists { path: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} cannot be written into a session file: it is not UTF-8")]
    NotUtf8 { path: String },
    #[error("cannot write the session as TOML: {0}")]
    Toml(String),
    #[error("nothing written: the file would not read back as a session: {0}")]
    Invalid(SessionError),
}

/// The longest file stem `save` accepts.
const MAX_NAME: usize = 64;

/// `name` as a file stem (a trailing `.toml` is dropped), or why it cannot be one: only
/// letters, digits, `-`, `_` and `.`, not starting with a dot, so it cannot leave the directory.
pub fn file_stem(name: &str) -> Result<&str, SaveError> {
    let stem = name.trim();
    let stem = stem.strip_suffix(".toml").unwrap_or(stem);
    let bad = |why: String| SaveError::BadName {
        name: name.to_string(),
        why,
    };
    if stem.is_empty() {
        return Err(bad("it is empty".into()));
    }
    if stem.starts_with('.') {
        return Err(bad("it starts with a dot".into()));
    }
    if stem.chars().count() > MAX_NAME {
        return Err(bad(format!("it is longer than {MAX_NAME} characters")));
    }
    if let Some(c) = stem
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(bad(format!("{c:?} is not allowed in a file name")));
    }
    Ok(stem)
}

/// Write `session` to `dir/NAME.toml` (creating `dir`) and return the path. Refuses a name that
/// is not a simple file stem, an existing file, and a session that would not read back.
pub fn save(dir: &Path, name: &str, session: &Session) -> Result<PathBuf, SaveError> {
    let stem = file_stem(name)?;
    let path = dir.join(format!("{stem}.toml"));
    let write_error = |source: std::io::Error| SaveError::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(write_error)?;
    if path.exists() {
        return Err(SaveError::Exists {
            path: path.display().to_string(),
        });
    }
    let text = to_toml(session, dir)?;
    Session::parse(&text, &path).map_err(SaveError::Invalid)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => SaveError::Exists {
                path: path.display().to_string(),
            },
            _ => write_error(e),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(write_error)?;
    Ok(path)
}

/// `session` as session-file TOML, with its file paths (traces, JSON schema) written relative
/// to `dir`, the directory the file will live in. Cases that are only the implicit default (no
/// `[[cases]]` in the file) are left out.
pub fn to_toml(session: &Session, dir: &Path) -> Result<String, SaveError> {
    let path_in = |p: &Path| {
        let rel = relative_to(p, dir);
        rel.to_str()
            .map(str::to_string)
            .ok_or_else(|| SaveError::NotUtf8 {
                path: p.display().to_string(),
            })
    };
    let implicit = session.cases.len() == 1
        && session.cases[0].name == "default"
        && session.cases[0].vars.is_empty();
    let from_file = session.cases_file.as_ref().map_or(0, |f| f.lines.len());
    let inline = session.cases.len().saturating_sub(from_file);
    let cases: &[Case] = if implicit {
        &[]
    } else {
        &session.cases[..inline]
    };
    let c = &session.check;
    let file = FileOut {
        name: &session.name,
        samples: session.samples,
        concurrency: session.concurrency,
        mode: (session.mode != Default::default()).then(|| session.mode.as_str()),
        prompts: session.prompts.iter().map(|p| p.value.as_str()).collect(),
        traces: session
            .traces
            .iter()
            .map(|t| path_in(t))
            .collect::<Result<_, _>>()?,
        variants: session
            .variants
            .iter()
            .map(|v| VariantOut {
                name: &v.name,
                model: &v.model.value,
                params: &v.params,
            })
            .collect(),
        cases: cases
            .iter()
            .map(|k| CaseOut {
                name: &k.name,
                vars: &k.vars,
            })
            .collect(),
        cases_file: session
            .cases_file
            .as_ref()
            .map(|f| path_in(&f.path))
            .transpose()?,
        check: CheckOut {
            min_stability: c.min_stability,
            max_distinct: c.max_distinct,
            json_schema: c
                .json_schema
                .as_ref()
                .map(|s| path_in(&s.path))
                .transpose()?,
            must_contain: &c.must_contain,
            must_not_contain: &c.must_not_contain,
            regex: c.regex.iter().map(|r| r.as_str()).collect(),
            max_cost_per_call_usd: c.max_cost_per_call_usd,
            max_p95_latency_ms: c.max_p95_latency_ms,
            max_p95_ttft_ms: c.max_p95_ttft_ms,
            budget_usd: c.budget_usd,
            allow_errors: c.allow_errors,
            answer_regex: c.answer_written().0,
            answer_pointer: c.answer_written().1,
            judge: c.judge.as_ref().map(|j| JudgeOut {
                model: &j.model,
                rubric: &j.rubric,
                pass_score: j.pass_score,
            }),
            must_equal: c
                .must_equal
                .iter()
                .map(|m| MustEqualOut {
                    prompt: m.prompt.as_deref(),
                    output: &m.output,
                    min_similarity: (m.min_similarity < 1.0).then_some(m.min_similarity),
                })
                .collect(),
            max_stability_drop: c.max_stability_drop,
            max_cost_increase_pct: c.max_cost_increase_pct,
        },
    };
    let body = toml::to_string(&file).map_err(|e| SaveError::Toml(e.to_string()))?;
    Ok(format!(
        "# Saved by temper. Run it with: temper check <this file>\n{body}"
    ))
}

/// `path` as seen from `dir`: `../traces/t.jsonl` when both exist and share more than the
/// filesystem root, else absolute (so the saved file still finds it).
fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    let (Ok(target), Ok(base)) = (path.canonicalize(), dir.canonicalize()) else {
        return std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    };
    let common = target
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    let shares_only_root = base
        .components()
        .take(common)
        .all(|c| matches!(c, Component::RootDir | Component::Prefix(_)));
    if shares_only_root {
        return target;
    }
    let mut out: PathBuf = base.components().skip(common).map(|_| "..").collect();
    out.extend(target.components().skip(common));
    out
}

#[derive(Serialize)]
struct FileOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    samples: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
    prompts: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    traces: Vec<String>,
    variants: Vec<VariantOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cases: Vec<CaseOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cases_file: Option<String>,
    check: CheckOut<'a>,
}

#[derive(Serialize)]
struct VariantOut<'a> {
    name: &'a str,
    model: &'a str,
    #[serde(flatten)]
    params: &'a Params,
}

#[derive(Serialize)]
struct CaseOut<'a> {
    name: &'a str,
    vars: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    min_stability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_distinct: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_schema: Option<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    must_contain: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    must_not_contain: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    regex: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_cost_per_call_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_p95_latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_p95_ttft_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_usd: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    allow_errors: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_regex: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    judge: Option<JudgeOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_stability_drop: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_cost_increase_pct: Option<f64>,
    // Last: an array of tables must follow the plain keys of `[check]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    must_equal: Vec<MustEqualOut<'a>>,
}

#[derive(Serialize)]
struct MustEqualOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    output: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_similarity: Option<f64>,
}

#[derive(Serialize)]
struct JudgeOut<'a> {
    model: &'a str,
    rubric: &'a str,
    pass_score: f64,
}
