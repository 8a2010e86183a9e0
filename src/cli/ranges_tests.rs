//! Unit tests of `ranges.rs` (kept beside it so the module reads without them).

#[test]
fn out_of_range_and_non_numbers_are_refused() {
    for bad in ["1e20", "18446744073709551615", "nan", "inf", "-1", "0", "x"] {
        assert!(super::seconds(bad).is_err(), "{bad}");
    }
    assert_eq!(super::seconds("2.5"), Ok(2.5));
    assert!(super::concurrency("0").is_err());
    assert!(super::samples("4294967296").is_err());
    assert!(super::usd("NaN").is_err());
}
