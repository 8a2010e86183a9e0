//! What a user types around `temper run` that is not a flag of its own: `--var KEY=VALUE`
//! pairs, and sampling params tried as flags (`--temperature 0.5`), answered with the variant
//! form to use instead.

use anyhow::Context;
use std::collections::BTreeMap;

/// Sampling params a user may try as flags (`--temperature 0.5`); they are variant params.
const PARAM_FLAGS: &[&str] = &[
    "temperature",
    "top-p",
    "top_p",
    "max-tokens",
    "max_tokens",
    "seed",
    "stream",
    "response-format",
    "response_format",
];

/// For `temper run … --temperature 0.5` (an unknown flag that is a sampling param): the
/// variant form to use instead, rather than clap's unrelated "did you mean --theme".
pub(super) fn param_flag_hint(error: &clap::Error, args: &[String]) -> Option<String> {
    if error.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    args.iter().position(|a| a == "run")?;
    let (at, flag) = args.iter().enumerate().find_map(|(i, a)| {
        let name = a.strip_prefix("--")?;
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        PARAM_FLAGS
            .contains(&name)
            .then(|| (i, (name.replace('-', "_"), inline)))
    })?;
    let (key, inline) = flag;
    let value = inline
        .or_else(|| args.get(at + 1).filter(|v| !v.starts_with('-')).cloned())
        .unwrap_or_else(|| "VALUE".into());
    let model = args
        .iter()
        .zip(args.iter().skip(1))
        .find(|(a, _)| *a == "-m" || *a == "--model")
        .map_or("MODEL".to_string(), |(_, m)| m.clone());
    Some(format!(
        "--{} is not an option of temper run: sampling params go with the model, as a variant: -m \"{} {key}={value}\" (keys: temperature, top_p, max_tokens, seed, stream, response_format)",
        key.replace('_', "-"),
        crate::sanitize::one_line(&model)
    ))
}

/// `key=value` pairs from `--var`; the value may itself contain `=`.
pub(super) fn parse_vars(pairs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|pair| {
            let (k, v) = pair.split_once('=').with_context(|| {
                format!(
                    "--var expects KEY=VALUE, got {:?}",
                    crate::sanitize::one_line(pair)
                )
            })?;
            anyhow::ensure!(!k.trim().is_empty(), "--var {pair:?} has an empty key");
            Ok((k.trim().to_string(), v.to_string()))
        })
        .collect()
}
