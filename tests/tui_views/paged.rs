//! The Diff view on a large cell (more than `worker_cells::PAGED_ABOVE` samples), through a real
//! worker on a real SQLite file: clusters come from the stored groups, only A and B are held,
//! and `j`/`k` ask the worker for one sample by index.

use super::*;
use std::sync::mpsc;
use temper::tui::views::View;
use temper::tui::views::diff::cells::DiffCell;
use temper::tui::worker_cells::PAGED_ABOVE;

/// Serve `requests` on a worker over `db`; the events after its startup prompt list.
fn serve(db: &std::path::Path, requests: Vec<Request>) -> Vec<Event> {
    let (tx, rx) = mpsc::channel();
    for r in requests {
        tx.send(r).unwrap();
    }
    drop(tx);
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    worker(db).serve(rx, &etx);
    let mut events = Vec::new();
    while let Ok(e) = erx.try_recv() {
        events.push(e);
    }
    events.split_off(1)
}

fn screen(a: &mut App) -> String {
    let terminal = render(a, 160, 48);
    let buffer = terminal.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// A store at `db` with one run of one cell of `n` samples (three answers, one of them in
/// several variants after sample 5000); the cell's id.
fn big_store(db: &std::path::Path, n: u32) -> i64 {
    let answer = |i: u32| match i % 10 {
        3 => "Refunds take 14 days.".to_string(),
        7 if i > 5000 => format!("Refunds take {} days.", i % 4),
        _ => "Refunds take 30 days.".to_string(),
    };
    let mut store = temper::store::Store::open(db).unwrap();
    temper::store::seed_examples(&mut store).unwrap();
    let samples = (0..n).map(|i| stored::ok_sample(i, &answer(i))).collect();
    let variant = ("mock:echo", r#"{"model":"mock:echo"}"#);
    stored::stored_run(&mut store, "support-answer", variant, "", samples).1
}

#[test]
fn a_large_cell_is_compared_from_groups_and_single_samples() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let n = PAGED_ABOVE + 7;
    let cell_id = big_store(&db, n);
    let store = temper::store::Store::open(&db).unwrap();
    let info = store.cells(1).unwrap().remove(0);
    assert_eq!((info.id, info.cell.n), (cell_id, n));
    let rows = store.samples(cell_id).unwrap();
    let observed = temper::analysis::cell::observed(&rows);
    let want = temper::analysis::analyze(&observed, temper::analysis::Options::default());

    let mut a = app();
    a.dispatch(Action::ShowTab(Tab::Diff));
    let asked = a.diff.set_run(vec![DiffCell::of(&info)], Vec::new(), None);
    let asked: Vec<Request> = asked
        .into_iter()
        .filter_map(|e| match e {
            Effect::Request(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(asked, [Request::LoadCellGroups { cell_id }]);
    let events = serve(&db, asked);
    let [Event::CellGroups { grouped, .. }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(grouped.samples, u64::from(n));
    // Clusters from groups = clusters of every sample, listing only each one's first member
    // (the members are never read: the view shows sizes).
    let mut listed = want.clone();
    for c in &mut listed.clusters {
        c.members.truncate(1);
    }
    assert_eq!(grouped.analysis, listed);
    assert!(want.clusters.iter().any(|c| c.size() > 1));
    assert_eq!(grouped.pair.len(), 2, "only A and B are read whole");
    for e in &events {
        a.diff.on_event(e);
    }
    assert_eq!(a.diff.analysis.as_ref(), Some(&listed));
    let d = want.divergence.as_ref().unwrap();
    let text = screen(&mut a);
    assert!(text.contains(&format!("{} samples", n)), "{text}");
    assert!(text.contains(&format!("A #{}", d.modal_sample)), "{text}");
    assert!(text.contains(&format!("B #{}", d.other_sample)), "{text}");
    assert!(temper::analysis::worddiff::has_changes(a.diff.spans()));

    // B (focused first) moves one sample down: the worker is asked for that one sample, and
    // it is shown.
    assert_eq!(a.diff.side, temper::tui::text::Side::New);
    a.on_key(&key('j'));
    let next = d.other_sample + 1;
    let asked = requests(&mut a);
    assert_eq!(asked, [Request::LoadSample { cell_id, idx: next }]);
    for e in serve(&db, asked) {
        a.diff.on_event(&e);
    }
    let text = screen(&mut a);
    assert!(text.contains(&format!("B #{next}")), "{text}");
    assert!(!a.diff.spans().is_empty());
    // A (sample 0, the modal answer) cannot go above the first sample: nothing is asked.
    assert_eq!(d.modal_sample, 0);
    a.on_key(&code(KeyCode::BackTab));
    a.on_key(&key('k'));
    assert_eq!(requests(&mut a), []);
    a.on_key(&key('j'));
    a.on_key(&key('k'));
    let asked = requests(&mut a);
    let one = |idx| Request::LoadSample { cell_id, idx };
    assert_eq!(asked, [one(1), one(0)]);
}

/// Hand the app's requests to a worker over `db` and the answers back, until it asks for
/// nothing more; every request asked.
fn pump(a: &mut App, db: &std::path::Path) -> Vec<Request> {
    let mut asked = Vec::new();
    loop {
        let now = requests(a);
        if now.is_empty() {
            return asked;
        }
        for e in serve(db, now.clone()) {
            a.on_event(e);
        }
        asked.extend(now);
    }
}

#[test]
fn the_run_view_lists_a_large_cell_a_page_at_a_time() {
    use temper::tui::worker_cells::PAGE_ROWS;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let n = PAGED_ABOVE + 7;
    let cell_id = big_store(&db, n);
    let mut a = app();
    a.dispatch(Action::ShowTab(Tab::Run));
    let asked = pump(&mut a, &db);
    assert!(
        asked.contains(&Request::LoadSamplePage {
            cell_id,
            offset: 0,
            errors: true
        }),
        "{asked:?}"
    );
    assert!(
        !asked
            .iter()
            .any(|r| matches!(r, Request::LoadSamples { .. })),
        "the cell's samples are never read whole: {asked:?}"
    );
    let text = screen(&mut a);
    assert!(
        text.contains(&format!("{n}/{n}")),
        "counts from the store: {text}"
    );
    assert!(text.contains("#0  ✓"), "{text}");

    // To the last sample: the page around it is asked for and shown.
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::FocusNext);
    a.dispatch(Action::Bottom);
    let offset = n - 1 - PAGE_ROWS / 4;
    // Scrolling asks for rows and the total only, not the count of failed samples.
    let page = Request::LoadSamplePage {
        cell_id,
        offset,
        errors: false,
    };
    assert_eq!(requests(&mut a), std::slice::from_ref(&page));
    let text = screen(&mut a);
    assert!(
        text.contains(&format!("#{}…", n - 1)),
        "rows not held yet: {text}"
    );
    for e in serve(&db, vec![page]) {
        a.on_event(e);
    }
    let last = a.run.selected_sample().map(|s| s.sample.idx);
    assert_eq!(last, Some(n - 1));
    let text = screen(&mut a);
    assert!(text.contains(&format!("#{}✓", n - 1)), "{text}");
    // Up within the page: nothing is asked.
    a.dispatch(Action::PageUp);
    assert_eq!(requests(&mut a), []);
    assert_eq!(a.run.selected_sample().map(|s| s.sample.idx), Some(n - 11));

    // `d` does not read the cell whole: it says where its distributions are.
    a.dispatch(Action::Distributions);
    assert_eq!(requests(&mut a), []);
    let text = screen(&mut a);
    assert!(
        text.contains(&format!("This cell has {n} samples")),
        "{text}"
    );
}
