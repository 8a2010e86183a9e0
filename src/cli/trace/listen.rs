//! `temper trace --listen [ADDR]`: run the OTLP/HTTP receiver and, headless, print one line per
//! trace each time spans of it arrive (flags included), until SIGINT or SIGTERM. `--save FILE`
//! appends every span as temper JSONL, flushed per request, so `temper trace FILE` reopens the
//! session. Everything from the wire is untrusted and sanitised before it is printed.

use super::{TraceArgs, limits, pricer, totals};
use crate::cli::Ctx;
use crate::cost::PriceBook;
use crate::sanitize::one_line;
use crate::trace::Usage;
use crate::trace::detectors::{self, Limits};
use crate::trace::pricing::span_costs;
use crate::trace::receiver::{self, Config, CountersSnapshot, LiveTraces, Receiver, Update};
use anyhow::Context as _;
use serde_json::json;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;

/// Run the receiver until a signal; see the module doc.
pub fn execute(args: &TraceArgs, addr: &str, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let addr = parse_addr(addr)?;
    if !receiver::is_loopback(&addr) {
        eprintln!(
            "warning: listening on {addr}, which other machines can reach; the receiver has no authentication, so anyone there can send spans"
        );
    }
    let save = match &args.save {
        Some(path) => Some(open_save(path)?),
        None => None,
    };
    let config = Config {
        addr,
        max_body: args.max_body.saturating_mul(1024 * 1024),
        ..Config::default()
    };
    let runtime = crate::tui::runtime()?;
    if !args.headless && std::io::stdout().is_terminal() {
        return live_view(args, runtime, config, save, ctx);
    }
    runtime.block_on(headless(args, config, save, ctx))?;
    Ok(ExitCode::SUCCESS)
}

/// The Trace view fed live: the receiver starts first (a port in use is an error on the plain
/// terminal), then the TUI takes the terminal until the user quits.
fn live_view(
    args: &TraceArgs,
    runtime: tokio::runtime::Runtime,
    config: Config,
    save: Option<BufWriter<File>>,
    ctx: &Ctx,
) -> anyhow::Result<ExitCode> {
    let receiver = runtime.block_on(Receiver::start(config))?;
    let counters = receiver.counters();
    let book = PriceBook::load(&ctx.config, None).ok();
    let feed = crate::tui::live::Feed {
        receiver,
        max_spans: args.max_spans,
        limits: limits(args, book),
        save,
    };
    let options = crate::tui::Options {
        db_path: ctx.db_path.clone(),
        theme: ctx.theme.clone(),
        keys: ctx.config.ui.keys.clone(),
        config: ctx.config.clone(),
        trace: None,
    };
    crate::tui::run_live(runtime, options, feed)?;
    eprintln!("temper: stopped; {}", counts(&counters.snapshot()));
    Ok(ExitCode::SUCCESS)
}

/// `ADDR` as `host:port`, or a bare port on loopback.
fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .with_context(|| {
            format!(
                "--listen {:?} is not an address; give host:port, e.g. 127.0.0.1:4318, or a port",
                one_line(text)
            )
        })
}

fn open_save(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open --save file {} for appending", path.display()))?;
    Ok(BufWriter::new(file))
}

async fn headless(
    args: &TraceArgs,
    config: Config,
    mut save: Option<BufWriter<File>>,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let stop = stop_signal()?;
    let mut rx = Receiver::start(config).await?;
    eprintln!(
        "temper: receiving OTLP/HTTP on http://{} (POST /v1/traces, /v1/logs); Ctrl-C to stop",
        rx.addr()
    );
    let mut live = LiveTraces::new(args.max_spans, rx.counters());
    let book = PriceBook::load(&ctx.config, None).ok();
    let out = Printer {
        limits: limits(args, book.clone()),
        price: Box::new(pricer(book)),
        json: ctx.json,
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            batch = rx.next() => match batch {
                Some(batch) => take(&mut live, batch, &mut save, &out)?,
                None => break,
            },
            () = &mut stop => {
                rx.shutdown().await;
                while let Some(batch) = rx.next().await {
                    take(&mut live, batch, &mut save, &out)?;
                }
                break;
            }
        }
    }
    if let Some(file) = save.as_mut() {
        file.flush().context("cannot flush the --save file")?;
    }
    eprintln!("temper: stopped; {}", counts(&rx.counters().snapshot()));
    Ok(())
}

