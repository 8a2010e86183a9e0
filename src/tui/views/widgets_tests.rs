//! Unit tests of `widgets.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn window_follows_selection_both_ways() {
    let mut c = ListCursor::default();
    assert_eq!(c.window(100, 10), 0..10);
    c.select(15, 100);
    assert_eq!(c.window(100, 10), 6..16);
    c.move_by(-3, 100);
    assert_eq!(
        c.window(100, 10),
        6..16,
        "moving inside the window keeps it"
    );
    c.select(2, 100);
    assert_eq!(c.window(100, 10), 2..12);
    assert_eq!(c.window(5, 10), 0..5);
    assert!(!ListCursor::default().move_by(-10, 0));
}

#[test]
fn input_keys() {
    let mut i = LineInput::default();
    let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(i.key(&k(KeyCode::Char('a'))), InputOutcome::Changed);
    i.key(&k(KeyCode::Char('b')));
    i.key(&k(KeyCode::Backspace));
    assert_eq!(i.value, "a");
    assert_eq!(i.key(&k(KeyCode::Enter)), InputOutcome::Submit);
    assert_eq!(i.key(&k(KeyCode::Esc)), InputOutcome::Cancel);
}
