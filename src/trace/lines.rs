//! JSONL trace files read on every core: the file is cut into blocks of whole lines, the blocks
//! are parsed by a few threads at once, and their spans and bad lines are put back in file
//! order, so the result is the same as reading line by line. Only a
//! few blocks are in flight, so the raw text never has to be held whole.

use super::format::Format;
use super::model::{LoadWarning, Span};
use super::temper;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::sync::{Mutex, mpsc};

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
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<(usize, Block)>(workers);
    let jobs_rx = Mutex::new(jobs_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, done, digest) = (&jobs_rx, done_tx.clone(), &digest);
            scope.spawn(move || {
                // The lock is held only to take the next block, never while parsing.
                while let Ok((seq, block)) = jobs
                    .lock()
                    .map_err(drop)
                    .and_then(|rx| rx.recv().map_err(drop))
                {
                    if done
                        .send((seq, digest(parse_block(&block, format))))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // Blocks are handed out from here while the finished ones are consumed in order.
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut next = 0;
        let mut take = |seq: usize, part: T, waiting: &mut BTreeMap<usize, T>| {
            waiting.insert(seq, part);
            while let Some(part) = waiting.remove(&next) {
                consume(part);
                next += 1;
            }
        };
        let sent = split(reader, block, |seq, b| {
            while let Ok((done, part)) = done_rx.try_recv() {
                take(done, part, &mut waiting);
            }
            jobs_tx.send((seq, b)).is_ok()
        });
        drop(jobs_tx);
        for (seq, part) in done_rx.iter() {
            take(seq, part, &mut waiting);
        }
        sent
    })
}

/// Cut `reader` into blocks of whole lines, handing each to `send` until it returns false.
fn split(
    mut reader: impl BufRead,
    size: usize,
    mut send: impl FnMut(usize, Block) -> bool,
) -> std::io::Result<()> {
    let (mut seq, mut line, mut offset) = (0, 1, 0u64);
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
        if !send(seq, block) {
            return Ok(());
        }
        seq += 1;
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
mod tests {
    use super::*;

    #[test]
    fn tiny_blocks_keep_order_and_line_numbers() {
        let mut text = String::from("\u{feff}");
        for i in 0..500 {
            if i % 97 == 3 {
                text.push_str("{broken\n\n");
            } else {
                text.push_str(&format!("{{\"id\":\"s{i}\",\"kind\":\"llm\"}}\n"));
            }
        }
        text.push_str("{\"id\":\"last\",\"kind\":\"tool\"}");
        for size in [1, 50, 4096, BLOCK] {
            let got = read_blocks(text.as_bytes(), Format::TemperJsonl, size).unwrap();
            let ids: Vec<&str> = got.spans.iter().map(|s| s.id.as_str()).collect();
            let want: Vec<String> = (0..500)
                .filter(|i| i % 97 != 3)
                .map(|i| format!("s{i}"))
                .chain(["last".to_string()])
                .collect();
            assert_eq!(ids, want, "block size {size}");
            assert_eq!(got.bad, 6);
            // Bad line i sits on line i + 1 plus one blank line per earlier bad line.
            let lines: Vec<usize> = got.warnings.iter().map(|w| w.line).collect();
            assert_eq!(lines, [4, 102, 200, 298, 396, 494], "block size {size}");
        }
    }
}
