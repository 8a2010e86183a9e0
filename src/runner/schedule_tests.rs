//! Unit tests of `schedule.rs` (kept beside it so the module reads without them).

use super::*;
use crate::config::{Config, RunDefaults};
use crate::prompt::{Message, PromptBody, Role};
use crate::provider::Registry;
use crate::runner::{Plan, Variant};

#[test]
fn both_makes_one_tagged_cell_per_schedule_asking_for_logprobs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(&dir.path().join("t.db")).unwrap();
    let body = PromptBody {
        messages: vec![Message::new(Role::User, "hi")],
        ..PromptBody::default()
    };
    store.save_version("p", &body, "").unwrap();
    let version = store.resolve_str("p").unwrap();
    let mut plan = Plan::new(
        vec![version],
        vec![Variant::model("mock:echo")],
        vec![],
        &RunDefaults::default(),
    );
    plan.schedules = vec![Schedule::Sequential, Schedule::Burst];
    let cells = plan.prepare(&Registry::new(&Config::default())).unwrap();
    let names: Vec<&str> = cells
        .iter()
        .map(|c| c.new_cell.variant_name.as_str())
        .collect();
    assert_eq!(names, ["mock:echo [sequential]", "mock:echo [burst]"]);
    assert_eq!(
        Schedule::of_variant_json(&cells[1].new_cell.variant_json),
        Some(Schedule::Burst)
    );
    assert_eq!(plan.total_samples(), 2 * plan.samples as usize);
    // The mock synthesises logprobs, so it is asked for them like a real server.
    assert!(plan.logprobs.is_some());
    assert_eq!(cells[0].request.logprobs, plan.logprobs);
    assert_eq!(Schedule::of_variant_json("{\"model\":\"m\"}"), None);
}
