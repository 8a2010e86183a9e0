//! Session files: an experiment of prompts x variants x cases x N with checks (see
//! docs/architecture.md).
//!
//! Every error names the file, the line and the key, so a CI log points at the fix.

use crate::analysis::Mode;
use crate::prompt::Params;
use crate::toml_error::{line_col, position};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml::Spanned;

/// Why a session file cannot be used.
#[derive(Debug, Error)]
pub enum SessionError {
    #[error("cannot read session {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}: `{key}`: {message}")]
    Invalid {
        path: String,
        line: usize,
        key: String,
        message: String,
    },
}

/// A parsed, validated session file (checks compiled, schema loaded).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub name: String,
    /// The file it came from; relative paths inside it resolve against its directory.
    pub path: PathBuf,
    /// Samples per cell; `None` means the config's `[run] samples`.
    pub samples: Option<u32>,
    pub concurrency: Option<usize>,
    /// How outputs are compared for stability checks.
    pub mode: Mode,
    pub prompts: Vec<Located<String>>,
    pub variants: Vec<Variant>,
    pub cases: Vec<Case>,
    /// The `cases_file` whose cases follow the inline ones in `cases`, if the session names one.
    pub cases_file: Option<super::cases_file::CasesFile>,
    pub check: super::checks::Checks,
    /// Trace files to open with the session (resolved against its directory; each exists).
    /// The TUI opens the first in the Trace view; runs and checks only validate them.
    pub traces: Vec<PathBuf>,
}

/// A value with the 1-based line it was written on, for errors found after parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// A model with the sampling parameters to call it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    /// `provider:model`, e.g. `openai:gpt-4o-mini`, `mock:echo`.
    pub model: Located<String>,
    /// Overrides of the prompt's own params.
    pub params: Params,
}

