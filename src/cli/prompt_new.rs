//! `temper prompt new`: a first version from a file, from `--system`/`--user` text, or from a
//! skeleton edited in `$EDITOR` (an unchanged skeleton saves nothing, and says why).

use super::Ctx;
use crate::prompt::{self, PromptBody, PromptFile, Role};
use crate::store::{Reference, Store};
use anyhow::bail;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Create prompt `name` from a file, from --system/--user text, or from a skeleton in $EDITOR.
#[allow(clippy::too_many_arguments)]
pub(super) fn new(
    store: &mut Store,
    ctx: &Ctx,
    name: &str,
    file: Option<&PathBuf>,
    system: &Option<String>,
    user: &Option<String>,
    message: &Option<String>,
) -> anyhow::Result<ExitCode> {
    // Before the editor opens: a name that could leave an export directory is refused.
    crate::prompt::validate_name(name).map_err(|why| anyhow::anyhow!("{why}"))?;
    if store.resolve(&Reference::Latest(name.to_string())).is_ok() {
        bail!("prompt {name} already exists; use `temper prompt edit {name}`");
    }
    let body = if let Some(path) = file {
        from_file(path, name)?
    } else if system.is_some() || user.is_some() {
        let mut body = PromptBody::default();
        body.params.temperature = Some(0.0);
        for (role, text) in [(Role::System, system), (Role::User, user)] {
            if let Some(text) = text {
                body.messages.push(prompt::Message::new(role, text.clone()));
            }
        }
        body
    } else {
        let skeleton = PromptFile {
            name: name.to_string(),
            message: Some("first version".into()),
            labels: Vec::new(),
            body: PromptBody {
                params: prompt::Params {
                    temperature: Some(0.0),
                    max_tokens: Some(400),
                    ..Default::default()
                },
                messages: vec![
                    prompt::Message::new(Role::System, "You are a helpful assistant."),
                    prompt::Message::new(Role::User, "{{question}}"),
                ],
                vars: BTreeMap::from([("question".into(), "What is temper?".into())]),
                ..Default::default()
            },
        };
        match super::prompt_edit::edit_in_editor(&skeleton)? {
            Some(edited) => edited.body,
            None => bail!(
                "nothing saved: the skeleton came back unchanged, and temper saves only a prompt you wrote; fill it in, or use --system/--user TEXT or -f FILE"
            ),
        }
    };
    let message = message.clone().unwrap_or_else(|| "first version".into());
    let outcome = store.save_version(name, &body, &message)?;
    super::prompt::report_save(ctx, &outcome)
}

/// The body of a prompt file for `prompt new NAME -f FILE`: its `name` must be NAME (a
/// different one is a mistake, not a rename), and unclosed placeholders are warned about.
fn from_file(path: &std::path::Path, name: &str) -> anyhow::Result<PromptBody> {
    let (file, warnings) = PromptFile::read_checked(path)?;
    for w in &warnings {
        eprintln!("warning: {}", crate::sanitize::one_line(w));
    }
    if file.name != name {
        bail!(
            "{} names the prompt {:?}, not {name:?}: change `name` in the file, or run `temper prompt new {} -f {}`",
            path.display(),
            file.name,
            file.name,
            path.display()
        );
    }
    Ok(file.body)
}
