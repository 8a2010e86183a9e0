//! History at scale: the run summary, `temper cost`'s history and run costs come from SQL
//! aggregates (stored output hash, index-walked percentiles) and must say exactly what a pass
//! over every stored sample says, on both backends (PostgreSQL when `TEMPER_TEST_PG` is set).
//! The reference passes below are the algorithms these aggregates replaced.

mod store_support;

use std::collections::{BTreeMap, HashMap, HashSet};
use store_support::backends;
use temper::cost::history::{run_cost, version_history};
use temper::prompt::{Message, PromptBody, Role};
use temper::runner::{VariantSummary, percentile, summarize};
use temper::store::output_hash::output_hash;
use temper::store::{CellRequest, NewCell, NewSample, SampleRow, SampleStatus, Store};

fn body() -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, "hi")],
        ..Default::default()
    }
}

/// Sample `i` of a cell, varied by `seed`: mixed statuses, repeated outputs, tool calls whose
/// ids differ, missing latencies and tokens, streamed and not, tied error messages.
fn sample(cell_id: i64, i: u32, seed: u32) -> NewSample {
    let k = i.wrapping_mul(7).wrapping_add(seed * 13);
    let status = match k % 11 {
        0 | 5 => SampleStatus::Error,
        7 => SampleStatus::Skipped,
        _ => SampleStatus::Ok,
    };
    let tools = (k % 4 == 1).then(|| {
        format!(
            r#"[{{"id":"call_{i}","name":"lookup","arguments":"{{\"q\":{}}}"}}]"#,
            k % 2
        )
    });
    NewSample {
        cell_id,
        idx: i,
        status: Some(status),
        output: (k % 9 != 3).then(|| format!("answer {}", k % (3 + seed))),
        tool_calls_json: tools,
        input_tokens: (k % 6 != 2).then_some(i64::from(10 + k % 5)),
        output_tokens: (k % 8 != 4).then_some(i64::from(k % 37) - 2),
        latency_ms: (k % 10 != 6).then(|| f64::from(k % 97) * 1.5 + 0.25),
        ttft_ms: (seed.is_multiple_of(2) && !k.is_multiple_of(3)).then(|| f64::from(k % 53) / 4.0),
        cost_usd: (k % 12 != 9).then(|| f64::from(k % 41) * 1e-6),
        error: (status == SampleStatus::Error).then(|| format!("HTTP 5{}", k % 3)),
        attempts: 1 + k % 3,
        ..Default::default()
    }
}

/// A run of 3 cells (variant `a` twice, `b` once) with `n` samples each; returns its id and
/// the prompt version.
fn populate(store: &mut Store, n: u32) -> (i64, i64) {
    let v = store.save_version("p", &body(), "").unwrap().version.id;
    let run = store.create_run("cli", None).unwrap();
    let variants = [("a", "m-a", "c1"), ("b", "m-b", "c1"), ("a", "m-a", "c2")];
    for (seed, (variant, model, case)) in variants.into_iter().enumerate() {
        let cell = NewCell {
            prompt_version_id: v,
            variant_name: variant.into(),
            variant_json: format!("{{\"model\":\"{model}\"}}"),
            case_name: case.into(),
            case_json: "{}".into(),
            n,
        };
        let id = store.add_cell(run, &cell).unwrap();
        let batch: Vec<NewSample> = (0..n).map(|i| sample(id, i, seed as u32)).collect();
        store.insert_samples(&batch).unwrap();
        store
            .record_cell_requests(&[CellRequest {
                cell_id: id,
                params_sent: format!("{{\"temperature\":{}}}", 0.25 * seed as f64),
                request_json: "{}".into(),
            }])
            .unwrap();
    }
    (run, v)
}

/// A summary in progress: the summary, its latencies and TTFTs, errors by message.
type Accumulator = (VariantSummary, [Vec<f64>; 2], BTreeMap<String, usize>);

