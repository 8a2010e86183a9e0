//! Open a trace file: detect line-based (JSONL) versus whole-document JSON from the first
//! non-empty line, pick the format from content (or `--format`), and stream JSONL line by line
//! so a bad line costs one warning, not the file.

use super::format::{Format, TraceError};
use super::lines::MAX_WARNINGS;
use super::model::LoadWarning;
use super::tree::Trace;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// How many lines to look at for a parsable first line when line 1 is broken.
const SNIFF_LINES: usize = 50;

/// How much of the file is looked at to tell binary protobuf and console text from JSON.
const HEAD_BYTES: u64 = 64 * 1024;

/// Load a trace file, detecting its format unless `format` is given.
pub fn load(path: &Path, format: Option<Format>) -> Result<Trace, TraceError> {
    let head = head(path)?;
    match format {
        Some(Format::OtlpProto) => return load_proto(path, true),
        Some(Format::Console) => return load_console(path),
        // JSONL with a hostile line (control bytes, broken UTF-8) is still JSONL.
        None if looks_binary(&head) => match load_proto(path, false) {
            Err(_) if starts_like_json(&head) => {}
            other => return other,
        },
        None if !starts_like_json(&head)
            && super::console::sniff(&String::from_utf8_lossy(&head)).is_ok() =>
        {
            return load_console(path);
        }
        _ => {}
    }
    load_json(path, format).map_err(|e| match e {
        TraceError::UnknownFormat { path, mut tried } => {
            tried.push((
                Format::OtlpProto,
                "the file is text, not binary protobuf".into(),
            ));
            let text = String::from_utf8_lossy(&head);
            if let Err(why) = super::console::sniff(&text) {
                tried.push((Format::Console, why));
            }
            TraceError::UnknownFormat { path, tried }
        }
        other => other,
    })
}

/// Load a trace and attach the OTel log records of `logs` to their spans (see `logs`).
pub fn load_with_logs(
    path: &Path,
    logs: &Path,
    format: Option<Format>,
) -> Result<Trace, TraceError> {
    let trace = load(path, format)?;
    let (events, mut warnings) = super::logs::read_file(logs)?;
    let Trace {
        format,
        mut spans,
        warnings: mut trace_warnings,
        bad_lines,
        ..
    } = trace;
    let unmatched = super::logs::attach(&mut spans, &events);
    if unmatched > 0 {
        warnings.push(LoadWarning {
            line: 0,
            column: None,
            message: format!("{unmatched} log records name a span that is not in the trace file"),
        });
    }
    trace_warnings.extend(warnings);
    let mut trace = Trace::build(format, spans, trace_warnings);
    trace.bad_lines = bad_lines;
    Ok(trace)
}

fn head(path: &Path) -> Result<Vec<u8>, TraceError> {
    let mut head = Vec::new();
    crate::fsio::open_regular(path)
        .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head))
        .map_err(|source| io_error(path, source))?;
    Ok(head)
}

/// Protobuf, not text: control bytes other than whitespace, or bytes that are not UTF-8.
pub(crate) fn looks_binary(head: &[u8]) -> bool {
    let control = head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    // A multi-byte character cut by the end of `head` is still text.
    control || std::str::from_utf8(head).is_err_and(|e| e.error_len().is_some())
}

fn starts_like_json(head: &[u8]) -> bool {
    matches!(head.trim_ascii_start().first(), Some(b'{' | b'['))
}

fn load_proto(path: &Path, forced: bool) -> Result<Trace, TraceError> {
    let bytes = crate::fsio::read_bytes(path, crate::fsio::MAX_TRACE_BYTES)
        .map_err(|source| io_error(path, source))?;
    let mut spans = Vec::new();
    let result =
        super::otlp_pb::sniff(&bytes).and_then(|()| super::otlp_pb::read(&bytes, &mut spans));
    drop(bytes);
    match result {
        Ok(()) => Ok(Trace::build(Format::OtlpProto, spans, Vec::new())),
        Err(reason) if forced => Err(TraceError::NotThisFormat {
            path: path.to_path_buf(),
            format: Format::OtlpProto,
            reason,
        }),
        Err(reason) => Err(TraceError::UnknownFormat {
            path: path.to_path_buf(),
            tried: vec![
                (Format::OtlpProto, reason),
                (Format::Otlp, "the file is binary, not JSON".into()),
            ],
        }),
    }
}

fn load_console(path: &Path) -> Result<Trace, TraceError> {
    let bytes = crate::fsio::read_bytes(path, crate::fsio::MAX_TRACE_BYTES)
        .map_err(|source| io_error(path, source))?;
    let text = String::from_utf8_lossy(&bytes);
    if let Err(reason) = super::console::sniff(&text) {
        return Err(TraceError::NotThisFormat {
            path: path.to_path_buf(),
            format: Format::Console,
            reason,
        });
    }
    let (mut spans, mut warnings) = (Vec::new(), Vec::new());
    super::console::read(&text, &mut spans, &mut warnings);
    let bad = warnings.len();
    let mut trace = Trace::build(Format::Console, spans, warnings);
    trace.bad_lines = bad;
    Ok(trace)
}

