//! Replays asked for in the Trace view, done by the worker: `R` on an LLM span fires it again
//! and compares with what it recorded, `x` on a retrieved chunk fires the request that used the
//! chunk with and without it (the grounding probe). Same library steps as `temper replay`
//! (`crate::replay`), same spend guard as runs started from the Run view (docs/replay.md).

mod fire;

pub use fire::Firing;

use super::event::Event;
use crate::config::{Config, RunDefaults};
use crate::cost::PriceBook;
use crate::provider::Registry;
use crate::replay::grounding::{self, ProbeSpec};
use crate::replay::probe::Probe;
use crate::replay::{self, Replayable};
use crate::runner::{self, Case, Decision, Plan, SpendPolicy};
use crate::store::Store;
use crate::trace::{PackedTrace, SpanKind, Trace};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Samples per replay when the config's `[run] samples` is left at its default.
pub const DEFAULT_SAMPLES: u32 = 5;
/// Fired instead of the recorded model when no configured provider can serve it (no key).
pub const FALLBACK_MODEL: &str = "mock:echo";

/// A trace shared with the worker (the Trace view's packed one); two are equal when they are
/// the same loaded trace.
#[derive(Debug, Clone)]
pub struct SharedTrace(pub Arc<PackedTrace>);

impl PartialEq for SharedTrace {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What to replay: an LLM span (`R`), or the request that used a chunk, without it (`x`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayAsk {
    pub trace: SharedTrace,
    /// The file the trace came from (saved in the version message), `live` for the receiver.
    pub file: PathBuf,
    pub target: ReplayTarget,
    /// The user confirmed the spend guard's question: start without asking again.
    pub confirmed: bool,
}

/// The span or chunk a replay is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayTarget {
    Span(String),
    Chunk(String),
}

/// The worker's answer to a [`ReplayAsk`].
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub ask: ReplayAsk,
    pub outcome: ReplayOutcome,
}

/// How a replay went.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayOutcome {
    /// Fired and compared: `verdicts` are the lines `temper replay` ends with.
    Done(Box<ReplayReport>),
    /// Saved and being fired off the worker: the model and how many samples (the verdict
    /// follows as `Done` or `Failed`).
    Firing { model: String, samples: u32 },
    /// The spend guard asks first; the same key again confirms.
    Confirm {
        question: String,
        lines: Vec<String>,
    },
    /// The spend guard refused; nothing was saved or fired.
    Refused { reason: String, lines: Vec<String> },
    /// It could not be planned or run.
    Failed(String),
}

/// A finished replay, for the pane.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    /// The LLM span fired.
    pub span: String,
    /// `name@n` of the saved replay (and its probe).
    pub labels: Vec<String>,
    pub run_id: i64,
    /// The model fired, and why it is not the recorded one when it is not.
    pub model: String,
    pub model_note: Option<String>,
    pub samples: u32,
    pub recorded: String,
    /// For `x`: whether the answer changed without the chunk, on any model.
    pub changed: Option<bool>,
    pub verdicts: Vec<String>,
}

/// Samples per replay: the config's `[run] samples` when it sets one, else [`DEFAULT_SAMPLES`].
pub fn samples(config: &Config) -> u32 {
    match config.run.samples {
        n if n == RunDefaults::default().samples => DEFAULT_SAMPLES,
        n => n,
    }
}

/// What the worker makes of a replay ask: an answer now (the guard's question or refusal, a
/// failure), or the replay saved and ready to fire off the worker (see [`Firing`]).
pub enum Step {
    Answered(Event),
    Fire(Box<Firing>),
}

/// Plan, guard and save `ask` (store work, on the worker); the calls are fired by
/// [`Firing::finish`], which the worker runs on a thread of its own.
pub fn prepare(store: &mut Store, config: &Config, db_path: &Path, ask: ReplayAsk) -> Step {
    match plan(store, config, db_path, &ask) {
        Ok(Planned::Fire(firing)) => Step::Fire(firing),
        Ok(Planned::Answer(outcome)) => Step::Answered(answer(ask, outcome)),
        Err(why) => Step::Answered(answer(ask, ReplayOutcome::Failed(why))),
    }
}

fn answer(ask: ReplayAsk, outcome: ReplayOutcome) -> Event {
    Event::Replayed(Box::new(Replayed { ask, outcome }))
}

/// The recorded model when a provider can serve it, else [`FALLBACK_MODEL`] and why.
fn pick_model(prepared: &Replayable, registry: &Registry) -> (String, Option<String>) {
    let Some(recorded) = replay::recorded_model(&prepared.request) else {
        let note = "the span records no model: fired on the mock".to_string();
        return (FALLBACK_MODEL.into(), Some(note));
    };
    match registry.resolve(&recorded) {
        Ok(_) => (recorded, None),
        Err(e) => {
            let note = format!("{recorded} not available ({e}): fired on the mock");
            (FALLBACK_MODEL.into(), Some(note))
        }
    }
}

