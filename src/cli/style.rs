//! Terminal colour for CLI output: on for a terminal, off for pipes and when `NO_COLOR` is set.
//! Untrusted text is sanitised here, so every coloured print is safe by construction.

use crate::analysis::worddiff::{Span, SpanKind};
use std::io::IsTerminal;
use std::sync::OnceLock;

/// A meaning, not a colour: the palette is decided in one place.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Added,
    Removed,
    /// The changed words inside a changed line.
    AddedStrong,
    RemovedStrong,
    Muted,
    Strong,
    Good,
}

/// Whether stdout gets ANSI colours.
pub fn colour_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED
        .get_or_init(|| std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal())
}

/// `text` (sanitised) in the colour of `tone` when colour is on.
pub fn paint(tone: Tone, text: &str) -> String {
    let clean = crate::sanitize::for_display(text);
    if !colour_enabled() {
        return clean.into_owned();
    }
    let code = match tone {
        Tone::Added => "32",
        Tone::Removed => "31",
        Tone::AddedStrong => "1;30;42",
        Tone::RemovedStrong => "1;30;41",
        Tone::Muted => "2",
        Tone::Strong => "1",
        Tone::Good => "32;1",
    };
    format!("\x1b[{code}m{clean}\x1b[0m")
}

/// A word diff as one string: removed text red (`[-…-]` without colour), added green (`{+…+}`).
pub fn word_diff(spans: &[Span]) -> String {
    let plain = !colour_enabled();
    spans
        .iter()
        .map(|s| match s.kind {
            SpanKind::Same => crate::sanitize::for_display(&s.text).into_owned(),
            SpanKind::Removed if plain => format!("[-{}-]", paint(Tone::Removed, &s.text)),
            SpanKind::Added if plain => format!("{{+{}+}}", paint(Tone::Added, &s.text)),
            SpanKind::Removed => paint(Tone::Removed, &s.text),
            SpanKind::Added => paint(Tone::Added, &s.text),
        })
        .collect()
}
