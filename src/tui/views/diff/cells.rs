//! Which cell the Diff view compares when a run has several (prompt x variant x case): by
//! default the least stable one, `c` / `C` step through the others. Also the divergence line.

use super::DiffView;
use crate::analysis::Mode;
use crate::explain::{CellExplanation, explain_cell};
use crate::store::{CellInfo, SampleRow};
use crate::tui::event::{GroupedCell, Request, RunSent};
use crate::tui::theme::Theme;
use crate::tui::views::Effect;
use ratatui::text::Line;

/// A cell of the compared run: id, label, the model (for the divergence token offset) and the
/// stored cell (what the explain panel reads its variant and schedule from).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffCell {
    pub id: i64,
    pub label: String,
    pub model: String,
    pub info: CellInfo,
}

/// What the view keeps of a loaded cell: computed once when its samples arrive, not per frame.
pub(super) struct LoadedCell {
    pub stability: f64,
    pub body: Body,
}

/// A loaded cell's content.
pub(super) enum Body {
    /// A cell read whole: its samples and why they differ.
    Samples {
        samples: Vec<SampleRow>,
        explanation: Box<CellExplanation>,
    },
    /// A large cell: its clusters and first pair, from the DB's groups (see `paged`).
    Grouped(Box<GroupedCell>),
}

impl LoadedCell {
    /// `temperature`: what the cell sent, so the explanation names the true cause.
    fn new(cell: &CellInfo, samples: Vec<SampleRow>, temperature: Option<f64>) -> LoadedCell {
        let explanation = explain_cell(cell, &samples, Mode::Exact).with_temperature(temperature);
        LoadedCell {
            // The explanation clusters exactly as the analysis does; 1.0 when nothing
            // succeeded: there is nothing to compare.
            stability: explanation.stability.unwrap_or(1.0),
            body: Body::Samples {
                samples,
                explanation: Box::new(explanation),
            },
        }
    }

    /// A large cell from its groups (its stability as the explanation would give it).
    fn grouped(grouped: GroupedCell) -> LoadedCell {
        LoadedCell {
            stability: grouped.analysis.stability.unwrap_or(1.0),
            body: Body::Grouped(Box::new(grouped)),
        }
    }

    /// The explanation of a cell read whole.
    pub fn explanation(&self) -> Option<&CellExplanation> {
        match &self.body {
            Body::Samples { explanation, .. } => Some(explanation),
            Body::Grouped(_) => None,
        }
    }
}

/// Whether the Diff view compares `cell` from groups and single samples, not read whole.
fn is_large(cell: &CellInfo) -> bool {
    cell.cell.n > crate::tui::worker_cells::PAGED_ABOVE
}

impl DiffCell {
    /// The Diff view's entry for a stored cell.
    pub fn of(cell: &CellInfo) -> DiffCell {
        let mut label = format!(
            "{}@{} {}",
            cell.prompt, cell.prompt_number, cell.cell.variant_name
        );
        if !cell.cell.case_name.is_empty() {
            label.push_str(&format!(" [{}]", cell.cell.case_name));
        }
        DiffCell {
            id: cell.id,
            label,
            model: crate::cost::history::cell_model(cell),
            info: cell.clone(),
        }
    }
}

/// Counts the divergence prefix with the cell model's tokenizer.
struct ModelTokens<'a>(&'a str);

impl crate::analysis::TokenCount for ModelTokens<'_> {
    fn count_tokens(&self, text: &str) -> usize {
        crate::cost::count_text(self.0, text).tokens as usize
    }
}

impl DiffView {
    /// Show the cells of a run; `known` are the samples already loaded, `sent` what the run's
    /// cells sent when the Run view has it. Asks for the rest.
    pub fn set_run(
        &mut self,
        cells: Vec<DiffCell>,
        known: Vec<(i64, Vec<SampleRow>)>,
        sent: Option<RunSent>,
    ) -> Vec<Effect> {
        if cells != self.run_cells {
            self.run_cells = cells;
            self.loaded.clear();
            self.picked = false;
        }
        let run_id = self.run_cells.first().map(|c| c.info.run_id);
        self.sent = sent.filter(|s| Some(s.run_id) == run_id);
        for (id, samples) in known {
            if let Some(cell) = self
                .run_cells
                .iter()
                .find(|c| c.id == id && !is_large(&c.info))
            {
                let temperature = self.temperature(id);
                self.loaded
                    .insert(id, LoadedCell::new(&cell.info, samples, temperature));
            }
        }
        // What the run sent arrives from the Run view's request (`Event::RunSent`) if not yet.
        let missing: Vec<Effect> = self
            .run_cells
            .iter()
            .filter(|c| !self.loaded.contains_key(&c.id))
            .map(|c| {
                Effect::Request(if is_large(&c.info) {
                    Request::LoadCellGroups { cell_id: c.id }
                } else {
                    Request::LoadRunSamples { cell_id: c.id }
                })
            })
            .collect();
        self.show_default();
        missing
    }

    /// Samples of a cell of the run arrived.
    pub(super) fn cell_loaded(&mut self, cell_id: i64, samples: &[SampleRow]) -> bool {
        let Some(cell) = self.run_cells.iter().find(|c| c.id == cell_id) else {
            return false;
        };
        if is_large(&cell.info) {
            return true; // the Run view's samples: this view reads a large cell as groups
        }
        let loaded = LoadedCell::new(&cell.info, samples.to_vec(), self.temperature(cell_id));
        self.insert_loaded(cell_id, loaded);
        true
    }

    /// A large cell of the run arrived as groups (`Request::LoadCellGroups`).
    pub(super) fn cell_grouped(&mut self, cell_id: i64, grouped: &GroupedCell) {
        if self.run_cells.iter().any(|c| c.id == cell_id) {
            self.insert_loaded(cell_id, LoadedCell::grouped(grouped.clone()));
        }
    }

