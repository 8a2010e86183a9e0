//! The explanation in plain words. Every model-produced string is sanitised here.

use super::backend::BackendVerdict;
use super::cell::CellExplanation;
use super::divergence::{ClusterChoice, SplitPoint};
use super::margin::FRAGILE;
use super::schedules::{ScheduleComparison, ScheduleResult, ScheduleVerdict};
use crate::sanitize::for_display;

/// Probabilities closer than this at the split are called a near-tie.
const NEAR_TIE: f64 = 0.1;

/// A token as `' unused'`: quotes show leading spaces, escapes show newlines.
pub fn quote(token: &str) -> String {
    let escaped = token
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t");
    format!("'{}'", for_display(&escaped))
}

/// `variant · case`, or just the variant when the run had no named cases.
fn scope(variant: &str, case: &str) -> String {
    if case.is_empty() {
        for_display(variant).into_owned()
    } else {
        format!("{} · {}", for_display(variant), for_display(case))
    }
}

fn samples(n: usize) -> String {
    format!("{n} sample{}", if n == 1 { "" } else { "s" })
}

impl CellExplanation {
    /// `mock:drift [burst] · default: 10 ok, 2 outputs, stability 0.70`.
    pub fn heading(&self) -> String {
        let mut line = format!("{}: {} ok", scope(&self.variant, &self.case), self.ok);
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        if let Some(s) = self.stability {
            let n = self.clusters.len();
            line.push_str(&format!(
                ", {n} output{}, stability {s:.2}",
                if n == 1 { "" } else { "s" }
            ));
        }
        line
    }

