//! `temper show-request RUN --cell C --sample I`: the exact request body a sample was sent with
//! (messages and params as the wire format carries them; never headers or keys), so what ran can
//! be replayed by hand with curl or compared with a server's logs.

use super::{Ctx, print_json};
use anyhow::Context;
use std::process::ExitCode;

/// Arguments of `temper show-request`.
#[derive(Debug, clap::Args)]
pub struct ShowRequestArgs {
    /// The run id (`12` or `#12`)
    pub run: String,
    /// The cell id, as `temper report RUN` lists it (`#3` or `3`)
    #[arg(long, value_name = "C")]
    pub cell: String,
    /// The sample index within the cell (from 0)
    #[arg(long, value_name = "I", default_value_t = 0)]
    pub sample: u32,
}

fn id(text: &str, what: &str) -> anyhow::Result<i64> {
    text.trim()
        .trim_start_matches('#')
        .parse()
        .with_context(|| format!("{what} {text:?} is not a number (e.g. 12 or #12)"))
}

/// Run `temper show-request`.
pub fn execute(args: &ShowRequestArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let run_id = id(&args.run, "run")?;
    let cell_id = id(&args.cell, "cell")?;
    let cells = store.cells(run_id)?;
    let Some(cell) = cells.iter().find(|c| c.id == cell_id) else {
        let ids: Vec<String> = cells.iter().map(|c| format!("#{}", c.id)).collect();
        anyhow::bail!(
            "run #{run_id} has no cell #{cell_id}; its cells are {} (see `temper report {run_id}`)",
            if ids.is_empty() {
                "none".to_string()
            } else {
                ids.join(", ")
            }
        );
    };
    let samples = store.samples(cell.id)?;
    anyhow::ensure!(
        samples.iter().any(|s| s.sample.idx == args.sample),
        "cell #{cell_id} has no sample {}; it has samples 0..{}",
        args.sample,
        samples.len()
    );
    let Some(request) = store.cell_request(cell.id)? else {
        anyhow::bail!(
            "run #{run_id} was stored by a temper that did not record requests; run it again to see what is sent"
        );
    };
    let body: serde_json::Value =
        serde_json::from_str(&request.request_json).context("the stored request is not JSON")?;
    if ctx.json {
        print_json(&serde_json::json!({
            "run_id": run_id,
            "cell_id": cell_id,
            "sample": args.sample,
            "params_sent": serde_json::from_str::<serde_json::Value>(&request.params_sent).ok(),
            "body": body,
        }))?;
    } else {
        let text = serde_json::to_string_pretty(&body).context("formatting the request")?;
        super::report::write_out(&format!("{}\n", crate::sanitize::for_display(&text)))?;
    }
    Ok(ExitCode::SUCCESS)
}
