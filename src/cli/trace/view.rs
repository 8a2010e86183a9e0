//! Text rendering of `temper trace`: the tree summary and one span in full. Pure functions of
//! the loaded trace; every file string goes through `paint`, `one_line` or `for_display`.

use super::{TraceArgs, totals};
use crate::cli::style::{Tone, paint};
use crate::cost::format_usd;
use crate::sanitize::{for_display, one_line};
use crate::trace::Trace;
use crate::trace::detectors;
use crate::trace::pricing::{CostSource, SpanCost};
use std::fmt::Write as _;

/// The tree summary: header, one row per span (up to `--limit`), flags and load warnings.
pub fn summary(trace: &Trace, costs: &[Option<SpanCost>], args: &TraceArgs) -> String {
    let t = totals(trace, costs);
    let mut out = String::new();
    let mut head = format!(
        "{} · {} · {} · {}",
        trace.format,
        crate::plural::count(t.spans as u64, "span"),
        crate::plural::count(t.llm_calls as u64, "LLM call"),
        crate::plural::count(t.tool_calls as u64, "tool call")
    );
    if let Some(ms) = t.duration_ms {
        let _ = write!(head, " · {}", duration(ms));
    }
    if t.prompt_tokens.saturating_add(t.completion_tokens) > 0 {
        let _ = write!(
            head,
            " · {}→{} tokens",
            t.prompt_tokens, t.completion_tokens
        );
    }
    if let Some(cost) = t.cost_from_file {
        let _ = write!(head, " · {} (cost from file)", format_usd(cost));
    }
    if let Some(cost) = t.cost_estimated {
        let _ = write!(
            head,
            " · ≈{} (estimated from the price table)",
            format_usd(cost)
        );
    }
    let _ = writeln!(
        out,
        "{}  {}\n",
        paint(Tone::Strong, &args.path().display().to_string()),
        paint(Tone::Muted, &head)
    );
    let walk = trace.walk();
    for &(i, depth) in walk.iter().take(args.limit) {
        let mut line = row(trace, costs, i, depth);
        let kinds: Vec<&str> = trace.flags_of(i).iter().map(|f| f.kind.as_str()).collect();
        if !kinds.is_empty() {
            let _ = write!(
                line,
                "  {}",
                paint(Tone::Removed, &format!("! {}", kinds.join(", ")))
            );
        }
        let _ = writeln!(out, "{line}");
    }
    if walk.len() > args.limit {
        let _ = writeln!(
            out,
            "{}",
            paint(
                Tone::Muted,
                &format!(
                    "… {} more spans (raise --limit, or use --json)",
                    walk.len() - args.limit
                )
            )
        );
    }
    let _ = writeln!(out);
    if trace.flags.is_empty() {
        let _ = writeln!(out, "{}", paint(Tone::Good, "no flags"));
    } else {
        let _ = writeln!(
            out,
            "{}",
            paint(Tone::Strong, &format!("flags ({})", trace.flags.len()))
        );
        for f in &trace.flags {
            let span = &trace.spans[f.span];
            let _ = writeln!(
                out,
                "  [{}] {} ({}): {}",
                f.kind.as_str(),
                one_line(&span.id),
                one_line(&span.name),
                one_line(&f.reason)
            );
        }
    }
    if trace.bad_lines > 0 || !trace.warnings.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                Tone::Removed,
                &format!(
                    "\n{} bad lines skipped; warnings ({}):",
                    trace.bad_lines,
                    trace.warnings.len()
                )
            )
        );
        for w in trace.warnings.iter().take(20) {
            let place = match (w.line, w.column) {
                (0, _) => String::new(),
                (l, Some(c)) => format!("{}:{l}:{c}: ", args.path().display()),
                (l, None) => format!("{}:{l}: ", args.path().display()),
            };
            let _ = writeln!(out, "  {place}{}", one_line(&w.message));
        }
    }
    out
}

