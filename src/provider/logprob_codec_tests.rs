//! Unit tests of `logprob_codec.rs` (kept beside it so the module reads without them).

use super::*;

fn token(t: &str, lp: f32, top: &[(&str, f32)]) -> TokenLogprob {
    TokenLogprob {
        token: t.into(),
        logprob: lp,
        top: top
            .iter()
            .map(|(t, l)| Alternative {
                token: (*t).into(),
                logprob: *l,
            })
            .collect(),
    }
}

#[test]
fn round_trips_and_rejects_damage() {
    let long = "é".repeat(100);
    let tokens = vec![
        token("Hi", -0.01, &[("Hi", -0.01), ("Hello", -4.6)]),
        token(&long, -0.7, &[]),
        token("", -9999.0, &[("x", 0.0)]),
    ];
    let blob = encode(&tokens);
    assert_eq!(decode(&blob).unwrap(), tokens);
    assert_eq!(decode(&encode(&[])).unwrap(), vec![]);
    assert_eq!(
        decode(&blob[..blob.len() - 1]),
        Err(CodecError::Truncated(blob.len() - 4))
    );
    assert_eq!(decode(&[9]), Err(CodecError::Version(9)));
    assert!(matches!(decode(&[]), Err(CodecError::Truncated(0))));
    // A huge claimed count in a tiny blob fails cleanly instead of allocating.
    assert!(decode(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
}
