//! `temper trace FILE --json`, written span by span to stdout instead of built as one JSON value
//! first: the value tree of every span and its pretty text cost several times the file (1.2 GB
//! for a 200 MB trace). Each piece is escaped like every `--json` output (see `print_json`).
//!
//! A temper or OpenInference JSONL file is not even loaded: it is read twice (`trace::stream`),
//! and each root's spans are checked by the detectors and turned into rows before the next
//! root is read. The rows wait in a temporary file until the totals of the head are known, and
//! the flags in a sorter until every root was read, so memory does not grow with the file.
//! Other formats, and `--logs`, load the whole trace; both give the same document, byte for
//! byte.

#[cfg(test)]
mod tests;

use super::{Totals, TraceArgs, totals};
use crate::cli::Ctx;
use crate::cli::output::inert_json_line;
use crate::cost::PriceBook;
use crate::trace::detectors::{self, Limits};
use crate::trace::index::Price;
use crate::trace::pricing::{SpanCost, span_costs};
use crate::trace::spill::{Record, Sorter, Spool};
use crate::trace::stream::{Batch, RootFacts, Seen, Stream, Summary, Tally};
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
    let mut flags = trace.flags.iter().map(|f| Ok(inert_json_line(f)?));
    let tail = Tail {
        warnings: &trace.warnings,
        bad_lines: trace.bad_lines,
        orphans: ids(&trace.orphans),
        cycles: ids(&trace.cycles),
    };
    tail.write(out, &mut flags)
}

/// `temper --json trace FILE` on a line-format file without loading it (see the module doc):
/// Some(true) when a detector raised a flag, None when the file is not a line format (the
/// caller loads it instead).
pub fn stream(args: &TraceArgs, ctx: &Ctx) -> anyhow::Result<Option<bool>> {
    // A broken price override must not stop trace inspection: estimates are simply absent.
    let book = PriceBook::load(&ctx.config, None).ok();
    let price = super::pricer(book.clone());
    let Some(stream) = Stream::open(args.path(), args.format)? else {
        return Ok(None);
    };
    let limits = super::limits(args, book);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let flagged = write_streamed(&mut out, stream, &limits, &price, args.path())?;
    out.flush()?;
    Ok(Some(flagged))
}

