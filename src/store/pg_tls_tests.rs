//! Unit tests of `pg_tls.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn sslmode_is_read_like_libpq_and_taken_out_of_the_url() {
    let (url, tls) = split_url("postgres://u@h/db?sslmode=require&connect_timeout=3").unwrap();
    assert_eq!(
        (url.as_str(), tls),
        ("postgres://u@h/db?connect_timeout=3", Tls::Require)
    );
    let (url, tls) =
        split_url("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt").unwrap();
    assert_eq!(url, "postgres://u@h/db");
    let root = Some(PathBuf::from("/tmp/ca.crt"));
    assert_eq!(
        tls,
        Tls::Verify {
            full: true,
            root: root.clone()
        }
    );
    let (_, tls) = split_url("postgres://u@h/db?sslmode=require&sslrootcert=/tmp/ca.crt").unwrap();
    assert_eq!(tls, Tls::Verify { full: false, root });
    assert_eq!(split_url("postgres://u@h/db").unwrap().1, Tls::Off);
    assert_eq!(
        split_url("postgres://u@h/db?sslmode=prefer").unwrap().1,
        Tls::Off
    );
    let err = split_url("postgres://u@h/db?sslmode=strict")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"strict\"") && err.contains("verify-full"),
        "{err}"
    );
}
