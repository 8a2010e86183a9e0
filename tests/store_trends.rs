//! Trends across versions (issue 24): stability, cost per call and p95 latency per version of
//! a prompt for one variant, from the same query on both backends (PostgreSQL when
//! `TEMPER_TEST_PG` is set).

mod store_support;

use store_support::backends;
use temper::prompt::{Message, PromptBody, Role};
use temper::store::{NewCell, NewSample, SampleStatus, Store};

fn body(text: &str) -> PromptBody {
    PromptBody {
        messages: vec![Message::new(Role::User, text)],
        ..Default::default()
    }
}

/// One cell of `variant` on version `v` with `answers` (None: a failed call), latency
/// `100 * (i + 1) * slow` ms and cost `cost` each.
fn cell(store: &mut Store, v: i64, variant: &str, answers: &[Option<&str>], slow: f64, cost: f64) {
    let run = store.create_run("cli", None).unwrap();
    let cell = NewCell {
        prompt_version_id: v,
        variant_name: variant.into(),
        variant_json: "{}".into(),
        case_name: "default".into(),
        case_json: "{}".into(),
        n: answers.len() as u32,
    };
    let id = store.add_cell(run, &cell).unwrap();
    let samples: Vec<NewSample> = answers
        .iter()
        .enumerate()
        .map(|(i, a)| NewSample {
            cell_id: id,
            idx: i as u32,
            status: Some(if a.is_some() {
                SampleStatus::Ok
            } else {
                SampleStatus::Error
            }),
            output: a.map(str::to_string),
            latency_ms: Some(100.0 * (i as f64 + 1.0) * slow),
            cost_usd: Some(cost),
            attempts: 1,
            ..Default::default()
        })
        .collect();
    store.insert_samples(&samples).unwrap();
}

#[test]
fn trends_follow_the_versions_of_one_variant() {
    for db in backends() {
        eprintln!("backend: {}", db.name);
        let mut store = Store::open(&db.location).unwrap();
        let v1 = store
            .save_version("faq", &body("one"), "")
            .unwrap()
            .version
            .id;
        let v2 = store
            .save_version("faq", &body("two"), "")
            .unwrap()
            .version
            .id;
        let v3 = store
            .save_version("faq", &body("three"), "")
            .unwrap()
            .version
            .id;
        // v1 drifts (2 of 4 agree), v2 agrees but one call failed, v3 only ran another model.
        let drift = [
            Some("30 days"),
            Some("14 days"),
            Some("30 days"),
            Some("a month"),
        ];
        cell(&mut store, v1, "gpt", &drift, 1.0, 0.002);
        let steady = [Some("30 days"), Some("30 days"), None, Some("30 days")];
        cell(&mut store, v2, "gpt", &steady, 2.0, 0.001);
        cell(&mut store, v3, "other", &[Some("x")], 1.0, 0.5);
        let trends = store.version_trends("faq", "gpt").unwrap();
        let numbers: Vec<u32> = trends.iter().map(|t| t.number).collect();
        assert_eq!(numbers, [1, 2], "v3 has no gpt samples");
        assert_eq!(trends[0].stability, Some(0.5));
        assert_eq!(
            trends[1].stability,
            Some(1.0),
            "the failed call is not an answer"
        );
        assert_eq!(trends[1].samples, 4);
        assert_eq!(trends[0].cost_per_call_usd, Some(0.002));
        assert_eq!(trends[1].cost_per_call_usd, Some(0.001));
        assert_eq!(trends[0].latency_p95_ms, Some(400.0));
        assert_eq!(trends[1].latency_p95_ms, Some(800.0));
        assert!(store.version_trends("faq", "nope").unwrap().is_empty());
        assert!(store.version_trends("nope", "gpt").unwrap().is_empty());
    }
}