/// The document of a trace read root by root: batches of roots re-read, checked by the
/// detectors and turned into rows on a few threads, taken in order; the head once every root
/// was counted. True when there was any flag.
fn write_streamed(
    out: &mut impl Write,
    stream: Stream,
    limits: &Limits,
    price: Price,
    path: &Path,
) -> anyhow::Result<bool> {
    let mut taken = Taken::new(stream.budget());
    let mut failed = None;
    let produced = crate::trace::parallel::ordered_map(
        |send| -> anyhow::Result<()> {
            for batch in stream.batches()? {
                if !send(batch?) {
                    break;
                }
            }
            Ok(())
        },
        |batch| chunk(&stream, batch, limits, price),
        |chunk| {
            failed = chunk.and_then(|c| taken.take(c)).err();
            failed.is_none()
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    produced?;
    let summary = stream.summary(taken.totals)?;
    let format = stream.format();
    let rest = stream.finish(taken.seen)?;
    head(out, path, format, &totals_of(&summary))?;
    taken.rows.copy_to(out)?;
    // Stable: each span's flags came from one root, in the order a loaded trace has them.
    let flags = taken.flags.finish()?;
    let mut flags = flags.iter()?.map(|f| Ok(f?.json));
    let tail = Tail {
        warnings: &rest.warnings,
        bad_lines: rest.bad_lines,
        orphans: rest.orphans.iter().map(String::as_str).collect(),
        cycles: rest.cycles.iter().map(String::as_str).collect(),
    };
    tail.write(out, &mut flags)?;
    Ok(taken.flagged > 0)
}

/// What pass two's chunks left, taken in order, until the head can be written: the rows, the
/// flags, the ids the tail needs and the totals.
struct Taken {
    rows: Spool,
    flags: Sorter<FlagAt>,
    flagged: u64,
    seen: Seen,
    totals: Tally,
}

impl Taken {
    fn new(budget: crate::trace::spill::Budget) -> Taken {
        Taken {
            rows: Spool::new(budget, "hold the rows until the totals are known"),
            flags: Sorter::new(budget),
            flagged: 0,
            seen: Seen::default(),
            totals: Tally::new(budget),
        }
    }

    fn take(&mut self, c: Chunk) -> anyhow::Result<()> {
        let sep = if self.rows.is_empty() {
            "\n    "
        } else {
            ",\n    "
        };
        write!(self.rows, "{sep}")?;
        self.rows.write_all(&c.rows)?;
        for flag in c.flags {
            let json = inert_json_line(&flag)?;
            let (span, seq) = (flag.span as u32, self.flagged);
            self.flags.push(FlagAt { span, seq, json })?;
            self.flagged += 1;
        }
        self.seen.extend(c.seen);
        c.facts.into_iter().try_for_each(|f| self.totals.add(f))?;
        Ok(())
    }
}

/// A flag of span `span` as its JSON text, the `seq`th flag taken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FlagAt {
    span: u32,
    seq: u64,
    json: String,
}

impl Record for FlagAt {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.span.to_le_bytes());
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(self.json.as_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<FlagAt> {
        let (span, rest) = bytes.split_first_chunk()?;
        let (seq, json) = rest.split_first_chunk()?;
        Some(FlagAt {
            span: u32::from_le_bytes(*span),
            seq: u64::from_le_bytes(*seq),
            json: String::from_utf8(json.to_vec()).ok()?,
        })
    }
}

/// The rows of a batch of roots (without the separator before the first), their flags with
/// indices in the whole file, the ids the tail needs and what the totals need of each root.
struct Chunk {
    rows: Vec<u8>,
    flags: Vec<Flag>,
    seen: Seen,
    facts: Vec<RootFacts>,
}

fn chunk(stream: &Stream, batch: Batch, limits: &Limits, price: Price) -> anyhow::Result<Chunk> {
    let (mut rows, mut flags, mut facts, mut failed) = (Vec::new(), Vec::new(), Vec::new(), None);
    let seen = stream.read(batch, |mut root| {
        detectors::run(&mut root.trace, limits);
        let costs = span_costs(&root.trace, price);
        for (i, depth) in root.trace.walk() {
            let sep = if rows.is_empty() { "" } else { ",\n    " };
            if let Err(e) = row(&mut rows, sep, &root.trace.spans[i], depth, costs[i]) {
                failed.get_or_insert(e);
            }
        }
        facts.push(RootFacts::of(&root, &costs));
        let spans = &root.spans;
        let taken = std::mem::take(&mut root.trace.flags);
        flags.extend(taken.into_iter().map(|f| Flag {
            span: spans[f.span],
            ..f
        }));
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(Chunk {
            rows,
            flags,
            seen,
            facts,
        }),
    }
}

/// The head's totals counted root by root (the same figures `totals` counts on a loaded
/// trace).
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

/// What follows `spans`, but the flags (given to `write` as JSON texts, in order).
struct Tail<'a> {
    warnings: &'a [LoadWarning],
    bad_lines: usize,
    orphans: Vec<&'a str>,
    cycles: Vec<&'a str>,
}

impl Tail<'_> {
    fn write(
        &self,
        out: &mut impl Write,
        flags: &mut dyn Iterator<Item = anyhow::Result<String>>,
    ) -> anyhow::Result<()> {
        writeln!(out, "\n  ],")?;
        // The array `inert_json_line` would write, one flag at a time.
        write!(out, "  \"flags\": [")?;
        for (k, flag) in flags.enumerate() {
            let sep = if k == 0 { "" } else { "," };
            write!(out, "{sep}{}", flag?)?;
        }
        writeln!(out, "],")?;
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