    /// Keep a loaded cell and show it if it is the one to show.
    fn insert_loaded(&mut self, cell_id: i64, loaded: LoadedCell) {
        self.loaded.insert(cell_id, loaded);
        if !self.picked {
            self.show_default();
        } else if self.run_cells.get(self.cell_index).map(|c| c.id) == Some(cell_id) {
            // The cell on screen got newer samples (a run still going): show them.
            self.show_cell(self.cell_index);
        }
    }

    /// The temperature cell `cell_id` sent, once the run's `params_sent` arrived.
    fn temperature(&self, cell_id: i64) -> Option<f64> {
        self.sent.as_ref()?.temperature(cell_id)
    }

    /// What the run's cells sent arrived: keep it when it is this run's, and let every loaded
    /// explanation know its cell's temperature.
    pub(super) fn sent_loaded(&mut self, sent: &RunSent) {
        if self.run_cells.first().map(|c| c.info.run_id) != Some(sent.run_id) {
            return;
        }
        for (id, cell) in &mut self.loaded {
            if let Body::Samples { explanation, .. } = &mut cell.body {
                explanation.temperature_sent = sent.temperature(*id);
            }
        }
        self.sent = Some(sent.clone());
        if let Some(id) = self.run_cells.get(self.cell_index).map(|c| c.id) {
            self.explain = self.explain_lines(id);
        }
    }

    /// The compared cell's sent line and temperature note (empty outside a run's cells).
    pub(super) fn sent_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        if self.comparing_versions() {
            return Vec::new();
        }
        let Some(cell) = self.run_cells.get(self.cell_index) else {
            return Vec::new();
        };
        crate::tui::views::sent::lines(self.sent.as_ref(), &cell.info, theme)
    }

    /// Until the user picks, show the least stable loaded cell (the first of equals).
    fn show_default(&mut self) {
        let least = self
            .run_cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| self.loaded.get(&c.id).map(|l| (i, l.stability)))
            .min_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, _)) = least {
            self.show_cell(i);
        }
    }

    fn show_cell(&mut self, index: usize) {
        if self.comparing_versions() {
            return; // two versions' outputs stay until `esc`
        }
        let Some(cell) = self.run_cells.get(index).cloned() else {
            return;
        };
        self.cell_index = index;
        self.model = Some(cell.model);
        match self.loaded.get(&cell.id).map(|l| &l.body) {
            Some(Body::Grouped(grouped)) => {
                let grouped = grouped.clone();
                self.set_grouped(cell.id, cell.label, &grouped);
            }
            Some(Body::Samples { samples, .. }) => {
                let samples = samples.clone();
                self.set_cell(cell.id, cell.label, samples);
            }
            None => self.set_cell(cell.id, cell.label, Vec::new()),
        }
        self.explain = self.explain_lines(cell.id);
    }

    /// `c` / `C`: the next or previous cell of the run.
    pub(super) fn step_cell(&mut self, forward: bool) {
        let n = self.run_cells.len();
        if n < 2 {
            return;
        }
        self.picked = true;
        let next = if forward {
            (self.cell_index + 1) % n
        } else {
            (self.cell_index + n - 1) % n
        };
        self.show_cell(next);
    }

    /// "cell 2/3 · stability 40% (least stable)" when the run has several cells.
    pub fn cell_position(&self) -> Option<String> {
        let n = self.run_cells.len();
        if n < 2 {
            return None;
        }
        let mine = self
            .loaded
            .get(&self.run_cells.get(self.cell_index)?.id)?
            .stability;
        let least = self.loaded.values().all(|l| l.stability >= mine);
        Some(format!(
            "cell {}/{n}{} · c/C other cells",
            self.cell_index + 1,
            if least { " (least stable)" } else { "" }
        ))
    }

    /// Count the divergence prefix in tokens once, when the cell is set (not per frame).
    pub(super) fn count_divergence_tokens(&mut self) {
        self.divergence_tokens = None;
        let (Some(d), Some(model)) = (
            self.analysis.as_ref().and_then(|a| a.divergence.as_ref()),
            self.model.as_deref(),
        ) else {
            return;
        };
        let prefix = self
            .samples
            .iter()
            .find(|s| s.sample.idx == d.modal_sample)
            .and_then(|s| s.sample.output.as_deref())
            .and_then(|text| text.get(..d.byte_offset));
        self.divergence_tokens =
            prefix.map(|p| crate::analysis::TokenCount::count_tokens(&ModelTokens(model), p));
    }

    /// "diverges at char 44 / token 9: '…' vs '…'", when the samples part ways.
    pub fn divergence_line(&self) -> Option<String> {
        let d = self.analysis.as_ref()?.divergence.as_ref()?;
        let tokens = d.token_offset.or(self.divergence_tokens);
        let at = match tokens {
            Some(t) => format!("char {} / token {t}", d.char_offset),
            None => format!("char {}", d.char_offset),
        };
        let clip = |s: &str| -> String {
            let s: String = s.chars().take(30).collect();
            s.replace('\n', "⏎")
        };
        if self.comparing_versions() {
            return Some(format!(
                "diverges at {at}: '{}' vs '{}'",
                clip(&d.modal_continuation),
                clip(&d.other_continuation)
            ));
        }
        Some(format!(
            "diverges at {at}: '{}' vs '{}' (#{} vs #{}, {})",
            clip(&d.modal_continuation),
            clip(&d.other_continuation),
            d.modal_sample,
            d.other_sample,
            match d.samples_diverging {
                1 => "1 sample differs".to_string(),
                n => format!("{n} samples differ"),
            }
        ))
    }
}
