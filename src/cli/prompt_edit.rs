//! `temper prompt edit`: round-trip a version through `$EDITOR`, losing nothing on a bad edit.

use super::Ctx;
use crate::prompt::PromptFile;
use crate::store::Store;
use anyhow::{Context, bail};
use std::process::ExitCode;

/// Edit `reference` in the user's editor and save the result as a new version if it changed.
pub fn edit(
    store: &mut Store,
    ctx: &Ctx,
    reference: &str,
    message: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let version = store.resolve_str(reference)?;
    let mut file = super::prompt::as_file(&version);
    file.message = None;
    let Some(edited) = edit_in_editor(&file)? else {
        println!(
            "no change: {}@{} left as is",
            version.info.prompt, version.info.number
        );
        return Ok(ExitCode::SUCCESS);
    };
    if edited.name != version.info.prompt {
        bail!(
            "the edited file renames the prompt to {:?}; rename is not supported by edit (use `temper prompt new {} -f FILE`)",
            edited.name,
            edited.name
        );
    }
    let message = message
        .map(str::to_string)
        .or(edited.message.clone())
        .unwrap_or_else(|| format!("edited from @{}", version.info.number));
    let outcome = store.save_version(&edited.name, &edited.body, &message)?;
    super::prompt::report_save(ctx, &outcome)
}

/// Write `file` to a temp TOML file, open the editor, and parse what comes back.
///
/// Returns `None` when the text is unchanged. When the edited text does not parse, the file is
/// kept and the error names it, so the user's edit is never lost.
pub fn edit_in_editor(file: &PromptFile) -> anyhow::Result<Option<PromptFile>> {
    let original = file.to_toml();
    let tmp = tempfile::Builder::new()
        .prefix(&format!("temper-{}-", file.name.replace('/', "_")))
        .suffix(".toml")
        .tempfile()
        .context("creating a temp file for the editor")?;
    std::fs::write(tmp.path(), &original).context("writing the temp file")?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(tmp.path())
        .status()
        .with_context(|| format!("starting editor {editor:?} (set $EDITOR)"))?;
    if !status.success() {
        bail!("editor {editor:?} exited with {status}; nothing saved");
    }
    let text = std::fs::read_to_string(tmp.path()).context("reading the edited file")?;
    if text == original {
        return Ok(None);
    }
    match PromptFile::parse(&text, &tmp.path().display().to_string()) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(e) => {
            let (_, kept) = tmp.keep().context("keeping the edited file")?;
            bail!(
                "{e}\nyour edit is kept in {}; fix it and run `temper prompt new NAME -f {}` or edit again",
                kept.display(),
                kept.display()
            )
        }
    }
}
