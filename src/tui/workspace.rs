//! The workspace as a session file: what `S` in the Run view saves. The prompt version comes
//! from the Prompts selection, the models and N from the Run view, the open trace from the Trace
//! view; checks and cases come from the session the workspace was opened from, else a stability
//! bar of 1.0 and the prompt's default vars. Pure: the worker does the writing.

use super::app::App;
use super::event::Request;
use super::views::run::RunView;
use super::views::run::session::SESSIONS_DIR;
use super::views::{Effect, Level};
use crate::session::save::file_stem;
use crate::session::{Case, Checks, Located, Session, Variant};
use crate::store::{Reference, Version};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

impl App {
    /// Assemble the workspace as session `name` and ask the worker to write it to
    /// `sessions/NAME.toml`; what is missing (no prompt selected, a bad name) goes to the status.
    pub fn save_workspace(&mut self, name: &str) {
        let trace = self
            .trace
            .loaded()
            .and(self.trace.path.as_deref())
            .map(Path::to_path_buf);
        let version = self.prompts.selected_body();
        match workspace_session(name, version, &self.run, trace) {
            Ok(session) => {
                let request = Request::SaveSession {
                    dir: PathBuf::from(SESSIONS_DIR),
                    name: session.name.clone(),
                    session: Box::new(session),
                };
                self.apply(vec![Effect::Request(request)]);
            }
            Err(why) => self.set_status(Level::Warn, format!("not saved: {why}")),
        }
    }
}

/// The session the workspace amounts to: the opened session's prompts and cases while the
/// Prompts selection is one of them, else `version` with its default vars, on the
/// Run view's models (the opened session's variants while the models are unchanged, else one
/// per model at temperature 0), N samples each, with `trace` if one is open.
pub fn workspace_session(
    name: &str,
    version: Option<&Version>,
    run: &RunView,
    trace: Option<PathBuf>,
) -> Result<Session, String> {
    let name = file_stem(name).map_err(|e| e.to_string())?.to_string();
    let origin = run.origin();
    // The opened session stays the source of the prompts (and their cases) unless the Prompts
    // view now selects a prompt the session does not run: then that version, with its own vars.
    let from_origin = origin.filter(|o| {
        version.is_none_or(|v| {
            o.prompts
                .iter()
                .any(|p| Reference::parse(&p.value).is_ok_and(|r| r.name() == v.info.prompt))
        })
    });
    let prompts = match (from_origin, version) {
        (Some(o), _) => o.prompts.clone(),
        (None, Some(v)) => vec![located(format!("{}@{}", v.info.prompt, v.info.number))],
        (None, None) => {
            return Err(
                "select a prompt version in Prompts (1) first: that is what it runs".into(),
            );
        }
    };
    if run.models.is_empty() {
        return Err("no models to run: v sets them".into());
    }
    let same_models = origin.is_some_and(|o| {
        o.variants
            .iter()
            .map(|v| &v.model.value)
            .eq(run.models.iter())
    });
    let variants = match origin {
        Some(o) if same_models => o.variants.clone(),
        _ => variants_for(&run.models),
    };
    let cases = match (from_origin, version) {
        (Some(o), _) => o.cases.clone(),
        (None, Some(v)) => vec![Case {
            name: "default".into(),
            vars: v.body.vars.clone(),
        }],
        (None, None) => vec![Case {
            name: "default".into(),
            vars: BTreeMap::new(),
        }],
    };
    let check = origin.map_or_else(
        || Checks {
            min_stability: Some(1.0),
            ..Checks::default()
        },
        |o| o.check.clone(),
    );
    Ok(Session {
        path: Path::new(SESSIONS_DIR).join(format!("{name}.toml")),
        name,
        samples: Some(run.n),
        concurrency: origin.and_then(|o| o.concurrency),
        mode: origin.map(|o| o.mode).unwrap_or_default(),
        prompts,
        variants,
        cases,
        cases_file: None,
        check,
        traces: trace.into_iter().collect(),
    })
}

/// One variant per entry of the model list (`MODEL [key=value]...`, as the Run view takes them),
/// at temperature 0 unless the entry sets one, named after the entry (`-2`… when one repeats).
fn variants_for(models: &[String]) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    for spec in models {
        // The Run view only keeps entries that parse; a plain model is the fallback.
        let parsed = crate::runner::Variant::parse(spec)
            .unwrap_or_else(|_| crate::runner::Variant::model(spec));
        let mut name = parsed.name.clone();
        let mut n = 1;
        while out.iter().any(|v| v.name == name) {
            n += 1;
            name = format!("{}-{n}", parsed.name);
        }
        let mut params = parsed.params;
        params.temperature = params.temperature.or(Some(0.0));
        out.push(Variant {
            name,
            model: located(parsed.model),
            params,
        });
    }
    out
}

/// A value made in the TUI, not read from a file: it has no line.
fn located<T>(value: T) -> Located<T> {
    Located { value, line: 0 }
}