/// A future that resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed before it
/// returns, so a signal sent as soon as the banner is printed is not missed.
fn stop_signal() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn take(
    live: &mut LiveTraces,
    batch: receiver::Batch,
    save: &mut Option<BufWriter<File>>,
    out: &Printer,
) -> anyhow::Result<()> {
    let update = live.ingest(batch);
    if let Some(file) = save.as_mut() {
        crate::trace::write_jsonl(&update.new_spans, &mut *file)
            .context("cannot write to the --save file")?;
    }
    out.print(live, &update);
    Ok(())
}

/// The price of a span's usage from the price table (see `pricer`).
type Price = Box<dyn Fn(&str, &Usage) -> Option<f64>>;

/// How a line per trace is made.
struct Printer {
    limits: Limits,
    price: Price,
    json: bool,
}

impl Printer {
    fn print(&self, live: &LiveTraces, update: &Update) {
        let mut stdout = std::io::stdout().lock();
        for (id, new) in &update.touched {
            let Some(found) = live.get(id) else {
                continue;
            };
            let line = self.line(found, *new);
            // A closed stdout (a pipe to `head`) must not stop the receiver.
            let _ = writeln!(stdout, "{line}");
        }
        let _ = stdout.flush();
    }

    fn line(&self, found: &receiver::LiveTrace, new: usize) -> String {
        let mut trace = found.build();
        detectors::run(&mut trace, &self.limits);
        let costs = span_costs(&trace, &*self.price);
        let t = totals(&trace, &costs);
        let root = trace
            .roots
            .first()
            .map(|&i| trace.spans[i].name.as_str())
            .unwrap_or_default();
        if self.json {
            return json!({
                "trace_id": found.id,
                "root": root,
                "new_spans": new,
                "totals": t,
                "flags": trace.flags,
            })
            .to_string();
        }
        let mut line = format!(
            "{}  {}  {} spans (+{new}) · {} LLM calls · {} tool calls · {}→{} tokens",
            one_line(&found.id),
            one_line(root),
            t.spans,
            t.llm_calls,
            t.tool_calls,
            t.prompt_tokens,
            t.completion_tokens
        );
        let cost = t.cost_from_file.or(t.cost_estimated);
        if let Some(usd) = cost {
            line.push_str(&format!(" · ${usd:.6}"));
        }
        if !trace.flags.is_empty() {
            line.push_str(&format!("  ! {}", flag_kinds(&trace.flags)));
        }
        line
    }
}

/// `tool-error ×2, orphan`: each kind once, in first-seen order, with its count.
fn flag_kinds(flags: &[crate::trace::Flag]) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for f in flags {
        match kinds.iter_mut().find(|(k, _)| *k == f.kind.as_str()) {
            Some((_, n)) => *n += 1,
            None => kinds.push((f.kind.as_str(), 1)),
        }
    }
    let shown: Vec<String> = kinds
        .into_iter()
        .map(|(k, n)| {
            if n > 1 {
                format!("{k} ×{n}")
            } else {
                k.to_string()
            }
        })
        .collect();
    shown.join(", ")
}

fn counts(c: &CountersSnapshot) -> String {
    format!(
        "{} spans received, {} rejected, {} dropped by the span cap; {} log records; {} requests refused",
        c.spans_received, c.spans_rejected, c.spans_dropped, c.logs_received, c.requests_refused
    )
}
