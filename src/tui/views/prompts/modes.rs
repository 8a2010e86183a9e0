//! The modes of the Prompts view beyond browsing: the in-place editor, the save-message and
//! label inputs, picking a version to diff against, and the side-by-side diff itself.

use super::PromptsView;
use crate::prompt::{PromptBody, PromptFile};
use crate::tui::action::Action;
use crate::tui::event::{Request, VersionDiff};
use crate::tui::views::widgets::{InputOutcome, LineInput};
use crate::tui::views::{Effect, Level};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

/// What the Prompts view is doing.
#[derive(Default)]
pub enum Mode {
    #[default]
    Browse,
    /// Editing a version's TOML in place; saving asks for a message.
    Edit {
        editor: Box<TextArea<'static>>,
        original: String,
        confirm_discard: bool,
    },
    /// Asking for the version message of a parsed edit.
    Message {
        body: Box<PromptBody>,
        name: String,
        input: LineInput,
    },
    /// Asking which label to point at `name@number`.
    Label {
        name: String,
        number: u32,
        input: LineInput,
    },
    /// Asking which version to diff `name@number` against.
    PickDiff {
        name: String,
        number: u32,
        input: LineInput,
    },
    /// A side-by-side word diff of two versions.
    Diff { diff: VersionDiff, scroll: u16 },
}

impl Mode {
    /// The status-bar hint while this mode captures keys.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Mode::Browse => None,
            Mode::Edit { .. } => Some("ctrl-s save as a new version · esc discard"),
            Mode::Message { .. } => Some("version message · enter save · esc back to the editor"),
            Mode::Label { .. } => Some("label name (e.g. prod) · enter set · esc cancel"),
            Mode::PickDiff { .. } => Some("version number to diff against · enter · esc cancel"),
            Mode::Diff { .. } => {
                Some("j/k scroll · y copy · O compare their outputs · esc close the diff")
            }
        }
    }
}

fn editor_for(text: &str) -> Box<TextArea<'static>> {
    let mut editor = TextArea::new(text.lines().map(str::to_string).collect());
    editor.set_tab_length(2);
    Box::new(editor)
}

fn status(level: Level, text: impl Into<String>) -> Vec<Effect> {
    vec![Effect::Status(
        level,
        crate::sanitize::one_line(&text.into()),
    )]
}

impl PromptsView {
    /// The selected version as prompt-file TOML, the text the editors work on.
    fn selected_toml(&self) -> Option<String> {
        let v = self.selected_body()?;
        Some(
            PromptFile {
                name: v.info.prompt.clone(),
                message: None,
                labels: Vec::new(),
                body: v.body.clone(),
            }
            .to_toml(),
        )
    }