    /// One finding per line.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.split {
            Some(SplitPoint::Token { index, choices }) => {
                // Clusters that chose the same token here part ways later: count them together.
                let mut groups: Vec<(&ClusterChoice, usize)> = Vec::new();
                for c in choices {
                    match groups.iter_mut().find(|(g, _)| g.token == c.token) {
                        Some((_, size)) => *size += c.size,
                        None => groups.push((c, c.size)),
                    }
                }
                let parts: Vec<String> = groups
                    .iter()
                    .take(4)
                    .map(|(c, size)| match (&c.token, c.probability) {
                        (Some(t), Some(p)) => {
                            format!("{} (p={p:.2}, {})", quote(t), samples(*size))
                        }
                        _ => format!("end of output ({})", samples(*size)),
                    })
                    .collect();
                // Counted from 1 in words, like the report's token offset.
                out.push(format!(
                    "outputs split at token {}: {}",
                    index + 1,
                    parts.join(" vs ")
                ));
                let later = choices.len() - groups.len();
                if later > 0 {
                    out.push(format!(
                        "{later} more output{} agree{} there and differ{} further on",
                        if later == 1 { "" } else { "s" },
                        if later == 1 { "s" } else { "" },
                        if later == 1 { "s" } else { "" },
                    ));
                }
                let probs: Vec<f64> = groups.iter().filter_map(|(c, _)| c.probability).collect();
                if let [a, b, ..] = probs[..]
                    && (a - b).abs() < NEAR_TIE
                {
                    let apart = (a - b).abs();
                    let apart = if apart < 0.01 {
                        format!("{apart:.3}")
                    } else {
                        format!("{apart:.2}")
                    };
                    out.push(format!(
                        "a near-tie ({apart} apart) between the choices at the split, each from its own call: a tiny numeric difference between calls flips this token"
                    ));
                }
                if let Some(first) = choices.first().filter(|c| !c.alternatives.is_empty()) {
                    let alts: Vec<String> = first
                        .alternatives
                        .iter()
                        .map(|(t, p)| format!("{} {p:.2}", quote(t)))
                        .collect();
                    out.push(format!(
                        "candidates there (sample {}): {}",
                        first.sample,
                        alts.join(", ")
                    ));
                }
            }
            Some(SplitPoint::Chars { offset, choices }) => {
                let parts: Vec<String> = choices
                    .iter()
                    .take(4)
                    .map(|c| format!("{} ({})", quote(&c.continuation), samples(c.size)))
                    .collect();
                out.push(format!(
                    "outputs split at character {offset}: {}",
                    parts.join(" vs ")
                ));
                out.push(
                    "no token logprobs stored: run on a provider that returns them (OpenAI-compatible, with --logprobs) to see the probabilities"
                        .into(),
                );
            }
            None if self.ok > 0 => out.push(format!("all {} agree", samples(self.ok))),
            None => out.push("no sample produced an output".into()),
        }
        if let Some(f) = &self.fragility {
            let m = &f.modal;
            let weakest = m
                .closest
                .map(|(i, margin)| {
                    let token = f.closest_token.as_deref().map(quote).unwrap_or_default();
                    format!(
                        "; within that sample the closest call is token {} {token} by {margin:.3}",
                        i + 1
                    )
                })
                .unwrap_or_default();
            if m.fragile == 0 {
                let robust = if m.passed_over == 0 {
                    ": robust to small numeric differences"
                } else {
                    ""
                };
                out.push(format!(
                    "no token of sample {} was decided by less than {FRAGILE}{weakest}{robust}",
                    f.modal_sample
                ));
            } else {
                out.push(format!(
                    "{} of {} tokens of sample {} were decided by less than {FRAGILE}{weakest}",
                    m.fragile, m.measured, f.modal_sample
                ));
            }
            if m.passed_over > 0 {
                out.push(format!(
                    "{} of {} tokens of sample {} were not the most likely choice: {}",
                    m.passed_over,
                    m.measured,
                    f.modal_sample,
                    passed_over_cause(self.temperature_sent)
                ));
            }
            if f.samples_measured > 1 && f.fragile_min != f.fragile_max {
                out.push(format!(
                    "fragile tokens per sample range from {} to {} over {}",
                    f.fragile_min,
                    f.fragile_max,
                    samples(f.samples_measured)
                ));
            }
        }
        out.extend(self.backend_sentence());
        out
    }

    fn backend_sentence(&self) -> Option<String> {
        let groups = |with_outputs: bool| {
            self.backends
                .iter()
                .map(|g| {
                    let mut s = format!(
                        "{} ({})",
                        for_display(&g.backend.label()),
                        samples(g.samples.len())
                    );
                    if with_outputs {
                        let outs: Vec<String> =
                            g.clusters.iter().map(|c| format!("#{}", c + 1)).collect();
                        s.push_str(&format!(" → output {}", outs.join(", ")));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        match self.backend_verdict {
            BackendVerdict::Single => None,
            BackendVerdict::AgreeAcross => Some(format!(
                "{} backends served this cell and all agreed: {}",
                self.backends.len(),
                groups(false)
            )),
            BackendVerdict::SplitByBackend => Some(format!(
                "outputs differ only across backends: {}; the backend changed, not the prompt",
                groups(true)
            )),
            BackendVerdict::Mixed => Some(format!(
                "outputs also differ within one backend: {}; the prompt is unstable on a single backend too",
                groups(true)
            )),
        }
    }
}

/// Why a token other than the top logprob was chosen, given the temperature sent (`None`:
/// not recorded).
pub fn passed_over_cause(temperature: Option<f64>) -> String {
    const SERVER: &str = "the server's own sampling settings (a repeat or presence penalty, top-k, a grammar) or a backend change chose them";
    match temperature {
        Some(t) if t > 0.0 => format!(
            "sampling at temperature {t} picked them, so calls differ by design (a seed repeats them only where the server honours it)"
        ),
        Some(_) => format!(
            "temperature 0 was sent, so {SERVER}, not sampling; set the server's penalties to neutral (llama.cpp: repeat_penalty 1.0) to measure the prompt alone"
        ),
        None => format!(
            "either sampling above temperature 0 (this run did not record what it sent) or {SERVER}"
        ),
    }
}

fn result(r: &ScheduleResult) -> String {
    match r.stability {
        Some(s) => format!("stability {s:.2} ({} distinct of {})", r.distinct, r.ok),
        None => "no output".into(),
    }
}

impl ScheduleComparison {
    /// `mock:drift · default: sequential stability 1.00 (…) vs burst 0.60 (…): …`.
    pub fn sentence(&self) -> String {
        let verdict = match self.verdict {
            ScheduleVerdict::StableBoth => "stable one at a time and all at once",
            ScheduleVerdict::DriftUnderLoad => {
                "drift appears only under concurrent load: a sequential test hides what production concurrency will see"
            }
            ScheduleVerdict::DriftSequentialOnly => {
                "drift one at a time but not in a burst: load is not the cause"
            }
            ScheduleVerdict::DriftBoth => "drift either way: concurrency is not the (only) cause",
        };
        format!(
            "batch probe {}: sequential {} vs burst {}: {verdict}",
            scope(&self.model, &self.case),
            result(&self.sequential),
            result(&self.burst)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_tokens_visibly() {
        assert_eq!(quote(" unused"), "' unused'");
        assert_eq!(quote("a\nb\x1b[31m"), "'a\\nb'");
    }
}
