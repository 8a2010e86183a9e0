//! The tab bar's geometry: where each tab title sits, shared by [`super::ui`] (drawing) and
//! [`super::app`] (mouse clicks). A leaf: it knows only [`Tab`].

use super::action::Tab;

/// The brand at the left of the tab bar.
pub const BRAND: &str = " temper ";

/// The title of the `i`-th tab as the bar shows it (` 1 Prompts `).
pub fn title(i: usize, tab: Tab) -> String {
    format!(" {} {} ", i + 1, tab.title())
}

/// Column ranges of the tab titles in the tab bar (shared by drawing and mouse clicks).
fn tab_ranges() -> Vec<(Tab, u16, u16)> {
    let mut x = BRAND.len() as u16 + 1;
    Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, tab)| {
            let width = title(i, *tab).len() as u16;
            let range = (*tab, x, x + width);
            x += width + 1;
            range
        })
        .collect()
}

/// The tab whose title is at column `x` of the tab bar.
pub fn tab_at(x: u16) -> Option<Tab> {
    tab_ranges()
        .into_iter()
        .find(|(_, start, end)| (*start..*end).contains(&x))
        .map(|(tab, _, _)| tab)
}

#[cfg(test)]
#[path = "tabs_tests.rs"]
mod tests;
