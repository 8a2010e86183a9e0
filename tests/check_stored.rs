//! `temper check` on a stored run reads each cell's distinct answers and the store's aggregates,
//! never its samples: the verdict (every failure text, the per-case outcomes, the agreement
//! metrics, the baseline's stats) must be the one a pass over every sample read back gives, on
//! both backends (PostgreSQL when `TEMPER_TEST_PG` is set).

mod store_support;

use std::path::Path;
use store_support::backends;
use temper::session::baseline::CellStats;
use temper::session::{CellFacts, Evidence, Session, evaluate, metrics, stored};
use temper::store::{NewCell, NewSample, SampleRow, SampleStatus, Store};

/// Sample `i` of a cell, varied by `seed`: mixed statuses, repeated answers (some differing
/// only in whitespace or in the ids of their tool calls), latencies, TTFTs and costs with ties.
fn sample(cell_id: i64, i: u32, seed: u32) -> NewSample {
    let k = i.wrapping_mul(7).wrapping_add(seed * 13);
    let status = match k % 11 {
        0 | 5 => SampleStatus::Error,
        7 => SampleStatus::Skipped,
        _ => SampleStatus::Ok,
    };
    let tools =
        (k % 4 == 1).then(|| format!(r#"[{{"id":"call_{i}","name":"f","arguments":"{{}}"}}]"#));
    let output = match k % 9 {
        3 => None,
        8 => Some(format!("answer  {}", k % 3)),
        _ => Some(format!("answer {}", k % (3 + seed))),
    };
    NewSample {
        cell_id,
        idx: i,
        status: Some(status),
        output,
        tool_calls_json: tools,
        latency_ms: (k % 10 != 6).then(|| f64::from(k % 97) * 1.5 + 0.25),
        ttft_ms: (seed != 1 && !k.is_multiple_of(3)).then(|| f64::from(k % 53) / 4.0),
        cost_usd: (k % 12 != 9).then(|| f64::from(k % 41) * 1e-6),
        error: (status == SampleStatus::Error && !k.is_multiple_of(3))
            .then(|| format!("HTTP 5{}", k % 3)),
        attempts: 1,
        ..Default::default()
    }
}

/// A run of 3 cells (variant `a` on cases c1 and c2, `b` on c1) with `n` samples each, and a
/// fourth cell (`b` × c2) every sample of which answers the same.
fn populate(store: &mut Store, n: u32) -> i64 {
    let body = temper::prompt::PromptBody {
        messages: vec![temper::prompt::Message::new(
            temper::prompt::Role::User,
            "hi",
        )],
        ..Default::default()
    };
    let v = store.save_version("p", &body, "").unwrap().version.id;
    let run = store.create_run("cli", None).unwrap();
    for (seed, (variant, case)) in [("a", "c1"), ("b", "c1"), ("a", "c2"), ("b", "c2")]
        .into_iter()
        .enumerate()
    {
        let cell = NewCell {
            prompt_version_id: v,
            variant_name: variant.into(),
            variant_json: "{\"model\":\"mock:echo\"}".into(),
            case_name: case.into(),
            case_json: "{}".into(),
            n,
        };
        let id = store.add_cell(run, &cell).unwrap();
        let batch: Vec<NewSample> = (0..n)
            .map(|i| match seed {
                3 => NewSample {
                    cell_id: id,
                    idx: i,
                    status: Some(SampleStatus::Ok),
                    output: Some("answer 1".into()),
                    ..Default::default()
                },
                _ => sample(id, i, seed as u32),
            })
            .collect();
        store.insert_samples(&batch).unwrap();
    }
    run
}

fn session(mode: &str, checks: &str) -> Session {
    let text = format!(
        "name = \"s\"\nmode = \"{mode}\"\nsamples = 3\nprompts = [\"p\"]\n\n\
         [[variants]]\nname = \"a\"\nmodel = \"mock:echo\"\n\n\
         [[variants]]\nname = \"b\"\nmodel = \"mock:echo\"\n\n\
         [[cases]]\nname = \"c1\"\n\n[[cases]]\nname = \"c2\"\n\n[check]\n{checks}"
    );
    Session::parse(&text, Path::new("s.toml")).unwrap()
}

const EVERY_CHECK: &str = "min_stability = 0.9\nmax_distinct = 1\n\
    must_contain = [\"answer 1\", \"answer\"]\nmust_not_contain = [\"answer 2\"]\n\
    regex = [\"^answer [0-2]$\"]\nmax_cost_per_call_usd = 0.00001\n\
    max_p95_latency_ms = 10\nmax_p95_ttft_ms = 1\n\
    [[check.must_equal]]\noutput = \"answer 1\"\n\
    [[check.must_equal]]\noutput = \"answer 1\"\nmin_similarity = 0.6\n\
    [[check.must_equal]]\nprompt = \"q\"\noutput = \"x\"\n";

const JUDGED: &str = "judge = { model = \"mock:judge\", rubric = \"Is it right?\", pass_score = 0.5 }\nmust_contain = [\"answer 1\"]\n";

/// The verdicts of five sessions on the populated run, as JSON: failures, per-case outcomes,
/// metrics and the baseline's stats.
fn verdicts(store: &Store, run: i64) -> String {
    let mut out = String::new();
    for (mode, checks) in [
        ("exact", EVERY_CHECK),
        ("whitespace", EVERY_CHECK),
        ("json", EVERY_CHECK),
        ("exact", "allow_errors = true\nmin_stability = 0.2\n"),
        ("exact", JUDGED),
    ] {
        let v = stored::verdict(store, &session(mode, checks), run).unwrap();
        let stats: Vec<(Option<f64>, f64, usize)> = v
            .stats
            .iter()
            .map(|s| (s.stability, s.cost_usd, s.priced_calls))
            .collect();
        let doc = serde_json::json!({
            "mode": mode,
            "failures": v.checks.failures,
            "cases": v.cases,
            "metrics": v.metrics,
            "stats": stats,
        });
        out.push_str(&serde_json::to_string_pretty(&doc).unwrap());
        out.push('\n');
    }
    out
}

/// The verdicts are the ones the code that read every sample gave: the fixture was written by
/// the verdict before it read answers instead of samples, on this same data.
#[test]
fn verdicts_are_byte_identical_to_the_ones_read_from_every_sample() {
    let want = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check_stored/verdicts.json"),
    )
    .unwrap();
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 300);
        let got = verdicts(&store, run);
        if got != want {
            let at = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let _ = std::fs::write(std::env::temp_dir().join("check_stored-got.json"), &got);
            panic!("{}: verdicts differ from line {}", db.name, at + 1);
        }
    }
}

