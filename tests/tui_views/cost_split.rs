//! Issue 24 item 5: the Cost view's 30-day bars per model, split into input, cached input and
//! output, loaded by the real worker from a real SQLite file. gpt-4o-mini's cached input is
//! most of its cost, so its bar is mostly `▓`; at 80x24 and in the mono theme the numbers say
//! the same.

use super::*;

#[path = "../common/cost_split_db.rs"]
mod cost_split_db;

fn split_event() -> Event {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    cost_split_db::fill(&db);
    worker(&db).handle(Request::LoadCostSplit)
}

fn split_app() -> App {
    let mut a = loaded_app();
    a.on_key(&key('5'));
    assert!(requests(&mut a).contains(&Request::LoadCostSplit));
    a.on_event(cost_event(vec![
        history("openai:gpt-4.1", 1.0, Some(0.14)),
        history("openai:gpt-4o-mini", 0.95, Some(0.0094)),
    ]));
    a.on_event(split_event());
    a
}

fn row_with(buffer: &ratatui::buffer::Buffer, needle: &str) -> String {
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .rfind(|l| l.contains(needle) && l.contains('%'))
        .unwrap_or_default()
}

#[test]
fn the_cached_share_of_a_model_shows_in_its_bar() {
    let mut a = split_app();
    let wide = render(&mut a, 160, 48);
    let mini = row_with(wide.backend().buffer(), "gpt-4o-mini");
    let count = |c: char| mini.chars().filter(|x| *x == c).count();
    assert!(count('▓') > count('█') + count('░'), "{mini}");
    let big = row_with(wide.backend().buffer(), "gpt-4.1");
    assert!(big.contains("cached 0%") && !big.contains('▓'), "{big}");
    let narrow = render(&mut a, 80, 24);
    let mini = row_with(narrow.backend().buffer(), "gpt-4o-mini");
    assert!(mini.contains("cached 71%"), "{mini}");
    snapshot("charts_cost_split", split_app());
}

#[test]
fn the_bars_read_in_the_mono_theme() {
    let mut a = new_app(&Options {
        theme: Some("mono".into()),
        ..Options::default()
    });
    a.dispatch(Action::ShowTab(Tab::Cost));
    a.on_event(split_event());
    let t = render(&mut a, 160, 48);
    let mini = row_with(t.backend().buffer(), "gpt-4o-mini");
    assert!(mini.contains('▓') && mini.contains("cached 71%"), "{mini}");
    snapshot("charts_mono_cost_split", a);
}
