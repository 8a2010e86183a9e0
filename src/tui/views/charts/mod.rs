//! Pictures for the views (docs/tui.md, "Charts"): pure functions from data to lines or
//! widgets, so each is unit-tested apart from the view that shows it. The trace waterfall,
//! token confidence, distributions of a cell, trends across versions and cost bars. Every
//! picture carries its numbers as text too, so it reads at 80x24 and without colour.

pub mod bars;
pub mod confidence;
pub mod cost_split;
pub mod dist;
pub mod gauge;
pub mod trends;
pub mod waterfall;

use crate::tui::theme::Theme;

/// True when the theme draws without colour (the `mono` theme, `NO_COLOR`): pictures then mark
/// with characters and modifiers what colour would have shown.
pub fn mono(theme: &Theme) -> bool {
    theme.warning == theme.text && theme.accent == theme.text
}
