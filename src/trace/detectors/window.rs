//! A small built-in table of context windows until the cost module's price table is wired in.

/// Context window in tokens for well-known model families (longest matching prefix wins).
pub fn builtin_context_window(model: &str) -> Option<u64> {
    const TABLE: [(&str, u64); 16] = [
        ("gpt-4.1", 1_047_576),
        ("gpt-4o", 128_000),
        ("gpt-4-turbo", 128_000),
        ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 16_385),
        ("gpt-5", 400_000),
        ("o1", 200_000),
        ("o3", 200_000),
        ("o4", 200_000),
        ("claude", 200_000),
        ("gemini-1.5-pro", 2_097_152),
        ("gemini", 1_048_576),
        ("llama-3.1", 131_072),
        ("llama3.1", 131_072),
        ("llama", 8_192),
        ("mistral-large", 128_000),
    ];
    let lower = model.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    TABLE
        .iter()
        .filter(|(prefix, _)| name.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, window)| *window)
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