/// The summary as a pass over every sample computed it before the aggregates.
fn reference_summary(store: &Store, run: i64) -> Vec<VariantSummary> {
    let mut order: Vec<String> = Vec::new();
    let mut acc: BTreeMap<String, Accumulator> = BTreeMap::new();
    for cell in store.cells(run).unwrap() {
        let name = cell.cell.variant_name.clone();
        if !acc.contains_key(&name) {
            order.push(name.clone());
        }
        let model: serde_json::Value = serde_json::from_str(&cell.cell.variant_json).unwrap();
        let (s, lat, errors) = acc.entry(name.clone()).or_insert_with(|| {
            let model = model["model"].as_str().unwrap_or_default().to_string();
            let s = VariantSummary {
                variant: name,
                model,
                ..Default::default()
            };
            (s, [Vec::new(), Vec::new()], BTreeMap::new())
        });
        let mut outputs = HashSet::new();
        for row in store.samples(cell.id).unwrap() {
            let x = row.sample;
            s.retries += u64::from(x.attempts.saturating_sub(1));
            if x.status == Some(SampleStatus::Ok) {
                s.ok += 1;
                outputs.insert((x.output.clone().unwrap_or_default(), calls_key(&x)));
                s.input_tokens += x.input_tokens.unwrap_or(0);
                s.output_tokens += x.output_tokens.unwrap_or(0);
                lat[0].extend(x.latency_ms);
                lat[1].extend(x.ttft_ms);
            } else if x.status == Some(SampleStatus::Error) {
                s.failed += 1;
                *errors.entry(x.error.unwrap_or_default()).or_default() += 1;
            }
        }
        s.distinct = s.distinct.max(outputs.len());
        let sent: serde_json::Value =
            serde_json::from_str(&store.cell_request(cell.id).unwrap().unwrap().params_sent)
                .unwrap();
        let t = sent["temperature"].as_f64().filter(|t| *t > 0.0);
        s.temperature_above_zero = match (s.temperature_above_zero, t) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    order
        .into_iter()
        .map(|name| {
            let (mut s, [mut l, mut t], errors) = acc.remove(&name).unwrap();
            l.sort_by(f64::total_cmp);
            t.sort_by(f64::total_cmp);
            s.latency_p50_ms = percentile(&l, 50.0);
            s.latency_p95_ms = percentile(&l, 95.0);
            s.ttft_p50_ms = percentile(&t, 50.0);
            s.ttft_p95_ms = percentile(&t, 95.0);
            s.top_error = errors.into_iter().max_by_key(|(_, n)| *n).map(|(m, _)| m);
            s
        })
        .collect()
}

fn calls_key(s: &NewSample) -> Vec<(String, String)> {
    let v: Vec<serde_json::Value> = s
        .tool_calls_json
        .as_deref()
        .map(|j| serde_json::from_str(j).unwrap())
        .unwrap_or_default();
    v.iter()
        .map(|c| (c["name"].to_string(), c["arguments"].to_string()))
        .collect()
}

#[test]
fn run_summary_from_aggregates_matches_a_pass_over_every_sample() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let (run, _) = populate(&mut store, 240);
        let got = summarize(&store, run).unwrap();
        assert_eq!(got, reference_summary(&store, run), "{}", db.name);
        assert_eq!(got.len(), 2);
        assert!(got[0].ttft_p95_ms.is_some() && got[1].ttft_p95_ms.is_none());
        assert!(got.iter().all(|v| v.top_error.is_some() && v.distinct > 3));
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(1.0)
}

#[test]
fn cost_history_and_run_cost_from_aggregates_match_a_pass_over_every_sample() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let (run, version) = populate(&mut store, 300);
        let history = version_history(&store, version).unwrap();
        assert_eq!(history.len(), 2);
        for (model, h) in &history {
            let cells: Vec<Vec<SampleRow>> = store
                .cells_for_version(version)
                .unwrap()
                .iter()
                .filter(|c| c.cell.variant_json.contains(model.as_str()))
                .map(|c| store.samples(c.id).unwrap())
                .collect();
            let ok: Vec<&SampleRow> = cells
                .iter()
                .flatten()
                .filter(|s| s.sample.status == Some(SampleStatus::Ok))
                .collect();
            assert_eq!(h.samples, ok.len(), "{model}");
            let mut tokens: Vec<f64> = ok
                .iter()
                .filter_map(|s| s.sample.output_tokens)
                .map(|t| t.max(0) as f64)
                .collect();
            let mean = tokens.iter().sum::<f64>() / tokens.len() as f64;
            assert_eq!(h.mean_output_tokens, Some(mean), "{model}");
            tokens.sort_by(f64::total_cmp);
            let p = |q: f64| percentile(&tokens, q).map(|t| t.round() as u64);
            assert_eq!(h.p50_output_tokens, p(50.0), "{model}");
            assert_eq!(h.p95_output_tokens, p(95.0), "{model}");
            let mut costs: Vec<f64> = ok.iter().filter_map(|s| s.sample.cost_usd).collect();
            assert_eq!((h.cost.samples, h.cost.priced), (ok.len(), costs.len()));
            assert!(close(h.cost.total_usd, costs.iter().sum()), "{model}");
            costs.sort_by(f64::total_cmp);
            assert_eq!(h.cost.p95_usd, percentile(&costs, 95.0), "{model}");
            let worst = cells
                .iter()
                .map(|c| stability(c))
                .min_by(f64::total_cmp)
                .unwrap();
            assert_eq!(h.stability, Some(worst), "{model}");
        }
        let rc = run_cost(&store, run).unwrap();
        let all: Vec<SampleRow> = store
            .cells(run)
            .unwrap()
            .iter()
            .flat_map(|c| store.samples(c.id).unwrap())
            .filter(|s| s.sample.status != Some(SampleStatus::Skipped))
            .collect();
        let mut costs: Vec<f64> = all.iter().filter_map(|s| s.sample.cost_usd).collect();
        assert_eq!(
            (rc.total.samples, rc.total.priced),
            (all.len(), costs.len())
        );
        assert!(close(rc.total.total_usd, costs.iter().sum()));
        costs.sort_by(f64::total_cmp);
        assert_eq!(rc.total.p95_usd, percentile(&costs, 95.0));
        assert_eq!(rc.variants.len(), 2);
        assert_eq!(
            rc.variants.iter().map(|v| v.cost.samples).sum::<usize>(),
            all.len()
        );
    }
}

