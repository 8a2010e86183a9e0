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

/// A run of whole lines and the 1-based number of its first line.
struct Block {
    first_line: usize,
    bytes: Vec<u8>,
}

/// What a block held: its spans, its first bad lines described, and how many were bad.
#[derive(Default)]
pub struct Parsed {
    pub spans: Vec<Span>,
    pub warnings: Vec<LoadWarning>,
    pub bad: usize,
}

/// Read every line of `reader` as `format`, in parallel, in file order.
pub fn read_all(reader: impl BufRead, format: Format) -> std::io::Result<Parsed> {
    read_blocks(reader, format, BLOCK)
}

fn read_blocks(reader: impl BufRead, format: Format, block: usize) -> std::io::Result<Parsed> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<(usize, Block)>(workers);
    let jobs_rx = Mutex::new(jobs_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Parsed)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, done) = (&jobs_rx, done_tx.clone());
            scope.spawn(move || {
                // The lock is held only to take the next block, never while parsing.
                while let Ok((seq, block)) = jobs
                    .lock()
                    .map_err(drop)
                    .and_then(|rx| rx.recv().map_err(drop))
                {
                    if done.send((seq, parse_block(&block, format))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let sent = split(reader, block, |seq, b| jobs_tx.send((seq, b)).is_ok());
        drop(jobs_tx);
        let mut parts: BTreeMap<usize, Parsed> = done_rx.iter().collect();
        sent?;
        let mut all = Parsed::default();
        // Sized once: growing by doubling would hold up to twice the spans while copying.
        all.spans
            .reserve_exact(parts.values().map(|p| p.spans.len()).sum());
        while let Some((_, part)) = parts.pop_first() {
            all.spans.extend(part.spans);
            let room = MAX_WARNINGS.saturating_sub(all.warnings.len());
            all.warnings.extend(part.warnings.into_iter().take(room));
            all.bad += part.bad;
        }
        Ok(all)
    })
}

/// Cut `reader` into blocks of whole lines, handing each to `send` until it returns false.
fn split(
    mut reader: impl BufRead,
    size: usize,
    mut send: impl FnMut(usize, Block) -> bool,
) -> std::io::Result<()> {
    let (mut seq, mut line) = (0, 1);
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
        if !send(
            seq,
            Block {
                first_line: line,
                bytes,
            },
        ) {
            return Ok(());
        }
        seq += 1;
        line += lines;
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
        if let Err((column, message)) = parse_line(line, format, &mut out.spans) {
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
fn parse_line(
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
