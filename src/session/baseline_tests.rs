//! Unit tests of `baseline.rs` (kept beside it so the module reads without them).

use super::*;
use crate::session::{CaseOutcome, CheckOutcome, RunChecks};

fn verdict(cells: &[(&str, bool, f64, f64)]) -> RunVerdict {
    let cases = cells
        .iter()
        .map(|(case, passed, _, _)| CaseOutcome {
            case: case.to_string(),
            variant: "v".into(),
            prompt: "p@1".into(),
            passed: *passed,
            checks: vec![CheckOutcome {
                check: "regex /x/".into(),
                passed: *passed,
                value: None,
                bar: None,
                detail: None,
                skipped: false,
            }],
        })
        .collect();
    let stats = cells
        .iter()
        .map(|(_, _, stability, cost)| CellStats {
            stability: Some(*stability),
            cost_usd: cost * 5.0,
            priced_calls: 5,
        })
        .collect();
    RunVerdict {
        checks: RunChecks {
            cells: Vec::new(),
            failures: Vec::new(),
        },
        cases,
        metrics: Vec::new(),
        stats,
    }
}

#[test]
fn stability_drops_beyond_the_allowance_and_dearer_calls_regress() {
    let base = verdict(&[("a", true, 1.0, 0.001), ("b", false, 0.6, 0.001)]);
    let mut cand = verdict(&[("a", true, 0.8, 0.0012), ("b", true, 0.6, 0.0012)]);
    cand.cases[0].prompt = "p@2".into();
    let shown = |l: &str| l.replace("p@", "prod@");
    let strict = Checks::default();
    let c = compare(&strict, &base, &cand, &shown);
    let checks: Vec<&str> = c.regressions.iter().map(|r| r.check.as_str()).collect();
    assert_eq!(checks, ["stability"], "{c:?}");
    assert_eq!(
        c.regressions[0].message,
        "a stability 0.80 on p@2, was 1.00 on prod@1 (max drop 0.00)"
    );
    assert_eq!(c.flips.len(), 1);
    assert!(!c.flips[0].baseline_passed && c.flips[0].candidate_passed);

    let loose = Checks {
        max_stability_drop: Some(0.2),
        max_cost_increase_pct: Some(10.0),
        ..Checks::default()
    };
    let c = compare(&loose, &base, &cand, &shown);
    let checks: Vec<&str> = c.regressions.iter().map(|r| r.check.as_str()).collect();
    assert_eq!(checks, ["cost_per_call"], "{c:?}");
    assert!(
        c.regressions[0].message.contains("(+20.0%, max +10%)"),
        "{c:?}"
    );
    let generous = Checks {
        max_cost_increase_pct: Some(25.0),
        ..loose
    };
    assert!(
        compare(&generous, &base, &cand, &shown)
            .regressions
            .is_empty()
    );
}
