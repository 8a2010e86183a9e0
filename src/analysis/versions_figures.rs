//! The figures two prompt versions are compared on (`temper compare`, the TUI `O` comparison
//! header): per cell what it measured, per variant the sum over the cases both versions ran.
//! Stability and distinct use the comparison's mode; TARr (all N raw outputs identical) and the
//! share of samples that pass the checks follow docs/ci.md. See docs/cost.md.

use super::Analysis;
use super::versions::VersionPair;
use crate::cost::{percentile, project};
use crate::store::{SampleRow, SampleStatus};
use serde::Serialize;

/// A running sum and how many values went into it, for a mean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sum {
    pub total: f64,
    pub count: usize,
}

impl Sum {
    fn add(&mut self, value: Option<f64>) {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.total += v;
            self.count += 1;
        }
    }

    fn merge(&mut self, other: Sum) {
        self.total += other.total;
        self.count += other.count;
    }

    /// The mean, `None` when nothing was added.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.total / self.count as f64)
    }
}

/// What one version's cell measured: the inputs of [`VersionFigures`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CellFigures {
    /// Samples of the cell (failed ones included) and answered ones.
    pub samples: usize,
    pub ok: usize,
    /// Clusters of answered outputs in the comparison's mode.
    pub distinct: usize,
    /// Every sample answered and all raw outputs are identical (TARr's per-case fact).
    pub raw_agree: bool,
    /// Answered samples that pass every per-sample check.
    pub passed: usize,
    pub input_tokens: Sum,
    pub output_tokens: Sum,
    /// Stored cost per answered sample (unpriced samples left out).
    pub cost_usd: Sum,
    #[serde(skip)]
    pub latencies_ms: Vec<f64>,
}

impl CellFigures {
    /// The figures of one cell's samples; `passes` judges an answered output.
    pub fn of(samples: &[SampleRow], analysis: &Analysis, passes: &dyn Fn(&str) -> bool) -> Self {
        let mut f = CellFigures {
            samples: samples.len(),
            ok: analysis.ok,
            distinct: analysis.distinct,
            ..CellFigures::default()
        };
        let answered: Vec<&SampleRow> = samples
            .iter()
            .filter(|s| s.sample.status == Some(SampleStatus::Ok))
            .collect();
        let first = answered.first().map(|s| s.sample.output.as_deref());
        f.raw_agree = !answered.is_empty()
            && answered.len() == samples.len()
            && answered
                .iter()
                .all(|s| Some(s.sample.output.as_deref()) == first);
        for s in answered {
            let s = &s.sample;
            f.passed += usize::from(passes(s.output.as_deref().unwrap_or("")));
            f.input_tokens.add(s.input_tokens.map(|t| t as f64));
            f.output_tokens.add(s.output_tokens.map(|t| t as f64));
            f.cost_usd.add(s.cost_usd);
            f.latencies_ms
                .extend(s.latency_ms.filter(|l| l.is_finite()));
        }
        f
    }
}

/// One version's figures for one variant over the cases compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionFigures {
    /// `support-answer@3`.
    pub reference: String,
    pub cases: usize,
    pub samples: usize,
    /// Mean over the cases of the cell stability (largest cluster / answered).
    pub stability: Option<f64>,
    /// Mean over the cases of the number of distinct answers.
    pub distinct: Option<f64>,
    /// Share of cases whose N raw outputs are all identical (TARr@N).
    pub tar_raw: f64,
    /// Mean tokens per answered sample.
    pub input_tokens: Option<f64>,
    pub output_tokens: Option<f64>,
    /// Mean stored cost per call, and that cost at the comparison's calls per day for 30 days.
    pub cost_per_call_usd: Option<f64>,
    pub cost_per_30_days_usd: Option<f64>,
    /// Nearest-rank 95th percentile of the answered samples' latency.
    pub latency_p95_ms: Option<f64>,
    /// Samples (of all, failed included) that answered and passed every per-sample check.
    pub checks_passed: usize,
    /// `checks_passed / samples`, 0..=1 (0 without samples).
    pub checks_passed_share: f64,
}

