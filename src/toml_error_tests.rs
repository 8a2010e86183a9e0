//! Unit tests of `toml_error.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn points_at_the_bad_value() {
    let text = "a = 1\nb = é\n";
    let e = toml::from_str::<toml::Table>(text).err().unwrap();
    assert_eq!(position(text, &e), (2, 5));
    assert!(
        located(text, &e).starts_with("2:5: "),
        "{}",
        located(text, &e)
    );
    assert_eq!(line_col("ab\ncé\nx", 6), (2, 3));
    assert_eq!(line_col("ab", 99), (1, 3));
}
