//! One sanitiser for every untrusted string (model outputs, trace fields, prompt text) before it
//! reaches a terminal. Stored data is never altered; only what is drawn or printed is neutralised.
//!
//! Removed: ANSI CSI sequences (`ESC [ … final`), OSC sequences (`ESC ] … BEL|ST`, e.g. OSC 52
//! clipboard writes and OSC 8 links), other two-byte escapes, C0 controls except `\n` and `\t`,
//! DEL and C1 controls. Made visible: bidi overrides and isolates (Trojan Source), shown as
//! `<U+202E>` so a reviewer sees that they were there.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';

/// True for the Unicode bidi controls that can reorder what a reader sees (CVE-2021-42574).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// True when `c` must never reach the terminal as is.
fn needs_work(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Neutralise `text` for display, keeping newlines and tabs.
///
/// Returns the input unchanged (borrowed) in the common case where there is nothing to do, so
/// the renderer pays nothing for clean text.
pub fn for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_work) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            // A C1 CSI (U+009B) or OSC (U+009D) introducer starts a sequence just like ESC [ / ESC ].
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\t' => out.push(c),
            c if is_bidi_control(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Neutralise and fold to one line: newlines and tabs become spaces (for list rows and tables).
pub fn one_line(text: &str) -> String {
    for_display(text)
        .chars()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Lossily decode bytes that may not be UTF-8, then neutralise them.
pub fn bytes_for_display(bytes: &[u8]) -> String {
    for_display(&String::from_utf8_lossy(bytes)).into_owned()
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_string(chars);
        }
        // Two-byte escapes (ESC c, ESC 7, ESC ( B …): drop the intermediate bytes and the final.
        Some(_) => {
            while let Some(&c) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&c) {
                    break;
                }
            }
        }
        None => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in `@`..=`~`.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

/// OSC / DCS / PM / APC: everything up to BEL, ST (`ESC \`) or C1 ST (U+009C).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | '\u{9c}' => break,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "sanitize_tests.rs"]
mod tests;
