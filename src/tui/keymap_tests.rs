//! Unit tests of `keymap.rs` (kept beside it so the module reads without them).

use super::*;

fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn defaults_and_view_precedence() {
    let km = Keymap::default();
    let enter = key(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(km.action(Tab::Prompts, &enter), Some(Action::Edit));
    assert_eq!(km.action(Tab::Run, &enter), Some(Action::Start));
    let shift_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(km.action(Tab::Prompts, &shift_g), Some(Action::Bottom));
    let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(km.action(Tab::Run, &ctrl_c), Some(Action::Quit));
    let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
    assert_eq!(km.action(Tab::Run, &c), Some(Action::Cancel));
    assert_eq!(km.action(Tab::Prompts, &c), None);
}

#[test]
fn overrides_replace_defaults_and_bad_ones_warn() {
    let overrides = BTreeMap::from([
        ("quit".to_string(), "ctrl-q".to_string()),
        ("nope".to_string(), "x".to_string()),
        ("help".to_string(), "ctrl-".to_string()),
    ]);
    let (km, warnings) = Keymap::new(&overrides);
    let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
    let ctrl_q = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(km.action(Tab::Prompts, &q), None);
    assert_eq!(km.action(Tab::Prompts, &ctrl_q), Some(Action::Quit));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("nope")));
}

#[test]
fn parse_and_label() {
    assert_eq!(Key::parse("shift-tab").unwrap().label(), "shift-tab");
    assert_eq!(Key::parse("ctrl-R").unwrap().label(), "ctrl-r");
    assert_eq!(Key::parse("f5").unwrap().code, KeyCode::F(5));
    assert!(Key::parse("hello").is_err());
}

#[test]
fn help_lists_view_keys_first() {
    let help = Keymap::default().help(Tab::Prompts);
    assert_eq!(help[0].1, Action::Filter);
    assert!(
        help.iter()
            .any(|(k, a)| *a == Action::Quit && k.contains('q'))
    );
    assert!(!help.iter().any(|(_, a)| *a == Action::Start));
}
