//! Unit tests of `cost_split.rs` (kept beside it so the module reads without them).

use super::*;

fn split(model: &str, parts: [f64; 3]) -> CostSplit {
    CostSplit {
        model: model.into(),
        samples: 3,
        input_tokens: 100,
        cached_tokens: 100,
        output_tokens: 100,
        input_usd: Some(parts[0]),
        cached_usd: Some(parts[1]),
        output_usd: Some(parts[2]),
        total_usd: Some(parts.iter().sum()),
        stored_usd: None,
        price: "table".into(),
    }
}

fn text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

#[test]
fn bars_scale_to_the_biggest_spender_and_stack_the_parts() {
    let theme = Theme::default();
    let rows = [
        split("big", [2.0, 6.0, 2.0]),
        split("small", [1.0, 0.0, 4.0]),
    ];
    let lines = lines(&rows, 100, &theme);
    let big = text(&lines[1]);
    let small = text(&lines[2]);
    let count = |s: &str, c: char| s.chars().filter(|x| *x == c).count();
    let bar = |s: &str| MARKS.iter().map(|m| count(s, *m)).sum::<usize>();
    // Half the spend, half the length (to the cell), and the numbers line up.
    assert!((bar(&small) * 2).abs_diff(bar(&big)) <= 1, "{big}\n{small}");
    let column = |s: &str| s[..s.find(" in ").unwrap_or(0)].chars().count();
    assert_eq!(column(&big), column(&small), "{big}\n{small}");
    assert!(count(&big, '▓') > count(&big, '█'), "{big}");
    assert_eq!(count(&small, '▓'), 0, "{small}");
    assert!(big.contains("cached 60%"), "{big}");
}

#[test]
fn a_narrow_pane_keeps_the_numbers_and_drops_the_bar() {
    let theme = Theme::default();
    let lines = lines(&[split("openai:gpt-4o-mini", [1.0, 1.0, 2.0])], 50, &theme);
    let row = text(&lines[1]);
    assert!(!row.contains('█') && row.contains("out 50%"), "{row}");
}
