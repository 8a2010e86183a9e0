//! The Diff view comparing two prompt versions by their outputs (`O` in the Prompts view): for
//! each variant x case both versions ran, the modal output of each version's newest cell side by
//! side, with both stabilities. `c`/`C` step through the variant x case pairs, `esc` closes the
//! comparison (the Run view's selected cell shows again).

use super::DiffView;
use crate::analysis::versions::{VersionOutput, VersionPair};
use crate::store::{NewSample, SampleRow, SampleStatus};
use crate::tui::action::Tab;
use crate::tui::views::Effect;
use crate::tui::views::Level;

/// Two versions' outputs being compared.
#[derive(Debug, Clone)]
pub(super) struct Versions {
    name: String,
    old: u32,
    new: u32,
    pairs: Vec<VersionPair>,
    index: usize,
}

/// A version's modal output as the pane's sample (`idx` 0 for A, 1 for B).
fn as_sample(idx: u32, side: &VersionOutput) -> SampleRow {
    SampleRow {
        created_at: String::new(),
        sample: NewSample {
            cell_id: side.cell.id,
            idx,
            status: Some(SampleStatus::Ok),
            output: Some(side.output.clone()),
            ..NewSample::default()
        },
    }
}

/// ` · tokens 154/35 → 160/30 · $0.000044 → $0.000040 per call` (means of each version's cell;
/// each part only when a side has the figure).
fn tokens_and_cost(pair: &VersionPair) -> String {
    let mean = |s: &crate::analysis::versions_figures::Sum| {
        s.mean().map_or("-".into(), |v| format!("{v:.0}"))
    };
    let tokens = |side: &VersionOutput| {
        let f = &side.figures;
        format!("{}/{}", mean(&f.input_tokens), mean(&f.output_tokens))
    };
    let cost = |side: &VersionOutput| {
        side.figures
            .cost_usd
            .mean()
            .map_or("unpriced".into(), crate::cost::format_usd)
    };
    let (a, b) = (&pair.old.figures, &pair.new.figures);
    let mut out = String::new();
    if [a, b]
        .iter()
        .any(|f| f.input_tokens.count + f.output_tokens.count > 0)
    {
        out.push_str(&format!(
            " · tokens {} → {}",
            tokens(&pair.old),
            tokens(&pair.new)
        ));
    }
    if [a, b].iter().any(|f| f.cost_usd.count > 0) {
        out.push_str(&format!(
            " · {} → {} per call",
            cost(&pair.old),
            cost(&pair.new)
        ));
    }
    out
}

/// A stability as `67%`, `-` when nothing answered (the Diff view's header and explain lines).
pub(super) fn percent(stability: Option<f64>) -> String {
    stability.map_or("-".into(), |s| format!("{:.0}%", s * 100.0))
}

impl DiffView {
    /// Whether the view shows two versions' outputs (until `esc`).
    pub fn comparing_versions(&self) -> bool {
        self.versions.is_some()
    }

    /// Show two versions' outputs, first pair first; asks to bring the Diff view up.
    pub(super) fn set_versions(
        &mut self,
        name: &str,
        old: u32,
        new: u32,
        pairs: &[VersionPair],
    ) -> Vec<Effect> {
        self.versions = Some(Versions {
            name: name.to_string(),
            old,
            new,
            pairs: pairs.to_vec(),
            index: 0,
        });
        self.show_pair(0);
        let n = pairs.len();
        vec![
            Effect::Show(Tab::Diff),
            Effect::Status(
                Level::Info,
                format!(
                    "comparing the modal outputs of {name}@{old} and @{new}: {n} variant{} × case",
                    if n == 1 { "" } else { "s" }
                ),
            ),
        ]
    }

    /// Back to the Run view's cells.
    pub(super) fn leave_versions(&mut self) -> Vec<Effect> {
        self.versions = None;
        self.reset_cell();
        vec![Effect::Show(Tab::Diff)]
    }

