//! A large cell in the Diff view (planned with more than `worker_cells::PAGED_ABOVE` samples):
//! its clusters, stability and divergence come from the worker's groups of identical answers,
//! only A and B are held whole, and `j`/`k` ask the worker for the side's next sample by index
//! instead of holding them all (docs/architecture.md, "The TUI loop").

use super::DiffView;
use crate::store::SampleRow;
use crate::tui::event::{GroupedCell, Request};
use crate::tui::text::Side;
use crate::tui::views::Effect;

/// The large cell compared: how many samples it has and the index wanted on each side.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Paged {
    pub cell_id: i64,
    pub samples: u64,
    /// The sample index shown (or asked for) on A and B.
    pub idx: [u32; 2],
}

impl DiffView {
    /// Compare a large cell from its groups; keeps A/B when it is the cell already shown.
    pub(super) fn set_grouped(&mut self, cell_id: i64, label: String, grouped: &GroupedCell) {
        let same = self.paged.as_ref().is_some_and(|p| p.cell_id == cell_id);
        self.cell = Some((cell_id, label));
        self.explain.clear();
        self.analysis = Some(grouped.analysis.clone());
        match self.paged.as_mut().filter(|_| same) {
            Some(paged) => paged.samples = grouped.samples,
            None => {
                self.samples = grouped.pair.clone();
                let first = |i: usize| grouped.pair.get(i).map(|s| s.sample.idx);
                let a = first(0).unwrap_or(0);
                self.paged = Some(Paged {
                    cell_id,
                    samples: grouped.samples,
                    idx: [a, first(1).unwrap_or(a)],
                });
                (self.a, self.b) = (0, 1);
                self.scroll = 0;
            }
        }
        self.count_divergence_tokens();
        self.recompute();
    }

    /// `j`/`k` on a large cell: the focused side's next or previous sample, asked of the
    /// worker (`None` when the cell is not a large one).
    pub(super) fn step_paged(&mut self, down: bool) -> Option<Vec<Effect>> {
        let paged = self.paged.as_mut()?;
        let side = usize::from(self.side == Side::New);
        let last = u32::try_from(paged.samples.saturating_sub(1)).unwrap_or(u32::MAX);
        let now = paged.idx[side];
        let next = if down {
            now.saturating_add(1).min(last)
        } else {
            now.saturating_sub(1)
        };
        if next == now {
            return Some(Vec::new());
        }
        paged.idx[side] = next;
        Some(vec![Effect::Request(Request::LoadSample {
            cell_id: paged.cell_id,
            idx: next,
        })])
    }

    /// A sample asked for by [`DiffView::step_paged`] arrived: it replaces the side(s) that
    /// want it.
    pub(super) fn sample_loaded(&mut self, cell_id: i64, idx: u32, sample: Option<&SampleRow>) {
        let (Some(paged), Some(sample)) = (&self.paged, sample) else {
            return;
        };
        if paged.cell_id != cell_id {
            return;
        }
        let sides: Vec<usize> = (0..2).filter(|&s| paged.idx[s] == idx).collect();
        for side in sides {
            while self.samples.len() <= side {
                self.samples.push(sample.clone());
            }
            self.samples[side] = sample.clone();
        }
        (self.a, self.b) = (0, 1);
        self.scroll = 0;
        self.recompute();
    }

    /// Samples in the compared cell: every one of a large cell, else those held.
    pub(super) fn sample_count(&self) -> u64 {
        self.paged
            .as_ref()
            .map_or(self.samples.len() as u64, |p| p.samples)
    }
}
