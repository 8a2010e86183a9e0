//! Counts with their noun in the right number (`1 sample`, `3 samples`), so no message reads
//! `1 samples` or dodges with `sample(s)`. A leaf: imports nothing from the crate.

/// `n word` with an `s` when `n` is not 1: `count(1, "call")` is `1 call`.
pub fn count(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    format!("{n} {}", noun(n, word))
}

/// `word` in the number that goes with `n`: `es` after s, x, z, ch and sh (`1 match`,
/// `2 matches`), a `y` after a consonant becomes `ies` (`entries`), else `s`.
pub fn noun(n: u64, word: &str) -> String {
    if n == 1 {
        return word.to_string();
    }
    let sibilant = ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| word.ends_with(e));
    if sibilant {
        return format!("{word}es");
    }
    let mut chars = word.chars().rev();
    if let (Some('y'), Some(c)) = (chars.next(), chars.next())
        && !"aeiou".contains(c)
    {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    format!("{word}s")
}

#[cfg(test)]
#[path = "plural_tests.rs"]
mod tests;
