//! `temper trace FILE --json`, written span by span to stdout instead of built as one JSON value
//! first: the value tree of every span and its pretty text cost several times the file (1.2 GB
//! for a 200 MB trace). Each piece is escaped like every `--json` output (see `print_json`).

use super::{TraceArgs, totals};
use crate::cli::output::inert_json_line;
use crate::trace::pricing::SpanCost;
use crate::trace::{Span, Trace};
use serde::Serialize;
use std::io::{BufWriter, Write};

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
/// flags, warnings, orphans, cycles) to stdout, one span at a time.
pub fn write(trace: &Trace, costs: &[Option<SpanCost>], args: &TraceArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let ids = |list: &[usize]| -> Vec<&str> {
        list.iter().map(|&i| trace.spans[i].id.as_str()).collect()
    };
    writeln!(out, "{{")?;
    field(&mut out, "file", &args.path())?;
    field(&mut out, "format", &trace.format)?;
    field(&mut out, "totals", &totals(trace, costs))?;
    write!(out, "  \"spans\": [")?;
    for (k, (i, depth)) in trace.walk().into_iter().enumerate() {
        let row = Row {
            span: &trace.spans[i],
            depth,
            duration_ms: trace.spans[i].duration_ms(),
            cost_shown: costs.get(i).copied().flatten(),
        };
        let sep = if k == 0 { "\n    " } else { ",\n    " };
        write!(out, "{sep}{}", inert_json_line(&row)?)?;
    }
    writeln!(out, "\n  ],")?;
    field(&mut out, "flags", &trace.flags)?;
    field(&mut out, "warnings", &trace.warnings)?;
    field(&mut out, "bad_lines", &trace.bad_lines)?;
    field(&mut out, "orphans", &ids(&trace.orphans))?;
    write!(
        out,
        "  \"cycles\": {}\n}}\n",
        inert_json_line(&ids(&trace.cycles))?
    )?;
    out.flush()?;
    Ok(())
}

/// One `"name": value,` line of the top-level object.
fn field<T: Serialize + ?Sized>(out: &mut impl Write, name: &str, value: &T) -> anyhow::Result<()> {
    writeln!(out, "  \"{name}\": {},", inert_json_line(value)?)?;
    Ok(())
}
