//! Unit tests of `stream_sse.rs` (kept beside it so the module reads without them).

use super::*;

type Seen = Vec<(Option<String>, String)>;

fn feed(p: &mut SseParser, bytes: &[u8], seen: &mut Seen) -> Result<bool, String> {
    p.push(bytes, |name, data| {
        seen.push((name.map(str::to_string), data.to_string()));
        Ok(data == "[DONE]")
    })
}

#[test]
fn frames_events_across_chunks_and_crlf() {
    let (mut p, mut seen) = (SseParser::default(), Seen::new());
    assert_eq!(
        feed(&mut p, b"event: ping\r\ndata: {\"a\"", &mut seen),
        Ok(false)
    );
    assert!(seen.is_empty());
    let done = feed(
        &mut p,
        b":1}\r\n\r\n: comment\n\ndata: [DONE]\n\n",
        &mut seen,
    );
    assert_eq!(done, Ok(true));
    assert_eq!(
        seen,
        vec![
            (Some("ping".into()), "{\"a\":1}".into()),
            (None, "[DONE]".into())
        ]
    );
    assert_eq!(p.events, 2);
}

#[test]
fn one_byte_at_a_time_and_multi_line_data() {
    let text = b"data: a\ndata: b\n\nevent: x\ndata: c\n\n";
    let (mut p, mut seen) = (SseParser::default(), Seen::new());
    for b in text {
        feed(&mut p, std::slice::from_ref(b), &mut seen).unwrap();
    }
    assert_eq!(
        seen,
        vec![(None, "a\nb".into()), (Some("x".into()), "c".into())]
    );
}

#[test]
fn stops_at_the_end_marker_and_names_garbage() {
    let (mut p, mut seen) = (SseParser::default(), Seen::new());
    let done = feed(&mut p, b"data: [DONE]\n\ndata: after\n\n", &mut seen);
    assert_eq!((done, seen.len()), (Ok(true), 1));
    let mut p = SseParser::default();
    let err = feed(&mut p, b"<html>oops</html>\n", &mut seen).unwrap_err();
    assert!(err.contains("<html>oops</html>"), "{err}");
}
