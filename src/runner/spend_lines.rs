//! The spend estimate in words, as the CLI prints it before a run and the TUI's run dialog
//! shows it (see `spend`).

use super::price::OutputBound;
use super::spend::{LikelySource, ModelSpend, SpendEstimate};
use crate::cost::{Pricing, format_usd, group_thousands};

impl SpendEstimate {
    /// The estimate as plain lines (not yet sanitised: model names come from the user).
    pub fn lines(&self, budget_usd: Option<f64>) -> Vec<String> {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut out = vec![format!(
            "estimate: {} = {} x {} x {} x {} · prices as of {}",
            plural(self.calls, "call"),
            plural(self.prompts, "prompt"),
            plural(self.variants, "variant"),
            plural(self.cases, "case"),
            plural(self.samples_per_cell as usize, "sample"),
            self.prices_as_of
        )];
        let width = self
            .models
            .iter()
            .map(|m| m.model.chars().count())
            .max()
            .unwrap_or(0);
        for m in &self.models {
            out.push(format!("  {:<width$}  {}", m.model, model_line(m)));
        }
        for m in self.models.iter().filter(|m| m.loopback_rule.is_some()) {
            let rule = m.loopback_rule.as_deref().unwrap_or_default();
            out.push(format!(
                "note: {} is served on a loopback URL: {rule}",
                m.model
            ));
        }
        let mut total = if self.upper_complete {
            format!("total: up to {}", format_usd(self.upper_usd))
        } else {
            format!(
                "total: more than {} (output unbounded for {})",
                format_usd(self.upper_usd),
                self.unbounded().join(", ")
            )
        };
        total.push_str(&format!(", likely {}", format_usd(self.likely_usd)));
        if let Some(b) = budget_usd {
            total.push_str(&format!(" · budget {}", format_usd(b)));
        }
        if !self.unpriced.is_empty() {
            total.push_str(&format!(" · plus unpriced {}", self.unpriced.join(", ")));
        }
        out.push(total);
        for model in &self.unpriced {
            let guess = self
                .models
                .iter()
                .find(|m| &m.model == model && !m.did_you_mean.is_empty())
                .map(|m| format!("; did you mean {}?", m.did_you_mean.join(", ")))
                .unwrap_or_default();
            out.push(format!(
                "note: {model} is unpriced: its cost is unknown and the budget cannot be enforced for it (add a price in [prices] of the config or with --prices FILE){guess}"
            ));
        }
        out
    }
}

fn model_line(m: &ModelSpend) -> String {
    let calls = m.calls.max(1) as u64;
    let input = format!(
        "{} · in {} tok/call ({})",
        crate::plural::count(m.calls as u64, "call"),
        group_thousands(&(m.input_tokens / calls).to_string()),
        if m.input_estimated {
            "estimated"
        } else {
            "exact"
        }
    );
    let upper_out = match (m.output_upper_tokens, m.bound) {
        (Some(t), OutputBound::MaxTokens) => format!("≤ {} (max_tokens)", t / calls),
        (Some(t), _) => format!("≤ {} (context window; set max_tokens)", t / calls),
        (None, _) => "unbounded (set max_tokens)".to_string(),
    };
    let likely_out = match m.likely_source {
        LikelySource::PastSamples { samples } => {
            format!(
                "likely {} (mean of {samples} past)",
                m.output_likely_tokens / calls
            )
        }
        LikelySource::MaxTokens => "likely = max_tokens (no past samples)".to_string(),
        LikelySource::Unknown => "likely unknown (no past samples)".to_string(),
    };
    let money = match (&m.pricing, m.upper_usd, m.likely_usd) {
        (Pricing::Unpriced { .. }, _, _) => {
            let why = m
                .lookup_error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            format!("unpriced{why}: cost unknown, budget not enforced")
        }
        (Pricing::Local { .. }, _, _) => "local: $0".to_string(),
        (_, Some(u), Some(l)) => format!("up to {}, likely {}", format_usd(u), format_usd(l)),
        (_, None, Some(l)) => format!("unbounded, likely {}", format_usd(l)),
        _ => String::new(),
    };
    format!("{input} · out {upper_out}, {likely_out} · {money}")
}
