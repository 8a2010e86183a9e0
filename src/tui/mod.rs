//! The interactive workbench (ratatui + crossterm + tokio).
//!
//! Shape (see docs/architecture.md): the user's keys become [`action::Action`]s through the
//! [`keymap::Keymap`]; views turn actions into effects; DB work goes to the [`worker`] thread
//! as [`event::Request`]s and comes back as [`event::Event`]s; [`ui::draw`] renders from state
//! only. The first frame is drawn before the DB is opened.

pub mod action;
pub mod app;
pub mod event;
pub mod event_loop;
pub mod highlight;
pub mod host;
pub mod keymap;
pub mod live;
pub mod paths;
pub mod replay;
pub mod runs;
pub mod session;
pub mod spend;
pub mod suite;
pub mod tabs;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod ui;
pub mod views;
pub mod worker;
pub mod worker_cells;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the TUI starts with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub db_path: PathBuf,
    /// `--theme` or `[ui] theme`: a built-in name or a theme file.
    pub theme: Option<String>,
    /// `[ui.keys]` overrides.
    pub keys: BTreeMap<String, String>,
    /// A trace file to open in the Trace view (`temper trace FILE --tui`).
    pub trace: Option<PathBuf>,
    /// Providers and `[run]` defaults, for runs started from the TUI.
    pub config: crate::config::Config,
}

/// The app for `options`: theme and keymap loaded, their problems shown in the status bar.
pub fn new_app(options: &Options) -> app::App {
    let (theme, theme_warning) = theme::Theme::load(options.theme.as_deref());
    let (keymap, mut warnings) = keymap::Keymap::new(&options.keys);
    warnings.extend(theme_warning);
    let mut app = app::App::new(theme, keymap, warnings);
    if let Some(path) = &options.trace {
        app.trace.path = Some(path.clone());
        app.tab = action::Tab::Trace;
    }
    app
}

/// The runtime the TUI runs on (and `temper trace --listen` starts its receiver on).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Open the TUI on the real terminal and run until the user quits.
pub fn run(options: Options) -> anyhow::Result<()> {
    run_on(runtime()?, options, None, None)
}

/// Open the TUI on the Run view running the promptfoo suite `suite` (`temper check CONFIG
/// --tui`), and run until the user quits.
pub fn run_suite(options: Options, suite: crate::promptfoo::SuiteSpec) -> anyhow::Result<()> {
    run_on(runtime()?, options, None, Some(suite))
}

/// Open the TUI on the Trace view, fed live by `feed` (whose receiver runs on `runtime`), and
/// run until the user quits; `--save` is flushed and closed when this returns.
pub fn run_live(
    runtime: tokio::runtime::Runtime,
    options: Options,
    feed: live::Feed,
) -> anyhow::Result<()> {
    run_on(runtime, options, Some(feed), None)
}

fn run_on(
    runtime: tokio::runtime::Runtime,
    options: Options,
    feed: Option<live::Feed>,
    suite: Option<crate::promptfoo::SuiteSpec>,
) -> anyhow::Result<()> {
    terminal::install_panic_hook();
    let mut app = new_app(&options);
    if feed.is_some() {
        app.tab = action::Tab::Trace;
    }
    let mut term = terminal::enter()?;
    let _guard = terminal::RestoreGuard;
    // First frame before any I/O: the worker opens the DB only after this.
    event_loop::draw(&mut term, &mut app)?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let runs =
        runs::RunController::new(options.config.clone(), options.db_path.clone(), tx.clone());
    let tx_live = tx.clone();
    let worker = worker::spawn_with_config(options.db_path.clone(), options.config.clone(), tx)?;
    highlight::warm_up();
    if let Some(path) = &options.trace {
        worker.send(event::Request::LoadTrace { path: path.clone() });
    }
    if let Some(suite) = suite {
        app.show_tab(action::Tab::Run);
        let effects = app.run.open_suite(suite);
        app.apply(effects);
    }
    let stop = tokio_util::sync::CancellationToken::new();
    let feeding = match feed {
        Some(feed) => Some(live::spawn(
            runtime.handle().clone(),
            feed,
            tx_live,
            stop.clone(),
        )?),
        None => None,
    };
    let mut host = host::TerminalHost::new(runs);
    let result = runtime.block_on(event_loop::run_loop(
        &mut term,
        &mut app,
        ratatui::crossterm::event::EventStream::new,
        rx,
        &worker,
        &mut host,
    ));
    stop.cancel();
    if let Some(thread) = feeding {
        let _ = thread.join();
    }
    result
}