/// Values for the prompt's `{{vars}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    pub vars: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionForm {
    name: String,
    #[serde(default)]
    samples: Option<Spanned<u32>>,
    #[serde(default)]
    concurrency: Option<Spanned<usize>>,
    #[serde(default)]
    mode: Option<Spanned<String>>,
    prompts: Spanned<Vec<Spanned<String>>>,
    variants: Spanned<Vec<VariantForm>>,
    #[serde(default)]
    cases: Vec<CaseForm>,
    #[serde(default)]
    cases_file: Option<Spanned<String>>,
    #[serde(default)]
    check: super::checks::CheckForm,
    #[serde(default)]
    traces: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantForm {
    name: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    temperature: Option<f64>,
    #[serde(default)]
    top_p: Option<f64>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    stop: Vec<String>,
    #[serde(default)]
    stream: Option<bool>,
    #[serde(default)]
    response_format: Option<crate::prompt::ResponseFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseForm {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

/// Turns byte spans into `file:line: key: message` errors.
pub(crate) struct Locator<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Locator<'_> {
    pub(crate) fn line(&self, span: std::ops::Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// A path written in the session file, resolved against the file's directory.
    pub(crate) fn resolve(&self, written: &str) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(written)
    }

    pub(crate) fn invalid(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> SessionError {
        SessionError::Invalid {
            path: self.path.display().to_string(),
            line: self.line(span),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

impl Session {
    /// Read, parse and validate a session file (loading its JSON schema, compiling regexes).
    pub fn read(path: &Path) -> Result<Session, SessionError> {
        let text = crate::fsio::read_text(path).map_err(|source| SessionError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Session::parse(&text, path)
    }

    /// Parse session text; `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Session, SessionError> {
        let form: SessionForm = toml::from_str(text).map_err(|e| {
            let (line, column) = position(text, &e);
            SessionError::Parse {
                path: path.display().to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let at = Locator { text, path };
        let name = form.name.trim().to_string();
        if name.is_empty() {
            return Err(at.invalid(0..0, "name", "must not be empty"));
        }
        if let Some(s) = &form.samples
            && *s.get_ref() == 0
        {
            return Err(at.invalid(s.span(), "samples", "must be at least 1"));
        }
        if let Some(c) = &form.concurrency
            && *c.get_ref() == 0
        {
            return Err(at.invalid(c.span(), "concurrency", "must be at least 1"));
        }
        let mode = match &form.mode {
            None => Mode::Exact,
            Some(m) => m
                .get_ref()
                .parse()
                .map_err(|e: String| at.invalid(m.span(), "mode", e))?,
        };
        if form.prompts.get_ref().is_empty() {
            return Err(at.invalid(
                form.prompts.span(),
                "prompts",
                "list at least one prompt, e.g. [\"support-answer:prod\"]",
            ));
        }
        let prompts = form
            .prompts
            .get_ref()
            .iter()
            .map(|p| {
                if super::prompt_files::is_file(p.get_ref().trim()) {
                    existing_file(&at, p, "prompts")?;
                }
                Ok(Located {
                    value: p.get_ref().trim().to_string(),
                    line: at.line(p.span()),
                })
            })
            .collect::<Result<_, SessionError>>()?;
        let variants = variants(&at, form.variants)?;
        let mut cases = cases(&at, form.cases, form.cases_file.is_some())?;
        let cases_file = match &form.cases_file {
            Some(spec) => Some(super::cases_file::file_cases(&at, spec, &mut cases)?),
            None => None,
        };
        let check = form.check.compile(&at)?;
        let traces = form
            .traces
            .iter()
            .map(|t| existing_file(&at, t, "traces"))
            .collect::<Result<_, _>>()?;
        Ok(Session {
            name,
            path: path.to_path_buf(),
            samples: form.samples.map(|s| s.into_inner()),
            concurrency: form.concurrency.map(|c| c.into_inner()),
            mode,
            prompts,
            variants,
            cases,
            cases_file,
            check,
            traces,
        })
    }
}

/// `spec` resolved against the session file's directory, if it names an existing file.
pub(crate) fn existing_file(
    at: &Locator<'_>,
    spec: &Spanned<String>,
    key: &str,
) -> Result<PathBuf, SessionError> {
    let path = at.resolve(spec.get_ref().trim());
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(path),
        Ok(_) => Err(at.invalid(
            spec.span(),
            key,
            format!("{} is not a file", path.display()),
        )),
        Err(e) => Err(at.invalid(
            spec.span(),
            key,
            format!(
                "cannot read {}: {e} (paths are relative to the session file's directory)",
                path.display()
            ),
        )),
    }
}

fn variants(
    at: &Locator<'_>,
    form: Spanned<Vec<VariantForm>>,
) -> Result<Vec<Variant>, SessionError> {
    let span = form.span();
    let list = form.into_inner();
    if list.is_empty() {
        return Err(at.invalid(
            span,
            "variants",
            "add at least one [[variants]] table with name and model",
        ));
    }
    let mut out: Vec<Variant> = Vec::new();
    for v in list {
        let name = v.name.get_ref().trim().to_string();
        if name.is_empty() || out.iter().any(|o| o.name == name) {
            let why = if name.is_empty() {
                "must not be empty"
            } else {
                "is used by two variants; names must be unique"
            };
            return Err(at.invalid(v.name.span(), "variants.name", why));
        }
        let model = v.model.get_ref().trim();
        if !model
            .split_once(':')
            .is_some_and(|(p, m)| !p.is_empty() && !m.is_empty())
        {
            return Err(at.invalid(
                v.model.span(),
                "variants.model",
                format!(
                    "{model:?} is not provider:model (e.g. \"openai:gpt-4o-mini\", \"mock:echo\")"
                ),
            ));
        }
        if let Some(t) = v.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(at.invalid(
                v.name.span(),
                "variants.temperature",
                format!("{t} is outside 0..=2"),
            ));
        }
        out.push(Variant {
            name,
            model: Located {
                value: model.to_string(),
                line: at.line(v.model.span()),
            },
            params: Params {
                temperature: v.temperature,
                top_p: v.top_p,
                max_tokens: v.max_tokens,
                seed: v.seed,
                stop: v.stop,
                response_schema: None,
                tool_choice: None,
                response_format: v.response_format,
                stream: v.stream,
            },
        });
    }
    Ok(out)
}

fn cases(
    at: &Locator<'_>,
    form: Vec<CaseForm>,
    from_file: bool,
) -> Result<Vec<Case>, SessionError> {
    if form.is_empty() && from_file {
        return Ok(Vec::new());
    }
    if form.is_empty() {
        // No cases: one run with the prompt's own default vars.
        return Ok(vec![Case {
            name: "default".into(),
            vars: BTreeMap::new(),
        }]);
    }
    let mut out: Vec<Case> = Vec::new();
    for (i, c) in form.into_iter().enumerate() {
        let name = match &c.name {
            Some(n) => n.get_ref().trim().to_string(),
            None => format!("case-{}", i + 1),
        };
        if let Some(n) = &c.name
            && (name.is_empty() || out.iter().any(|o| o.name == name))
        {
            return Err(at.invalid(n.span(), "cases.name", "must be non-empty and unique"));
        }
        out.push(Case { name, vars: c.vars });
    }
    Ok(out)
}
