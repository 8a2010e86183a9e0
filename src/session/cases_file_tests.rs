//! Unit tests of `cases_file.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn jsonl_names_cases_and_stringifies_values() {
    let text = "{\"name\":\"q1\",\"ticket\":\"hi\",\"n\":3}\n\n{\"ticket\":\"yo\"}\n";
    let cases = parse_jsonl(text).unwrap();
    assert_eq!(cases[0].0.name, "q1");
    assert_eq!(cases[0].0.vars["n"], "3");
    assert_eq!((cases[1].0.name.as_str(), cases[1].1), ("row-2", 3));
    let err = parse_jsonl("{\"a\":\"b\"}\n[1]\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("array"), "{}", err.message);
}

#[test]
fn csv_reads_quoted_fields_and_reports_ragged_rows() {
    let text = "name,ticket\nq1,\"a, b\nc\"\n,plain\n";
    let cases = parse_csv(text).unwrap();
    assert_eq!(cases[0].0.vars["ticket"], "a, b\nc");
    assert_eq!(
        (cases[1].1, cases[1].0.vars["ticket"].as_str()),
        (4, "plain")
    );
    assert_eq!(cases[1].0.name, "row-2");
    assert!(parse_csv(",\n1\n").is_err());
    let err = parse_csv("ticket\nx\ny,z\n").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("2 fields"), "{}", err.message);
}