/// The verdict as it was built before: every sample read back, then evaluated.
fn from_samples(
    store: &Store,
    s: &Session,
    run: i64,
) -> (
    Vec<temper::session::Failure>,
    Vec<metrics::VariantMetrics>,
    Vec<CellStats>,
) {
    let cells = stored::session_cells(store, s, run, &[]).unwrap();
    let samples: Vec<Vec<SampleRow>> = cells
        .iter()
        .map(|c| store.checked_samples(c.id).unwrap())
        .collect();
    let labels = stored::labels(&cells);
    let grades = vec![Vec::new(); cells.len()];
    let facts: Vec<CellFacts<'_>> = stored::facts(&cells, &samples, &labels, &grades);
    let stats = samples
        .iter()
        .map(|rows| CellStats::of(&Evidence::of_samples(rows, &[]), s.mode))
        .collect();
    (
        evaluate(&s.check, s.mode, &facts),
        metrics::variant_metrics(&s.check, &facts),
        stats,
    )
}

#[test]
fn a_stored_verdict_is_the_one_every_sample_gives() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 300);
        for (mode, checks) in [
            ("exact", EVERY_CHECK),
            ("whitespace", EVERY_CHECK),
            ("exact", "allow_errors = true\nmin_stability = 0.2\n"),
        ] {
            let s = session(mode, checks);
            let got = stored::verdict(&store, &s, run).unwrap();
            let (failures, metrics, stats) = from_samples(&store, &s, run);
            assert_eq!(got.checks.cells.len(), 4);
            assert_eq!(got.checks.failures, failures, "{} {mode}", db.name);
            assert_eq!(got.metrics, metrics, "{} {mode}", db.name);
            assert_eq!(got.stats, stats, "{} {mode}", db.name);
            assert_eq!(got.cases.len(), 4);
        }
        let s = session("exact", EVERY_CHECK);
        let got = stored::verdict(&store, &s, run).unwrap();
        let checks: Vec<&str> = got
            .checks
            .failures
            .iter()
            .map(|f| f.check.as_str())
            .collect();
        for check in [
            "errors",
            "min_stability",
            "max_p95_ttft_ms",
            "must_equal",
            "must_equal q",
        ] {
            assert!(checks.contains(&check), "{check} missing from {checks:?}");
        }
        // The steady cell fails only the bars no answer can meet.
        assert!(
            got.cases[3]
                .checks
                .iter()
                .any(|c| c.check == "min_stability" && c.passed)
        );
    }
}

