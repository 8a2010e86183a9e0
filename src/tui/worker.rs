//! The background worker: owns the `Store` on its own thread and does every DB call.
//!
//! SQLite calls block, so they run here and never on the UI loop. The worker opens the DB (and
//! seeds the example prompts on first start) only after the UI has been spawned, so the first
//! frame is drawn before any I/O.

use super::event::{Event, Request, VersionCost, VersionDiff};
use crate::config::Config;
use crate::store::{Reference, Store};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc;
use tokio::sync::mpsc::UnboundedSender;

/// The sending half the UI uses to ask the worker for work.
#[derive(Clone)]
pub struct WorkerHandle {
    tx: mpsc::Sender<Request>,
}

impl WorkerHandle {
    /// Queue a request; if the worker is gone (DB failed to open) the request is dropped, and the
    /// UI already shows why.
    pub fn send(&self, request: Request) {
        let _ = self.tx.send(request);
    }
}

/// Start the worker thread on `db_path` with the default config; events arrive on `events`.
pub fn spawn(db_path: PathBuf, events: UnboundedSender<Event>) -> std::io::Result<WorkerHandle> {
    spawn_with_config(db_path, Config::default(), events)
}

/// Start the worker thread on `db_path`; `config` (providers, `[run]`, `[prices]`) plans and
/// prices the runs it estimates.
pub fn spawn_with_config(
    db_path: PathBuf,
    config: Config,
    events: UnboundedSender<Event>,
) -> std::io::Result<WorkerHandle> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("temper-db".into())
        .spawn(move || match Worker::open(db_path.clone(), config) {
            Ok((worker, seeded)) => {
                let _ = events.send(Event::Ready {
                    db: db_path,
                    seeded,
                });
                worker.serve(rx, &events);
            }
            Err(e) => {
                let _ = events.send(Event::Fatal(e));
            }
        })?;
    Ok(WorkerHandle { tx })
}

/// How many runs the Run view lists.
const RUNS_SHOWN: usize = 500;

/// The worker's state: the store it owns, and the config and DB path that plan and price the
/// runs it estimates. [`Worker::handle`] is the one place a request is answered.
pub struct Worker {
    store: Store,
    config: Config,
    db_path: PathBuf,
    /// Where work finished off the worker reports (a replay's calls); None answers it inline.
    events: Option<UnboundedSender<Event>>,
}

impl Worker {
    /// A worker on an already open `store` (the DB at `db_path`), as tests and benches build it.
    pub fn new(store: Store, config: Config, db_path: PathBuf) -> Self {
        Worker {
            store,
            config,
            db_path,
            events: None,
        }
    }

    /// Open the DB at `db_path`, mark runs a crash left running as interrupted, and seed the
    /// example prompts on first start; also says how many were seeded.
    pub fn open(db_path: PathBuf, config: Config) -> Result<(Self, usize), String> {
        let mut store = Store::open(&db_path).map_err(|e| e.to_string())?;
        store
            .mark_orphaned_runs()
            .map_err(|e| format!("marking interrupted runs: {e}"))?;
        let seeded = crate::store::seed_examples(&mut store)
            .map_err(|e| format!("importing the example prompts: {e}"))?;
        Ok((Worker::new(store, config, db_path), seeded))
    }

    /// Answer the prompt list, then every request from `rx` until the UI hangs up. A load whose
    /// kind is queued again behind it is dropped unanswered (see [`superseded`]).
    pub fn serve(mut self, rx: mpsc::Receiver<Request>, events: &UnboundedSender<Event>) {
        self.events = Some(events.clone());
        if events.send(self.handle(Request::ListPrompts)).is_err() {
            return;
        }
        let mut queue = VecDeque::new();
        loop {
            if queue.is_empty() {
                match rx.recv() {
                    Ok(request) => queue.push_back(request),
                    Err(_) => return,
                }
            }
            queue.extend(rx.try_iter());
            let Some(request) = queue.pop_front() else {
                continue;
            };
            if superseded(&request, &queue) {
                continue;
            }
            if events.send(self.handle(request)).is_err() {
                return;
            }
        }
    }

