//! Unit tests of `fsio.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn special_files_are_refused_with_what_they_are() {
    let e = read_text(Path::new("/dev/zero")).unwrap_err();
    assert!(e.to_string().contains("a device"), "{e}");
    let e = read_text(Path::new("/tmp")).unwrap_err();
    assert!(e.to_string().contains("a directory"), "{e}");
}

#[test]
fn caps_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f");
    std::fs::write(&p, "\u{feff}name = 1").unwrap();
    assert_eq!(read_text(&p).unwrap(), "name = 1");
    std::fs::write(&p, vec![b'a'; 2 << 20]).unwrap();
    let e = read_bytes(&p, 1 << 20).unwrap_err();
    assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
}

#[test]
fn atomic_write_replaces_and_output_checks_guard_databases() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    std::fs::write(&db, b"SQLite format 3\0rest").unwrap();
    let out = dir.path().join("out.jsonl");
    let err = check_output(&db, &db, true, "trace", looks_like_trace).unwrap_err();
    assert!(matches!(err, WriteError::IsDatabase { .. }));
    let other = dir.path().join("other.db");
    std::fs::copy(&db, &other).unwrap();
    let err = check_output(&other, &db, true, "trace", looks_like_trace).unwrap_err();
    assert!(matches!(err, WriteError::IsSqlite { .. }));
    std::fs::write(&out, "notes\n").unwrap();
    assert!(check_output(&out, &db, false, "trace", looks_like_trace).is_err());
    assert!(check_output(&out, &db, true, "trace", looks_like_trace).is_ok());
    write_atomic(&out, |w| w.write_all(b"{}\n")).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"{}\n");
    assert!(check_output(&out, &db, false, "trace", looks_like_trace).is_ok());
}