/// Largest group of identical answers (text and tool calls, ids aside) / answered samples.
fn stability(samples: &[SampleRow]) -> f64 {
    let mut groups: HashMap<(String, Vec<(String, String)>), usize> = HashMap::new();
    let mut answered = 0;
    for s in samples
        .iter()
        .filter(|s| s.sample.status == Some(SampleStatus::Ok))
    {
        answered += 1;
        let key = (
            s.sample.output.clone().unwrap_or_default(),
            calls_key(&s.sample),
        );
        *groups.entry(key).or_default() += 1;
    }
    *groups.values().max().unwrap() as f64 / answered as f64
}

#[test]
fn answered_samples_carry_the_hash_of_their_output_and_others_none() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let (run, _) = populate(&mut store, 60);
        for cell in store.cells(run).unwrap() {
            let rows = store.samples(cell.id).unwrap();
            let mut hashes = HashSet::new();
            for r in &rows {
                let s = &r.sample;
                if s.status == Some(SampleStatus::Ok) {
                    hashes.insert(output_hash(
                        s.output.as_deref(),
                        s.tool_calls_json.as_deref(),
                    ));
                }
            }
            assert_eq!(
                store.distinct_outputs(cell.id).unwrap(),
                hashes.len() as u64
            );
        }
    }
}

/// A SQLite file written by a temper from before migration 5 gets its hashes on open.
#[test]
fn an_older_sqlite_database_is_backfilled_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in &temper::store::schema::MIGRATIONS[..4] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 4; PRAGMA application_id = 1414352978;
         INSERT INTO prompts VALUES (1, 'p', 'x');
         INSERT INTO prompt_versions VALUES (1, 1, 1, 'h', NULL, '{}', '', 'x');
         INSERT INTO runs VALUES (1, 'cli', NULL, 'done', NULL, 'x', 'x');
         INSERT INTO cells VALUES (1, 1, 1, 'v', '{}', 'c', '{}', 3);",
    )
    .unwrap();
    // More rows than one backfill page, so paging is exercised.
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..2500 {
        let status = if i % 10 == 0 { "error" } else { "ok" };
        tx.execute(
            "INSERT INTO samples(cell_id, idx, status, output, created_at)
             VALUES (1, ?1, ?2, ?3, 'x')",
            rusqlite::params![i, status, format!("out {}", i % 7)],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        temper::store::schema::LATEST
    );
    assert_eq!(store.distinct_outputs(1).unwrap(), 7);
    for r in store.samples(1).unwrap() {
        let s = r.sample;
        let expected =
            (s.status == Some(SampleStatus::Ok)).then(|| output_hash(s.output.as_deref(), None));
        let conn = rusqlite::Connection::open(&path).unwrap();
        let stored: Option<i64> = conn
            .query_row(
                "SELECT output_hash FROM samples WHERE cell_id = 1 AND idx = ?1",
                [s.idx],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(stored, expected, "sample {}", s.idx);
        if s.idx > 30 {
            break;
        }
    }
}

/// A PostgreSQL database written before migration 5 gets its hashes on open (skipped without
/// `TEMPER_TEST_PG`).
#[test]
fn an_older_postgres_database_is_backfilled_on_open() {
    let Some(db) = store_support::TestDb::postgres() else {
        return;
    };
    let mut client = db.client().unwrap();
    for sql in &temper::store::schema_pg::MIGRATIONS[..4] {
        client.batch_execute(sql).unwrap();
    }
    client
        .batch_execute(
            "CREATE TABLE temper_schema (version BIGINT NOT NULL);
             INSERT INTO temper_schema(version) VALUES (4);
             INSERT INTO prompts(id, name, created_at) VALUES (1, 'p', 'x');
             INSERT INTO prompt_versions(id, prompt_id, number, hash, body_json, created_at)
                 VALUES (1, 1, 1, 'h', '{}', 'x');
             INSERT INTO runs(id, source, status, started_at) VALUES (1, 'cli', 'done', 'x');
             INSERT INTO cells(id, run_id, prompt_version_id, variant_name, variant_json,
                 case_name, case_json, n) VALUES (1, 1, 1, 'v', '{}', 'c', '{}', 3);
             INSERT INTO samples(cell_id, idx, status, output, created_at)
                 SELECT 1, i, CASE WHEN i % 10 = 0 THEN 'error' ELSE 'ok' END,
                        'out ' || (i % 7), 'x' FROM generate_series(0, 2499) AS i;",
        )
        .unwrap();
    let store = Store::open(&db.location).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        temper::store::schema::LATEST
    );
    assert_eq!(store.distinct_outputs(1).unwrap(), 7);
    let rows = client
        .query(
            "SELECT status, output, output_hash FROM samples ORDER BY idx",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 2500);
    for r in rows {
        let (status, output, hash): (String, String, Option<i64>) = (r.get(0), r.get(1), r.get(2));
        let expected = (status == "ok").then(|| output_hash(Some(&output), None));
        assert_eq!(hash, expected, "{output} {status}");
    }
}