#[test]
fn listed_samples_are_the_first_misses_by_index_across_answers() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 300);
        let s = session(
            "exact",
            "must_contain = [\"answer 1\"]\nregex = [\"^answer [0-2]$\"]\n",
        );
        let got = stored::verdict(&store, &s, run).unwrap();
        let cells = stored::session_cells(&store, &s, run, &[]).unwrap();
        for (cell, needle) in [(0, "answer 1"), (1, "answer 1")] {
            let rows = store.samples(cells[cell].id).unwrap();
            let missed: Vec<u32> = rows
                .iter()
                .filter(|r| r.sample.status == Some(SampleStatus::Ok))
                .filter(|r| !r.sample.output.as_deref().unwrap_or("").contains(needle))
                .map(|r| r.sample.idx)
                .collect();
            assert!(missed.len() > 5);
            let want: Vec<String> = missed.iter().take(5).map(u32::to_string).collect();
            let want = format!("samples {}, …", want.join(", "));
            let failure = got
                .checks
                .failures
                .iter()
                .find(|f| {
                    f.check == format!("must_contain {needle:?}")
                        && f.case == cells[cell].cell.case_name
                        && f.variant == cells[cell].cell.variant_name
                })
                .unwrap();
            assert_eq!(
                failure.detail.as_deref(),
                Some(want.as_str()),
                "{}",
                db.name
            );
        }
    }
}

#[test]
fn the_judge_calls_a_stored_run_needs_are_one_per_distinct_answer() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 120);
        let s = session(
            "exact",
            "judge = { model = \"mock:judge\", rubric = \"Is it right?\", pass_score = 0.5 }\n",
        );
        let cells = stored::session_cells(&store, &s, run, &[]).unwrap();
        let samples: Vec<Vec<SampleRow>> =
            cells.iter().map(|c| store.samples(c.id).unwrap()).collect();
        let judge = s.check.judge.clone().unwrap();
        let defaults = temper::config::RunDefaults::default();
        let want = temper::session::judge_run::pending(
            &mut store, &judge, &s.name, &cells, &samples, &defaults,
        )
        .unwrap()
        .unwrap();
        let got = stored::judge_pending(&mut store, &s, (run, &[]), &defaults)
            .unwrap()
            .unwrap();
        let names = |p: &temper::runner::Plan| -> Vec<String> {
            p.cases.iter().map(|c| c.name.clone()).collect()
        };
        assert_eq!(names(&got), names(&want), "{}", db.name);
        assert!(got.cases.len() < 20, "{} judge calls", got.cases.len());
        // Not graded yet: every answered sample of the cell fails the judge, counted by answer.
        let verdict = stored::verdict(&store, &s, run).unwrap();
        let judge = verdict
            .checks
            .failures
            .iter()
            .find(|f| f.check == "judge")
            .unwrap();
        let answered = samples[0]
            .iter()
            .filter(|r| r.sample.status == Some(SampleStatus::Ok))
            .count();
        assert_eq!(judge.value, format!("failed {answered}/{answered}"));
    }
}

#[test]
fn the_store_reads_what_the_checks_measure_as_a_pass_over_the_samples_does() {
    use temper::analysis::cell::percentile;
    use temper::store::Measure;
    use temper::store::output_hash::output_hash;
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let run = populate(&mut store, 200);
        for cell in store.cells(run).unwrap() {
            let rows = store.samples(cell.id).unwrap();
            let answered = |r: &&SampleRow| r.sample.status == Some(SampleStatus::Ok);
            let counts = store.answer_counts(cell.id).unwrap();
            assert_eq!(counts.samples, rows.len() as u64);
            assert_eq!(counts.answered, rows.iter().filter(answered).count() as u64);
            let first = rows.iter().find(|r| !answered(r));
            let first = first.map(|r| (r.sample.idx, r.sample.error.clone()));
            assert_eq!(counts.first_unanswered, first, "{}", db.name);
            for g in store.output_groups(cell.id).unwrap() {
                let want: Vec<u32> = rows
                    .iter()
                    .filter(answered)
                    .filter(|r| {
                        let s = &r.sample;
                        output_hash(s.output.as_deref(), s.tool_calls_json.as_deref()) == g.hash
                    })
                    .map(|r| r.sample.idx)
                    .take(3)
                    .collect();
                let got = store.group_first_members(cell.id, g.hash, 3).unwrap();
                assert_eq!(got, want, "{}", db.name);
            }
            let priced = store.priced_calls(cell.id).unwrap();
            let want = Evidence::of_samples(&rows, &[]).priced;
            assert_eq!(priced.total_usd.to_bits(), want.total_usd.to_bits());
            assert_eq!((priced.calls, priced.dearest), (want.calls, want.dearest));
            let measured = [
                (Measure::AnyLatency, counts.latencies),
                (Measure::AnyTtft, counts.ttfts),
            ];
            for ((measure, over), value) in measured
                .into_iter()
                .zip([(|r| r.sample.latency_ms) as fn(&SampleRow) -> _, |r| {
                    r.sample.ttft_ms
                }])
            {
                let values: Vec<f64> = rows.iter().filter_map(value).collect();
                assert_eq!(over, values.len() as u64, "{} {measure:?}", db.name);
                let got = store
                    .measure_quantiles(&[cell.id], measure, &[0.95])
                    .unwrap();
                assert_eq!(got, [percentile(&values, 0.95)], "{} {measure:?}", db.name);
            }
        }
    }
}
