//! The pictures of issue 24 drawn by the real views: snapshots at 80x24 and 160x48 of data
//! where the picture must show something specific, and the styles of the cells that carry it.

use super::*;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

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
        Some(a.trace.loaded().unwrap().walk[1].0 as usize)
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

/// A token with probability `p` and one alternative with `other`.
fn token(text: &str, p: f32, alt: &str, other: f32) -> temper::provider::TokenLogprob {
    use temper::provider::Alternative;
    temper::provider::TokenLogprob {
        token: text.into(),
        logprob: p.ln(),
        top: vec![
            Alternative {
                token: text.into(),
                logprob: p.ln(),
            },
            Alternative {
                token: alt.into(),
                logprob: other.ln(),
            },
        ],
    }
}

/// "Refunds within 30 days." with " 30" a near-tie against " 14" (0.49 vs 0.47), or the
/// same with " 14" chosen.
fn refund(cell_id: i64, idx: u32, days: &str) -> temper::store::SampleRow {
    let (p, other, alt) = if days == " 30" {
        (0.49, 0.47, " 14")
    } else {
        (0.47, 0.49, " 30")
    };
    let tokens = [
        token("Refunds", 0.99, "Returns", 0.01),
        token(" within", 0.97, " in", 0.02),
        token(days, p, alt, other),
        token(" days", 0.99, " weeks", 0.005),
        token(".", 0.98, "!", 0.01),
    ];
    let mut row = sample(
        cell_id,
        idx,
        Some(&format!("Refunds within{days} days.")),
        None,
    );
    row.sample.logprobs = Some(temper::provider::logprob_codec::encode(&tokens));
    row
}

/// The Diff view on a cell of three samples with logprobs, two saying 30 days, one 14.
fn confidence_app() -> App {
    use temper::store::RunStatus;
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_event(Event::Runs(vec![run(2, RunStatus::Done)]));
    a.on_event(Event::Cells {
        run_id: 2,
        cells: vec![cell(7, 2, "openai:gpt-4o-mini")],
    });
    a.on_event(Event::Samples {
        cell_id: 7,
        samples: vec![
            refund(7, 0, " 30"),
            refund(7, 1, " 30"),
            refund(7, 2, " 14"),
        ],
    });
    a.dispatch(Action::ShowTab(Tab::Diff));
    a.take_effects();
    a
}

#[test]
fn confidence_colours_the_near_tie_token_in_the_warning_colour() {
    let mut a = confidence_app();
    a.on_key(&key('m'));
    assert!(a.diff.confidence);
    for (w, h) in SIZES {
        let t = render(&mut a, w, h);
        let buf = t.backend().buffer();
        // A (left) says 30, B (right) says 14: both near-ties, both the divergence token.
        let (x, y) = find(buf, "within 30").unwrap();
        let cell = &buf[(x + "within ".len() as u16, y)];
        assert_eq!(cell.symbol(), "3");
        assert_eq!(cell.style().fg, Some(a.theme.warning), "{w}x{h}");
        assert!(cell.style().add_modifier.contains(Modifier::UNDERLINED));
        assert!(
            cell.style().add_modifier.contains(Modifier::REVERSED),
            "the split"
        );
        // A confident token stays plain text.
        let plain = &buf[(x, y)];
        assert_eq!(plain.symbol(), "w");
        assert_eq!(plain.style().fg, Some(a.theme.text), "{w}x{h}");
        assert!(!plain.style().add_modifier.contains(Modifier::UNDERLINED));
        // Under each pane, the margins sparkline with one near-tie.
        let screen = format!("{}", t.backend());
        assert_eq!(screen.matches("1 near-tie").count(), 2, "{screen}");
    }
    snapshot("charts_confidence_diff", a);
}

