//! Issue 18 item 2: `R` on an LLM span and `x` on a retrieved chunk of the Trace view, on the
//! real llama-index export, through a real worker on a real SQLite file. No provider key is
//! configured, so the replays run on the mock and the pane says so; the spend guard's question
//! is asked in the pane and the same key again confirms.

use super::*;
use temper::config::{Config, ProviderConfig, ProviderKind};
use temper::tui::replay::{ReplayOutcome, ReplayTarget};
use temper::tui::worker::Worker;

const LLAMA: &str = "tests/fixtures/traces/real/llama-index/spans.jsonl";
/// The LLM call whose prompt holds the three retrieved chunks.
const SPAN: &str = "cb88e9913613dbcc";
/// The chunk carrying the injected instruction.
const CHUNK: &str = "ec26b389-b5f2-499f-be84-8ac4f722e512";

/// A config whose `openai` provider needs a key from an env var nobody sets, so the recorded
/// model (`openai:smollm2-135m`) cannot be served whatever the machine's environment holds.
fn keyless() -> Config {
    let mut config = Config::default();
    config.providers.insert(
        "openai".into(),
        ProviderConfig {
            kind: ProviderKind::Openai,
            base_url: Some("http://127.0.0.1:9/v1".into()),
            api_key_env: Some("TEMPER_TEST_SURELY_UNSET_REPLAY_KEY".into()),
            timeout_secs: None,
            headers: Default::default(),
        },
    );
    config
}

fn worker_on(db: &std::path::Path, config: Config) -> Worker {
    Worker::new(temper::store::Store::open(db).unwrap(), config, db.into())
}

/// Move the focused list down until `done` holds.
fn select(a: &mut App, done: impl Fn(&App) -> bool) {
    for _ in 0..40 {
        if done(a) {
            return;
        }
        a.on_key(&key('j'));
    }
    panic!("never selected");
}

fn selected_span_id(a: &App) -> String {
    let i = a.trace.selected_span().unwrap();
    a.trace.loaded().unwrap().trace.id(i).to_string()
}

fn selected_chunk_id(a: &App) -> Option<String> {
    let (s, d) = a.trace.selected_chunk()?;
    a.trace.loaded().unwrap().trace.span(s).documents[d]
        .id
        .clone()
}

fn screen(a: &mut App, w: u16, h: u16) -> String {
    format!("{}", render(a, w, h).backend())
}

/// Send the one request the app asked for to the worker and hand its answer back.
fn round_trip(a: &mut App, worker: &mut Worker) -> temper::tui::replay::ReplayAsk {
    let ask = match requests(a).as_slice() {
        [Request::Replay(ask)] => (**ask).clone(),
        other => panic!("{other:?}"),
    };
    let event = worker.handle(Request::Replay(Box::new(ask.clone())));
    a.on_event(event);
    ask
}

fn outcome(a: &App) -> ReplayOutcome {
    a.trace.replay_pane().unwrap().outcome.clone().unwrap()
}

#[test]
fn r_on_an_llm_span_replays_it_on_the_mock_and_shows_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let mut worker = worker_on(&db, keyless());
    let mut a = trace_app(LLAMA);
    assert!(!screen(&mut a, 160, 48).contains("R replay"));
    select(&mut a, |a| selected_span_id(a) == SPAN);
    assert!(screen(&mut a, 160, 48).contains("R replay"), "the key hint");
    a.on_key(&key('R'));
    assert!(screen(&mut a, 80, 24).contains("replaying span"));
    let ask = round_trip(&mut a, &mut worker);
    assert_eq!(ask.target, ReplayTarget::Span(SPAN.into()));
    assert!(!ask.confirmed);
    let ReplayOutcome::Done(report) = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    assert_eq!(report.model, "mock:echo");
    let note = report.model_note.clone().unwrap();
    assert!(note.contains("openai:smollm2-135m not available"), "{note}");
    assert!(
        note.contains("TEMPER_TEST_SURELY_UNSET_REPLAY_KEY"),
        "{note}"
    );
    assert_eq!(report.samples, 5, "the default [run] samples gives 5");
    assert_eq!(report.labels, ["replay-cb88e991@1"]);
    assert!(report.recorded.starts_with("The card refunds are quick"));
    assert!(
        report.verdicts[0]
            .starts_with("the recorded answer came back in none of 5 samples on mock:echo"),
        "{:?}",
        report.verdicts
    );
    // What the pane reports is what the store holds.
    let store = temper::store::Store::open(&db).unwrap();
    let cells = store.cells(report.run_id).unwrap();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].prompt, "replay-cb88e991");
    assert_eq!(store.samples(cells[0].id).unwrap().len(), 5);
    a.status = None;
    snapshot("trace_replay_span", a);
}

