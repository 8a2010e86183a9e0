//! A session as a runner [`Plan`]: the bridge between the file and `crate::runner`.

use super::file::Session;
use super::resolve::Resolved;
use crate::config::RunDefaults;
use crate::runner::{Case, Plan, Variant};

/// The plan that runs `session`: its prompt versions x variants x cases, N samples each, with
/// the config's `[run]` defaults for what the session does not set.
pub fn plan(session: &Session, resolved: &Resolved, defaults: &RunDefaults) -> Plan {
    let variants = session
        .variants
        .iter()
        .map(|v| Variant {
            name: v.name.clone(),
            model: v.model.value.clone(),
            params: v.params.clone(),
        })
        .collect();
    let cases = session
        .cases
        .iter()
        .map(|c| Case {
            name: c.name.clone(),
            vars: c.vars.clone(),
        })
        .collect();
    let versions = resolved.versions.iter().map(|(_, v)| v.clone()).collect();
    let mut plan = Plan::new(versions, variants, cases, defaults);
    if let Some(n) = session.samples {
        plan.samples = n;
    }
    if let Some(c) = session.concurrency {
        plan.concurrency = c;
    }
    if let Some(budget) = session.check.budget_usd {
        plan.budget_usd = Some(budget);
    }
    plan.source = "session".into();
    plan.session = Some(session.name.clone());
    plan
}
