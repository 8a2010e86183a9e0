//! Keys to actions: built-in defaults, with `[ui.keys]` overrides from the config file.
//!
//! A binding is global or belongs to one view; a view's bindings win over global ones. An
//! override (`edit = "ctrl-e"`, or several keys separated by commas) replaces every default key
//! of that action. Bad overrides are reported, never fatal.

use super::action::{Action, Tab};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// A key with its modifiers, normalised so `G` and `shift-g` are the same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Normalise a terminal key event (shift is folded into the character's case).
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parse `ctrl-q`, `G`, `esc`, `shift-tab`, `pagedown`, `f1`, `space`…
    pub fn parse(text: &str) -> Result<Key, String> {
        let text = text.trim();
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse::<u8>().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if mods.contains(KeyModifiers::SHIFT) => {
                        KeyCode::Char(c.to_ascii_uppercase())
                    }
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key {text:?} (try ctrl-q, G, esc, f1)")),
                }
            }
        };
        let ev = KeyEvent::new(code, mods);
        Ok(Key::from_event(&ev))
    }

    /// How the key is shown in help and hints.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("shift-");
        }
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::Backspace => "backspace".into(),
            KeyCode::Delete => "del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::F(n) => format!("f{n}"),
            other => format!("{other:?}").to_lowercase(),
        };
        out.push_str(&name);
        out
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    View(Tab),
}

/// One key bound to one action in one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub scope: Scope,
}

/// The default bindings: (keys, action, scope).
const DEFAULTS: &[(&str, Action, Scope)] = {
    use Action as A;
    use Scope::{Global as G, View as V};
    &[
        ("q,ctrl-c", A::Quit, G),
        ("?,f1", A::Help, G),
        ("esc", A::Back, G),
        ("1", A::ShowTab(Tab::Prompts), G),
        ("2", A::ShowTab(Tab::Run), G),
        ("3", A::ShowTab(Tab::Diff), G),
        ("4", A::ShowTab(Tab::Trace), G),
        ("5", A::ShowTab(Tab::Cost), G),
        ("]", A::NextTab, G),
        ("[", A::PrevTab, G),
        ("tab,l,right", A::FocusNext, G),
        ("shift-tab,h,left", A::FocusPrev, G),
        ("k,up", A::Up, G),
        ("j,down", A::Down, G),
        ("pageup,ctrl-u", A::PageUp, G),
        ("pagedown,ctrl-d", A::PageDown, G),
        ("g,home", A::Top, G),
        ("G,end", A::Bottom, G),
        ("y", A::Copy, G),
        ("ctrl-r", A::Refresh, G),
        ("/", A::Filter, V(Tab::Prompts)),
        ("e,enter", A::Edit, V(Tab::Prompts)),
        ("E", A::ExternalEdit, V(Tab::Prompts)),
        ("L", A::Label, V(Tab::Prompts)),
        ("d", A::DiffParent, V(Tab::Prompts)),
        ("D", A::DiffWith, V(Tab::Prompts)),
        ("O", A::CompareOutputs, V(Tab::Prompts)),
        ("t", A::Trends, V(Tab::Prompts)),
        ("r,enter", A::Start, V(Tab::Run)),
        ("c", A::Cancel, V(Tab::Run)),
        ("v", A::Variants, V(Tab::Run)),
        ("+,=", A::More, V(Tab::Run)),
        ("-", A::Less, V(Tab::Run)),
        ("o", A::Open, V(Tab::Run)),
        ("S", A::SaveSession, V(Tab::Run)),
        ("n", A::NextChange, V(Tab::Diff)),
        ("N", A::PrevChange, V(Tab::Diff)),
        ("c", A::NextCell, V(Tab::Diff)),
        ("C", A::PrevCell, V(Tab::Diff)),
        ("e", A::Explain, V(Tab::Diff)),
        ("o", A::Open, V(Tab::Trace)),
        ("t", A::NextTrace, V(Tab::Trace)),
        ("T", A::PrevTrace, V(Tab::Trace)),
        ("w", A::Waterfall, V(Tab::Trace)),
        ("z", A::Zoom, V(Tab::Trace)),
        ("R", A::Replay, V(Tab::Trace)),
        ("x", A::ProbeChunk, V(Tab::Trace)),
        ("m", A::Confidence, V(Tab::Diff)),
        ("m", A::Confidence, V(Tab::Run)),
        ("d", A::Distributions, V(Tab::Run)),
        ("+,=", A::More, V(Tab::Cost)),
        ("c", A::SetVolume, V(Tab::Cost)),
        ("v", A::Variants, V(Tab::Cost)),
        ("-", A::Less, V(Tab::Cost)),
    ]
};

/// The active key bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&BTreeMap::new()).0
    }
}

impl Keymap {
    /// Defaults with `overrides` (`[ui.keys]`) applied, and a warning for each bad override.
    pub fn new(overrides: &BTreeMap<String, String>) -> (Keymap, Vec<String>) {
        let mut bindings = Vec::new();
        let mut warnings = Vec::new();
        for (keys, action, scope) in DEFAULTS {
            let keys = match overrides.get(action.name()) {
                Some(custom) => custom.as_str(),
                None => keys,
            };
            for text in keys.split(',').filter(|k| !k.trim().is_empty()) {
                match Key::parse(text) {
                    Ok(key) => bindings.push(Binding {
                        key,
                        action: *action,
                        scope: *scope,
                    }),
                    Err(e) => warnings.push(format!("[ui.keys] {}: {e}", action.name())),
                }
            }
        }
        for name in overrides.keys() {
            if Action::from_name(name).is_none() {
                warnings.push(format!("[ui.keys] unknown action {name:?}"));
            }
        }
        (Keymap { bindings }, warnings)
    }

    /// The action `ev` asks for in `tab`, if any (view bindings before global ones).
    pub fn action(&self, tab: Tab, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        let find = |scope: Scope| {
            self.bindings
                .iter()
                .find(|b| b.scope == scope && b.key == key)
                .map(|b| b.action)
        };
        find(Scope::View(tab)).or_else(|| find(Scope::Global))
    }

    /// Key labels bound to `action` in `tab` (or globally), joined for display.
    pub fn keys_for(&self, tab: Tab, action: Action) -> String {
        let labels: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| {
                b.action == action && (b.scope == Scope::View(tab) || b.scope == Scope::Global)
            })
            .map(|b| b.key.label())
            .collect();
        labels.join(" ")
    }

    /// Every (keys, action) reachable in `tab`, view bindings first, for the help overlay.
    pub fn help(&self, tab: Tab) -> Vec<(String, Action)> {
        let mut out: Vec<(String, Action)> = Vec::new();
        for scope in [Scope::View(tab), Scope::Global] {
            for action in Action::ALL {
                let shadowed = out.iter().any(|(_, a)| *a == action);
                let in_scope = self
                    .bindings
                    .iter()
                    .any(|b| b.scope == scope && b.action == action);
                if in_scope && !shadowed {
                    out.push((self.keys_for(tab, action), action));
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
