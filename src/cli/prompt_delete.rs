//! `temper prompt delete` and `temper prompt label … --delete`: removing things, saying what
//! goes. A prompt with runs is refused unless `--force`, since its samples go with it.

use super::{Ctx, print_json};
use crate::plural::count;
use crate::store::{Reference, Store};
use anyhow::bail;
use std::process::ExitCode;

/// Remove `label` from the prompt `reference` names (`label support-answer prod --delete`).
pub fn delete_label(
    store: &mut Store,
    ctx: &Ctx,
    reference: &str,
    label: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let Some(label) = label else {
        bail!("name the label to delete: `temper prompt label {reference} LABEL --delete`");
    };
    let name = Reference::parse(reference)?.name().to_string();
    let was = store.remove_label(&name, label)?;
    if ctx.json {
        print_json(&serde_json::json!({"prompt": name, "label": label, "deleted_from": was}))?;
    } else {
        println!("deleted label {label} of {name} (it pointed at @{was})");
    }
    Ok(ExitCode::SUCCESS)
}

/// Delete prompt `name`; refused when it has runs unless `force`, and the refusal counts what
/// would be lost.
pub fn delete_prompt(
    store: &mut Store,
    ctx: &Ctx,
    name: &str,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let usage = store.prompt_usage(name)?;
    if usage.runs > 0 && !force {
        bail!(
            "{name} has {} with {} stored; deleting it deletes them too. Keep them with `temper prompt export {name}` first if you like, then run `temper prompt delete {name} --force`",
            count(usage.runs, "run"),
            count(usage.samples, "sample")
        );
    }
    let deleted = store.delete_prompt(name)?;
    if ctx.json {
        print_json(&serde_json::json!({"prompt": name, "deleted": deleted}))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut line = format!(
        "deleted {name}: {}, {}",
        count(deleted.versions, "version"),
        count(deleted.labels, "label")
    );
    if deleted.cells > 0 {
        line.push_str(&format!(
            ", and {} of {} ({})",
            count(deleted.cells, "cell"),
            count(deleted.runs, "run"),
            count(deleted.samples, "sample")
        ));
    }
    println!("{}", crate::sanitize::one_line(&line));
    Ok(ExitCode::SUCCESS)
}