#[test]
fn confidence_in_the_run_output_pane_and_without_logprobs() {
    let mut a = confidence_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_key(&key('m'));
    assert!(a.run.confidence);
    let t = render(&mut a, 80, 24);
    let screen = format!("{}", t.backend());
    assert!(
        screen.contains("margins ") && screen.contains("1 near-tie"),
        "{screen}"
    );
    let mut a = runs_app();
    a.on_key(&key('m'));
    let t = render(&mut a, 80, 24);
    let screen = format!("{}", t.backend());
    assert!(screen.contains("no token logprobs stored"), "{screen}");
}

/// Every cell of `buffer` drawn without colour.
fn colourless(buffer: &Buffer) -> bool {
    use ratatui::style::Color;
    buffer.content.iter().all(|c| {
        let s = c.style();
        [s.fg, s.bg]
            .iter()
            .all(|x| matches!(x, None | Some(Color::Reset)))
    })
}

#[test]
fn the_mono_theme_keeps_every_picture_readable_without_colour() {
    let (mono, warning) = temper::tui::theme::Theme::load(Some("mono"));
    assert!(warning.is_none());
    let mut a = trace_app("tests/fixtures/traces/parallel-tools.temper.jsonl");
    a.theme = mono.clone();
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    assert!(colourless(buf));
    let (x0, hotels) = find(buf, "tool search_hotels").unwrap();
    assert!(
        row_from(buf, x0, hotels).contains('◆'),
        "the path is a character"
    );
    assert!(bar_columns(buf, x0, hotels).len() > 3);
    let mut a = confidence_app();
    a.theme = mono;
    a.on_key(&key('m'));
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    assert!(colourless(buf));
    let (x, y) = find(buf, "within 30").unwrap();
    let tie = buf[(x + 7, y)].style();
    assert!(
        tie.add_modifier
            .contains(Modifier::UNDERLINED | Modifier::BOLD)
    );
    snapshot("charts_mono_confidence", a);
}

/// A cell of ten: six say 30 days, three 14 days, one failed; latencies around 400ms with one
/// 2.4s straggler, streamed (TTFT around 120ms). A second cell of the same variant adds four.
fn distributions_app() -> App {
    use temper::store::RunStatus;
    let mut a = loaded_app();
    a.dispatch(Action::ShowTab(Tab::Run));
    a.on_event(Event::Runs(vec![run(3, RunStatus::Done)]));
    let mut other = cell(9, 3, "openai:gpt-4o-mini");
    other.cell.case_name = "annual".into();
    a.on_event(Event::Cells {
        run_id: 3,
        cells: vec![cell(8, 3, "openai:gpt-4o-mini"), other],
    });
    let timed = |cell_id: i64, idx: u32, text: Option<&str>, ms: f64| {
        let error = text.is_none().then_some("HTTP 500: upstream error");
        let mut row = sample(cell_id, idx, text, error);
        row.sample.latency_ms = Some(ms);
        row.sample.ttft_ms = Some(ms / 4.0);
        row
    };
    let thirty = "Annual plans are refundable within 30 days of purchase [c2].";
    let fourteen = "Annual plans are refundable within 14 days [c2].";
    let mut rows: Vec<_> = (0..6)
        .map(|i| timed(8, i, Some(thirty), 380.0 + 10.0 * f64::from(i)))
        .collect();
    rows.extend((6..9).map(|i| timed(8, i, Some(fourteen), 450.0 + 5.0 * f64::from(i))));
    rows.push(timed(8, 9, None, 2400.0));
    a.on_event(Event::Samples {
        cell_id: 8,
        samples: rows,
    });
    a.take_effects();
    a
}