#[test]
fn x_on_a_chunk_reruns_without_it_and_says_the_answer_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let mut worker = worker_on(&db, keyless());
    let mut a = trace_app(LLAMA);
    a.on_key(&code(KeyCode::Tab));
    assert!(!screen(&mut a, 160, 48).contains("R replay"));
    select(&mut a, |a| selected_chunk_id(a).as_deref() == Some(CHUNK));
    assert!(
        screen(&mut a, 160, 48).contains("x without chunk"),
        "the key hint"
    );
    a.on_key(&key('x'));
    let ask = round_trip(&mut a, &mut worker);
    assert_eq!(ask.target, ReplayTarget::Chunk(CHUNK.into()));
    let ReplayOutcome::Done(report) = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    assert_eq!(report.span, SPAN, "the request the chunk was sent in");
    assert_eq!(report.changed, Some(true));
    assert_eq!(
        report.labels,
        ["replay-cb88e991@1", "replay-cb88e991-probe@1"]
    );
    let first = &report.verdicts[0];
    assert!(
        first.starts_with(&format!(
            "without chunk {CHUNK}, the answer changes on mock:echo"
        )),
        "{first}"
    );
    // The probe's saved request no longer holds the chunk's text; the replay's still does.
    let store = temper::store::Store::open(&db).unwrap();
    let text = |label: &str| {
        let v = store.resolve_str(label).unwrap();
        v.body
            .messages
            .iter()
            .map(|m| m.content.clone())
            .collect::<String>()
    };
    assert!(text("replay-cb88e991@1").contains("ignore all previous instructions"));
    assert!(!text("replay-cb88e991-probe@1").contains("ignore all previous instructions"));
    let shown = screen(&mut a, 160, 48);
    assert!(
        shown.contains("the answer changes without this chunk"),
        "{shown}"
    );
    a.status = None;
    snapshot("trace_replay_chunk", a);
}

/// A chat-completions server on 127.0.0.1 answering every request with [`GROUNDED`]; its
/// base URL.
fn model_server() -> String {
    gated_model_server(None)
}

/// [`model_server`] whose answers wait for a permit of `gate` when there is one.
fn gated_model_server(gate: Option<std::sync::Arc<tokio::sync::Semaphore>>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let answer = serde_json::json!({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1,
                "model": "smollm2-135m",
                "choices": [{"index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": GROUNDED}}],
                "usage": {"prompt_tokens": 247, "completion_tokens": 8, "total_tokens": 255}
            });
            let reply = move || {
                let (answer, gate) = (answer.clone(), gate.clone());
                async move {
                    if let Some(gate) = gate {
                        let _permit = gate.acquire().await.unwrap();
                    }
                    axum::Json(answer)
                }
            };
            let app = axum::Router::new().route("/v1/chat/completions", axum::routing::post(reply));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

const GROUNDED: &str = "Card refunds take 5 business days.";

