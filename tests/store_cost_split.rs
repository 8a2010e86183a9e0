//! The token split behind `temper cost --split` (issue 24 item 5): the same GROUP BY model on
//! both backends (PostgreSQL when `TEMPER_TEST_PG` is set), its window, and a variant without a
//! model field grouped under its name.

mod store_support;

use store_support::backends;
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{NewCell, NewSample, SampleStatus, Store};

/// One cell of `variant_json` with one sample per (input, cached, output, cost).
fn cell(store: &mut Store, v: i64, variant_json: &str, samples: &[(i64, i64, i64, Option<f64>)]) {
    let run = store.create_run("cli", None).unwrap();
    let cell = NewCell {
        prompt_version_id: v,
        variant_name: "named".into(),
        variant_json: variant_json.into(),
        case_name: "default".into(),
        case_json: "{}".into(),
        n: samples.len() as u32,
    };
    let id = store.add_cell(run, &cell).unwrap();
    let rows: Vec<NewSample> = samples
        .iter()
        .enumerate()
        .map(|(i, (input, cached, output, cost))| NewSample {
            cell_id: id,
            idx: i as u32,
            status: Some(SampleStatus::Ok),
            output: Some("ok".into()),
            input_tokens: Some(*input),
            cached_tokens: Some(*cached),
            output_tokens: Some(*output),
            cost_usd: *cost,
            ..NewSample::default()
        })
        .collect();
    store.insert_samples(&rows).unwrap();
}

/// model, samples, input, cached, output, stored cost.
type Split<'a> = (&'a str, u64, u64, u64, u64, Option<f64>);

#[test]
fn tokens_are_summed_per_model_within_the_window_on_every_backend() {
    for db in backends() {
        let mut store = Store::open(&db.location).unwrap();
        let body = PromptBody {
            messages: vec![Message::new(Role::User, "hi")],
            ..Default::default()
        };
        let v = store.save_version("p", &body, "").unwrap().version.id;
        let mini = r#"{"name":"a","model":"openai:gpt-4o-mini"}"#;
        cell(
            &mut store,
            v,
            mini,
            &[(100, 80, 10, Some(0.5)), (50, 0, 5, None)],
        );
        // A second cell of the same model under another variant name: one group.
        cell(&mut store, v, mini, &[(10, 0, 1, Some(0.25))]);
        cell(&mut store, v, "{}", &[(7, 0, 3, None)]);
        let all = store.token_split_since("2000-01-01T00:00:00Z").unwrap();
        let got: Vec<Split> = all
            .iter()
            .map(|m| {
                (
                    m.model.as_str(),
                    m.samples,
                    m.input_tokens,
                    m.cached_tokens,
                    m.output_tokens,
                    m.stored_cost_usd,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("named", 1, 7, 0, 3, None),
                ("openai:gpt-4o-mini", 3, 160, 80, 16, Some(0.75)),
            ],
            "{}",
            db.name
        );
        let future = store.token_split_since("2999-01-01T00:00:00Z").unwrap();
        assert!(future.is_empty(), "{}: nothing after the cutoff", db.name);
    }
}