/// New minus old for every figure (`None` when either side lacks it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiguresDelta {
    pub stability: Option<f64>,
    pub distinct: Option<f64>,
    pub tar_raw: f64,
    pub input_tokens: Option<f64>,
    pub output_tokens: Option<f64>,
    pub cost_per_call_usd: Option<f64>,
    pub cost_per_30_days_usd: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub checks_passed_share: f64,
}

/// Both versions' figures for one variant, over the cases both ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantComparison {
    pub variant: String,
    pub cases: Vec<String>,
    pub old: VersionFigures,
    pub new: VersionFigures,
    pub delta: FiguresDelta,
}

fn delta(old: &VersionFigures, new: &VersionFigures) -> FiguresDelta {
    let d = |f: fn(&VersionFigures) -> Option<f64>| Some(f(new)? - f(old)?);
    FiguresDelta {
        stability: d(|f| f.stability),
        distinct: d(|f| f.distinct),
        tar_raw: new.tar_raw - old.tar_raw,
        input_tokens: d(|f| f.input_tokens),
        output_tokens: d(|f| f.output_tokens),
        cost_per_call_usd: d(|f| f.cost_per_call_usd),
        cost_per_30_days_usd: d(|f| f.cost_per_30_days_usd),
        latency_p95_ms: d(|f| f.latency_p95_ms),
        checks_passed_share: new.checks_passed_share - old.checks_passed_share,
    }
}

/// Sum the pairs per variant (in order of first appearance); costs projected at `calls_per_day`.
pub fn compare_figures(pairs: &[VersionPair], calls_per_day: u64) -> Vec<VariantComparison> {
    let mut groups: Vec<(String, Vec<&VersionPair>)> = Vec::new();
    for pair in pairs {
        match groups.iter_mut().find(|(v, _)| *v == pair.variant) {
            Some((_, list)) => list.push(pair),
            None => groups.push((pair.variant.clone(), vec![pair])),
        }
    }
    groups
        .into_iter()
        .map(|(variant, list)| {
            let old = sum_side(list.iter().map(|p| &p.old), calls_per_day);
            let new = sum_side(list.iter().map(|p| &p.new), calls_per_day);
            VariantComparison {
                variant,
                cases: list.iter().map(|p| p.case.clone()).collect(),
                delta: delta(&old, &new),
                old,
                new,
            }
        })
        .collect()
}

fn sum_side<'a>(
    sides: impl Iterator<Item = &'a super::versions::VersionOutput>,
    calls_per_day: u64,
) -> VersionFigures {
    let mut reference = String::new();
    let (mut cases, mut samples, mut agree, mut passed) = (0usize, 0usize, 0usize, 0usize);
    let (mut stability, mut distinct) = (Sum::default(), Sum::default());
    let (mut input, mut output, mut cost) = (Sum::default(), Sum::default(), Sum::default());
    let mut latencies = Vec::new();
    for side in sides {
        let f = &side.figures;
        reference.clone_from(&side.reference);
        cases += 1;
        samples += f.samples;
        agree += usize::from(f.raw_agree);
        passed += f.passed;
        stability.add(side.stability);
        distinct.add((f.ok > 0).then_some(f.distinct as f64));
        input.merge(f.input_tokens);
        output.merge(f.output_tokens);
        cost.merge(f.cost_usd);
        latencies.extend_from_slice(&f.latencies_ms);
    }
    latencies.sort_by(f64::total_cmp);
    let per_call = cost.mean();
    VersionFigures {
        reference,
        cases,
        samples,
        stability: stability.mean(),
        distinct: distinct.mean(),
        tar_raw: agree as f64 / cases.max(1) as f64,
        input_tokens: input.mean(),
        output_tokens: output.mean(),
        cost_per_call_usd: per_call,
        cost_per_30_days_usd: per_call.map(|c| project(c, calls_per_day).per_30_days_usd),
        latency_p95_ms: percentile(&latencies, 0.95),
        checks_passed: passed,
        checks_passed_share: passed as f64 / samples.max(1) as f64,
    }
}