/// The recorded model served (no key needed) by [`model_server`] and priced, so the estimate is
/// above `confirm_above_usd`: the guard asks, in the pane; `R` again starts the replay on the
/// recorded model.
#[test]
fn the_spend_guard_asks_in_the_pane_and_the_same_key_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let text = format!(
        "[providers.openai]\nkind = \"openai\"\nbase_url = \"{}/v1\"\n\n[prices.\"openai:smollm2-135m\"]\ninput = 100.0\noutput = 1000.0\n\n[run]\nconfirm_above_usd = 0.000001\n",
        model_server()
    );
    let config = Config::parse(&text, std::path::Path::new("config.toml")).unwrap();
    let mut worker = worker_on(&db, config);
    let mut a = trace_app(LLAMA);
    select(&mut a, |a| selected_span_id(a) == SPAN);
    a.on_key(&key('R'));
    round_trip(&mut a, &mut worker);
    let ReplayOutcome::Confirm { question, .. } = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    assert!(question.contains("Start it?"), "{question}");
    let shown = screen(&mut a, 160, 48);
    assert!(shown.contains("R again starts it"), "{shown}");
    let store = temper::store::Store::open(&db).unwrap();
    assert!(
        store.resolve_str("replay-cb88e991").is_err(),
        "nothing saved before the answer"
    );
    a.on_key(&key('R'));
    let ask = round_trip(&mut a, &mut worker);
    assert!(ask.confirmed);
    let ReplayOutcome::Done(report) = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    assert_eq!(report.model, "openai:smollm2-135m", "the model as recorded");
    assert_eq!(report.model_note, None);
    assert!(
        report.verdicts[0].contains("none of 5 samples on openai:smollm2-135m; they all agree"),
        "{:?}",
        report.verdicts
    );
    assert!(store.resolve_str("replay-cb88e991@1").is_ok());
    // Esc closes the pane.
    a.on_key(&code(KeyCode::Esc));
    assert!(a.trace.replay_pane().is_none());
}

#[test]
fn r_off_an_llm_span_says_what_to_select() {
    let mut a = trace_app(LLAMA);
    a.on_key(&key('R'));
    assert!(requests(&mut a).is_empty());
    let status = a.status.clone().unwrap().1;
    assert!(status.contains("select an LLM span"), "{status}");
    assert!(a.trace.replay_pane().is_none());
}

/// The worker saves the replay and hands its calls to a thread: while the model has not
/// answered, the worker still answers the other views (here the run list), and the verdict
/// comes as a later event.
#[test]
fn a_replay_waiting_on_its_model_does_not_hold_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let text = format!(
        "[providers.openai]\nkind = \"openai\"\nbase_url = \"{}/v1\"\n",
        gated_model_server(Some(gate.clone()))
    );
    let config = Config::parse(&text, std::path::Path::new("config.toml")).unwrap();
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let worker = temper::tui::worker::spawn_with_config(db, config, tx).unwrap();
    let mut next = || {
        let started = std::time::Instant::now();
        loop {
            match events.try_recv() {
                Ok(event) => return event,
                Err(_) if started.elapsed().as_secs() < 60 => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                Err(e) => panic!("no event from the worker: {e}"),
            }
        }
    };
    assert!(matches!(next(), Event::Ready { .. }));
    assert!(matches!(next(), Event::Prompts(_)));
    let mut a = trace_app(LLAMA);
    select(&mut a, |a| selected_span_id(a) == SPAN);
    a.on_key(&key('R'));
    let ask = match requests(&mut a).as_slice() {
        [Request::Replay(ask)] => ask.clone(),
        other => panic!("{other:?}"),
    };
    worker.send(Request::Replay(ask));
    worker.send(Request::ListRuns);
    let firing = next();
    a.on_event(firing);
    let ReplayOutcome::Firing { model, samples } = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    assert_eq!((model.as_str(), samples), ("openai:smollm2-135m", 5));
    let shown = screen(&mut a, 160, 48);
    assert!(shown.contains("the other views keep working"), "{shown}");
    a.on_key(&key('R'));
    assert!(requests(&mut a).is_empty(), "one replay at a time");
    let Event::Runs(_) = next() else {
        panic!("the run list waited for the model");
    };
    assert_eq!(gate.available_permits(), 0, "no call has been answered yet");
    gate.add_permits(100);
    a.on_event(next());
    let ReplayOutcome::Done(report) = outcome(&a) else {
        panic!("{:?}", outcome(&a));
    };
    worker.send(Request::ListRuns);
    let Event::Runs(runs) = next() else {
        panic!("no run list");
    };
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [report.run_id]
    );
    assert!(
        report.verdicts[0].contains("none of 5 samples on openai:smollm2-135m; they all agree"),
        "{:?}",
        report.verdicts
    );
}
