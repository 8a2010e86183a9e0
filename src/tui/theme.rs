//! Colour themes: semantic meanings (added, removed, flag, muted, accent…) mapped to colours.
//!
//! The three built-in themes are embedded so they work from any directory. A theme file may set
//! only some colours; the rest come from the default (dark). A theme that cannot be read or
//! parsed never stops the TUI: the default is used and the reason is shown in the status bar.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Name and TOML text of every built-in theme; the first is the default.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// The colours the UI draws with, by meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Name of the syntect theme used to highlight JSON / Markdown outputs.
    pub syntect: String,
    pub text: Color,
    pub muted: Color,
    pub accent: Color,
    pub accent_text: Color,
    pub border: Color,
    pub border_focus: Color,
    pub selection_bg: Color,
    pub added: Color,
    pub removed: Color,
    pub flag: Color,
    pub error: Color,
    pub ok: Color,
    pub warning: Color,
    pub label: Color,
    pub role_system: Color,
    pub role_user: Color,
    pub role_assistant: Color,
    pub role_tool: Color,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    syntect: Option<String>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

impl Default for Theme {
    fn default() -> Self {
        let mut theme = Theme {
            name: "dark".into(),
            syntect: "base16-ocean.dark".into(),
            text: Color::Reset,
            muted: Color::DarkGray,
            accent: Color::Cyan,
            accent_text: Color::Black,
            border: Color::DarkGray,
            border_focus: Color::Cyan,
            selection_bg: Color::DarkGray,
            added: Color::Green,
            removed: Color::Red,
            flag: Color::Yellow,
            error: Color::Red,
            ok: Color::Green,
            warning: Color::Yellow,
            label: Color::Magenta,
            role_system: Color::Magenta,
            role_user: Color::Cyan,
            role_assistant: Color::Green,
            role_tool: Color::Yellow,
        };
        // The embedded dark theme is checked by a unit test, so this cannot fail in a release.
        if let Some((_, text)) = BUILTIN.first() {
            let _ = theme.apply(text);
        }
        theme
    }
}

impl Theme {
    /// Load `spec` (a built-in name or a path to a theme file). On failure, the default theme and
    /// a warning to show the user.
    pub fn load(spec: Option<&str>) -> (Theme, Option<String>) {
        let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
            return (Theme::default(), None);
        };
        let text = match BUILTIN.iter().find(|(name, _)| *name == spec) {
            Some((_, text)) => Ok((*text).to_string()),
            None => crate::fsio::read_text(std::path::Path::new(spec)).map_err(|e| {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => "no such theme".to_string(),
                    _ => e.to_string(),
                };
                format!("theme {spec:?}: {why} (built-ins: {})", names.join(", "))
            }),
        };
        let mut theme = Theme::default();
        match text.and_then(|t| theme.apply(&t).map_err(|e| format!("theme {spec:?}: {e}"))) {
            Ok(()) => (theme, None),
            Err(why) => (
                Theme::default(),
                Some(format!("using the dark theme: {why}")),
            ),
        }
    }

    /// Lay the colours of theme TOML `text` over `self`.
    fn apply(&mut self, text: &str) -> Result<(), String> {
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| crate::toml_error::located(text, &e))?;
        if let Some(name) = file.name {
            self.name = name;
        }
        if let Some(s) = file.syntect {
            self.syntect = s;
        }
        for (key, value) in &file.colors {
            let color = Color::from_str(value)
                .map_err(|_| format!("colors.{key} = {value:?} is not a colour"))?;
            *self
                .slot(key)
                .ok_or_else(|| format!("unknown colour key colors.{key}"))? = color;
        }
        Ok(())
    }

    fn slot(&mut self, key: &str) -> Option<&mut Color> {
        Some(match key {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "accent_text" => &mut self.accent_text,
            "border" => &mut self.border,
            "border_focus" => &mut self.border_focus,
            "selection_bg" => &mut self.selection_bg,
            "added" => &mut self.added,
            "removed" => &mut self.removed,
            "flag" => &mut self.flag,
            "error" => &mut self.error,
            "ok" => &mut self.ok,
            "warning" => &mut self.warning,
            "label" => &mut self.label,
            "role_system" => &mut self.role_system,
            "role_user" => &mut self.role_user,
            "role_assistant" => &mut self.role_assistant,
            "role_tool" => &mut self.role_tool,
            _ => return None,
        })
    }

    /// Plain text.
    pub fn text(&self) -> Style {
        Style::default().fg(self.text)
    }

    /// Secondary text: hints, timestamps, empty states.
    pub fn muted(&self) -> Style {
        Style::default().fg(self.muted)
    }

    /// Foreground of one meaning.
    pub fn fg(&self, color: Color) -> Style {
        Style::default().fg(color)
    }

    /// The highlighted row of a list (bold so it survives monochrome terminals; reversed
    /// when the theme has no selection colour, as `mono` does).
    pub fn selected(&self, focused: bool) -> Style {
        let mut style = Style::default()
            .bg(self.selection_bg)
            .add_modifier(Modifier::BOLD);
        if self.selection_bg == Color::Reset {
            style = style.add_modifier(Modifier::REVERSED);
        }
        if focused {
            style.fg(self.accent)
        } else {
            style
        }
    }

    /// A pane border, brighter when the pane has focus.
    pub fn border(&self, focused: bool) -> Style {
        Style::default().fg(if focused {
            self.border_focus
        } else {
            self.border
        })
    }

    /// The colour of a chat role.
    pub fn role(&self, role: crate::prompt::Role) -> Style {
        use crate::prompt::Role;
        let c = match role {
            Role::System => self.role_system,
            Role::User => self.role_user,
            Role::Assistant => self.role_assistant,
            Role::Tool => self.role_tool,
        };
        Style::default().fg(c).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
