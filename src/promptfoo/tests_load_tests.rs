//! Unit tests of `tests_load.rs` (kept beside it so the module reads without them).

use super::files::csv_tests;
use super::*;

#[test]
fn csv_expected_columns_and_ragged_rows() {
    let body = "q,__expected,__expected2,__description\nhi,icontains:hello,,greet\n\"a,b\",Paris,not-contains:x,city\n";
    let tests = csv_tests(Path::new("t.csv"), body).unwrap();
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0].1, 2);
    assert_eq!(tests[1].0["vars"]["q"], "a,b");
    assert_eq!(tests[1].0["assert"].as_array().unwrap().len(), 2);
    let e = csv_tests(Path::new("t.csv"), "a,b\n1,2\n1,2,3\n").unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (3, "t.csv"));
    assert!(e.message.contains("3 fields where the header has 2"));
}

#[test]
fn list_vars_expand_like_promptfoo() {
    let vars: Map<String, Value> =
        serde_json::from_str(r#"{"a":[1,2],"b":["x","y"],"c":"z"}"#).unwrap();
    assert_eq!(expand(vars).len(), 4);
}