#[test]
fn distributions_show_the_modal_cluster_first_and_the_latency_tail() {
    let mut a = distributions_app();
    a.on_key(&key('d'));
    assert!(a.run.distributions);
    // The other cell of the variant is asked for, so the histogram covers the variant.
    assert_eq!(requests(&mut a), [Request::LoadSamples { cell_id: 9 }]);
    a.on_event(Event::Samples {
        cell_id: 9,
        samples: (0..4)
            .map(|i| {
                let mut row = sample(9, i, Some("Yes."), None);
                row.sample.latency_ms = Some(400.0);
                row
            })
            .collect(),
    });
    for (w, h) in SIZES {
        let t = render(&mut a, w, h);
        let screen = format!("{}", t.backend());
        assert!(
            screen.contains("clusters: 2 distinct of 9 ok, 1 failed"),
            "{screen}"
        );
        let buf = t.backend().buffer();
        let (x, modal) = find(buf, "◆ …30 days of").unwrap();
        assert!(row_from(buf, x, modal).contains("6  67%"), "{screen}");
        let (_, second) = find(buf, "  …14 days [c2]").unwrap();
        assert_eq!(second, modal + 1, "the modal answer first: {screen}");
        assert!(
            bar_columns(buf, x, modal).len() > bar_columns(buf, x, second).len(),
            "{screen}"
        );
        // Fourteen samples of the variant, the straggler is the p95.
        assert!(screen.contains("p95 2400ms"), "{screen}");
        assert!(screen.contains("14 samples"), "{screen}");
        // Time to first token below, where the pane has the rows (the mock streamed).
        if h == 48 {
            assert!(screen.contains("ttft (streamed): p50"), "{screen}");
        }
    }
    snapshot("charts_distributions", a);
}

/// Issue 24: `t` in the Prompts view shows the trends of the prompt's newest variant across
/// its versions, read by the real worker from a real store.
#[test]
fn trends_across_versions_come_from_the_worker() {
    use temper::store::{NewCell, NewSample, SampleStatus};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    {
        let mut store = temper::store::Store::open(&db).unwrap();
        for (text, answers, ms) in [
            ("one", ["30 days", "14 days", "30 days", "a month"], 900.0),
            ("two", ["30 days", "30 days", "30 days", "14 days"], 600.0),
            ("three", ["30 days"; 4], 350.0),
        ] {
            let v = store
                .save_version("support-answer", &body(text), "")
                .unwrap()
                .version
                .id;
            let run = store.create_run("cli", None).unwrap();
            let cell = NewCell {
                prompt_version_id: v,
                variant_name: "openai:gpt-4o-mini".into(),
                variant_json: "{}".into(),
                case_name: String::new(),
                case_json: "{}".into(),
                n: 4,
            };
            let id = store.add_cell(run, &cell).unwrap();
            let samples: Vec<NewSample> = answers
                .iter()
                .enumerate()
                .map(|(i, a)| NewSample {
                    cell_id: id,
                    idx: i as u32,
                    status: Some(SampleStatus::Ok),
                    output: Some(a.to_string()),
                    latency_ms: Some(ms + i as f64),
                    cost_usd: Some(0.0004),
                    attempts: 1,
                    ..Default::default()
                })
                .collect();
            store.insert_samples(&samples).unwrap();
        }
    }
    let mut worker = worker(&db);
    let mut a = loaded_app();
    a.on_key(&key('t'));
    let asked = requests(&mut a);
    assert_eq!(
        asked,
        [Request::LoadTrends {
            prompt: "support-answer".into()
        }]
    );
    let event = worker.handle(asked[0].clone());
    a.on_event(event);
    for (w, h) in SIZES {
        let t = render(&mut a, w, h);
        let screen = format!("{}", t.backend());
        assert!(
            screen.contains("openai:gpt-4o-mini across 3 versions"),
            "{screen}"
        );
        assert!(screen.contains("50% → 100%"), "{screen}");
        assert!(screen.contains("903ms → 353ms"), "{screen}");
    }
    snapshot("charts_trends", a);
}

#[test]
fn distributions_read_without_colour() {
    let (mono, _) = temper::tui::theme::Theme::load(Some("mono"));
    let mut a = distributions_app();
    a.theme = mono;
    a.on_key(&key('d'));
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    assert!(colourless(buf));
    let screen = format!("{}", t.backend());
    // The modal mark, the bars, the counts and the p50/p95 marks are characters.
    let (x, y) = find(buf, "◆ …30 days").unwrap();
    assert!(bar_columns(buf, x, y).len() > 10, "{screen}");
    assert!(
        screen.contains("6  67%") && screen.contains(" 5 "),
        "{screen}"
    );
}