fn row(trace: &Trace, costs: &[Option<SpanCost>], i: usize, depth: usize) -> String {
    let s = &trace.spans[i];
    let mut line = format!(
        "{}{:<9} {}",
        "  ".repeat(depth),
        s.kind.as_str(),
        paint(Tone::Strong, &one_line(&s.name))
    );
    let _ = write!(
        line,
        " {}",
        paint(Tone::Muted, &format!("[{}]", one_line(&s.id)))
    );
    if let Some(model) = &s.model {
        let _ = write!(line, " {}", one_line(model));
    }
    if let Some(ms) = s.duration_ms() {
        let _ = write!(line, "  {}", duration(ms));
    }
    if let Some(u) = &s.usage {
        let _ = match (u.prompt_tokens, u.completion_tokens) {
            (Some(p), Some(c)) => write!(line, "  {p}→{c} tok"),
            (p, c) => write!(line, "  {} tok", p.or(c).or(u.total_tokens).unwrap_or(0)),
        };
    }
    if let Some(cost) = costs[i] {
        let _ = write!(line, "  {}", shown(cost));
    }
    if !s.documents.is_empty() {
        let best = s
            .documents
            .iter()
            .filter_map(|d| d.score)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let _ = write!(line, "  {} docs", s.documents.len());
        if let Some(b) = best {
            let _ = write!(line, " (best {b:.2})");
        }
    }
    if let Some(tool) = &s.tool {
        let args = tool
            .arguments
            .as_deref()
            .map(|a| detectors::clip(&one_line(a), 60))
            .unwrap_or_default();
        let _ = write!(line, "  {}({args})", one_line(&tool.name));
    }
    if s.failed() {
        let _ = write!(line, "  {}", paint(Tone::Removed, "ERROR"));
    }
    line
}

/// One span in full: fields, input, output, every chunk and the tool call, then its flags.
pub fn span_detail(trace: &Trace, costs: &[Option<SpanCost>], i: usize) -> String {
    let s = &trace.spans[i];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {}",
        paint(Tone::Strong, &format!("span {}", one_line(&s.id))),
        s.kind.as_str(),
        paint(Tone::Strong, &one_line(&s.name))
    );
    let mut field = |label: &str, value: String| {
        let _ = writeln!(out, "  {:<9}{}", paint(Tone::Muted, label), value);
    };
    if let Some(p) = trace.parent[i] {
        field(
            "parent",
            format!(
                "{} ({})",
                one_line(&trace.spans[p].id),
                one_line(&trace.spans[p].name)
            ),
        );
    } else if let Some(p) = &s.parent {
        field("parent", format!("{} (not in the file)", one_line(p)));
    }
    if let (Some(start), Some(ms)) = (s.start, s.duration_ms()) {
        field("time", format!("{start} ({})", duration(ms)));
    }
    field("status", format!("{:?}", s.status).to_lowercase());
    if let Some(m) = &s.model {
        field("model", one_line(m));
    }
    if let Some(u) = &s.usage {
        field(
            "usage",
            format!(
                "{} prompt + {} completion = {} tokens",
                u.prompt_tokens.unwrap_or(0),
                u.completion_tokens.unwrap_or(0),
                u.total().unwrap_or(0)
            ),
        );
    }
    match costs[i] {
        Some(
            c @ SpanCost {
                source: CostSource::File,
                ..
            },
        ) => field("cost", format!("{} (from file)", shown(c))),
        Some(c) => field(
            "cost",
            format!(
                "{} (estimated from the price table; the file has none)",
                shown(c)
            ),
        ),
        None => {}
    }
    if let Some(e) = &s.error {
        field("error", paint(Tone::Removed, e));
    }
    block(&mut out, "input", s.input.as_deref());
    block(&mut out, "output", s.output.as_deref());
    if !s.documents.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(Tone::Strong, &format!("documents ({})", s.documents.len()))
        );
        for (n, d) in s.documents.iter().enumerate() {
            let score = d.score.map_or("-".into(), |x| format!("{x:.3}"));
            let _ = writeln!(
                out,
                "  #{} {}  score {score}  source {}",
                n + 1,
                one_line(d.id.as_deref().unwrap_or("(no id)")),
                one_line(d.source.as_deref().unwrap_or("-"))
            );
            if let Some(c) = &d.content {
                let _ = writeln!(out, "{}", indent(&for_display(c), 5));
            }
        }
    }
    if let Some(t) = &s.tool {
        let _ = writeln!(out, "{} {}", paint(Tone::Strong, "tool"), one_line(&t.name));
        block(&mut out, "arguments", t.arguments.as_deref());
        block(&mut out, "result", t.result.as_deref());
    }
    let flags = trace.flags_of(i);
    if !flags.is_empty() {
        let _ = writeln!(out, "{}", paint(Tone::Strong, "flags"));
        for f in flags {
            let _ = writeln!(
                out,
                "  {} {}",
                paint(Tone::Removed, &format!("[{}]", f.kind.as_str())),
                one_line(&f.reason)
            );
        }
    }
    out
}

fn block(out: &mut String, label: &str, text: Option<&str>) {
    if let Some(text) = text {
        let _ = writeln!(
            out,
            "{}\n{}",
            paint(Tone::Strong, label),
            indent(&for_display(text), 2)
        );
    }
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

/// A cost as shown in rows: the file's as is, an estimate with `≈`.
fn shown(cost: SpanCost) -> String {
    match cost.source {
        CostSource::File => format_usd(cost.usd),
        CostSource::PriceTable => format!("≈{}", format_usd(cost.usd)),
    }
}