    /// Do one request against the store and say what happened.
    pub fn handle(&mut self, request: Request) -> Event {
        let store = &mut self.store;
        let failed = |what: String, e: &dyn std::fmt::Display| Event::Failed {
            what,
            error: e.to_string(),
        };
        match request {
            Request::ListPrompts => match store.list_prompts() {
                Ok(list) => Event::Prompts(list),
                Err(e) => failed("listing prompts".into(), &e),
            },
            Request::LoadLog { name } => match store.log(&name) {
                Ok(versions) => Event::Log { name, versions },
                Err(e) => failed(format!("loading the versions of {name}"), &e),
            },
            Request::LoadVersion { name, number } => {
                match store.resolve(&Reference::Number(name.clone(), number)) {
                    Ok(v) => Event::Version(Box::new(v)),
                    Err(e) => failed(format!("loading {name}@{number}"), &e),
                }
            }
            Request::Save {
                name,
                body,
                message,
            } => match store.save_version(&name, &body, &message) {
                Ok(outcome) => Event::Saved(outcome),
                Err(e) => failed(format!("saving {name}"), &e),
            },
            Request::SetLabel {
                name,
                label,
                number,
            } => match store.set_label(&name, &label, number) {
                Ok(moved) => Event::Labelled { name, moved },
                Err(e) => failed(format!("labelling {name}@{number}"), &e),
            },
            Request::ListRuns => match store.list_runs(RUNS_SHOWN) {
                Ok(runs) => Event::Runs(runs),
                Err(e) => failed("listing runs".into(), &e),
            },
            Request::LoadCells { run_id } => match store.cells(run_id) {
                Ok(cells) => Event::Cells { run_id, cells },
                Err(e) => failed(format!("loading the cells of run #{run_id}"), &e),
            },
            Request::LoadSamples { cell_id } | Request::LoadRunSamples { cell_id } => {
                match store.samples(cell_id) {
                    Ok(samples) => Event::Samples { cell_id, samples },
                    Err(e) => failed(format!("loading the samples of cell #{cell_id}"), &e),
                }
            }
            Request::EstimateCost {
                version_id,
                label,
                models,
            } => match super::spend::estimate_models(store, &self.config, &label, models) {
                Ok(models) => Event::CostEstimate { version_id, models },
                Err(error) => Event::Failed {
                    what: format!("estimating the cost of {label}"),
                    error,
                },
            },
            Request::CompletePath { text } => Event::PathCompleted {
                completed: crate::tui::paths::complete(&text),
                text,
            },
            Request::LoadCellGroups { cell_id } => {
                match super::worker_cells::grouped(store, cell_id) {
                    Ok(grouped) => Event::CellGroups {
                        cell_id,
                        grouped: Box::new(grouped),
                    },
                    Err(e) => failed(format!("loading the clusters of cell #{cell_id}"), &e),
                }
            }
            Request::LoadSamplePage {
                cell_id,
                offset,
                errors,
            } => match super::worker_cells::page(store, cell_id, offset, errors) {
                Ok(page) => Event::SamplePage(Box::new(page)),
                Err(e) => failed(format!("loading the samples of cell #{cell_id}"), &e),
            },
            Request::LoadSample { cell_id, idx } => match store.sample_at(cell_id, idx) {
                Ok(sample) => Event::Sample {
                    cell_id,
                    idx,
                    sample: sample.map(Box::new),
                },
                Err(e) => failed(format!("loading sample {idx} of cell #{cell_id}"), &e),
            },
            Request::LoadRunSent { run_id } => match run_sent(store, run_id) {
                Ok(sent) => Event::RunSent(Box::new(sent)),
                Err(e) => failed(format!("loading what run #{run_id} sent"), &e),
            },
            Request::LoadTrace { path } => {
                let result = crate::trace::load(&path, None)
                    .map(|mut trace| {
                        let limits = crate::trace::detectors::Limits::default();
                        crate::trace::detectors::run(&mut trace, &limits);
                        // The view holds the packed form; the `Trace` is consumed here.
                        std::sync::Arc::new(crate::trace::PackedTrace::from_loaded(trace))
                    })
                    .map_err(|e| e.to_string());
                Event::Trace { path, result }
            }
            Request::LoadCost { version_id, label } => {
                match crate::cost::history::version_history(store, version_id) {
                    Ok(models) => Event::Cost(Box::new(VersionCost {
                        version_id,
                        label,
                        models: models.into_values().collect(),
                        table_date: crate::cost::PriceBook::builtin()
                            .map(|b| b.table_info().as_of.clone())
                            .unwrap_or_default(),
                        cascade: crate::cost::cascade::version_table(store, version_id)
                            .ok()
                            .flatten(),
                    })),
                    Err(e) => failed(format!("loading the cost of {label}"), &e),
                }
            }
            Request::LoadCostSplit => match cost_split(store, &self.config) {
                Ok(split) => Event::CostSplit(split),
                Err(error) => Event::Failed {
                    what: "loading the cost of the last 30 days".into(),
                    error,
                },
            },
            Request::LoadTrends { prompt } => {
                let loaded = store.trend_variant(&prompt).and_then(|variant| {
                    let trends = match &variant {
                        Some(v) => store.version_trends(&prompt, v)?,
                        None => Vec::new(),
                    };
                    Ok((variant, trends))
                });
                match loaded {
                    Ok((variant, trends)) => Event::Trends {
                        prompt,
                        variant,
                        trends,
                    },
                    Err(e) => failed(format!("loading the trends of {prompt}"), &e),
                }
            }
            Request::ListSessions { dir } => super::suite::with_configs(super::session::list(&dir)),
            Request::OpenSession { path } => super::session::open(&path),
            Request::SaveSession { dir, name, session } => {
                super::session::save(&dir, &name, &session)
            }
            Request::CheckSession { path, run_id } => super::session::check(store, &path, run_id),
            Request::Estimate(super::event::RunSpec::Suite(spec)) => {
                super::suite::check(store, &self.config, &self.db_path, &spec)
            }
            Request::CheckSuite(grading) => {
                super::suite::grade(store, &self.config, &self.db_path, grading)
            }
            Request::Estimate(spec) => {
                super::spend::check(store, &self.config, &self.db_path, spec)
            }
            Request::Replay(ask) => {
                use super::replay::{Step, prepare};
                match prepare(&mut self.store, &self.config, &self.db_path, *ask) {
                    Step::Answered(event) => event,
                    Step::Fire(firing) => firing.answer(self.events.clone()),
                }
            }
            Request::CompareOutputs { name, old, new } => {
                let (a, b) = (format!("{name}@{old}"), format!("{name}@{new}"));
                match crate::analysis::versions::compare_versions(
                    store,
                    &a,
                    &b,
                    None,
                    crate::analysis::Mode::Exact,
                ) {
                    Ok(pairs) => Event::VersionOutputs {
                        name,
                        old,
                        new,
                        pairs,
                    },
                    Err(e) => failed(format!("comparing the outputs of {a} and {b}"), &e),
                }
            }
            Request::Diff { name, old, new } => {
                let get = |n: u32| store.resolve(&Reference::Number(name.clone(), n));
                match (get(old), get(new)) {
                    (Ok(a), Ok(b)) => Event::Diff(VersionDiff {
                        spans: crate::analysis::worddiff::word_diff(
                            &super::text::body_text(&a.body),
                            &super::text::body_text(&b.body),
                        ),
                        name,
                        old,
                        new,
                    }),
                    (Err(e), _) | (_, Err(e)) => {
                        failed(format!("diffing {name}@{old} and @{new}"), &e)
                    }
                }
            }
        }
    }
}

