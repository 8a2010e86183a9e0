//! `temper replay TRACE… --to-session FILE`: the LLM calls of traces become a regression set
//! for `temper check` (docs/replay.md). Every span is checked before anything is saved.

use super::{Ctx, print_json};
use crate::replay::{self, Replayable, SetEntry, Skipped};
use crate::runner::{self, Variant};
use crate::sanitize::one_line;
use crate::trace::Trace;
use std::path::Path;
use std::process::ExitCode;

/// A span picked for the set: the trace it came from, its request and its recorded answer.
struct Picked {
    trace: String,
    replay: Replayable,
    output: String,
}

/// Run `temper replay … --to-session FILE`.
pub fn execute(
    args: &super::replay::ReplayArgs,
    out: &Path,
    ctx: &Ctx,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.samples >= 1, "-n must be at least 1");
    crate::fsio::check_output(out, &ctx.db_path, false, "session file", |head| {
        String::from_utf8_lossy(head).contains("[[variants]]")
    })?;
    let mut traces = Vec::new();
    for file in &args.files {
        traces.push((
            file.display().to_string(),
            crate::trace::load(file, args.format)?,
        ));
    }
    let (picked, skipped) = if args.span.is_empty() {
        every_llm_span(&traces)
    } else {
        (named_spans(&traces, &args.span)?, Vec::new())
    };
    if picked.is_empty() {
        let why: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.span, s.why))
            .collect();
        anyhow::bail!(
            "no LLM span with captured messages and a recorded answer in {}; {}",
            args.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if why.is_empty() {
                "the traces hold no LLM span".into()
            } else {
                why.join("; ")
            }
        );
    }
    if args.name.is_some() && picked.len() > 1 {
        anyhow::bail!(
            "--as names one prompt but {} spans were picked: drop --as (each span is saved as replay-<span id prefix>)",
            picked.len()
        );
    }
    let variants = variants_of(&picked, &args.models, ctx)?;
    let names: Vec<String> = picked
        .iter()
        .map(|p| {
            args.name
                .clone()
                .unwrap_or_else(|| replay::default_name(&p.replay.span_id))
        })
        .collect();
    for name in &names {
        crate::prompt::validate_name(name).map_err(|why| anyhow::anyhow!("--as: {why}"))?;
    }
    let mut store = ctx.open_store()?;
    let mut entries = Vec::new();
    for (p, name) in picked.iter().zip(&names) {
        let version = replay::save(&mut store, name, &p.replay, Path::new(&p.trace))?;
        entries.push(SetEntry {
            trace: p.trace.clone(),
            span_id: p.replay.span_id.clone(),
            prompt: version.prompt,
            number: version.number,
            output: p.output.clone(),
        });
    }
    let stem = out
        .file_stem()
        .map_or("replay".into(), |s| s.to_string_lossy().into_owned());
    let text = replay::session_text(&stem, args.samples, &entries, &variants);
    crate::session::Session::parse(&text, out)?;
    crate::fsio::write_atomic(out, |w| w.write_all(text.as_bytes()))?;
    report(out, &entries, &variants, &skipped, ctx)?;
    Ok(ExitCode::SUCCESS)
}

/// Every LLM span that can be replayed, and the ones that cannot with why.
fn every_llm_span(traces: &[(String, Trace)]) -> (Vec<Picked>, Vec<Skipped>) {
    let (mut picked, mut skipped) = (Vec::new(), Vec::new());
    for (file, trace) in traces {
        for span in replay::llm_spans(trace) {
            match pick(file, span) {
                Ok(p) => picked.push(p),
                Err(e) => skipped.push(Skipped {
                    trace: file.clone(),
                    span: span.id.to_string(),
                    why: e.to_string(),
                }),
            }
        }
    }
    (picked, skipped)
}

/// The spans `--span` names, each found in the first trace holding it; any refusal is an error.
fn named_spans(traces: &[(String, Trace)], ids: &[String]) -> anyhow::Result<Vec<Picked>> {
    let mut picked: Vec<Picked> = Vec::new();
    for id in ids {
        let mut found = None;
        for (file, trace) in traces {
            match replay::find(trace, id, file) {
                Ok(span) => {
                    found = Some(pick(file, span)?);
                    break;
                }
                Err(replay::ReplayError::NoSpan { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        let Some(p) = found else {
            let files: Vec<&str> = traces.iter().map(|(f, _)| f.as_str()).collect();
            anyhow::bail!(
                "no span {id:?} in {}: list the spans with `temper trace FILE`",
                files.join(", ")
            );
        };
        if !picked.iter().any(|q| q.replay.span_id == p.replay.span_id) {
            picked.push(p);
        }
    }
    Ok(picked)
}

fn pick(file: &str, span: &crate::trace::Span) -> anyhow::Result<Picked> {
    let replay = replay::prepare(span)?;
    let output = replay.request.output.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "span {} recorded no output to hold the replay to: the instrumentation did not capture the answer (enable output capture)",
            span.id
        )
    })?;
    Ok(Picked {
        trace: file.to_string(),
        replay,
        output,
    })
}

/// `--model` variants, else every recorded model once; each must be served by a provider.
fn variants_of(picked: &[Picked], models: &[String], ctx: &Ctx) -> anyhow::Result<Vec<Variant>> {
    let registry = runner::registry(&ctx.config, &ctx.db_path);
    let mut out: Vec<Variant> = Vec::new();
    for p in picked {
        for v in replay::variants(&p.replay, models, &registry)? {
            if !out.iter().any(|o| o.name == v.name) {
                out.push(v);
            }
        }
        if !models.is_empty() {
            break;
        }
    }
    Ok(out)
}

fn report(
    out: &Path,
    entries: &[SetEntry],
    variants: &[Variant],
    skipped: &[Skipped],
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let prompts: Vec<String> = entries
        .iter()
        .map(|e| format!("{}@{}", e.prompt, e.number))
        .collect();
    let models: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    if ctx.json {
        return print_json(&serde_json::json!({
            "session": out.display().to_string(),
            "prompts": prompts,
            "spans": entries.iter().map(|e| &e.span_id).collect::<Vec<_>>(),
            "variants": models,
            "skipped": skipped,
        }));
    }
    println!(
        "wrote {}: {} recorded call(s) ({}) on {}",
        one_line(&out.display().to_string()),
        entries.len(),
        one_line(&prompts.join(", ")),
        one_line(&models.join(", "))
    );
    for s in skipped {
        println!("  skipped span {}: {}", one_line(&s.span), one_line(&s.why));
    }
    println!(
        "run it with: temper check {}",
        one_line(&out.display().to_string())
    );
    Ok(())
}