fn load_json(path: &Path, format: Option<Format>) -> Result<Trace, TraceError> {
    let first = first_lines(path)?;
    if first.opens_document {
        // Line 1 opens a multi-line document: read the file as one JSON value. If that fails
        // but a later line is a whole span, it is JSONL with a broken first line instead.
        return match load_whole(path, format) {
            Err(whole_err @ TraceError::InvalidJson { .. }) => match first.doc {
                Some(doc) => match decide(path, format, &doc) {
                    Ok(f) => load_lines(path, f).map_err(|source| io_error(path, source)),
                    Err(_) => Err(whole_err),
                },
                None => Err(whole_err),
            },
            other => other,
        };
    }
    if let Some(doc) = first.doc {
        let f = decide(path, format, &doc)?;
        return load_lines(path, f).map_err(|source| io_error(path, source));
    }
    match first.error {
        Some((line, e)) => Err(TraceError::InvalidJson {
            path: path.to_path_buf(),
            line,
            column: e.column(),
            message: strip_position(&e.to_string()),
        }),
        None => Err(TraceError::Empty {
            path: path.to_path_buf(),
        }),
    }
}

/// What the first few non-empty lines say about the file.
struct FirstLines {
    /// Line 1 is the start of a JSON value that continues on later lines.
    opens_document: bool,
    /// The first line that is a complete JSON object by itself.
    doc: Option<Value>,
    /// The first line's parse error, when no line parsed.
    error: Option<(usize, serde_json::Error)>,
}

fn first_lines(path: &Path) -> Result<FirstLines, TraceError> {
    let io = |source| io_error(path, source);
    let file = crate::fsio::open_regular(path).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut first = FirstLines {
        opens_document: false,
        doc: None,
        error: None,
    };
    let mut buf = Vec::new();
    let (mut line_no, mut seen) = (0, 0);
    while seen < SNIFF_LINES {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            break;
        }
        line_no += 1;
        let line = crate::fsio::strip_bom_bytes(buf.trim_ascii());
        if line.is_empty() {
            continue;
        }
        seen += 1;
        match serde_json::from_slice::<Value>(line) {
            Ok(doc @ Value::Object(_)) => {
                first.doc = Some(doc);
                break;
            }
            Ok(doc) if seen == 1 => {
                first.doc = Some(doc);
                break;
            }
            Ok(_) => {}
            Err(e) => {
                first.opens_document |= seen == 1 && e.is_eof();
                first.error.get_or_insert((line_no, e));
            }
        }
    }
    Ok(first)
}

fn io_error(path: &Path, source: std::io::Error) -> TraceError {
    TraceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn decide(path: &Path, forced: Option<Format>, doc: &Value) -> Result<Format, TraceError> {
    match forced {
        Some(f) => f
            .sniff(doc)
            .map(|()| f)
            .map_err(|reason| TraceError::NotThisFormat {
                path: path.to_path_buf(),
                format: f,
                reason,
            }),
        None => Format::detect(doc).map_err(|tried| TraceError::UnknownFormat {
            path: path.to_path_buf(),
            tried,
        }),
    }
}

/// Read the whole file as JSONL from the start, one document per line, on every core (see
/// `lines`).
fn load_lines(path: &Path, format: Format) -> std::io::Result<Trace> {
    let reader = BufReader::with_capacity(1 << 20, crate::fsio::open_regular(path)?);
    let super::lines::Parsed {
        spans,
        mut warnings,
        bad,
        ..
    } = super::lines::read_all(reader, format)?;
    warnings.extend(more_bad_lines(bad));
    let mut trace = Trace::build(format, spans, warnings);
    trace.bad_lines = bad;
    Ok(trace)
}

/// The warning that counts the bad lines past the ones listed, when there are more.
pub(super) fn more_bad_lines(bad: usize) -> Option<LoadWarning> {
    (bad > MAX_WARNINGS).then(|| LoadWarning {
        line: 0,
        column: None,
        message: format!(
            "{} more bad lines not listed ({bad} in all)",
            bad - MAX_WARNINGS
        ),
    })
}

/// The format `load` would read `path` in line by line (JSONL: the line path of `load_json`),
/// or None when it would read it another way (protobuf, console text, one JSON document) or
/// fail: `trace::index` reads only such files, twice, and leaves the rest to `load`.
pub(super) fn line_format(
    path: &Path,
    format: Option<Format>,
) -> Result<Option<Format>, TraceError> {
    let head = head(path)?;
    let other = matches!(format, Some(Format::OtlpProto | Format::Console));
    // The branches of `load` before `load_json` (a binary-looking file may be protobuf).
    let console = format.is_none()
        && !starts_like_json(&head)
        && super::console::sniff(&String::from_utf8_lossy(&head)).is_ok();
    if other || looks_binary(&head) || console {
        return Ok(None);
    }
    let first = first_lines(path)?;
    if first.opens_document {
        return Ok(None);
    }
    Ok(first.doc.and_then(|doc| decide(path, format, &doc).ok()))
}

/// A multi-line JSON document (pretty-printed OTLP, Langfuse, Phoenix array).
fn load_whole(path: &Path, forced: Option<Format>) -> Result<Trace, TraceError> {
    let io = |source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = crate::fsio::read_bytes(path, crate::fsio::MAX_TRACE_BYTES).map_err(io)?;
    let doc: Value = serde_json::from_slice(crate::fsio::strip_bom_bytes(&bytes)).map_err(|e| {
        TraceError::InvalidJson {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }
    })?;
    drop(bytes);
    let format = decide(path, forced, &doc)?;
    let mut spans = Vec::new();
    format
        .read(doc, &mut spans)
        .map_err(|reason| TraceError::NotThisFormat {
            path: path.to_path_buf(),
            format,
            reason,
        })?;
    Ok(Trace::build(format, spans, Vec::new()))
}

/// serde_json appends " at line L column C"; we report the position ourselves.
pub(super) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