/// What the cells of `run_id` sent (unparsable records are left out) and its variants'
/// latencies.
fn run_sent(store: &Store, run_id: i64) -> Result<super::event::RunSent, crate::store::StoreError> {
    let params = store
        .run_params_sent(run_id)?
        .into_iter()
        .filter_map(|(cell, text)| Some((cell, serde_json::from_str(&text).ok()?)))
        .collect();
    Ok(super::event::RunSent {
        run_id,
        params,
        variants: crate::runner::summarize(store, run_id)?,
    })
}

/// The last 30 days per model, priced with the config's price book.
fn cost_split(
    store: &Store,
    config: &Config,
) -> Result<Vec<crate::cost::split::CostSplit>, String> {
    let book = crate::cost::PriceBook::load(config, None).map_err(|e| e.to_string())?;
    crate::cost::split::last_days(store, &book, jiff::Timestamp::now()).map_err(|e| e.to_string())
}

/// Whether `request` is a load the user has moved past: another of its kind is queued behind
/// it, so only the newest is answered (gitui's `AsyncSingleJob`) and the cell the user lands on
/// is not queued behind the ones scrolled past. Everything else is always answered.
fn superseded(request: &Request, queue: &VecDeque<Request>) -> bool {
    load_kind(request).is_some_and(|kind| queue.iter().any(|r| load_kind(r) == Some(kind)))
}

/// The kind of a load that only its newest instance matters for; `None` for the rest.
fn load_kind(request: &Request) -> Option<std::mem::Discriminant<Request>> {
    match request {
        Request::LoadLog { .. }
        | Request::LoadVersion { .. }
        | Request::LoadCells { .. }
        | Request::LoadRunSent { .. }
        | Request::LoadSamples { .. }
        | Request::LoadSamplePage { .. }
        | Request::LoadSample { .. }
        | Request::LoadTrace { .. }
        | Request::LoadCost { .. }
        | Request::LoadCostSplit
        | Request::LoadTrends { .. } => Some(std::mem::discriminant(request)),
        _ => None,
    }
}
