//! JSONL trace files read on every core: the file is cut into blocks of whole lines, the blocks
//! are parsed by a few threads at once, and their spans and bad lines are put back in file
//! order, so the result is the same as reading line by line. Only a
//! few blocks are in flight, so the raw text never has to be held whole.

use super::format::Format;
use super::model::{LoadWarning, Span};
use super::temper;
use std::io::{BufRead, Read};

/// Bytes per block (rounded up to the end of a line).
const BLOCK: usize = 1 << 20;
/// At most this many bad lines are described one by one; the rest are counted.
pub const MAX_WARNINGS: usize = 1000;

/// A run of whole lines, the 1-based number of its first line and the file offset of its first
/// byte.
struct Block {
    first_line: usize,
    first_byte: u64,
    bytes: Vec<u8>,
}

/// Where one span's line sits in the file: its bytes without surrounding whitespace (nor a
/// leading byte order mark), so reading them back gives the same span (see `trace::index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAt {
    pub offset: u64,
    pub len: u64,
    /// 1-based line number.
    pub line: usize,
}

/// What a block held: its spans, where each span's line is, its first bad lines described, and
/// how many were bad.
#[derive(Default)]
pub struct Parsed {
    pub spans: Vec<Span>,
    pub at: Vec<LineAt>,
    pub warnings: Vec<LoadWarning>,
    pub bad: usize,
}

/// Read every line of `reader` as `format`, in parallel, in file order.
pub fn read_all(reader: impl BufRead, format: Format) -> std::io::Result<Parsed> {
    read_blocks(reader, format, BLOCK)
}

fn read_blocks(reader: impl BufRead, format: Format, block: usize) -> std::io::Result<Parsed> {
    let mut parts = Vec::new();
    // The line positions are dropped on the worker: only `trace::index` needs them.
    let digest = |mut p: Parsed| {
        p.at = Vec::new();
        p
    };
    for_each_block(reader, format, block, digest, |p| parts.push(p))?;
    let mut all = Parsed::default();
    // Sized once: growing by doubling would hold up to twice the spans while copying.
    all.spans
        .reserve_exact(parts.iter().map(|p| p.spans.len()).sum());
    for part in parts {
        all.spans.extend(part.spans);
        let room = MAX_WARNINGS.saturating_sub(all.warnings.len());
        all.warnings.extend(part.warnings.into_iter().take(room));
        all.bad += part.bad;
    }
    Ok(all)
}

/// Parse the blocks of `reader` (of about `block` bytes) on a few threads, turn each block's
/// result into a `T` with `digest` on the thread that parsed it, and hand the `T`s to `consume`
/// in file order as they become ready, so only a few blocks are ever held.
pub fn for_each_block<T: Send>(
    reader: impl BufRead,
    format: Format,
    block: usize,
    digest: impl Fn(Parsed) -> T + Sync,
    mut consume: impl FnMut(T),
) -> std::io::Result<()> {
    super::parallel::ordered_map(
        |send| split(reader, block, send),
        |b: Block| digest(parse_block(&b, format)),
        |part| {
            consume(part);
            true
        },
    )
}

/// Cut `reader` into blocks of whole lines, handing each to `send` until it returns false.
fn split(
    mut reader: impl BufRead,
    size: usize,
    send: &mut dyn FnMut(Block) -> bool,
) -> std::io::Result<()> {
    let (mut line, mut offset) = (1, 0u64);
    loop {
        let mut bytes = Vec::with_capacity(size + 4096);
        (&mut reader).take(size as u64).read_to_end(&mut bytes)?;
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.last() != Some(&b'\n') {
            reader.read_until(b'\n', &mut bytes)?;
        }
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        let len = bytes.len() as u64;
        let block = Block {
            first_line: line,
            first_byte: offset,
            bytes,
        };
        if !send(block) {
            return Ok(());
        }
        line += lines;
        offset += len;
    }
}

fn parse_block(block: &Block, format: Format) -> Parsed {
    let mut out = Parsed::default();
    for (k, raw) in block.bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = block.first_line + k;
        let line = raw.trim_ascii();
        let line = if line_no == 1 {
            crate::fsio::strip_bom_bytes(line)
        } else {
            line
        };
        if line.is_empty() {
            continue;
        }
        let before = out.spans.len();
        let parsed = parse_line(line, format, &mut out.spans);
        // A line may hold several spans (a Phoenix array), even some before a bad one.
        let at = LineAt {
            offset: block.first_byte
                + (line.as_ptr() as usize - block.bytes.as_ptr() as usize) as u64,
            len: line.len() as u64,
            line: line_no,
        };
        out.at.resize(out.at.len() + out.spans.len() - before, at);
        if let Err((column, message)) = parsed {
            out.bad += 1;
            if out.warnings.len() < MAX_WARNINGS {
                out.warnings.push(LoadWarning {
                    line: line_no,
                    column,
                    message: super::load::strip_position(&message),
                });
            }
        }
    }
    out
}

/// One line as `format`: temper and OpenInference lines typed, the others through a JSON value.
pub(super) fn parse_line(
    line: &[u8],
    format: Format,
    spans: &mut Vec<Span>,
) -> Result<(), (Option<usize>, String)> {
    match format {
        Format::TemperJsonl => temper::read_line(line)
            .map(|s| spans.push(s))
            .map_err(|e| (Some(e.column()), e.to_string())),
        Format::OpenInference => super::openinference::read_line(line, spans),
        _ => match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(doc) => format.read(doc, spans).map_err(|m| (None, m)),
            Err(e) => Err((Some(e.column()), e.to_string())),
        },
    }
}

#[cfg(test)]
#[path = "lines_tests.rs"]
mod tests;
