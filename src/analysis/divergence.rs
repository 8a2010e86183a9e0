//! First divergence: where the earliest sample leaves the modal output, with both continuations.
//!
//! Offsets are measured in the comparison form of the mode (the raw text in `exact` mode, the
//! collapsed text in `whitespace` mode, canonical JSON in `json` mode), so a difference the mode
//! ignores is never reported as the divergence point.

use super::cluster::Cluster;
use serde::Serialize;

/// Characters of shared text shown before the divergence point.
const CONTEXT_CHARS: usize = 40;
/// Characters of each continuation shown after it.
const CONTINUATION_CHARS: usize = 60;

/// Counts tokens in a text. The hook through which the tokenizer (`crate::cost`) adds a token
/// offset to the divergence point without analysis depending on it.
pub trait TokenCount {
    /// Tokens in `text` for the model the samples came from.
    fn count_tokens(&self, text: &str) -> usize;
}

/// Where outputs first part ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// Characters (Unicode scalar values) of the modal output shared by every sample.
    pub char_offset: usize,
    /// The same point in bytes.
    pub byte_offset: usize,
    /// Tokens in the shared prefix (a token cut by the point counts), when a tokenizer was
    /// supplied through [`TokenCount`].
    pub token_offset: Option<usize>,
    /// Representative of the modal (largest) cluster.
    pub modal_sample: u32,
    /// Representative of the cluster that diverges earliest.
    pub other_sample: u32,
    /// How many samples differ from the modal output at all.
    pub samples_diverging: usize,
    /// Shared text before the word the point falls in, starting at a word boundary.
    pub context: String,
    /// What the modal output says from the start of that word (`30 days`, not `0 days`).
    pub modal_continuation: String,
    /// What the diverging sample says instead, from the same word start.
    pub other_continuation: String,
}

/// The first divergence among clusters (largest first), or `None` when all samples agree.
pub fn first_divergence(
    clusters: &[Cluster],
    tokens: Option<&dyn TokenCount>,
) -> Option<Divergence> {
    let (modal, others) = clusters.split_first()?;
    let (byte_offset, other) = others
        .iter()
        .map(|c| (common_prefix_len(&modal.normalized, &c.normalized), c))
        .min_by_key(|(len, _)| *len)?;
    let text = modal.normalized.as_str();
    let prefix = &text[..byte_offset];
    // When the point cuts a word, excerpts start where that word starts, so both read whole.
    let cuts_word = [&text[byte_offset..], &other.normalized[byte_offset..]]
        .iter()
        .any(|rest| rest.chars().next().is_some_and(is_word));
    let word = if cuts_word {
        word_start(prefix)
    } else {
        byte_offset
    };
    Some(Divergence {
        char_offset: prefix.chars().count(),
        byte_offset,
        token_offset: tokens.map(|t| t.count_tokens(prefix)),
        modal_sample: modal.representative(),
        other_sample: other.representative(),
        samples_diverging: others.iter().map(Cluster::size).sum(),
        context: tail_words(&prefix[..word], CONTEXT_CHARS),
        modal_continuation: head_chars(&text[word..], CONTINUATION_CHARS),
        other_continuation: head_chars(&other.normalized[word..], CONTINUATION_CHARS),
    })
}

/// Length in bytes of the longest common prefix, on a char boundary of both texts.
pub fn common_prefix_len(a: &str, b: &str) -> usize {
    let mut len = a
        .as_bytes()
        .iter()
        .zip(b.as_bytes())
        .take_while(|(x, y)| x == y)
        .count();
    // Equal bytes up to `len` mean the same char boundaries in both texts.
    while !a.is_char_boundary(len) {
        len -= 1;
    }
    len
}

/// Letters, digits and `_` make a word; anything else is a boundary.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte offset where the word running up to the end of `prefix` starts (the end itself when
/// `prefix` ends on a boundary).
fn word_start(prefix: &str) -> usize {
    prefix
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(prefix.len(), |(i, _)| i)
}

fn head_chars(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// About the last `n` characters of `text`, dropping a word cut at the front.
fn tail_words(text: &str, n: usize) -> String {
    let count = text.chars().count();
    if count <= n {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - n).collect();
    match tail.char_indices().find(|(_, c)| !is_word(*c)) {
        Some((i, _)) if tail.chars().next().is_some_and(is_word) => tail[i..].to_string(),
        _ => tail,
    }
}

#[cfg(test)]
#[path = "divergence_tests.rs"]
mod tests;
