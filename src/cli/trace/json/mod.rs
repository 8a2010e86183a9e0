//! `temper trace FILE --json`, written span by span to stdout instead of built as one JSON value
//! first: the value tree of every span and its pretty text cost several times the file (1.2 GB
//! for a 200 MB trace). Each piece is escaped like every `--json` output (see `print_json`).
//!
//! A temper or OpenInference JSONL file is not even loaded: it is read twice (`trace::stream`),
//! and each root's spans are checked by the detectors and written before the next root is read,
//! so memory stays a few dozen bytes per span whatever the spans hold. Other formats, and
//! `--logs`, load the whole trace; both give the same document, byte for byte.

#[cfg(test)]
mod tests;

use super::{Totals, TraceArgs, totals};
use crate::cli::Ctx;
use crate::cli::output::inert_json_line;
use crate::cost::PriceBook;
use crate::trace::detectors::{self, Limits};
use crate::trace::index::{Price, Summary};
use crate::trace::pricing::{SpanCost, span_costs};
use crate::trace::stream::{Root, Seen, Stream};
use crate::trace::{Flag, Format, LoadWarning, Span, Trace};
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::path::Path;

/// One row of `spans`: the span as in temper JSONL plus its place in the tree and its cost.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    span: &'a Span,
    depth: usize,
    duration_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_shown: Option<SpanCost>,
}

/// Write the whole-trace JSON document (file, format, totals, spans in tree order with depth,
/// flags, warnings, orphans, cycles) of a loaded trace to stdout, one span at a time.
pub fn write(trace: &Trace, costs: &[Option<SpanCost>], args: &TraceArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write_loaded(&mut out, trace, costs, args.path())?;
    out.flush()?;
    Ok(())
}

/// The document of a loaded trace (detectors already run) into `out`.
fn write_loaded(
    out: &mut impl Write,
    trace: &Trace,
    costs: &[Option<SpanCost>],
    path: &Path,
) -> anyhow::Result<()> {
    let ids = |list: &[usize]| -> Vec<&str> {
        list.iter().map(|&i| trace.spans[i].id.as_str()).collect()
    };
    head(out, path, trace.format, &totals(trace, costs))?;
    for (k, (i, depth)) in trace.walk().into_iter().enumerate() {
        let sep = if k == 0 { "\n    " } else { ",\n    " };
        let cost = costs.get(i).copied().flatten();
        row(out, sep, &trace.spans[i], depth, cost)?;
    }
    let tail = Tail {
        flags: &trace.flags,
        warnings: &trace.warnings,
        bad_lines: trace.bad_lines,
        orphans: ids(&trace.orphans),
        cycles: ids(&trace.cycles),
    };
    tail.write(out)
}

/// `temper --json trace FILE` on a line-format file without loading it (see the module doc):
/// Some(true) when a detector raised a flag, None when the file is not a line format (the
/// caller loads it instead).
pub fn stream(args: &TraceArgs, ctx: &Ctx) -> anyhow::Result<Option<bool>> {
    // A broken price override must not stop trace inspection: estimates are simply absent.
    let book = PriceBook::load(&ctx.config, None).ok();
    let price = super::pricer(book.clone());
    let Some(stream) = Stream::open(args.path(), args.format, &price)? else {
        return Ok(None);
    };
    let limits = super::limits(args, book);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let flagged = write_streamed(&mut out, stream, &limits, &price, args.path())?;
    out.flush()?;
    Ok(Some(flagged))
}

