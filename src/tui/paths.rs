//! Tab completion of file paths for the TUI's path inputs. It reads directories, so only the
//! worker calls it (a view never does I/O); the matching itself is pure and tested here.

use std::path::Path;

/// `text` completed as far as the file system allows: the one entry of its directory that
/// starts with the typed name (a directory gets a trailing `/`), or the longest prefix all
/// such entries share. Unchanged when nothing matches or the directory cannot be read.
pub fn complete(text: &str) -> String {
    let (dir, typed) = match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    };
    let expanded = expand_home(dir);
    let read_from = if expanded.is_empty() { "." } else { &expanded };
    let Ok(entries) = std::fs::read_dir(read_from) else {
        return text.to_string();
    };
    let names: Vec<(String, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir())
                || Path::new(read_from).join(&name).is_dir();
            Some((name, is_dir))
        })
        .collect();
    format!("{dir}{}", extend(typed, &names))
}

/// The completion of `typed` among `names` (name, is a directory); hidden entries only when
/// `typed` starts with a dot.
pub fn extend(typed: &str, names: &[(String, bool)]) -> String {
    let hits: Vec<&(String, bool)> = names
        .iter()
        .filter(|(n, _)| n.starts_with(typed) && (typed.starts_with('.') || !n.starts_with('.')))
        .collect();
    match hits.as_slice() {
        [] => typed.to_string(),
        [(name, true)] => format!("{name}/"),
        [(name, false)] => name.clone(),
        many => many
            .iter()
            .skip(1)
            .fold(many[0].0.clone(), |common, (n, _)| {
                common
                    .chars()
                    .zip(n.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            }),
    }
}

fn expand_home(dir: &str) -> String {
    match (dir.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => dir.to_string(),
    }
}

#[cfg(test)]
#[path = "paths_tests.rs"]
mod tests;
