//! A promptfoo suite as a temper session in memory: each prompt a stored prompt body, each
//! provider a variant, each test a case whose vars include the derived Nunjucks values. The
//! session then runs through the ordinary runner (see docs/promptfoo.md).

use super::PromptfooError;
use super::config::Suite;
use super::tests_load::PfTest;
use crate::analysis::Mode;
use crate::config::ProviderConfig;
use crate::prompt::{Message, Params, PromptBody};
use crate::session::{Case, Checks, Located, Session, Variant};
use serde_json::Value;
use std::collections::BTreeMap;

/// The session and what running and grading it needs.
#[derive(Debug, Clone)]
pub struct Converted {
    pub session: Session,
    /// Prompt bodies to save under these names before resolving the session.
    pub prompts: Vec<(String, PromptBody)>,
    /// promptfoo's prompt labels, by prompt name.
    pub labels: BTreeMap<String, String>,
    /// The promptfoo test behind each case, by case name.
    pub tests: BTreeMap<String, PfTest>,
    /// Provider tables for `apiBaseUrl` / `apiKeyEnvar`, to lay over the user's config.
    pub extra_providers: BTreeMap<String, ProviderConfig>,
    /// Tool definitions given to the model (graded by is-valid-openai-tools-call).
    pub tools: Vec<Value>,
    /// What the conversion noticed: vars a test lacks, unsupported providers.
    pub notes: Vec<String>,
}

/// Convert `suite`; `models` (from `--model`) replace its providers; `samples` is N.
pub fn convert(
    suite: &Suite,
    models: &[String],
    samples: u32,
) -> Result<Converted, PromptfooError> {
    let mut notes: Vec<String> = suite.notes.clone();
    notes.extend(
        suite
            .providers
            .unsupported
            .iter()
            .map(|p| format!("provider {p} is not supported by temper; the other providers run")),
    );
    let (variants, extra_providers, tools) = variants(suite, models)?;
    let stem = slug(&suite.name);
    let prompts: Vec<(String, PromptBody)> = suite
        .prompts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let body = PromptBody {
                params: Params::default(),
                messages: p
                    .messages
                    .iter()
                    .map(|(role, t)| Message::new(*role, t.text.clone()))
                    .collect(),
                tools: tools.clone(),
                vars: BTreeMap::new(),
            };
            (format!("promptfoo/{stem}-{}", i + 1), body)
        })
        .collect();
    let labels = prompts
        .iter()
        .zip(&suite.prompts)
        .map(|((n, _), p)| (n.clone(), p.label.clone()))
        .collect();
    let exprs: Vec<&super::nunjucks::Expr> = suite
        .prompts
        .iter()
        .flat_map(|p| p.messages.iter().flat_map(|(_, t)| t.exprs.iter()))
        .collect();
    let mut cases = Vec::new();
    let mut tests = BTreeMap::new();
    for (i, test) in suite.tests.iter().enumerate() {
        let name = case_name(test, i, &suite.tests);
        let mut vars = BTreeMap::new();
        for e in &exprs {
            let value = e.value(&test.vars).unwrap_or_else(|| {
                notes.push(format!(
                    "test {name:?} ({}) has no value for `{}`: rendered empty, as promptfoo does",
                    test.origin, e.name
                ));
                String::new()
            });
            vars.insert(e.name.clone(), value);
        }
        cases.push(Case {
            name: name.clone(),
            vars,
        });
        tests.insert(name, test.clone());
    }
    notes.dedup();
    let session = Session {
        name: suite.name.clone(),
        path: suite.path.clone(),
        samples: Some(samples),
        concurrency: None,
        mode: Mode::Exact,
        prompts: prompts
            .iter()
            .map(|(n, _)| Located {
                value: n.clone(),
                line: 1,
            })
            .collect(),
        variants,
        cases,
        cases_file: None,
        check: Checks::default(),
        traces: Vec::new(),
    };
    Ok(Converted {
        session,
        prompts,
        labels,
        tests,
        extra_providers,
        tools,
        notes,
    })
}

type Variants = (Vec<Variant>, BTreeMap<String, ProviderConfig>, Vec<Value>);

fn variants(suite: &Suite, models: &[String]) -> Result<Variants, PromptfooError> {
    let mut out: Vec<Variant> = Vec::new();
    let mut extra = BTreeMap::new();
    let mut tools: Option<Vec<Value>> = None;
    let unique = |out: &[Variant], name: &str| {
        let mut n = name.to_string();
        let mut k = 2;
        while out.iter().any(|v| v.name == n) {
            n = format!("{name} #{k}");
            k += 1;
        }
        n
    };
    if !models.is_empty() {
        for m in models {
            let name = unique(&out, m);
            out.push(Variant {
                name,
                model: Located {
                    value: m.clone(),
                    line: 0,
                },
                params: Params::default(),
            });
        }
        return Ok((out, extra, Vec::new()));
    }
    for p in &suite.providers.usable {
        if !p.tools.is_empty() {
            match &tools {
                Some(t) if *t != p.tools => {
                    return Err(PromptfooError::at(
                        &suite.path,
                        p.line,
                        "providers declare different `tools`; temper gives every provider the same tools (split the suite)",
                    ));
                }
                _ => tools = Some(p.tools.clone()),
            }
        }
        if let Some((name, config)) = &p.extra {
            extra.insert(name.clone(), config.clone());
        }
        let name = unique(&out, &p.label);
        out.push(Variant {
            name,
            model: Located {
                value: p.model.clone(),
                line: p.line,
            },
            params: p.params.clone(),
        });
    }
    if out.is_empty() {
        let why = match suite.providers.unsupported.as_slice() {
            [] => "the config lists no provider".to_string(),
            list => format!(
                "no provider temper can call ({} unsupported)",
                list.join(", ")
            ),
        };
        return Err(PromptfooError::at(
            &suite.path,
            super::line_of(
                &crate::fsio::read_text(&suite.path).unwrap_or_default(),
                "providers:",
            ),
            format!("{why}; pass --model, e.g. --model openai:gpt-4o-mini or --model mock:echo"),
        ));
    }
    Ok((out, extra, tools.unwrap_or_default()))
}

/// The case name of test `i`: its description (numbered when several tests share it), else
/// `test N`.
fn case_name(test: &PfTest, i: usize, all: &[PfTest]) -> String {
    match &test.description {
        Some(d)
            if all
                .iter()
                .filter(|t| t.description.as_ref() == Some(d))
                .count()
                == 1 =>
        {
            d.clone()
        }
        Some(d) => format!("{d} (test {})", i + 1),
        None => format!("test {}", i + 1),
    }
}

/// A prompt-name-safe form of the suite name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').chars().take(40).collect::<String>();
    if s.is_empty() { "suite".into() } else { s }
}
