//! Unit tests of `pg_open.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn urls_are_recognised_and_displayed_without_the_password() {
    assert!(is_postgres_url("postgres://u@h/db"));
    assert!(is_postgres_url("PostgreSQL://u@h/db"));
    assert!(!is_postgres_url("temper.db"));
    let (_, t, _) = parse("postgres://alice:s3cret@db.example:6543/team").unwrap();
    assert_eq!(t.display, "postgres://alice@db.example:6543/team");
    assert!(!t.display.contains("s3cret"));
}

#[test]
fn pgpass_lines_split_on_unescaped_colons() {
    assert_eq!(
        split_pgpass(r"h:5432:*:u:pa\:ss\\x"),
        vec!["h", "5432", "*", "u", r"pa:ss\x"]
    );
}

#[test]
fn server_versions_read_as_people_write_them() {
    assert_eq!(version_text(150_004), "15.4");
    assert_eq!(version_text(90_624), "9.6.24");
}