/// The document of a trace read root by root: batches of roots re-read, checked by the
/// detectors and turned into rows on a few threads, written in order; only the flags are kept.
/// True when there was any flag.
fn write_streamed(
    out: &mut impl Write,
    stream: Stream,
    limits: &Limits,
    price: Price,
    path: &Path,
) -> anyhow::Result<bool> {
    head(out, path, stream.format(), &totals_of(stream.summary()))?;
    let (mut flags, mut seen, mut failed) = (Vec::new(), Seen::default(), None);
    let mut sep = "\n    ";
    let batches = stream.batches();
    crate::trace::parallel::ordered_map(
        |send| batches.into_iter().all(send),
        |batch| chunk(&stream, batch, limits, price),
        |chunk| {
            let written = chunk.and_then(|c| {
                write!(out, "{sep}")?;
                out.write_all(&c.rows)?;
                flags.extend(c.flags);
                seen.extend(c.seen);
                Ok(())
            });
            sep = ",\n    ";
            failed = written.err();
            failed.is_none()
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    // Stable: each span's flags came from one root, in the order a loaded trace has them.
    flags.sort_by_key(|f| f.span);
    let rest = stream.finish(seen)?;
    let tail = Tail {
        flags: &flags,
        warnings: &rest.warnings,
        bad_lines: rest.bad_lines,
        orphans: rest.orphans.iter().map(String::as_str).collect(),
        cycles: rest.cycles.iter().map(String::as_str).collect(),
    };
    tail.write(out)?;
    Ok(!flags.is_empty())
}

/// The rows of a batch of roots (without the separator before the first), their flags with
/// indices in the whole file, and the ids the tail needs.
struct Chunk {
    rows: Vec<u8>,
    flags: Vec<Flag>,
    seen: Seen,
}

fn chunk(
    stream: &Stream,
    batch: std::ops::Range<usize>,
    limits: &Limits,
    price: Price,
) -> anyhow::Result<Chunk> {
    let (mut rows, mut flags, mut failed) = (Vec::new(), Vec::new(), None);
    let seen = stream.read(batch, |root| {
        let Root { mut trace, spans } = root;
        detectors::run(&mut trace, limits);
        let costs = span_costs(&trace, price);
        for (i, depth) in trace.walk() {
            let sep = if rows.is_empty() { "" } else { ",\n    " };
            if let Err(e) = row(&mut rows, sep, &trace.spans[i], depth, costs[i]) {
                failed.get_or_insert(e);
            }
        }
        flags.extend(trace.flags.into_iter().map(|f| Flag {
            span: spans[f.span],
            ..f
        }));
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(Chunk { rows, flags, seen }),
    }
}

/// The head's totals from pass one (the same figures `totals` counts on a loaded trace).
fn totals_of(s: &Summary) -> Totals {
    Totals {
        spans: s.spans,
        llm_calls: s.llm_calls,
        tool_calls: s.tool_calls,
        prompt_tokens: s.prompt_tokens,
        completion_tokens: s.completion_tokens,
        cost_from_file: s.cost_from_file,
        cost_estimated: s.cost_estimated,
        duration_ms: Span {
            start: s.start,
            end: s.end,
            ..Span::default()
        }
        .duration_ms(),
    }
}

/// The document up to the opening of `spans`.
fn head(out: &mut impl Write, path: &Path, format: Format, totals: &Totals) -> anyhow::Result<()> {
    writeln!(out, "{{")?;
    field(out, "file", path)?;
    field(out, "format", &format)?;
    field(out, "totals", totals)?;
    write!(out, "  \"spans\": [")?;
    Ok(())
}

/// One row of `spans`, after `sep`.
fn row(
    out: &mut impl Write,
    sep: &str,
    span: &Span,
    depth: usize,
    cost_shown: Option<SpanCost>,
) -> anyhow::Result<()> {
    let row = Row {
        span,
        depth,
        duration_ms: span.duration_ms(),
        cost_shown,
    };
    write!(out, "{sep}{}", inert_json_line(&row)?)?;
    Ok(())
}

/// What follows `spans`.
struct Tail<'a> {
    flags: &'a [Flag],
    warnings: &'a [LoadWarning],
    bad_lines: usize,
    orphans: Vec<&'a str>,
    cycles: Vec<&'a str>,
}

impl Tail<'_> {
    fn write(&self, out: &mut impl Write) -> anyhow::Result<()> {
        writeln!(out, "\n  ],")?;
        field(out, "flags", self.flags)?;
        field(out, "warnings", self.warnings)?;
        field(out, "bad_lines", &self.bad_lines)?;
        field(out, "orphans", &self.orphans)?;
        write!(
            out,
            "  \"cycles\": {}\n}}\n",
            inert_json_line(&self.cycles)?
        )?;
        Ok(())
    }
}

/// One `"name": value,` line of the top-level object.
fn field<T: Serialize + ?Sized>(out: &mut impl Write, name: &str, value: &T) -> anyhow::Result<()> {
    writeln!(out, "  \"{name}\": {},", inert_json_line(value)?)?;
    Ok(())
}
