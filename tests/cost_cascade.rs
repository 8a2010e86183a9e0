//! Cost per passing answer and the cascade "cheap first, the next only on failure", over a run
//! stored in a real SQLite file: `temper cost --cascade`, `temper report --session` (the real
//! binary) and the TUI Cost view's table (drawn on a test backend from the worker's figures).

mod common;

use common::cli_env::CliEnv as Env;

use predicates::str::contains;
use temper::store::{NewCell, NewSample, RunStatus, SampleStatus, Store};

impl Env {
    fn new() -> Env {
        let env = Env::seeded("");
        env.file(
            "s.toml",
            "name = \"refunds\"\nprompts = [\"support-answer\"]\n[[variants]]\nname = \"cheap\"\nmodel = \"openai:gpt-4o-mini\"\n[[cases]]\nname = \"default\"\n[check]\nmust_contain = [\"refund\"]\n",
        );
        env
    }

    fn session(&self) -> String {
        self.dir.path().join("s.toml").display().to_string()
    }

    /// One run of support-answer: `cheap` answers 3 of 4 with "refund" at $0.00001 and 100 ms,
    /// `strong` 4 of 4 at $0.0001 and 400 ms.
    fn store_run(&self) -> (i64, i64) {
        let mut store = Store::open(&self.db()).unwrap();
        let version = store.resolve_str("support-answer").unwrap().info.id;
        let run = store.create_run("cli", None).unwrap();
        let cheap = [
            "A refund takes 30 days.",
            "A refund takes 30 days.",
            "A refund, yes.",
            "Ask billing.",
        ];
        let strong = ["A refund takes 14 days."; 4];
        for (name, outputs, cost, latency) in [
            ("cheap", cheap, 1e-5, 100.0),
            ("strong", strong, 1e-4, 400.0),
        ] {
            let cell = NewCell {
                prompt_version_id: version,
                variant_name: name.into(),
                variant_json: "{}".into(),
                case_name: "default".into(),
                case_json: "{}".into(),
                n: 4,
            };
            let cell_id = store.add_cell(run, &cell).unwrap();
            let samples: Vec<NewSample> = outputs
                .iter()
                .enumerate()
                .map(|(i, text)| NewSample {
                    cell_id,
                    idx: i as u32,
                    status: Some(SampleStatus::Ok),
                    output: Some(text.to_string()),
                    cost_usd: Some(cost),
                    latency_ms: Some(latency),
                    ..NewSample::default()
                })
                .collect();
            store.insert_samples(&samples).unwrap();
        }
        store.finish_run(run, RunStatus::Done).unwrap();
        (run, version)
    }
}

fn close(a: &serde_json::Value, b: f64) {
    let a = a.as_f64().unwrap_or(f64::NAN);
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn cascade_costs_the_cheap_call_plus_the_strong_one_on_failures() {
    let env = Env::new();
    let (run, _) = env.store_run();
    let run = run.to_string();
    let out = env
        .temper()
        .args([
            "--json",
            "cost",
            "--cascade",
            "cheap, strong",
            &run,
            "--session",
            &env.session(),
        ])
        .args(["--calls-per-day", "10k"])
        .assert()
        .success();
    let j: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(j["checks"], "refunds");
    let (cheap, strong, c) = (&j["variants"][0], &j["variants"][1], &j["cascade"]);
    close(&cheap["pass_rate"], 0.75);
    close(&cheap["cost_per_passing_usd"], 4e-5 / 3.0);
    close(&strong["cost_per_passing_usd"], 1e-4);
    close(&c["pass_rate"], 1.0);
    close(&c["cost_per_request_usd"], 1e-5 + 0.25 * 1e-4);
    close(&c["cost_per_passing_usd"], 3.5e-5);
    close(&c["latency_ms"], 100.0 + 0.25 * 400.0);
    close(&c["calls_per_request"], 1.25);
    close(&c["per_30_days_usd"], 3.5e-5 * 10_000.0 * 30.0);
    let text = env
        .temper()
        .args([
            "cost",
            "--cascade",
            "cheap,strong",
            &run,
            "--session",
            &env.session(),
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(text.contains("cheap → strong"), "{text}");
    assert!(text.contains("cheap alone"), "{text}");
    assert!(text.contains("for 35% of its cost"), "{text}");
    // Without checks every answered call passes: the cheap variant alone is enough.
    let text = env
        .temper()
        .args(["cost", "--cascade", "cheap,strong", "support-answer"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        text.contains("a single variant passes as often for less"),
        "{text}"
    );
}

#[test]
fn bad_cascades_say_what_is_wrong() {
    let env = Env::new();
    let (run, _) = env.store_run();
    let run = run.to_string();
    env.temper()
        .args(["cost", "--cascade", "cheap,openai:gpt-4.1", &run])
        .assert()
        .code(2)
        .stderr(contains(
            "\"openai:gpt-4.1\" is not a variant of this run; its variants are: cheap, strong",
        ));
    env.temper()
        .args(["cost", "--cascade", "cheap", &run])
        .assert()
        .code(2)
        .stderr(contains("a cascade needs at least two variants"));
    env.temper()
        .args(["cost", "support-answer", "--session", &env.session()])
        .assert()
        .code(2)
        .stderr(contains("--cascade"));
}

#[test]
fn report_with_checks_gives_the_cost_per_passing_answer() {
    let env = Env::new();
    let (run, _) = env.store_run();
    let run = run.to_string();
    env.temper()
        .args(["report", &run, "--session", &env.session()])
        .assert()
        .success()
        .stdout(contains("variant cheap: $0.000013 per passing answer (3 of 4 answers passed the checks, $0.000010 per call)"));
    let out = env
        .temper()
        .args(["--json", "report", &run, "--session", &env.session()])
        .assert()
        .success();
    let j: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    close(&j["passing_cost"][1]["cost_per_passing_usd"], 1e-4);
}

#[test]
fn tui_cost_view_draws_the_cheapest_first_cascade() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use temper::tui::views::View;
    let env = Env::new();
    let (_, version) = env.store_run();
    let store = Store::open(&env.db()).unwrap();
    let table = temper::cost::cascade::version_table(&store, version)
        .unwrap()
        .unwrap();
    assert_eq!(table.cascade.as_ref().unwrap().steps, ["cheap", "strong"]);
    let history = temper::cost::history::version_history(&store, version).unwrap();
    let mut view = temper::tui::views::cost::CostView::default();
    view.wanted = Some((version, "support-answer@1".into()));
    view.on_event(&temper::tui::event::Event::Cost(Box::new(
        temper::tui::event::VersionCost {
            version_id: version,
            label: "support-answer@1".into(),
            models: history.into_values().collect(),
            table_date: "2026-12-01".into(),
            cascade: Some(table),
        },
    )));
    let mut terminal = Terminal::new(TestBackend::new(110, 24)).unwrap();
    let theme = temper::tui::theme::Theme::default();
    terminal.draw(|f| view.draw(f, f.area(), &theme)).unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .chunks(110)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect();
    assert!(screen.contains("cascade over the latest run"), "{screen}");
    assert!(screen.contains("cheap → strong"), "{screen}");
    assert!(screen.contains("$/passing"), "{screen}");
}
