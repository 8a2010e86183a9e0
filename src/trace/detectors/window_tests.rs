//! Unit tests of `window.rs` (kept beside it so the module reads without them).

use super::builtin_context_window;

#[test]
fn longest_prefix_wins() {
    assert_eq!(
        builtin_context_window("gpt-4o-mini-2024-07-18"),
        Some(128_000)
    );
    assert_eq!(builtin_context_window("gpt-4"), Some(8_192));
    assert_eq!(
        builtin_context_window("anthropic/claude-sonnet-4"),
        Some(200_000)
    );
    assert_eq!(builtin_context_window("my-model"), None);
}
