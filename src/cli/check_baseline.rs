//! `temper check --baseline REF`: run (or reuse a stored run of) the session's prompts at `REF`
//! and list what the candidate does worse (see `crate::session::baseline`).

use super::Ctx;
use super::style::{Tone, paint};
use crate::sanitize::one_line;
use crate::session::baseline::{self, Comparison};
use crate::session::{Resolved, RunVerdict, Session};
use anyhow::Context;
use serde::Serialize;

/// The baseline a candidate was compared with, and what came out.
#[derive(Debug, Serialize)]
pub(super) struct Against {
    /// `REF` as given (`prod`, `3`).
    pub reference: String,
    /// `name@N` of each baseline prompt version.
    pub prompts: Vec<String>,
    pub run_id: i64,
    /// Whether a stored run was reused (else the baseline was run now).
    pub reused: bool,
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// A baseline resolved before anything runs: its versions, and the stored run to reuse.
pub(super) struct Prepared {
    reference: String,
    base: Resolved,
    found: Option<i64>,
}

/// Resolve `reference` for the session's prompts and look for a stored baseline run; a bad
/// reference, or `--no-run` with no stored run, fails here, before any call.
pub(super) fn prepare(
    reference: &str,
    (session, resolved): (&Session, &Resolved),
    no_run: bool,
    ctx: &Ctx,
) -> anyhow::Result<Prepared> {
    let store = ctx.open_store()?;
    let base = baseline::versions(&store, resolved, reference)
        .map_err(|e| anyhow::anyhow!("--baseline {reference}: {e}"))?;
    let plan = crate::session::plan(session, &base, &ctx.config.run);
    let found = baseline::compatible_run(&store, &plan).context("looking for a baseline run")?;
    if found.is_none() && no_run {
        anyhow::bail!(
            "--no-run: no stored run of {} has the session's variants, cases and {} per case; run `temper check {} --baseline {reference}` without --no-run to run the baseline now",
            labels(&base).join(", "),
            crate::plural::count(u64::from(plan.samples), "sample"),
            session.path.display()
        );
    }
    Ok(Prepared {
        reference: reference.to_string(),
        base,
        found,
    })
}

fn labels(resolved: &Resolved) -> Vec<String> {
    resolved
        .versions
        .iter()
        .map(|(_, v)| format!("{}@{}", v.info.prompt, v.info.number))
        .collect()
}

/// Run the baseline unless a stored run was found, grade it with the judge if the session has
/// one, and compare `candidate` with it.
pub(super) fn against(
    prepared: Prepared,
    session: &Session,
    candidate: &RunVerdict,
    yes: bool,
    ctx: &Ctx,
) -> anyhow::Result<Against> {
    let Prepared {
        reference,
        base,
        found,
    } = prepared;
    let (run_id, reused) = match found {
        Some(id) => (id, true),
        None => (
            super::check_run::run_session(session, &base, yes, ctx)?.0,
            false,
        ),
    };
    let versions: Vec<i64> = base.versions.iter().map(|(_, v)| v.info.id).collect();
    super::check_run::grade(session, (run_id, &versions), 0.0, yes, ctx)?;
    let store = ctx.open_store()?;
    let verdict = crate::session::stored::verdict_of_versions(&store, session, run_id, &versions)
        .with_context(|| format!("loading baseline run #{run_id}"))?;
    let is_label = reference.trim_start_matches('@').parse::<u32>().is_err();
    let shown = |label: &str| match label.rsplit_once('@') {
        Some((_, n)) if is_label => format!("{reference}@{n}"),
        _ => label.to_string(),
    };
    let comparison = baseline::compare(&session.check, &verdict, candidate, &shown);
    Ok(Against {
        prompts: labels(&base),
        reference,
        run_id,
        reused,
        comparison,
    })
}

/// The text section: which baseline, each regression, each flip, and the gate's verdict.
pub(super) fn render(against: &Against, variants: usize) -> String {
    let c = &against.comparison;
    let mut out = paint(
        Tone::Strong,
        &format!(
            "baseline {} ({}, run #{}, {})",
            one_line(&against.reference),
            one_line(&against.prompts.join(", ")),
            against.run_id,
            if against.reused {
                "stored run reused"
            } else {
                "run now"
            }
        ),
    );
    out.push('\n');
    let variant = |v: &str| {
        if variants > 1 {
            format!(" [{}]", one_line(v))
        } else {
            String::new()
        }
    };
    for r in &c.regressions {
        let line = format!("regressed: {}{}", one_line(&r.message), variant(&r.variant));
        out.push_str(&paint(Tone::Removed, &line));
        out.push('\n');
    }
    for f in &c.flips {
        let word = |passed: bool| if passed { "pass" } else { "fail" };
        out.push_str(&format!(
            "flipped: {} {} → {}{}\n",
            one_line(&f.case),
            word(f.baseline_passed),
            word(f.candidate_passed),
            variant(&f.variant)
        ));
    }
    let verdict = if c.regressions.is_empty() {
        paint(
            Tone::Good,
            &format!("✓ no regressions against {}", one_line(&against.reference)),
        )
    } else {
        paint(
            Tone::Removed,
            &format!(
                "✗ {} against {}",
                crate::plural::count(c.regressions.len() as u64, "regression"),
                one_line(&against.reference)
            ),
        )
    };
    out.push_str(&verdict);
    out.push('\n');
    out
}