    fn show_pair(&mut self, index: usize) {
        let Some(v) = self.versions.as_mut() else {
            return;
        };
        let Some(pair) = v.pairs.get(index).cloned() else {
            return;
        };
        v.index = index;
        let mut label = format!("{}@{} vs @{} · {}", v.name, v.old, v.new, pair.variant);
        if !pair.case.is_empty() {
            label.push_str(&format!(" [{}]", pair.case));
        }
        self.model = Some(crate::cost::history::cell_model(&pair.new.cell));
        let samples = vec![as_sample(0, &pair.old), as_sample(1, &pair.new)];
        self.set_cell(pair.new.cell.id, label, samples);
        self.a = 0;
        self.b = 1;
        self.recompute();
        self.explain = [&pair.old, &pair.new]
            .iter()
            .map(|o| {
                format!(
                    "{}: modal output of run #{} (sample {} of cell #{}), stability {}",
                    o.reference,
                    o.cell.run_id,
                    o.sample,
                    o.cell.id,
                    percent(o.stability)
                )
            })
            .chain(self.divergence_line())
            .collect();
    }

    /// `c` / `C` in versions mode: the next or previous variant x case. False otherwise.
    pub(super) fn step_pair(&mut self, forward: bool) -> bool {
        let Some(v) = &self.versions else {
            return false;
        };
        let n = v.pairs.len();
        if n > 1 {
            let next = if forward {
                (v.index + 1) % n
            } else {
                (v.index + n - 1) % n
            };
            self.show_pair(next);
        }
        true
    }

    /// The pane titles in versions mode: which version, run and sample each side is.
    pub(super) fn version_titles(&self) -> Option<[String; 2]> {
        let v = self.versions.as_ref()?;
        let pair = v.pairs.get(v.index)?;
        let title = |tag: &str, o: &VersionOutput| {
            format!(
                " {tag} {} · run #{} sample {} ",
                o.reference, o.cell.run_id, o.sample
            )
        };
        Some([title("A", &pair.old), title("B", &pair.new)])
    }

    /// `· stability 100% → 70%` for the header in versions mode.
    pub(super) fn version_stabilities(&self) -> Option<String> {
        let v = self.versions.as_ref()?;
        let pair = v.pairs.get(v.index)?;
        Some(format!(
            " · stability {} → {}{}",
            percent(pair.old.stability),
            percent(pair.new.stability),
            tokens_and_cost(pair)
        ))
    }

    /// `pair 1/3 · c/C other variants · esc closes the comparison` in versions mode.
    pub(super) fn pair_position(&self) -> Option<String> {
        let v = self.versions.as_ref()?;
        let others = if v.pairs.len() > 1 {
            " · c/C other variants"
        } else {
            ""
        };
        Some(format!(
            "modal outputs, pair {}/{}{others} · esc closes the comparison",
            v.index + 1,
            v.pairs.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::versions_figures::{CellFigures, Sum};
    use crate::store::{CellInfo, NewCell};

    fn side(input: Option<f64>, cost: Option<f64>) -> VersionOutput {
        let sum = |v: Option<f64>| Sum {
            total: v.unwrap_or(0.0),
            count: usize::from(v.is_some()),
        };
        VersionOutput {
            reference: "p@1".into(),
            cell: CellInfo {
                id: 1,
                run_id: 1,
                prompt: "p".into(),
                prompt_number: 1,
                cell: NewCell {
                    prompt_version_id: 1,
                    variant_name: "m".into(),
                    variant_json: "{}".into(),
                    case_name: "default".into(),
                    case_json: "{}".into(),
                    n: 1,
                },
            },
            sample: 0,
            output: String::new(),
            stability: Some(1.0),
            figures: CellFigures {
                input_tokens: sum(input),
                output_tokens: sum(input.map(|_| 35.0)),
                cost_usd: sum(cost),
                ..CellFigures::default()
            },
        }
    }

    fn pair(old: VersionOutput, new: VersionOutput) -> VersionPair {
        VersionPair {
            variant: "m".into(),
            case: "default".into(),
            old,
            new,
        }
    }

    #[test]
    fn header_shows_tokens_and_cost_of_both_versions() {
        let p = pair(side(Some(154.0), Some(4.4e-5)), side(Some(160.0), None));
        assert_eq!(
            tokens_and_cost(&p),
            " · tokens 154/35 → 160/35 · $0.000044 → unpriced per call"
        );
        let bare = pair(side(None, None), side(None, None));
        assert_eq!(tokens_and_cost(&bare), "");
    }
}
