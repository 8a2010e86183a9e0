//! `temper prompt diff A B`: word diff of two versions, the template and the rendered messages.

use super::prompt::as_file;
use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::prompt;
use crate::store::{Store, Version};
use anyhow::Context;
use serde_json::json;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Diff two versions: first the template (as its TOML file), then the messages rendered with
/// the same vars, so a change in `[vars]` defaults shows up where it matters.
pub(super) fn diff(
    store: &Store,
    ctx: &Ctx,
    a: &str,
    b: &str,
    vars: &[(String, String)],
) -> anyhow::Result<ExitCode> {
    use crate::analysis::worddiff::{has_changes, word_diff};
    let (va, vb) = (store.resolve_str(a)?, store.resolve_str(b)?);
    let template_text = |v: &Version| {
        let mut f = as_file(v);
        f.message = None;
        f.to_toml()
    };
    let template = word_diff(&template_text(&va), &template_text(&vb));
    let vars: BTreeMap<String, String> = vars.iter().cloned().collect();
    let rendered_text = |v: &Version| -> anyhow::Result<String> {
        let r = prompt::render(&v.body, &vars)
            .with_context(|| format!("rendering {}@{}", v.info.prompt, v.info.number))?;
        Ok(r.messages
            .iter()
            .map(|m| format!("[{}]\n{}\n", m.role.as_str(), m.display_text()))
            .collect())
    };
    let rendered = word_diff(&rendered_text(&va)?, &rendered_text(&vb)?);
    if ctx.json {
        print_json(&json!({
            "a": va.info, "b": vb.info,
            "template": template, "rendered": rendered,
            "changed": has_changes(&template),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let title = format!(
        "{}@{} -> {}@{}",
        va.info.prompt, va.info.number, vb.info.prompt, vb.info.number
    );
    println!("{}", paint(Tone::Strong, &format!("template  {title}")));
    if has_changes(&template) {
        println!("{}", super::style::word_diff(&template));
    } else {
        println!("(identical)");
    }
    println!("{}", paint(Tone::Strong, &format!("rendered  {title}")));
    if has_changes(&rendered) {
        println!("{}", super::style::word_diff(&rendered));
    } else {
        println!("(identical)");
    }
    Ok(ExitCode::SUCCESS)
}