/// A cell of JSON answers whose spacing and key order vary (and one that is not JSON), so the
/// whitespace and json modes merge groups the stored hash keeps apart.
fn add_json_cell(store: &mut Store, run: i64, version: i64, n: u32) -> i64 {
    let cell = NewCell {
        prompt_version_id: version,
        variant_name: "j".into(),
        variant_json: "{\"model\":\"m-j\"}".into(),
        case_name: "c1".into(),
        case_json: "{}".into(),
        n,
    };
    let id = store.add_cell(run, &cell).unwrap();
    let texts = [
        r#"{"a": 1, "b": [2, 3]}"#,
        r#"{"b":[2,3],"a":1}"#,
        r#"{"a": 1,  "b": [2, 4]}"#,
        "not json",
        r#"{"a":  1, "b": [2, 3]}"#,
    ];
    let batch: Vec<NewSample> = (0..n)
        .map(|i| NewSample {
            cell_id: id,
            idx: i,
            status: Some(SampleStatus::Ok),
            output: Some(texts[(i as usize * 7) % texts.len()].to_string()),
            latency_ms: Some(f64::from(i % 13)),
            ..Default::default()
        })
        .collect();
    store.insert_samples(&batch).unwrap();
    id
}

#[test]
fn report_rows_and_agreement_from_answer_groups_match_the_samples_read_back() {
    use temper::analysis::cell::cell_report;
    use temper::analysis::stored::{CellAnswers, stored_cell_report};
    use temper::analysis::{Mode, Options};
    use temper::session::{Answer, Checks, metrics, stored};
    let digit = regex::Regex::new(r"answer (\d)").unwrap();
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let (run, version) = populate(&mut store, 240);
        add_json_cell(&mut store, run, version, 60);
        let cells = store.cells(run).unwrap();
        let samples: Vec<Vec<SampleRow>> =
            cells.iter().map(|c| store.samples(c.id).unwrap()).collect();
        let answers: Vec<CellAnswers> = cells
            .iter()
            .map(|c| CellAnswers::load(&store, c.id).unwrap())
            .collect();
        for ((cell, rows), grouped) in cells.iter().zip(&samples).zip(&answers) {
            for mode in [Mode::Exact, Mode::Whitespace, Mode::Json] {
                let want = cell_report(cell, rows, Options::mode(mode));
                let got = stored_cell_report(&store, cell, grouped, Options::mode(mode)).unwrap();
                assert_eq!(got, want, "{} cell {} mode {mode}", db.name, cell.id);
            }
        }
        let json = &answers[3];
        assert!(json.groups.len() == 5 && json.unanswered() == 0);
        let strict = Checks {
            answer: Answer::Regex(digit.clone()),
            must_contain: vec!["answer".into()],
            ..Checks::default()
        };
        let labels = stored::labels(&cells);
        let grades = vec![Vec::new(); cells.len()];
        for checks in [Checks::default(), strict] {
            let facts = stored::facts(&cells, &samples, &labels, &grades);
            let want = metrics::variant_metrics(&checks, &facts);
            let got = stored::grouped_metrics(&checks, &cells, &answers).unwrap();
            assert_eq!(got, want, "{}", db.name);
            // What the report keeps: the texts, not the members.
            let light: Vec<CellAnswers> = answers
                .iter()
                .cloned()
                .map(CellAnswers::without_members)
                .collect();
            let got = stored::grouped_metrics(&checks, &cells, &light).unwrap();
            assert_eq!(got, want, "{} without members", db.name);
        }
    }
}

