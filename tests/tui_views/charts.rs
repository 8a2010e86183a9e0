//! The pictures of issue 24 drawn by the real views: snapshots at 80x24 and 160x48 of data
//! where the picture must show something specific, and the styles of the cells that carry it.

use super::*;
use ratatui::buffer::Buffer;

/// The row of the screen holding `needle`, and the column where it starts (in cells).
fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    for y in 0..area.height {
        let cells: Vec<&str> = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let line: String = cells.concat();
        if let Some(byte) = line.find(needle) {
            // Cells before the match: count symbols whose text precedes the byte offset.
            let mut at = 0usize;
            let x = cells.iter().take_while(|c| {
                at += c.len();
                at <= byte
            });
            return Some((x.count() as u16, y));
        }
    }
    None
}

/// The text of screen row `y` from column `x` on.
fn row_from(buffer: &Buffer, x: u16, y: u16) -> String {
    (x..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// Columns of `y` (from `x`) drawn with a bar block.
fn bar_columns(buffer: &Buffer, x: u16, y: u16) -> Vec<u16> {
    (x..buffer.area.width)
        .filter(|c| {
            let s = buffer[(*c, y)].symbol();
            s.chars()
                .any(|ch| ('\u{2588}'..='\u{2590}').contains(&ch) || ch == '▕')
        })
        .collect()
}

#[test]
fn waterfall_shows_two_parallel_tool_calls_side_by_side() {
    let mut a = trace_app("tests/fixtures/traces/parallel-tools.temper.jsonl");
    let w = a.trace.waterfall();
    assert_eq!(w.axis.map(|x| x.ms()), Some(4000.0));
    for (w, h) in SIZES {
        let t = render(&mut a, w, h);
        let buf = t.backend().buffer();
        let (x0, weather) = find(buf, "tool get_weather").unwrap();
        let (_, hotels) = find(buf, "tool search_hotels").unwrap();
        let one = bar_columns(buf, x0, weather);
        let two = bar_columns(buf, x0, hotels);
        // Both bars start at the same column range and overlap for most of their length.
        let overlap = one.iter().filter(|c| two.contains(c)).count();
        assert!(overlap * 2 > one.len(), "{w}x{h}: {one:?} vs {two:?}");
        // The longer call (search_hotels) is on the critical path, get_weather is not.
        assert!(row_from(buf, x0, hotels).contains('◆'), "{w}x{h}");
        assert!(!row_from(buf, x0, weather).contains('◆'), "{w}x{h}");
        // Bars are coloured by kind: the tool call in the tool colour, the failed retriever red.
        let tool_cell = buf[(two[1], hotels)].style();
        assert_eq!(tool_cell.fg, Some(a.theme.role_tool), "{w}x{h}");
        let (_, reviews) = find(buf, "retriever reviews").unwrap();
        let failed = bar_columns(buf, x0, reviews);
        assert_eq!(buf[(failed[0], reviews)].style().fg, Some(a.theme.error));
    }
    snapshot("charts_waterfall_parallel", a);
}

#[test]
fn waterfall_zooms_to_a_subtree_and_widens() {
    let mut a = trace_app("examples/traces/agent-tools.temper.jsonl");
    let whole = a.trace.waterfall().axis.unwrap();
    a.on_key(&key('j')); // the first llm call
    a.on_key(&key('z'));
    assert_eq!(a.trace.rows().len(), 1, "an llm call without children");
    let zoomed = a.trace.waterfall().axis.unwrap();
    assert!(zoomed.ms() < whole.ms() && zoomed.ms() > 0.0);
    let mut t = render(&mut a, 80, 24);
    let screen = format!("{}", t.backend_mut());
    assert!(screen.contains("zoom: chat gpt-4o · z back"), "{screen}");
    a.on_key(&code(KeyCode::Esc));
    assert_eq!(a.trace.waterfall().axis, Some(whole));
    assert_eq!(
        a.trace.selected_span(),
        Some(a.trace.loaded().unwrap().walk[1].0)
    );
    a.on_key(&key('w'));
    assert!(a.trace.wide);
    snapshot("charts_waterfall_wide", a);
}

#[test]
fn waterfall_draws_the_real_openai_agents_loop() {
    let a = trace_app("tests/fixtures/traces/real/openai-agents-loop/spans.jsonl");
    let w = a.trace.waterfall();
    assert!(w.axis.is_some() && w.critical.len() > 1, "{w:?}");
    snapshot("charts_waterfall_agents_loop", a);
}
