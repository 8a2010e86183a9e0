//! Where a TOML parse error points: every TOML file temper reads (prompts, sessions, the config,
//! price files and tables, themes) names the line and column of bad input the same way.
//!
//! A leaf: it imports nothing from the crate, so any layer may use it (see
//! docs/architecture.md).

/// The 1-based line and column `e` points at in `text` (1:1 when it names no place), for
/// `path:line:column: message` errors.
pub fn position(text: &str, e: &toml::de::Error) -> (usize, usize) {
    e.span().map_or((1, 1), |span| line_col(text, span.start))
}

/// `line:column: message`, for errors whose caller adds the file's name.
pub fn located(text: &str, e: &toml::de::Error) -> String {
    let (line, column) = position(text, e);
    format!("{line}:{column}: {}", e.message())
}

/// 1-based line and column of a byte offset (clamped to the text) in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
#[path = "toml_error_tests.rs"]
mod tests;