    /// Enter the mode an action asks for, if a version is there to act on.
    pub(super) fn start_mode(&mut self, action: Action) -> Vec<Effect> {
        let Some(v) = self.selected_version().cloned() else {
            return status(Level::Warn, "no version selected yet");
        };
        match action {
            Action::Edit | Action::ExternalEdit => {
                let Some(text) = self.selected_toml() else {
                    return status(Level::Warn, "the version is still loading");
                };
                if action == Action::ExternalEdit {
                    return vec![Effect::ExternalEdit { text }];
                }
                self.mode = Mode::Edit {
                    editor: editor_for(&text),
                    original: text,
                    confirm_discard: false,
                };
                Vec::new()
            }
            Action::Label => {
                self.mode = Mode::Label {
                    name: v.prompt,
                    number: v.number,
                    input: LineInput::default(),
                };
                Vec::new()
            }
            Action::DiffParent => match v.parent {
                Some(parent) => vec![Effect::Request(Request::Diff {
                    name: v.prompt,
                    old: parent,
                    new: v.number,
                })],
                None => status(
                    Level::Warn,
                    format!(
                        "{}@{} is the first version: no parent to diff",
                        v.prompt, v.number
                    ),
                ),
            },
            Action::CompareOutputs => {
                // The versions of the diff on screen, else the selected one and its parent.
                let (name, old, new) = match &self.mode {
                    Mode::Diff { diff, .. } => (diff.name.clone(), diff.old, diff.new),
                    _ => match v.parent {
                        Some(parent) => (v.prompt.clone(), parent, v.number),
                        None => {
                            return status(
                                Level::Warn,
                                format!(
                                    "{}@{} is the first version: D picks a version to diff, then O compares their outputs",
                                    v.prompt, v.number
                                ),
                            );
                        }
                    },
                };
                let mut effects = status(
                    Level::Info,
                    format!("loading the outputs of {name}@{old} and @{new}…"),
                );
                effects.push(Effect::Request(Request::CompareOutputs { name, old, new }));
                effects
            }
            Action::DiffWith => {
                self.mode = Mode::PickDiff {
                    name: v.prompt,
                    number: v.number,
                    input: LineInput::default(),
                };
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Keys for the editor and the inputs; `None` when browsing or in a diff (actions apply).
    pub(super) fn capture_mode_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let mode = std::mem::take(&mut self.mode);
        let (mode, effects) = match mode {
            Mode::Browse | Mode::Diff { .. } => {
                self.mode = mode;
                return None;
            }
            Mode::Edit {
                editor,
                original,
                confirm_discard,
            } => edit_key(editor, original, confirm_discard, key),
            Mode::Message {
                body,
                name,
                mut input,
            } => match input.key(key) {
                InputOutcome::Submit => {
                    let message = match input.value.trim() {
                        "" => "edited in the TUI".to_string(),
                        m => m.to_string(),
                    };
                    let save = Request::Save {
                        name,
                        body,
                        message,
                    };
                    (Mode::Browse, vec![Effect::Request(save)])
                }
                InputOutcome::Cancel => {
                    let text = PromptFile {
                        name,
                        message: None,
                        labels: Vec::new(),
                        body: *body,
                    }
                    .to_toml();
                    let editor = editor_for(&text);
                    let mode = Mode::Edit {
                        editor,
                        original: String::new(),
                        confirm_discard: false,
                    };
                    (mode, Vec::new())
                }
                _ => (Mode::Message { body, name, input }, Vec::new()),
            },
            Mode::Label {
                name,
                number,
                mut input,
            } => match input.key(key) {
                InputOutcome::Submit if !input.value.trim().is_empty() => {
                    let label = input.value.trim().to_string();
                    let set = Request::SetLabel {
                        name,
                        label,
                        number,
                    };
                    (Mode::Browse, vec![Effect::Request(set)])
                }
                InputOutcome::Cancel => (Mode::Browse, Vec::new()),
                _ => (
                    Mode::Label {
                        name,
                        number,
                        input,
                    },
                    Vec::new(),
                ),
            },
            Mode::PickDiff {
                name,
                number,
                mut input,
            } => match input.key(key) {
                InputOutcome::Submit => match input.value.trim().trim_start_matches('@').parse() {
                    Ok(old) => {
                        let diff = Request::Diff {
                            name,
                            old,
                            new: number,
                        };
                        (Mode::Browse, vec![Effect::Request(diff)])
                    }
                    Err(_) => (
                        Mode::PickDiff {
                            name,
                            number,
                            input,
                        },
                        status(Level::Error, "type a version number, e.g. 2"),
                    ),
                },
                InputOutcome::Cancel => (Mode::Browse, Vec::new()),
                _ => (
                    Mode::PickDiff {
                        name,
                        number,
                        input,
                    },
                    Vec::new(),
                ),
            },
        };
        self.mode = mode;
        Some(effects)
    }

    /// Actions while a diff is open: scrolling and closing.
    pub(super) fn mode_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let Mode::Diff { scroll, .. } = &mut self.mode else {
            return None;
        };
        let by = |s: &mut u16, d: i32| *s = (*s as i32 + d).clamp(0, u16::MAX as i32) as u16;
        match action {
            Action::Up => by(scroll, -1),
            Action::Down => by(scroll, 1),
            Action::PageUp => by(scroll, -10),
            Action::PageDown => by(scroll, 10),
            Action::Top => *scroll = 0,
            Action::Back => self.mode = Mode::Browse,
            _ => return None,
        }
        Some(Vec::new())
    }

    /// `$EDITOR` came back: review its text in the in-place editor, which saves it.
    pub(super) fn external_edit_done(&mut self, result: Result<String, String>) -> Vec<Effect> {
        match result {
            Ok(text) => {
                let original = self.selected_toml().unwrap_or_default();
                if text.trim_end() == original.trim_end() {
                    return status(Level::Info, "no change in $EDITOR");
                }
                self.mode = Mode::Edit {
                    editor: editor_for(&text),
                    original,
                    confirm_discard: false,
                };
                status(
                    Level::Info,
                    "edited in $EDITOR: ctrl-s saves it as a new version",
                )
            }
            Err(e) => status(Level::Error, e),
        }
    }
}

fn edit_key(
    mut editor: Box<TextArea<'static>>,
    original: String,
    confirm_discard: bool,
    key: &KeyEvent,
) -> (Mode, Vec<Effect>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('s') if ctrl => {
            let text = editor.lines().join("\n");
            match PromptFile::parse(&text, "editor") {
                Ok(file) => {
                    let input = LineInput::new(file.message.unwrap_or_default());
                    let mode = Mode::Message {
                        body: Box::new(file.body),
                        name: file.name,
                        input,
                    };
                    (mode, Vec::new())
                }
                Err(e) => {
                    let mode = Mode::Edit {
                        editor,
                        original,
                        confirm_discard: false,
                    };
                    (mode, status(Level::Error, e.to_string()))
                }
            }
        }
        KeyCode::Esc => {
            let changed = editor.lines().join("\n").trim_end() != original.trim_end();
            if changed && !confirm_discard {
                let mode = Mode::Edit {
                    editor,
                    original,
                    confirm_discard: true,
                };
                let warn = "unsaved changes: esc again discards them, ctrl-s saves";
                (mode, status(Level::Warn, warn))
            } else {
                (Mode::Browse, Vec::new())
            }
        }
        _ => {
            editor.input(*key);
            let mode = Mode::Edit {
                editor,
                original,
                confirm_discard: false,
            };
            (mode, Vec::new())
        }
    }
}