/// The LLM span whose rebuilt request holds the text of chunk `id`, first in the file.
fn consumer<'t>(trace: &'t Trace, id: &str) -> Result<&'t crate::trace::Span, String> {
    let chunk = replay::probe::chunks(trace)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| format!("chunk {id} has no text the probe can remove"))?;
    trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Llm)
        .find(|s| {
            replay::prepare(s).is_ok_and(|r| {
                r.body
                    .messages
                    .iter()
                    .any(|m| m.content.contains(&chunk.content))
            })
        })
        .ok_or_else(|| {
            format!("no LLM call of this trace was sent the text of chunk {id}: nothing to rerun")
        })
}

/// What `ask` replays: the rebuilt request, its probe for `x`, and the recorded answer.
type Rebuilt = (Replayable, Option<(Replayable, Probe)>, String);

/// The spans of `packed` a replay of `target` reads, decoded into a `Trace` for the replay
/// library: the span with the target's id for `R` (the view names it by its full id); for `x`
/// the LLM calls (which one was sent the chunk) and the retrievers and rerankers (the chunks),
/// in file order. The rest of a large trace stays packed.
fn unpacked(packed: &PackedTrace, target: &ReplayTarget) -> Trace {
    let spans = packed.spans_where(|i| match target {
        ReplayTarget::Span(id) => packed.id(i) == id,
        ReplayTarget::Chunk(_) => matches!(
            packed.kind(i),
            SpanKind::Llm | SpanKind::Retriever | SpanKind::Reranker
        ),
    });
    Trace::build(packed.format, spans, Vec::new())
}

/// Rebuild the request `ask` names from its trace (no I/O), with the probe for `x`.
fn rebuild(ask: &ReplayAsk) -> Result<Rebuilt, String> {
    let trace = &unpacked(&ask.trace.0, &ask.target);
    let file = ask.file.display().to_string();
    let span = match &ask.target {
        ReplayTarget::Span(id) => replay::find(trace, id, &file).map_err(|e| e.to_string())?,
        ReplayTarget::Chunk(id) => consumer(trace, id)?,
    };
    let prepared = replay::prepare(span).map_err(|e| e.to_string())?;
    let probe = match &ask.target {
        ReplayTarget::Chunk(id) => {
            let spec = ProbeSpec {
                without: vec![id.clone()],
                shuffle: false,
            };
            Some(grounding::build(trace, &prepared, &spec, &file).map_err(|e| e.to_string())?)
        }
        ReplayTarget::Span(_) => None,
    };
    let recorded = prepared.request.output.clone().ok_or_else(|| {
        format!(
            "span {} recorded no output to compare with: enable output capture in the instrumentation",
            span.id
        )
    })?;
    Ok((prepared, probe, recorded))
}

/// What [`plan`] decided: fire, or answer now (the spend guard asks or refuses).
enum Planned {
    Fire(Box<Firing>),
    Answer(ReplayOutcome),
}

/// Plan `ask` on the recorded model (else the mock), let the spend guard decide, then save the
/// replay (and its probe) as prompt versions, ready to fire.
fn plan(
    store: &mut Store,
    config: &Config,
    db_path: &Path,
    ask: &ReplayAsk,
) -> Result<Planned, String> {
    let (prepared, probe, recorded) = rebuild(ask)?;
    let registry = runner::registry(config, db_path);
    let (model, model_note) = pick_model(&prepared, &registry);
    let variants = replay::variants(&prepared, std::slice::from_ref(&model), &registry)
        .map_err(|e| e.to_string())?;
    let name = replay::default_name(&prepared.span_id);
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let pending = replay::fire::pending(store, &name, &prepared, probe.as_ref().map(|p| &p.0))
        .map_err(|e| err(&e))?;
    let case = Case {
        name: "recorded".into(),
        vars: Default::default(),
    };
    let mut plan = Plan::new(pending, variants, vec![case], &config.run);
    plan.samples = samples(config);
    plan.source = "tui".into();
    let book = PriceBook::load(config, None).map_err(|e| err(&e))?;
    plan.prices = Some(Arc::new(book.clone()));
    let mut cells = plan.prepare(&registry).map_err(|e| err(&e))?;
    let estimate = runner::estimate(&cells, &book, store).map_err(|e| err(&e))?;
    let policy = SpendPolicy {
        budget_usd: plan.budget_usd,
        confirm_above_usd: config.run.confirm_above_usd,
        yes: ask.confirmed,
        interactive: true,
    };
    let lines = estimate.lines(plan.budget_usd);
    match estimate.decide(&policy) {
        Decision::Start => {}
        Decision::Confirm { question } => {
            return Ok(Planned::Answer(ReplayOutcome::Confirm { question, lines }));
        }
        Decision::Refuse { reason } => {
            return Ok(Planned::Answer(ReplayOutcome::Refused { reason, lines }));
        }
    }
    let labels = replay::fire::commit(
        store,
        (&mut plan, &mut cells),
        &name,
        &prepared,
        probe.as_ref(),
        &ask.file,
    )
    .map_err(|e| err(&e))?;
    Ok(Planned::Fire(Box::new(Firing {
        ask: ask.clone(),
        db_path: db_path.to_path_buf(),
        plan,
        cells,
        name,
        span: prepared.span_id.clone(),
        labels,
        model,
        model_note,
        recorded,
        probe: probe.map(|p| p.1),
    })))
}

#[cfg(test)]
mod tests;
