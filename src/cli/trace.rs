//! `temper trace FILE`: the span tree with kinds, timings, tokens and the file's own cost, the
//! detector flags with reasons, and `--span ID` for one span in full. Every string from the file
//! is untrusted and goes through the sanitiser (via `paint` or `clean`) before it is printed.

use super::style::{Tone, paint};
use super::{Ctx, EXIT_CHECK_FAILED, print_json};
use crate::sanitize::{for_display, one_line};
use crate::trace::detectors::{self, Limits};
use crate::trace::{Format, Span, SpanKind, Trace};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `temper trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Trace file (temper JSONL, OpenInference/Phoenix, OTLP JSON, Langfuse export)
    pub file: PathBuf,
    /// Format of the file [default: detected from the content]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Print one span in full: input, output, chunks and tool call
    #[arg(long, value_name = "ID")]
    pub span: Option<String>,
    /// Print at most this many tree rows
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    /// Flag agents (or traces) with more LLM + tool calls than this
    #[arg(long, default_value_t = 25)]
    pub max_steps: usize,
    /// Flag retrievals whose scores are all below this
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f64,
    /// Exit 1 when any detector raised a flag (for CI)
    #[arg(long)]
    pub fail_on_flags: bool,
}

/// Run `temper trace`.
pub fn execute(args: &TraceArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut trace = crate::trace::load(&args.file, args.format)?;
    let limits = Limits {
        max_steps: args.max_steps,
        min_score: args.min_score,
        ..Limits::default()
    };
    detectors::run(&mut trace, &limits);
    if let Some(id) = &args.span {
        let Some(i) = trace.find(id) else {
            anyhow::bail!(
                "no span with id {:?} in {}; run `temper trace {}` to list the ids",
                one_line(id),
                args.file.display(),
                args.file.display()
            );
        };
        if ctx.json {
            let flags: Vec<_> = trace.flags_of(i).collect();
            let children: Vec<&str> = trace.children[i]
                .iter()
                .map(|&c| trace.spans[c].id.as_str())
                .collect();
            print_json(&json!({"span": trace.spans[i], "children": children, "flags": flags}))?;
        } else {
            print!("{}", span_detail(&trace, i));
        }
    } else if ctx.json {
        print_json(&summary_json(&trace, args))?;
    } else {
        print!("{}", summary(&trace, args));
    }
    let flagged = args.fail_on_flags && !trace.flags.is_empty();
    Ok(if flagged {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn summary_json(trace: &Trace, args: &TraceArgs) -> serde_json::Value {
    let spans: Vec<_> = trace
        .walk()
        .into_iter()
        .map(|(i, depth)| {
            let mut v = serde_json::to_value(&trace.spans[i]).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("depth".into(), depth.into());
                o.insert("duration_ms".into(), json!(trace.spans[i].duration_ms()));
            }
            v
        })
        .collect();
    let ids = |list: &[usize]| {
        list.iter()
            .map(|&i| trace.spans[i].id.clone())
            .collect::<Vec<_>>()
    };
    json!({
        "file": args.file,
        "format": trace.format,
        "totals": totals(trace),
        "spans": spans,
        "flags": trace.flags,
        "warnings": trace.warnings,
        "bad_lines": trace.bad_lines,
        "orphans": ids(&trace.orphans),
        "cycles": ids(&trace.cycles),
    })
}

#[derive(serde::Serialize)]
struct Totals {
    spans: usize,
    llm_calls: usize,
    tool_calls: usize,
    prompt_tokens: u64,
    completion_tokens: u64,
    /// Sum of the costs the file itself recorded (None when it recorded none).
    cost_from_file: Option<f64>,
    duration_ms: Option<f64>,
}

fn totals(trace: &Trace) -> Totals {
    let llm = trace.spans.iter().filter(|s| s.kind == SpanKind::Llm);
    let costs: Vec<f64> = llm.clone().filter_map(|s| s.cost).collect();
    let usage = |f: fn(&crate::trace::Usage) -> Option<u64>| {
        llm.clone()
            .filter_map(|s| s.usage.as_ref().and_then(f))
            .sum::<u64>()
    };
    let start = trace.spans.iter().filter_map(|s| s.start).min();
    let end = trace.spans.iter().filter_map(|s| s.end).max();
    Totals {
        spans: trace.spans.len(),
        llm_calls: llm.clone().count(),
        tool_calls: trace.spans.iter().filter(|s| s.tool.is_some()).count(),
        prompt_tokens: usage(|u| u.prompt_tokens),
        completion_tokens: usage(|u| u.completion_tokens),
        cost_from_file: (!costs.is_empty()).then(|| costs.iter().sum()),
        duration_ms: Span {
            start,
            end,
            ..Span::default()
        }
        .duration_ms(),
    }
}

fn summary(trace: &Trace, args: &TraceArgs) -> String {
    let t = totals(trace);
    let mut out = String::new();
    let mut head = format!(
        "{} · {} spans · {} LLM calls · {} tool calls",
        trace.format, t.spans, t.llm_calls, t.tool_calls
    );
    if let Some(ms) = t.duration_ms {
        let _ = write!(head, " · {}", duration(ms));
    }
    if t.prompt_tokens + t.completion_tokens > 0 {
        let _ = write!(
            head,
            " · {}→{} tokens",
            t.prompt_tokens, t.completion_tokens
        );
    }
    if let Some(cost) = t.cost_from_file {
        let _ = write!(head, " · {} (cost from file)", money(cost));
    }
    let _ = writeln!(
        out,
        "{}  {}\n",
        paint(Tone::Strong, &args.file.display().to_string()),
        paint(Tone::Muted, &head)
    );
    let walk = trace.walk();
    for &(i, depth) in walk.iter().take(args.limit) {
        let mut line = row(trace, i, depth);
        let kinds: Vec<&str> = trace.flags_of(i).map(|f| f.kind.as_str()).collect();
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
                (l, Some(c)) => format!("{}:{l}:{c}: ", args.file.display()),
                (l, None) => format!("{}:{l}: ", args.file.display()),
            };
            let _ = writeln!(out, "  {place}{}", one_line(&w.message));
        }
    }
    out
}

fn row(trace: &Trace, i: usize, depth: usize) -> String {
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
    if let Some(cost) = s.cost {
        let _ = write!(line, "  {}", money(cost));
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

fn span_detail(trace: &Trace, i: usize) -> String {
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
    if let Some(c) = s.cost {
        field("cost", format!("{} (from file)", money(c)));
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
    let flags: Vec<_> = trace.flags_of(i).collect();
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

/// Dollars with enough digits to show sub-cent LLM calls.
fn money(usd: f64) -> String {
    if usd >= 0.01 {
        format!("${usd:.4}")
    } else {
        format!("${usd:.6}")
    }
}