#[test]
fn samples_come_back_a_page_at_a_time_and_groups_cover_every_answer() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let (run, _) = populate(&mut store, 240);
        for cell in store.cells(run).unwrap() {
            let all = store.samples(cell.id).unwrap();
            let mut paged: Vec<SampleRow> = Vec::new();
            loop {
                let after = paged.last().map(|s| s.sample.idx);
                let page = store.sample_page(cell.id, after, 37).unwrap();
                assert!(page.len() <= 37);
                if page.is_empty() {
                    break;
                }
                paged.extend(page);
            }
            assert_eq!(paged, all, "{}", db.name);
            assert_eq!(store.sample_at(cell.id, 17).unwrap().as_ref(), all.get(17));
            assert_eq!(store.sample_at(cell.id, 240).unwrap(), None);
            // The Run view's pages of a large cell: by position, and the cell's counts.
            assert_eq!(
                store.sample_window(cell.id, 200, 37).unwrap(),
                all[200..237]
            );
            assert_eq!(store.sample_window(cell.id, 230, 37).unwrap(), all[230..]);
            assert_eq!(store.cell_sample_count(cell.id).unwrap(), 240);
            let failed = all
                .iter()
                .filter(|s| s.sample.status == Some(SampleStatus::Error))
                .count();
            assert!(failed > 0);
            assert_eq!(store.cell_error_count(cell.id).unwrap(), failed as u64);

            let groups = store.output_groups(cell.id).unwrap();
            let answered: Vec<&SampleRow> = all
                .iter()
                .filter(|s| s.sample.status == Some(SampleStatus::Ok))
                .collect();
            let total: u64 = groups.iter().map(|g| g.count).sum();
            assert_eq!(total, answered.len() as u64);
            assert!(groups.windows(2).all(|w| w[0].first_idx < w[1].first_idx));
            for g in &groups {
                let first = &all[g.first_idx as usize].sample;
                assert_eq!(
                    (&g.output, &g.tool_calls_json),
                    (&first.output, &first.tool_calls_json)
                );
                let key = output_hash(first.output.as_deref(), first.tool_calls_json.as_deref());
                assert_eq!(g.hash, key);
                let members = answered
                    .iter()
                    .filter(|s| {
                        output_hash(
                            s.sample.output.as_deref(),
                            s.sample.tool_calls_json.as_deref(),
                        ) == key
                    })
                    .count();
                assert_eq!(g.count, members as u64);
            }
            let mut streamed: Vec<(i64, u32)> = Vec::new();
            store
                .for_each_group_member(cell.id, &mut |h, i| {
                    streamed.push((h, i));
                    Ok(())
                })
                .unwrap();
            assert_eq!(streamed.len(), answered.len());
            assert!(streamed.windows(2).all(|w| w[0] < w[1]));
            let sums = store.cell_sums(cell.id).unwrap();
            assert_eq!((sums.samples, sums.ok), (240, answered.len() as u64));
            assert_eq!(store.cell_sample_count(cell.id).unwrap(), 240);
        }
    }
}

#[test]
fn cascade_attempts_read_a_page_at_a_time_match_the_samples_read_back() {
    use temper::cost::cascade::{attempts, load_run};
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let (run, _) = populate(&mut store, 4500);
        let pairs: Vec<_> = store
            .cells(run)
            .unwrap()
            .into_iter()
            .map(|c| {
                let samples = store.samples(c.id).unwrap();
                (c, samples)
            })
            .collect();
        let passes = |output: &str| output.contains('1');
        let got = load_run(&store, run, &passes).unwrap();
        assert_eq!(got, attempts(&pairs, &passes), "{}", db.name);
        assert_eq!(got.iter().map(|v| v.cases.len()).sum::<usize>(), 3);
    }
}
